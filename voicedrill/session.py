"""Assembling a drill: the one place that turns "drill this scenario this way" into a run.

``DrillOptions`` is a drill as the user asks for it (the options of ``voicedrill drill`` and
``demo``); ``load_inputs`` loads and checks the scenario and scoring script before anything is
written; ``assemble`` builds the parts (the live rig, recorded replies or the virtual trainee,
the perpetrator's voice, Whisper, the trainee's voice baseline) into a ``Drill``; ``run``
opens the stored session, runs the drill loop (``drill.run_drill``) and closes the listener.

The CLI, tests and benchmarks all go through here; a test or benchmark that brings its own
speaker, listener, transcriber or line renderer builds a ``Drill`` directly and calls ``run``.
The parts (Whisper, sound devices, TTS, the scorer) are imported where they are built, so
importing this module stays cheap.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from . import paths
from .errors import ParameterError

if TYPE_CHECKING:
    from .drill import DrillEvents, DrillResult, LineRenderer, Listener, Speaker, Transcriber
    from .scenario import Scenario
    from .scoring.script import ScoringScript
    from .store import Store
    from .types import VoiceBaseline

MODES = ("live", "replies", "virtual")


@dataclass(frozen=True)
class LiveOptions:
    """The sound devices of a live drill and how a reply is heard."""

    input_device: int | str | None = None  # microphone by index or name substring (None: default)
    output_device: int | str | None = None  # speaker by index or name substring (None: default)
    end_silence: float | None = None  # seconds of silence that end a reply (None: the script's)
    barge_in: bool = True  # the trainee may talk over the perpetrator (False: open speakers)


@dataclass(frozen=True)
class DrillOptions:
    """A drill as the user asks for it: what to drill, who answers and how it is recorded."""

    scenario: str  # a scenario id from the library, or a YAML file
    mode: str = "virtual"  # "live" (microphone), "replies" (sound files) or "virtual" (TTS trainee)
    virtual_path: str = "good"  # mode "virtual": the virtual trainee's scripted path
    replies: str | None = None  # mode "replies": the folder of recorded replies
    script: str | None = None  # scoring script file; None: the course's, else the shipped one
    trainee: str = "trainee"  # name for the session and the calibration profile
    group: str | None = None  # the trainee's group (None: the profile's, else the roster's)
    course: str = ""  # the course the drill is run for (recorded with the drill)
    seed: int = 0  # seed of the perpetrator's line choices (same seed, same drill)
    model: str | None = None  # Whisper model; None: by the scenario's language
    max_turns: int | None = None  # stop after this many turns (None: at an outcome)
    data_dir: str | Path | None = None  # the data folder (None: the default one)
    live: LiveOptions = field(default_factory=LiveOptions)  # mode "live" only

    def check(self) -> None:
        """The rules between fields, checked before anything is loaded."""
        if self.mode not in MODES:
            raise ParameterError(
                f"unknown drill mode '{self.mode}'; choose one of: {', '.join(MODES)}"
            )
        if self.max_turns is not None and self.max_turns < 1:
            raise ParameterError("--max-turns must be at least 1")
        if self.mode == "replies" and not self.replies:
            raise ParameterError("a drill from recorded replies needs their folder (--replies DIR)")


@dataclass(frozen=True)
class Inputs:
    """The scenario and scoring script of a drill, loaded and checked, and its course group."""

    scenario: Scenario
    script: ScoringScript
    group: str  # "" when the trainee is in no group
    course: str


@dataclass(frozen=True)
class Drill:
    """The assembled parts of one drill, ready to ``run``."""

    scenario: Scenario
    script: ScoringScript
    speaker: Speaker
    listener: Listener
    transcriber: Transcriber
    render_line: LineRenderer
    mode: str  # recorded with the session: "live", "replies", "virtual:good", ...
    baseline: VoiceBaseline | None = None  # the trainee's calm voice (None: not calibrated)
    trainee: str = "trainee"
    seed: int = 0
    max_turns: int | None = None
    course: str = ""
    group: str = ""


def load_inputs(options: DrillOptions, *, notice: Callable[[str], None] | None = None) -> Inputs:
    """The scenario and scoring script, checked in full before a session folder exists: a
    mistake in either ends the drill here, leaving no empty session behind. ``notice`` gets
    what the scenario library has to say (a user file that shadows a shipped one)."""
    from .course import check_name, course_script, drill_group
    from .scenario import load_scenario, resolve_scenario
    from .scoring import detect_cues, load_script
    from .types import Transcript, TurnContext

    options.check()
    notice = notice or _print_note
    path, notes = resolve_scenario(options.scenario, data_dir=options.data_dir)
    for note in notes:
        notice(note)
    scenario = load_scenario(path, data_dir=options.data_dir)
    data = paths.data_dir(options.data_dir)
    group = drill_group(data, options.trainee, options.group)
    chosen = options.script or course_script(data, options.trainee, group=group)  # --script wins
    script = load_script(chosen)
    # The script's extra phrases are compiled on first use: use them once now.
    detect_cues(
        Transcript(text="", language=scenario.language),
        TurnContext(scenario.language, ()),
        extra_phrases=script.extra_phrases(scenario.language),
    )
    course = check_name(options.course, "course") if options.course else ""
    if options.mode == "virtual" and options.virtual_path not in scenario.trainee_paths:
        raise ParameterError(
            f"scenario '{scenario.id}' has no scripted trainee path '{options.virtual_path}'; "
            f"choose one of: {', '.join(sorted(scenario.trainee_paths))}"
        )
    return Inputs(scenario=scenario, script=script, group=group, course=course)


def assemble(options: DrillOptions, inputs: Inputs, *, events: DrillEvents | None = None) -> Drill:
    """The parts of the drill ``options`` asks for: the live rig (its level meter reports to
    ``events``), recorded replies or the virtual trainee; the perpetrator's voice; Whisper;
    the trainee's voice baseline (the virtual trainee calibrates in its calm voice)."""
    scenario, script = inputs.scenario, inputs.script
    data = paths.data_dir(options.data_dir)
    render_line = line_voice(scenario, data)
    recorded = None  # a wrong replies folder is one message before Whisper loads (seconds)
    if options.mode == "replies":
        from .headless import RecordedReplies

        recorded = RecordedReplies(str(options.replies))
    whisper = transcriber(options.model, scenario.language)
    baseline = load_baseline(data, options.trainee)
    speaker: Any
    listener: Any
    if options.mode == "live":
        speaker, listener = _live_rig(options.live, script, events)
        mode = "live"
    elif recorded is not None:
        from .headless import SilentSpeaker

        speaker, listener = SilentSpeaker(), recorded
        mode = "replies"
    else:
        from .headless import SilentSpeaker, VirtualTrainee

        path = options.virtual_path
        speaker = SilentSpeaker()
        trainee = VirtualTrainee(scenario, path=path, render=virtual_voice(scenario, path, data))
        listener = _heard(trainee, speaker, script)
        mode = f"virtual:{path}"
        if baseline is None:  # the virtual trainee calibrates in its calm voice
            baseline = virtual_baseline(scenario, virtual_voice(scenario, "good", data))
    return Drill(
        scenario=scenario,
        script=script,
        speaker=speaker,
        listener=listener,
        transcriber=whisper,
        render_line=render_line,
        mode=mode,
        baseline=baseline,
        trainee=options.trainee,
        seed=options.seed,
        max_turns=options.max_turns,
        course=inputs.course,
        group=inputs.group,
    )


