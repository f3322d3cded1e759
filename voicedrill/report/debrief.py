"""The debrief page of one drill: outcome and score up front, agitation over the turns,
three coaching points, a card per turn (line, highlighted reply, pace, latency, pauses,
calm, audio), and the instructor's re-scorings next to the original scores.

Every piece of user text (transcripts, lines, names, outcome text) is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from ..turn import Turn
from . import svg
from .coaching import coaching_points
from .labels import Labels, labels_for
from .media import data_uri
from .page import page, score_band
from .targets import Targets, targets_for
from .transcript import highlight
from .view import language_of, turns_of

AUDIO_FORMATS = ("flac", "ogg", "none")


def render_report(
    session, *, script=None, audio: str = "flac", targets: Targets | None = None
) -> str:
    """One self-contained HTML debrief of a stored ``store.Session``.

    ``script``: the ScoringScript whose target bands are drawn (default: the session's
    stored copy). ``audio``: how the line and reply are embedded, "flac" (lossless,
    16 kHz), "ogg" (Vorbis, about a tenth of the size) or "none".
    """
    from ..errors import ParameterError

    if audio not in AUDIO_FORMATS:
        raise ParameterError(
            f"audio '{audio}' is not supported; choose one of: {', '.join(AUDIO_FORMATS)}"
        )
    if not (hasattr(session, "meta") and hasattr(session, "turns")):
        raise TypeError(f"render_report needs a store.Session, got {type(session).__name__}")
    turns, _ = turns_of(session.turns)
    labels = labels_for(language_of(turns, session))
    targets = targets or targets_for(script, session)
    title_name = scenario_title(session)
    parts = [
        _header(session, labels, title_name),
        _banners(session, turns, labels),
        _summary(session, turns, labels),
        _coaching(turns, labels, targets),
        _comments(session, turns, labels),
        _agitation(turns, labels),
        _turns(turns, labels, targets, audio, session),
        _rescorings(session, turns, labels),
    ]
    return page(
        labels.text("page.title", scenario=title_name), "\n".join(p for p in parts if p), labels
    )


def _scenario_data(session) -> dict:
    """The stored scenario copy as plain data ({} when missing or unreadable)."""
    text = getattr(session.meta, "scenario_text", "") or ""
    if not text:
        return {}
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:  # a broken copy only loses the title and outcome names
        return {}
    return data if isinstance(data, dict) else {}


def scenario_title(session) -> str:
    """The scenario's title from its stored copy, else its id."""
    title = _scenario_data(session).get("title")
    return title.strip() if isinstance(title, str) and title.strip() else session.meta.scenario_id


def outcome_facts(session) -> tuple[str, str]:
    """(title, result) of the session's outcome from the stored scenario: result is "good",
    "bad" or "neutral"; the title falls back to the outcome id."""
    outcomes = _scenario_data(session).get("outcomes")
    entry = outcomes.get(session.outcome) if isinstance(outcomes, dict) else None
    title = session.outcome.replace("_", " ").replace("-", " ").strip().capitalize()
    result = "neutral"
    if isinstance(entry, dict):
        if isinstance(entry.get("title"), str) and entry["title"].strip():
            title = entry["title"].strip()
        if entry.get("result") in ("good", "bad", "neutral"):
            result = entry["result"]
    return title, result


def _header(session, labels: Labels, title: str) -> str:
    m = session.meta
    items = [
        ("summary.trainee", m.trainee),
        ("summary.started", labels.date(m.started)),
        ("summary.session", session.id),
        ("summary.script", (m.script_hash or "")[:12] or "—"),
    ]
    meta = "".join(
        f"<span>{escape(labels.text(k))}: <b>{escape(str(v))}</b></span>" for k, v in items
    )
    return (
        f'<header id="top"><h1>{escape(labels.text("page.title", scenario=title))}</h1>'
        f'<p class="meta">{meta}</p></header>'
    )


