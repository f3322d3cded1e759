"""End of turn by meaning and prosody: Smart Turn v3.2, an ONNX classifier of the last 8 s.

Smart Turn (pipecat, BSD-2-Clause) hears whether a speaker has finished a thought or
only paused inside one ("I think that... um..."): a Whisper-tiny encoder with a
classification head, trained on many languages. voicedrill asks it at a short pause
(``vad.Endpointer``): "complete" ends the reply after a short pause, "incomplete" waits
for the scoring script's long end-of-turn silence, unless the words finish a sentence
(``ends_finished``: then a pause of ``ListenSettings.sentence_pause_seconds`` ends it, or
``unsure_pause_seconds`` when the last word is less sure); ``live.LiveListener._judge``.

The model file is provisioned from its pinned PyPI wheel (``voicedrill models install
smart-turn``, see ``models.ASSETS``); pipecat itself is not a dependency. The feature
step is reimplemented here exactly as pipecat 1.14's ``LocalSmartTurnAnalyzerV3`` does
it: the speech from 0.5 s before its onset on, the last 8 s of it, zero-padded at the
start to 8 s, normalised to zero mean and unit variance, then Whisper-style log-mel
features (80 Slaney mel bands, 400-sample periodic Hann window, hop 160, reflect
padding, last frame dropped, 8 dB dynamic range, (x + 4) / 4): shape (80, 800).

onnxruntime is imported lazily (when a model is loaded), so the rest of voicedrill starts
without it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .audio import SAMPLE_RATE
from .errors import AsrError
from .types import Transcript

TURN_MODEL = "smart-turn"  # its models.ASSETS entry
TURN_MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
WINDOW_SECONDS = 8  # the model judges the last 8 s
PRE_SPEECH = 0.5  # seconds of audio before the onset that the model gets (pipecat's pre_speech_ms)
N_FFT, HOP, N_MELS = 400, 160, 80


RHYTHM_MARGIN = 0.06  # seconds above the longest pause between his sentences heard so far


@dataclass
class Rhythm:
    """The trainee's own pauses between sentences, learned within a drill.

    A sure sentence end ends a reply after ``ListenSettings.complete_pause_seconds`` (0.4
    s): just above the 0.25-0.34 s the bench voices leave between two sentences. A trainee
    who pauses longer there would be cut after every first sentence. So the listener keeps
    the longest such pause it has heard from this trainee after a sure sentence end (read
    in the words; a pause inside a sentence teaches nothing): inside a reply, one judged to
    end the turn that speech then went on from; and across turns, when the trainee went on
    speaking within the unsure pause after a reply was taken there (he was cut). The short
    pauses (``pause``) are then at least that plus ``RHYTHM_MARGIN``, up to ``cap`` (the
    unsure pause): never shorter than the script's."""

    floor: float  # ListenSettings.complete_pause_seconds
    cap: float  # ListenSettings.unsure_pause_seconds
    longest: float = 0.0  # the longest pause between his sentences heard so far

    def heard(self, pause: float) -> None:
        self.longest = max(self.longest, min(pause, self.cap))

    @property
    def pause(self) -> float:
        """The short pause after a sure sentence end for this trainee."""
        return min(max(self.cap, self.floor), max(self.floor, self.longest + RHYTHM_MARGIN))


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    f = np.atleast_1d(np.asarray(f, dtype=np.float64))
    mel = 3.0 * f / 200.0
    log = f >= 1000.0
    mel[log] = 15.0 + np.log(f[log] / 1000.0) * (27.0 / np.log(6.4))
    return mel


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.atleast_1d(np.asarray(m, dtype=np.float64))
    f = 200.0 * m / 3.0
    log = m >= 15.0
    f[log] = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m[log] - 15.0))
    return f


