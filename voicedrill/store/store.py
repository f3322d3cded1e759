"""Sessions on disk, one folder per drill (see ``layout`` for the files), plus a SQLite index
(``index``) for fast listing and history: starting a session, finding, loading, listing and
deleting sessions, and storing re-scorings."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from ..errors import StoreError
from ..scoring.result import TurnScore
from ..turn import TurnRescore
from ..types import VoiceBaseline
from . import layout
from .index import SessionIndex, _delete_rows
from .layout import (
    FIND_IDS_HINT,
    INDEX_NAME,
    SCENARIO_COPY,
    SCHEMA,
    SCRIPT_COPY,
    SESSION_FILE,
    SESSIONS,
    _new_id,
    _now_iso,
    _safe_hash,
    _turn_dir,
    _valid_id,
)
from .reading import _read_session
from .records import HistoryPoint, Rescoring, Session, SessionMeta, SessionSummary
from .writer import SessionWriter


class Store(SessionIndex):
    """The sessions under ``data_dir`` and their index.

    ``durable=False`` skips fsync (benchmarks, bulk imports); never use it for real drills.
    ``notes`` collects things worth telling the user (an index rebuilt, an unreadable folder).
    """

    def __init__(self, data_dir: str | os.PathLike, *, durable: bool = True):
        self.data_dir = Path(data_dir).expanduser()
        self.sessions_dir = self.data_dir / SESSIONS
        self.index_path = self.data_dir / INDEX_NAME
        self.durable = durable
        self.notes: list[str] = []
        try:
            self.sessions_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(
                f"{self.sessions_dir}: cannot create the sessions folder ({e}). "
                "Pass a writable --data-dir or set VOICEDRILL_DATA."
            ) from e
        self._db: sqlite3.Connection | None = None
        self.in_memory = False  # True when the index file could not be opened (see _memory_index)
        self._lock = threading.RLock()  # the drill may save from another thread than it opened in
        self._open_index()

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sessions -------------------------------------------------------------

    def start_session(
        self,
        *,
        scenario_id: str,
        scenario_text: str,
        scenario_path: str | os.PathLike = "",
        script_text: str,
        script_hash: str,
        script_path: str | os.PathLike = "",
        trainee: str,
        language: str,
        seed: int | None = None,
        profile: VoiceBaseline | None = None,
        mode: str = "headless",
        course: str = "",
        group: str = "",
    ) -> SessionWriter:
        """Create the session folder (meta and copied YAML written atomically) and return its writer."""
        from .. import __version__

        now = time.time()
        for _ in range(20):
            session_id = _new_id(now)
            final = self.sessions_dir / session_id
            if not final.exists():
                break
        else:  # pragma: no cover - 20 random collisions in one second
            raise StoreError(f"{self.sessions_dir}: cannot find a free session id; try again.")
        meta = SessionMeta(
            id=session_id,
            scenario_id=str(scenario_id),
            scenario_path=str(scenario_path),
            scenario_hash=hashlib.sha256(scenario_text.encode("utf-8")).hexdigest(),
            script_hash=str(script_hash),
            trainee=str(trainee),
            language=str(language),
            seed=None if seed is None else int(seed),
            mode=str(mode),
            started=datetime.fromtimestamp(now).astimezone().isoformat(timespec="seconds"),
            started_ts=now,
            profile=profile,
            script_path=str(script_path),
            voicedrill_version=__version__,
            scenario_text=scenario_text,
            script_text=script_text,
            course=str(course),
            group=str(group),
        )
        tmp = self.sessions_dir / f".{session_id}.tmp-{os.getpid()}"
        try:
            tmp.mkdir()
            layout._write_text(tmp / SCENARIO_COPY, scenario_text, self.durable)
            layout._write_text(tmp / SCRIPT_COPY, script_text, self.durable)
            data = meta.to_dict(texts=False)
            data.update(
                schema=SCHEMA,
                scenario_file=SCENARIO_COPY,
                script_file=SCRIPT_COPY,
                script_sha256=hashlib.sha256(script_text.encode("utf-8")).hexdigest(),
            )
            layout._write_json(tmp / SESSION_FILE, data, self.durable)
            if self.durable:
                layout._fsync_dir(tmp)
            os.rename(tmp, final)
            if self.durable:
                layout._fsync_dir(self.sessions_dir)
        except OSError as e:
            shutil.rmtree(tmp, ignore_errors=True)
            raise StoreError(
                f"{final}: cannot create the session folder ({e}). Check that the data folder "
                f"{self.data_dir} is writable (or pass --data-dir)."
            ) from e
        self._index_session_folder(final)
        return SessionWriter(self, meta, final)

    def resolve(self, session_id: str) -> str:
        """The full id for ``session_id`` (an id, a unique prefix of one, or "latest")."""
        session_id = str(session_id).strip().rstrip("/")
        if session_id in ("latest", "last"):
            ids = self._folder_ids()
            if not ids:
                raise StoreError(f"{self.sessions_dir}: no sessions stored yet. Run a drill first.")
            return max(ids, key=lambda i: (self._started_ts(i), i))
        if session_id and _valid_id(session_id) and (self.sessions_dir / session_id).is_dir():
            return session_id
        matches = [i for i in self._folder_ids() if session_id and i.startswith(session_id)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            shown = ", ".join(sorted(matches)[:5])
            raise StoreError(
                f"session id '{session_id}' is ambiguous ({len(matches)} match: {shown}). Give more of it."
            )
        raise StoreError(f"no session '{session_id}' in {self.sessions_dir}. {FIND_IDS_HINT}")

    def session_path(self, session_id: str) -> Path:
        return self.sessions_dir / self.resolve(session_id)

    def load_session(self, session_id: str) -> Session:
        """Read a session folder. Unreadable turn files are listed in ``Session.problems``."""
        return _read_session(self.sessions_dir / self.resolve(session_id))

    def list_sessions(
        self, trainee: str | None = None, scenario: str | None = None
    ) -> list[SessionSummary]:
        """Sessions from the index (brought up to date with the folders first), oldest first."""
        self.sync()
        sql = (
            "SELECT id, scenario_id, trainee, started, turns, complete, language, mode, outcome, "
            "drill_score FROM sessions"
        )
        where, params = [], []
        if trainee is not None:
            where.append("trainee = ?")
            params.append(trainee)
        if scenario is not None:
            where.append("scenario_id = ?")
            params.append(scenario)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_ts, id"
        rows = self._query(sql, params)
        return [
            SessionSummary(
                id=r[0],
                scenario=r[1],
                trainee=r[2],
                started=r[3],
                turns=r[4],
                complete=bool(r[5]),
                language=r[6],
                mode=r[7],
                outcome=r[8],
                drill_score=r[9],
                path=self.sessions_dir / r[0],
            )
            for r in rows
        ]

    def query(self, sql: str, params: Sequence | tuple = ()) -> list[tuple]:
        """Read-only SQL on the index (call ``sync()`` first for fresh rows): course pages."""
        return self._query(sql, params)

    def trainees(self) -> list[tuple[str, int, str]]:
        """Every trainee with (name, number of sessions, last started), by name."""
        self.sync()
        return [
            tuple(r)
            for r in self._query("SELECT name, sessions, last_started FROM trainees ORDER BY name")
        ]

    def history(self, trainee: str) -> list[HistoryPoint]:
        """A trainee's drills, oldest first, with per-drill means and cue rates (from the index)."""
        self.sync()
        rows = self._query(
            "SELECT s.id, s.started, s.scenario_id, s.language, s.complete, s.turns, s.drill_score, "
            "AVG(t.score), AVG(t.wpm), AVG(t.latency), AVG(t.calm), s.outcome "
            "FROM sessions s LEFT JOIN turns t ON t.session_id = s.id "
            "WHERE s.trainee = ? GROUP BY s.id ORDER BY s.started_ts, s.id",
            (trainee,),
        )
        rates: dict[str, dict[str, float]] = {}
        for sid, cue, n, turns in self._query(
            "SELECT c.session_id, c.cue, COUNT(*), s.turns FROM turn_cues c "
            "JOIN sessions s ON s.id = c.session_id WHERE s.trainee = ? GROUP BY c.session_id, c.cue",
            (trainee,),
        ):
            rates.setdefault(sid, {})[cue] = n / turns if turns else 0.0
        return [
            HistoryPoint(
                session_id=r[0],
                started=r[1],
                scenario=r[2],
                language=r[3],
                complete=bool(r[4]),
                turns=r[5],
                drill_score=r[6],
                mean_score=r[7],
                cue_rates=dict(sorted(rates.get(r[0], {}).items())),
                mean_wpm=r[8],
                mean_latency=r[9],
                mean_calm=r[10],
                outcome=r[11],
            )
            for r in rows
        ]

    def delete_session(self, session_id: str) -> Path:
        """Remove a session folder and its index rows. Returns the removed path."""
        sid = self.resolve(session_id)
        path = self.sessions_dir / sid
        trash = self.sessions_dir / f".deleted-{sid}-{secrets.token_hex(3)}"
        try:
            os.rename(path, trash)  # one step: no half-deleted session is ever listed
            shutil.rmtree(trash)
        except OSError as e:
            raise StoreError(f"{path}: cannot delete the session ({e}). Check permissions.") from e
        self._write(lambda db: _delete_rows(db, sid))
        return path

    # -- re-scoring (used by rescore.py) -------------------------------------

    def save_rescoring(
        self,
        session_id: str,
        *,
        script_hash: str,
        script_path: str,
        script_text: str,
        turn_scores: Mapping[int, TurnScore],
        drill_score: float | None,
        original_drill_score: float | None,
    ) -> Rescoring:
        """Store a re-scoring next to the original scores: per turn ``rescore-<hash>.json``,
        then the script copy and the session summary (the commit marker). Never touches the
        original ``turn.json``/``final.json``."""
        sid = self.resolve(session_id)
        path = self.sessions_dir / sid
        safe = _safe_hash(script_hash)
        created = _now_iso()
        try:
            for index, score in sorted(turn_scores.items()):
                tr = TurnRescore(script_hash, created, score)
                layout._write_json_atomic(
                    path / _turn_dir(index) / f"rescore-{safe}.json", tr.to_dict(), self.durable
                )
            layout._write_text_atomic(path / f"rescore-{safe}.yaml", script_text, self.durable)
            rescoring = Rescoring(
                script_hash=script_hash,
                script_path=str(script_path),
                script_file=f"rescore-{safe}.yaml",
                created=created,
                drill_score=drill_score,
                original_drill_score=original_drill_score,
            )
            summary = rescoring.to_dict()
            summary["turns"] = {str(i): s.score for i, s in sorted(turn_scores.items())}
            layout._write_json_atomic(path / f"rescore-{safe}.json", summary, self.durable)
        except OSError as e:
            raise StoreError(
                f"{path}: cannot store the re-scoring ({e}). Check that the folder is writable."
            ) from e

        def update(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO rescorings(session_id, script_hash, created, drill_score) VALUES (?,?,?,?)",
                (sid, script_hash, created, drill_score),
            )
            db.execute(
                "UPDATE sessions SET rescorings = (SELECT COUNT(*) FROM rescorings WHERE session_id = ?) WHERE id = ?",
                (sid, sid),
            )

        self._write(update)
        return rescoring
