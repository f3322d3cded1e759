"""A trainee's progress across drills, from ``Store.history(trainee)`` (``store.HistoryPoint``s):
drill score, helpful and harmful cues per turn, pace and calm over time, as an HTML page
with SVG plots and as terminal text with a sparkline.
"""

from __future__ import annotations

import statistics
from html import escape
from typing import Sequence, TypedDict

from . import svg
from .labels import Labels, labels_for
from .page import page, score_band
from .targets import Targets, targets_for
from .terminal import RESET, STYLES, visible_width

_SPARK = "▁▂▃▄▅▆▇█"
TREND_DRILLS = 10  # drills compared for the trend sentence (first half vs second half)


class _ChartFrame(TypedDict):
    """The arguments every history chart shares (``svg.line_chart``'s keywords)."""

    x_labels: Sequence[str]
    x_title: str
    width: int
    height: int


def _kinds() -> tuple[frozenset, frozenset]:
    from ..scoring.names import HARMFUL, HELPFUL

    return frozenset(HELPFUL), frozenset(HARMFUL)


def cue_rates(entry) -> tuple[float, float]:
    """(helpful, harmful) cues per turn of one drill: sums of its per-cue rates."""
    helpful, harmful = _kinds()
    rates = entry.cue_rates or {}
    return (
        sum(v for k, v in rates.items() if k in helpful),
        sum(v for k, v in rates.items() if k in harmful),
    )


def _language(entries: Sequence, language: str | None) -> str:
    from ..lang import LANGUAGES

    if language:
        return language
    for e in reversed(entries):
        if e.language in LANGUAGES:
            return e.language
    return "en"


def trend_text(entries: Sequence, labels: Labels) -> str:
    """One sentence on the drill score over the last ``TREND_DRILLS`` drills ("" if too few)."""
    scores = [e.drill_score for e in entries if e.drill_score is not None][-TREND_DRILLS:]
    if len(scores) < 2:
        return ""
    half = len(scores) // 2
    first, last = statistics.mean(scores[:half]), statistics.mean(scores[half:])
    if last - first > 5:
        return labels.text(
            "history.trend_up", first=labels.num(first), last=labels.num(last), count=len(scores)
        )
    if first - last > 5:
        return labels.text(
            "history.trend_down", first=labels.num(first), last=labels.num(last), count=len(scores)
        )
    return labels.text("history.trend_flat", last=labels.num(last))


