"""The command line: every command has help, user mistakes never show a traceback,
and the light commands do not import the heavy libraries."""

from __future__ import annotations

import os
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


# --- what a drill prints -----------------------------------------------------------------------


def test_quiet_prints_only_the_summary_and_the_hint_is_runnable(tmp_path, monkeypatch):
    import io
    import shlex

    from tests.fixtures_store import record
    from voicedrill.drill import DrillResult
    from voicedrill.scenario import load_scenario
    from voicedrill.ui import TerminalEvents, report_command

    scenario = load_scenario("barricaded_subject")
    records = tuple(record(i) for i in range(2))
    session_dir = tmp_path / "elsewhere" / "sessions" / "20260101-000000-abcd"
    result = DrillResult("20260101-000000-abcd", str(session_dir), records, None,
                         "stopped after 2 turns (--max-turns)", 55.0, "stopped after 2 turns (--max-turns)")
    outputs = {}
    for verbose in (True, False):
        stream = io.StringIO()
        ev = TerminalEvents(stream=stream, verbose=verbose, language="en")
        ev.briefing(scenario)
        for i, r in enumerate(records):
            ev.line(r.line, i), ev.listening(), ev.thinking(), ev.turn(r)
        ev.ended(result)
        outputs[verbose] = stream.getvalue()
    assert "[turn 1]" in outputs[True] and "score 50/100" in outputs[True]
    quiet = outputs[False]
    assert "[turn" not in quiet and "score 50/100" not in quiet and scenario.title not in quiet
    assert "Drill score 55/100" in quiet and "Session saved:" in quiet
    # the hint names how this program was started, and the data folder it used
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "bin" / "python"), "-m"])
    hint = report_command(result)
    assert hint.endswith(f"report 20260101-000000-abcd --data-dir {shlex.quote(str(tmp_path / 'elsewhere'))}")
    words = shlex.split(hint)
    assert words[0] in (sys.executable, os.path.relpath(sys.executable)) and words[1:3] == ["-m", "voicedrill"]


def test_drill_scores_with_the_course_script_and_records_the_group(tmp_path):
    """A trainee of the course (in the roster, or with a group: --group or the calibration
    profile's) drills with the course's chosen script; --script still wins; a real demo
    drill records the group and course and says which script scored it."""
    import json

    from voicedrill import course
    from voicedrill.calibrate import Calibration, save_profile
    from voicedrill.cli.drill import _options
    from voicedrill.session import load_inputs
    from voicedrill.scoring import load_script
    from voicedrill.store import Store
    from voicedrill.types import VoiceBaseline

    d = tmp_path / "data"
    chosen = course.save_script(d, "course_a", "# the course's script\n")
    course.set_script(d, str(chosen))
    other = tmp_path / "mine.yaml"
    other.write_text("# explicit\n", encoding="utf-8")

    def inputs(*extra):
        args = build_parser().parse_args(["drill", "barricaded_subject", "--virtual", "good", "--data-dir", str(d), *extra])
        loaded = load_inputs(_options(args, "barricaded_subject", mode="virtual", virtual_path="good"))
        return loaded, loaded.script

    args, script = inputs("--trainee", "zed")  # not of the course: the shipped script
    assert script.path != chosen and args.group == ""
    save_profile(Calibration("anna", "en", "mic", -60.0, -20.0, 40.0, 0.0, VoiceBaseline(180.0, 2.0, -20.0, 3.0),
                             (), "sentence", "2026-11-29T00:00:00Z", group="B"), d)
    args, script = inputs("--trainee", "anna")
    assert args.group == "B" and script.path == chosen and script.hash == load_script(chosen).hash
    args, script = inputs("--trainee", "anna", "--group", "A")
    assert args.group == "A" and script.path == chosen
    args, script = inputs("--trainee", "anna", "--script", str(other))
    assert args.group == "B" and script.path == other
    bad = _run("drill", "barricaded_subject", "--virtual", "good", "--trainee", "anna", "--group", "<b>", "--data-dir", str(d))
    assert bad.returncode == 2 and "group '<b>'" in bad.stderr and "Traceback" not in bad.stderr

    done = _run("demo", "--max-turns", "1", "--quiet", "--trainee", "anna", "--course", "Spring", "--data-dir", str(d))
    assert done.returncode == 0, done.stderr
    assert f"Scored with {chosen}" in done.stdout
    (s,) = Store(d).list_sessions()
    meta = json.loads((d / "sessions" / s.id / "session.json").read_text())
    assert (meta["group"], meta["course"], meta["script_hash"]) == ("B", "Spring", load_script(chosen).hash)
    assert course.load_roster(d).group_of("anna") == "B"  # the course page shows anna in group B
