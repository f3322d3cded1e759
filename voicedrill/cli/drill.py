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
    return _run(args, _options(args, args.scenario, mode="virtual", virtual_path=args.path))


def cmd_drill(args) -> int:
    from ..session import LiveOptions

    if args.replies:
        return _run(args, _options(args, args.scenario, mode="replies", replies=args.replies))
    if args.virtual:
        return _run(args, _options(args, args.scenario, mode="virtual", virtual_path=args.virtual))
    live = LiveOptions(
        input_device=args.input,
        output_device=args.output,
        end_silence=args.end_silence,
        barge_in=not args.no_barge_in,
    )
    return _run(args, _options(args, args.scenario, mode="live", live=live))


def _options(args, scenario: str, **how):
    """The drill the command line asks for (options common to `demo` and `drill`, plus ``how``)."""
    from ..session import DrillOptions

    return DrillOptions(
        scenario=scenario,
        script=args.script,
        trainee=args.trainee,
        group=args.group,
        course=args.course,
        seed=args.seed,
        model=args.model,
        max_turns=args.max_turns,
        data_dir=args.data_dir,
        **how,
    )


def _run(args, options) -> int:
    from .. import paths, session
    from ..store import Store
    from ..ui import TerminalEvents

    inputs = session.load_inputs(options)
    events = TerminalEvents(
        show_lines=not getattr(args, "hide_lines", False),
        verbose=not args.quiet,
        language=inputs.scenario.language,
        script=inputs.script,
    )
    drill = session.assemble(options, inputs, events=events)
    store = Store(paths.data_dir(args.data_dir))
    result = session.run(drill, store, events=events)
    print_notes(store)
    answered = getattr(drill.listener, "answer_gaps", None)
    gaps = answered() if callable(answered) else []
    if gaps:  # the demo's trainee is heard as a live one: how quickly the perpetrator answered
        import numpy as np

        p50, p95 = (float(np.percentile(gaps, q)) for q in (50, 95))
        print(
            f"The perpetrator answered {p50:.2f} s after the end of a reply at the median "
            f"({p95:.2f} s at the 95th percentile, {len(gaps)} replies)."
        )
    script = inputs.script
    print(f"Scored with {script.path or 'the shipped scoring script'} (script {script.hash[:16]}).")
    return 0 if result.turns else 1
