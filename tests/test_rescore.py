"""Re-scoring stored drills with another scoring script: real audio, the real scorer."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from voicedrill.audio import SAMPLE_RATE, load_audio
from voicedrill.errors import StoreError
from voicedrill.rescore import rescore_session
from voicedrill.scoring import drill_score, load_script, measure_baseline, score_turn
from voicedrill.scoring.result import TurnScore
from voicedrill.store import Store
from voicedrill.turn import Turn, TurnTimings
from voicedrill.types import PerpetratorLine, Reply, Transcript, TurnContext, Word
from voicedrill.vad import speech_spans

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python")

LINES = [
    "Get away from the door!",
    "Nobody ever listens to me.",
    "They took my kids away.",
    "I am done talking to you people.",
    "I cannot do this anymore.",
]
REPLIES = [  # the second and the fifth carry an emotional label
    "Tell me more about what happened today.",
    "It sounds like you are really angry.",
    "Mm-hmm. Go on.",
    "What would help right now?",
    "You sound exhausted.",
]


def espeak(text: str, path: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    return load_audio(path)


def transcript_for(text: str, audio: np.ndarray) -> Transcript:
    """The reply's words spread over its speech span (what the stored transcript holds)."""
    spans = speech_spans(audio)
    start, end = (spans[0].start, spans[-1].end) if spans else (0.0, len(audio) / SAMPLE_RATE)
    words = text.split()
    step = (end - start) / len(words)
    return Transcript(
        text=text, language="en",
        words=tuple(Word(w, round(start + k * step, 3), round(start + (k + 0.85) * step, 3), 0.9)
                    for k, w in enumerate(words)),
    )


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """A stored drill scored live with the shipped script (real audio, real scorer)."""
    root = tmp_path_factory.mktemp("rescore")
    data = root / "data"
    script = load_script()
    replies = [espeak(t, root / f"reply{i}.wav") for i, t in enumerate(REPLIES)]
    baseline = measure_baseline(np.concatenate(replies[:2]))
    store = Store(data)
    ids = []
    for trainee in ("ann", "bob"):
        writer = store.start_session(
            scenario_id="barricade", scenario_text="id: barricade\n", scenario_path="barricade.yaml",
            script_text=script.text, script_hash=script.hash, trainee=trainee, language="en", seed=1,
            profile=baseline, mode="headless",
        )
        scores = []
        for i, (text, audio) in enumerate(zip(REPLIES, replies)):
            transcript = transcript_for(text, audio)
            spans = speech_spans(audio)
            reply = Reply(audio, spans[0].start, spans[-1].end, 0.6 + i / 10, source="virtual trainee")
            context = TurnContext("en", tuple(LINES[: i + 1]), tuple(REPLIES[:i]), i)
            score = score_turn(reply, transcript, context, script, baseline)
            scores.append(score)
            writer.save_turn(Turn.scored(i, f"n{i}", PerpetratorLine(f"n{i}", LINES[i], 0.5), None, reply,
                                        transcript, score, 0.5, 0.5, TurnTimings()))
        writer.finish(outcome="surrender", outcome_text="", drill_score=drill_score(scores, script))
        ids.append(writer.id)
    return {"root": root, "data": data, "ids": ids, "script": script}


def zeroed_script(root: Path, cue: str) -> Path:
    path = root / f"no-{cue}.yaml"
    path.write_text(f"version: 1\ncues:\n  weights:\n    {cue}: 0.0\n")
    return path


def test_the_drill_has_the_cue_where_expected(drill):
    s = Store(drill["data"]).load_session(drill["ids"][0])
    labelled = [t.index for t in s.turns if "emotional_label" in t.score.cue_names()]
    assert labelled == [1, 4], [t.score.cue_names() for t in s.turns]


def test_rescoring_with_the_same_script_changes_nothing(drill):
    """Scores recomputed from the stored FLAC audio and transcripts equal the live ones."""
    store = Store(drill["data"])
    result = rescore_session(store, drill["ids"][0], drill["script"])
    assert result.changed_turns == ()
    for t, new in zip(store.load_session(drill["ids"][0]).turns, result.scores):
        assert new.cue_names() == t.score.cue_names()
        assert new.score == pytest.approx(t.score.score, abs=0.05)


