"""`voicedrill demo` and `voicedrill drill`: run a drill, headless or live."""

from __future__ import annotations

import argparse

from .common import print_notes

ORDER = 10
DEFAULT_DEMO_SCENARIO = "barricaded_subject"


def register(sub, parents) -> None:
    demo = sub.add_parser(
        "demo",
        parents=parents,
        help="run a headless demo drill: a virtual trainee answers the perpetrator",
        description=(
            "Run a complete drill with no microphone or speaker: the perpetrator's lines are "
            "rendered with TTS, a virtual trainee speaks scripted replies with a second voice, "
            "and each reply is heard, transcribed with Whisper, scored and saved."
        ),
    )
    demo.add_argument(
        "--scenario",
        default=DEFAULT_DEMO_SCENARIO,
        help="scenario id or YAML file (default: %(default)s)",
    )
    demo.add_argument(
        "--path",
        default="good",
        help="the virtual trainee's scripted path: good or poor (default: %(default)s)",
    )
    _common_drill_options(demo)
    demo.set_defaults(func=cmd_demo)

    drill = sub.add_parser(
        "drill",
        parents=parents,
        help="run a drill: live at the microphone, or headless with --replies/--virtual",
        description=(
            "Run a drill on SCENARIO (an id from `voicedrill scenarios list` or a YAML file). "
            "Live by default: the perpetrator speaks through the speaker and you answer at the "
            "microphone. Headless: --replies DIR takes your replies from sound files (one per "
            "turn, or named <node_id>.wav); --virtual good|poor lets the virtual trainee answer."
        ),
    )
    drill.add_argument("scenario", help="scenario id or YAML file")
    mode = drill.add_mutually_exclusive_group()
    mode.add_argument(
        "--replies",
        metavar="DIR",
        help="headless: take the trainee's replies from sound files in DIR",
    )
    mode.add_argument(
        "--virtual",
        metavar="PATH",
        help="headless: the virtual trainee answers with the scripted PATH (good or poor)",
    )
    _common_drill_options(drill)
    drill.add_argument(
        "--input",
        metavar="DEV",
        help="live: microphone by index or name substring (see `voicedrill devices`)",
    )
    drill.add_argument("--output", metavar="DEV", help="live: speaker by index or name substring")
    drill.add_argument(
        "--hide-lines",
        action="store_true",
        help="do not print the perpetrator's lines (you only hear them)",
    )
    drill.add_argument(
        "--end-silence",
        type=float,
        metavar="SECONDS",
        help="live: silence that ends your reply (default: the scoring script's)",
    )
    drill.add_argument(
        "--no-barge-in",
        action="store_true",
        help="live: ignore speech while the perpetrator talks (open speakers without headphones, where the microphone hears him)",
    )
    drill.set_defaults(func=cmd_drill)


def _common_drill_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed for the perpetrator's line choices; the same seed replays the same drill (default: %(default)s)",
    )
    p.add_argument("--script", metavar="YAML", help="scoring script (default: the shipped one)")
    p.add_argument(
        "--trainee",
        default="trainee",
        help="trainee name for the session and profile (default: %(default)s)",
    )
    p.add_argument(
        "--group",
        metavar="NAME",
        help="the trainee's group in the course (default: the profile's, from calibrate --group)",
    )
    p.add_argument(
        "--course",
        metavar="NAME",
        default="",
        help="the course the drill is run for (recorded with the drill)",
    )
    p.add_argument(
        "--model",
        default=None,
        help="Whisper model: tiny.en (English) or base (multilingual); default by the scenario's language",
    )
    p.add_argument("--max-turns", type=int, metavar="N", help="stop after N turns")
    p.add_argument("--quiet", action="store_true", help="print only the summary at the end")


def cmd_demo(args) -> int:
    return _run(args, scenario_ref=args.scenario, virtual=args.path, replies=None, live=False)


def cmd_drill(args) -> int:
    live = not args.replies and not args.virtual
    return _run(
        args, scenario_ref=args.scenario, virtual=args.virtual, replies=args.replies, live=live
    )


