"""Sessions on disk, one folder per drill, plus a SQLite index for fast listing and history.

Layout under the data folder (``paths.data_dir()``)::

    sessions/<id>/                 id sortable by time (UTC): 20261123-183512-ab12
        session.json               meta: scenario id + sha256, scoring script hash, trainee,
                                   profile, started, language, seed, mode
        scenario.yaml              the scenario YAML as used (copied)
        scoring-script.yaml        the scoring script YAML as used (copied)
        turn-001/                  one folder per scored turn, renamed into place in one step
            turn.json              line, node, agitation, transcript, score, timings
            reply.flac             the trainee's reply (16-bit FLAC, 16 kHz mono)
            line.flac              the perpetrator line as played
            rescore-<hash>.json    a later re-scoring with another script (never overwrites)
        rescore-<hash>.json        session summary of that re-scoring (written last: commit)
        rescore-<hash>.yaml        the scoring script used for it
        final.json                 written by ``finish()``: the session is complete
    index.sqlite3                  WAL-mode index of trainees, sessions and turns

The folders are the truth. Every turn folder is written under a temporary name, fsynced and
renamed into place, so a drill killed at any moment (SIGKILL, power loss) leaves a readable
partial session: every turn folder that exists is whole, and without ``final.json`` the
session is incomplete. The index is a cache: updated on every save, brought up to date with
the folders when a store opens or lists, and rebuilt from scratch by ``reindex()`` or
automatically when it is missing or corrupt.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .errors import AudioError, StoreError
from .fsutil import fsync_dir, write_atomic
from .scoring.result import TurnScore
from .types import PerpetratorLine, Reply, Transcript, TurnContext, VoiceBaseline

SCHEMA = 1  # version of the JSON files in a session folder
INDEX_SCHEMA = 1  # version of the SQLite index layout (a different one is rebuilt)
SESSIONS = "sessions"
INDEX_NAME = "index.sqlite3"
SESSION_FILE = "session.json"
FINAL_FILE = "final.json"
TURN_FILE = "turn.json"
REPLY_AUDIO = "reply.flac"
LINE_AUDIO = "line.flac"
SCENARIO_COPY = "scenario.yaml"
SCRIPT_COPY = "scoring-script.yaml"

FIND_IDS_HINT = "List session ids with: voicedrill sessions list (add --trainee NAME to narrow it)."


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class TurnTimings:
    """How long each stage of one turn took, in seconds (0.0 when a stage did not run)."""

    tts_seconds: float = 0.0  # rendering the perpetrator line
    playback_seconds: float = 0.0  # playing it
    listen_seconds: float = 0.0  # from line end until the reply was over
    transcribe_seconds: float = 0.0  # ASR
    score_seconds: float = 0.0  # the scorer
    branch_seconds: float = 0.0  # choosing the next node
    total_seconds: float = 0.0  # the whole turn, wall clock

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping | None) -> "TurnTimings":
        data = data or {}
        return cls(**{f.name: float(data.get(f.name) or 0.0) for f in fields(cls)})


@dataclass(frozen=True, eq=False)
class TurnRecord:
    """One scored turn as the drill loop hands it to ``SessionWriter.save_turn``."""

    index: int  # turn number as the drill loop counts it (0 = first turn); folder turn-NNN
    node_id: str
    line: PerpetratorLine
    line_audio: np.ndarray | None  # the line as played, shape=(n,) float32 16 kHz; None = not kept
    reply: Reply
    transcript: Transcript
    score: TurnScore
    agitation_before: float  # 0..1, when the line was spoken
    agitation_after: float  # 0..1, after the reply was scored
    timings: TurnTimings = field(default_factory=TurnTimings)


@dataclass(frozen=True)
class SessionMeta:
    """What a session was run with (``session.json`` plus the copied YAML texts)."""

    id: str
    scenario_id: str
    scenario_path: str  # where the scenario was loaded from, as given
    scenario_hash: str  # sha256 hex of scenario_text
    script_hash: str  # the scoring script's hash as the scorer reports it (ScoringScript.hash)
    trainee: str
    language: str
    seed: int | None
    mode: str  # "headless" | "live" | "replies" | ...
    started: str  # ISO 8601, local time with offset
    started_ts: float  # seconds since the epoch (for sorting)
    profile: VoiceBaseline | None = None
    script_path: str = ""
    voicedrill_version: str = ""
    scenario_text: str = ""  # the scenario YAML as used (from scenario.yaml)
    script_text: str = ""  # the scoring script YAML as used (from scoring-script.yaml)
    course: str = ""  # the course the drill was run for ("" = none); see course.py
    group: str = ""  # the trainee's group in that course when the drill ran

    def to_dict(self, *, texts: bool = True) -> dict:
        data = asdict(self)
        data["profile"] = None if self.profile is None else self.profile.to_dict()
        if not texts:
            data.pop("scenario_text")
            data.pop("script_text")
        return data

    @classmethod
    def from_dict(
        cls, data: Mapping, *, scenario_text: str = "", script_text: str = ""
    ) -> "SessionMeta":
        return cls(
            id=str(data["id"]),
            scenario_id=str(data["scenario_id"]),
            scenario_path=str(data.get("scenario_path", "")),
            scenario_hash=str(data.get("scenario_hash", "")),
            script_hash=str(data.get("script_hash", "")),
            trainee=str(data.get("trainee", "")),
            language=str(data.get("language", "en")),
            seed=None if data.get("seed") is None else int(data["seed"]),
            mode=str(data.get("mode", "")),
            started=str(data["started"]),
            started_ts=float(data.get("started_ts") or 0.0),
            profile=_baseline_from_dict(data.get("profile")),
            script_path=str(data.get("script_path", "")),
            voicedrill_version=str(data.get("voicedrill_version", "")),
            scenario_text=data.get("scenario_text", scenario_text) or scenario_text,
            script_text=data.get("script_text", script_text) or script_text,
            course=str(data.get("course") or ""),
            group=str(data.get("group") or ""),
        )


@dataclass(frozen=True)
class TurnRescore:
    """A turn's score under another scoring script (stored next to the original)."""

    script_hash: str
    created: str  # ISO 8601
    score: TurnScore

    def to_dict(self) -> dict:
        return {
            "script_hash": self.script_hash,
            "created": self.created,
            "score": self.score.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "TurnRescore":
        return cls(
            str(data["script_hash"]),
            str(data.get("created", "")),
            TurnScore.from_dict(data["score"]),
        )


@dataclass(frozen=True)
class StoredTurn:
    """One turn read back from its folder. Audio is loaded on demand (``reply_audio()``)."""

    index: int
    node_id: str
    line: PerpetratorLine
    transcript: Transcript
    score: TurnScore
    agitation_before: float
    agitation_after: float
    timings: TurnTimings
    reply_onset: float | None  # seconds into the reply audio
    reply_end: float | None
    latency: float | None  # seconds from line end to reply onset
    interrupted: bool
    reply_source: str
    reply_seconds: float  # length of the stored reply audio
    saved: str  # ISO 8601 time the turn was written
    path: Path  # the turn folder
    reply_audio_path: Path | None  # None when the reply had no audio
    line_audio_path: Path | None  # None when the line audio was not kept
    rescores: tuple[TurnRescore, ...] = ()  # committed re-scorings, oldest first

    @property
    def silent(self) -> bool:
        return self.reply_onset is None

    def reply_audio(self) -> np.ndarray:
        """The stored reply, shape=(n,) float32 16 kHz (empty when none was stored)."""
        if self.reply_audio_path is None:
            return np.zeros(0, dtype=np.float32)
        return _load_stored_audio(self.reply_audio_path)

    def line_audio(self) -> np.ndarray | None:
        """The perpetrator line as played, shape=(n,) float32 16 kHz, or None."""
        return None if self.line_audio_path is None else _load_stored_audio(self.line_audio_path)

    def reply(self) -> Reply:
        """The reply as the scorer saw it, rebuilt from the stored audio and times."""
        return Reply(
            audio=self.reply_audio(),
            onset=self.reply_onset,
            end=self.reply_end,
            latency=self.latency,
            interrupted=self.interrupted,
            source=self.reply_source,
        )

    def rescore(self, script_hash: str) -> TurnScore | None:
        """This turn's score under the scoring script with ``script_hash`` (None if not re-scored)."""
        for r in self.rescores:
            if r.script_hash == script_hash:
                return r.score
        return None

    def to_dict(self) -> dict:
        return _clean(
            {
                "index": self.index,
                "node_id": self.node_id,
                "line": asdict(self.line),
                "line_audio": None if self.line_audio_path is None else self.line_audio_path.name,
                "reply": {
                    "audio": None if self.reply_audio_path is None else self.reply_audio_path.name,
                    "onset": self.reply_onset,
                    "end": self.reply_end,
                    "latency": self.latency,
                    "interrupted": self.interrupted,
                    "source": self.reply_source,
                    "seconds": self.reply_seconds,
                },
                "transcript": self.transcript.to_dict(),
                "score": self.score.to_dict(),
                "agitation_before": self.agitation_before,
                "agitation_after": self.agitation_after,
                "timings": self.timings.to_dict(),
                "saved": self.saved,
                "rescores": [r.to_dict() for r in self.rescores],
            }
        )

    @classmethod
    def from_dict(cls, data: Mapping, folder: Path) -> "StoredTurn":
        reply = data.get("reply") or {}
        line_name = data.get("line_audio")
        reply_name = reply.get("audio")
        return cls(
            index=int(data["index"]),
            node_id=str(data["node_id"]),
            line=PerpetratorLine(**data["line"]),
            transcript=Transcript.from_dict(data["transcript"]),
            score=TurnScore.from_dict(data["score"]),
            agitation_before=float(data["agitation_before"]),
            agitation_after=float(data["agitation_after"]),
            timings=TurnTimings.from_dict(data.get("timings")),
            reply_onset=_opt_float(reply.get("onset")),
            reply_end=_opt_float(reply.get("end")),
            latency=_opt_float(reply.get("latency")),
            interrupted=bool(reply.get("interrupted", False)),
            reply_source=str(reply.get("source", "")),
            reply_seconds=float(reply.get("seconds") or 0.0),
            saved=str(data.get("saved", "")),
            path=folder,
            reply_audio_path=None if not reply_name else folder / reply_name,
            line_audio_path=None if not line_name else folder / line_name,
        )


@dataclass(frozen=True)
class Rescoring:
    """A whole session re-scored with another scoring script (``rescore-<hash>.json``)."""

    script_hash: str
    script_path: str  # where the script was loaded from
    script_file: str  # its copy in the session folder, e.g. "rescore-<hash>.yaml"
    created: str
    drill_score: float | None  # under the new script
    original_drill_score: float | None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> "Rescoring":
        return cls(
            script_hash=str(data["script_hash"]),
            script_path=str(data.get("script_path", "")),
            script_file=str(data.get("script_file", "")),
            created=str(data.get("created", "")),
            drill_score=_opt_float(data.get("drill_score")),
            original_drill_score=_opt_float(data.get("original_drill_score")),
        )


@dataclass(frozen=True)
class Session:
    """A drill read back from its folder. ``complete`` is False for a drill that was cut off."""

    id: str
    path: Path
    meta: SessionMeta
    turns: tuple[StoredTurn, ...]
    complete: bool  # finish() was called (final.json exists)
    outcome: str | None  # the scenario's outcome id, e.g. "surrender"; None when none was reached
    outcome_text: str
    drill_score: float | None
    finished: str | None  # ISO 8601, None while incomplete
    rescorings: tuple[Rescoring, ...] = ()
    problems: tuple[str, ...] = ()  # unreadable files, each "path: what is wrong (fix)"

    @property
    def trainee(self) -> str:
        return self.meta.trainee

    @property
    def scenario_id(self) -> str:
        return self.meta.scenario_id

    @property
    def language(self) -> str:
        return self.meta.language

    @property
    def scores(self) -> tuple[TurnScore, ...]:
        return tuple(t.score for t in self.turns)

    def context_for(self, position: int) -> TurnContext:
        """The ``TurnContext`` the scorer saw for ``self.turns[position]`` (0-based position)."""
        done = self.turns[: position + 1]
        return TurnContext(
            language=self.meta.language,
            perpetrator_lines=tuple(t.line.text for t in done),
            previous_replies=tuple(t.transcript.text for t in done[:-1]),
            turn_index=self.turns[position].index,
        )

    def rescoring(self, script_hash: str) -> Rescoring | None:
        for r in self.rescorings:
            if r.script_hash == script_hash:
                return r
        return None

    def summary(self) -> "SessionSummary":
        return SessionSummary(
            id=self.id,
            scenario=self.meta.scenario_id,
            trainee=self.meta.trainee,
            started=self.meta.started,
            turns=len(self.turns),
            complete=self.complete,
            language=self.meta.language,
            mode=self.meta.mode,
            outcome=self.outcome,
            drill_score=self.drill_score,
            path=self.path,
        )

    def to_dict(self) -> dict:
        """Everything as JSON-ready data (the export format); audio as file names."""
        return _clean(
            {
                "schema": SCHEMA,
                "id": self.id,
                "scenario": self.meta.scenario_id,
                "trainee": self.meta.trainee,
                "started": self.meta.started,
                "complete": self.complete,
                "outcome": self.outcome,
                "outcome_text": self.outcome_text,
                "drill_score": self.drill_score,
                "finished": self.finished,
                "meta": self.meta.to_dict(),
                "turns": [t.to_dict() for t in self.turns],
                "rescorings": [r.to_dict() for r in self.rescorings],
                "problems": list(self.problems),
                "path": str(self.path),
            }
        )


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``sessions list`` (from the index)."""

    id: str
    scenario: str
    trainee: str
    started: str
    turns: int
    complete: bool
    language: str = "en"
    mode: str = ""
    outcome: str | None = None
    drill_score: float | None = None
    path: Path | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["path"] = None if self.path is None else str(self.path)
        return data


@dataclass(frozen=True)
class HistoryPoint:
    """One drill of a trainee, for progress over time. Means are over the drill's turns."""

    session_id: str
    started: str
    scenario: str
    language: str
    complete: bool
    turns: int
    drill_score: float | None
    mean_score: float | None  # mean turn score 0..100
    cue_rates: Mapping[str, float]  # cue name -> fraction of turns (0..1) that showed it
    mean_wpm: float | None  # words per minute
    mean_latency: float | None  # seconds
    mean_calm: float | None  # 0 (agitated) .. 1 (calm)
    outcome: str | None = (
        ""  # the outcome reached; None when stopped early (--max-turns, Ctrl-C); "" unknown
    )

    def to_dict(self) -> dict:
        data = asdict(self)
        data["cue_rates"] = dict(self.cue_rates)
        return data


# --------------------------------------------------------------------------- writing


class SessionWriter:
    """Writes one drill's turns into its session folder, each the moment it is scored."""

    def __init__(self, store: "Store", meta: SessionMeta, path: Path):
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

    def __enter__(self) -> "SessionWriter":
        return self

    def __exit__(self, *exc) -> None:  # an exception leaves the session incomplete on purpose
        return None

    def save_turn(self, record: TurnRecord) -> Path:
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
            reply_name = None
            if record.reply.audio is not None and np.asarray(record.reply.audio).size:
                _save_flac(tmp / REPLY_AUDIO, record.reply.audio, durable)
                reply_name = REPLY_AUDIO
            line_name = None
            if record.line_audio is not None and np.asarray(record.line_audio).size:
                _save_flac(tmp / LINE_AUDIO, record.line_audio, durable)
                line_name = LINE_AUDIO
            data = {
                "schema": SCHEMA,
                "session_id": self.id,
                "index": index,
                "node_id": record.node_id,
                "line": asdict(record.line),
                "line_audio": line_name,
                "reply": {
                    "audio": reply_name,
                    "onset": record.reply.onset,
                    "end": record.reply.end,
                    "latency": record.reply.latency,
                    "interrupted": bool(record.reply.interrupted),
                    "source": record.reply.source,
                    "seconds": (
                        0.0 if record.reply.audio is None else len(record.reply.audio) / _rate()
                    ),
                },
                "transcript": record.transcript.to_dict(),
                "score": record.score.to_dict(),
                "agitation_before": record.agitation_before,
                "agitation_after": record.agitation_after,
                "timings": record.timings.to_dict(),
                "saved": _now_iso(),
            }
            _write_json(tmp / TURN_FILE, data, durable)
            if durable:
                _fsync_dir(tmp)
            os.rename(tmp, final)  # the commit: the turn exists whole, or not at all
            if durable:
                _fsync_dir(self.path)
        except (OSError, AudioError, TypeError, ValueError) as e:
            shutil.rmtree(tmp, ignore_errors=True)
            raise StoreError(
                f"{final}: cannot save turn {index} ({e}). Check that the data folder is writable "
                "and the disk is not full."
            ) from e
        self._indices.add(index)
        self.turns_saved += 1
        self.store._index_turn(self.id, _clean(data))
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
            _write_json_atomic(path, data, self.store.durable)
        except OSError as e:
            raise StoreError(
                f"{path}: cannot mark the session finished ({e}). Check the data folder."
            ) from e
        self.finished = True
        self.store._index_session_folder(self.path)
        return path


# --------------------------------------------------------------------------- the store


class Store:
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
        from . import __version__

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
            _write_text(tmp / SCENARIO_COPY, scenario_text, self.durable)
            _write_text(tmp / SCRIPT_COPY, script_text, self.durable)
            data = meta.to_dict(texts=False)
            data.update(
                schema=SCHEMA,
                scenario_file=SCENARIO_COPY,
                script_file=SCRIPT_COPY,
                script_sha256=hashlib.sha256(script_text.encode("utf-8")).hexdigest(),
            )
            _write_json(tmp / SESSION_FILE, data, self.durable)
            if self.durable:
                _fsync_dir(tmp)
            os.rename(tmp, final)
            if self.durable:
                _fsync_dir(self.sessions_dir)
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

    # -- index ---------------------------------------------------------------

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
            self._write(lambda db: [_delete_rows(db, sid) for sid in gone])
        for sid in sorted(todo):
            self._index_session_folder(self.sessions_dir / sid)

    def _full_sync(self, *, clear: bool = False) -> int | None:
        """Index every session folder (after removing every row with ``clear``). Returns the
        number of sessions indexed, or None when the index could not be written."""
        rows = []
        for sid in sorted(self._folder_ids()):
            rows_for = self._rows_for_folder(self.sessions_dir / sid)
            if rows_for is not None:
                rows.append(rows_for)

        def fill(db):
            if clear:
                for table in ("turn_cues", "turns", "rescorings", "sessions"):
                    db.execute(f"DELETE FROM {table}")
            for r in rows:
                _replace_rows(db, *r)

        return len(rows) if self._write(fill) else None

    def _open_index(self) -> None:
        existed = self.index_path.exists()
        try:
            self._connect()
            version = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()
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

    def _memory_index(self, why) -> None:
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

    def close(self) -> None:
        self._close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _query(self, sql: str, params: Sequence | tuple = ()) -> list[tuple]:
        try:
            with self._lock:
                return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"{self.index_path}: the session index cannot be read ({e}). Rebuild it with: voicedrill sessions reindex"
            ) from e

    def _write(self, fn) -> bool:
        """Run ``fn(db)`` in one transaction. Index trouble is noted, never fatal: the folders hold the data."""
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    fn(self._db)
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            return True
        except sqlite3.Error as e:
            self.notes.append(
                f"{self.index_path}: could not update the session index ({e}); the session folders are "
                "intact. Run: voicedrill sessions reindex"
            )
            return False

    def _index_turn(self, session_id: str, turn: Mapping) -> None:
        self._write(lambda db: _insert_turn(db, session_id, turn, recount=True))

    def _index_session_folder(self, path: Path) -> None:
        rows = self._rows_for_folder(path)
        if rows is not None:
            self._write(lambda db: _replace_rows(db, *rows))

    def _rows_for_folder(self, path: Path):
        raw: list[dict] = []
        try:
            session = _read_session(path, raw_turns=raw)
        except StoreError as e:
            self.notes.append(str(e))
            return None
        for p in session.problems:
            self.notes.append(p)
        return session, raw

    def _folder_ids(self) -> list[str]:
        try:
            return [n for n in os.listdir(self.sessions_dir) if _valid_id(n)]
        except OSError as e:
            raise StoreError(f"{self.sessions_dir}: cannot read the sessions folder ({e}).") from e

    def _started_ts(self, sid: str) -> float:
        row = self._query("SELECT started_ts FROM sessions WHERE id = ?", (sid,))
        return row[0][0] if row else 0.0

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
                _write_json_atomic(
                    path / _turn_dir(index) / f"rescore-{safe}.json", tr.to_dict(), self.durable
                )
            _write_text_atomic(path / f"rescore-{safe}.yaml", script_text, self.durable)
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
            _write_json_atomic(path / f"rescore-{safe}.json", summary, self.durable)
        except OSError as e:
            raise StoreError(
                f"{path}: cannot store the re-scoring ({e}). Check that the folder is writable."
            ) from e

        def update(db):
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

    def dump_index(self) -> dict[str, list[tuple]]:
        """Every indexed row, sorted, table by table (for checks: a rebuilt index equals the live one)."""
        return {
            table: sorted(self._query(f"SELECT * FROM {table}"), key=repr)
            for table in ("sessions", "turns", "turn_cues", "rescorings", "trainees")
        }


