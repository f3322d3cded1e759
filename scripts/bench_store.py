"""Benchmark of the session store: listing 10,000 sessions and a 500-drill trainee history
from the SQLite index, against a naive scan of the session folders' JSON (same run).

    .venv/bin/python scripts/bench.py store
    .venv/bin/python scripts/bench_store.py           (alone)

Target (issue 7): both under one second.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.benchlib import best_of, scratch_root  # noqa: E402

N_SESSIONS = 10_000
N_HISTORY = 500  # drills of the trainee whose history is built
TURNS_HISTORY = 10  # turns per drill of that trainee
TURNS_OTHER = 3  # turns per drill of everybody else
CUES = ("emotional_label", "paraphrase", "open_question", "minimal_encourager", "why_question")


def _template(data: Path, turns: int, seed: int) -> Path:
    """One real session written through the store API (tone-and-noise audio, varied scores)."""
    from voicedrill.audio import SAMPLE_RATE
    from voicedrill.scoring.result import Calm, Cue, Pacing, TurnScore
    from voicedrill.store import Store, TurnTimings
    from voicedrill.turn import Turn
    from voicedrill.types import PerpetratorLine, Reply, Transcript, Word

    rng = np.random.default_rng(seed)
    store = Store(data / f"template{seed}", durable=False)
    w = store.start_session(scenario_id="barricade", scenario_text="id: barricade\n", script_text="x: 1\n",
                            script_hash="bench", trainee="template", language="en", seed=seed, mode="headless")
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    for i in range(turns):
        audio = (0.1 * np.sin(2 * np.pi * 180 * t) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
        cues = tuple(Cue(c, "evidence", 0.1, 0.5) for c in CUES if rng.random() < 0.4)
        score = TurnScore(float(rng.uniform(20, 95)), cues,
                          Pacing(12, float(rng.uniform(100, 190)), 170.0, float(rng.uniform(0.2, 2.0)), 1.0, 1, 0.4, 0.4),
                          Calm(float(rng.uniform(0.3, 1.0)), 120.0, 0.5, 2.0, -20.0, 1.0, 3.0), ("ok",), "bench")
        w.save_turn(Turn.scored(i, f"n{i}", PerpetratorLine(f"n{i}", "Get away!", 0.5), None,
                               Reply(audio, 0.1, 0.9, 0.5), Transcript("I hear you.", "en", (Word("I", 0.1, 0.2, 0.9),)),
                               score, 0.5, 0.4, TurnTimings()))
    w.finish(outcome="surrender", outcome_text="", drill_score=float(rng.uniform(30, 90)))
    store.close()
    return w.path


def _clone(template: Path, dest: Path, sid: str, trainee: str, started_ts: float) -> None:
    """A copy of a session folder under a new id (JSON rewritten, audio hard-linked)."""
    dest.mkdir()
    meta = json.loads((template / "session.json").read_text())
    meta.update(id=sid, trainee=trainee, started_ts=started_ts,
                started=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(started_ts)))
    (dest / "session.json").write_text(json.dumps(meta))
    for name in os.listdir(template):
        src = template / name
        if name == "session.json":
            continue
        if src.is_dir():
            (dest / name).mkdir()
            for f in os.listdir(src):
                os.link(src / f, dest / name / f)
        else:
            os.link(src, dest / name)


def _populate(data: Path) -> None:
    work = data.parent / "templates"
    work.mkdir()
    heavy = [_template(work, TURNS_HISTORY, s) for s in range(5)]
    light = [_template(work, TURNS_OTHER, 10 + s) for s in range(5)]
    sessions = data / "sessions"
    sessions.mkdir(parents=True)
    t0 = 1_700_000_000.0
    for k in range(N_SESSIONS):
        ts = t0 + k * 3600
        sid = time.strftime("%Y%m%d-%H%M%S", time.gmtime(ts)) + f"-{k:04x}"
        if k % (N_SESSIONS // N_HISTORY) == 0:
            _clone(heavy[k % 5], sessions / sid, sid, "ann", ts)
        else:
            _clone(light[k % 5], sessions / sid, sid, f"trainee{k % 50}", ts)


# ----------------------------------------------------------------------------- naive baseline


def naive_list(data: Path) -> list[dict]:
    """Read every session folder's JSON (what listing costs without an index)."""
    out = []
    for sid in sorted(os.listdir(data / "sessions")):
        path = data / "sessions" / sid
        meta = json.loads((path / "session.json").read_text())
        final = path / "final.json"
        done = json.loads(final.read_text()) if final.exists() else None
        out.append({"id": sid, "scenario": meta["scenario_id"], "trainee": meta["trainee"], "started": meta["started"],
                    "turns": sum(1 for n in os.listdir(path) if n.startswith("turn-")), "complete": done is not None,
                    "drill_score": done and done.get("drill_score")})
    return out


