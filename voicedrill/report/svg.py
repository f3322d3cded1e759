"""Small hand-written SVG charts for the debrief and history pages.

Each function returns one ``<svg>`` element as text, sized by its ``viewBox`` so it
scales with the page. Colours come from CSS classes (see ``style.css``); every
piece of text is escaped here. No plotting library, no scripts, no internet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import Callable, Sequence


@dataclass(frozen=True)
class Mark:
    """A dot on a chart at x position ``index`` with a hover text."""

    index: int
    value: float
    css: str  # class of the dot, e.g. "mk-good"
    tip: str = ""


@dataclass(frozen=True)
class Series:
    """One line on a chart; ``None`` values leave a gap."""

    name: str
    values: tuple[float | None, ...]
    css: str  # class of the line, e.g. "s-agitation"
    area: bool = False  # shade the area under the line
    marks: tuple[Mark, ...] = field(default_factory=tuple)


def _f(x: float) -> str:
    """A coordinate with at most one decimal (short, stable output)."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _open(width: float, height: float, title: str, css: str) -> list[str]:
    t = escape(title)
    return [
        f'<svg class="{escape(css)}" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{t}">',
        f"<title>{t}</title>",
    ]


def nice_ticks(lo: float, hi: float, count: int = 5) -> tuple[float, ...]:
    """Round tick values covering ``lo``..``hi`` (about ``count`` of them)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return (lo,)
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    x = first
    while x <= hi + step * 1e-9:
        ticks.append(round(x, 10))
        x += step
    return tuple(ticks)


def line_chart(
    series: Sequence[Series],
    *,
    x_labels: Sequence[str],
    y_range: tuple[float, float],
    title: str,
    y_ticks: Sequence[float] | None = None,
    y_format: Callable[[float], str] = lambda v: f"{v:g}",
    band: tuple[float, float] | None = None,
    band_label: str = "",
    x_title: str = "",
    y_title: str = "",
    width: int = 720,
    height: int = 240,
    max_dots: int = 60,
) -> str:
    """A line chart over ``len(x_labels)`` evenly spaced positions.

    ``band`` shades a target range (in y units); dots are drawn for ``Mark``s and,
    when there are at most ``max_dots`` points, for every value of a series.
    """
    n = len(x_labels)
    left, right, top, bottom = 48.0, 12.0, 14.0, 34.0 if x_title else 24.0
    pw, ph = width - left - right, height - top - bottom
    y0, y1 = y_range
    if y1 <= y0:
        y1 = y0 + 1.0

    def x_at(i: int) -> float:
        return left + (pw / 2 if n <= 1 else pw * i / (n - 1))

    def y_at(v: float) -> float:
        v = min(max(v, y0), y1)
        return top + ph * (1.0 - (v - y0) / (y1 - y0))

    out = _open(width, height, title, "chart line-chart")
    if band is not None:
        lo, hi = max(band[0], y0), min(band[1], y1)
        if hi > lo:
            out.append(
                f'<rect class="band" x="{_f(left)}" y="{_f(y_at(hi))}" width="{_f(pw)}" '
                f'height="{_f(y_at(lo) - y_at(hi))}"><title>{escape(band_label)}</title></rect>'
            )
    for v in y_ticks if y_ticks is not None else nice_ticks(y0, y1):
        y = y_at(v)
        out.append(
            f'<line class="grid" x1="{_f(left)}" x2="{_f(left + pw)}" y1="{_f(y)}" y2="{_f(y)}"/>'
        )
        out.append(
            f'<text class="tick" x="{_f(left - 6)}" y="{_f(y + 4)}" text-anchor="end">{escape(y_format(v))}</text>'
        )
    step = max(1, math.ceil(n / 12))
    for i, label in enumerate(x_labels):
        if i % step and i != n - 1:
            continue
        out.append(
            f'<text class="tick" x="{_f(x_at(i))}" y="{_f(top + ph + 16)}" text-anchor="middle">{escape(label)}</text>'
        )
    out.append(
        f'<line class="axis" x1="{_f(left)}" x2="{_f(left + pw)}" y1="{_f(top + ph)}" y2="{_f(top + ph)}"/>'
    )
    if x_title:
        out.append(
            f'<text class="axis-title" x="{_f(left + pw)}" y="{_f(height - 4)}" text-anchor="end">{escape(x_title)}</text>'
        )
    if y_title:
        out.append(
            f'<text class="axis-title" x="{_f(left)}" y="{_f(top - 3)}" text-anchor="start">{escape(y_title)}</text>'
        )
    for s in series:
        for run in _runs(s.values):
            pts = " ".join(f"{_f(x_at(i))},{_f(y_at(v))}" for i, v in run)
            if s.area and len(run) > 1:
                base = _f(top + ph)
                poly = f"{_f(x_at(run[0][0]))},{base} {pts} {_f(x_at(run[-1][0]))},{base}"
                out.append(f'<polygon class="area {escape(s.css)}" points="{poly}"/>')
            if len(run) > 1:
                out.append(
                    f'<polyline class="line {escape(s.css)}" points="{pts}"><title>{escape(s.name)}</title></polyline>'
                )
            if len(run) == 1 or n <= max_dots:
                for i, v in run:
                    out.append(
                        f'<circle class="dot {escape(s.css)}" cx="{_f(x_at(i))}" cy="{_f(y_at(v))}" r="2.5">'
                        f"<title>{escape(s.name)}: {escape(y_format(v))}</title></circle>"
                    )
        for m in s.marks:
            out.append(
                f'<circle class="mark {escape(m.css)}" cx="{_f(x_at(m.index))}" cy="{_f(y_at(m.value))}" r="5">'
                f"<title>{escape(m.tip)}</title></circle>"
            )
    if len(series) > 1:
        x = left + 8
        for s in series:
            out.append(
                f'<rect class="key {escape(s.css)}" x="{_f(x)}" y="{_f(top + 4)}" width="14" height="4"/>'
            )
            out.append(
                f'<text class="legend" x="{_f(x + 18)}" y="{_f(top + 9)}">{escape(s.name)}</text>'
            )
            x += 30 + 6.5 * len(s.name)
    out.append("</svg>")
    return "".join(out)


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Split a series at ``None``/non-finite values into runs of (index, value)."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v):
            if current:
                runs.append(current)
            current = []
        else:
            current.append((i, float(v)))
    if current:
        runs.append(current)
    return runs


def band_bar(
    value: float | None,
    band: tuple[float, float],
    *,
    axis: tuple[float, float],
    title: str,
    value_text: str = "",
    band_text: str = "",
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    width: int = 240,
    height: int = 46,
) -> str:
    """A horizontal scale ``axis`` with the target ``band`` shaded and a marker at ``value``.

    The marker is green inside the band and red outside; values beyond the axis sit
    at its end with an arrow. ``value=None`` draws the scale and band only.
    """
    a0, a1 = axis
    if a1 <= a0:
        a1 = a0 + 1.0
    left, right, top, track = 14.0, 14.0, 20.0, 10.0
    pw = width - left - right

    def x_at(v: float) -> float:
        return left + pw * (min(max(v, a0), a1) - a0) / (a1 - a0)

    out = _open(width, height, title, "chart band-bar")
    out.append(
        f'<rect class="track" x="{_f(left)}" y="{_f(top)}" width="{_f(pw)}" height="{_f(track)}" rx="3"/>'
    )
    lo, hi = band
    out.append(
        f'<rect class="band" x="{_f(x_at(lo))}" y="{_f(top)}" width="{_f(x_at(hi) - x_at(lo))}" '
        f'height="{_f(track)}"><title>{escape(band_text)}</title></rect>'
    )
    out.append(
        f'<text class="tick" x="{_f(x_at(lo))}" y="{_f(top + track + 13)}" text-anchor="middle">{escape(fmt(lo))}</text>'
    )
    out.append(
        f'<text class="tick" x="{_f(x_at(hi))}" y="{_f(top + track + 13)}" text-anchor="middle">{escape(fmt(hi))}</text>'
    )
    if value is not None and math.isfinite(value):
        inside = lo <= value <= hi
        x = x_at(value)
        css = "in-band" if inside else "out-band"
        out.append(
            f'<path class="marker {css}" d="M{_f(x - 6)},{_f(top - 9)} L{_f(x + 6)},{_f(top - 9)} '
            f'L{_f(x)},{_f(top + 1)} Z"/>'
        )
        out.append(
            f'<line class="marker-line {css}" x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top)}" y2="{_f(top + track)}"/>'
        )
        anchor = "start" if x < left + pw * 0.6 else "end"
        dx = 9 if anchor == "start" else -9
        out.append(
            f'<text class="value {css}" x="{_f(x + dx)}" y="{_f(top - 4)}" text-anchor="{anchor}">{escape(value_text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def shift_bar(
    value: float | None,
    *,
    ok: tuple[float, float],
    limit: float,
    title: str,
    value_text: str = "",
    center_text: str = "",
    width: int = 240,
    height: int = 46,
) -> str:
    """A scale centred on a baseline (0) from -``limit`` to +``limit``: the ``ok`` range
    shaded and a bar from 0 to ``value`` (green inside ``ok``, red outside). Used for the
    reply's pitch and loudness against the trainee's own baseline."""
    left, right, top, track = 14.0, 14.0, 20.0, 10.0
    pw = width - left - right
    limit = max(limit, 1e-6)

    def x_at(v: float) -> float:
        return left + pw * (min(max(v, -limit), limit) + limit) / (2 * limit)

    out = _open(width, height, title, "chart shift-bar")
    out.append(
        f'<rect class="track" x="{_f(left)}" y="{_f(top)}" width="{_f(pw)}" height="{_f(track)}" rx="3"/>'
    )
    out.append(
        f'<rect class="band" x="{_f(x_at(ok[0]))}" y="{_f(top)}" '
        f'width="{_f(x_at(ok[1]) - x_at(ok[0]))}" height="{_f(track)}"/>'
    )
    cx = x_at(0.0)
    out.append(
        f'<line class="baseline" x1="{_f(cx)}" x2="{_f(cx)}" y1="{_f(top - 3)}" y2="{_f(top + track + 3)}"/>'
    )
    out.append(
        f'<text class="tick" x="{_f(cx)}" y="{_f(top + track + 13)}" text-anchor="middle">{escape(center_text)}</text>'
    )
    if value is not None and math.isfinite(value):
        css = "in-band" if ok[0] <= value <= ok[1] else "out-band"
        x = x_at(value)
        out.append(
            f'<rect class="shift {css}" x="{_f(min(x, cx))}" y="{_f(top + 2)}" width="{_f(max(abs(x - cx), 1.5))}" '
            f'height="{_f(track - 4)}"/>'
        )
        out.append(
            f'<text class="value {css}" x="{_f(min(max(x, left + 12), left + pw - 12))}" y="{_f(top - 4)}" '
            f'text-anchor="middle">{escape(value_text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def meter(
    value: float | None,
    *,
    title: str,
    value_text: str = "",
    good: float = 0.6,
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    width: int = 240,
    height: int = 46,
) -> str:
    """A 0..1 scale (calm) with the good zone ``good``..1 shaded and a marker at ``value``."""
    return band_bar(
        value,
        (good, 1.0),
        axis=(0.0, 1.0),
        title=title,
        value_text=value_text,
        band_text=title,
        fmt=fmt,
        width=width,
        height=height,
    )
