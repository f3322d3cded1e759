"""Recorded takes: an instructor's own voice for a scenario's lines.

A take is one perpetrator line (one node, one mood band, one variant text) recorded at
the microphone, its silence trimmed and its loudness normalised, stored as FLAC in a
takes folder a course can copy with the scenario:

    <folder>/<node_id>/<band>-<10 hex of SHA-256(text)>.flac

The text is part of the name, so a line edited after it was recorded has no take (and
TTS speaks it) until it is recorded again. Where the folder is: ``folder_for``.
Everything here is pure NumPy on mono float32 16 kHz audio, shape=(n,).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .audio import SAMPLE_RATE, load_audio, save_audio
from .errors import AudioError

BANDS = ("calm", "tense", "explosive")
FOLDER_SUFFIX = ".takes"  # <scenario id>.takes beside the scenario's YAML
TARGET_DBFS = -20.0  # loudness of the speech frames after normalising
MAX_PEAK = 0.89  # -1 dBFS: normalising never pushes a peak above this
CLIP_LEVEL = 0.99  # |sample| at or above this counts as full scale
MAX_CLIPPED_FRACTION = 0.0005  # more than 0.05 % of samples at full scale: refused
MAX_CLIP_RUN = 3  # or this many full-scale samples in a row (a flat-topped wave)
MIN_SPEECH_SECONDS = 0.3  # less speech than this after trimming: refused as silence
MIN_SPEECH_DBFS = -45.0  # speech frames quieter than this (before normalising): refused as silence
FRAME = 320  # 20 ms frames for trimming
TRIM_BELOW_PEAK_DB = 35.0  # frames this far below the loudest frame are silence
PAD_SECONDS = 0.12  # kept before the first and after the last speech frame
_BAND_FALLBACK = {
    "calm": ("calm", "tense", "explosive"),
    "tense": ("tense", "calm", "explosive"),
    "explosive": ("explosive", "tense", "calm"),
}  # as scenario.Lines.for_band


def take_name(node_id: str, band: str, text: str) -> str:
    """The take's path inside a takes folder: ``<node_id>/<band>-<hash>.flac``."""
    if band not in BANDS:
        raise AudioError(f"unknown mood band {band!r}; one of {', '.join(BANDS)}.")
    digest = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:10]
    return f"{node_id}/{band}-{digest}.flac"


def folder_for(scenario, data_dir: str | os.PathLike | None = None) -> Path:
    """Where ``scenario``'s takes are recorded: ``<id>.takes`` beside its YAML when that
    is a user's file, else (a shipped scenario) in the data folder's ``scenarios/``."""
    from . import paths

    path = Path(scenario.path) if scenario.path else None
    if path is not None and not _is_shipped(path):
        return path.parent / f"{scenario.id}{FOLDER_SUFFIX}"
    return paths.data_dir(data_dir) / "scenarios" / f"{scenario.id}{FOLDER_SUFFIX}"


def folders_for(scenario, data_dir: str | os.PathLike | None = None) -> tuple[Path, ...]:
    """Every folder searched for takes, first match wins: beside the YAML, then the data folder's."""
    found = []
    if scenario.path:
        found.append(Path(scenario.path).parent / f"{scenario.id}{FOLDER_SUFFIX}")
    own = folder_for(scenario, data_dir)
    if own not in found:
        found.append(own)
    return tuple(found)


def _is_shipped(path: Path) -> bool:
    from .paths import PACKAGE_DIR

    try:
        path.resolve().relative_to((PACKAGE_DIR / "scenarios").resolve())
        return True
    except ValueError:
        return False


@dataclass(frozen=True)
class Take:
    """A take found for a line."""

    path: Path
    band: str  # the mood it was recorded for

    @property
    def label(self) -> str:
        """How the debrief names it: "recorded take <node>/<band>-<hash>.flac"."""
        return f"recorded take {self.path.parent.name}/{self.path.name}"


class TakeLibrary:
    """The takes of one scenario: ``find(node_id, band, text)``."""

    def __init__(self, folders: tuple[Path, ...]):
        self.folders = tuple(Path(f) for f in folders)

    @classmethod
    def for_scenario(cls, scenario, data_dir: str | os.PathLike | None = None) -> "TakeLibrary":
        return cls(folders_for(scenario, data_dir))

    def find(self, node_id: str, band: str, text: str) -> Take | None:
        """The take for this line in this mood; an empty band's lines come from the nearest
        band (as the scenario speaks them), so that band's take is used. None: no take."""
        for b in _BAND_FALLBACK.get(band, (band,)):
            name = take_name(node_id, b, text)
            for folder in self.folders:
                if (folder / name).is_file():
                    return Take(folder / name, b)
        return None

    def has_any(self) -> bool:
        return any(any(f.glob("*/*.flac")) for f in self.folders if f.is_dir())


