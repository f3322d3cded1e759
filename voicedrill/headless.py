"""File-backed speakers and listeners for drills without a sound card.

- ``SilentSpeaker`` "plays" a line instantly (its audio is still stored with the turn).
- ``VirtualTrainee`` speaks a scenario's scripted replies with a second TTS voice,
  after a think time, and hears them back through the same voice-activity detector
  a live listener uses.
- ``RecordedReplies`` takes the trainee's replies from a folder of sound files.
- ``HeardTrainee`` (the demo's): the virtual trainee speaks in real time into a
  ``VirtualMicrophone`` that a ``live.LiveListener`` hears, so the demo ends each turn,
  transcribes and answers as a live drill does, at its speed (``answer_gaps``).

In all of them the reply audio starts at the end of the perpetrator line, so the
detected onset is the response latency.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
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
    """A speaker with no sound card: returns at once, as if the line had been played
    (``started``: when each line "started", monotonic)."""

    def __init__(self) -> None:
        self.started: list[float] = []

    def play(self, audio: np.ndarray, *, stop: Callable[[], bool] | None = None) -> float:
        now = time.monotonic()
        self.started.append(now)
        return now


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

    def speech(self) -> np.ndarray | None:
        """The prepared reply spoken (16 kHz), None where the scripted trainee is silent."""
        return None if self._text is None else self._render(self._text)

    def reply(self, line_end: float) -> Reply:
        think = np.zeros(int(self.think_seconds * SAMPLE_RATE), dtype=np.float32)
        tail = np.zeros(int(0.5 * SAMPLE_RATE), dtype=np.float32)
        speech = self.speech()
        if speech is None:  # the scripted trainee stays silent here
            return reply_from_audio(np.concatenate([think, tail]), source="virtual trainee")
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


BLOCK = 320  # samples the virtual microphone hands over at a time (20 ms)


class VirtualMicrophone:
    """A microphone (``capture.Microphone``'s protocol) that picks up what it is given to
    say in real time: sample i of a capture is due ``i / 16000`` s after ``arm()``; ``read``
    returns what has come due since the last read (waiting up to ``timeout`` for a block),
    as a sound card's buffer does. Silence where nothing is said."""

    def __init__(self) -> None:
        self.device = SimpleNamespace(name="virtual trainee")
        self.overflows = 0
        self.level_db = -120.0
        self._lock = threading.Lock()
        self._t0 = time.monotonic()
        self._pos = 0
        self._audio = np.zeros(0, dtype=np.float32)
        self._at = 0  # capture sample where ``_audio`` starts

    def open(self) -> "VirtualMicrophone":
        return self

    def close(self) -> None: ...

    def arm(self) -> None:
        with self._lock:
            self._t0, self._pos = time.monotonic(), 0
            self._audio, self._at = np.zeros(0, dtype=np.float32), 0

    def disarm(self) -> None: ...

    def say(self, audio: np.ndarray, at: float) -> float:
        """Speak ``audio`` (16 kHz) from monotonic time ``at`` on (not before what was
        already picked up); returns the time it starts."""
        with self._lock:
            self._at = max(self.index_at(at), self._pos)
            self._audio = np.asarray(audio, dtype=np.float32)
            return self.time_at(self._at)

    def read(self, timeout: float = 0.05) -> np.ndarray:
        due = self.index_at(time.monotonic())
        if due - self._pos < BLOCK and timeout > 0:
            time.sleep(min(timeout, (self._pos + BLOCK - due) / SAMPLE_RATE))
            due = self.index_at(time.monotonic())
        with self._lock:
            n = (due - self._pos) // BLOCK * BLOCK
            out = np.zeros(max(0, n), dtype=np.float32)
            a, b = self._pos - self._at, self._pos + len(out) - self._at
            part = self._audio[max(0, a) : max(0, b)]
            out[max(0, -a) : max(0, -a) + len(part)] = part
            self._pos += len(out)
        if out.size:
            rms = float(np.sqrt(np.mean(out[-BLOCK:].astype(np.float64) ** 2)))
            self.level_db = 20.0 * float(np.log10(max(rms, 1e-6)))
        return out

    def time_at(self, index: float) -> float:
        return self._t0 + index / SAMPLE_RATE

    def index_at(self, t: float) -> int:
        return max(0, int(round((t - self._t0) * SAMPLE_RATE)))


class HeardTrainee:
    """The virtual trainee (``trainee``: its scripted replies and voice) heard live: each
    reply is spoken in real time, ``think_seconds`` after the line ends, into ``listener``
    (a ``live.LiveListener`` on a ``VirtualMicrophone``), which ends the turn, transcribes
    while it speaks and measures as in a live drill. ``speaker`` (a ``SilentSpeaker``)
    tells when each next line started: ``answer_gaps()``."""

    def __init__(self, trainee: VirtualTrainee, listener, speaker: SilentSpeaker):
        self.trainee, self.listener, self.speaker = trainee, listener, speaker
        self.mic: VirtualMicrophone = listener.mic
        self.voice_ends: list[float | None] = []  # each reply's last spoken sample, monotonic

    def __getattr__(self, name: str):  # attach, warm, last_transcript, last, close
        if name in ("listener", "trainee", "speaker", "mic"):
            raise AttributeError(name)
        return getattr(self.listener, name)

    def prepare(self, line: PerpetratorLine, turn_index: int) -> None:
        self.trainee.prepare(line, turn_index)
        self.listener.prepare(line, turn_index)

    def heard_speech(self) -> bool:
        return self.listener.heard_speech()

    def reply(self, line_end: float) -> Reply:
        from .decode import sound_end

        ends = None
        speech = self.trainee.speech()  # rendered while "thinking"
        if speech is not None:  # from think_seconds after the line, as a person would (a
            # late call finds it in the microphone's buffer, as a sound card keeps it)
            start = self.mic.say(speech, line_end + self.trainee.think_seconds)
            ends = start + sound_end(speech)
        self.voice_ends.append(ends)
        return self.listener.reply(line_end)

    def answer_gaps(self) -> list[float]:
        """Seconds from the end of each spoken reply to the start of the next line."""
        starts = self.speaker.started
        return [
            starts[k + 1] - end
            for k, end in enumerate(self.voice_ends)
            if end is not None and k + 1 < len(starts)
        ]
