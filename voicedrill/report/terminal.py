"""The summary table printed at the end of a drill (turn, cues, wpm, latency, calm, score).

Colours (ANSI) only where the terminal supports them: a TTY, ``TERM`` not "dumb" and
``NO_COLOR`` unset; plain text otherwise (pipes, files, CI logs).
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
import unicodedata
from typing import Sequence

from ..turn import Turn
from .labels import Labels
from .targets import Targets

RESET = "\033[0m"
STYLES = {
    "helpful": "\033[32m",  # green
    "harmful": "\033[31m",  # red
    "neutral": "\033[90m",  # grey
    "good": "\033[32m",
    "mid": "\033[33m",  # yellow
    "bad": "\033[31m",
    "dim": "\033[2m",
    "bold": "\033[1m",
}
_ANSI = re.compile(r"\033\[[0-9;]*m")
CUES_WIDTH = 38  # characters of the cue column before it wraps


def supports_color(stream=None) -> bool:
    """True when ``stream`` (default stdout) is a terminal that shows ANSI colours."""
    stream = sys.stdout if stream is None else stream
    if os.environ.get("NO_COLOR") is not None:
        return False
    if os.environ.get("TERM", "") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed stream
        return False


def visible_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (ANSI codes take none; wide characters two)."""
    plain = _ANSI.sub("", text)
    return sum(
        2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
        for ch in plain
    )


def score_style(score: float | None) -> str:
    if score is None:
        return "dim"
    return "good" if score >= 70 else "mid" if score >= 40 else "bad"


def table(turns: Sequence[Turn], labels: Labels, targets: Targets, *, color: bool) -> str:
    """The per-turn table as text, one row per turn (a long cue list wraps inside its column)."""

    def paint(text: str, style: str) -> str:
        return f"{STYLES[style]}{text}{RESET}" if color and style in STYLES else text

    header = [
        labels.text(f"table.{k}") for k in ("turn", "cues", "wpm", "latency", "calm", "score")
    ]
    rows: list[list[list[str]]] = []  # row -> column -> lines
    for number, t in enumerate(turns, start=1):
        cue_parts = []
        seen = set()
        for cue in t.score.cues:
            if cue.name in seen:
                continue
            seen.add(cue.name)
            sign = {"helpful": "+", "harmful": "−"}.get(cue.kind, "·")
            cue_parts.append((f"{sign}{labels.cue_name(cue.name)}", cue.kind))
        cue_lines = _wrap_parts(cue_parts, CUES_WIDTH, paint) or [paint("—", "dim")]
        wpm = t.wpm
        lo, hi = targets.wpm
        wpm_text = (
            paint(labels.num(wpm), "good" if lo <= wpm <= hi else "bad")
            if wpm is not None
            else paint("—", "dim")
        )
        latency = t.reply_latency
        if latency is None:
            lat_text = paint("—", "dim")
        else:
            late = t.interrupted or latency > targets.latency[1]
            lat_text = paint(
                labels.text("turn.latency_value", seconds=labels.num(latency, 1)),
                "bad" if late else "good",
            )
        calm = t.calm
        calm_text = (
            paint(labels.num(calm, 2), "good" if calm >= targets.calm_good else "mid")
            if calm is not None
            else paint("—", "dim")
        )
        score_text = paint(labels.num(t.score.score), score_style(t.score.score))
        rows.append([[str(number)], cue_lines, [wpm_text], [lat_text], [calm_text], [score_text]])
    widths = [visible_width(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], *(visible_width(line) for line in cell))
    right = {0, 2, 3, 4, 5}

    def fmt(cells: list[str]) -> str:
        out = []
        for i, text in enumerate(cells):
            pad = " " * (widths[i] - visible_width(text))
            out.append(pad + text if i in right else text + pad)
        return "  ".join(out).rstrip()

    lines = [fmt([paint(h, "bold") for h in header]), "  ".join("─" * w for w in widths)]
    for row in rows:
        height = max(len(cell) for cell in row)
        for k in range(height):
            lines.append(fmt([cell[k] if k < len(cell) else "" for cell in row]))
    return "\n".join(lines)


def _wrap_parts(parts: list[tuple[str, str]], width: int, paint) -> list[str]:
    """Join coloured cue names with ", " into lines no wider than ``width``."""
    lines: list[str] = []
    current, used = "", 0
    for text, kind in parts:
        piece = paint(text, kind)
        w = visible_width(text)
        if current and used + 2 + w > width:
            lines.append(current + ",")
            current, used = piece, w
        else:
            current = f"{current}, {piece}" if current else piece
            used += (2 if used else 0) + w
    if current:
        lines.append(current)
    return lines


def footer(session, labels: Labels, *, color: bool) -> list[str]:
    """Drill score, outcome and an incomplete warning for a stored session."""
    out = []
    score = session.drill_score
    text = labels.text(
        "table.drill_score",
        score=labels.num(score) if score is not None else labels.text("summary.no_score"),
    )
    out.append(f"{STYLES['bold']}{text}{RESET}" if color else text)
    if session.complete:
        outcome = session.outcome or labels.text("outcomes.unknown")
        out.append(labels.text("table.outcome", outcome=outcome))
        if session.outcome_text:
            out.extend(textwrap.wrap(session.outcome_text, 88))
    else:
        warn = labels.text("table.incomplete")
        out.append(f"{STYLES['bad']}{warn}{RESET}" if color else warn)
    return out
