"""The drill page (today's debrief, interactive: play a turn, jump in the waveform to a
cue's evidence), the static debrief, and the instructor's annotation pages."""

from __future__ import annotations

import numpy as np
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import annotations
from ..errors import VoicedrillError
from ..scoring.names import CUE_NAMES, cue_kind
from .app import checked_form, csrf, ctx, page, require_instructor, trainee_of
from .html import csrf_field, cue_tags, h, href, num, paginate, pager, score_pill, seg, table

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


def waveform(path, seconds: float, audio_id: str, cues) -> str:
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
        peaks = np.array([np.abs(audio[a:b]).max() if b > a else 0.0 for a, b in zip(edges[:-1], edges[1:])])
        peaks = peaks / max(float(peaks.max()), 1e-6)
    step = 1000 / WAVE_BINS
    bars = " ".join(f"M{i * step:.1f} {50 - p * 48:.1f}v{max(p * 96, 0.5):.1f}" for i, p in enumerate(peaks))
    ev = "".join(
        f'<rect class="ev k-{h(c.kind)}" x="{1000 * c.start / seconds:.1f}" y="0" '
        f'width="{max(1000 * (c.end - c.start) / seconds, 3):.1f}" height="100"><title>{h(c.name)}: {h(c.evidence)}</title></rect>'
        for c in cues if c.start is not None and c.end is not None
    )
    return (
        f'<svg class="wave" viewBox="0 0 1000 100" preserveAspectRatio="none" data-audio="{h(audio_id)}" '
        f'data-seconds="{seconds:.3f}" role="img" aria-label="waveform of the reply">{ev}'
        f'<path class="peaks" d="{bars}" stroke="#8c959f" stroke-width="{step * 0.6:.2f}"/>'
        '<line class="head" x1="0" x2="0" y1="0" y2="100"/></svg>'
    )


def _cue_buttons(t, audio_id: str) -> str:
    out = []
    for c in t.score.cues:
        if c.start is None or c.end is None:
            out.append(f'<span class="cue-tag k-{h(c.kind)}" title="{h(c.evidence)}">{h(c.name)}</span>')
        else:
            out.append(
                f'<button type="button" class="cue k-{h(c.kind)}" data-audio="{h(audio_id)}" data-start="{c.start:.3f}" '
                f'data-end="{c.end:.3f}" title="play the evidence: {h(c.evidence)}">▶ {h(c.name)} '
                f'<span class="small">“{h(c.evidence)}” {c.start:.1f} s</span></button>'
            )
    return " ".join(out) or '<span class="muted">no cues</span>'


