"""Writing one drill's session folder: each turn the moment it is scored, in one rename.

Every turn folder is written under a temporary name, fsynced and renamed into place, so a
drill killed at any moment (SIGKILL, power loss) leaves a readable partial session: every
turn folder that exists is whole, and without ``final.json`` the session is incomplete.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AudioError, StoreError
from ..turn import LINE_AUDIO, REPLY_AUDIO, Turn
from . import layout
from .layout import FINAL_FILE, SCHEMA, TURN_FILE, _now_iso, _turn_dir
from .records import SessionMeta

if TYPE_CHECKING:
    from .store import Store


class SessionWriter:
    """Writes one drill's turns into its session folder, each the moment it is scored."""

    def __init__(self, store: Store, meta: SessionMeta, path: Path):
        self.store = store
        self.meta = meta
        self.path = path
        self.id = meta.id
        self.turns_saved = 0
        self.finished = False
        self._indices: set[int] = set()

    @property
    def session_id(self) -> str:
        return self.id

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, *exc) -> None:  # an exception leaves the session incomplete on purpose
        return None

    def save_turn(self, record: Turn) -> Path:
        """Write one turn atomically (temporary folder, fsync, rename) and index it.

        Returns the turn folder. Raises StoreError when the folder cannot be written or the
        turn index was already saved.
        """
        if self.finished:
            raise StoreError(
                f"{self.path}: the session is finished; start a new one to save more turns."
            )
        index = int(record.index)
        if index < 0 or index > 999_999:
            raise StoreError(f"{self.path}: turn index {index} is out of range 0..999999.")
        final = self.path / _turn_dir(index)
        if index in self._indices or final.exists():
            raise StoreError(f"{final}: turn {index} is already saved; each turn is saved once.")
        tmp = self.path / f".{final.name}.tmp-{os.getpid()}-{secrets.token_hex(3)}"
        durable = self.store.durable
        try:
            tmp.mkdir()
            reply_clip = line_clip = None
            if record.reply_clip is not None:
                layout._save_flac(tmp / REPLY_AUDIO, record.reply_audio(), durable)
                reply_clip = final / REPLY_AUDIO
            if record.line_clip is not None:
                line_audio = record.line_audio()
                if line_audio is not None:
                    layout._save_flac(tmp / LINE_AUDIO, line_audio, durable)
                    line_clip = final / LINE_AUDIO
            stored = replace(
                record,
                index=index,
                session_id=self.id,
                saved=_now_iso(),
                path=final,
                reply_clip=reply_clip,
                line_clip=line_clip,
                rescores=(),
            )
            data = stored.to_dict()
            layout._write_json(tmp / TURN_FILE, data, durable)
            if durable:
                layout._fsync_dir(tmp)
            os.rename(tmp, final)  # the commit: the turn exists whole, or not at all
            if durable:
                layout._fsync_dir(self.path)
        except (OSError, AudioError, TypeError, ValueError) as e:
            shutil.rmtree(tmp, ignore_errors=True)
            raise StoreError(
                f"{final}: cannot save turn {index} ({e}). Check that the data folder is writable "
                "and the disk is not full."
            ) from e
        self._indices.add(index)
        self.turns_saved += 1
        self.store._index_turn(self.id, stored)
        return final

    def finish(
        self, *, outcome: str | None, outcome_text: str = "", drill_score: float | None
    ) -> Path:
        """Mark the session complete (``final.json``): how it ended and the drill score 0..100."""
        if self.finished:
            raise StoreError(f"{self.path}: the session is already finished.")
        data = {
            "schema": SCHEMA,
            "session_id": self.id,
            "outcome": outcome,
            "outcome_text": outcome_text,
            "drill_score": drill_score,
            "turns": self.turns_saved,
            "finished": _now_iso(),
        }
        path = self.path / FINAL_FILE
        try:
            layout._write_json_atomic(path, data, self.store.durable)
        except OSError as e:
            raise StoreError(
                f"{path}: cannot mark the session finished ({e}). Check the data folder."
            ) from e
        self.finished = True
        self.store._index_session_folder(self.path)
        return path
