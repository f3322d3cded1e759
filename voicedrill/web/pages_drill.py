"""The drill page (today's debrief, interactive: play a turn, jump in the waveform to a
cue's evidence), the static debrief, and the instructor's annotation pages."""

from __future__ import annotations

import numpy as np
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import annotations as marks  # (the module; "annotations" is the __future__ feature)
from ..errors import VoicedrillError
from ..scoring.names import CUE_NAMES, cue_kind
from .app import checked_form, csrf, ctx, page, require_instructor, trainee_of, tx
from .html import csrf_field, cue_tags, h, href, num, pager, paginate, score_pill, seg, table

WAVE_BINS = 400


def routes() -> list[Route]:
    return [
        Route("/drill/{sid}", drill_page),
        Route("/drill/{sid}/debrief", debrief),
        Route("/annotate", annotate_index),
        Route("/annotate/corrections.jsonl", corrections),
        Route("/annotate/{sid}", annotate_page),
        Route("/annotate/{sid}/{index:int}", post_annotation, methods=["POST"]),
    ]


def waveform(path, seconds: float, audio_id: str, cues, label: str = "") -> str:
    """An SVG of the reply's peaks (viewBox 1000 x 100) with each cue's evidence shaded."""
    from ..audio import load_audio

    try:
        audio = load_audio(path) if path is not None else np.zeros(0, np.float32)
    except VoicedrillError:
        audio = np.zeros(0, np.float32)
    seconds = max(seconds, len(audio) / 16000.0, 0.01)
    peaks = np.zeros(WAVE_BINS)
    if audio.size:
        edges = np.linspace(0, audio.size, WAVE_BINS + 1).astype(int)
        peaks = np.array(
            [
                np.abs(audio[a:b]).max() if b > a else 0.0
                for a, b in zip(edges[:-1], edges[1:], strict=False)
            ]
        )
        peaks = peaks / max(float(peaks.max()), 1e-6)
    step = 1000 / WAVE_BINS
    bars = " ".join(
        f"M{i * step:.1f} {50 - p * 48:.1f}v{max(p * 96, 0.5):.1f}" for i, p in enumerate(peaks)
    )
    ev = "".join(
        f'<rect class="ev k-{h(c.kind)}" x="{1000 * c.start / seconds:.1f}" y="0" '
        f'width="{max(1000 * (c.end - c.start) / seconds, 3):.1f}" height="100"><title>{h(c.name)}: {h(c.evidence)}</title></rect>'
        for c in cues
        if c.start is not None and c.end is not None
    )
    return (
        f'<svg class="wave" viewBox="0 0 1000 100" preserveAspectRatio="none" data-audio="{h(audio_id)}" '
        f'data-seconds="{seconds:.3f}" role="img" aria-label="{h(label)}">{ev}'
        f'<path class="peaks" d="{bars}" stroke="#8c959f" stroke-width="{step * 0.6:.2f}"/>'
        '<line class="head" x1="0" x2="0" y1="0" y2="100"/></svg>'
    )


def _cue_buttons(t, audio_id: str, tr) -> str:
    out = []
    for c in t.score.cues:
        if c.start is None or c.end is None:
            out.append(
                f'<span class="cue-tag k-{h(c.kind)}" title="{h(c.evidence)}">{h(c.name)}</span>'
            )
        else:
            out.append(
                f'<button type="button" class="cue k-{h(c.kind)}" data-audio="{h(audio_id)}" data-start="{c.start:.3f}" '
                f'data-end="{c.end:.3f}" title="{tr("drill.play_evidence", evidence=c.evidence)}">▶ {h(c.name)} '
                f'<span class="small">“{h(c.evidence)}” {c.start:.1f} s</span></button>'
            )
    return " ".join(out) or f'<span class="muted">{tr("common.no_cues")}</span>'


