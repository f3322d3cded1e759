"""Sessions on disk, one folder per drill, plus a SQLite index for fast listing and history.

The folders are the truth; the index is a cache. Modules, one job each:

- ``layout``  where the files live, their names, session ids, the small file writers
- ``records`` SessionMeta, Session (of ``turn.Turn``), Rescoring, SessionSummary, HistoryPoint
- ``writer``  SessionWriter: one drill's turns, each saved whole the moment it is scored
- ``reading`` a session folder read back (unreadable files listed, never fatal)
- ``index``   the SQLite index: open, sync, rebuild, query (full disk: kept in memory)
- ``store``   Store: start, find, load, list, delete sessions; store re-scorings

The turn record itself is ``voicedrill.turn.Turn`` (stored and read back as it is; the
drill loop builds one with ``Turn.scored``).
"""

from __future__ import annotations

from ..turn import LINE_AUDIO, REPLY_AUDIO, Turn, TurnRescore, TurnTimings
from .layout import (
    FIND_IDS_HINT,
    INDEX_NAME,
    INDEX_SCHEMA,
    SCENARIO_COPY,
    SCHEMA,
    SCRIPT_COPY,
    SESSION_FILE,
    TURN_FILE,
    _now_iso,
    _turn_dir,
    _valid_id,
    _write_json_atomic,
    _write_text_atomic,
)
from .reading import _read_session
from .records import HistoryPoint, Rescoring, Session, SessionMeta, SessionSummary
from .store import Store
from .writer import SessionWriter

__all__ = [
    "FIND_IDS_HINT",
    "INDEX_NAME",
    "INDEX_SCHEMA",
    "LINE_AUDIO",
    "REPLY_AUDIO",
    "SCENARIO_COPY",
    "SCHEMA",
    "SCRIPT_COPY",
    "SESSION_FILE",
    "TURN_FILE",
    "HistoryPoint",
    "Rescoring",
    "Session",
    "SessionMeta",
    "SessionSummary",
    "SessionWriter",
    "Store",
    "Turn",
    "TurnRescore",
    "TurnTimings",
    "_now_iso",
    "_read_session",
    "_turn_dir",
    "_valid_id",
    "_write_json_atomic",
    "_write_text_atomic",
]
