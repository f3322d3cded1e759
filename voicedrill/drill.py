"""The drill loop: the one place in voicedrill that holds state.

One turn is one trip through the pipeline: the perpetrator line is chosen for the
current node and agitation, rendered and played; the trainee's reply is heard,
transcribed and scored; the score moves agitation and picks the next node; the turn
is stored at once (``_Saver``: in a worker thread while the next line starts, in order).
The loop receives its speaker, listener and transcriber, so live and headless drills
(and tests) run the same code.

Ready before it is due: at the start every model is warmed in the background (the
transcriber's and the listener's ``warm()``, during the briefing and the first line); a
listener that can (``attach``) transcribes the reply while it is spoken and hands over
``last_transcript``; and while the trainee speaks, every line that can come next (each
branch target at each agitation step the reply can lead to, nearest first) is rendered
in the background (``Prefetch``), so the renderer's cache has the next line ready; and
the cues of the reply's words are read while the pause that ends it runs out
(``_EarlyCues``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Protocol

import numpy as np

from .audio import SAMPLE_RATE
from .types import PerpetratorLine, Reply, Transcript, TurnContext, VoiceBaseline


class Speaker(Protocol):
    def play(self, audio: np.ndarray, *, stop: Callable[[], bool] | None = None) -> float:
        """Play the rendered line (16 kHz float32), blocking; stop early when ``stop()`` is
        True (barge-in). Return ``time.monotonic()`` when playback ended."""


class Listener(Protocol):
    def prepare(self, line: PerpetratorLine, turn_index: int) -> None:
        """Called before the line is played; a live listener starts capturing here."""

    def heard_speech(self) -> bool:
        """Has the trainee started talking (barge-in check during playback)?"""

    def reply(self, line_end: float) -> Reply:
        """Block until the reply has ended or timed out as silence."""


Transcriber = Callable[[np.ndarray], Transcript]
LineRenderer = Callable[[PerpetratorLine], np.ndarray]


class DrillEvents:
    """What the drill tells its user interface. The default shows nothing."""

    def briefing(self, scenario) -> None: ...

    def line(self, line: PerpetratorLine, turn_index: int) -> None: ...

    def level(self, dbfs: float) -> None:
        """The microphone's input level while listening (live drills), about 50 times a second."""

    def listening(self) -> None: ...

    def thinking(self) -> None: ...

    def turn(self, record) -> None: ...

    def ended(self, result: "DrillResult") -> None: ...


@dataclass(frozen=True)
class DrillResult:
    """How a drill ended."""

    session_id: str
    session_dir: str
    turns: tuple  # turn.Turn, in order
    outcome: str | None  # outcome id from the scenario, or None when stopped early
    outcome_text: str
    drill_score: float | None
    stopped: str = ""  # why the drill stopped before an outcome ("" when it reached one)


class Prefetch:
    """Renders, in a background thread, the lines that can come after the current node
    (``candidates``), nearest agitation first, until ``stop()``; the renderer's own cache
    keeps them. ``rendered`` lists the lines it rendered (for tests and benchmarks)."""

    def __init__(self, render_line: LineRenderer, lines: list[PerpetratorLine]):
        self.rendered: list[PerpetratorLine] = []
        self.finished = threading.Event()  # set when every line is rendered or it stopped
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(render_line, lines), daemon=True, name="voicedrill-prefetch"
        )
        self._thread.start()

    def _run(self, render_line: LineRenderer, lines: list[PerpetratorLine]) -> None:
        try:
            self._render(render_line, lines)
        finally:
            self.finished.set()

    def _render(self, render_line: LineRenderer, lines: list[PerpetratorLine]) -> None:
        for line in lines:
            if self._stop.is_set():
                return
            try:
                render_line(line)
            except Exception:  # noqa: BLE001 - a failing render shows when the line is due
                return
            self.rendered.append(line)

    def stop(self, wait: bool = False) -> None:
        self._stop.set()
        if wait:
            self._thread.join()


PREFETCH_LIMIT = (
    16  # lines rendered ahead per turn at most: on 2 busy cores more would slow the turn
)


