"""Commands ``devices`` (list sound devices) and ``calibrate`` (noise floor and voice baseline)."""

from __future__ import annotations

import sys

ORDER = 60


def register(subparsers, parents) -> None:
    p = subparsers.add_parser(
        "devices",
        parents=parents,
        help="list microphones and speakers",
        description="List the sound devices PortAudio sees: index, name, input and output "
        "channels, default sample rate; the default input and output are marked. "
        "Choose one for drill/calibrate with --input/--output, by index or part of its name.",
    )
    p.set_defaults(func=_devices)

    c = subparsers.add_parser(
        "calibrate",
        parents=parents,
        help="measure the room's noise and your calm voice",
        description="Record a few seconds of room silence (the noise floor), then you reading one "
        "sentence aloud in your normal, calm voice (pitch, loudness, rate). Saved as your "
        "profile (<data folder>/profiles/NAME.json) for scoring vocal calm. Warns when the "
        "input is too quiet, clipping or too noisy.",
    )
    c.add_argument(
        "--trainee",
        metavar="NAME",
        default=None,
        help="whose profile this is (default: your login name)",
    )
    c.add_argument(
        "--input",
        metavar="DEV",
        default=None,
        help="microphone: index or part of the name from `voicedrill devices` (default: the system's)",
    )
    c.add_argument(
        "--language",
        default="en",
        choices=["en", "ru"],
        help="language of the sentence (default: en)",
    )
    c.add_argument(
        "--silence-seconds",
        type=float,
        default=3.0,
        metavar="S",
        help="how long to measure the room's silence (default: 3)",
    )
    c.add_argument(
        "--wait-seconds",
        type=float,
        default=15.0,
        metavar="S",
        help="how long to wait for you to start reading (default: 15)",
    )
    c.add_argument(
        "--group",
        metavar="NAME",
        default="",
        help="your group in the course: the default group of your drills (drill --group overrides it)",
    )
    c.add_argument(
        "--no-transcribe",
        action="store_true",
        help="do not transcribe the sentence (no words-per-minute baseline)",
    )
    c.set_defaults(func=_calibrate)


def _devices(args) -> int:
    from ..capture import format_devices, list_devices

    devices = list_devices()
    print(format_devices(devices))
    if not any(d.max_input_channels for d in devices):
        print(
            "No microphone found. Drill headless instead: voicedrill drill SCENARIO --replies DIR"
        )
    return 0


def _meter(db: float) -> None:
    if not sys.stdout.isatty():
        return
    filled = int(max(0.0, min(1.0, (db + 60.0) / 60.0)) * 30)
    sys.stdout.write(f"\r  level [{'#' * filled}{'.' * (30 - filled)}] {db:6.1f} dBFS ")
    sys.stdout.flush()


def _calibrate(args) -> int:
    from ..calibrate import CALIBRATION_SENTENCES, calibrate, check_trainee_name
    from ..errors import ParameterError

    for name in ("silence_seconds", "wait_seconds"):
        value = getattr(args, name)
        if not 0.5 <= value <= 120:
            raise ParameterError(
                f"--{name.replace('_', '-')} must be between 0.5 and 120 seconds, got {value}."
            )
    trainee = check_trainee_name(args.trainee or _login_name())
    sentence = CALIBRATION_SENTENCES[args.language]
    transcriber = None if args.no_transcribe else _transcriber(args.language)

    def step(name: str) -> None:
        if name == "silence":
            print(
                f"Calibrating for {trainee}. Stay quiet for {args.silence_seconds:g} s: measuring the room..."
            )
        elif name == "sentence":
            if sys.stdout.isatty():
                sys.stdout.write("\n")
            print("Now read this aloud in your normal, calm voice:\n")
            print(f"    {sentence}\n")
        sys.stdout.flush()

    calibration, path = calibrate(
        trainee=trainee,
        device=args.input,
        language=args.language,
        data_dir=args.data_dir,
        transcriber=transcriber,
        silence_seconds=args.silence_seconds,
        wait_seconds=args.wait_seconds,
        on_level=_meter,
        on_step=step,
        group=args.group,
    )
    if sys.stdout.isatty():
        sys.stdout.write("\n")
    b = calibration.baseline
    print(f"Microphone:   {calibration.device}")
    print(f"Room noise:   {calibration.noise_floor_db:.1f} dBFS")
    print(
        f"Your speech:  {calibration.speech_level_db:.1f} dBFS ({calibration.snr_db:.0f} dB above the room)"
    )
    print(
        f"Your voice:   pitch {b.pitch_median_hz:.0f} Hz (spread {b.pitch_spread_st:.1f} semitones), "
        f"loudness {b.loudness_db:.1f} dBFS"
        + (f", {b.words_per_minute:.0f} words/min" if b.words_per_minute else "")
    )
    for warning in calibration.warnings:
        print(f"warning: {warning}")
    if calibration.group:
        print(
            f"Group:        {calibration.group} (your drills record it; drill --group overrides it)"
        )
    print(f"Saved profile: {path}")
    return 0


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment
        return "trainee"


def _transcriber(language: str):
    """Whisper for the words-per-minute baseline, or None (with a note) when not installed."""
    try:
        from .. import asr
        from ..errors import VoicedrillError

        name = "tiny.en" if language == "en" else "base"
        model = asr.load_model(name)
        return asr.Transcriber(model, language)
    except ImportError:
        return None
    except VoicedrillError as e:
        print(f"note: no words-per-minute baseline ({e})", file=sys.stderr)
        return None