def _banners(session, turns: Sequence[Turn], labels: Labels) -> str:
    out = []
    if not session.complete:
        out.append(
            f'<div class="banner incomplete" id="incomplete" role="alert">⚠ '
            f'{escape(labels.text("summary.incomplete_banner", turns=len(turns)))}</div>'
        )
    if session.problems:
        items = "".join(f"<li>{escape(p)}</li>" for p in session.problems)
        out.append(f'<div class="banner problems"><ul>{items}</ul></div>')
    return "\n".join(out)


def _summary(session, turns: Sequence[Turn], labels: Labels) -> str:
    score = session.drill_score
    result = "none"
    if session.complete and session.outcome:
        name, result = outcome_facts(session)
        text = session.outcome_text
    elif session.complete:
        name = labels.text("outcomes.unknown").capitalize()
        text = session.outcome_text or labels.text("summary.stopped")
    else:
        name = labels.text("outcomes.unknown").capitalize()
        text = ""
    rescored = ""
    if session.rescorings:
        last = session.rescorings[-1]
        rescored = (
            f'<span class="rescored">{escape(labels.text("rescore.heading"))}: '
            f'<b>{escape(labels.num(last.drill_score))}</b></span>'
        )
    value = labels.num(score) if score is not None else "—"
    scale = (
        labels.text("summary.score_scale") if score is not None else labels.text("summary.no_score")
    )
    return (
        f'<section id="summary" class="summary-section"><div class="summary">'
        f'<div><h2>{escape(labels.text("summary.heading"))}</h2>'
        f'<p class="outcome-name outcome-{result}">{escape(name)}</p>'
        + (f'<p class="outcome-text">{escape(text)}</p>' if text else "")
        + f'<p class="small">{escape(labels.text("summary.turns"))}: {len(turns)}</p></div>'
        f'<div class="drill-score {score_band(score)}-bg" title="{escape(labels.text("summary.drill_score"))}">'
        f'<span class="label">{escape(labels.text("summary.drill_score"))}</span>'
        f'<span class="value">{escape(value)}</span><span class="label">{escape(scale)}</span>{rescored}</div>'
        f"</div></section>"
    )


def _coaching(turns: Sequence[Turn], labels: Labels, targets: Targets) -> str:
    points = coaching_points(turns, labels, targets)
    items = "".join(
        f'<li class="{"good" if p.good else "change"} c-{escape(p.kind)}">{escape(p.text)}</li>'
        for p in points
    )
    return (
        f'<section id="coaching"><h2>{escape(labels.text("coaching.heading"))}</h2>'
        f'<ol class="coaching">{items}</ol></section>'
    )


def _comments(session, turns: Sequence[Turn], labels: Labels) -> str:
    """The instructor's comments (annotations.json, kept apart from the scores)."""
    from ..annotations import comments
    from ..errors import StoreError

    try:
        notes = comments(session) if getattr(session, "path", None) else []
    except StoreError:
        return ""
    if not notes:
        return ""
    number = {t.index: n for n, t in enumerate(turns, start=1)}
    items = "".join(
        f'<li><a href="#turn-{number.get(i, i + 1)}">{escape(labels.text("comments.turn", turn=number.get(i, i + 1)))}</a>: '
        f"{escape(text)}</li>"
        for i, text in notes
    )
    return f'<section id="comments"><h2>{escape(labels.text("comments.heading"))}</h2><ul class="comments">{items}</ul></section>'