def candidates(
    scenario,
    node_id: str,
    agitation: float,
    *,
    seed: int,
    turn_index: int,
    step: float | None = None,
    limit: int | None = None,
    lean: float = 0.0,
) -> list[PerpetratorLine]:
    """Every line that can follow a reply at ``node_id``: each transition's target (terminal
    ones too) at each agitation the reply can lead to (``max_change`` either way, then the
    decay), in the renderer's steps (``tts.AGITATION_STEP``), nearest first to the
    agitation a change of ``lean`` would bring (the loop passes the trainee's last change:
    replies tend to move him the way the one before did); the first ``limit`` of them
    (None: all)."""
    from . import branching

    if step is None:
        from .tts import AGITATION_STEP

        step = AGITATION_STEP
    dyn = scenario.dynamics
    node = scenario.node(node_id)
    targets = [t.to for t in node.transitions if t.to is not None]

    def settle(a: float) -> float:
        a = min(max(a, 0.0), 1.0)
        return min(max(a + dyn.decay * (dyn.resting - a), 0.0), 1.0)

    lean = min(max(lean, -dyn.max_change), dyn.max_change)
    lo, hi, mid = (
        settle(agitation - dyn.max_change),
        settle(agitation + dyn.max_change),
        settle(agitation + lean),
    )
    grid = [
        k * step
        for k in range(int(round(1 / step)) + 1)
        if lo - step / 2 <= k * step <= hi + step / 2
    ]
    grid.sort(key=lambda a: abs(a - mid))
    out, seen = [], set()
    for a in grid:
        for target in dict.fromkeys(targets):
            line = branching.line_for(scenario, target, a, seed=seed, turn_index=turn_index + 1)
            key = (line.text, round(a / step))
            if key not in seen:
                seen.add(key)
                out.append(line)
    return out[:limit]


def _change(scenario, before: float, after: float) -> float:
    """The change a reply made to the agitation, before the decay toward rest (the decay
    inverted: ``after = moved + decay * (resting - moved)``; clamping ignored)."""
    dyn = scenario.dynamics
    if dyn.decay >= 1:
        return 0.0
    moved = (after - dyn.decay * dyn.resting) / (1 - dyn.decay)
    return moved - before


class _Saver:
    """Stores each turn through ``writer.save_turn`` in a worker thread, one at a time and
    in order, so the next line does not wait for the audio's FLAC encoding and the fsyncs
    (part of bench_live's "branch + store + feedback shown": 0.04 s at the median, 0.11 s
    on average). A failed save is raised once the next line has played, before the trainee
    answers it (``wait``), or at ``close``, which the loop calls before closing the
    session: no turn is skipped silently."""

    def __init__(self, writer):
        from concurrent.futures import ThreadPoolExecutor

        self.writer = writer
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voicedrill-store")
        self._pending = None

    def save(self, record) -> None:
        self.wait()
        self._pending = self._pool.submit(self.writer.save_turn, record)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)


class _EarlyCues:
    """Reads the cues of a reply's words while the pause that ends it runs out: a listener
    that can (``share_words``, ``live.LiveListener``) hands over the transcript the reply will
    have once it judges a pause to end the turn, and the cues (``scoring.words_cues``, most
    of the scoring's time) are read in a worker thread meanwhile. ``take`` gives them for
    the reply's final transcript when it is that one, else None (speech resumed: the turn
    is scored as before)."""

    def __init__(self, listener, script):
        from concurrent.futures import ThreadPoolExecutor

        self.script = script
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voicedrill-cues")
        self._job: tuple | None = None  # (transcript, context, future)
        self._context: TurnContext | None = None
        self._share = getattr(listener, "share_words", None)
        if callable(self._share):
            self._share(self._read)

    def expect(self, context: TurnContext) -> None:
        """The next reply's context (before listening)."""
        self._context, self._job = context, None

    def _read(self, transcript: Transcript) -> None:
        from .scoring import words_cues

        if self._context is None:
            return
        if self._job is not None:
            self._job[2].cancel()  # an earlier pause's, not started yet
        future = self._pool.submit(words_cues, transcript, self._context, self.script)
        self._job = (transcript, self._context, future)

    def take(self, transcript: Transcript, context: TurnContext) -> tuple | None:
        job, self._job = self._job, None
        if job is None or job[0] != transcript or job[1] is not context or job[2].cancelled():
            return None
        return job[2].result()

    def close(self) -> None:
        if callable(self._share):
            self._share(None)
        self._pool.shutdown(wait=True)