# --------------------------------------------------------------------------- reading


def _read_session(path: Path, *, raw_turns: list | None = None) -> Session:
    """Read a session folder. With ``raw_turns`` (a list, for the index) the turns' JSON is
    appended to it as read, and the YAML copies and per-turn re-scorings are not read."""
    sid = path.name
    for_index = raw_turns is not None
    meta_path = path / SESSION_FILE
    if not path.is_dir():
        raise StoreError(f"{path}: no such session folder. {FIND_IDS_HINT}")
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8"))
        scenario_text = (
            ""
            if for_index
            else _read_optional_text(path / data.get("scenario_file", SCENARIO_COPY))
        )
        script_text = (
            "" if for_index else _read_optional_text(path / data.get("script_file", SCRIPT_COPY))
        )
        meta = SessionMeta.from_dict(data, scenario_text=scenario_text, script_text=script_text)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise StoreError(
            f"{meta_path}: cannot read the session's meta ({e.__class__.__name__}: {e}). The folder is "
            f"damaged; restore session.json from a backup or remove it with: voicedrill sessions delete {sid} --yes"
        ) from e
    problems: list[str] = []
    committed = _committed_rescorings(path, problems)
    turns: list[StoredTurn] = []
    for name in sorted(os.listdir(path)):
        if not (name.startswith("turn-") and (path / name).is_dir()):
            continue
        folder = path / name
        try:
            tdata = json.loads((folder / TURN_FILE).read_text(encoding="utf-8"))
            turn = StoredTurn.from_dict(tdata, folder)
        except (OSError, ValueError, KeyError, TypeError) as e:
            problems.append(
                f"{folder / TURN_FILE}: unreadable turn, left out ({e.__class__.__name__}: {e}). "
                "Restore it from a backup or delete the turn folder."
            )
            continue
        if for_index:
            raw_turns.append(tdata)
            turns.append(turn)
            continue
        rescores = []
        for r in committed:
            rpath = folder / f"rescore-{_safe_hash(r.script_hash)}.json"
            if rpath.exists():
                try:
                    rescores.append(
                        TurnRescore.from_dict(json.loads(rpath.read_text(encoding="utf-8")))
                    )
                except (OSError, ValueError, KeyError, TypeError) as e:
                    problems.append(
                        f"{rpath}: unreadable re-scoring, left out ({e}). Re-score the session again."
                    )
        if rescores:
            turn = _replace(turn, rescores=tuple(rescores))
        turns.append(turn)
    turns.sort(key=lambda t: t.index)
    if for_index:
        raw_turns.sort(key=lambda t: int(t["index"]))
    complete, outcome, outcome_text, drill, finished = False, None, "", None, None
    final_path = path / FINAL_FILE
    if final_path.exists():
        try:
            final = json.loads(final_path.read_text(encoding="utf-8"))
            complete = True
            outcome = final.get("outcome")
            outcome_text = str(final.get("outcome_text", ""))
            drill = _opt_float(final.get("drill_score"))
            finished = final.get("finished")
        except (OSError, ValueError, TypeError) as e:
            problems.append(f"{final_path}: unreadable, the session is shown as incomplete ({e}).")
    return Session(
        id=sid,
        path=path,
        meta=meta,
        turns=tuple(turns),
        complete=complete,
        outcome=outcome,
        outcome_text=outcome_text,
        drill_score=drill,
        finished=finished,
        rescorings=tuple(committed),
        problems=tuple(problems),
    )


