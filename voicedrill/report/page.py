"""The HTML shell shared by the debrief and history pages: one self-contained file.

The stylesheet (``style.css`` beside this module) is inlined; the page has no
scripts and loads nothing from the network (a Content-Security-Policy says so).
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

from .labels import Labels

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; media-src data:"


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (Path(__file__).resolve().parent / "style.css").read_text(encoding="utf-8")


def page(title: str, body: str, labels: Labels) -> str:
    """A complete HTML document with ``body`` (already HTML) inside ``<main>``."""
    from .. import __version__

    lang = escape(labels.data["format"]["html_lang"])
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="voicedrill {escape(__version__)}">\n'
        f"<title>{escape(title)}</title>\n<style>\n{stylesheet()}</style>\n</head>\n<body>\n<main>\n"
        f"{body}\n"
        f'<footer class="page">{escape(labels.text("page.generated", version=__version__))} · '
        f'{escape(labels.text("page.no_javascript"))}</footer>\n</main>\n</body>\n</html>\n'
    )


def score_band(score: float | None) -> str:
    """ "good" (>= 70), "mid" (>= 40), "bad" or "none": the colour of a 0..100 score."""
    if score is None:
        return "none"
    return "good" if score >= 70 else "mid" if score >= 40 else "bad"