def run(
    drill: Drill,
    store: Store,
    *,
    events: DrillEvents | None = None,
    ready_ahead: bool = True,
) -> DrillResult:
    """Open the drill's session in ``store``, run the drill loop to its end (every turn is
    stored as it finishes) and close the listener. A trainee with a group is put in that
    group of the course (the course page shows them there)."""
    from .drill import run_drill

    scenario, script = drill.scenario, drill.script
    writer = store.start_session(
        scenario_id=scenario.id,
        scenario_text=scenario.path.read_text(encoding="utf-8") if scenario.path else "",
        scenario_path=str(scenario.path or ""),
        script_text=script.text,
        script_hash=script.hash,
        script_path=str(script.path or ""),
        trainee=drill.trainee,
        language=scenario.language,
        seed=drill.seed,
        profile=drill.baseline,
        mode=drill.mode,
        course=drill.course,
        group=drill.group,
    )
    try:
        result = run_drill(
            scenario,
            script=script,
            speaker=drill.speaker,
            listener=drill.listener,
            transcriber=drill.transcriber,
            render_line=drill.render_line,
            writer=writer,
            seed=drill.seed,
            baseline=drill.baseline,
            events=events,
            max_turns=drill.max_turns,
            ready_ahead=ready_ahead,
        )
    finally:
        close = getattr(drill.listener, "close", None)
        if callable(close):
            close()
    if drill.group:
        from .course import adopt_groups

        adopt_groups(store.data_dir, store, [writer.id])
    return result


