"""HTML pieces for the web pages: every text from a transcript, scenario, name or file is
escaped here (``h``), and attributes are quoted. Pages are plain server-rendered HTML;
the one script and stylesheet come from the package (``/static/``)."""

from __future__ import annotations

from html import escape
from typing import Iterable, Sequence
from urllib.parse import quote, urlencode

from ..report.page import score_band


def h(value) -> str:
    """Escaped text (None -> "")."""
    return "" if value is None else escape(str(value), quote=True)


def url(path: str, **params) -> str:
    """``path`` with query ``params`` (None values left out), escaped for an attribute."""
    q = {k: v for k, v in params.items() if v is not None and v != ""}
    return h(path + ("?" + urlencode(q) if q else ""))


def href(path: str, **params) -> str:
    """``path`` with query ``params``, not escaped (for a Location header)."""
    q = {k: v for k, v in params.items() if v is not None and v != ""}
    return path + ("?" + urlencode(q) if q else "")


def seg(value: str) -> str:
    """One URL path segment."""
    return quote(str(value), safe="")


def num(value, digits: int = 1, none: str = "—") -> str:
    return none if value is None else f"{value:.{digits}f}"


def score_pill(score) -> str:
    return f'<span class="pill {score_band(score)}-bg">{h(num(score))}</span>'


def cue_tags(names: Iterable[str], none: str = "—") -> str:
    from ..scoring.names import CUE_NAMES, cue_kind

    out = [
        f'<span class="cue-tag k-{cue_kind(n) if n in CUE_NAMES else "neutral"}">{h(n)}</span>'
        for n in names
    ]
    return " ".join(out) or f'<span class="muted">{h(none)}</span>'


def csrf_field(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{h(token)}">'


def layout(
    title: str,
    body: str,
    t,
    *,
    who: str = "",
    instructor: bool = True,
    flash: str = "",
    error: str = "",
) -> str:
    """A whole page; ``t`` gives the labels (web.text.Text), ``who`` is HTML."""
    links = [
        ("/", "nav.course"),
        ("/critique", "nav.critique"),
        ("/annotate", "nav.annotate"),
        ("/scripts", "nav.scripts"),
    ]
    if not instructor:
        links = [("/", "nav.my_drills")]
    nav = "".join(f'<a href="{a}">{t(k)}</a>' for a, k in links)
    msgs = ""
    if flash:
        msgs += f'<div class="flash ok" role="status">{h(flash)}</div>'
    if error:
        msgs += f'<div class="flash err" role="alert">{h(error)}</div>'
    who_html = f'<span class="who">{who}</span>' if who else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{h(t.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{h(title)} · voicedrill</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/static/app.css">'
        f'<script src="/static/app.js" defer></script></head><body>'
        f'<nav class="top"><b>voicedrill</b>{nav}{who_html}</nav><main>{msgs}{body}</main></body></html>'
    )


def table(
    head: Sequence[tuple[str, str]], rows: Iterable[str], *, css: str = "data", attrs: str = ""
) -> str:
    """A table; ``head`` is (label HTML, css class) pairs; ``rows`` are ready ``<tr>`` strings."""
    ths = "".join(f'<th class="{c}">{label}</th>' for label, c in head)
    return f'<table class="{css}"{attrs}><thead><tr>{ths}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def pager(t, path: str, page: int, pages: int, **params) -> str:
    if pages <= 1:
        return ""
    prev = (
        f'<a href="{url(path, page=page - 1, **params)}" rel="prev">{t("common.previous")}</a>'
        if page > 1
        else ""
    )
    nxt = (
        f'<a href="{url(path, page=page + 1, **params)}" rel="next">{t("common.next")}</a>'
        if page < pages
        else ""
    )
    return f'<div class="pager">{prev}<span>{t("common.page_of", page=page, pages=pages)}</span>{nxt}</div>'


def paginate(items: Sequence, page: int, per_page: int) -> tuple[Sequence, int, int]:
    """(the items of ``page``, the page shown, number of pages)."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    return items[(page - 1) * per_page : page * per_page], page, pages
