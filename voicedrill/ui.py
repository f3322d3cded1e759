"""What a drill shows in the terminal: briefing, perpetrator lines, state, turn feedback."""

from __future__ import annotations

import os
import sys
import textwrap
import time

from .drill import DrillEvents, DrillResult


def use_color(stream=None) -> bool:
    """ANSI colors only on a terminal that supports them (and never with NO_COLOR set)."""
    stream = stream or sys.stdout
    return stream.isatty() and os.environ.get("TERM", "") != "dumb" and "NO_COLOR" not in os.environ


class TerminalEvents(DrillEvents):
    """Prints the drill as it happens. ``show_lines=False`` hides the perpetrator's text
    (real negotiators only hear him); ``verbose`` adds each turn's transcript and cues."""

    def __init__(
        self,
        *,
        show_lines: bool = True,
        stream=None,
        verbose: bool = True,
        language: str | None = None,
        script=None,
    ):
        self.stream = stream or sys.stdout
        self.language = language
        self.script = script
        self.show_lines = show_lines
        self.verbose = verbose
        self.color = use_color(self.stream)
        self._last_meter = 0.0
        self._meter_shown = False

    def _p(self, text: str = "", style: str = "") -> None:
        codes = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}
        if self.color and style:
            text = f"\033[{codes[style]}m{text}\033[0m"
        print(text, file=self.stream, flush=True)

    def briefing(self, scenario) -> None:
        if not self.verbose:
            return
        self._p(f"== {scenario.title} ==", "bold")
        for para in str(scenario.briefing).strip().split("\n"):
            self._p(textwrap.fill(para, 88))
        self._p()

    def line(self, line, turn_index: int) -> None:
        if not self.verbose:
            return
        shown = line.text if self.show_lines else "(listen)"
        self._p(
            f"[turn {turn_index + 1}] perpetrator (agitation {line.agitation:.2f}): {shown}", "cyan"
        )

    def listening(self) -> None:
        if not self.verbose:
            return
        self._p("  ... listening", "dim")

    def level(self, dbfs: float) -> None:
        """A live input meter on one terminal line, redrawn at most 10 times a second."""
        now = time.monotonic()
        if not self.stream.isatty() or now - self._last_meter < 0.1:
            return
        self._last_meter = now
        filled = int(max(0.0, min(1.0, (dbfs + 60.0) / 60.0)) * 30)
        bar = "#" * filled + "." * (30 - filled)
        print(f"\r  mic [{bar}] {dbfs:6.1f} dBFS", end="", file=self.stream, flush=True)
        self._meter_shown = True

    def thinking(self) -> None:
        if self._meter_shown:
            print(file=self.stream)
            self._meter_shown = False
        if self.verbose:
            self._p("  ... thinking", "dim")

    def turn(self, record) -> None:
        if not self.verbose:  # --quiet: only the summary at the end
            return
        score = record.score
        reply = record.reply
        text = record.transcript.text or "(silence)"
        self._p(f"  you: {text}")
        latency = f"{reply.latency:.2f} s" if reply.latency is not None else "-"
        wpm = f"{score.pacing.words_per_minute:.0f}" if score.pacing.words_per_minute else "-"
        cues = ", ".join(score.cue_names()) or "no cues"
        style = "green" if score.score >= 70 else "yellow" if score.score >= 40 else "red"
        self._p(
            f"  score {score.score:.0f}/100 | {cues} | {score.pacing.words} words, {wpm} wpm,"
            f" latency {latency} | agitation {record.agitation_before:.2f} -> {record.agitation_after:.2f}",
            style,
        )
        for sentence in score.feedback:
            self._p(f"  - {sentence}", "dim")

    def ended(self, result: DrillResult) -> None:
        from .report import terminal_summary

        self._p()
        self._p(
            terminal_summary(result, color=self.color, language=self.language, script=self.script)
        )
        total = f"{result.drill_score:.0f}/100" if result.drill_score is not None else "-"
        ending = result.outcome or result.stopped or "no outcome"
        self._p(f"Outcome: {ending}. Drill score {total}.", "bold")
        if result.outcome_text and result.outcome:
            self._p(textwrap.fill(result.outcome_text, 88))
        self._p(f"Session saved: {result.session_dir}")
        self._p(f"Debrief: {report_command(result)}")


def voicedrill_command() -> str:
    """How to run voicedrill again from this shell: ``voicedrill`` when that is on PATH and is
    this program, else the path it was started by (``.venv/bin/voicedrill``, ``python -m voicedrill``)."""
    import shlex
    import shutil
    from pathlib import Path

    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == "voicedrill" and argv0.is_file():
        found = shutil.which("voicedrill")
        if found and Path(found).resolve() == argv0.resolve():
            return "voicedrill"
        return shlex.quote(str(argv0))
    exe = sys.executable or "python3"
    try:
        rel = os.path.relpath(exe)
        exe = rel if not rel.startswith("..") else exe
    except ValueError:
        pass
    return f"{shlex.quote(exe)} -m voicedrill"


def report_command(result) -> str:
    """The command that writes this drill's debrief, runnable as printed (with --data-dir when
    the session is not in the default data folder)."""
    import shlex
    from pathlib import Path

    cmd = f"{voicedrill_command()} report {result.session_id}"
    if result.session_dir:
        data = Path(result.session_dir).parent.parent
        try:
            from .paths import data_dir

            default = data_dir(None).resolve()
        except OSError:
            default = None
        if data.resolve() != default:
            cmd += f" --data-dir {shlex.quote(str(data))}"
    return cmd
