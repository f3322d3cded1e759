"""Real synthesized speech for the scorer's tests: espeak-ng renders, cached per session.

Plain helpers (``espeak``, ``reply_for``, ``insert_silence``) plus session fixtures. The
test modules import what they need from here.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from voicedrill import vad
from voicedrill.audio import load_audio
from voicedrill.types import Reply

_CACHE: dict[tuple, np.ndarray] = {}
_DIR: list[Path] = []

# Typical English reply sentences (about 5 letters a word), for which espeak-ng's
# -s rate matches words per minute: espeak-ng times its speech by syllables, so very
# short or very long words drift from the set rate.
RATE_TEXT = ("You sound exhausted and frustrated after waiting for hours without answers. "
             "Help me understand what you need right now.")
CALIBRATION_TEXT = ("My name is Alex and I am here to listen. Take your time. "
                    "We can talk about whatever matters most to you this evening.")


def _folder() -> Path:
    """Renders go under the test run's VOICEDRILL_DATA temporary folder (conftest sets it)."""
    if not _DIR:
        import os
        import tempfile

        root = os.environ.get("VOICEDRILL_DATA") or tempfile.mkdtemp(prefix="voicedrill-test-")
        folder = Path(root) / "espeak-renders"
        folder.mkdir(parents=True, exist_ok=True)
        _DIR.append(folder)
    return _DIR[0]


def espeak(text: str, *, rate: int = 150, pitch: int = 50, amplitude: int = 100,
           voice: str = "en-us") -> np.ndarray:
    """Render ``text`` with the espeak-ng command (16 kHz float32 mono); cached."""
    key = (text, rate, pitch, amplitude, voice)
    if key not in _CACHE:
        exe = shutil.which("espeak-ng")
        assert exe, "espeak-ng is not installed: apt-get install espeak-ng"
        name = hashlib.sha1(repr(key).encode()).hexdigest()[:16] + ".wav"
        path = _folder() / name
        subprocess.run([exe, "-v", voice, "-s", str(rate), "-p", str(pitch), "-a", str(amplitude),
                        "-w", str(path), text], check=True, capture_output=True, timeout=60)
        _CACHE[key] = load_audio(path)
    return _CACHE[key].copy()


def reply_for(audio: np.ndarray, *, latency: float | None = 0.8, interrupted: bool = False) -> Reply:
    """A ``Reply`` as a listener would hand it over: onset/end from the VAD."""
    spans = vad.speech_spans(audio)
    if not spans:
        return Reply(audio=audio, onset=None, end=None, latency=None, source="test")
    return Reply(audio=audio, onset=spans[0].start, end=spans[-1].end, latency=latency,
                 interrupted=interrupted, source="test")


def insert_silence(audio: np.ndarray, seconds: float) -> np.ndarray:
    """Insert ``seconds`` of silence into the widest natural gap near the middle
    (between two phrases), so the words stay whole."""
    spans = vad.speech_spans(audio, merge_gap=0.05, min_speech=0.04)
    assert len(spans) >= 2, "need at least two phrases to insert a pause between"
    mid = len(audio) / 16000 / 2
    gaps = [(b.start - a.end, a.end, b.start) for a, b in zip(spans, spans[1:])]
    gaps.sort(key=lambda g: (-g[0] + abs((g[1] + g[2]) / 2 - mid) * 0.05))
    _, start, end = gaps[0]
    cut = int((start + end) / 2 * 16000)
    return np.concatenate([audio[:cut], np.zeros(int(seconds * 16000), np.float32), audio[cut:]])


@pytest.fixture(scope="session")
def calibration_audio() -> np.ndarray:
    return espeak(CALIBRATION_TEXT)


def rules_found(reply: str, lines: tuple[str, ...] = (), language: str = "en") -> set[str]:
    """The cues the phrase rules alone (no learned heads) find in ``reply`` after ``lines``."""
    from voicedrill.scoring import cues
    from voicedrill.types import Transcript, TurnContext

    context = TurnContext(language, lines)
    lex = cues.lexicon(language)  # the rules alone
    return {c.name for c in cues.detect_cues(Transcript(reply, language), context, lex=lex)}


def family_tests(found, not_found, language: str = "en"):
    """The two tests of a cue-family file (``tests/test_cues_s1*.py``), one rules call a case:
    each ``found`` case's cue is found after his line, each ``not_found`` (near miss) case's
    is not. Bind both in the module: ``test_family_found, test_family_not_found = ...``."""

    @pytest.mark.parametrize(("line", "reply", "cue"), found)
    def test_family_found(line, reply, cue):
        got = rules_found(reply, (line,), language)
        assert cue in got, (reply, got)

    @pytest.mark.parametrize(("line", "reply", "cue"), not_found)
    def test_family_not_found(line, reply, cue):
        got = rules_found(reply, (line,), language)
        assert cue not in got, (reply, got)

    return test_family_found, test_family_not_found