def drill_page(request: Request) -> Response:
    from ..report.debrief import scenario_title

    sid = request.path_params["sid"]
    trainee_of(request, sid)
    c, tr = ctx(request), tx(request)
    s = c.store.load_session(sid)
    notes = marks.load(s.path)
    cards = []
    for t in s.turns:
        aid = f"a-{t.index}"
        note = notes.get(t.index)
        comment = (
            f'<p class="comment"><b>{tr("drill.instructor")}</b> {h(note.comment)}</p>'
            if note and note.comment
            else ""
        )
        reply_audio = (
            f'<audio id="{aid}" class="reply" controls preload="none" src="/audio/{seg(s.id)}/{t.index}/reply"></audio>'
            if t.reply_audio_path is not None
            else f'<p class="muted">{tr("common.no_audio")}</p>'
        )
        line_audio = (
            f'<audio controls preload="none" src="/audio/{seg(s.id)}/{t.index}/line"></audio>'
            if t.line_audio_path is not None
            else ""
        )
        said = h(t.transcript.text.strip()) or f'<span class="muted">{tr("common.silence")}</span>'
        wave = waveform(
            t.reply_audio_path, t.reply_seconds, aid, t.score.cues, tr.raw("drill.waveform")
        )
        metrics = tr(
            "drill.metrics",
            wpm=num(t.score.pacing.words_per_minute, 0),
            latency=num(t.latency if t.latency is not None else t.score.pacing.latency, 1),
            calm=num(t.score.calm.score if t.score.calm else None, 2),
        )
        cards.append(
            f'<article class="turn" id="turn-{t.index}"><h3>{tr("drill.turn", turn=t.index + 1, node=t.node_id)} '
            f'{score_pill(t.score.score)} · {tr("drill.agitation", before=num(t.agitation_before, 2), after=num(t.agitation_after, 2))}</h3>'
            f'<p><b>{tr("drill.perpetrator")}</b></p><blockquote>{h(t.line.text)}</blockquote>{line_audio}'
            f'<p><b>{tr("drill.reply")}</b></p><blockquote class="transcript">{said}</blockquote>{reply_audio}'
            f'{wave if t.reply_audio_path else ""}'
            f'<p class="cues">{_cue_buttons(t, aid, tr)}</p><p class="small">{metrics}</p>'
            + "".join(f"<p class='small'>{h(f)}</p>" for f in t.score.feedback)
            + f"{comment}</article>"
        )
    links = (
        f'<a href="/drill/{seg(s.id)}/debrief">{tr("drill.full_debrief")}</a> · '
        f'<a href="/trainee/{seg(s.meta.trainee)}">{tr("drill.all_drills", name=s.meta.trainee)}</a>'
    )
    if request.state.ident.instructor:
        links += f' · <a href="/annotate/{seg(s.id)}">{tr("drill.annotate")}</a>'
    status = s.outcome or tr.raw("trainee." + ("incomplete" if not s.complete else "ended"))
    header = tr(
        "drill.header",
        trainee=s.meta.trainee,
        started=s.meta.started[:16].replace("T", " "),
        outcome=status,
    )
    body = (
        f"<h1>{h(scenario_title(s))}</h1><section><p>{header} {score_pill(s.drill_score)}</p>"
        f'<p class="small">{h(s.outcome_text)}</p><p class="noprint">{links}</p></section>'
        f'<section id="turns">{"".join(cards) or "<p>" + tr("drill.no_turns") + "</p>"}</section>'
    )
    return page(request, tr.raw("drill.title", id=s.id), body)


def debrief(request: Request) -> Response:
    from ..report import render_report

    sid = request.path_params["sid"]
    trainee_of(request, sid)
    s = ctx(request).store.load_session(sid)
    resp = HTMLResponse(render_report(s, audio="flac"))
    resp.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; media-src data:"
    )
    return resp


# --------------------------------------------------------------------------- annotate


def annotate_index(request: Request) -> Response:
    require_instructor(request)
    c, t = ctx(request), tx(request)
    script, script_name, error = _course_script(c.data_dir, t)
    rows, turns = marks.agreement(c.store, script=script)
    agree = (
        table(
            [
                (t("annotate.cue"), ""),
                (t("annotate.agreed"), "num"),
                (t("annotate.disagreed"), "num"),
                (t("annotate.missed"), "num"),
                (t("annotate.precision"), "num"),
                (t("annotate.recall"), "num"),
            ],
            [
                f'<tr data-cue="{h(r.name)}"><td>{cue_tags([r.name])}</td><td class="num">{r.agreed}</td><td class="num">{r.disagreed}</td>'
                f'<td class="num">{r.missed}</td><td class="num">{num(r.precision, 2)}</td><td class="num">{num(r.recall, 2)}</td></tr>'
                for r in rows
            ],
            attrs=' id="agreement"',
        )
        if rows
        else f"<p>{t('annotate.none_yet')}</p>"
    )
    done = set(marks.annotated_ids(c.store))
    sessions = list(reversed(c.store.list_sessions()))
    shown, pg, pages = paginate(sessions, _int(request.query_params.get("page"), 1), c.per_page)
    drill_rows = [
        f'<tr><td><a href="/annotate/{seg(s.id)}">{h(s.started[:16].replace("T", " "))}</a></td><td>{h(s.trainee)}</td>'
        f'<td>{h(s.scenario)}</td><td class="num">{s.turns}</td><td>{"✓" if s.id in done else ""}</td></tr>'
        for s in shown
    ]
    head = [
        (t("trainee.started"), ""),
        (t("course.trainee"), ""),
        (t("trainee.scenario"), ""),
        (t("trainee.turns"), "num"),
        (t("annotate.annotated"), ""),
    ]
    body = (
        f'<h1>{t("annotate.title")}</h1><section><h2>{t("annotate.agreement")}</h2>'
        f'<p class="small">{t("annotate.agreement_intro", turns=turns)} '
        f'<span id="agreement-script">{t("annotate.agreement_script", name=script_name)}</span></p>'
        f'{agree}<p><a id="export" href="/annotate/corrections.jsonl" download="corrections.jsonl">{t("annotate.export")}</a>'
        f' — <code>{t("annotate.export_then")}</code></p></section>'
        f'<section><h2>{t("annotate.drills")}</h2>{table(head, drill_rows)}{pager(t, "/annotate", pg, pages)}</section>'
    )
    return page(request, t.raw("annotate.title"), body, error=error)