def recorded_lines(scenario, library: TakeLibrary) -> list[tuple[str, str, str, Take | None]]:
    """Every line to record, in scenario order: (node_id, band, text, take or None).
    A band's own variants only (an empty band borrows its neighbour's takes)."""
    rows = []
    for node in scenario.nodes:
        for band in BANDS:
            for text in getattr(node.lines, band):
                take = library.find(node.id, band, text)
                rows.append(
                    (node.id, band, text, take if take is not None and take.band == band else None)
                )
    return rows


# ---------------------------------------------------------------------------
# Processing a take: trim, check, normalise
# ---------------------------------------------------------------------------


def _frame_db(audio: np.ndarray) -> np.ndarray:
    n = len(audio) // FRAME
    if n == 0:
        return np.full(1, -120.0)
    frames = audio[: n * FRAME].reshape(n, FRAME).astype(np.float64)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def clipping(audio: np.ndarray) -> tuple[int, int]:
    """(samples at full scale, longest run of them in a row)."""
    hot = np.abs(audio) >= CLIP_LEVEL
    count = int(hot.sum())
    if count == 0:
        return 0, 0
    edges = np.diff(np.concatenate(([0], hot.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return count, int((ends - starts).max())


def trim(audio: np.ndarray) -> np.ndarray:
    """Cut the silence before and after the speech (frames 35 dB under the loudest), keeping 0.12 s."""
    db = _frame_db(audio)
    loud = np.flatnonzero(db > db.max() - TRIM_BELOW_PEAK_DB)
    if loud.size == 0:
        return audio[:0]
    pad = int(PAD_SECONDS * SAMPLE_RATE)
    start = max(int(loud[0]) * FRAME - pad, 0)
    end = min((int(loud[-1]) + 1) * FRAME + pad, len(audio))
    return audio[start:end]


def prepare_take(audio: np.ndarray, *, what: str = "the take") -> np.ndarray:
    """Check a raw take and return it trimmed and normalised (speech at -20 dBFS, peaks
    at most -1 dBFS). ``AudioError`` with what to do when it is clipped or silent."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    if audio.size == 0 or not np.all(np.isfinite(audio)):
        raise AudioError(
            f"{what} is empty or damaged: nothing was recorded. Check the microphone and record it again."
        )
    count, run = clipping(audio)
    if count > MAX_CLIPPED_FRACTION * audio.size or run >= MAX_CLIP_RUN:
        raise AudioError(
            f"{what} is clipped ({count} samples at full scale, up to {run} in a row): the voice was too loud "
            "for the input. Lower the microphone gain or move back from it, and record it again."
        )
    trimmed = trim(audio)
    db = _frame_db(trimmed)
    speech = db[db > db.max() - 20.0] if trimmed.size else db[:0]
    speech_seconds = speech.size * FRAME / SAMPLE_RATE
    level = float(10 * np.log10(np.mean(10 ** (speech / 10)))) if speech.size else -120.0
    if speech_seconds < MIN_SPEECH_SECONDS or level < MIN_SPEECH_DBFS:
        raise AudioError(
            f"{what} is silent (speech {speech_seconds:.1f} s at {level:.0f} dBFS; at least {MIN_SPEECH_SECONDS} s "
            f"above {MIN_SPEECH_DBFS:.0f} dBFS is needed). Check that the right microphone is chosen (--input) "
            "and not muted, speak closer to it, and record it again."
        )
    gain = 10 ** ((TARGET_DBFS - level) / 20)
    peak = float(np.max(np.abs(trimmed)))
    gain = min(gain, MAX_PEAK / peak)
    return (trimmed * gain).astype(np.float32)


def save_take(
    folder: str | os.PathLike, node_id: str, band: str, text: str, audio: np.ndarray
) -> Path:
    """Write a prepared take (``prepare_take``) to its place in ``folder`` (atomically)."""
    return save_audio(Path(folder) / take_name(node_id, band, text), audio)


def load_take(take: Take) -> np.ndarray:
    """The take's audio, mono float32 16 kHz, shape=(n,)."""
    return load_audio(take.path)