def _agitation(turns: Sequence[Turn], labels: Labels) -> str:
    # when each line was spoken, then after the last reply (so every dot sits on the line)
    values = tuple(
        [t.agitation_before for t in turns] + ([turns[-1].agitation_after] if turns else [])
    )
    x_labels = [str(n) for n in range(1, len(turns) + 1)] + [
        labels.text("agitation.end")
    ]  # before each turn, then after the last
    marks = tuple(
        svg.Mark(
            index=i,
            value=t.agitation_before,
            css=f"mk-{score_band(t.score.score)}",
            tip=labels.text(
                "agitation.point",
                turn=i + 1,
                before=labels.num(t.agitation_before, 2),
                after=labels.num(t.agitation_after, 2),
                score=labels.num(t.score.score),
            ),
        )
        for i, t in enumerate(turns)
    )
    chart = svg.line_chart(
        [
            svg.Series(
                labels.text("agitation.axis_agitation"),
                values,
                "s-agitation",
                area=True,
                marks=marks,
            )
        ],
        x_labels=x_labels,
        y_range=(0.0, 1.0),
        y_ticks=(0.0, 0.25, 0.5, 0.75, 1.0),
        y_format=lambda v: labels.num(v, 2),
        title=labels.text("agitation.heading"),
        x_title=labels.text("agitation.axis_turn"),
        y_title=labels.text("agitation.axis_agitation"),
        max_dots=0,
    )
    return (
        f'<section id="agitation"><h2>{escape(labels.text("agitation.heading"))}</h2>{chart}'
        f'<p class="caption">{escape(labels.text("agitation.caption"))}</p></section>'
    )


def _turns(turns: Sequence[Turn], labels: Labels, targets: Targets, audio: str, session) -> str:
    cards = "\n".join(
        _turn_card(t, n, labels, targets, audio, session) for n, t in enumerate(turns, start=1)
    )
    return f'<section id="turns"><p class="legend-line">{escape(labels.text("turn.legend"))}</p>{cards}</section>'


def _audio(source, labels: Labels, key: str, fmt: str) -> str:
    uri = None if fmt == "none" else data_uri(source, fmt=fmt)
    if uri is None:
        return f'<p class="no-audio">{escape(labels.text("turn.no_audio"))}</p>'
    return f'<audio controls preload="metadata" aria-label="{escape(labels.text(key))}" src="{uri}"></audio>'


def _turn_card(t: Turn, number: int, labels: Labels, targets: Targets, audio: str, session) -> str:
    s = t.score
    band = score_band(s.score)
    rescored = ""
    if session is not None and session.rescorings:
        new = t.rescore(session.rescorings[-1].script_hash)
        if new is not None:
            rescored = (
                f'<span class="pill {score_band(new.score)}-bg" title="{escape(labels.text("rescore.heading"))}">'
                f'→ {escape(labels.num(new.score))}</span>'
            )
    header = (
        f'<header><h3>{escape(labels.text("turn.heading", turn=number))}</h3>'
        f'<span class="small">{escape(labels.text("turn.node", node=t.node_id))}</span>'
        f'<span class="small">{escape(labels.text("turn.agitation", before=labels.num(t.agitation_before, 2), after=labels.num(t.agitation_after, 2)))}</span>'
        f'<span class="spacer"></span><span class="small">{escape(labels.text("turn.score"))}</span>'
        f'<span class="pill score-pill {band}-bg">{escape(labels.num(s.score))}</span>{rescored}</header>'
    )
    line = (
        f'<div class="line"><div class="who">{escape(labels.text("turn.perpetrator"))}</div>'
        f"<blockquote>{escape(t.line.text)}</blockquote>"
        + (
            f'<p class="small voice">{escape(labels.text("turn.voice", voice=t.line.spoken_by))}</p>'
            if t.line.spoken_by
            else ""
        )
        + f'{_audio(t.line_clip, labels, "turn.line_audio", audio)}</div>'
    )
    if t.transcript.is_empty:
        said = f'<p class="transcript silent">{escape(labels.text("turn.silent_reply"))}</p>'
        if t.transcript.guarded:
            said += f'<p class="small">{escape(labels.text("turn.guarded", why=t.transcript.guarded))}</p>'
        pauses_only = [c for c in s.cues if c.name == "effective_pause"]
        if pauses_only:
            said += highlight(t.transcript, pauses_only, labels)
    else:
        said = highlight(t.transcript, s.cues, labels)
    reply = (
        f'<div class="reply"><div class="who">{escape(labels.text("turn.you"))}</div>{said}'
        f'{_audio(t.reply_clip, labels, "turn.reply_audio", audio) if t.reply_clip is not None or not t.silent else ""}</div>'
    )
    feedback = ""
    if s.feedback:
        items = "".join(f"<li>{escape(f)}</li>" for f in s.feedback)
        feedback = (
            f'<ul class="feedback" aria-label="{escape(labels.text("turn.feedback"))}">{items}</ul>'
        )
    return (
        f'<article class="turn" id="turn-{number}">{header}<div class="exchange">{line}{reply}</div>'
        f"{_metrics(t, labels, targets)}{feedback}</article>"
    )


