"""Voice activity: where speech starts and ends in a reply.

Onset and latency come from here, not from Whisper's word times (which drift
around silences). This first detector is energy based with a noise floor taken
from the quietest frames; capture.py feeds it live audio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .audio import SAMPLE_RATE

FRAME_SECONDS = 0.02  # 20 ms analysis frames


@dataclass(frozen=True)
class SpeechSpan:
    """A stretch of speech, seconds from the start of the audio."""

    start: float
    end: float


def frame_levels_db(audio: np.ndarray, frame_seconds: float = FRAME_SECONDS) -> np.ndarray:
    """RMS level in dBFS of consecutive frames, shape=(n_frames,)."""
    n = int(round(frame_seconds * SAMPLE_RATE))
    count = len(audio) // n
    if count == 0:
        return np.zeros(0, dtype=np.float32)
    frames = audio[: count * n].reshape(count, n).astype(np.float64)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return (20.0 * np.log10(np.maximum(rms, 1e-6))).astype(np.float32)


def speech_spans(
    audio: np.ndarray,
    *,
    threshold_db: float | None = None,
    min_speech: float = 0.12,
    merge_gap: float = 0.3,
) -> tuple[SpeechSpan, ...]:
    """Find speech in ``audio`` (shape=(n,), 16 kHz).

    A frame is speech when louder than ``threshold_db`` (default: 15 dB over the
    noise floor, at least -50 dBFS). Gaps shorter than ``merge_gap`` seconds are
    bridged; spans shorter than ``min_speech`` seconds are dropped.
    """
    levels = frame_levels_db(audio)
    if levels.size == 0:
        return ()
    if threshold_db is None:
        floor = float(np.percentile(levels, 10))
        threshold_db = max(floor + 15.0, -50.0)
    voiced = levels > threshold_db
    spans: list[list[float]] = []
    start = None
    for i, v in enumerate(np.append(voiced, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            s, e = start * FRAME_SECONDS, i * FRAME_SECONDS
            if spans and s - spans[-1][1] < merge_gap:
                spans[-1][1] = e
            else:
                spans.append([s, e])
            start = None
    return tuple(SpeechSpan(s, e) for s, e in spans if e - s >= min_speech)
