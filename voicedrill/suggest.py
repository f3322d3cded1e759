"""The one "did you mean ...?" helper for messages about a mistyped name (a leaf module)."""

from __future__ import annotations

import difflib
from typing import Iterable


def closest(word: object, choices: Iterable[object], *, cutoff: float = 0.6) -> str | None:
    """The choice most like ``word`` (difflib ratio at least ``cutoff``), or None."""
    known = [str(c) for c in choices]
    found = difflib.get_close_matches(str(word), known, n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(
    word: object, choices: Iterable[object], otherwise: str = "", *, cutoff: float = 0.6
) -> str:
    """``did you mean 'x'?`` for the closest choice, else ``otherwise``."""
    close = closest(word, choices, cutoff=cutoff)
    return f"did you mean '{close}'?" if close else otherwise


__all__ = ["closest", "did_you_mean"]