def _metrics(t: Turn, labels: Labels, targets: Targets) -> str:
    p = t.score.pacing
    lo, hi = targets.wpm
    band_text = labels.text("turn.target_band", low=labels.num(lo), high=labels.num(hi))
    if p.words_per_minute is not None:
        wpm_fig = labels.text("turn.wpm", wpm=labels.num(p.words_per_minute))
        axis = (min(lo * 0.5, p.words_per_minute), max(hi * 1.5, p.words_per_minute))
        axis = (max(0.0, axis[0] - 5), axis[1] + 5)
    else:
        wpm_fig = "—" if t.silent else labels.text("turn.no_wpm")
        axis = (lo * 0.5, hi * 1.5)
    pace = _metric(
        labels.text("turn.pacing"),
        wpm_fig,
        svg.band_bar(
            p.words_per_minute,
            targets.wpm,
            axis=axis,
            title=labels.text("turn.pacing"),
            value_text=labels.num(p.words_per_minute) if p.words_per_minute is not None else "",
            band_text=band_text,
            fmt=lambda v: labels.num(v),
        ),
        band_text,
    )
    lat = t.reply_latency
    l_lo, l_hi = targets.latency
    if lat is None:
        lat_fig, lat_note = labels.text("turn.no_latency"), ""
    else:
        lat_fig = labels.text("turn.latency_value", seconds=labels.num(lat, 1))
        lat_note = labels.text("turn.barged_in") if (t.interrupted or lat < 0) else ""
    latency = _metric(
        labels.text("turn.latency"),
        lat_fig,
        svg.band_bar(
            lat,
            targets.latency,
            axis=(min(0.0, lat if lat is not None else 0.0), max(l_hi * 2, (lat or 0) + 0.5)),
            title=labels.text("turn.latency"),
            value_text=labels.num(lat, 1) if lat is not None else "",
            band_text=labels.text(
                "turn.target_band", low=labels.num(l_lo, 1), high=labels.num(l_hi, 1)
            ),
            fmt=lambda v: labels.num(v, 1),
        ),
        lat_note
        or labels.text("turn.target_band", low=labels.num(l_lo, 1), high=labels.num(l_hi, 1)),
    )
    if p.pause_count:
        pause_fig = labels.text(
            "turn.pauses_value", count=p.pause_count, longest=labels.num(p.longest_pause, 1)
        )
    else:
        pause_fig = labels.text("turn.no_pauses")
    pause_cues = [c for c in t.score.cues if c.name == "effective_pause"]
    pause_note = ", ".join(labels.cue_name(c.name) for c in pause_cues)
    pauses = _metric(labels.text("turn.pauses"), pause_fig, "", pause_note)
    calm = _calm_metric(t, labels, targets)
    return f'<div class="metrics">{pace}{latency}{pauses}{calm}</div>'


