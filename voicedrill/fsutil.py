"""The one atomic file writer (a leaf module): a file is either the old one or the new one.

Everything voicedrill writes in place (session JSON, audio, profiles, pages) goes to a
temporary file next to the target, is optionally fsync'ed, then renamed over the target
with ``os.replace``; a failure removes the temporary file and leaves the target as it was.

    write_atomic(path, "text")                      # or bytes
    with atomic_path(path, durable=True) as tmp:    # for writers that want a file name
        soundfile.write(tmp, audio, 16000, format="FLAC")
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def temp_name(path: str | os.PathLike) -> Path:
    """A fresh hidden name next to ``path`` (same folder, so the rename is atomic)."""
    path = Path(path)
    return path.with_name(f".{path.name[:60]}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def fsync_file(path: str | os.PathLike) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | os.PathLike) -> None:
    """Make a rename or a new entry in folder ``path`` survive a power cut."""
    fsync_file(path)


@contextmanager
def atomic_path(path: str | os.PathLike, *, durable: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on a clean exit it replaces ``path`` (fsync'ed first
    with ``durable``), on an exception it is removed and ``path`` is untouched."""
    path = Path(path)
    tmp = temp_name(path)
    try:
        yield tmp
        if durable:
            fsync_file(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if durable:
        fsync_dir(path.parent)


def write_atomic(path: str | os.PathLike, data: bytes | str, *, durable: bool = False) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` atomically; returns the path."""
    path = Path(path)
    blob = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    with atomic_path(path, durable=durable) as tmp:
        with open(tmp, "xb") as f:  # a fresh file with the umask's mode
            f.write(blob)
    return path


__all__ = ["atomic_path", "write_atomic", "fsync_dir", "fsync_file", "temp_name"]
