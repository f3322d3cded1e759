"""Sessions on disk: round trip, crash safety (SIGKILL), the index, and the sessions commands."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from voicedrill.audio import SAMPLE_RATE, load_audio
from voicedrill.errors import StoreError
from voicedrill.scoring.result import Calm, Cue, Pacing, TurnScore
from voicedrill.store import Store
from voicedrill.turn import Turn, TurnTimings
from voicedrill.types import PerpetratorLine, Reply, Transcript, VoiceBaseline, Word

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python")
LSB = 1.0 / 32768  # one step of 16-bit FLAC

REPLIES = [
    "It sounds like you are really angry about this.",
    "You feel nobody has listened to you.",
    "Tell me more about what happened today.",
]
LINES = ["Get away from the door!", "Nobody ever listens to me.", "Why should I trust you?"]
SCENARIO_TEXT = "id: barricade\ntitle: Barricaded subject\n# a copied scenario, stored as used\n"
SCRIPT_TEXT = "weights:\n  emotional_label: 10\n"


def espeak(text: str, path: Path, voice: str = "en") -> np.ndarray:
    """Real speech from espeak-ng, in the internal format."""
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True, capture_output=True)
    return load_audio(path)


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("speech")
    replies = [espeak(t, d / f"reply{i}.wav") for i, t in enumerate(REPLIES)]
    lines = [espeak(t, d / f"line{i}.wav", voice="en-us") for i, t in enumerate(LINES)]
    return {"replies": replies, "lines": lines, "dir": d}


def make_record(i: int, speech: dict, *, cue: str | None = "emotional_label") -> Turn:
    """A turn with real audio. Word times are spread over the reply."""
    audio = speech["replies"][i % len(REPLIES)]
    text = REPLIES[i % len(REPLIES)]
    words = text.split()
    dur = len(audio) / SAMPLE_RATE
    step = dur / (len(words) + 1)
    transcript = Transcript(
        text=text,
        language="en",
        words=tuple(Word(w, round(k * step, 3), round((k + 0.9) * step, 3), 0.9) for k, w in enumerate(words)),
        no_speech_prob=0.01,
    )
    cues = (Cue(cue, " ".join(words[:4]), 0.0, step * 4, "helpful"),) if cue else ()
    score = TurnScore(
        score=60.0 + 10 * i + (10 if cue else 0),
        cues=cues,
        pacing=Pacing(len(words), 140.0 + i, 160.0, 0.4 + i / 10, dur, 1, 0.35, 0.35, 0.0),
        calm=Calm(0.8, 110.0, 0.5, 2.1, -22.0, 1.0, 3.0, ("no_baseline",) if i == 2 else ()),
        feedback=("You labelled the emotion.", "Slow down a little."),
        script_hash="abc123",
    )
    return Turn.scored(
        index=i,
        node_id=f"n{i}",
        line=PerpetratorLine(f"n{i}", LINES[i % len(LINES)], 0.5 + i / 10),
        line_audio=speech["lines"][i % len(LINES)],
        reply=Reply(audio, 0.05, dur - 0.05, 0.4 + i / 10, interrupted=(i == 1), source="virtual trainee"),
        transcript=transcript,
        score=score,
        agitation_before=0.5 + i / 10,
        agitation_after=0.45 + i / 10,
        timings=TurnTimings(tts_seconds=0.1, playback_seconds=1.5, listen_seconds=2.0, transcribe_seconds=0.7,
                            score_seconds=0.05),
    )


def start(store: Store, trainee: str = "ann", scenario: str = "barricade", **kw):
    args = dict(
        scenario_id=scenario, scenario_text=SCENARIO_TEXT, scenario_path="/x/barricade.yaml",
        script_text=SCRIPT_TEXT, script_hash="abc123", trainee=trainee, language="en", seed=7,
        profile=VoiceBaseline(115.0, 2.0, -21.0, 3.0, 150.0, -60.0, "calibration"), mode="headless",
    )
    args.update(kw)
    return store.start_session(**args)


# --------------------------------------------------------------------------- round trip


def test_session_round_trips_with_real_audio(tmp_path, speech):
    store = Store(tmp_path)
    writer = start(store)
    records = [make_record(i, speech, cue=None if i == 2 else "emotional_label") for i in range(3)]
    for r in records:
        folder = writer.save_turn(r)
        assert (folder / "turn.json").is_file() and (folder / "reply.flac").is_file()
    writer.finish(outcome="surrender", outcome_text="He puts the gun down.", drill_score=72.5)

    s = store.load_session(writer.id)
    assert s.complete and s.outcome == "surrender" and s.drill_score == 72.5
    assert s.outcome_text == "He puts the gun down." and not s.problems
    m = s.meta
    assert (m.scenario_id, m.trainee, m.language, m.seed, m.mode) == ("barricade", "ann", "en", 7, "headless")
    assert m.scenario_text == SCENARIO_TEXT and m.script_text == SCRIPT_TEXT
    assert m.scenario_hash == hashlib.sha256(SCENARIO_TEXT.encode()).hexdigest()
    assert m.script_hash == "abc123"
    assert m.profile == VoiceBaseline(115.0, 2.0, -21.0, 3.0, 150.0, -60.0, "calibration")
    assert len(s.turns) == 3
    for r, t in zip(records, s.turns):
        assert t.index == r.index and t.node_id == r.node_id and t.line == r.line
        assert t.transcript == r.transcript
        assert t.score == r.score
        assert t.timings == r.timings
        assert (t.agitation_before, t.agitation_after) == (r.agitation_before, r.agitation_after)
        assert (t.reply_onset, t.reply_end, t.latency, t.interrupted) == (
            r.reply.onset, r.reply.end, r.reply.latency, r.reply.interrupted)
        audio = t.reply_audio()
        assert audio.dtype == np.float32 and audio.shape == r.reply.audio.shape
        np.testing.assert_allclose(audio, r.reply.audio, atol=LSB)
        line = t.line_audio()
        assert line is not None and line.shape == r.line_audio().shape
        np.testing.assert_allclose(line, r.line_audio(), atol=LSB)
        reply = t.reply
        assert reply.onset == r.reply.onset and reply.source == "virtual trainee"
    # the scorer's context is rebuilt from the stored lines and replies
    ctx = s.context_for(2)
    assert ctx.perpetrator_lines == tuple(LINES) and ctx.previous_replies == tuple(REPLIES[:2])
    assert ctx.turn_index == 2 and ctx.language == "en"
    # the copies of the YAML are in the folder as used
    assert (s.path / "scenario.yaml").read_text() == SCENARIO_TEXT
    assert (s.path / "scoring-script.yaml").read_text() == SCRIPT_TEXT
    # the export is valid JSON (no NaN) and names the audio files
    data = json.loads(json.dumps(s.to_dict(), allow_nan=False))
    assert data["turns"][0]["reply"]["audio"] == "reply.flac"


def test_writer_rejects_a_turn_saved_twice_and_saves_after_finish(tmp_path, speech):
    store = Store(tmp_path)
    writer = start(store)
    writer.save_turn(make_record(0, speech))
    with pytest.raises(StoreError, match="already saved"):
        writer.save_turn(make_record(0, speech))
    writer.finish(outcome=None, outcome_text="stopped by the trainee", drill_score=None)
    with pytest.raises(StoreError, match="finished"):
        writer.save_turn(make_record(1, speech))
    s = store.load_session(writer.id)
    assert s.complete and s.outcome is None and len(s.turns) == 1


def test_nan_and_numpy_values_are_stored_as_valid_json(tmp_path, speech):
    store = Store(tmp_path)
    writer = start(store)
    r = make_record(0, speech)
    bad = TurnScore(
        score=np.float32(55.5), cues=r.score.cues,
        pacing=Pacing(np.int64(3), float("nan"), None, None, 1.0, 0, 0.0, 0.0),
        calm=None, feedback=(), script_hash="abc123",
    )
    from dataclasses import replace

    writer.save_turn(replace(r, score=bad))
    text = (writer.path / "turn-000" / "turn.json").read_text()
    json.loads(text)  # strict JSON
    assert "NaN" not in text
    t = store.load_session(writer.id).turns[0]
    assert t.score.score == pytest.approx(55.5) and t.score.pacing.words_per_minute is None


# --------------------------------------------------------------------------- SIGKILL

CHILD = textwrap.dedent(
    """
    import sys, time, os, json
    sys.path.insert(0, {tests!r})
    import numpy as np
    import voicedrill.store as store_mod
    from voicedrill.store import layout
    from test_store import make_record, start, REPLIES, LINES
    from voicedrill.audio import load_audio
    d = {speech_dir!r}
    speech = {{"replies": [load_audio(f"{{d}}/reply{{i}}.wav") for i in range(3)],
              "lines": [load_audio(f"{{d}}/line{{i}}.wav") for i in range(3)]}}
    kill_at = {kill_at!r}   # where to block, waiting for SIGKILL, while saving turn 2
    hang = lambda: (print("blocked", flush=True), time.sleep(600))
    if kill_at == "audio":           # turn 2: reply.flac written in the temp folder, no turn.json
        orig = layout._save_flac
        def patched(path, audio, durable):
            orig(path, audio, durable)
            if ".turn-002" in str(path):
                hang()
        layout._save_flac = patched
    elif kill_at == "turn_json":     # turn 2: half of turn.json written
        orig_bytes = layout._write_bytes
        def patched(path, data, durable):
            if ".turn-002" in str(path) and path.name == "turn.json":
                with open(path, "wb") as f:
                    f.write(data[: len(data) // 2]); f.flush(); os.fsync(f.fileno())
                hang()
            orig_bytes(path, data, durable)
        layout._write_bytes = patched
    elif kill_at == "rename":        # turn 2 complete in its temp folder, not yet renamed
        orig_rename = os.rename
        def patched(src, dst):
            if str(dst).endswith("turn-002"):
                hang()
            orig_rename(src, dst)
        os.rename = patched
    elif kill_at == "index":         # turn 2 committed on disk, the index not yet updated
        orig_index = store_mod.Store._index_turn
        def patched(self, sid, turn):
            if turn.index == 2:
                hang()
            orig_index(self, sid, turn)
        store_mod.Store._index_turn = patched
    store = store_mod.Store({data!r})
    writer = start(store)
    print("session", writer.id, flush=True)
    for i in range(100):
        writer.save_turn(make_record(i, speech))
        print("saved", i, flush=True)
        if kill_at == "between" and i == 1:
            hang()
    """
)


def run_child(tmp_path, speech, kill_at: str) -> tuple[str, list[int]]:
    """Start a writer process, wait until it blocks at ``kill_at``, SIGKILL it."""
    script = tmp_path / f"child_{kill_at}.py"
    data = tmp_path / "data"
    script.write_text(CHILD.format(tests=str(Path(__file__).parent), speech_dir=str(speech["dir"]),
                                   kill_at=kill_at, data=str(data)))
    proc = subprocess.Popen([PYTHON, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=str(REPO))
    session_id, saved = None, []
    try:
        for line in proc.stdout:
            word, _, rest = line.strip().partition(" ")
            if word == "session":
                session_id = rest
            elif word == "saved":
                saved.append(int(rest))
            elif word == "blocked":
                break
        else:
            raise AssertionError(f"writer ended before blocking: {proc.stderr.read()}")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return session_id, saved


@pytest.mark.parametrize("kill_at", ["between", "audio", "turn_json", "rename", "index"])
def test_sigkilled_writer_leaves_a_readable_partial_session(tmp_path, speech, kill_at):
    session_id, saved = run_child(tmp_path, speech, kill_at)
    expected = [0, 1, 2] if kill_at == "index" else [0, 1]  # "index": turn 2 was committed
    assert saved == [0, 1]
    store = Store(tmp_path / "data")
    s = store.load_session(session_id)
    assert not s.complete and s.problems == ()
    assert [t.index for t in s.turns] == expected
    for t in s.turns:
        ref = make_record(t.index, {"replies": [load_audio(speech["dir"] / f"reply{i}.wav") for i in range(3)],
                                    "lines": [load_audio(speech["dir"] / f"line{i}.wav") for i in range(3)]})
        assert t.transcript == ref.transcript and t.score == ref.score
        np.testing.assert_allclose(t.reply_audio(), ref.reply.audio, atol=LSB)
    # the index catches up with the folders, and lists it as incomplete
    [summary] = store.list_sessions()
    assert summary.id == session_id and summary.turns == len(expected) and summary.complete is False
    # every command reads it
    for cmd in (["sessions", "list", "--json"], ["sessions", "show", session_id],
                ["sessions", "export", session_id, "--format", "csv"]):
        out = cli(tmp_path / "data", *cmd)
        assert out.returncode == 0, out.stderr
        assert "Traceback" not in out.stderr
    assert "INCOMPLETE" in cli(tmp_path / "data", "sessions", "show", session_id).stdout
    # and the index equals one rebuilt from the folders
    live = store.dump_index()
    store.reindex()
    assert store.dump_index() == live


def test_sigkill_at_random_moments_never_leaves_a_broken_turn(tmp_path, speech):
    rng = np.random.default_rng(3)
    script = tmp_path / "child.py"
    data = tmp_path / "data"
    script.write_text(CHILD.format(tests=str(Path(__file__).parent), speech_dir=str(speech["dir"]),
                                   kill_at="never", data=str(data)))
    for _ in range(3):
        proc = subprocess.Popen([PYTHON, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().startswith("session")
        time.sleep(float(rng.uniform(0.05, 0.6)))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    store = Store(data)
    sessions = store.list_sessions()
    assert len(sessions) == 3
    for summary in sessions:
        s = store.load_session(summary.id)
        assert not s.complete and s.problems == ()
        assert [t.index for t in s.turns] == list(range(len(s.turns)))
        assert summary.turns == len(s.turns)
        for t in s.turns:
            assert t.transcript.text == REPLIES[t.index % 3]
            assert t.reply_audio().size > 0


# --------------------------------------------------------------------------- index


def fill(store: Store, speech) -> list[str]:
    ids = []
    for k, (trainee, scenario) in enumerate([("ann", "barricade"), ("bob", "bridge"), ("ann", "bridge")]):
        w = start(store, trainee=trainee, scenario=scenario)
        for i in range(k + 1):
            w.save_turn(make_record(i, speech, cue="emotional_label" if i % 2 == 0 else "open_question"))
        if k < 2:
            w.finish(outcome="surrender", outcome_text="", drill_score=50.0 + k)
        ids.append(w.id)
    return ids


def test_index_rebuilt_from_folders_equals_the_live_one(tmp_path, speech):
    store = Store(tmp_path)
    fill(store, speech)
    live = store.dump_index()
    assert len(live["sessions"]) == 3 and len(live["turns"]) == 6
    assert store.reindex() == 3
    assert store.dump_index() == live
    # a fresh store on a deleted index rebuilds it, with a note
    store.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(tmp_path / "index.sqlite3") + suffix).unlink(missing_ok=True)
    again = Store(tmp_path)
    assert any("built it from 3" in n for n in again.notes)
    assert again.dump_index() == live


def test_corrupt_index_is_rebuilt_with_a_note(tmp_path, speech):
    store = Store(tmp_path)
    fill(store, speech)
    live = store.dump_index()
    store.close()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp_path / "index.sqlite3") + suffix).unlink(missing_ok=True)
    (tmp_path / "index.sqlite3").write_bytes(b"this is not a database" * 100)
    again = Store(tmp_path)
    assert any("unreadable" in n and "rebuilt" in n for n in again.notes)
    assert again.dump_index() == live
    assert [s.trainee for s in again.list_sessions()] == ["ann", "bob", "ann"]


def test_index_is_in_wal_mode_and_lists_filter(tmp_path, speech):
    store = Store(tmp_path)
    ids = fill(store, speech)
    with sqlite3.connect(tmp_path / "index.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [s.id for s in store.list_sessions(trainee="ann")] == [ids[0], ids[2]]
    assert [s.id for s in store.list_sessions(scenario="bridge")] == [ids[1], ids[2]]
    assert [s.id for s in store.list_sessions(trainee="ann", scenario="bridge")] == [ids[2]]
    assert store.list_sessions(trainee="nobody") == []
    assert store.trainees() == [("ann", 2, store.load_session(ids[2]).meta.started),
                                ("bob", 1, store.load_session(ids[1]).meta.started)]


def test_history_matches_the_folders(tmp_path, speech):
    store = Store(tmp_path)
    ids = fill(store, speech)
    hist = store.history("ann")
    assert [h.session_id for h in hist] == [ids[0], ids[2]]
    last = hist[1]
    s = store.load_session(ids[2])
    assert last.turns == 3 and last.complete is False and last.drill_score is None
    assert last.cue_rates == {"emotional_label": pytest.approx(2 / 3), "open_question": pytest.approx(1 / 3)}
    assert last.mean_wpm == pytest.approx(np.mean([t.score.pacing.words_per_minute for t in s.turns]))
    assert last.mean_latency == pytest.approx(np.mean([t.score.pacing.latency for t in s.turns]))
    assert last.mean_calm == pytest.approx(np.mean([t.score.calm.score for t in s.turns]))
    assert last.mean_score == pytest.approx(np.mean([t.score.score for t in s.turns]))
    assert hist[0].drill_score == 50.0 and hist[0].cue_rates == {"emotional_label": 1.0}
    assert store.history("nobody") == []


def test_index_follows_folders_changed_behind_its_back(tmp_path, speech):
    store = Store(tmp_path)
    ids = fill(store, speech)
    import shutil

    shutil.rmtree(tmp_path / "sessions" / ids[1])  # removed by hand
    other = Store(tmp_path / "elsewhere")
    w = start(other, trainee="cy")
    w.save_turn(make_record(0, speech))
    shutil.copytree(w.path, tmp_path / "sessions" / w.id)  # copied in by hand
    assert sorted(s.id for s in store.list_sessions()) == sorted([ids[0], ids[2], w.id])


def test_unreadable_turn_is_reported_not_fatal(tmp_path, speech):
    store = Store(tmp_path)
    w = start(store)
    for i in range(3):
        w.save_turn(make_record(i, speech))
    (w.path / "turn-001" / "turn.json").write_text("{ not json")
    s = store.load_session(w.id)
    assert [t.index for t in s.turns] == [0, 2]
    assert len(s.problems) == 1 and "turn-001" in s.problems[0] and "turn.json" in s.problems[0]
    out = cli(tmp_path, "sessions", "show", w.id)
    assert out.returncode == 0 and "turn-001" in out.stderr and "Traceback" not in out.stderr
    store.reindex()
    assert store.list_sessions()[0].turns == 2


def test_damaged_session_folder_gives_a_clear_error_and_can_be_deleted(tmp_path, speech):
    store = Store(tmp_path)
    w = start(store)
    w.save_turn(make_record(0, speech))
    (w.path / "session.json").write_text("garbage")
    with pytest.raises(StoreError, match="session.json.*delete"):
        store.load_session(w.id)
    out = cli(tmp_path, "sessions", "reindex")
    assert out.returncode == 0 and "session.json" in out.stderr and "Traceback" not in out.stderr
    out = cli(tmp_path, "sessions", "show", w.id)
    assert out.returncode == 1 and "session.json" in out.stderr and "Traceback" not in out.stderr
    out = cli(tmp_path, "sessions", "delete", w.id, "--yes")
    assert out.returncode == 0, out.stderr
    assert not w.path.exists()


def test_rescorings_are_stored_beside_the_original(tmp_path, speech):
    store = Store(tmp_path)
    w = start(store)
    recs = [make_record(i, speech) for i in range(2)]
    for r in recs:
        w.save_turn(r)
    w.finish(outcome="surrender", drill_score=70.0)
    before = (w.path / "turn-000" / "turn.json").read_bytes()
    from dataclasses import replace

    new = {r.index: replace(r.score, score=1.0 + r.index, script_hash="ffff") for r in recs}
    store.save_rescoring(w.id, script_hash="ffff", script_path="/x/new.yaml", script_text="new: 1\n",
                         turn_scores=new, drill_score=1.5, original_drill_score=70.0)
    assert (w.path / "turn-000" / "turn.json").read_bytes() == before
    s = store.load_session(w.id)
    assert s.drill_score == 70.0 and [t.score for t in s.turns] == [r.score for r in recs]
    assert [t.rescore("ffff") for t in s.turns] == [new[0], new[1]]
    [r] = s.rescorings
    assert (r.script_hash, r.drill_score, r.original_drill_score) == ("ffff", 1.5, 70.0)
    assert (w.path / r.script_file).read_text() == "new: 1\n"
    live = store.dump_index()
    assert live["rescorings"][0][:2] == (w.id, "ffff")
    store.reindex()
    assert store.dump_index() == live


def test_rescoring_without_its_summary_is_not_shown(tmp_path, speech):
    """A re-scoring killed before its session summary (the commit) is ignored."""
    store = Store(tmp_path)
    w = start(store)
    w.save_turn(make_record(0, speech))
    (w.path / "turn-000" / "rescore-dead.json").write_text("{}")
    s = store.load_session(w.id)
    assert s.rescorings == () and s.turns[0].rescores == () and s.problems == ()


# --------------------------------------------------------------------------- commands


def cli(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "VOICEDRILL_DATA"}
    return subprocess.run([PYTHON, "-m", "voicedrill", *args, "--data-dir", str(data)], capture_output=True,
                          text=True, cwd=str(REPO), env=env, input=stdin, timeout=120)


def test_sessions_commands(tmp_path, speech):
    store = Store(tmp_path)
    ids = fill(store, speech)

    out = cli(tmp_path, "sessions", "list", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["id"] for r in rows] == ids
    for r in rows:
        assert {"id", "scenario", "trainee", "started", "turns", "complete"} <= set(r)
    assert [(r["trainee"], r["scenario"], r["turns"], r["complete"]) for r in rows] == [
        ("ann", "barricade", 1, True), ("bob", "bridge", 2, True), ("ann", "bridge", 3, False)]
    out = cli(tmp_path, "sessions", "list", "--trainee", "ann", "--scenario", "bridge", "--json")
    assert [r["id"] for r in json.loads(out.stdout)] == [ids[2]]
    out = cli(tmp_path, "sessions", "list")
    assert out.returncode == 0 and all(i in out.stdout for i in ids) and "incomplete" in out.stdout

    out = cli(tmp_path, "sessions", "show", ids[1])
    assert out.returncode == 0, out.stderr
    assert "bob" in out.stdout and "surrender" in out.stdout and LINES[1] in out.stdout and REPLIES[1] in out.stdout

    out = cli(tmp_path, "sessions", "export", ids[2], "--format", "csv")
    assert out.returncode == 0, out.stderr
    import csv

    table = list(csv.DictReader(out.stdout.splitlines()))
    assert [r["turn"] for r in table] == ["0", "1", "2"]
    assert table[1]["transcript"] == REPLIES[1] and table[1]["cues"] == "open_question"
    assert table[1]["interrupted"] == "1"

    out = cli(tmp_path, "sessions", "export", ids[0], "--format", "json")
    data = json.loads(out.stdout)
    assert data["id"] == ids[0] and data["complete"] is True and len(data["turns"]) == 1
    assert data["turns"][0]["transcript"]["words"][0]["text"] == REPLIES[0].split()[0]
    target = tmp_path / "out.json"
    out = cli(tmp_path, "sessions", "export", ids[0], "-o", str(target))
    assert out.returncode == 0 and json.loads(target.read_text())["id"] == ids[0]

    # delete: no terminal and no --yes -> refuses, nothing deleted
    out = cli(tmp_path, "sessions", "delete", ids[0], stdin="y\n")
    assert out.returncode != 0 and "--yes" in out.stderr and "Traceback" not in out.stderr
    assert (tmp_path / "sessions" / ids[0]).is_dir()
    out = cli(tmp_path, "sessions", "delete", ids[0], "--yes")
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "sessions" / ids[0]).exists()
    assert [r["id"] for r in json.loads(cli(tmp_path, "sessions", "list", "--json").stdout)] == ids[1:]

    out = cli(tmp_path, "sessions", "reindex")
    assert out.returncode == 0 and "2 session" in out.stdout


def test_unknown_session_id_says_how_to_find_ids(tmp_path, speech):
    fill(Store(tmp_path), speech)
    for cmd in (["sessions", "show", "19990101-000000-dead"], ["sessions", "export", "nope", "--format", "csv"],
                ["sessions", "delete", "nope", "--yes"]):
        out = cli(tmp_path, *cmd)
        assert out.returncode != 0
        assert "voicedrill sessions list" in out.stderr and "Traceback" not in out.stderr
        assert out.stderr.count("\n") == 1  # one clear line


def test_list_on_an_empty_data_folder(tmp_path):
    out = cli(tmp_path, "sessions", "list")
    assert out.returncode == 0 and "No sessions" in out.stdout
    assert json.loads(cli(tmp_path, "sessions", "list", "--json").stdout) == []


def test_delete_asks_on_a_terminal(tmp_path, speech):
    """With a terminal, delete asks; 'n' keeps the session, 'y' deletes it."""
    import pty

    ids = fill(Store(tmp_path), speech)

    def run_on_pty(answer: str) -> tuple[int, str]:
        pid, fd = pty.fork()
        if pid == 0:  # child: run the command on the pseudo-terminal
            os.execv(PYTHON, [PYTHON, "-m", "voicedrill", "sessions", "delete", ids[0], "--data-dir", str(tmp_path)])
        out = b""
        while b"[y/N]" not in out:
            out += os.read(fd, 1024)
        os.write(fd, answer.encode() + b"\n")
        while True:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), out.decode(errors="replace")

    code, text = run_on_pty("n")
    assert code == 1 and "Nothing deleted" in text and (tmp_path / "sessions" / ids[0]).is_dir()
    code, text = run_on_pty("y")
    assert code == 0 and "Deleted" in text and not (tmp_path / "sessions" / ids[0]).exists()


def test_reindex_while_a_drill_is_writing(tmp_path, speech):
    """`sessions reindex` in another process replaces rows in place: the drill's store keeps indexing."""
    drill_store = Store(tmp_path)
    w = start(drill_store)
    w.save_turn(make_record(0, speech))
    other = Store(tmp_path)
    assert other.reindex() == 1
    w.save_turn(make_record(1, speech))
    assert drill_store.notes == [] and other.notes == []
    with sqlite3.connect(tmp_path / "index.sqlite3") as db:  # the drill's update reached the one index file
        assert db.execute("SELECT turns FROM sessions").fetchall() == [(2,)]
    [summary] = other.list_sessions()
    assert summary.turns == 2
    live = other.dump_index()
    other.reindex()
    assert other.dump_index() == live


# --------------------------------------------------------------------------- the turn record

OLD_SESSION = Path(__file__).resolve().parent / "data" / "store_v1" / "20261130-011025-deab"


def test_a_session_written_before_turn_schema_2_still_loads(tmp_path):
    """tests/data/store_v1 was written by the code before turn.Turn (turn.json schema 1, no
    context): every field it holds is read back, and it is listed and indexed."""
    import shutil

    raw = json.loads((OLD_SESSION / "turn-000" / "turn.json").read_text())
    assert raw["schema"] == 1 and "context" not in raw
    shutil.copytree(OLD_SESSION, tmp_path / "sessions" / OLD_SESSION.name)
    store = Store(tmp_path)
    s = store.load_session("latest")
    assert s.problems == () and s.complete and s.meta.scenario_id == "bridge_suicide"
    [t] = s.turns
    assert (t.index, t.node_id, t.session_id) == (0, "first_words", OLD_SESSION.name)
    assert t.line.text == raw["line"]["text"] and t.line.voice == "gmw/en-us+f3"
    assert t.transcript.text == "Go ahead and jump then, I don't care." and len(t.transcript.words) == 8
    assert t.score.score == raw["score"]["score"] and t.score.feedback == tuple(raw["score"]["feedback"])
    assert t.score.cue_names() == tuple(c["name"] for c in raw["score"]["cues"])
    assert (t.reply_onset, t.reply_end, t.latency, t.interrupted, t.reply_source) == (0.0, 2.48, 0.7, False, "virtual trainee")
    assert t.reply_seconds == raw["reply"]["seconds"] and t.saved == raw["saved"]
    assert t.timings.score_seconds == raw["timings"]["score_seconds"]
    assert (t.agitation_before, t.agitation_after) == (0.6, 0.6)
    assert t.context is None  # schema 1 had none: rescore rebuilds it from the library
    assert t.line_audio_path is None and t.line_audio() is None
    assert t.reply_audio_path == s.path / "turn-000" / "reply.flac"
    assert t.reply_audio().size == round(t.reply_seconds * SAMPLE_RATE)
    [summary] = store.list_sessions()
    assert (summary.id, summary.turns, summary.complete) == (OLD_SESSION.name, 1, True)


def test_the_turn_record_has_one_serializer_and_keeps_the_scorer_context(tmp_path, speech):
    from dataclasses import fields, replace

    from voicedrill.types import TurnContext

    context = TurnContext("en", (LINES[0],), (), 0, perpetrator="Claire", gender="female", moments=("suicide",))
    w = start(Store(tmp_path))
    w.save_turn(replace(make_record(0, speech), context=context))
    w.save_turn(make_record(1, speech))  # a turn without a context (as before schema 2)
    s = Store(tmp_path).load_session(w.id)
    assert s.turns[0].context == context and s.turns[1].context is None
    raw = json.loads((s.path / "turn-000" / "turn.json").read_text())
    assert raw["schema"] == 2 and raw["context"]["moments"] == ["suicide"] and raw["session_id"] == w.id
    for t in s.turns:  # to_dict -> from_dict gives the same turn back (the export format too)
        back = Turn.from_dict(json.loads(json.dumps(t.to_dict())), t.path)
        for f in fields(Turn):
            assert getattr(back, f.name) == getattr(t, f.name), f.name
    exported = s.to_dict()["turns"][0]
    assert Turn.from_dict(exported).context == context
    with pytest.raises(TypeError):
        Turn.from_dict({**raw, "context": ["not", "a", "mapping"]})