def drill_page(request: Request) -> Response:
    from ..report.debrief import scenario_title

    sid = request.path_params["sid"]
    trainee_of(request, sid)
    c = ctx(request)
    s = c.store.load_session(sid)
    notes = annotations.load(s.path)
    cards = []
    for t in s.turns:
        aid = f"a-{t.index}"
        note = notes.get(t.index)
        comment = f'<p class="comment"><b>Instructor:</b> {h(note.comment)}</p>' if note and note.comment else ""
        reply_audio = (
            f'<audio id="{aid}" class="reply" controls preload="none" src="/audio/{seg(s.id)}/{t.index}/reply"></audio>'
            if t.reply_audio_path is not None else '<p class="muted">no reply audio</p>'
        )
        line_audio = (f'<audio controls preload="none" src="/audio/{seg(s.id)}/{t.index}/line"></audio>'
                      if t.line_audio_path is not None else "")
        said = h(t.transcript.text.strip()) or '<span class="muted">(silence)</span>'
        cards.append(
            f'<article class="turn" id="turn-{t.index}"><h3>Turn {t.index + 1} · node {h(t.node_id)} · score '
            f'{score_pill(t.score.score)} · agitation {num(t.agitation_before, 2)} → {num(t.agitation_after, 2)}</h3>'
            f'<p><b>Perpetrator:</b></p><blockquote>{h(t.line.text)}</blockquote>{line_audio}'
            f'<p><b>Reply:</b></p><blockquote class="transcript">{said}</blockquote>{reply_audio}'
            f'{waveform(t.reply_audio_path, t.reply_seconds, aid, t.score.cues) if t.reply_audio_path else ""}'
            f'<p class="cues">{_cue_buttons(t, aid)}</p>'
            f'<p class="small">pace {num(t.score.pacing.words_per_minute, 0)} wpm · latency '
            f'{num(t.latency if t.latency is not None else t.score.pacing.latency, 1)} s · calm '
            f'{num(t.score.calm.score if t.score.calm else None, 2)}</p>'
            + "".join(f"<p class='small'>{h(f)}</p>" for f in t.score.feedback) + f"{comment}</article>"
        )
    links = f'<a href="/drill/{seg(s.id)}/debrief">full debrief</a> · <a href="/trainee/{seg(s.meta.trainee)}">all drills of {h(s.meta.trainee)}</a>'
    if request.state.ident.instructor:
        links += f' · <a href="/annotate/{seg(s.id)}">annotate</a>'
    status = s.outcome or ("incomplete" if not s.complete else "ended")
    body = (
        f"<h1>{h(scenario_title(s))}</h1><section><p>Trainee <b>{h(s.meta.trainee)}</b> · {h(s.meta.started[:16])} · "
        f"outcome <b>{h(status)}</b> · drill score {score_pill(s.drill_score)}</p>"
        f'<p class="small">{h(s.outcome_text)}</p><p class="noprint">{links}</p></section>'
        f'<section id="turns">{"".join(cards) or "<p>No turns saved.</p>"}</section>'
    )
    return page(request, f"Drill {s.id}", body)


def debrief(request: Request) -> Response:
    from ..report import render_report

    sid = request.path_params["sid"]
    trainee_of(request, sid)
    s = ctx(request).store.load_session(sid)
    resp = HTMLResponse(render_report(s, audio="flac"))
    resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; media-src data:"
    return resp


# --------------------------------------------------------------------------- annotate


def annotate_index(request: Request) -> Response:
    require_instructor(request)
    c = ctx(request)
    rows, turns = annotations.agreement(c.store)
    agree = table(
        [("Cue", ""), ("Agreed", "num"), ("Disagreed", "num"), ("Missed", "num"), ("Precision", "num"), ("Recall", "num")],
        [f'<tr data-cue="{h(r.name)}"><td>{cue_tags([r.name])}</td><td class="num">{r.agreed}</td><td class="num">{r.disagreed}</td>'
         f'<td class="num">{r.missed}</td><td class="num">{num(r.precision, 2)}</td><td class="num">{num(r.recall, 2)}</td></tr>'
         for r in rows],
        attrs=' id="agreement"',
    ) if rows else "<p>No corrections yet: open a drill below and judge its cues.</p>"
    done = set(annotations.annotated_ids(c.store))
    sessions = list(reversed(c.store.list_sessions()))
    shown, pg, pages = paginate(sessions, _int(request.query_params.get("page"), 1), c.per_page)
    drill_rows = [
        f'<tr><td><a href="/annotate/{seg(s.id)}">{h(s.started[:16].replace("T", " "))}</a></td><td>{h(s.trainee)}</td>'
        f'<td>{h(s.scenario)}</td><td class="num">{s.turns}</td><td>{"✓" if s.id in done else ""}</td></tr>'
        for s in shown
    ]
    body = (
        f'<h1>Annotate</h1><section><h2>Scorer against your judgement</h2><p class="small">{turns} annotated turns. '
        "Precision: of the cues the scorer found, the share you agreed with; recall: of the cues you see, the share it found.</p>"
        f'{agree}<p><a id="export" href="/annotate/corrections.jsonl" download="corrections.jsonl">Export corrections '
        "(eval-cues JSONL)</a> — then <code>voicedrill eval-cues corrections.jsonl --script my_course.yaml</code></p></section>"
        f'<section><h2>Drills</h2>{table([("Started", ""), ("Trainee", ""), ("Scenario", ""), ("Turns", "num"), ("Annotated", "")], drill_rows)}'
        f"{pager('/annotate', pg, pages)}</section>"
    )
    return page(request, "Annotate", body)


