"""The course page (cohort table, groups, scenario assignments, archive import) and a
trainee's page (their drills, paginated, and the history plots of the report package)."""

from __future__ import annotations

import os
import secrets

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import course
from ..errors import StoreError, VoicedrillError
from .app import MAX_UPLOAD, checked_form, csrf, ctx, ident, page, require_instructor, tx
from .auth import trainee_code
from .html import csrf_field, h, href, num, pager, paginate, score_pill, seg, table, url

COLUMNS = ("trainee", "group", "drills", "score", "helpful", "harmful", "wpm", "calm", "trend")


def routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/trainee/{name}", trainee_page),
        Route("/trainee/{name}/history", trainee_history),
        Route("/course/group", post_group, methods=["POST"]),
        Route("/course/scenario", post_scenario, methods=["POST"]),
        Route("/course/import", post_import, methods=["POST"]),
    ]


def home(request: Request) -> Response:
    who = ident(request)
    if not who.instructor:
        return trainee_page(request, name=who.trainee)
    c, t = ctx(request), tx(request)
    q = request.query_params
    roster = course.load_roster(c.data_dir)
    group = q.get("group")
    key = q.get("sort", "trainee")
    if key not in course.SORT_KEYS:
        key = "trainee"
    desc = q.get("desc") == "1"
    rows = course.sort_rows(
        course.cohort(c.fresh_store(), roster, group=group or None, sync=False), key, desc
    )
    shown, pg, pages = paginate(rows, _int(q.get("page"), 1), c.per_page)
    head = []
    for k in COLUMNS:
        flip = (
            "0"
            if (k == key and desc)
            else "1"
            if k == key
            else ("1" if k in ("score", "drills", "trend") else "0")
        )
        arrow = (" ▼" if desc else " ▲") if k == key else ""
        head.append(
            (
                f'<a href="{url("/", sort=k, desc=flip, group=group)}" data-sort="{k}">{t("course.col_" + k)}{arrow}</a>',
                "" if k in ("trainee", "group") else "num",
            )
        )
    head.append((t("course.col_scores"), ""))
    if c.auth.lan:
        head.append((t("course.col_code"), ""))
    body_rows = []
    for r in shown:
        code = (
            f"<td><code>{h(trainee_code(c.auth.access_code, r.trainee))}</code></td>"
            if c.auth.lan
            else ""
        )
        trend = "—" if r.trend is None else f"{r.trend:+.1f}"
        body_rows.append(
            f'<tr data-trainee="{h(r.trainee)}"><td><a href="/trainee/{seg(r.trainee)}">{h(r.trainee)}</a></td>'
            f"<td>{h(r.group) or '—'}</td><td class=\"num\">{r.drills}</td><td class=\"num\">{score_pill(r.score)}</td>"
            f'<td class="num">{num(r.helpful, 2)}</td><td class="num">{num(r.harmful, 2)}</td>'
            f'<td class="num">{num(r.wpm, 0)}</td><td class="num">{num(r.calm, 2)}</td><td class="num">{h(trend)}</td>'
            f"<td>{sparkline(r.scores)}</td>{code}</tr>"
        )
    groups = sorted(set(roster.groups) | set(roster.scenarios))
    filters = " · ".join(
        [f'<a href="{url("/", sort=key)}">{t("course.all")}</a>']
        + [f'<a href="{url("/", group=g, sort=key)}">{h(g)}</a>' for g in groups]
    )
    cohort = (
        f'<section id="cohort"><h2>{t("course.cohort")}{t("course.group_suffix", group=group) if group else ""}</h2>'
        f'<p class="small">{t("course.groups")} {filters}</p>'
        + (
            table(head, body_rows, attrs=' id="cohort-table"')
            if rows
            else f"<p>{t('course.no_drills')}</p>"
        )
        + pager(t, "/", pg, pages, sort=key, desc="1" if desc else None, group=group)
        + "</section>"
    )
    return page(
        request,
        roster.name,
        f"<h1>{h(roster.name)}</h1>{cohort}{_groups(request, roster)}{_import(request)}",
        flash=q.get("msg", ""),
        error=q.get("err", ""),
    )