# --- the parts ----------------------------------------------------------------------------


def line_voice(scenario: Scenario, data: Path) -> LineRenderer:
    """The perpetrator's voice: a recorded take, else the neural voice, else espeak-ng."""
    from .speak import LineVoice

    return LineVoice(scenario, cache_dir=paths.cache_dir(data) / "tts", data_dir=data)


def transcriber(model_name: str | None, language: str) -> Transcriber:
    """Whisper for the scenario's language: ``model_name``, else tiny.en (English) or base."""
    from . import asr

    name = model_name or ("tiny.en" if language == "en" else "base")
    return asr.Transcriber(asr.load_model(name), language)


def virtual_voice(scenario: Scenario, path: str, data: Path) -> Callable[[str], np.ndarray]:
    """The virtual trainee's voice on a scripted path (calm and slow on "good", fast and
    loud on "poor"): text -> 16 kHz float32 audio, cached in the data folder."""
    from . import speak, tts
    from .headless import virtual_delivery

    voice = speak.trainee_voice_for(scenario)
    cache = paths.cache_dir(data) / "tts"
    delivery = virtual_delivery(path)

    def render(text: str) -> np.ndarray:
        return tts.render(
            text, language=scenario.language, voice=voice, delivery=delivery, cache_dir=cache
        )

    return render


def virtual_baseline(
    scenario: Scenario, render_reply: Callable[[str], np.ndarray]
) -> VoiceBaseline:
    """The virtual trainee calibrates like a real one: a calm sentence in its own voice."""
    from .calibrate import CALIBRATION_SENTENCES
    from .scoring.prosody import measure_baseline

    return measure_baseline(render_reply(CALIBRATION_SENTENCES[scenario.language]))


def load_baseline(data: Path, trainee: str) -> VoiceBaseline | None:
    """The trainee's calibrated voice baseline, or None when they have not calibrated."""
    from .calibrate import load_profile, profile_path

    if not profile_path(trainee, data).is_file():
        return None
    return load_profile(trainee, data).baseline


def _live_rig(
    live: LiveOptions, script: ScoringScript, events: DrillEvents | None
) -> tuple[Speaker, Listener]:
    from .live import open_live

    listening = script.listening
    end_silence = live.end_silence
    return open_live(
        input_device=live.input_device,
        output_device=live.output_device,
        end_silence=end_silence if end_silence is not None else listening.end_of_turn_silence,
        max_reply_seconds=listening.max_reply_seconds,
        no_reply_timeout=listening.no_reply_timeout,
        on_level=events.level if events is not None else None,
        barge_in=live.barge_in,
    )


VIRTUAL_PAUSE_MARGIN = 0.2  # seconds added to the end-of-turn pauses for the virtual trainee


def _heard(trainee, speaker, script: ScoringScript):
    """The virtual trainee heard as a live drill hears a trainee: in real time, through the
    voice detector, Smart Turn and transcription while it speaks (``headless.HeardTrainee``)."""
    from .headless import HeardTrainee, VirtualMicrophone
    from .live import LiveListener, installed_turn_model
    from .vad import ListenSettings

    # espeak-ng at the calm path's 125 words a minute leaves 0.5 s between sentences (a
    # finished sentence then a pause that long: a live listener takes the turn), so the
    # finished-sentence pauses are waited 0.2 s longer for it than for a person
    settings = ListenSettings.from_script(script.listening)
    settings = replace(
        settings,
        complete_pause_seconds=settings.complete_pause_seconds + VIRTUAL_PAUSE_MARGIN,
        sentence_pause_seconds=settings.sentence_pause_seconds + VIRTUAL_PAUSE_MARGIN,
    )
    listener = LiveListener(
        settings=settings,
        key_pressed=lambda: False,  # Enter is the trainee's; this one ends its turns by voice
        microphone=VirtualMicrophone(),
        turn_model=installed_turn_model(),
    )
    return HeardTrainee(trainee, listener.open(), speaker)


def _print_note(note: str) -> None:
    print(f"voicedrill: note: {note}", file=sys.stderr)
