"""Benchmark of ``voicedrill serve``: page time of the course (cohort) table and of the group
critique for a class of 50 trainees x 20 drills written through the real store, against
the same pages built from the session folders without the index (same run).

    .venv/bin/python scripts/bench.py web
    .venv/bin/python scripts/bench_web.py           (alone)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.benchlib import best_of, scratch_root  # noqa: E402

TRAINEES = 50
DRILLS = 20  # per trainee
TURNS = 4  # per drill, nodes n0..n3
CUES = ("emotional_label", "paraphrase", "open_question", "minimal_encourager", "why_question", "calm_down")


def populate(data: Path, trainees: int = TRAINEES, drills: int = DRILLS, turns: int = TURNS) -> int:
    """Write ``trainees`` x ``drills`` drills through the store API (tone-and-noise reply
    audio, varied scores and cues). Returns the number of drills."""
    from voicedrill.audio import SAMPLE_RATE
    from voicedrill.scoring.names import cue_kind
    from voicedrill.scoring.result import Calm, Cue, Pacing, TurnScore
    from voicedrill.store import Store, TurnTimings
    from voicedrill.turn import Turn
    from voicedrill.types import PerpetratorLine, Reply, Transcript, Word

    rng = np.random.default_rng(7)
    store = Store(data, durable=False)
    t = np.arange(SAMPLE_RATE // 2) / SAMPLE_RATE
    scenario = "id: bench\ntitle: Bench\n"
    n = 0
    for d in range(drills):
        for k in range(trainees):
            w = store.start_session(scenario_id="bench", scenario_text=scenario, script_text="# bench\n",
                                    script_hash="bench", trainee=f"trainee{k:02d}", language="en", seed=d, mode="bench")
            for i in range(turns):
                audio = (0.1 * np.sin(2 * np.pi * 180 * t) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
                cues = tuple(Cue(c, "I hear you", 0.1, 0.3, cue_kind(c)) for c in CUES if rng.random() < 0.3)
                score = TurnScore(float(rng.uniform(20, 95)), cues,
                                  Pacing(8, float(rng.uniform(100, 190)), 170.0, 0.4, 0.4, 0, 0.0, 0.0),
                                  Calm(float(rng.uniform(0.3, 1.0)), 120.0, 0.5, 2.0, -20.0, 1.0, 3.0), ("ok",), "bench")
                w.save_turn(Turn.scored(i, f"n{i}", PerpetratorLine(f"n{i}", "Get away from the door!", 0.5), None,
                                       Reply(audio, 0.1, 0.4, 0.1), Transcript("I hear you, tell me more.", "en",
                                                                               (Word("I", 0.1, 0.2, 0.9),)),
                                       score, 0.5, 0.45, TurnTimings()))
            w.finish(outcome="surrender", outcome_text="", drill_score=float(rng.uniform(30, 90)))
            n += 1
    store.close()
    return n


def bench_web(report) -> None:
    from starlette.testclient import TestClient

    from voicedrill import course
    from voicedrill.web import create_app

    with tempfile.TemporaryDirectory(dir=scratch_root()) as tmp:
        data = Path(tmp) / "data"
        t0 = time.perf_counter()
        n = populate(data)
        report(f"write {n} drills through the store", time.perf_counter() - t0, "s", f"{TRAINEES} trainees x {DRILLS}")
        client = TestClient(create_app(data), base_url="http://127.0.0.1")
        pages = {"course table": "/?sort=score&desc=1", "group critique": "/critique?scenario=bench&node=n2"}
        for name, url in pages.items():
            assert client.get(url).status_code == 200
        fast = {name: best_of(lambda u=url: client.get(u), 5)[0] for name, url in pages.items()}
        index_cohort, index_critique = course.cohort, course.critique
        try:  # the same pages, their rows read from every session folder instead of the index
            course.cohort = course.cohort_naive
            course.critique = lambda store, scenario, node, **_: course.critique_naive(store, scenario, node)
            rows_naive = client.get(pages["course table"]).text.count("<tr data-trainee=")
            slow = {name: best_of(lambda u=url: client.get(u), 2)[0] for name, url in pages.items()}
        finally:
            course.cohort, course.critique = index_cohort, index_critique
        rows = client.get(pages["course table"]).text.count("<tr data-trainee=")
        assert rows == rows_naive == min(TRAINEES, 50), (rows, rows_naive)
        for name in pages:
            report(f"{name} page, index", fast[name] * 1000, "ms")
            report(f"{name} page, folders (naive)", slow[name] * 1000, "ms")
            report(f"{name}: naive / index", slow[name] / fast[name], "x")


if __name__ == "__main__":
    bench_web(lambda name, value, unit, note="": print(f"  {name:<48} {value:>10.3f} {unit:<6} {note}"))