def _calm_metric(t: Turn, labels: Labels, targets: Targets) -> str:
    c = t.score.calm
    if c is None or "no_voiced_frames" in c.flags:
        return _metric(labels.text("turn.calm"), labels.text("turn.no_calm"), "", "")
    fig = labels.text("turn.calm_value", calm=labels.num(c.score, 2))
    charts = svg.meter(
        c.score,
        title=labels.text("turn.calm"),
        value_text=labels.num(c.score, 2),
        good=targets.calm_good,
        fmt=lambda v: labels.num(v, 1),
    )
    notes = []
    if c.pitch_shift_st is not None:
        shift = labels.num(c.pitch_shift_st, 1, signed=True)
        charts += svg.shift_bar(
            c.pitch_shift_st,
            ok=(-8.0, targets.pitch_ok_st),
            limit=8.0,
            title=labels.text("turn.pitch_shift", shift=shift),
            value_text=shift,
            center_text=labels.text("turn.baseline"),
        )
        notes.append(labels.text("turn.pitch_shift", shift=shift))
    if c.loudness_shift_db is not None:
        notes.append(
            labels.text(
                "turn.loudness_shift", shift=labels.num(c.loudness_shift_db, 1, signed=True)
            )
        )
    if "no_baseline" in c.flags:
        notes.append(labels.text("turn.no_baseline"))
    return _metric(labels.text("turn.calm"), fig, charts, "; ".join(notes))


def _metric(title: str, figure: str, chart: str, note: str) -> str:
    return (
        f'<div class="metric"><h4>{escape(title)}</h4><p class="figure">{escape(figure)}</p>{chart}'
        + (f'<p class="note">{escape(note)}</p>' if note else "")
        + "</div>"
    )


def _rescorings(session, turns: Sequence[Turn], labels: Labels) -> str:
    if not session.rescorings:
        return ""
    blocks = []
    for r in session.rescorings:
        rows = []
        for number, t in enumerate(turns, start=1):
            new = t.rescore(r.script_hash)
            old = t.score
            if new is None:
                rows.append(
                    f'<tr><td>{number}</td><td class="num">{escape(labels.num(old.score))}</td>'
                    f'<td class="num">—</td><td class="num">—</td><td></td><td></td></tr>'
                )
                continue
            diff = new.score - old.score
            css = "up" if diff > 0.5 else "down" if diff < -0.5 else ""
            added = sorted(set(new.cue_names()) - set(old.cue_names()))
            removed = sorted(set(old.cue_names()) - set(new.cue_names()))
            rows.append(
                f'<tr><td>{number}</td><td class="num">{escape(labels.num(old.score))}</td>'
                f'<td class="num">{escape(labels.num(new.score))}</td>'
                f'<td class="num {css}">{escape(labels.num(diff, 0, signed=True))}</td>'
                f"<td>{_cue_tags(added, labels)}</td><td>{_cue_tags(removed, labels)}</td></tr>"
            )
        head = "".join(
            f"<th{cls}>{escape(labels.text(k))}</th>"
            for k, cls in (
                ("rescore.turn", ""),
                ("rescore.old_score", ' class="num"'),
                ("rescore.new_score", ' class="num"'),
                ("rescore.change", ' class="num"'),
                ("rescore.cues_added", ""),
                ("rescore.cues_removed", ""),
            )
        )
        drill = (
            f'<p>{escape(labels.text("rescore.drill_score"))}: <b>{escape(labels.num(r.original_drill_score))}</b> → '
            f'<b>{escape(labels.num(r.drill_score))}</b></p>'
        )
        version = labels.text("rescore.version", hash=r.script_hash[:12])
        where = f" · {escape(r.script_path)}" if r.script_path else ""
        blocks.append(
            f'<div class="rescoring"><h3>{escape(version)}</h3><p class="small">{escape(labels.date(r.created))}{where}</p>'
            f'{drill}<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        )
    return (
        f'<section id="rescore"><h2>{escape(labels.text("rescore.heading"))}</h2>'
        f'<p class="caption">{escape(labels.text("rescore.caption"))}</p>{"".join(blocks)}</section>'
    )


def _cue_tags(names: Sequence[str], labels: Labels) -> str:
    if not names:
        return escape(labels.text("rescore.none"))
    from ..errors import ParameterError
    from ..scoring.names import cue_kind

    def kind(n: str) -> str:
        try:
            return cue_kind(n)
        except ParameterError:  # a cue name this version does not know
            return "neutral"

    return " ".join(
        f'<span class="cue-tag k-{kind(n)}">{escape(labels.cue_name(n))}</span>' for n in names
    )