def _committed_rescorings(path: Path, problems: list[str]) -> list[Rescoring]:
    out = []
    for name in sorted(os.listdir(path)):
        if name.startswith("rescore-") and name.endswith(".json"):
            try:
                out.append(
                    Rescoring.from_dict(json.loads((path / name).read_text(encoding="utf-8")))
                )
            except (OSError, ValueError, KeyError, TypeError) as e:
                problems.append(f"{path / name}: unreadable re-scoring summary, left out ({e}).")
    out.sort(key=lambda r: r.created)
    return out


def _read_optional_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _load_stored_audio(path: Path) -> np.ndarray:
    from .audio import load_audio

    try:
        return load_audio(path)
    except AudioError as e:
        raise StoreError(f"{path}: the stored audio cannot be read ({e}).") from e


# --------------------------------------------------------------------------- index SQL

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


def _replace_rows(db: sqlite3.Connection, session: Session, turns: list[Mapping]) -> None:
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
    for t in turns:
        _insert_turn(db, session.id, t, recount=False)
    for r in session.rescorings:
        db.execute(
            "INSERT OR REPLACE INTO rescorings(session_id, script_hash, created, drill_score) VALUES (?,?,?,?)",
            (session.id, r.script_hash, r.created, r.drill_score),
        )


def _insert_turn(db: sqlite3.Connection, sid: str, t: Mapping, *, recount: bool) -> None:
    score = t["score"]
    pacing = score.get("pacing") or {}
    calm = score.get("calm") or {}
    reply = t.get("reply") or {}
    cues = sorted({c["name"] for c in score.get("cues", ())})
    idx = int(t["index"])
    db.execute(
        "INSERT OR REPLACE INTO turns(session_id, idx, node_id, score, words, wpm, latency, calm, "
        "agitation_before, agitation_after, interrupted, silent, cues) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            sid,
            idx,
            t["node_id"],
            score.get("score"),
            pacing.get("words"),
            pacing.get("words_per_minute"),
            pacing.get("latency") if pacing.get("latency") is not None else reply.get("latency"),
            calm.get("score"),
            t.get("agitation_before"),
            t.get("agitation_after"),
            int(bool(reply.get("interrupted"))),
            int(reply.get("onset") is None),
            ",".join(cues),
        ),
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