def naive_history(data: Path, trainee: str) -> list[dict]:
    """Scan every folder, read the trainee's turns, and average them in Python."""
    out = []
    for row in naive_list(data):
        if row["trainee"] != trainee:
            continue
        path = data / "sessions" / row["id"]
        turns = [json.loads((path / n / "turn.json").read_text()) for n in sorted(os.listdir(path)) if n.startswith("turn-")]
        wpm = [t["score"]["pacing"]["words_per_minute"] for t in turns]
        cues: dict[str, int] = {}
        for t in turns:
            for c in {c["name"] for c in t["score"]["cues"]}:
                cues[c] = cues.get(c, 0) + 1
        out.append({**row, "mean_wpm": float(np.mean(wpm)) if wpm else None,
                    "cue_rates": {c: n / len(turns) for c, n in cues.items()}})
    return out



def bench_store(report) -> None:
    from voicedrill.store import Store

    # tmpfs when there is one: 10,000 folders on a busy disk take minutes to write and remove,
    # and both the index and the naive scan read from the page cache either way
    where = scratch_root()
    with tempfile.TemporaryDirectory(prefix="vd-bench-store-", dir=where) as tmp:
        data = Path(tmp) / "data"
        t0 = time.perf_counter()
        _populate(data)
        report("write 10,000 session folders (setup)", time.perf_counter() - t0, "s", "cloned from 10 real ones")

        t0 = time.perf_counter()
        store = Store(data)  # no index yet: built from the folders
        report("build index from 10,000 folders", time.perf_counter() - t0, "s", "first open / sessions reindex")

        t_index, rows = best_of(store.list_sessions)
        t_naive, naive_rows = best_of(lambda: naive_list(data), repeat=1)
        assert len(rows) == len(naive_rows) == N_SESSIONS
        report("list 10,000 sessions (index)", t_index, "s", "target < 1 s")
        report("list 10,000 sessions (naive folder scan)", t_naive, "s")
        report("list speed-up", t_naive / t_index, "x")

        t_index, hist = best_of(lambda: store.history("ann"))
        t_naive, naive = best_of(lambda: naive_history(data, "ann"), repeat=1)
        assert len(hist) == len(naive) == N_HISTORY
        assert all(abs(h.mean_wpm - n["mean_wpm"]) < 1e-6 for h, n in zip(hist, naive))
        report("history of a 500-drill trainee (index)", t_index, "s", "target < 1 s")
        report("history of a 500-drill trainee (naive scan)", t_naive, "s")
        report("history speed-up", t_naive / t_index, "x")

        # opening a store on an up-to-date index (every command does this)
        store.close()
        t_open, s2 = best_of(lambda: Store(data))
        report("open store with a current index", t_open, "s")
        s2.close()


if __name__ == "__main__":
    bench_store(lambda name, value, unit, note="": print(f"{name:<48} {value:>10.3f} {unit:<6} {note}"))