@lru_cache(maxsize=1)
def _filters() -> tuple[np.ndarray, np.ndarray]:
    """(Slaney mel filterbank shape=(201, 80), periodic Hann window shape=(400,))."""
    edges = _mel_to_hz(
        np.linspace(
            _hz_to_mel(np.array(0.0))[0], _hz_to_mel(np.array(SAMPLE_RATE / 2))[0], N_MELS + 2
        )
    )
    fft = np.linspace(0, SAMPLE_RATE // 2, N_FFT // 2 + 1)
    slopes = edges[None, :] - fft[:, None]
    diff = np.diff(edges)
    bank = np.maximum(0.0, np.minimum(-slopes[:, :-2] / diff[:-1], slopes[:, 2:] / diff[1:]))
    bank *= (2.0 / (edges[2 : N_MELS + 2] - edges[:N_MELS]))[None, :]
    return bank, np.hanning(N_FFT + 1)[:-1]


def window(audio: np.ndarray) -> np.ndarray:
    """The last 8 s of ``audio`` (16 kHz), zero-padded at the start to exactly 8 s."""
    n = WINDOW_SECONDS * SAMPLE_RATE
    audio = np.asarray(audio, dtype=np.float32)
    if len(audio) >= n:
        return audio[-n:]
    return np.concatenate([np.zeros(n - len(audio), dtype=np.float32), audio])


def features(audio: np.ndarray) -> np.ndarray:
    """Smart Turn's input for ``audio`` (mono float32 16 kHz, any length): shape=(80, 800)."""
    x = window(audio)
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    padded = np.pad(x.astype(np.float64), (N_FFT // 2, N_FFT // 2), mode="reflect")
    bank, hann = _filters()
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * hann, axis=-1)) ** 2  # (801, 201)
    log_spec = np.log10(np.maximum(1e-10, bank.T @ power.T))[:, :-1]
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    return ((log_spec + 4.0) / 4.0).astype(np.float32)


@dataclass(frozen=True, eq=False)
class TurnModel:
    """A loaded Smart Turn model. ``probability(audio)`` is P(the speaker has finished)
    for the reply so far (from shortly before its onset; only the last 8 s count)."""

    path: Path
    session: Any  # onnxruntime.InferenceSession
    lock: threading.Lock
    threshold: float = 0.5  # pipecat's: above it, "complete"

    def probability(self, audio: np.ndarray) -> float:
        feats = features(audio)[None]
        with self.lock:  # one run at a time: the session is shared by the listener's turns
            out = self.session.run(None, {"input_features": feats})
        return float(np.asarray(out[0]).reshape(-1)[0])

    def complete(self, audio: np.ndarray) -> bool:
        return self.probability(audio) > self.threshold


def load_turn_model(path: str | os.PathLike | None = None, *, threads: int = 1) -> TurnModel:
    """Load Smart Turn (default: the installed ``smart-turn-v3.2-cpu.onnx``) on the CPU.

    ``threads``: onnxruntime intra-op threads (1 holds up best on a busy 2-core machine:
    scripts/bench_live.py). Raises AsrError naming the file and the fix."""
    from . import models

    model_path = Path(path) if path else models.asset_file(TURN_MODEL, TURN_MODEL_FILE)
    try:
        import onnxruntime as ort  # heavy: imported only when a model is loaded
    except ImportError as e:
        raise AsrError(
            f"onnxruntime is not installed ({e}); run scripts/setup, or "
            ".venv/bin/pip install 'onnxruntime==1.23.2'."
        ) from e
    options = ort.SessionOptions()
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = max(1, int(threads))
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        session = ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as e:
        raise AsrError(
            f"{model_path}: not a readable Smart Turn model ({type(e).__name__}). "
            "Reinstall it: voicedrill models install smart-turn"
        ) from e
    return TurnModel(model_path, session, threading.Lock())


@dataclass(frozen=True)
class Hanging:
    """A language's words and phrases a finished thought does not end on."""

    words: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]  # each split into words, lower-case


@lru_cache(maxsize=None)
def hanging(language: str) -> Hanging:
    """``lang/<code>/turn.yaml``: ``hanging_words`` and ``hanging_phrases``."""
    from . import lang
    from .errors import ScenarioError

    data = lang.load(language, "turn")
    lists = {key: data.get(key) for key in ("hanging_words", "hanging_phrases")}
    unknown = sorted(set(data) - set(lists))
    if unknown or not all(
        isinstance(v, list) and all(isinstance(w, str) and w.strip() for w in v)
        for v in lists.values()
    ):
        raise ScenarioError(
            f"{lang.LANG_DIR / language / 'turn.yaml'}: expected only 'hanging_words' and "
            "'hanging_phrases', each a list of non-empty strings."
        )
    words = frozenset(w.strip().lower() for w in lists["hanging_words"] or ())
    phrases = tuple(tuple(p.lower().split()) for p in lists["hanging_phrases"] or ())
    return Hanging(words, phrases)