# --------------------------------------------------------------------------- small helpers


def _turn_dir(index: int) -> str:
    return f"turn-{int(index):03d}"


def _count_turn_dirs(path: Path) -> int:
    try:
        return sum(1 for n in os.listdir(path) if n.startswith("turn-"))
    except OSError:
        return -1


def _new_id(now: float) -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime(now)) + "-" + secrets.token_hex(2)


def _valid_id(name: str) -> bool:
    """A session folder name: starts with a digit, no dots, no separators (not a temp/trash folder)."""
    return (
        bool(name)
        and name[0].isdigit()
        and "." not in name
        and "/" not in name
        and os.sep not in name
    )


def _safe_hash(h: str) -> str:
    s = "".join(ch for ch in str(h) if ch.isalnum())[:64]
    return s or "nohash"


def _now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _rate() -> int:
    from .audio import SAMPLE_RATE

    return SAMPLE_RATE


def _opt_float(v: Any) -> float | None:
    return None if v is None else float(v)


def _baseline_from_dict(data: Mapping | None) -> VoiceBaseline | None:
    if not data:
        return None
    names = {f.name for f in fields(VoiceBaseline)}
    return VoiceBaseline(**{k: v for k, v in data.items() if k in names})


def _replace(obj, **changes):
    from dataclasses import replace

    return replace(obj, **changes)