def corrections(request: Request) -> Response:
    require_instructor(request)
    text, _ = annotations.export_jsonl(ctx(request).store)
    return Response(text, media_type="application/x-ndjson",
                    headers={"Content-Disposition": 'attachment; filename="corrections.jsonl"'})


def annotate_page(request: Request) -> Response:
    require_instructor(request)
    sid = request.path_params["sid"]
    trainee_of(request, sid)
    s = ctx(request).store.load_session(sid)
    notes = annotations.load(s.path)
    token = csrf_field(csrf(request))
    forms = []
    for t in s.turns:
        note = notes.get(t.index)
        detected = t.score.cue_names()
        verdicts = "".join(
            f'<li>{cue_tags([c])} <label><input type="radio" name="v:{h(c)}" value="agree"'
            f'{" checked" if (note is None or note.verdict(c) != "disagree") else ""}> agree</label> '
            f'<label><input type="radio" name="v:{h(c)}" value="disagree"{" checked" if note and note.verdict(c) == "disagree" else ""}>'
            " disagree</label></li>"
            for c in detected
        ) or "<li class='muted'>the scorer found no cue</li>"
        missed = "".join(
            f'<label class="cue-tag k-{cue_kind(c)}"><input type="checkbox" name="added" value="{h(c)}"'
            f'{" checked" if note and c in note.added else ""}> {h(c)}</label> '
            for c in CUE_NAMES if c not in detected
        )
        saved = f' <span class="small">saved {h(note.updated[:16])}</span>' if note else ""
        forms.append(
            f'<article class="turn" id="turn-{t.index}"><h3>Turn {t.index + 1} · {h(t.node_id)} · {score_pill(t.score.score)}{saved}</h3>'
            f"<blockquote>{h(t.line.text)}</blockquote><blockquote class='transcript'>"
            f"{h(t.transcript.text.strip()) or '<span class=muted>(silence)</span>'}</blockquote>"
            + (f'<audio controls preload="none" src="/audio/{seg(s.id)}/{t.index}/reply"></audio>' if t.reply_audio_path else "")
            + f'<form method="post" action="/annotate/{seg(s.id)}/{t.index}">{token}<p>Detected:</p><ul>{verdicts}</ul>'
            f"<p>Missed by the scorer: {missed}</p><p><label>Comment for the trainee<br><textarea name='comment' rows='2' "
            f"cols='80' maxlength='{annotations.MAX_COMMENT}'>{h(note.comment if note else '')}</textarea></label></p>"
            "<button>Save turn</button></form></article>"
        )
    body = (f'<h1>Annotate: {h(s.meta.trainee)} · {h(s.meta.scenario_id)}</h1><p><a href="/drill/{seg(s.id)}">drill page</a></p>'
            f'<section>{"".join(forms) or "<p>No turns.</p>"}</section>')
    return page(request, f"Annotate {s.id}", body, flash=request.query_params.get("msg", ""))


async def post_annotation(request: Request) -> Response:
    require_instructor(request)
    sid, index = request.path_params["sid"], request.path_params["index"]
    trainee_of(request, sid)
    form = await checked_form(request)
    s = ctx(request).store.load_session(sid)
    verdicts = {k[2:]: str(v) for k, v in form.multi_items() if k.startswith("v:")}
    try:
        annotations.annotate(s, index, verdicts=verdicts, added=[str(v) for v in form.getlist("added")],
                             comment=str(form.get("comment", "")))
    except VoicedrillError as e:
        raise HTTPException(400, str(e)) from e
    return RedirectResponse(href(f"/annotate/{seg(sid)}", msg=f"Turn {index + 1} saved.") + f"#turn-{index}", 303)


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
