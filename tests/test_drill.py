"""The drill loop end to end on real parts: espeak-ng lines and replies, Whisper tiny.en,
the real scorer, branching and store. No sound card: the headless speaker and listeners."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import numpy as np
import pytest

from tests.fixtures_asr import tiny_en_model, wer
from voicedrill import tts
from voicedrill.audio import SAMPLE_RATE, save_audio
from voicedrill.drill import DrillEvents
from voicedrill.headless import RecordedReplies, SilentSpeaker, VirtualTrainee, reply_from_audio, virtual_delivery
from voicedrill.scenario import load_scenario
from voicedrill.scoring import load_script
from voicedrill.session import Drill, run
from voicedrill.store import Store

SCENARIO = "barricaded_subject"


def _cli(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voicedrill", *args], capture_output=True, text=True, timeout=timeout)


def _render_reply(text: str, path: str = "good") -> np.ndarray:
    return tts.render(text, language="en", voice=tts.trainee_voice("en"), delivery=virtual_delivery(path))


def _line_renderer(scenario):
    def render(line):
        return tts.render(line.text, language=scenario.language, delivery=tts.delivery_for(line.agitation, base=scenario.delivery))

    return render


def _headless(scenario, listener, *, transcriber=None, render_line=None, **kw) -> Drill:
    """A headless drill of ``scenario`` (silent speaker, tiny.en, espeak-ng lines) that
    ``listener`` answers; ``kw``: seed, max_turns."""
    from voicedrill import asr

    return Drill(
        scenario=scenario, script=load_script(), speaker=SilentSpeaker(), listener=listener,
        transcriber=transcriber or asr.Transcriber(tiny_en_model(), scenario.language),
        render_line=render_line or _line_renderer(scenario), mode="test", trainee="test", **kw,
    )


def _drill(tmp_path, *, listener, scenario=None, events=None, **kw):
    store = Store(tmp_path)
    result = run(_headless(scenario or load_scenario(SCENARIO), listener, **kw), store, events=events)
    return result, store.load_session(result.session_id)


def test_demo_runs_end_to_end_and_saves_one_turn_per_reply(tmp_path):
    result = _cli("demo", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Outcome: surrender" in result.stdout  # the good path ends well
    store = Store(tmp_path)
    (summary,) = store.list_sessions()
    session = store.load_session(summary.id)
    assert session.complete and session.outcome == "surrender"
    scenario = load_scenario(SCENARIO)
    assert len(session.turns) >= 5
    scripted = [scenario.trainee_reply("good", turn.node_id) for turn in session.turns]
    assert all(scripted), "the good path has a reply at every node it visits"
    # the virtual trainee's words were really heard and transcribed (espeak-ng's voice
    # trips tiny.en on a word now and then: each turn is mostly right, the drill ~all)
    heard = [turn.transcript.text for turn in session.turns]
    assert wer(" ".join(scripted), " ".join(heard)) <= 0.2, heard
    for turn, text in zip(session.turns, scripted):
        assert wer(text, turn.transcript.text) <= 0.6, (text, turn.transcript.text)
        assert turn.transcript.words and turn.score.pacing.words > 3
        assert turn.reply_audio().size > SAMPLE_RATE
        assert abs(turn.reply.latency - 0.8) < 0.15  # the virtual trainee thinks 0.8 s
        assert turn.transcript.text in result.stdout  # the per-turn summary shows it
    # the trainee was heard live (voice detector, end of turn, transcription as it spoke):
    # the demo tells how quickly the perpetrator answered
    (answered,) = [ln for ln in result.stdout.splitlines() if ln.startswith("The perpetrator answered")]
    assert f"{len(session.turns)} replies" in answered, answered


def test_the_virtual_microphone_hands_over_what_it_says_when_it_is_due_and_silence_around_it():
    from voicedrill.headless import BLOCK, VirtualMicrophone

    mic = VirtualMicrophone().open()
    mic.arm()
    said = np.linspace(-0.5, 0.5, SAMPLE_RATE // 5, dtype=np.float32)  # 0.2 s
    start = mic.say(said, mic.time_at(SAMPLE_RATE // 10))  # from 0.1 s into the capture
    assert start == pytest.approx(mic.time_at(SAMPLE_RATE // 10), abs=1e-6)
    got = [mic.read(timeout=0)]
    assert got[0].size <= 2 * BLOCK  # nothing is handed over before its time
    while sum(len(g) for g in got) < SAMPLE_RATE // 2:
        got.append(mic.read(timeout=0.05))
    heard = np.concatenate(got)
    assert len(heard) % BLOCK == 0
    at = SAMPLE_RATE // 10
    assert not heard[:at].any() and not heard[at + len(said):].any()
    np.testing.assert_array_equal(heard[at : at + len(said)], said)
    assert mic.index_at(mic.time_at(12345)) == 12345


def test_the_heard_trainee_is_listened_to_as_a_live_drill_listens(tmp_path, monkeypatch):
    """The demo's trainee speaks in real time into a live listener: its turns end by the end
    of turn judge, are transcribed while it speaks, and the gaps to the next line are kept.
    The listener hands over the transcript a reply will have once a pause is judged to end
    it; its cues are read on a worker while the pause runs out, and the turn is scored with
    them: the same cues the scorer reads from the stored transcript."""
    import voicedrill.scoring as scoring
    from voicedrill import asr, session
    from voicedrill.headless import HeardTrainee

    calls: list[str] = []
    real = scoring.words_cues

    def words_cues(transcript, context, script):
        calls.append(threading.current_thread().name)
        return real(transcript, context, script)

    monkeypatch.setattr(scoring, "words_cues", words_cues)
    scenario = load_scenario(SCENARIO)
    script = load_script()
    speaker = SilentSpeaker()
    trainee = VirtualTrainee(scenario, path="good", render=_render_reply)
    listener = session._heard(trainee, speaker, script)
    assert isinstance(listener, HeardTrainee) and listener.listener.turn_model is not None
    drill = Drill(scenario=scenario, script=script, speaker=speaker, listener=listener,
                  transcriber=asr.Transcriber(tiny_en_model(), "en"), render_line=_line_renderer(scenario),
                  mode="virtual:good", trainee="test", max_turns=2)
    store = Store(tmp_path)
    result = run(drill, store)
    saved = store.load_session(result.session_id)
    assert len(saved.turns) == 2
    for turn in saved.turns:
        text = scenario.trainee_reply("good", turn.node_id)
        assert wer(text, turn.transcript.text) <= 0.6, (text, turn.transcript.text)
        assert abs(turn.reply.latency - 0.8) < 0.25  # it starts 0.8 s after the line
        assert turn.reply.source.startswith("microphone virtual trainee")
    assert listener.listener.last.reason in ("complete", "silence")
    gaps = listener.answer_gaps()
    assert len(gaps) == 1 and 0 < gaps[0] < 10  # the second reply has no next line here
    assert any(name.startswith("voicedrill-cues") for name in calls), calls  # read in the pause
    assert calls.count(threading.main_thread().name) < len(result.turns), calls  # ... and used
    order = lambda c: (c.start if c.start is not None else float("inf"), c.name)  # noqa: E731
    for turn in result.turns:
        pause = tuple(c for c in turn.score.cues if c.name == "effective_pause")
        assert turn.score.cues == tuple(sorted(real(turn.transcript, turn.context, script) + pause, key=order))
    assert not [t.name for t in threading.enumerate() if t.name.startswith("voicedrill-cues")]


def test_quiet_demo_cut_short_prints_the_summary_a_runnable_hint_and_history_says_stopped(tmp_path):
    """Issue 14, item 5, through the real CLI: `demo --quiet` prints only the summary (no
    perpetrator line, no per-turn feedback); the closing hint runs as printed, from where
    the demo ran; `history` does not call a drill cut short by --max-turns complete."""
    import shlex

    data = tmp_path / "data"
    result = _cli("demo", "--quiet", "--max-turns", "2", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    scenario = load_scenario(SCENARIO)
    first_line = scenario.node(scenario.start_node).lines.all()
    assert not any(line in out for line in first_line), out  # no perpetrator line
    assert "[turn" not in out and "Briefing" not in out and scenario.title not in out, out
    assert "Outcome: stopped after 2 turns (--max-turns)" in out
    (hint,) = [ln.split("Debrief: ", 1)[1] for ln in out.splitlines() if ln.startswith("Debrief: ")]
    page = tmp_path / "debrief.html"
    ran = subprocess.run([*shlex.split(hint), "-o", str(page), "--audio", "none"], capture_output=True, text=True,
                         timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert page.stat().st_size > 0 and "Traceback" not in ran.stderr
    history = _cli("history", "trainee", "--data-dir", str(data), timeout=300)
    assert history.returncode == 0, history.stderr
    (row,) = [ln for ln in history.stdout.splitlines() if SCENARIO in ln]
    assert row.rstrip().endswith("stopped"), history.stdout  # Complete: stopped, not yes


def test_poor_path_escalates_and_ends_badly(tmp_path):
    scenario = load_scenario(SCENARIO)
    trainee = VirtualTrainee(scenario, path="poor", render=lambda t: _render_reply(t, "poor"))
    result, session = _drill(tmp_path, listener=trainee)
    assert result.outcome is not None
    assert scenario.outcome(result.outcome).result == "bad"
    agitation = [t.agitation_after for t in result.turns]
    assert agitation[-1] > scenario.perpetrator.start_agitation
    harmful = {c.name for t in result.turns for c in t.score.cues if c.kind == "harmful"}
    assert harmful, "the poor path's replies carry harmful cues"
    assert len(session.turns) == len(result.turns) and session.complete


def test_recorded_replies_give_latency_from_leading_silence(tmp_path):
    replies = tmp_path / "replies"
    texts = ["You sound really angry right now.", "Tell me what happened today.", "I am here with you."]
    leads = [0.4, 1.2, 2.0]
    for i, (text, lead) in enumerate(zip(texts, leads)):
        audio = np.concatenate([np.zeros(int(lead * SAMPLE_RATE), np.float32), _render_reply(text),
                                np.zeros(SAMPLE_RATE // 2, np.float32)])
        save_audio(replies / f"{i + 1:02d}.wav", audio)
    result = _cli("drill", SCENARIO, "--replies", str(replies), "--max-turns", "3", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    store = Store(tmp_path / "data")
    (summary,) = store.list_sessions()
    session = store.load_session(summary.id)
    assert [t.index for t in session.turns] == [0, 1, 2]
    for turn, lead in zip(session.turns, leads):
        assert abs(turn.reply.latency - lead) < 0.15
    heard = " ".join(t.transcript.text for t in session.turns)
    assert wer(" ".join(texts), heard) <= 0.25, heard


def test_ctrl_c_keeps_every_finished_turn(tmp_path):
    scenario = load_scenario(SCENARIO)

    class StopsOnThirdTurn(VirtualTrainee):
        def prepare(self, line, turn_index):
            if turn_index == 2:
                raise KeyboardInterrupt
            super().prepare(line, turn_index)

    trainee = StopsOnThirdTurn(scenario, path="good", render=_render_reply)
    result, session = _drill(tmp_path, listener=trainee)
    assert len(result.turns) == 2 and result.outcome is None
    assert "Ctrl-C" in result.stopped
    assert len(session.turns) == 2 and session.complete  # closed cleanly, nothing lost
    assert all(t.transcript.text for t in session.turns)
    # nothing renders or warms on after the drill (a native call at exit aborts the process)
    running = [t.name for t in threading.enumerate() if t.name.startswith("voicedrill-")]
    assert not running, running


def test_silent_trainee_turn_is_scored_as_silence_and_drill_goes_on(tmp_path):
    scenario = load_scenario(SCENARIO)
    seen = []

    class Events(DrillEvents):
        def turn(self, record):
            seen.append(record)

    class SilentFirst(VirtualTrainee):
        def prepare(self, line, turn_index):
            super().prepare(line, turn_index)
            if turn_index == 0:
                self._text = None

    trainee = SilentFirst(scenario, path="good", render=_render_reply)
    result, _ = _drill(tmp_path, listener=trainee, events=Events(), max_turns=2)
    first = seen[0]
    assert first.reply.silent and first.transcript.text == ""
    assert first.agitation_after > first.agitation_before  # silence costs him patience
    assert len(result.turns) == 2 and not seen[1].reply.silent


def test_same_seed_replays_the_same_lines(tmp_path):
    scenario = load_scenario(SCENARIO)
    lines = []
    for run in range(2):
        trainee = VirtualTrainee(scenario, path="good", render=_render_reply)
        result, _ = _drill(tmp_path / str(run), listener=trainee, seed=7, max_turns=3)
        lines.append([t.line.text for t in result.turns])
    assert lines[0] == lines[1]


def test_reply_from_audio_finds_onset():
    speech = _render_reply("I hear you.")
    audio = np.concatenate([np.zeros(int(1.3 * SAMPLE_RATE), np.float32), speech])
    reply = reply_from_audio(audio, source="test")
    assert abs(reply.latency - 1.3) < 0.1 and reply.end > reply.onset
    silent = reply_from_audio(np.zeros(SAMPLE_RATE * 2, np.float32), source="test")
    assert silent.silent and silent.latency is None


@pytest.mark.parametrize(
    "args, expect",
    [
        (["drill", "no_such_scenario", "--virtual", "good"], "no_such_scenario"),
        (["drill", SCENARIO, "--virtual", "mediocre"], "mediocre"),
        (["drill", SCENARIO, "--replies", "/nonexistent/replies"], "/nonexistent/replies"),
        (["demo", "--script", "/nonexistent/script.yaml"], "script.yaml"),
        (["drill", SCENARIO, "--virtual", "good", "--max-turns", "0"], "--max-turns"),
    ],
)
def test_drill_mistakes_are_one_clear_message(tmp_path, args, expect):
    result = _cli(*args, "--data-dir", str(tmp_path), timeout=300)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert expect in result.stderr
    assert not list((tmp_path / "sessions").glob("*/turn-*"))


def test_empty_replies_folder_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(Exception, match="holds no sound files"):
        RecordedReplies(tmp_path / "empty")


def test_session_json_is_written_with_the_scenario(tmp_path):
    scenario = load_scenario(SCENARIO)
    trainee = VirtualTrainee(scenario, path="good", render=_render_reply)
    result, session = _drill(tmp_path, listener=trainee, max_turns=1)
    meta = json.loads((session.path / "session.json").read_text())
    assert meta["scenario_id"] == SCENARIO
    assert session.meta.scenario_text == scenario.path.read_text()


def test_every_line_that_can_come_next_is_a_prefetch_candidate():
    from voicedrill import branching
    from voicedrill.drill import candidates

    scenario = load_scenario(SCENARIO)
    node = scenario.start_node
    agitation = scenario.perpetrator.start_agitation
    lines = candidates(scenario, node, agitation, seed=3, turn_index=0)
    keys = {(ln.node_id, ln.text, round(ln.agitation / tts.AGITATION_STEP)) for ln in lines}
    # whatever the reply, the next line is among them: try the facts of a calm, an
    # escalating, a silent and an interrupting reply
    for facts in (
        branching.TurnFacts(cues=("emotional_label", "paraphrase", "open_question"), score=90, silent=False, interrupted=False,
                            text="It sounds like you are tired.", turn_index=0),
        branching.TurnFacts(cues=("threat", "commanding"), score=5, silent=False, interrupted=True,
                            text="Come out now or else.", turn_index=0),
        branching.TurnFacts(cues=(), score=0, silent=True, interrupted=False, text="", turn_index=0),
    ):
        step = branching.step(scenario, node, agitation, facts, script=load_script())
        if step.next_node is None:
            continue
        nxt = branching.line_for(scenario, step.next_node, step.agitation, seed=3, turn_index=1)
        assert (nxt.node_id, nxt.text, round(nxt.agitation / tts.AGITATION_STEP)) in keys


def test_prefetch_renders_first_the_lines_the_last_change_of_agitation_points_to():
    """The loop passes the last reply's change (``drill._change`` inverts the decay of a
    real step): after a calming reply the calmer lines come first, after an escalating one
    the angrier ones; the set of lines stays the same."""
    from voicedrill import branching
    from voicedrill.drill import _change, candidates

    scenario = load_scenario(SCENARIO)
    node, agitation = scenario.start_node, scenario.perpetrator.start_agitation
    calm = branching.TurnFacts(cues=("emotional_label", "open_question"), score=90, silent=False,
                               interrupted=False, text="It sounds like you are tired.", turn_index=0)
    angry = branching.TurnFacts(cues=("threat", "commanding"), score=5, silent=False,
                                interrupted=False, text="Come out now or else.", turn_index=0)
    calmed = _change(scenario, agitation, branching.step(scenario, node, agitation, calm, script=load_script()).agitation)
    raised = _change(scenario, agitation, branching.step(scenario, node, agitation, angry, script=load_script()).agitation)
    assert calmed < 0 < raised
    plain = candidates(scenario, node, agitation, seed=3, turn_index=0)
    down = candidates(scenario, node, agitation, seed=3, turn_index=0, lean=calmed)
    up = candidates(scenario, node, agitation, seed=3, turn_index=0, lean=raised)
    assert sorted(ln.text for ln in down) == sorted(ln.text for ln in up) == sorted(ln.text for ln in plain)
    assert down[0].agitation < plain[0].agitation < up[0].agitation


def test_the_next_line_is_rendered_while_the_trainee_speaks(tmp_path):
    """The prefetch renders candidates while the listener waits; the line that comes next is
    then served from the renderer's cache (counted here), not rendered after the reply."""
    import threading

    scenario = load_scenario(SCENARIO)
    cache: dict = {}
    hits, misses = [], []
    main = threading.get_ident()

    def render(line):
        key = (line.text, round(line.agitation / tts.AGITATION_STEP))
        if threading.get_ident() == main:  # the drill loop asks for the line that is due
            (hits if key in cache else misses).append(line)
        if key not in cache:
            cache[key] = tts.render(line.text, language="en",
                                    delivery=tts.delivery_for(line.agitation, base=scenario.delivery))
        return cache[key]

    class SlowTrainee(VirtualTrainee):
        def reply(self, line_end):  # a trainee who speaks until the prefetch is through
            assert started[-1].finished.wait(timeout=600)
            return super().reply(line_end)

    from voicedrill import drill as drill_module

    started: list = []
    original = drill_module.Prefetch

    class Spy(original):
        def __init__(self, render_line, lines):
            super().__init__(render_line, lines)
            started.append(self)

    drill_module.Prefetch = Spy
    try:
        result = run(_headless(scenario, SlowTrainee(scenario, path="good", render=_render_reply),
                               render_line=render, max_turns=2), Store(tmp_path))
    finally:
        drill_module.Prefetch = original
    assert len(result.turns) == 2
    assert [ln.text for ln in misses] == [result.turns[0].line.text]  # only the very first line
    assert [ln.text for ln in hits] == [result.turns[1].line.text]  # the second came from the cache