def sparkline(scores, width: int = 120, height: int = 24) -> str:
    """The drill scores (0..100, oldest first) as a small SVG line; the full plots are on the trainee's page."""
    if len(scores) < 2:
        return ""
    step = width / (len(scores) - 1)
    pts = " ".join(
        f"{i * step:.1f},{height - 2 - (v / 100) * (height - 4):.1f}" for i, v in enumerate(scores)
    )
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="drill scores {h(", ".join(f"{v:.0f}" for v in scores))}"><polyline points="{pts}" '
        'fill="none" stroke="#0969da" stroke-width="1.5"/></svg>'
    )


def _groups(request: Request, roster: course.Roster) -> str:
    from ..scenario import list_scenarios

    c, t = ctx(request), tx(request)
    token = csrf_field(csrf(request))
    try:
        shipped = [s.id for s in list_scenarios(data_dir=c.data_dir)]
    except VoicedrillError:
        shipped = []
    ids = sorted(set(shipped) | set(course.scenarios_and_nodes(c.fresh_store(), sync=False)))
    options = "".join(f'<option value="{h(s)}">{h(s)}</option>' for s in ids)
    rows = [
        f'<tr><td>{h(g)}</td><td>{", ".join(h(t) for t in roster.groups.get(g, ())) or "—"}</td>'
        f'<td>{", ".join(h(s) for s in roster.scenarios.get(g, ())) or "—"}</td></tr>'
        for g in sorted(set(roster.groups) | set(roster.scenarios))
    ]
    return (
        f'<section id="groups"><h2>{t("course.groups_heading")}</h2>'
        + (
            table(
                [(t("course.group"), ""), (t("course.trainees"), ""), (t("course.assigned"), "")],
                rows,
            )
            if rows
            else f"<p>{t('course.no_groups')}</p>"
        )
        + f'<form class="inline" method="post" action="/course/group">{token}<label>{t("course.trainee")} '
        f'<input name="trainee" required></label><label>{t("course.group")} <input name="group" '
        f'placeholder="{t("course.no_group")}"></label><button>{t("course.put_in_group")}</button></form><br>'
        f'<form class="inline" method="post" action="/course/scenario">{token}<label>{t("course.group")} '
        f'<input name="group" required></label><label>{t("course.scenario")} <select name="scenario">{options}</select></label>'
        f'<label><input type="checkbox" name="remove" value="1"> {t("course.remove")}</label>'
        f'<button>{t("course.assign")}</button></form></section>'
    )


def _import(request: Request) -> str:
    t = tx(request)
    return (
        f'<section id="import"><h2>{t("course.import_heading")}</h2><p class="small">{t("course.import_intro")}</p>'
        f'<form method="post" action="/course/import" enctype="multipart/form-data">{csrf_field(csrf(request))}'
        f'<input type="file" name="archive" accept=".zip" required> <button>{t("course.import_button")}</button></form></section>'
    )


