"""Where a session's files live and what they are called, and the small writers that put
them on disk (fsynced when ``durable``; atomic where a reader may look at any moment).

Layout under the data folder (``paths.data_dir()``)::

    sessions/<id>/                 id sortable by time (UTC): 20261123-183512-ab12
        session.json               meta: scenario id + sha256, scoring script hash, trainee,
                                   profile, started, language, seed, mode
        scenario.yaml              the scenario YAML as used (copied)
        scoring-script.yaml        the scoring script YAML as used (copied)
        turn-001/                  one folder per scored turn, renamed into place in one step
            turn.json              one ``turn.Turn`` (``Turn.to_dict``)
            reply.flac             the trainee's reply (16-bit FLAC, 16 kHz mono)
            line.flac              the perpetrator line as played
            rescore-<hash>.json    a later re-scoring with another script (never overwrites)
        rescore-<hash>.json        session summary of that re-scoring (written last: commit)
        rescore-<hash>.yaml        the scoring script used for it
        final.json                 written by ``finish()``: the session is complete
    index.sqlite3                  WAL-mode index of trainees, sessions and turns
"""

from __future__ import annotations

import json
import os
import secrets
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..fsutil import fsync_dir, write_atomic
from ..turn import jsonable

SCHEMA = 1  # version of session.json, final.json and the rescore files
INDEX_SCHEMA = 1  # version of the SQLite index layout (a different one is rebuilt)
SESSIONS = "sessions"
INDEX_NAME = "index.sqlite3"
SESSION_FILE = "session.json"
FINAL_FILE = "final.json"
TURN_FILE = "turn.json"
SCENARIO_COPY = "scenario.yaml"
SCRIPT_COPY = "scoring-script.yaml"

FIND_IDS_HINT = "List session ids with: voicedrill sessions list (add --trainee NAME to narrow it)."


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
    return json.dumps(jsonable(data), ensure_ascii=False, indent=1, allow_nan=False)


def _write_json_atomic(path: Path, data: Any, durable: bool) -> None:
    _write_text_atomic(path, _json_text(data), durable)


def _write_text_atomic(path: Path, text: str, durable: bool) -> None:
    write_atomic(path, text, durable=durable)


def _save_flac(path: Path, audio: np.ndarray, durable: bool) -> None:
    from ..audio import save_audio

    save_audio(path, np.asarray(audio, dtype=np.float32), durable=durable)
