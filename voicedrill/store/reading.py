"""Reading a session folder back: its meta, every whole turn (``turn.Turn``), its
re-scorings and whether it finished. Unreadable files are listed, never fatal."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

from ..errors import StoreError
from ..turn import Turn, TurnRescore
from .layout import (
    FINAL_FILE,
    FIND_IDS_HINT,
    SCENARIO_COPY,
    SCRIPT_COPY,
    SESSION_FILE,
    TURN_FILE,
    _safe_hash,
)
from .records import Rescoring, Session, SessionMeta, _opt_float


def _read_session(path: Path, *, for_index: bool = False) -> Session:
    """Read a session folder. ``for_index`` skips what the index does not hold: the YAML
    copies and the per-turn re-scorings."""
    sid = path.name
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
    turns: list[Turn] = []
    for name in sorted(os.listdir(path)):
        if not (name.startswith("turn-") and (path / name).is_dir()):
            continue
        folder = path / name
        try:
            tdata = json.loads((folder / TURN_FILE).read_text(encoding="utf-8"))
            turn = Turn.from_dict(tdata, folder)
        except (OSError, ValueError, KeyError, TypeError) as e:
            problems.append(
                f"{folder / TURN_FILE}: unreadable turn, left out ({e.__class__.__name__}: {e}). "
                "Restore it from a backup or delete the turn folder."
            )
            continue
        if for_index:
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
            turn = replace(turn, rescores=tuple(rescores))
        turns.append(turn)
    turns.sort(key=lambda t: t.index)
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