def trainee_page(request: Request, name: str | None = None) -> Response:
    c, t = ctx(request), tx(request)
    name = name if name is not None else request.path_params["name"]
    if not ident(request).may_see(name):
        raise HTTPException(403, "You may see only your own drills.")
    sessions = list(reversed(c.store.list_sessions(trainee=name)))
    if not sessions and ident(request).instructor:
        raise HTTPException(404, f"No drills of trainee {name!r}.")
    shown, pg, pages = paginate(sessions, _int(request.query_params.get("page"), 1), c.per_page)
    rows = [
        f'<tr><td><a href="/drill/{seg(s.id)}">{h(s.started.replace("T", " ")[:16])}</a></td><td>{h(s.scenario)}</td>'
        f'<td class="num">{s.turns}</td><td>{h(s.outcome) or t("trainee." + ("incomplete" if not s.complete else "ended"))}</td>'
        f'<td class="num">{score_pill(s.drill_score)}</td></tr>'
        for s in shown
    ]
    drills = table(
        [
            (t("trainee.started"), ""),
            (t("trainee.scenario"), ""),
            (t("trainee.turns"), "num"),
            (t("trainee.outcome"), ""),
            (t("trainee.score"), "num"),
        ],
        rows,
    )
    history = (
        (
            f'<section><h2>{t("trainee.progress")}</h2><iframe title="history" src="/trainee/{seg(name)}/history" '
            'style="width:100%;height:900px;border:0"></iframe></section>'
        )
        if sessions
        else ""
    )
    base = "/" if not ident(request).instructor else f"/trainee/{seg(name)}"
    body = (
        f"<h1>{t('trainee.title', name=name)}</h1><section>{drills if rows else '<p>' + t('trainee.no_drills') + '</p>'}"
        f"{pager(t, base, pg, pages)}</section>{history}"
    )
    return page(request, t.raw("trainee.title", name=name), body)


def trainee_history(request: Request) -> Response:
    from ..report import render_history_html

    c = ctx(request)
    name = request.path_params["name"]
    if not ident(request).may_see(name):
        raise HTTPException(403, "You may see only your own drills.")
    return HTMLResponse(render_history_html(c.store.history(name), trainee=name))


async def post_group(request: Request) -> Response:
    require_instructor(request)
    form = await checked_form(request)
    try:
        course.assign_trainee(
            ctx(request).data_dir, str(form.get("trainee", "")), str(form.get("group", ""))
        )
    except VoicedrillError as e:
        return RedirectResponse(href("/", err=str(e)), 303)
    return RedirectResponse("/#groups", 303)


async def post_scenario(request: Request) -> Response:
    require_instructor(request)
    form = await checked_form(request)
    try:
        course.assign_scenario(
            ctx(request).data_dir,
            str(form.get("group", "")),
            str(form.get("scenario", "")),
            remove=form.get("remove") == "1",
        )
    except VoicedrillError as e:
        return RedirectResponse(href("/", err=str(e)), 303)
    return RedirectResponse("/#groups", 303)


async def post_import(request: Request) -> Response:
    """Save the upload, then import it as a background job: the job page shows the progress
    bar and, when done, goes back to the course page with the result."""
    require_instructor(request)
    c = ctx(request)
    form = await checked_form(request, max_size=MAX_UPLOAD)
    upload = form.get("archive")
    if upload is None or not hasattr(upload, "read"):
        return RedirectResponse(href("/", err=tx(request).raw("course.choose_archive")), 303)
    name = upload.filename or "archive"
    tmp = c.data_dir / f".upload-{secrets.token_hex(6)}.zip"
    try:
        with open(tmp, "wb") as out:
            while chunk := await upload.read(1 << 20):
                out.write(chunk)
    except OSError as e:
        _unlink(tmp)
        return RedirectResponse(
            href("/", err=f"{name}: cannot receive the archive ({e}); nothing was imported."), 303
        )
    job = c.jobs.submit(
        tx(request).raw("course.import_job", name=name),
        0,
        lambda j: _run_import(c, tmp, name, j),
        owner=ident(request).sid,
    )
    return RedirectResponse(f"/jobs/{job.id}", 303)


def _run_import(c, tmp, name: str, job):
    from ..archive import import_archive
    from .jobs import Redirect

    try:
        result = import_archive(c.store, tmp, progress=job.progress)
        course.adopt_groups(c.data_dir, c.store, result.imported)
        return Redirect(href("/", msg=result.message().replace(tmp.name, name, 1)))
    except StoreError as e:
        raise StoreError(str(e).replace(tmp.name, name)) from e
    finally:
        _unlink(tmp)


def _unlink(path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
