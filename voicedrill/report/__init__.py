"""The debrief: an HTML report of one drill, the terminal summary, and a trainee's history.

Public API:

- ``render_report(session, *, script=None, audio="flac") -> str``: the self-contained
  HTML debrief of a stored ``store.Session``.
- ``write_report(session, path=None, **options) -> Path``: write it (default
  ``<session folder>/debrief.html``) atomically.
- ``terminal_summary(session_or_records, *, color=None, language=None, script=None) -> str``:
  the table printed after a drill, from a ``store.Session``, a ``drill.DrillResult`` or
  the drill loop's list of ``turn.Turn``.
- ``render_history_html(entries, ...)`` / ``history_text(entries, ...)``: progress over
  drills from ``Store.history(trainee)``.

Modules: view (what to show -> ``turn.Turn``s), labels (report.yaml wording), targets (bands
from the scoring script), svg (charts), transcript (cue highlighting), media (audio as
data: URIs), coaching (three points), page (HTML shell), debrief (the report page),
history, terminal.
"""

from __future__ import annotations

import os
from pathlib import Path

from .debrief import render_report
from .history import history_text, render_history_html

REPORT_NAME = "debrief.html"


def terminal_summary(
    session_or_records, *, color: bool | None = None, language: str | None = None, script=None
) -> str:
    """The per-turn table (turn, cues, wpm, latency, calm, score) as text.

    ``color=None`` colours only when stdout is a terminal that supports it (TTY, TERM not
    "dumb", NO_COLOR unset). A stored session also gets its drill score, outcome and an
    "incomplete" line; a list of records (the drill loop's) gets the table alone.
    """
    from .labels import labels_for
    from .targets import targets_for
    from .terminal import footer, supports_color, table
    from .view import language_of, turns_of

    turns, session = turns_of(session_or_records)
    if color is None:
        color = supports_color()
    labels = labels_for(language or language_of(turns, session))
    targets = targets_for(script, session)
    text = table(turns, labels, targets, color=color)
    if session is not None:
        text += "\n" + "\n".join(footer(session, labels, color=color))
    return text


def write_report(session, path: str | os.PathLike | None = None, **options) -> Path:
    """Render the debrief of ``session`` (options as ``render_report``) and write it;
    default path ``<session folder>/debrief.html``. Returns the file's path."""
    path = Path(path) if path is not None else Path(session.path) / REPORT_NAME
    return write_page(render_report(session, **options), path)


def write_page(html: str, path: str | os.PathLike) -> Path:
    """Write an HTML page atomically (temporary file + rename); StoreError when it cannot."""
    from ..errors import StoreError
    from ..fsutil import write_atomic

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, html)
    except OSError as e:
        raise StoreError(
            f"{path}: cannot write the page ({e}). Choose another file with -o."
        ) from e
    return path


__all__ = [
    "render_report",
    "write_report",
    "write_page",
    "terminal_summary",
    "render_history_html",
    "history_text",
    "REPORT_NAME",
]