def _run(args, *, scenario_ref: str, virtual: str | None, replies: str | None, live: bool) -> int:
    from .. import paths
    from ..errors import ParameterError
    from ..store import Store
    from ..ui import TerminalEvents

    scenario, script = _load_inputs(scenario_ref, args)
    from ..course import check_name

    course = check_name(args.course, "course") if args.course else ""
    if args.max_turns is not None and args.max_turns < 1:
        raise ParameterError("--max-turns must be at least 1")
    if virtual and virtual not in scenario.trainee_paths:
        raise ParameterError(
            f"scenario '{scenario.id}' has no scripted trainee path '{virtual}'; "
            f"choose one of: {', '.join(sorted(scenario.trainee_paths))}"
        )
    data = paths.data_dir(args.data_dir)
    render_line = _line_renderer(scenario, data)
    transcriber = _transcriber(args.model, scenario.language)
    baseline = _load_profile(data, args.trainee)
    events = TerminalEvents(
        show_lines=not getattr(args, "hide_lines", False),
        verbose=not args.quiet,
        language=scenario.language,
        script=script,
    )
    if live:
        speaker, listener = _live_rig(args, script, events)
    elif replies:
        from ..headless import RecordedReplies, SilentSpeaker

        speaker, listener = SilentSpeaker(), RecordedReplies(replies)
    else:
        from .. import speak, tts
        from ..headless import SilentSpeaker, VirtualTrainee, virtual_delivery

        voice = speak.trainee_voice_for(scenario)
        cache = paths.cache_dir(data) / "tts"

        delivery = virtual_delivery(virtual)

        def render_reply(text: str):
            return tts.render(
                text, language=scenario.language, voice=voice, delivery=delivery, cache_dir=cache
            )

        speaker, listener = (
            SilentSpeaker(),
            VirtualTrainee(scenario, path=virtual, render=render_reply),
        )
        if baseline is None:  # the virtual trainee calibrates in its calm voice
            baseline = _virtual_baseline(
                scenario, lambda text: render_reply(text, virtual_delivery("good"))
            )
    store = Store(data)
    writer = store.start_session(
        scenario_id=scenario.id,
        scenario_text=scenario.path.read_text(encoding="utf-8"),
        scenario_path=str(scenario.path),
        script_text=script.text,
        script_hash=script.hash,
        script_path=str(script.path or ""),
        trainee=args.trainee,
        language=scenario.language,
        seed=args.seed,
        profile=baseline,
        mode="live" if live else ("replies" if replies else f"virtual:{virtual}"),
        course=course,
        group=args.group,
    )
    from ..drill import run_drill

    try:
        result = run_drill(
            scenario,
            script=script,
            speaker=speaker,
            listener=listener,
            transcriber=transcriber,
            render_line=render_line,
            writer=writer,
            seed=args.seed,
            baseline=baseline,
            events=events,
            max_turns=args.max_turns,
        )
    finally:
        if hasattr(listener, "close"):
            listener.close()
    if args.group:  # the trainee shows in that group on the course page
        from ..course import adopt_groups

        adopt_groups(data, store, [writer.id])
    print_notes(store)
    print(f"Scored with {script.path or 'the shipped scoring script'} (script {script.hash[:16]}).")
    return 0 if result.turns else 1


def _load_inputs(scenario_ref: str, args):
    """The scenario and scoring script, checked in full before a session folder exists:
    a mistake in either ends the command here, leaving no empty session behind."""
    import sys

    from ..scenario import load_scenario, resolve_scenario
    from ..scoring import detect_cues, load_script
    from ..types import Transcript, TurnContext

    path, notes = resolve_scenario(scenario_ref, data_dir=args.data_dir)
    for note in notes:
        print(f"voicedrill: note: {note}", file=sys.stderr)
    scenario = load_scenario(path, data_dir=args.data_dir)
    course_script = _course_script(args)
    script = load_script(args.script or course_script)  # an explicit --script wins
    # The script's extra phrases are compiled on first use: use them once now.
    detect_cues(
        Transcript(text="", language=scenario.language),
        TurnContext(scenario.language, ()),
        extra_phrases=script.extra_phrases(scenario.language),
    )
    return scenario, script


def _course_script(args):
    """The course's chosen scoring script when the trainee drills for the course; sets
    ``args.group`` to the drill's group (--group, else the profile's, else the roster's)."""
    from .. import paths
    from ..course import course_script, drill_group

    data = paths.data_dir(args.data_dir)
    args.group = drill_group(data, args.trainee, args.group)
    return None if args.script else course_script(data, args.trainee, group=args.group)


def _line_renderer(scenario, data):
    from .. import paths
    from ..speak import LineVoice  # a recorded take, else the neural voice, else espeak-ng

    return LineVoice(scenario, cache_dir=paths.cache_dir(data) / "tts", data_dir=data)


def _transcriber(model_name: str | None, language: str):
    from .. import asr

    name = model_name or ("tiny.en" if language == "en" else "base")
    return asr.Transcriber(asr.load_model(name), language)


def _virtual_baseline(scenario, render_reply):
    """The virtual trainee calibrates like a real one: a calm sentence in its own voice."""
    from ..calibrate import CALIBRATION_SENTENCES
    from ..scoring.prosody import measure_baseline

    return measure_baseline(render_reply(CALIBRATION_SENTENCES[scenario.language]))


def _load_profile(data, trainee: str):
    """The trainee's calibrated voice baseline, or None when they have not calibrated."""
    from ..calibrate import load_profile, profile_path

    if not profile_path(trainee, data).is_file():
        return None
    return load_profile(trainee, data).baseline


def _live_rig(args, script, events):
    from ..live import open_live

    return open_live(
        input_device=args.input,
        output_device=args.output,
        end_silence=args.end_silence
        if args.end_silence is not None
        else script.listening.end_of_turn_silence,
        max_reply_seconds=script.listening.max_reply_seconds,
        no_reply_timeout=script.listening.no_reply_timeout,
        on_level=events.level,
        barge_in=not args.no_barge_in,
    )