def render_history_html(
    entries: Sequence,
    *,
    trainee: str = "",
    language: str | None = None,
    targets: Targets | None = None,
) -> str:
    """One self-contained HTML page of a trainee's drills (oldest first in ``entries``)."""
    labels = labels_for(_language(entries, language))
    targets = targets or targets_for()
    title = labels.text("page.history_title", trainee=trainee or "—")
    if not entries:
        body = f'<header><h1>{escape(title)}</h1></header><section id="drills"><p>{escape(labels.text("history.no_drills", trainee=trainee))}</p></section>'
        return page(title, body, labels)
    n = len(entries)
    x_labels = [str(i) for i in range(1, n + 1)]
    rates = [cue_rates(e) for e in entries]
    dots = n <= 60

    def tip(e) -> str:
        return f"{labels.date(e.started)} · {e.scenario} · {labels.num(e.drill_score)}"

    score_marks = tuple(
        svg.Mark(i, e.drill_score, f"mk-{score_band(e.drill_score)}", tip(e))
        for i, e in enumerate(entries)
        if e.drill_score is not None and dots
    )
    common = _ChartFrame(
        x_labels=x_labels, x_title=labels.text("history.axis_drill"), width=520, height=230
    )
    charts = [
        (
            "score",
            svg.line_chart(
                [
                    svg.Series(
                        labels.text("history.score"),
                        tuple(e.drill_score for e in entries),
                        "s-score",
                        marks=score_marks,
                    )
                ],
                y_range=(0.0, 100.0),
                y_ticks=(0, 25, 50, 75, 100),
                title=labels.text("history.score_heading"),
                max_dots=0,
                **common,
            ),
        ),
        (
            "cues",
            svg.line_chart(
                [
                    svg.Series(
                        labels.text("history.helpful_rate"), tuple(r[0] for r in rates), "s-helpful"
                    ),
                    svg.Series(
                        labels.text("history.harmful_rate"), tuple(r[1] for r in rates), "s-harmful"
                    ),
                ],
                y_range=(0.0, max(1.0, max(max(r) for r in rates))),
                title=labels.text("history.cues_heading"),
                y_format=lambda v: labels.num(v, 1),
                **common,
            ),
        ),
        (
            "pacing",
            svg.line_chart(
                [
                    svg.Series(
                        labels.text("history.wpm"), tuple(e.mean_wpm for e in entries), "s-wpm"
                    )
                ],
                y_range=_range([e.mean_wpm for e in entries], targets.wpm),
                band=targets.wpm,
                band_label=labels.text(
                    "turn.target_band",
                    low=labels.num(targets.wpm[0]),
                    high=labels.num(targets.wpm[1]),
                ),
                title=labels.text("history.pacing_heading"),
                **common,
            ),
        ),
        (
            "calm",
            svg.line_chart(
                [
                    svg.Series(
                        labels.text("history.calm"), tuple(e.mean_calm for e in entries), "s-calm"
                    )
                ],
                y_range=(0.0, 1.0),
                y_ticks=(0, 0.25, 0.5, 0.75, 1.0),
                band=(targets.calm_good, 1.0),
                y_format=lambda v: labels.num(v, 2),
                title=labels.text("history.calm_heading"),
                **common,
            ),
        ),
    ]
    blocks = "".join(
        f'<div id="chart-{key}"><h3>{escape(labels.text(f"history.{key}_heading"))}</h3>{chart}'
        f'<p class="caption">{escape(labels.text(f"history.{key}_caption"))}</p></div>'
        for key, chart in charts
    )
    trend = trend_text(entries, labels)
    head = (
        f'<header id="top"><h1>{escape(title)}</h1><p class="meta"><span>'
        f'{escape(labels.text("history.drills", count=n, first=labels.date(entries[0].started), last=labels.date(entries[-1].started)))}'
        f"</span></p></header>"
    )
    progress = (
        '<section id="progress">'
        + (f"<p><b>{escape(trend)}</b></p>" if trend else "")
        + f'<div class="charts">{blocks}</div></section>'
    )
    return page(
        title,
        head + progress + _cue_table(entries, labels) + _drill_table(entries, rates, labels),
        labels,
    )


def _range(values: Sequence[float | None], band: tuple[float, float]) -> tuple[float, float]:
    vals = [v for v in values if v is not None] + list(band)
    lo, hi = min(vals), max(vals)
    pad = max((hi - lo) * 0.1, 5.0)
    return (max(0.0, lo - pad), hi + pad)


