"""A small complete session in a store, fast: three turns of real espeak-ng speech, scored
by hand (no ASR), for tests about the store and commands that read it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from voicedrill.audio import load_audio
from voicedrill.scoring.result import Cue, Pacing, TurnScore
from voicedrill.store import Store
from voicedrill.turn import Turn, TurnTimings
from voicedrill.types import PerpetratorLine, Reply, Transcript

REPLIES = ("It sounds like you are angry.", "Tell me what happened.", "You feel nobody listens.")
LINE = "Nobody listens to me!"


@lru_cache(maxsize=8)
def espeak(text: str) -> np.ndarray:
    exe = shutil.which("espeak-ng")
    assert exe, "espeak-ng is not installed: apt-get install espeak-ng (these tests need real speech)"
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "say.wav"
        subprocess.run([exe, "-v", "en", "-w", str(wav), text], check=True, capture_output=True, timeout=60)
        return load_audio(wav)


def record(i: int) -> Turn:
    text = REPLIES[i % len(REPLIES)]
    audio = espeak(text)
    dur = len(audio) / 16000
    score = TurnScore(score=50.0 + 10 * i, cues=(Cue("emotional_label", text[:20], 0.0, 0.8, "helpful"),),
                      pacing=Pacing(len(text.split()), 150.0, 160.0, 0.6, dur, 0, 0.3, 0.3, 0.0), calm=None,
                      feedback=("You labelled the feeling.",), script_hash="fixture")
    return Turn.scored(index=i, node_id=f"n{i}", line=PerpetratorLine(f"n{i}", LINE, 0.5), line_audio=espeak(LINE),
                       reply=Reply(audio, 0.05, dur - 0.05, 0.6, source="fixture"),
                       transcript=Transcript(text, "en", ()), score=score, agitation_before=0.5,
                       agitation_after=0.45, timings=TurnTimings())


def one_session(data_dir: Path, *, turns: int = 3, trainee: str = "anna", finish: bool = True) -> str:
    """Store one drill of ``turns`` turns in ``data_dir``; returns its session id."""
    with Store(data_dir, durable=False) as store:
        w = store.start_session(scenario_id="barricaded_subject", scenario_text="id: barricaded_subject\n",
                                script_text="", script_hash="fixture", trainee=trainee, language="en", seed=0)
        for i in range(turns):
            w.save_turn(record(i))
        if finish:
            w.finish(outcome="surrender", drill_score=60.0)
        return w.session_id