def _clean(obj: Any) -> Any:
    """JSON-ready: NumPy scalars to Python, tuples to lists, NaN/inf to None, Paths to str."""
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, np.ndarray):
        return _clean(obj.tolist())
    return obj


def _fsync_dir(path: Path) -> None:
    fsync_dir(path)


def _write_bytes(path: Path, data: bytes, durable: bool) -> None:
    with open(path, "wb") as f:
        f.write(data)
        if durable:
            f.flush()
            os.fsync(f.fileno())


def _write_json(path: Path, data: Any, durable: bool) -> None:
    _write_bytes(path, _json_text(data).encode("utf-8"), durable)


def _write_text(path: Path, text: str, durable: bool) -> None:
    _write_bytes(path, text.encode("utf-8"), durable)


def _json_text(data: Any) -> str:
    return json.dumps(_clean(data), ensure_ascii=False, indent=1, allow_nan=False)


def _write_json_atomic(path: Path, data: Any, durable: bool) -> None:
    _write_text_atomic(path, _json_text(data), durable)


def _write_text_atomic(path: Path, text: str, durable: bool) -> None:
    write_atomic(path, text, durable=durable)


def _save_flac(path: Path, audio: np.ndarray, durable: bool) -> None:
    from .audio import save_audio

    save_audio(path, np.asarray(audio, dtype=np.float32), durable=durable)


__all__ = [
    "TurnTimings",
    "TurnRecord",
    "SessionMeta",
    "StoredTurn",
    "TurnRescore",
    "Rescoring",
    "Session",
    "SessionSummary",
    "HistoryPoint",
    "SessionWriter",
    "Store",
]