def test_zeroing_a_cue_weight_changes_exactly_the_turns_with_that_cue(drill):
    store = Store(drill["data"])
    sid = drill["ids"][0]
    before = {p: p.read_bytes() for p in (store.session_path(sid)).rglob("turn.json")}
    script = load_script(zeroed_script(drill["root"], "emotional_label"))
    assert script.hash != drill["script"].hash
    result = rescore_session(store, sid, script)

    session = store.load_session(sid)
    had_cue = [t.index for t in session.turns if "emotional_label" in t.score.cue_names()]
    assert had_cue and [t.index for t in result.changed_turns] == had_cue
    for t in result.changed_turns:
        assert t.score_after < t.score_before  # a helpful cue no longer earns points
        assert t.cues_after == t.cues_before  # still detected, just not scored
    [cue] = [c for c in result.cues if c.name == "emotional_label"]
    assert cue.changed_turns == tuple(had_cue) and cue.mean_delta < 0
    assert all(not c.gained_in and not c.lost_in for c in result.cues)  # weights do not change detection
    assert result.drill_score_after < result.drill_score_before

    # stored beside the old scores, never over them
    assert {p: p.read_bytes() for p in before} == before
    assert session.drill_score == result.drill_score_before
    [rescoring] = [r for r in session.rescorings if r.script_hash == script.hash]
    assert rescoring.drill_score == pytest.approx(result.drill_score_after)
    assert (session.path / rescoring.script_file).read_text() == script.text
    for t, new in zip(session.turns, result.scores):
        assert t.rescore(script.hash) == new
        assert t.score.script_hash == drill["script"].hash


def test_rescore_command_prints_changes_per_turn_and_cue(drill):
    new = zeroed_script(drill["root"], "open_question")
    env = {k: v for k, v in os.environ.items() if k != "VOICEDRILL_DATA"}
    out = subprocess.run([PYTHON, "-m", "voicedrill", "rescore", *drill["ids"], "--script", str(new),
                          "--data-dir", str(drill["data"])], capture_output=True, text=True, cwd=str(REPO), env=env)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "re-scoring 2/2" in out.stderr  # progress for many sessions (plain lines without a terminal)
    for sid in drill["ids"]:
        assert sid in out.stdout
    assert "open_question" in out.stdout and "drill score" in out.stdout
    assert "2 sessions re-scored" in out.stdout

    out = subprocess.run([PYTHON, "-m", "voicedrill", "rescore", drill["ids"][0], "--script", str(new), "--json",
                          "--data-dir", str(drill["data"])], capture_output=True, text=True, cwd=str(REPO), env=env)
    [result] = json.loads(out.stdout)
    session = Store(drill["data"]).load_session(drill["ids"][0])
    had = [t.index for t in session.turns if "open_question" in t.score.cue_names()]
    assert had and result["changed_turns"] == had

    out = subprocess.run([PYTHON, "-m", "voicedrill", "sessions", "show", drill["ids"][0],
                          "--data-dir", str(drill["data"])], capture_output=True, text=True, cwd=str(REPO), env=env)
    assert "re-scored" in out.stdout


def test_unknown_session_is_one_clear_error(drill, tmp_path):
    with pytest.raises(StoreError, match="voicedrill sessions list"):
        rescore_session(Store(drill["data"]), "19990101-000000-dead", drill["script"])
    out = subprocess.run([PYTHON, "-m", "voicedrill", "rescore", "nope", "--script", str(zeroed_script(tmp_path, "mirror")),
                          "--data-dir", str(drill["data"])], capture_output=True, text=True, cwd=str(REPO))
    assert out.returncode != 0 and "voicedrill sessions list" in out.stderr and "Traceback" not in out.stderr


