"""The command line: every command has help, user mistakes never show a traceback,
and the light commands do not import the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

from voicedrill.cli import build_parser

HEAVY = ("torch", "whisper", "sounddevice", "pyttsx3", "librosa")


def _run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voicedrill", *args], capture_output=True, text=True, timeout=300, **kw)


def _commands() -> list[tuple[str, ...]]:
    parser = build_parser()
    out = []
    for action in parser._subparsers._group_actions:
        for name, sub in action.choices.items():
            out.append((name,))
            if sub._subparsers is not None:
                for a in sub._subparsers._group_actions:
                    out.extend((name, n) for n in a.choices)
    return out


def test_the_expected_commands_exist():
    names = {c[0] for c in _commands()}
    expected = {"demo", "drill", "transcribe", "models", "analyze", "eval-cues", "scenarios",
                "sessions", "report", "history", "rescore", "devices", "calibrate"}
    assert expected <= names, f"missing commands: {sorted(expected - names)}"


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c))
def test_every_command_has_help(command):
    parser = build_parser()
    with pytest.raises(SystemExit) as exc:
        parser.parse_args([*command, "--help"])
    assert exc.value.code == 0


def test_every_subcommand_has_a_help_line():
    parser = build_parser()
    for action in parser._subparsers._group_actions:
        for choice in action._choices_actions:
            assert choice.help, f"`voicedrill {choice.dest}` has no help text"


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys; from voicedrill.cli import build_parser; build_parser(); "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_command_is_a_usage_error():
    result = _run("no-such-command")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
