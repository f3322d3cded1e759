"""The SQLite index of the session folders: trainees, sessions and turns, for fast listing
and history.

The folders are the truth; the index is a cache, updated on every save, brought up to date
with the folders when a store opens or lists, and rebuilt from scratch by ``reindex()`` or
automatically when it is missing or corrupt. When the file cannot be written (a full disk, a
read-only folder) the index is built in memory and the file is left exactly as it was.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..turn import Turn, jsonable
from .layout import FINAL_FILE, INDEX_SCHEMA, _count_turn_dirs, _valid_id
from .reading import _read_session
from .records import Session


class SessionIndex:
    """The index half of ``store.Store``: opening, syncing and querying ``index.sqlite3``."""

    data_dir: Path
    sessions_dir: Path
    index_path: Path
    notes: list[str]
    in_memory: bool
    _db: sqlite3.Connection | None
    _lock: threading.RLock

    def reindex(self) -> int:
        """Rebuild the index from the session folders (the truth). Returns the sessions indexed.

        The rows are replaced in one transaction, so a drill writing at the same time keeps a
        valid index; an index file that cannot be used is removed and built anew.
        """
        if self.in_memory:  # the file could not be opened for writing (full disk, read-only folder)
            raise StoreError(
                f"{self.index_path}: cannot rebuild the session index: it cannot be written "
                "(is the disk full or the folder read-only?). Free some space and run this again."
            )
        if self._db is not None:
            n = self._full_sync(clear=True)
            if n is not None:
                return n
        self._rebuild_file()
        return self._full_sync(clear=True) or 0

    def _rebuild_file(self) -> None:
        self._close()
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.index_path) + suffix).unlink(missing_ok=True)
            self._connect()
        except (OSError, sqlite3.Error) as e:
            raise StoreError(
                f"{self.index_path}: cannot create the session index ({e}). Check that the data folder "
                "is writable, or pass another --data-dir."
            ) from e

    def sync(self) -> None:
        """Bring the index up to date with the folders: new, removed and unfinished sessions.

        Complete sessions are immutable (re-scoring only adds files) and are not re-read.
        """
        folder_ids = set(self._folder_ids())
        known = {
            r[0]: (r[1], r[2]) for r in self._query("SELECT id, complete, turns FROM sessions")
        }
        gone = [sid for sid in known if sid not in folder_ids]
        todo = [sid for sid in folder_ids if sid not in known]
        for sid, (complete, turns) in known.items():
            if sid in folder_ids and not complete:
                path = self.sessions_dir / sid
                if (path / FINAL_FILE).exists() or _count_turn_dirs(path) != turns:
                    todo.append(sid)
        if gone:

            def drop(db: sqlite3.Connection) -> None:
                for sid in gone:
                    _delete_rows(db, sid)

            self._write(drop)
        for sid in sorted(todo):
            self._index_session_folder(self.sessions_dir / sid)

    def _full_sync(self, *, clear: bool = False) -> int | None:
        """Index every session folder (after removing every row with ``clear``). Returns the
        number of sessions indexed, or None when the index could not be written."""
        rows = []
        for sid in sorted(self._folder_ids()):
            session = self._session_for_index(self.sessions_dir / sid)
            if session is not None:
                rows.append(session)

        def fill(db: sqlite3.Connection) -> None:
            if clear:
                for table in ("turn_cues", "turns", "rescorings", "sessions"):
                    db.execute(f"DELETE FROM {table}")
            for r in rows:
                _replace_rows(db, r)

        return len(rows) if self._write(fill) else None

    def _open_index(self) -> None:
        existed = self.index_path.exists()
        try:
            self._connect()
            db = self._conn()
            version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            db.execute("SELECT COUNT(*) FROM sessions").fetchone()
            if version is None or int(version[0]) != INDEX_SCHEMA:
                raise sqlite3.DatabaseError(
                    f"index schema {version and version[0]} != {INDEX_SCHEMA}"
                )
        except sqlite3.OperationalError as e:
            # A full disk, a read-only folder or a lock: the file may be perfectly good, so it is
            # never removed here. Work from an index in memory, built from the folders.
            self._memory_index(e)
            return
        except sqlite3.DatabaseError as e:
            if existed:
                self.notes.append(
                    f"{self.index_path}: the session index was unreadable ({e}); rebuilt it from the session folders."
                )
            try:
                self._rebuild_file()
            except StoreError as err:
                self._memory_index(err.__cause__ or err)
                return
            n = self._full_sync() or 0
            if not existed and n:
                self.notes.append(
                    f"{self.index_path}: no session index; built it from {n} session folders."
                )
            return
        if not existed:
            n = self._full_sync() or 0
            if n:
                self.notes.append(
                    f"{self.index_path}: no session index; built it from {n} session folders."
                )

    def _memory_index(self, why: BaseException) -> None:
        """Index the folders in memory when the index file cannot be opened for writing
        (full disk, read-only folder): listing, history and reports still work, and the
        file on disk is left exactly as it was."""
        self._close()
        self._connect(":memory:")
        self.in_memory = True
        n = self._full_sync() or 0
        self.notes.append(
            f"{self.index_path}: cannot open the session index for writing ({why}); listed {n} sessions "
            "from their folders instead and changed nothing. Free some disk space (or make the data "
            "folder writable) before the next drill."
        )

    def _connect(self, target: str | os.PathLike | None = None) -> None:
        db = None
        try:
            db = sqlite3.connect(
                target or self.index_path,
                timeout=30.0,
                isolation_level=None,
                check_same_thread=False,
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.executescript(_SCHEMA_SQL)
            db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (str(INDEX_SCHEMA),)
            )
        except sqlite3.DatabaseError:
            if db is not None:
                db.close()
            raise
        self._db = db

    def _close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            finally:
                self._db = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:  # closed: only after close(), or while a rebuild failed
            raise sqlite3.ProgrammingError("the session index is closed")
        return self._db

    def _query(self, sql: str, params: Sequence | tuple = ()) -> list[tuple]:
        try:
            with self._lock:
                return self._conn().execute(sql, params).fetchall()
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"{self.index_path}: the session index cannot be read ({e}). Rebuild it with: voicedrill sessions reindex"
            ) from e

    def _write(self, fn: Callable[[sqlite3.Connection], Any]) -> bool:
        """Run ``fn(db)`` in one transaction. Index trouble is noted, never fatal: the folders hold the data."""
        try:
            with self._lock:
                db = self._conn()
                db.execute("BEGIN IMMEDIATE")
                try:
                    fn(db)
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
            return True
        except sqlite3.Error as e:
            self.notes.append(
                f"{self.index_path}: could not update the session index ({e}); the session folders are "
                "intact. Run: voicedrill sessions reindex"
            )
            return False

    def _index_turn(self, session_id: str, turn: Turn) -> None:
        self._write(lambda db: _insert_turn(db, session_id, turn, recount=True))

    def _index_session_folder(self, path: Path) -> None:
        rows = self._session_for_index(path)
        if rows is not None:
            self._write(lambda db: _replace_rows(db, rows))

    def _session_for_index(self, path: Path) -> Session | None:
        try:
            session = _read_session(path, for_index=True)
        except StoreError as e:
            self.notes.append(str(e))
            return None
        for p in session.problems:
            self.notes.append(p)
        return session

    def _folder_ids(self) -> list[str]:
        try:
            return [n for n in os.listdir(self.sessions_dir) if _valid_id(n)]
        except OSError as e:
            raise StoreError(f"{self.sessions_dir}: cannot read the sessions folder ({e}).") from e

    def _started_ts(self, sid: str) -> float:
        row = self._query("SELECT started_ts FROM sessions WHERE id = ?", (sid,))
        return row[0][0] if row else 0.0

    def dump_index(self) -> dict[str, list[tuple]]:
        """Every indexed row, sorted, table by table (for checks: a rebuilt index equals the live one)."""
        return {
            table: sorted(self._query(f"SELECT * FROM {table}"), key=repr)
            for table in ("sessions", "turns", "turn_cues", "rescorings", "trainees")
        }


_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    trainee TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    scenario_hash TEXT,
    script_hash TEXT,
    language TEXT,
    mode TEXT,
    seed INTEGER,
    started TEXT,
    started_ts REAL,
    turns INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    drill_score REAL,
    finished TEXT,
    rescorings INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sessions_by_trainee ON sessions(trainee, started_ts);
CREATE INDEX IF NOT EXISTS sessions_by_scenario ON sessions(scenario_id, started_ts);
CREATE INDEX IF NOT EXISTS sessions_by_time ON sessions(started_ts, id);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    node_id TEXT,
    score REAL,
    words INTEGER,
    wpm REAL,
    latency REAL,
    calm REAL,
    agitation_before REAL,
    agitation_after REAL,
    interrupted INTEGER,
    silent INTEGER,
    cues TEXT,
    PRIMARY KEY (session_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS turn_cues (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    cue TEXT NOT NULL,
    PRIMARY KEY (session_id, idx, cue)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rescorings (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    script_hash TEXT NOT NULL,
    created TEXT,
    drill_score REAL,
    PRIMARY KEY (session_id, script_hash)
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS trainees AS
    SELECT trainee AS name, COUNT(*) AS sessions, MAX(started) AS last_started
    FROM sessions GROUP BY trainee;
"""


