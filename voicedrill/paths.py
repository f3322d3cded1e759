"""Where voicedrill keeps its files: the data folder (sessions, profiles, caches) and models."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent  # the repository root when run from a checkout


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The data folder: ``override`` (``--data-dir``), else ``$VOICEDRILL_DATA``, else the
    user's data directory (platformdirs). Created on first use."""
    if override:
        path = Path(override)
    elif os.environ.get("VOICEDRILL_DATA"):
        path = Path(os.environ["VOICEDRILL_DATA"])
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("voicedrill", appauthor=False))
    path = path.expanduser()
    _make_folder(path, "the data folder")
    return path


def _make_folder(path: Path, what: str) -> None:
    """Create ``path``; StoreError naming it when it is a file or cannot be created."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        from .errors import StoreError

        raise StoreError(
            f"{path}: cannot use it as {what} ({e.strerror}). Pass a writable folder "
            "with --data-dir, or set VOICEDRILL_DATA."
        ) from e


def cache_dir(override: str | os.PathLike | None = None) -> Path:
    """Caches (rendered TTS lines) inside the data folder."""
    path = data_dir(override) / "cache"
    _make_folder(path, "the cache folder")
    return path


def models_dir() -> Path:
    """Where Whisper checkpoints live: ``$VOICEDRILL_MODELS``, else the checkout's
    ``models/`` when run from a checkout, else ``models`` under the user's data directory."""
    if os.environ.get("VOICEDRILL_MODELS"):
        return Path(os.environ["VOICEDRILL_MODELS"]).expanduser()
    if (CHECKOUT_DIR / "pyproject.toml").is_file() and (CHECKOUT_DIR / "models").is_dir():
        return CHECKOUT_DIR / "models"
    import platformdirs

    return Path(platformdirs.user_data_dir("voicedrill", appauthor=False)) / "models"