def _cue_table(entries: Sequence, labels: Labels) -> str:
    """Per-cue rates, early drills against recent ones."""
    from ..scoring.names import CUE_NAMES, cue_kind

    k = max(1, min(5, len(entries) // 2))
    early, recent = entries[:k], entries[-k:]

    def mean_rate(group, name):
        return statistics.mean(e.cue_rates.get(name, 0.0) for e in group)

    names = [c for c in CUE_NAMES if any(c in e.cue_rates for e in entries)]
    if not names:
        return ""
    rows = []
    for name in names:
        a, b = mean_rate(early, name), mean_rate(recent, name)
        kind = cue_kind(name)
        better = (b > a) if kind == "helpful" else (b < a) if kind == "harmful" else None
        css = "" if better is None or abs(b - a) < 0.05 else ("up" if better else "down")
        rows.append(
            f'<tr><td><span class="cue-tag k-{kind}">{escape(labels.cue_name(name))}</span></td>'
            f'<td class="num">{escape(labels.num(a, 2))}</td><td class="num {css}">{escape(labels.num(b, 2))}</td></tr>'
        )
    return (
        f'<section id="cue-rates"><h2>{escape(labels.text("history.per_cue", first_n=k, last_n=k))}</h2>'
        f'<table class="data"><thead><tr><th>{escape(labels.text("history.cue"))}</th>'
        f'<th class="num">{escape(labels.text("history.early"))}</th><th class="num">{escape(labels.text("history.recent"))}</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></section>'
    )


def _complete_label(e, labels: Labels) -> str:
    """yes: the drill reached an outcome; stopped: closed early (--max-turns, Ctrl-C); no: cut off."""
    if not e.complete:
        return labels.text("history.complete_no")
    if getattr(e, "outcome", "") is None:
        return labels.text("history.complete_stopped")
    return labels.text("history.complete_yes")


def _drill_table(entries: Sequence, rates, labels: Labels) -> str:
    cols = (
        ("date", ""),
        ("scenario", ""),
        ("turns", "num"),
        ("score", "num"),
        ("helpful", "num"),
        ("harmful", "num"),
        ("wpm", "num"),
        ("calm", "num"),
        ("complete", ""),
    )
    head = "".join(f'<th class="{c}">{escape(labels.text(f"history.{k}"))}</th>' for k, c in cols)
    rows = []
    for e, (good, bad) in reversed(list(zip(entries, rates, strict=False))):
        cells = (
            labels.date(e.started),
            e.scenario,
            str(e.turns),
            labels.num(e.drill_score),
            labels.num(good, 2),
            labels.num(bad, 2),
            labels.num(e.mean_wpm),
            labels.num(e.mean_calm, 2),
            _complete_label(e, labels),
        )
        tds = "".join(
            f'<td class="{c}">{escape(v)}</td>' for v, (_, c) in zip(cells, cols, strict=False)
        )
        rows.append(f'<tr title="{escape(e.session_id)}">{tds}</tr>')
    return (
        f'<section id="drills"><h2>{escape(labels.text("history.heading"))}</h2>'
        f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def sparkline(values: Sequence[float | None], lo: float = 0.0, hi: float = 100.0) -> str:
    """One block character per value ("·" for None) between ``lo`` and ``hi``."""
    out = []
    for v in values:
        if v is None:
            out.append("·")
        else:
            k = int(round((min(max(v, lo), hi) - lo) / (hi - lo) * (len(_SPARK) - 1)))
            out.append(_SPARK[k])
    return "".join(out)


def history_text(
    entries: Sequence,
    *,
    trainee: str = "",
    language: str | None = None,
    limit: int = 20,
    color: bool = False,
    width: int = 72,
) -> str:
    """The terminal view: trend, a sparkline of every drill score, and the last ``limit`` drills."""
    labels = labels_for(_language(entries, language))

    def paint(text: str, style: str) -> str:
        return f"{STYLES[style]}{text}{RESET}" if color and style in STYLES else text

    title = labels.text("page.history_title", trainee=trainee or "—")
    if not entries:
        return f"{paint(title, 'bold')}\n{labels.text('history.no_drills', trainee=trainee)}"
    n = len(entries)
    lines = [
        paint(title, "bold"),
        labels.text(
            "history.drills",
            count=n,
            first=labels.date(entries[0].started),
            last=labels.date(entries[-1].started),
        ),
    ]
    trend = trend_text(entries, labels)
    if trend:
        lines.append(trend)
    spark_values = [e.drill_score for e in entries][-width:]
    lines.append(f"{labels.text('history.sparkline')}: {sparkline(spark_values)}")
    lines.append("")
    cols = ("date", "scenario", "score", "helpful", "harmful", "wpm", "calm", "complete")
    header = [labels.text(f"history.{c}") for c in cols]
    rows = []
    for e in entries[-limit:]:
        good, bad = cue_rates(e)
        score = labels.num(e.drill_score)
        rows.append(
            [
                labels.date(e.started),
                e.scenario,
                paint(
                    score,
                    {"good": "good", "mid": "mid", "bad": "bad"}.get(
                        score_band(e.drill_score), "dim"
                    ),
                ),
                labels.num(good, 2),
                labels.num(bad, 2),
                labels.num(e.mean_wpm),
                labels.num(e.mean_calm, 2),
                _complete_label(e, labels),
            ]
        )
    widths = [
        max(visible_width(h), *(visible_width(r[i]) for r in rows)) for i, h in enumerate(header)
    ]
    right = {2, 3, 4, 5, 6}

    def fmt(cells):
        return "  ".join(
            (" " * (widths[i] - visible_width(c)) + c)
            if i in right
            else (c + " " * (widths[i] - visible_width(c)))
            for i, c in enumerate(cells)
        ).rstrip()

    lines.append(fmt([paint(h, "bold") for h in header]))
    lines.append("  ".join("─" * w for w in widths))
    lines.extend(fmt(r) for r in rows)
    if n > limit:
        lines.append(labels.text("history.shown", shown=limit, count=n))
    return "\n".join(lines)