def test_a_partial_session_can_be_rescored(drill, tmp_path):
    """A drill killed mid-way (no final.json) is re-scored too; its drill score before is unknown."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(drill["data"] / "sessions" / drill["ids"][1], data / "sessions" / drill["ids"][1])
    (data / "sessions" / drill["ids"][1] / "final.json").unlink()
    shutil.rmtree(data / "sessions" / drill["ids"][1] / "turn-004")
    store = Store(data)
    result = rescore_session(store, drill["ids"][1], load_script(zeroed_script(tmp_path, "emotional_label")))
    assert result.drill_score_before is None and [t.index for t in result.changed_turns] == [1]


# --------------------------------------------------------------------------- the scorer's context

OLD_SESSION = REPO / "tests" / "data" / "store_v1" / "20261130-011025-deab"  # turn.json schema 1


def _old_session_copy(data: Path, *, scenario_id: str | None = None, context: TurnContext | None = None) -> str:
    """The stored schema-1 session (a dare to Claire at a suicide-tagged node) in ``data``,
    optionally under another scenario id and with a context written into its turn."""
    import shutil
    from dataclasses import replace

    from voicedrill.turn import Turn

    folder = data / "sessions" / OLD_SESSION.name
    shutil.copytree(OLD_SESSION, folder)
    if scenario_id is not None:
        meta = json.loads((folder / "session.json").read_text())
        (folder / "session.json").write_text(json.dumps({**meta, "scenario_id": scenario_id}))
    if context is not None:
        path = folder / "turn-000" / "turn.json"
        turn = Turn.from_dict(json.loads(path.read_text()), path.parent)
        path.write_text(json.dumps(replace(turn, context=context).to_dict()))
    return OLD_SESSION.name


def test_rescore_reads_the_context_stored_with_the_turn_and_falls_back_for_old_sessions(tmp_path):
    """Old sessions (no stored context) get the name, gender and moments from the library
    scenario; turns that carry their context need no scenario at all."""
    from voicedrill.rescore import rescore_turns

    script = load_script()
    line = json.loads((OLD_SESSION / "turn-000" / "turn.json").read_text())["line"]["text"]
    claire = TurnContext("en", (line,), (), 0, perpetrator="Claire", gender="female", moments=("suicide",))

    def rescored(name: str, **kw) -> TurnScore:
        sid = _old_session_copy(tmp_path / name, **kw)
        [score] = rescore_turns(Store(tmp_path / name).load_session(sid), script)
        return score

    from_library = rescored("old")  # bridge_suicide is in the library: Claire, female, suicide
    from_turn = rescored("stored", scenario_id="no_such_scenario", context=claire)
    bare = rescored("bare", scenario_id="no_such_scenario")  # neither: no name, no moments
    assert from_turn == from_library
    assert bare.feedback != from_library.feedback
    assert any("Claire" in f or " her" in f for f in from_library.feedback), from_library.feedback
    assert not any("Claire" in f for f in bare.feedback), bare.feedback


def test_rescore_loads_no_scenario_when_every_turn_has_its_context(tmp_path, monkeypatch):
    import voicedrill.rescore as rescore_mod
    from voicedrill.turn import Turn

    calls = []
    monkeypatch.setattr(rescore_mod, "_scenario_of", lambda s: calls.append(s.id))
    line = json.loads((OLD_SESSION / "turn-000" / "turn.json").read_text())["line"]["text"]
    sid = _old_session_copy(tmp_path / "a", context=TurnContext("en", (line,), (), 0, perpetrator="Claire"))
    session = Store(tmp_path / "a").load_session(sid)
    assert all(isinstance(t, Turn) and t.context is not None for t in session.turns)
    rescore_mod.rescore_turns(session, load_script())
    assert calls == []
    sid = _old_session_copy(tmp_path / "b")
    rescore_mod.rescore_turns(Store(tmp_path / "b").load_session(sid), load_script())
    assert calls == [sid]


def test_a_drill_stores_the_context_its_scorer_saw_and_rescore_reproduces_its_scores(tmp_path):
    """run_drill saves each turn with its TurnContext (name, gender, node moments, the lines
    and replies so far); re-scoring with the same script gives the stored scores back."""
    from voicedrill import branching
    from voicedrill.drill import run_drill
    from voicedrill.headless import RecordedReplies, SilentSpeaker
    from voicedrill.scenario import load_scenario

    scenario = load_scenario("bridge_suicide")
    script = load_script()
    replies = tmp_path / "replies"
    replies.mkdir()
    texts = ["You sound exhausted tonight.", "Go ahead and jump then."]
    audio = [espeak(t, replies / f"{i:02d}.wav") for i, t in enumerate(texts)]

    def transcriber(reply_audio: np.ndarray) -> Transcript:  # the words said (the point here is the context)
        i = min(range(len(audio)), key=lambda k: abs(len(audio[k]) - len(reply_audio)))
        return transcript_for(texts[i], reply_audio)

    store = Store(tmp_path / "data")
    writer = store.start_session(scenario_id=scenario.id, scenario_text=scenario.path.read_text(),
                                 script_text=script.text, script_hash=script.hash, trainee="cy", language="en")
    run_drill(scenario, script=script, speaker=SilentSpeaker(), listener=RecordedReplies(replies),
              transcriber=transcriber, render_line=lambda line: np.zeros(1600, dtype=np.float32),
              writer=writer, max_turns=2, ready_ahead=False)
    session = store.load_session(writer.id)
    assert len(session.turns) == 2
    for position, t in enumerate(session.turns):
        c = t.context
        assert c is not None and (c.perpetrator, c.gender, c.language) == ("Claire", "female", "en")
        assert c.moments == branching.context_fields(scenario, t.node_id)["moments"] == ("suicide",)
        assert c.perpetrator_lines == tuple(x.line.text for x in session.turns[: position + 1])
        assert c.previous_replies == tuple(x.transcript.text for x in session.turns[:position])
        assert c.turn_index == t.index
    result = rescore_session(store, writer.id, script)
    for t, new in zip(session.turns, result.scores):
        assert new.feedback == t.score.feedback and new.score == pytest.approx(t.score.score, abs=0.05)