def _course_script(data_dir, t):
    """(the course's loaded scoring script or None, its name, an error message or "")."""
    from pathlib import Path

    from ..course import course_script
    from ..scoring import load_script

    try:
        path = course_script(data_dir)
        return (
            (load_script(path), Path(path).stem, "")
            if path
            else (None, t.raw("scripts.default"), "")
        )
    except VoicedrillError as e:  # a chosen script gone or broken: say so, measure the stored cues
        return None, t.raw("scripts.default"), str(e)


def corrections(request: Request) -> Response:
    require_instructor(request)
    text, _ = marks.export_jsonl(ctx(request).store)
    return Response(
        text,
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="corrections.jsonl"'},
    )


def annotate_page(request: Request) -> Response:
    require_instructor(request)
    sid = request.path_params["sid"]
    trainee_of(request, sid)
    s = ctx(request).store.load_session(sid)
    notes = marks.load(s.path)
    token = csrf_field(csrf(request))
    tr = tx(request)
    forms = []
    for t in s.turns:
        note = notes.get(t.index)
        detected = t.score.cue_names()
        verdicts = (
            "".join(
                f'<li>{cue_tags([c])} <label><input type="radio" name="v:{h(c)}" value="agree"'
                f'{" checked" if (note is None or note.verdict(c) != "disagree") else ""}> {tr("annotate.agree")}</label> '
                f'<label><input type="radio" name="v:{h(c)}" value="disagree"{" checked" if note and note.verdict(c) == "disagree" else ""}>'
                f' {tr("annotate.disagree")}</label></li>'
                for c in detected
            )
            or f"<li class='muted'>{tr('annotate.none_found')}</li>"
        )
        missed = "".join(
            f'<label class="cue-tag k-{cue_kind(c)}"><input type="checkbox" name="added" value="{h(c)}"'
            f'{" checked" if note and c in note.added else ""}> {h(c)}</label> '
            for c in CUE_NAMES
            if c not in detected
        )
        saved = (
            f' <span class="small">{tr("annotate.saved_at", time=note.updated[:16].replace("T", " "))}</span>'
            if note
            else ""
        )
        forms.append(
            f'<article class="turn" id="turn-{t.index}"><h3>{tr("annotate.turn", turn=t.index + 1, node=t.node_id)} · '
            f'{score_pill(t.score.score)}{saved}</h3>'
            f"<blockquote>{h(t.line.text)}</blockquote><blockquote class='transcript'>"
            f"{h(t.transcript.text.strip()) or '<span class=muted>' + tr('common.silence') + '</span>'}</blockquote>"
            + (
                f'<audio controls preload="none" src="/audio/{seg(s.id)}/{t.index}/reply"></audio>'
                if t.reply_audio_path
                else ""
            )
            + f'<form method="post" action="/annotate/{seg(s.id)}/{t.index}">{token}<p>{tr("annotate.detected")}</p><ul>{verdicts}</ul>'
            f"<p>{tr('annotate.missed_by')} {missed}</p><p><label>{tr('annotate.comment')}<br><textarea name='comment' rows='2' "
            f"cols='80' maxlength='{marks.MAX_COMMENT}'>{h(note.comment if note else '')}</textarea></label></p>"
            f"<button>{tr('annotate.save')}</button></form></article>"
        )
    title = tr("annotate.drill_title", trainee=s.meta.trainee, scenario=s.meta.scenario_id)
    body = (
        f'<h1>{title}</h1><p><a href="/drill/{seg(s.id)}">{tr("annotate.drill_page")}</a></p>'
        f'<section>{"".join(forms) or "<p>" + tr("drill.no_turns") + "</p>"}</section>'
    )
    return page(
        request,
        tr.raw("annotate.drill_title", trainee=s.meta.trainee, scenario=s.meta.scenario_id),
        body,
        flash=request.query_params.get("msg", ""),
    )


async def post_annotation(request: Request) -> Response:
    require_instructor(request)
    sid, index = request.path_params["sid"], request.path_params["index"]
    trainee_of(request, sid)
    form = await checked_form(request)
    s = ctx(request).store.load_session(sid)
    verdicts = {k[2:]: str(v) for k, v in form.multi_items() if k.startswith("v:")}
    try:
        marks.annotate(
            s,
            index,
            verdicts=verdicts,
            added=[str(v) for v in form.getlist("added")],
            comment=str(form.get("comment", "")),
        )
    except VoicedrillError as e:
        raise HTTPException(400, str(e)) from e
    msg = tx(request).raw("annotate.saved", turn=index + 1)
    return RedirectResponse(href(f"/annotate/{seg(sid)}", msg=msg) + f"#turn-{index}", 303)


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