def _warm(transcriber, listener, scoring: Callable[[], object] | None = None) -> threading.Thread:
    """Warm the models in the background (the first reply then costs what the others do):
    Whisper, the listener's, and ``scoring`` (``_scoring_warmer``)."""
    jobs = [
        f
        for f in (getattr(transcriber, "warm", None), getattr(listener, "warm", None), scoring)
        if callable(f)
    ]

    def run() -> None:
        for job in jobs:
            try:
                job()
            except Exception:  # noqa: BLE001 - a broken model fails loudly where it is used
                pass

    thread = threading.Thread(target=run, daemon=True, name="voicedrill-warm")
    thread.start()
    return thread


def _scoring_warmer(language: str, script, baseline: VoiceBaseline | None) -> Callable[[], object]:
    """Score one made-up reply: the first real one then finds the sentence encoder and the
    cue heads loaded and the pitch tracker compiled (numba), seconds on a first call."""

    def warm() -> object:
        from .scoring import score_turn
        from .types import Word

        t = np.arange(int(1.5 * SAMPLE_RATE)) / SAMPLE_RATE
        voice = 0.1 * np.sin(2 * np.pi * 150 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
        words = (Word("I", 0.1, 0.3, 0.9), Word("hear", 0.3, 0.6, 0.9), Word("you", 0.6, 0.9, 0.9))
        reply = Reply(voice.astype(np.float32), onset=0.1, end=1.0, latency=0.8)
        context = TurnContext(language=language, perpetrator_lines=("I said no.",))
        return score_turn(
            reply, Transcript("I hear you.", language, words), context, script, baseline
        )

    return warm


@dataclass
class _State:
    """The mutable state of one drill: only ever touched by ``run_drill``."""

    node_id: str
    agitation: float
    lines: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    records: list = field(default_factory=list)
    change: float = 0.0  # the last reply's change of agitation, before the decay


def run_drill(
    scenario,
    *,
    script,
    speaker: Speaker,
    listener: Listener,
    transcriber: Transcriber,
    render_line: LineRenderer,
    writer,
    seed: int = 0,
    baseline: VoiceBaseline | None = None,
    events: DrillEvents | None = None,
    max_turns: int | None = None,
    ready_ahead: bool = True,
) -> DrillResult:
    """Run one drill of ``scenario`` to an outcome, storing every turn through ``writer``.

    Ctrl-C (KeyboardInterrupt) ends the drill cleanly: every finished turn is already
    stored and the session is closed as stopped by the trainee. ``ready_ahead=False``
    turns off warming, transcribing while the trainee speaks and prefetching (the naive
    baseline of scripts/bench_live.py).
    """
    from . import branching
    from .scoring import drill_score, score_turn
    from .turn import Turn, TurnTimings

    events = events or DrillEvents()
    state = _State(node_id=scenario.start_node, agitation=scenario.perpetrator.start_agitation)
    outcome = None
    stopped = ""
    attach = getattr(listener, "attach", None)
    if ready_ahead and callable(attach) and callable(getattr(transcriber, "window", None)):
        attach(transcriber)  # transcribe while the trainee speaks
    warming = (
        _warm(transcriber, listener, _scoring_warmer(scenario.language, script, baseline))
        if ready_ahead
        else _warm(None, None)
    )
    prefetch: Prefetch | None = None
    saver = _Saver(writer)
    early = _EarlyCues(listener if ready_ahead else None, script)
    events.briefing(scenario)
    try:
        turn_index = 0
        while True:
            if max_turns is not None and turn_index >= max_turns:
                stopped = f"stopped after {max_turns} turns (--max-turns)"
                break
            t0 = time.monotonic()
            line = branching.line_for(
                scenario, state.node_id, state.agitation, seed=seed, turn_index=turn_index
            )
            line_audio = render_line(line)
            if hasattr(
                render_line, "spoken_by"
            ):  # speak.LineVoice: which voice spoke it (stored with the turn)
                line = replace(line, spoken_by=render_line.spoken_by(line))
            t1 = time.monotonic()
            listener.prepare(line, turn_index)
            events.line(line, turn_index)
            line_end = speaker.play(line_audio, stop=listener.heard_speech)
            t2 = time.monotonic()
            saver.wait()  # the turn before is on disk (or its failure stops the drill) first
            events.listening()
            prefetch = Prefetch(
                render_line,
                candidates(
                    scenario,
                    state.node_id,
                    state.agitation,
                    seed=seed,
                    turn_index=turn_index,
                    limit=PREFETCH_LIMIT,
                    lean=state.change,
                )
                if ready_ahead
                else [],
            )
            warming.join()
            context = TurnContext(
                language=scenario.language,
                perpetrator_lines=(*state.lines, line.text),
                previous_replies=tuple(state.replies),
                turn_index=turn_index,
                **branching.context_fields(scenario, state.node_id),
            )
            early.expect(context)
            reply = listener.reply(line_end)
            t3 = time.monotonic()
            events.thinking()
            streamed = getattr(listener, "last_transcript", None)
            if reply.silent:
                transcript = Transcript(text="", language=scenario.language)
            elif isinstance(streamed, Transcript):  # transcribed while the trainee spoke
                transcript = streamed
            else:
                transcript = transcriber(reply.audio)
            t4 = time.monotonic()
            state.lines.append(line.text)
            found = early.take(transcript, context)  # read during the closing pause
            score = score_turn(reply, transcript, context, script, baseline, found)
            t5 = time.monotonic()
            step = branching.step(
                scenario,
                state.node_id,
                state.agitation,
                branching.TurnFacts(
                    cues=score.cue_names(),
                    score=score.score,
                    silent=reply.silent,
                    interrupted=reply.interrupted,
                    text=transcript.text,
                    turn_index=turn_index,
                ),
                script=script,
            )
            # rendering ahead went on while the reply was transcribed and scored (a reply
            # given at once, as the headless trainees do, leaves no other time for it)
            prefetch.stop()
            record = Turn.scored(
                index=turn_index,
                node_id=state.node_id,
                line=line,
                line_audio=line_audio,
                reply=reply,
                transcript=transcript,
                score=score,
                agitation_before=state.agitation,
                agitation_after=step.agitation,
                timings=TurnTimings(
                    tts_seconds=t1 - t0,
                    playback_seconds=t2 - t1,
                    listen_seconds=t3 - t2,
                    transcribe_seconds=t4 - t3,
                    score_seconds=t5 - t4,
                ),
                context=context,
            )
            saver.save(record)
            state.records.append(record)
            state.replies.append(transcript.text)
            events.turn(record)
            state.change = _change(scenario, state.agitation, step.agitation)
            state.agitation = step.agitation
            turn_index += 1
            if step.outcome is not None:
                outcome = step.outcome
                if step.next_node is not None:  # a terminal node: his last words, no reply
                    final = branching.line_for(
                        scenario, step.next_node, state.agitation, seed=seed, turn_index=turn_index
                    )
                    events.line(final, turn_index)
                    speaker.play(render_line(final))
                break
            assert step.next_node is not None  # a step without an outcome names the next node
            state.node_id = step.next_node
    except KeyboardInterrupt:
        stopped = "stopped by the trainee (Ctrl-C)"
    finally:
        # no render or warm-up may still run in native code (onnxruntime, torch) when the
        # process exits: the C++ runtime aborts ("terminate called without an active exception")
        if prefetch is not None:
            prefetch.stop(wait=True)
        warming.join()
        early.close()
        saver.close()  # every scored turn is stored before the session closes
    scores = [r.score for r in state.records]
    total = drill_score(scores, script) if scores else None
    outcome_id = outcome.id if outcome is not None else None
    outcome_text = outcome.debrief if outcome is not None else stopped
    writer.finish(outcome=outcome_id, outcome_text=outcome_text, drill_score=total)
    result = DrillResult(
        session_id=writer.session_id,
        session_dir=str(writer.path),
        turns=tuple(state.records),
        outcome=outcome_id,
        outcome_text=outcome_text,
        drill_score=total,
        stopped=stopped,
    )
    events.ended(result)
    return result