UNSURE_LAST_WORD = 0.5  # Whisper's probability of the last word below which it cannot tell
SURE_LAST_WORD = 0.9  # ... and above which the words alone may end a turn (``ends_finished``)
# ... after a longer pause from this on (``unsure_pause_seconds``): below it, a hanging "and"
# misheard as "end." (p 0.6 on the rig) ended a 1 s hesitation; finished replies' last words
# Whisper was less sure of stood at 0.85-0.9 (scripts/bench_live.py's replies)
FAIR_LAST_WORD = 0.75
# Smart Turn's P(finished) from which the voice vouches for a sentence end on a last word
# Whisper is unsure of (p < UNSURE_LAST_WORD): the reply ends after ``unsure_pause_seconds``.
# tiny.en is often unsure of a finished reply's last word in a synthetic voice ("check that
# I got this right." p 0.50, "... safely." 0.57): on 80 espeak-ng replies replayed offline
# (40 with a 0.5-1.2 s hesitation) the long silence ended 13, 2 with this and the sentence
# end below 0.75 (``live.LiveListener._judge``), with no more hesitations cut
FAIR_VOICE = 0.7
FINAL_MARKS = (".", "?", "!")  # a sentence's end in Whisper's text; "..." is not one
TRAILING = ("...", "\u2026")  # Whisper's mark for a voice trailing off: open, not an end


def ends_open(transcript: Transcript, language: str) -> bool:
    """Do the words so far leave the thought open? No words yet (a lone "um" Whisper left
    out, noise), a hanging last word, or a last word Whisper is unsure of: a swallowed
    "that" or "and" before a pause comes out as "met." or "on..." at probability 0.2-0.5,
    where a finished sentence's last word is mostly above 0.8 (scripts/bench_live.py's
    replies), or "..." at the end (Whisper's mark for a voice trailing off: "The reason I
    ask is..." in a voice Smart Turn heard as finished, p 0.94, before a 1.2 s pause). Then
    the long silence decides, as without the model."""
    if not transcript.words:
        return True
    last = transcript.words[-1].probability
    trailing = transcript.text.rstrip().endswith(TRAILING)
    return (
        trailing
        or ends_hanging(transcript.text, language)
        or last < UNSURE_LAST_WORD
        or swallowed(transcript, language)
    )


def swallowed(transcript: Transcript, language: str) -> bool:
    """Is the last word, one Whisper is not sure of, after a hanging phrase a swallowed
    hanging word? "I think that [0.8 s] we can ..." comes out as "I think met." (p 0.78) in
    a voice Smart Turn hears as finished; "I think not." (p >= 0.9) is an answer."""
    words = transcript.words
    if len(words) < 2 or words[-1].probability >= SURE_LAST_WORD:
        return False
    from .asr import normalize

    before = tuple(normalize(" ".join(w.text for w in words[:-1])).split())
    return any(before[-len(p) :] == p for p in hanging(language).phrases)


def ends_finished(transcript: Transcript, language: str, *, sure: float = SURE_LAST_WORD) -> bool:
    """Do the words alone say the thought is finished, whatever the voice sounded like?
    A sentence end (``ends_sentence``: a sentence mark, not "...", which Whisper writes for
    a trailing-off voice, nor a hanging word) on a last word Whisper is sure of (probability
    ``sure``; never below ``UNSURE_LAST_WORD``, where the thought is open: ``ends_open``).

    Smart Turn hears prosody, and a flat voice (espeak-ng, a tired or monotone trainee)
    sounds unfinished to it at every pause: 53-67% of finished espeak-ng replies
    (scripts/bench_live.py). The words are ready at the pause (transcribed ahead), so
    they can end such a turn at the short pause instead of the long silence."""
    return ends_sentence(transcript, language) and transcript.words[-1].probability >= max(
        sure, UNSURE_LAST_WORD
    )


def ends_sentence(transcript: Transcript, language: str) -> bool:
    """Do the words end on a sentence mark, however sure Whisper is of the last word? Not
    "..." (a voice trailing off) and not a hanging word ("I think that.")."""
    text = transcript.text.rstrip()
    return (
        bool(transcript.words)
        and text.endswith(FINAL_MARKS)
        and not text.endswith(TRAILING)
        and not ends_hanging(text, language)
        and not swallowed(transcript, language)
    )


def ends_hanging(text: str, language: str) -> bool:
    """Do the words so far stop on a word or phrase that leaves the thought open ("I think
    that", "If you come out, I think")?"""
    from .asr import normalize

    words = tuple(normalize(text).split())
    if not words:
        return False
    rules = hanging(language)
    return words[-1] in rules.words or any(words[-len(p) :] == p for p in rules.phrases)
