"""A small class of drills for the web and archive tests, stored through the real store with
real espeak-ng audio (tests/fixtures_report.py): three trainees reply differently at the same
scenario nodes; one trainee's name and reply carry HTML that every page must escape."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures_report import EN_TURNS, TurnSpec, records_for, store_drill
from voicedrill.store import Store

HOSTILE_NAME = "eve<script>alert(1)</script>"
HOSTILE_REPLY = "You said <img src=x onerror=alert(2)> & I hear you."
TRAINEES = ("alex", "bea", HOSTILE_NAME)


def class_records():
    """Records per trainee: the same nodes (node0..), different replies and scores."""
    alex = records_for(EN_TURNS)
    bea = records_for(EN_TURNS[2:] + EN_TURNS[:2])  # starts with the poor "calm down" reply
    eve = records_for((TurnSpec("Stay back! I swear I'll do it!", HOSTILE_REPLY, (("minimal_encourager", 7, 9),),
                                latency=1.0, agitation=0.7),) + EN_TURNS[1:3])
    return {"alex": alex, "bea": bea, HOSTILE_NAME: eve}


def build_class(data: Path, records=None) -> dict[str, str]:
    """Store one drill per trainee in ``data``; returns trainee -> session id."""
    records = records or class_records()
    store = Store(data)
    ids = {name: store_drill(store, recs, trainee=name).id for name, recs in records.items()}
    store.close()
    return ids


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes), the index left out."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "index.sqlite3" not in p.name}
