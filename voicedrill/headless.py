"""File-backed speakers and listeners for drills without a sound card.

- ``SilentSpeaker`` "plays" a line instantly (its audio is still stored with the turn).
- ``VirtualTrainee`` speaks a scenario's scripted replies with a second TTS voice,
  after a think time, and hears them back through the same voice-activity detector
  a live listener uses.
- ``RecordedReplies`` takes the trainee's replies from a folder of sound files.

In both listeners the reply audio starts at the end of the perpetrator line, so the
detected onset is the response latency.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np

from .audio import SAMPLE_RATE, load_audio
from .errors import AudioError
from .types import PerpetratorLine, Reply
from .vad import speech_spans

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".m4a", ".opus", ".webm")


def reply_from_audio(audio: np.ndarray, *, source: str) -> Reply:
    """Hear a reply recorded from the end of the perpetrator line: onset, end and latency
    from the same voice-activity detector a live listener uses (Silero), shape=(n,),
    16 kHz. No speech gives a silent reply."""
    spans = speech_spans(audio, method="silero")
    if not spans:
        return Reply(audio=audio, onset=None, end=None, latency=None, source=source)
    onset, end = spans[0].start, spans[-1].end
    return Reply(audio=audio, onset=onset, end=end, latency=onset, source=source)


class SilentSpeaker:
    """A speaker with no sound card: returns at once, as if the line had been played."""

    def play(self, audio: np.ndarray, *, stop: Callable[[], bool] | None = None) -> float:
        return time.monotonic()


def virtual_delivery(path: str):
    """How the virtual trainee speaks on a scripted path: slow and low on "good", fast,
    loud and high on "poor" (so vocal calm and pacing differ as they would for a person)."""
    from .tts import Delivery

    if path == "poor":
        return Delivery(rate_wpm=190, volume=1.0, pitch=72)
    return Delivery(rate_wpm=125, volume=0.8, pitch=45)


class VirtualTrainee:
    """A listener whose "trainee" speaks the scenario's scripted replies with TTS.

    ``path`` names the scripted path ("good" or "poor"); ``think_seconds`` is the
    silence before each reply (its true response latency).
    """

    def __init__(
        self,
        scenario,
        *,
        path: str = "good",
        think_seconds: float = 0.8,
        render: Callable[[str], np.ndarray],
    ):
        self.scenario = scenario
        self.path = path
        self.think_seconds = think_seconds
        self._render = render
        self._text: str | None = None

    def prepare(self, line: PerpetratorLine, turn_index: int) -> None:
        self._text = self.scenario.trainee_reply(self.path, line.node_id)

    def heard_speech(self) -> bool:
        return False

    def reply(self, line_end: float) -> Reply:
        think = np.zeros(int(self.think_seconds * SAMPLE_RATE), dtype=np.float32)
        tail = np.zeros(int(0.5 * SAMPLE_RATE), dtype=np.float32)
        if self._text is None:  # the scripted trainee stays silent here
            return reply_from_audio(np.concatenate([think, tail]), source="virtual trainee")
        speech = self._render(self._text)
        return reply_from_audio(np.concatenate([think, speech, tail]), source="virtual trainee")


class RecordedReplies:
    """A listener that takes replies from sound files in a folder.

    A file named after the node (``<node_id>.wav``) answers that node; otherwise the
    files are used in name order, one per turn. Each file starts at the end of the
    perpetrator line, so its leading silence is the response latency. When no file is
    left the reply is silence.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise AudioError(f"{self.folder}: no such folder of recorded replies. Check --replies.")
        files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
        if not files:
            raise AudioError(
                f"{self.folder}: holds no sound files ({', '.join(AUDIO_SUFFIXES)}). "
                "Record one reply per turn, e.g. 01.wav, 02.wav."
            )
        self._by_node = {p.stem: p for p in files}
        self._queue = list(files)
        self._current: Path | None = None

    def prepare(self, line: PerpetratorLine, turn_index: int) -> None:
        path = self._by_node.get(line.node_id)
        if path is None and self._queue:
            path = self._queue[0]
        if path is not None and path in self._queue:
            self._queue.remove(path)
        self._current = path

    def heard_speech(self) -> bool:
        return False

    def reply(self, line_end: float) -> Reply:
        if self._current is None:
            silence = np.zeros(SAMPLE_RATE, dtype=np.float32)
            return reply_from_audio(silence, source=f"{self.folder} (no reply left)")
        return reply_from_audio(load_audio(self._current), source=str(self._current))
