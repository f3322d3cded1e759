"""Scoring scripts: pick the course's script, and preview a candidate by re-scoring chosen
stored drills with it (a background job with progress; nothing stored changes) before
saving it."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import course
from ..errors import VoicedrillError
from .app import checked_form, csrf, ctx, ident, page, require_instructor, tx
from .html import csrf_field, cue_tags, h, href, num, seg, table
from .jobs import Redirect

MAX_SCRIPT = 256 * 1024  # characters of a candidate script


def routes() -> list[Route]:
    return [
        Route("/scripts", scripts_page),
        Route("/scripts/use", post_use, methods=["POST"]),
        Route("/scripts/preview", post_preview, methods=["POST"]),
        Route("/scripts/save", post_save, methods=["POST"]),
        Route("/jobs/{job}", job_page),
        Route("/jobs/{job}/state", job_state),
    ]


def _current_text(data_dir: Path, roster: course.Roster) -> str:
    from ..scoring.script import DEFAULT_SCRIPT

    path = Path(roster.script) if roster.script else DEFAULT_SCRIPT
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return DEFAULT_SCRIPT.read_text(encoding="utf-8")


async def scripts_page(
    request: Request, *, candidate: str | None = None, error: str = ""
) -> Response:
    require_instructor(request)
    c, t = ctx(request), tx(request)
    roster = course.load_roster(c.data_dir)
    token = csrf_field(csrf(request))
    files = course.course_scripts(c.data_dir)
    opts = f'<option value="">{t("scripts.default")}</option>' + "".join(
        f'<option value="{h(p.stem)}"{" selected" if str(p) == roster.script else ""}>{h(p.stem)}</option>'
        for p in files
    )
    sessions = list(reversed(c.store.list_sessions()))[: c.per_page]
    checks = "".join(
        f'<li><label><input type="checkbox" name="drill" value="{h(s.id)}"{" checked" if i < 5 else ""}> '
        f"{h(s.started[:16].replace('T', ' '))} · {h(s.trainee)} · {h(s.scenario)} · {num(s.drill_score)}</label></li>"
        for i, s in enumerate(sessions)
    )
    text = candidate if candidate is not None else _current_text(c.data_dir, roster)
    now = h(Path(roster.script).stem) if roster.script else t("scripts.default")
    body = (
        f"<h1>{t('scripts.title')}</h1>"
        f'<section><h2>{t("scripts.course_script")}</h2><p>{t("scripts.now")} <b>{now}</b></p>'
        f'<form class="inline" method="post" action="/scripts/use">{token}<select name="name">{opts}</select>'
        f'<button>{t("scripts.use")}</button></form></section>'
        f'<section><h2>{t("scripts.try")}</h2><form method="post" action="/scripts/preview">{token}'
        f'<textarea class="script" name="candidate" spellcheck="false">{h(text)}</textarea>'
        f"<p>{t('scripts.choose')}</p><ul>{checks or '<li>' + t('scripts.no_drills') + '</li>'}</ul>"
        f'<button>{t("scripts.preview")}</button></form>'
        f'<form class="inline" method="post" action="/scripts/save">{token}<input type="hidden" name="candidate" value="{h(text)}">'
        f'<label>{t("scripts.save_as")} <input name="name" pattern="[A-Za-z0-9_-]{{1,64}}" required></label>'
        f'<button>{t("scripts.save")}</button></form></section>'
    )
    return page(
        request,
        t.raw("scripts.title"),
        body,
        error=error,
        flash=request.query_params.get("msg", ""),
    )


async def post_use(request: Request) -> Response:
    require_instructor(request)
    c = ctx(request)
    form = await checked_form(request)
    name = str(form.get("name", ""))
    match = [p for p in course.course_scripts(c.data_dir) if p.stem == name]
    if name and not match:
        raise HTTPException(404, f"No saved scoring script '{name}'.")
    course.set_script(c.data_dir, str(match[0]) if match else "")
    t = tx(request)
    return RedirectResponse(
        href("/scripts", msg=t.raw("scripts.using", name=name or t.raw("scripts.default"))), 303
    )


async def post_preview(request: Request) -> Response:
    from ..scoring import load_script

    require_instructor(request)
    c = ctx(request)
    form = await checked_form(request, max_size=MAX_SCRIPT * 4)
    text = str(form.get("candidate", ""))[:MAX_SCRIPT]
    ids = [str(v) for v in form.getlist("drill")]
    try:
        script = load_script("candidate.yaml", text=text)
        ids = [c.store.resolve(i) for i in ids]
    except VoicedrillError as e:
        return await scripts_page(request, candidate=text, error=str(e))
    if not ids:
        return await scripts_page(
            request, candidate=text, error=tx(request).raw("scripts.pick_drill")
        )
    store = c.store
    job = c.jobs.submit(
        tx(request).raw("scripts.job", count=len(ids)),
        len(ids),
        lambda j: course.preview_rescore(store, ids, script, progress=j.progress),
        owner=ident(request).sid,
    )
    return RedirectResponse(f"/jobs/{job.id}", 303)


async def post_save(request: Request) -> Response:
    require_instructor(request)
    c = ctx(request)
    form = await checked_form(request, max_size=MAX_SCRIPT * 4)
    text = str(form.get("candidate", ""))[:MAX_SCRIPT]
    try:
        path = course.save_script(c.data_dir, str(form.get("name", "")), text)
    except VoicedrillError as e:
        return await scripts_page(request, candidate=text, error=str(e))
    course.set_script(c.data_dir, str(path))
    return RedirectResponse(
        href("/scripts", msg=tx(request).raw("scripts.saved", name=path.name)), 303
    )


def _job(request: Request):
    require_instructor(request)
    job = ctx(request).jobs.get(request.path_params["job"])
    if job is None or job.owner != ident(request).sid:
        raise HTTPException(404, "No such job (jobs are kept until the server stops).")
    return job


def job_state(request: Request) -> Response:
    return JSONResponse(_job(request).to_dict())


def job_page(request: Request) -> Response:
    job = _job(request)
    if job.state in ("queued", "running"):
        pct = 100 * job.done / job.total if job.total else 0
        body = (
            f'<h1>{h(job.title)}</h1><section data-job="/jobs/{h(job.id)}/state"><div class="progress" role="progressbar" '
            f'aria-valuenow="{job.done}" aria-valuemax="{job.total}"><div style="width:{pct:.0f}%"></div></div>'
            f'<p id="job-text">{job.done} / {job.total}</p></section>'
        )
        return page(request, job.title, body)
    if job.state == "failed":
        return page(request, job.title, f"<h1>{h(job.title)}</h1>", error=job.error)
    if isinstance(job.result, Redirect):
        return RedirectResponse(job.result.url, 303)
    return page(
        request, job.title, f"<h1>{h(job.title)}</h1>{_differences(job.result, tx(request))}"
    )


def _differences(previews, tr) -> str:
    total = sum(len(p.turns) for p in previews)
    changed = sum(len(p.changed_turns) for p in previews)
    rows = []
    for p in previews:
        delta = (
            (p.drill_score_after - p.drill_score_before)
            if None not in (p.drill_score_after, p.drill_score_before)
            else None
        )
        rows.append(
            f'<tr data-session="{h(p.session_id)}"><td><a href="/drill/{seg(p.session_id)}">{h(p.session_id)}</a></td><td>{h(p.trainee)}</td>'
            f'<td>{h(p.scenario)}</td><td class="num">{num(p.drill_score_before)}</td><td class="num">{num(p.drill_score_after)}</td>'
            f'<td class="num">{"—" if delta is None else f"{delta:+.1f}"}</td><td class="num">{len(p.changed_turns)} / {len(p.turns)}</td></tr>'
        )
        for t in p.changed_turns:
            gained = cue_tags([f"+{c}" for c in t.gained]) if t.gained else ""
            lost = cue_tags([f"-{c}" for c in t.lost]) if t.lost else ""
            rows.append(
                f'<tr class="small"><td></td><td colspan="2">{tr("scripts.turn", turn=t.index + 1, node=t.node_id)}</td>'
                f'<td class="num">{num(t.score_before)}</td><td class="num">{num(t.score_after)}</td>'
                f'<td class="num">{t.delta:+.1f}</td><td>{gained} {lost}</td></tr>'
            )
    head = [
        (tr(f"scripts.{k}"), "" if k in ("drill", "trainee", "scenario") else "num")
        for k in ("drill", "trainee", "scenario", "before", "after", "change", "turns_changed")
    ]
    summary = tr("scripts.summary", changed=changed, total=total, drills=len(previews))
    return (
        f'<section id="differences"><p>{summary} <a href="/scripts">{tr("nav.scripts")}</a></p>'
        f"{table(head, rows)}</section>"
    )