def _delete_rows(db: sqlite3.Connection, sid: str) -> None:
    for table in ("turn_cues", "turns", "rescorings"):
        db.execute(f"DELETE FROM {table} WHERE session_id = ?", (sid,))
    db.execute("DELETE FROM sessions WHERE id = ?", (sid,))


def _replace_rows(db: sqlite3.Connection, session: Session) -> None:
    m = session.meta
    _delete_rows(db, session.id)
    db.execute(
        "INSERT INTO sessions(id, trainee, scenario_id, scenario_hash, script_hash, language, mode, seed, "
        "started, started_ts, turns, complete, outcome, drill_score, finished, rescorings) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            session.id,
            m.trainee,
            m.scenario_id,
            m.scenario_hash,
            m.script_hash,
            m.language,
            m.mode,
            m.seed,
            m.started,
            m.started_ts,
            len(session.turns),
            int(session.complete),
            session.outcome,
            session.drill_score,
            session.finished,
            len(session.rescorings),
        ),
    )
    for t in session.turns:
        _insert_turn(db, session.id, t, recount=False)
    for r in session.rescorings:
        db.execute(
            "INSERT OR REPLACE INTO rescorings(session_id, script_hash, created, drill_score) VALUES (?,?,?,?)",
            (session.id, r.script_hash, r.created, r.drill_score),
        )


