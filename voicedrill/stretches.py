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

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable

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
    ``final(end)`` is the reply's transcript: a reply of at most ``whole_seconds`` (0: none)
    is transcribed again in one piece and kept unless the stretches joined are surer of
    their words (mean word probability); a longer one is ``upto(end)``.
    Times of the words are seconds since ``origin``.

    Ahead of the turn's end (``worker``: a one-thread ``Worker``): ``ahead(end)`` starts
    transcribing the tail [done, end) in the worker as soon as speech stops, while the
    end of turn is still being judged; ``settle()`` (called as audio arrives, with
    ``speech_end`` kept up to date) takes a finished tail in: when speech came after it, it
    becomes a stretch (at least ``min_stretch`` long, else it is dropped); when none did,
    it stays the reply's last stretch, and ``final(end, quiet_from)`` returns it without a second decode (the audio
    from ``quiet_from`` on holds no speech). Every decode runs on the worker's thread, one
    at a time: the drill's thread only slices audio and waits, so capture goes on.
    """

    transcribe: Callable[[np.ndarray], Transcript]
    audio_of: Callable[[int, int], np.ndarray]
    language: str
    origin: int = 0
    min_stretch: float = 1.5
    whole_seconds: float = WHOLE_SECONDS
    worker: Worker | None = None
    speech_end: int | None = None  # capture sample where the speech heard so far ends
    # samples of silence a tail ends with after the speech end (not yet heard: padded), so
    # its last word is not cut off at the audio's end: tiny.en drops a word there
    tail: int = 0
    parts: list[tuple[int, int, Transcript]] = field(default_factory=list)
    decodes: int = 0  # windows transcribed (for tests and benchmarks)
    reused: int = 0  # tails transcribed ahead that became stretches
    dropped: int = 0  # tails transcribed ahead that speech made useless
    _recent: dict[tuple[int, int], Transcript] = field(default_factory=dict)
    _ahead: tuple[int, int, Future] | None = None

    @property
    def done(self) -> int:
        """Capture sample where the transcribed stretches end."""
        return self.parts[-1][1] if self.parts else self.origin

    def _decode(self, audio: np.ndarray) -> Future:
        self.decodes += 1
        if self.worker is not None:
            return self.worker.submit(self.transcribe, audio)
        out: Future = Future()
        out.set_result(self.transcribe(audio))
        return out

    def _keep(self, a: int, b: int, result: Transcript) -> None:
        self._recent[(a, b)] = result
        while len(self._recent) > 4:  # the tail and the whole reply of the latest ends
            del self._recent[next(iter(self._recent))]

    def _window(self, a: int, b: int) -> Transcript:
        if (a, b) in self._recent:
            return self._recent[(a, b)]
        self.wait()  # one decode at a time (the model is shared)
        if (a, b) in self._recent:
            return self._recent[(a, b)]
        result = self._decode(self.audio_of(a, b)).result()
        self._keep(a, b, result)
        return result

    # -- ahead of the turn's end
    @property
    def busy(self) -> bool:
        """A tail is being transcribed in the worker."""
        return self._ahead is not None and not self._ahead[2].done()

    def ahead(self, end: int, pad: int | None = None) -> bool:
        """Start transcribing [done, end) in the worker, with ``pad`` samples of silence
        after it (the pause to come, heard as tiny.en hears a reply's end: measured in
        scripts/bench_live.py; by default what ``end`` lacks of ``tail`` after the speech
        end). No-op when the worker is busy, when a tail already holds
        all the speech, or without a worker. True when it started."""
        self.settle()
        if pad is None:
            se = self.speech_end
            pad = max(0, se + self.tail - end) if se is not None and end >= se else 0
        if self.worker is None or self.busy or end <= self.done:
            return False
        if end + pad - self.done > WINDOW_SECONDS * SAMPLE_RATE:
            return False  # longer than a window: ``upto`` cuts it at its longest pause
        if self._ahead is not None or (self.done, end) in self._recent:
            return False  # a finished tail with no speech after it: nothing new to hear
        audio = self.audio_of(self.done, end)
        if pad > 0:
            audio = np.concatenate([audio, np.zeros(pad, dtype=np.float32)])
        self._ahead = (self.done, end, self._decode(audio))
        return True

    def settle(self) -> None:
        """Take in a finished tail; speech heard past its end (``speech_end``) makes it a
        stretch (or drops it)."""
        if self._ahead is None or not self._ahead[2].done():
            return
        a, b, future = self._ahead
        result = future.result()  # a failed decode fails here, on the drill's thread
        self._keep(a, b, result)
        if self.speech_end is None or self.speech_end <= b:
            return  # no speech after it (yet): it may be the reply's last stretch
        self._ahead = None
        whole = b - self.origin <= self.whole_seconds * SAMPLE_RATE  # heard whole at the end
        if a == self.done and b - a >= self.min_stretch * SAMPLE_RATE and not whole:
            self.parts.append((a, b, result))
            self.reused += 1
        else:
            self.dropped += 1

    def wait(self) -> None:
        """Block until the worker's tail is transcribed (and take it in as it stands)."""
        if self._ahead is not None:
            self._ahead[2].result()
            self.settle()

    def _quiet_tail(self, end: int, quiet_from: int) -> Transcript | None:
        """A tail [done, b) with quiet_from <= b <= end (past b no speech): the one
        transcribed ahead, else one transcribed now (kept as the tail ahead)."""
        for attempt in range(2):
            self.wait()
            found = self._quiet_ends(end, quiet_from)
            if found:
                return self._recent[(self.done, max(found))]
            if attempt or not self.ahead(end):
                return None
        return None

    # -- stretches
    def _cut_windows(self, end: int) -> None:
        """Stretches off a tail longer than one window (cut at its longest pause)."""
        while end - self.done > WINDOW_SECONDS * SAMPLE_RATE:
            a = self.done
            b = a + cut_points(self.audio_of(a, end))[0]
            self.parts.append((a, b, self._window(a, b)))

    def cut(self, at: int) -> None:
        self.wait()
        self._cut_windows(at)
        a = self.done
        if at - a >= self.min_stretch * SAMPLE_RATE:
            self.parts.append((a, at, self._window(a, at)))

    def final(self, end: int, quiet_from: int | None = None) -> Transcript:
        """The reply's transcript up to ``end``; ``quiet_from``: no speech from there on,
        so a tail transcribed ahead that reaches it is the last stretch (no new decode)."""
        if not self.parts:  # one stretch: the tail transcribed ahead, or the whole now
            return self.upto(end, quiet_from)
        if self._whole(end):
            whole = join(
                [(0.0, self._window(self.origin, end))],
                self.language,
                (end - self.origin) / SAMPLE_RATE,
            )
            stitched = self.upto(end, quiet_from)
            return whole if _sureness(whole) >= _sureness(stitched) else stitched
        return self.upto(end, quiet_from)

    def settled_final(self, end: int, quiet_from: int) -> Transcript | None:
        """``final(end, quiet_from)`` when it needs no decode now (its tail was transcribed
        ahead and is done), else None."""
        if self.busy:
            return None
        self.settle()
        if self.parts and self._whole(end):
            ready = (self.origin, end) in self._recent
        else:
            ready = end - self.done <= WINDOW_SECONDS * SAMPLE_RATE and bool(
                self._quiet_ends(end, quiet_from)
            )
        return self.final(end, quiet_from) if ready else None

    def _whole(self, end: int) -> bool:
        """Is the reply up to ``end`` short enough to be transcribed again in one piece?"""
        return 0 < self.whole_seconds and end - self.origin <= self.whole_seconds * SAMPLE_RATE

    def _quiet_ends(self, end: int, quiet_from: int) -> list[int]:
        """Ends b of the tails [done, b) transcribed so far with quiet_from <= b <= end."""
        return [b for a, b in self._recent if a == self.done and quiet_from <= b <= end]

    def upto(self, end: int, quiet_from: int | None = None) -> Transcript:
        self.wait()
        tail = None
        if quiet_from is not None and end - self.done <= WINDOW_SECONDS * SAMPLE_RATE:
            tail = self._quiet_tail(end, quiet_from)
        if tail is None:
            self._cut_windows(end)
        a = self.done
        parts = [(s - self.origin, t) for s, _, t in self.parts]
        if end > a:
            parts.append((a - self.origin, tail if tail is not None else self._window(a, end)))
        return join(
            [(s / SAMPLE_RATE, t) for s, t in parts],
            self.language,
            (end - self.origin) / SAMPLE_RATE,
        )


class Worker:
    """One background thread that runs decodes in order (``concurrent.futures``): the
    drill's thread keeps taking the microphone's audio while a stretch is transcribed.
    torch and onnxruntime release the GIL while they compute, so a thread costs no copy
    of the model, no start-up and no audio sent across (scripts/bench_live.py measures
    the capture's read gaps while it runs)."""

    def __init__(self, name: str = "voicedrill-asr"):
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self._pool.submit(fn, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
