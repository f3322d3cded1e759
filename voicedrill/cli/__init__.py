"""The ``voicedrill`` command: a thin layer over the library.

Each module in this package that defines ``register(subparsers, parents)`` adds its
commands; handlers take the parsed ``args`` and return an exit code. User mistakes
arrive as ``VoicedrillError`` and become one message and a non-zero exit here, and
only here.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import warnings

from .. import __version__
from ..errors import VoicedrillError


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data folder for sessions, profiles and caches (default: $VOICEDRILL_DATA or the user data directory)",
    )
    parser = argparse.ArgumentParser(
        prog="voicedrill",
        description="Offline voice drills for crisis and hostage negotiators.",
    )
    parser.add_argument("--version", action="version", version=f"voicedrill {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            modules.append(module)
    for module in sorted(modules, key=lambda m: getattr(m, "ORDER", 50)):
        module.register(sub, [common])
    return parser


_default_showwarning = warnings.showwarning


def _show_notice(message, category, filename, lineno, file=None, line=None) -> None:
    from ..errors import VoicedrillNotice

    if issubclass(category, VoicedrillNotice):
        print(f"voicedrill: note: {message}", file=sys.stderr)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


def main(argv: list[str] | None = None) -> int:
    warnings.showwarning = _show_notice  # VoicedrillNotice -> one "note:" line
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except VoicedrillError as e:
        print(f"voicedrill: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("voicedrill: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