def test_ready_ahead_warms_the_models_before_the_first_reply(tmp_path):
    calls = []

    class Warmable:
        def __init__(self, inner):
            self.inner = inner

        def warm(self):
            calls.append("transcriber")

        def __call__(self, audio):
            calls.append("transcribe")
            return self.inner(audio)

    from voicedrill import asr

    scenario = load_scenario(SCENARIO)
    run(_headless(scenario, VirtualTrainee(scenario, path="good", render=_render_reply),
                  transcriber=Warmable(asr.Transcriber(tiny_en_model(), "en")), max_turns=1), Store(tmp_path))
    assert calls == ["transcriber", "transcribe"]


def test_session_checks_the_options_before_anything_is_written(tmp_path):
    """session.load_inputs refuses a bad drill with one clear ParameterError, and a good one
    gives the scenario, the shipped script and no group; no session folder is made."""
    from voicedrill.errors import ParameterError
    from voicedrill.session import DrillOptions, load_inputs

    for options, needle in [
        (DrillOptions(SCENARIO, mode="karaoke", data_dir=tmp_path), "unknown drill mode 'karaoke'"),
        (DrillOptions(SCENARIO, mode="replies", data_dir=tmp_path), "--replies DIR"),
        (DrillOptions(SCENARIO, max_turns=0, data_dir=tmp_path), "--max-turns"),
        (DrillOptions(SCENARIO, virtual_path="mediocre", data_dir=tmp_path), "no scripted trainee path 'mediocre'"),
        (DrillOptions(SCENARIO, course="<b>", data_dir=tmp_path), "course"),
    ]:
        with pytest.raises(ParameterError, match=needle):
            load_inputs(options)
    inputs = load_inputs(DrillOptions(SCENARIO, data_dir=tmp_path))
    assert inputs.scenario.id == SCENARIO and inputs.script.hash == load_script().hash
    assert (inputs.group, inputs.course) == ("", "")
    assert not (tmp_path / "sessions").exists()


