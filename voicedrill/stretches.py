"""A reply in stretches: long replies and replies transcribed while the trainee speaks.

Whisper hears 30 s at a time. A reply is cut into stretches at its pauses, each
stretch is transcribed on its own (``asr.transcribe_window``) and the transcripts are
joined with their words moved to the reply's time line. The same two steps serve:

- ``transcribe_long``: a whole reply of any length (``asr.transcribe`` sends replies
  over ``WINDOW_SECONDS`` here, so ``transcribe`` and ``analyze`` agree): cuts at the
  longest pause inside each 30 s, never inside a word when there is a pause at all;
  memory stays bounded by one window.
- ``ReplyStream``: a live reply, cut at the pauses the listener hears as they come,
  so when the turn ends only the last stretch is new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .audio import SAMPLE_RATE
from .types import Transcript, Word

WINDOW_SECONDS = 28.0  # a stretch is at most this long (Whisper's window is 30 s)
MIN_CUT_SECONDS = 8.0  # a long reply is not cut before this much of a stretch
PAUSE_PROBABILITY = 0.35  # Silero speech probability below which a frame is a pause
FRAME = 512  # Silero frame, samples (32 ms)
WHOLE_SECONDS = 15.0  # a live reply up to this long is transcribed again whole at its end


def cut_points(
    audio: np.ndarray, *, window: float = WINDOW_SECONDS, min_cut: float = MIN_CUT_SECONDS
) -> list[int]:
    """Sample indices where ``audio`` (16 kHz) is cut so that no stretch exceeds ``window``
    seconds: the middle of the longest pause between ``min_cut`` and ``window`` seconds
    into each stretch (else its quietest frame). Empty when the audio fits one window."""
    n = len(audio)
    if n <= window * SAMPLE_RATE:
        return []
    probs = _probabilities(audio)
    quiet = probs < PAUSE_PROBABILITY
    cuts, start = [], 0
    while n - start > window * SAMPLE_RATE:
        lo = (start + int(min_cut * SAMPLE_RATE)) // FRAME
        hi = min(len(probs), (start + int(window * SAMPLE_RATE)) // FRAME)
        best, best_len, run = -1, 0, 0
        for k in range(lo, hi):
            run = run + 1 if quiet[k] else 0
            if run > best_len:
                best, best_len = k - run // 2, run  # the middle of the run so far
        if best < 0:
            best = lo + int(np.argmin(probs[lo:hi]))
        cut = max(start + 1, best * FRAME)
        cuts.append(cut)
        start = cut
    return cuts


def _probabilities(audio: np.ndarray, block: int = 1024) -> np.ndarray:
    """Silero speech probability per 32 ms frame, ``block`` frames at a time (bounded memory)."""
    from .vad import SileroVad

    vad = SileroVad()
    count = -(-len(audio) // FRAME)
    out = np.empty(count, dtype=np.float32)
    for k in range(0, count, block):
        frames = audio[k * FRAME : (k + block) * FRAME]
        if len(frames) % FRAME:
            frames = np.concatenate(
                [frames, np.zeros(FRAME - len(frames) % FRAME, dtype=np.float32)]
            )
        out[k : k + len(frames) // FRAME] = vad.push_many(frames.reshape(-1, FRAME))
    return out


def join(parts: list[tuple[float, Transcript]], language: str, duration: float) -> Transcript:
    """One transcript from ``(offset seconds, transcript)`` parts in order, words moved by
    their offset (kept in order, clipped to ``duration``)."""
    words: list[Word] = []
    texts: list[str] = []
    nsps: list[float] = []
    guarded = ""
    for offset, t in parts:
        if t.is_empty:
            guarded = guarded or t.guarded
            continue
        texts.append(t.text)
        nsps.append(t.no_speech_prob)
        last = words[-1].start if words else 0.0
        for w in t.words:
            start = min(max(round(w.start + offset, 3), last), duration)
            end = min(max(round(w.end + offset, 3), start), duration)
            words.append(Word(w.text, start, end, w.probability))
            last = start
    if not texts:
        return Transcript(
            "", language, (), no_speech_prob=max([1.0] + nsps), guarded=guarded or "no speech"
        )
    return Transcript(" ".join(texts), language, tuple(words), no_speech_prob=round(min(nsps), 4))


def _sureness(t: Transcript) -> float:
    """Mean word probability (0 for no words)."""
    return sum(w.probability for w in t.words) / len(t.words) if t.words else 0.0


def transcribe_long(model, audio: np.ndarray, *, language: str, options=None) -> Transcript:
    """A reply of any length (validated mono float32 16 kHz), stretch by stretch."""
    from .asr import transcribe_window

    bounds = [0, *cut_points(audio), len(audio)]
    parts = [
        (a / SAMPLE_RATE, transcribe_window(model, audio[a:b], language=language, options=options))
        for a, b in zip(bounds, bounds[1:], strict=False)
    ]
    return join(parts, language, len(audio) / SAMPLE_RATE)


@dataclass
class ReplyStream:
    """A live reply transcribed stretch by stretch, in capture samples (16 kHz).

    ``transcribe(audio) -> Transcript`` is one window's transcription; ``audio_of(a, b)``
    returns captured samples [a, b). ``cut(at)`` transcribes the stretch that ends at a
    pause (when it holds ``min_stretch`` seconds; shorter ones wait for more speech);
    ``upto(end)`` is the transcript from ``origin`` to ``end`` (only the tail since the
    last cut is new; the tail's result is kept for the next call with the same end).
    ``final(end)`` is the reply's transcript: a reply of at most ``whole_seconds`` is
    transcribed again in one piece (the encoder runs on the audio's length, so that is
    cheap, and no word is lost or doubled at a cut) and kept unless the stretches joined
    are surer of their words (mean word probability: Whisper sometimes garbles a short
    word before a long pause when it hears the whole); a longer one is ``upto(end)``.
    Times of the words are seconds since ``origin``.
    """

    transcribe: Callable[[np.ndarray], Transcript]
    audio_of: Callable[[int, int], np.ndarray]
    language: str
    origin: int = 0
    min_stretch: float = 1.5
    whole_seconds: float = WHOLE_SECONDS
    parts: list[tuple[int, int, Transcript]] = field(default_factory=list)
    _recent: dict[tuple[int, int], Transcript] = field(default_factory=dict)

    @property
    def done(self) -> int:
        """Capture sample where the transcribed stretches end."""
        return self.parts[-1][1] if self.parts else self.origin

    def _window(self, a: int, b: int) -> Transcript:
        if (a, b) in self._recent:
            return self._recent[(a, b)]
        result = self.transcribe(self.audio_of(a, b))
        self._recent[(a, b)] = result
        while len(self._recent) > 4:  # the tail and the whole reply of the latest ends
            del self._recent[next(iter(self._recent))]
        return result

    def _cut_windows(self, end: int) -> None:
        """Stretches off a tail longer than one window (cut at its longest pause)."""
        while end - self.done > WINDOW_SECONDS * SAMPLE_RATE:
            a = self.done
            b = a + cut_points(self.audio_of(a, end))[0]
            self.parts.append((a, b, self._window(a, b)))

    def cut(self, at: int) -> None:
        self._cut_windows(at)
        a = self.done
        if at - a >= self.min_stretch * SAMPLE_RATE:
            self.parts.append((a, at, self._window(a, at)))

    def final(self, end: int) -> Transcript:
        if end - self.origin > self.whole_seconds * SAMPLE_RATE or self.whole_seconds <= 0:
            return self.upto(end)
        whole = join(
            [(0.0, self._window(self.origin, end))],
            self.language,
            (end - self.origin) / SAMPLE_RATE,
        )
        if not self.parts:  # one stretch: the same window
            return whole
        stitched = self.upto(end)
        return whole if _sureness(whole) >= _sureness(stitched) else stitched

    def upto(self, end: int) -> Transcript:
        self._cut_windows(end)
        a = self.done
        parts = [(s - self.origin, t) for s, _, t in self.parts]
        if end > a:
            parts.append((a - self.origin, self._window(a, end)))
        return join(
            [(s / SAMPLE_RATE, t) for s, t in parts],
            self.language,
            (end - self.origin) / SAMPLE_RATE,
        )
