"""The turns a report shows, from whatever the caller has: a stored ``store.Session``, a
``drill.DrillResult`` or a list of ``turn.Turn`` (the drill loop's or stored ones).

Every page and table works on ``turn.Turn``; a turn's number on the page is its 1-based
position in the drill (``enumerate(turns, 1)``), never a stored field.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from ..turn import AudioSource, Turn


def turns_of(session_or_turns: Any) -> tuple[tuple[Turn, ...], Any | None]:
    """(the turns, the stored Session or None) from a Session, a DrillResult or turns."""
    if hasattr(session_or_turns, "meta") and hasattr(session_or_turns, "turns"):  # store.Session
        return _turns(session_or_turns.turns), session_or_turns
    if hasattr(session_or_turns, "turns") and hasattr(
        session_or_turns, "session_dir"
    ):  # drill.DrillResult
        return _turns(session_or_turns.turns), None
    if isinstance(session_or_turns, (str, os.PathLike)):
        raise TypeError(
            "pass a loaded store.Session, not a path; use Store(data_dir).load_session(id)"
        )
    return _turns(list(session_or_turns)), None


def _turns(turns: Iterable[Any]) -> tuple[Turn, ...]:
    out = tuple(turns)
    for t in out:
        if not isinstance(t, Turn):
            raise TypeError(f"cannot show {type(t).__name__} as a turn; pass turn.Turn records")
    return out


def language_of(turns: Sequence[Turn], session: Any = None, default: str = "en") -> str:
    """The drill's language: the session's, else the transcripts', else ``default``."""
    from ..lang import LANGUAGES

    if session is not None and session.language in LANGUAGES:
        return session.language
    for t in turns:
        if t.transcript.language in LANGUAGES:
            return t.transcript.language
    return default


__all__ = ["AudioSource", "Turn", "language_of", "turns_of"]