def test_the_scoring_warm_up_scores_a_made_up_reply_through_the_whole_scorer():
    """run_drill warms scoring with the other models (errors there are swallowed, so a
    broken warmer would only show as a slow first turn): it runs the real scorer."""
    from voicedrill.drill import _scoring_warmer

    score = _scoring_warmer("en", load_script(), None)()
    assert "minimal_encourager" in score.cue_names()  # "I hear you." read by the cue detector
    assert score.pacing.words == 3 and score.calm is not None  # pacing and the voice measured


def test_turns_are_stored_behind_the_next_line_in_order_and_a_failed_save_stops_the_drill(
    tmp_path, monkeypatch
):
    """The store writes each turn in a worker thread while the next line starts; the turns
    land in order, and a save that fails is raised (one clear StoreError), not skipped."""
    from voicedrill.errors import StoreError
    from voicedrill.store.writer import SessionWriter

    scenario = load_scenario(SCENARIO)
    saved: list[tuple[int, str]] = []
    real = SessionWriter.save_turn

    def save_turn(self, record):
        saved.append((record.index, threading.current_thread().name))
        if record.index == 1:
            raise StoreError(f"{self.path}: cannot save turn 1 (disk full).")
        return real(self, record)

    monkeypatch.setattr(SessionWriter, "save_turn", save_turn)
    trainee = VirtualTrainee(scenario, path="good", render=_render_reply)
    store = Store(tmp_path)
    with pytest.raises(StoreError, match="cannot save turn 1"):
        run(_headless(scenario, trainee, max_turns=3), store)
    assert [i for i, _ in saved] == [0, 1]  # in order; nothing after the failure
    assert all(name.startswith("voicedrill-store") for _, name in saved)
    (session,) = [store.load_session(s.id) for s in store.list_sessions()]
    assert [t.index for t in session.turns] == [0]  # the turn before is whole on disk
    running = [t.name for t in threading.enumerate() if t.name.startswith("voicedrill-")]
    assert not running, running