def _insert_turn(db: sqlite3.Connection, sid: str, t: Turn, *, recount: bool) -> None:
    score, pacing, calm = t.score, t.score.pacing, t.score.calm
    cues = sorted({c.name for c in score.cues})
    idx = int(t.index)
    row = (
        sid,
        idx,
        t.node_id,
        score.score,
        pacing.words,
        pacing.words_per_minute,
        pacing.latency if pacing.latency is not None else t.latency,
        None if calm is None else calm.score,
        t.agitation_before,
        t.agitation_after,
        int(bool(t.interrupted)),
        int(t.silent),
        ",".join(cues),
    )
    db.execute(
        "INSERT OR REPLACE INTO turns(session_id, idx, node_id, score, words, wpm, latency, calm, "
        "agitation_before, agitation_after, interrupted, silent, cues) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        jsonable(row),  # NumPy scalars to Python, NaN/inf to NULL (as turn.json holds them)
    )
    db.execute("DELETE FROM turn_cues WHERE session_id = ? AND idx = ?", (sid, idx))
    db.executemany(
        "INSERT INTO turn_cues(session_id, idx, cue) VALUES (?,?,?)", [(sid, idx, c) for c in cues]
    )
    if recount:
        db.execute(
            "UPDATE sessions SET turns = (SELECT COUNT(*) FROM turns WHERE session_id = ?) WHERE id = ?",
            (sid, sid),
        )
