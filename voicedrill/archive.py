"""Drills between machines: one zip archive of whole session folders, and a careful import.

An archive holds ``manifest.json`` (format, version, session ids, the SHA-256 of every
file) and ``sessions/<id>/...``: each drill's records (``session.json``, ``final.json``,
``turn-NNN/turn.json``, re-scorings, annotations), its audio (FLAC) and the copies of the
scenario and scoring script it ran with.

Import trusts nothing in the archive. It refuses, with one message naming the member and
the reason: a file that is not a zip, a member outside ``sessions/<id>/`` (absolute
paths, ``..``, backslashes, odd names), symbolic links or other special files, a member
larger than ``MAX_MEMBER`` bytes, more than ``MAX_TOTAL`` bytes or ``MAX_MEMBERS`` members
in all, a compression ratio above ``MAX_RATIO`` (zip bombs), a member whose bytes differ
from its declared size or manifest checksum, and a session folder the store cannot read.
Everything is unpacked into a staging folder inside the data folder first; sessions move
into place only when every check passed, and a failure while moving takes back those
already moved, so a failed import leaves the store as it was. Sessions already stored
(same id and same records) are reported as duplicates and skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from .errors import StoreError

FORMAT = "voicedrill-archive"
VERSION = 1
MANIFEST = "manifest.json"
MAX_MEMBER = 256 * 1024 * 1024  # bytes, one file (a 10-minute reply as FLAC is ~10 MB)
MAX_TOTAL = 8 * 1024 * 1024 * 1024  # bytes, all files unpacked
MAX_MEMBERS = 200_000
MAX_RATIO = 200  # unpacked / packed size of one member (JSON compresses ~10x, FLAC ~1x)
_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_TURN = re.compile(r"^turn-\d{3,6}$")
_CHUNK = 1 << 20
DERIVED = ("debrief.html",)  # rebuilt from the records on the other machine; not carried


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sessions: tuple[str, ...]
    files: int
    bytes: int  # archive size


@dataclass(frozen=True)
class ImportResult:
    archive: str
    imported: tuple[str, ...]  # session ids now stored
    duplicates: tuple[str, ...]  # already stored with the same records: skipped
    conflicts: tuple[str, ...]  # an id already stored with different records: skipped

    def message(self) -> str:
        parts = [f"{self.archive}: imported {len(self.imported)} drill(s)"]
        if self.duplicates:
            parts.append(
                f"{len(self.duplicates)} already stored (skipped: {', '.join(self.duplicates[:5])})"
            )
        if self.conflicts:
            parts.append(
                f"{len(self.conflicts)} with an id stored with other records (skipped: {', '.join(self.conflicts[:5])}; "
                "delete the stored one first to replace it)"
            )
        return "; ".join(parts) + "."


def _session_files(folder: Path) -> list[tuple[str, Path]]:
    """(relative name, path) of the files of one session folder: plain files only, no
    temporary or hidden ones, no links."""
    out = []
    for name in sorted(os.listdir(folder)):
        p = folder / name
        if not _FILE.match(name) or p.is_symlink() or name in DERIVED:
            continue
        if p.is_file():
            out.append((name, p))
        elif p.is_dir() and _TURN.match(name):
            for sub in sorted(os.listdir(p)):
                q = p / sub
                if _FILE.match(sub) and q.is_file() and not q.is_symlink():
                    out.append((f"{name}/{sub}", q))
    return out


def export_archive(store, session_ids: Iterable[str], dest: str | os.PathLike) -> ExportResult:
    """Write the given stored drills (ids or unique prefixes) into one zip at ``dest``."""
    from . import __version__

    ids = sorted(dict.fromkeys(store.resolve(s) for s in session_ids))
    if not ids:
        raise StoreError(
            f"{store.sessions_dir}: no drills to export. Run a drill first, or name session ids."
        )
    dest = Path(dest)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}-{secrets.token_hex(3)}")
    checksums: dict[str, str] = {}
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for sid in ids:
                for rel, path in _session_files(store.sessions_dir / sid):
                    arc = f"sessions/{sid}/{rel}"
                    data = path.read_bytes()
                    checksums[arc] = hashlib.sha256(data).hexdigest()
                    kind = zipfile.ZIP_STORED if rel.endswith(".flac") else zipfile.ZIP_DEFLATED
                    info = zipfile.ZipInfo(arc, date_time=(2000, 1, 1, 0, 0, 0))
                    info.external_attr = (stat.S_IFREG | 0o644) << 16
                    z.writestr(info, data, compress_type=kind)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "voicedrill_version": __version__,
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "sessions": ids,
                "files": checksums,
            }
            z.writestr(MANIFEST, json.dumps(manifest, indent=1))
        os.replace(tmp, dest)
    except OSError as e:
        raise StoreError(
            f"{dest}: cannot write the archive ({e}). Choose a writable path with -o."
        ) from e
    finally:
        tmp.unlink(missing_ok=True)
    return ExportResult(dest, tuple(ids), len(checksums), dest.stat().st_size)


def _refuse(archive, why: str) -> StoreError:
    return StoreError(f"{archive}: refused, nothing was imported: {why}")


def _check_members(archive, z: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _refuse(archive, f"{len(infos)} members (at most {MAX_MEMBERS}).")
    total, files, seen = 0, [], set()
    for info in infos:
        name = info.filename
        kind = stat.S_IFMT(
            (info.external_attr >> 16) & 0xFFFF
        )  # 0: no Unix type recorded (a plain file)
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise _refuse(
                archive,
                f"member '{name}' is a link or special file; archives hold plain files only.",
            )
        if info.flag_bits & 0x1:
            raise _refuse(archive, f"member '{name}' is encrypted.")
        if name.endswith("/"):
            continue
        if name in seen:
            raise _refuse(archive, f"member '{name}' appears twice.")
        seen.add(name)
        if name != MANIFEST:
            _check_name(archive, name)
        if info.file_size > MAX_MEMBER:
            raise _refuse(
                archive, f"member '{name}' is {info.file_size} bytes (at most {MAX_MEMBER})."
            )
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(
                archive,
                f"member '{name}' expands {info.file_size // max(info.compress_size, 1)}x "
                f"(at most {MAX_RATIO}x): a zip bomb?",
            )
        total += info.file_size
        if total > MAX_TOTAL:
            raise _refuse(archive, f"more than {MAX_TOTAL} bytes unpacked.")
        files.append(info)
    return files


def _check_name(archive, name: str) -> None:
    parts = name.split("/")
    ok = (
        "\\" not in name
        and "\x00" not in name
        and not name.startswith("/")
        and len(parts) in (3, 4)
        and parts[0] == "sessions"
        and _is_id(parts[1])
        and all(_FILE.match(p) for p in parts[2:])
        and (len(parts) == 3 or _TURN.match(parts[2]))
    )
    if not ok:
        raise _refuse(
            archive,
            f"member '{name}' lies outside sessions/<id>/ or has an unsafe name (path traversal?).",
        )


def _is_id(name: str) -> bool:
    from .store import _valid_id

    return _valid_id(name) and bool(_FILE.match(name))


def _extract(archive, z: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> bytes:
    """Unpack one member to ``dest`` (never following links), counting its real bytes."""
    h = hashlib.sha256()
    n = 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with z.open(info) as src, os.fdopen(fd, "wb") as out:
        while chunk := src.read(_CHUNK):
            n += len(chunk)
            if n > info.file_size or n > MAX_MEMBER:
                raise _refuse(
                    archive, f"member '{info.filename}' holds more bytes than it declares."
                )
            h.update(chunk)
            out.write(chunk)
    return h.hexdigest().encode()


def import_archive(
    store, archive: str | os.PathLike, *, progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    """Import the drills of ``archive`` into ``store`` (see the module doc for what is refused)."""
    from .store import _read_session

    archive = Path(archive)
    shown = archive.name
    if not archive.is_file():
        raise StoreError(
            f"{archive}: no such archive. Export one with: voicedrill sessions export --all -o drills.zip"
        )
    if not zipfile.is_zipfile(archive):
        raise _refuse(
            shown,
            "not a zip archive. Export drills with: voicedrill sessions export --all -o drills.zip",
        )
    staging = store.data_dir / f".import-{secrets.token_hex(4)}"
    moved: list[tuple[Path, Path]] = []
    try:
        with zipfile.ZipFile(archive) as z:
            files = _check_members(shown, z)
            names = {i.filename for i in files}
            if MANIFEST not in names:
                raise _refuse(shown, f"no {MANIFEST}; this is not a voicedrill archive.")
            try:
                manifest = json.loads(z.read(MANIFEST))
                ok = manifest.get("format") == FORMAT and isinstance(manifest.get("files"), dict)
            except (ValueError, AttributeError):
                ok = False
            if not ok:
                raise _refuse(shown, f"{MANIFEST} is not a voicedrill archive manifest.")
            if int(manifest.get("version", 0)) > VERSION:
                raise _refuse(
                    shown,
                    f"archive version {manifest.get('version')} is newer than this voicedrill reads "
                    f"({VERSION}); update voicedrill.",
                )
            declared = manifest["files"]
            members = [i for i in files if i.filename != MANIFEST]
            missing = sorted(set(declared) - {i.filename for i in members})
            if missing:
                raise _refuse(
                    shown, f"member '{missing[0]}' is listed in the manifest but missing."
                )
            staging.mkdir()
            for k, info in enumerate(members):
                if info.filename not in declared:
                    raise _refuse(shown, f"member '{info.filename}' is not listed in the manifest.")
                digest = _extract(shown, z, info, staging / info.filename)
                if digest.decode() != declared[info.filename]:
                    raise _refuse(
                        shown,
                        f"member '{info.filename}' does not match its checksum (damaged archive).",
                    )
                if progress:
                    progress(k + 1, len(members))
        root = staging / "sessions"
        ids = sorted(os.listdir(root)) if root.is_dir() else []
        if not ids:
            raise _refuse(shown, "it holds no drills.")
        imported: list[str] = []
        duplicates: list[str] = []
        conflicts: list[str] = []
        for sid in ids:
            folder = root / sid
            try:
                session = _read_session(folder)
            except StoreError as e:
                raise _refuse(shown, f"drill {sid} cannot be read ({e}).") from e
            if session.problems:
                raise _refuse(shown, f"drill {sid} is damaged: {session.problems[0]}")
            if session.id != session.meta.id:
                raise _refuse(
                    shown, f"drill {sid}: its session.json names another id ({session.meta.id})."
                )
            target = store.sessions_dir / sid
            if target.exists():
                same = _same_records(folder, target)
                (duplicates if same else conflicts).append(sid)
                continue
            imported.append(sid)
        for sid in imported:  # the commit: every check passed
            src, dst = root / sid, store.sessions_dir / sid
            os.rename(src, dst)
            moved.append((src, dst))
        moved_ok = list(moved)
        moved.clear()
    except OSError as e:
        for src, dst in reversed(moved):  # take back what moved before the failure
            try:
                os.rename(dst, src)
            except OSError:
                pass
        raise StoreError(
            f"{archive}: cannot import ({e}); nothing was changed. Check the disk and the data folder."
        ) from e
    except zipfile.BadZipFile as e:
        raise _refuse(shown, f"the zip is damaged ({e}).") from e
    except StoreError:
        for src, dst in reversed(moved):
            os.rename(dst, src)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if moved_ok:
        store.sync()
    return ImportResult(shown, tuple(imported), tuple(duplicates), tuple(conflicts))


def _same_records(a: Path, b: Path) -> bool:
    def digest(folder: Path) -> str:
        h = hashlib.sha256()
        for rel, path in _session_files(folder):
            if rel == "session.json" or rel.endswith("/turn.json") or rel == "final.json":
                h.update(rel.encode() + b"\0" + path.read_bytes())
        return h.hexdigest()

    try:
        return digest(a) == digest(b)
    except OSError:
        return False
