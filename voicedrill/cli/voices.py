"""Command ``voices list``: the perpetrator's TTS voices (``models install`` installs the neural one)."""

from __future__ import annotations

ORDER = 81


def register(subparsers, parents) -> None:
    p = subparsers.add_parser(
        "voices",
        parents=parents,
        help="list the perpetrator's voices (neural English, espeak-ng)",
        description=(
            "The perpetrator speaks with a recorded take where an instructor recorded one "
            "(voicedrill scenarios record), else with the scenario's TTS voice: the neural English "
            "voice by default for English, espeak-ng for other languages and whenever the neural "
            "voice is missing. Install the neural voice with: voicedrill models install en_US-joe-medium"
        ),
    )
    sub = p.add_subparsers(dest="voices_command", metavar="ACTION")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    lst = sub.add_parser(
        "list",
        parents=parents,
        help="show the neural voices and espeak-ng's voices for a language",
        description="Show the neural voices (installed or not) and espeak-ng's voices.",
    )
    lst.add_argument(
        "--language", default="en", help="espeak-ng voices for this language (default: en)"
    )
    lst.set_defaults(func=_list)


def _list(args) -> int:
    from .. import neural, tts

    print("Neural voices (id for a scenario's voice: name:):")
    for name, entry in neural.CATALOG.items():
        state = "installed" if neural.is_installed(name) else neural.install_hint(name)
        print(f"  {neural.PREFIX}{name:<22} {entry.language}  {entry.gender:<6}  {state}")
    print(f"espeak-ng voices for {args.language!r} (add +f2, +f4, +m3, ... for a variant):")
    for v in tts.voices(args.language):
        print(f"  {v.id:<24} {v.name}")
    return 0
