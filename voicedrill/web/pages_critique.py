"""The group critique: pick a scenario node; every trainee's reply to it side by side
(audio, transcript, cues, score, the perpetrator's reaction), best to worst, with the
scenario's model answer. One button plays them in turn; the page prints cleanly, and
``/critique/export`` downloads it as one self-contained HTML file (audio embedded)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from .. import course
from ..store import TURN_FILE, _turn_dir
from ..turn import Turn
from .app import ctx, page, require_instructor, tx
from .html import cue_tags, h, num, score_pill, seg, url


def routes() -> list[Route]:
    return [Route("/critique", critique_page), Route("/critique/export", critique_export)]


@dataclass(frozen=True)
class Card:
    reply: course.CritiqueReply
    turn: Turn
    next_line: str  # what the perpetrator said next ("" at the end of the drill)
    outcome: str  # how the drill ended when this was the last turn


def _read_turn(store, sid: str, index: int) -> Turn | None:
    folder = store.sessions_dir / sid / _turn_dir(index)
    try:
        return Turn.from_dict(json.loads((folder / TURN_FILE).read_text(encoding="utf-8")), folder)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def cards_for(
    store, scenario: str, node: str, trainees: set[str] | None = None, sync: bool = True
) -> tuple[list[Card], str | None]:
    """The critique's cards (best first) and the model answer, reading only the turns shown;
    ``trainees`` narrows it to a group."""
    cards = []
    for r in course.critique(store, scenario, node, trainees=trainees, sync=sync):
        turn = _read_turn(store, r.session_id, r.turn_index)
        if turn is None:
            continue
        nxt = _read_turn(store, r.session_id, r.turn_index + 1)
        outcome = ""
        if nxt is None:
            rows = store.query("SELECT outcome FROM sessions WHERE id = ?", (r.session_id,))
            outcome = (rows[0][0] or "") if rows else ""
        cards.append(Card(r, turn, nxt.line.text if nxt else "", outcome))
    model = None
    if cards:
        folder = store.sessions_dir / cards[0].reply.session_id
        try:
            meta = json.loads((folder / "session.json").read_text(encoding="utf-8"))
            text = (folder / _safe_name(meta.get("scenario_file"), "scenario.yaml")).read_text(
                encoding="utf-8"
            )
            model = course.model_answer(text, node)
        except (OSError, ValueError, AttributeError):
            model = None
    return cards, model


def _safe_name(name, default: str) -> str:
    import re

    return (
        name
        if isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name)
        else default
    )


def _card(card: Card, rank: int, audio_src: str | None, tr) -> str:
    t, r = card.turn, card.reply
    said = h(t.transcript.text.strip()) or f'<span class="muted">{tr("common.silence")}</span>'
    audio = (
        f'<audio class="reply" controls preload="none" src="{h(audio_src)}"></audio>'
        if audio_src
        else f'<p class="muted">{tr("common.no_audio")}</p>'
    )
    reaction = (
        f"“{card.next_line}”"
        if card.next_line
        else tr.raw("critique.ended_with", outcome=card.outcome)
        if card.outcome
        else tr.raw("critique.ended")
    )
    reaction = tr(
        "critique.reaction",
        before=num(r.agitation_before, 2),
        after=num(r.agitation_after, 2),
        next=reaction,
    )
    return (
        f'<div class="card" data-trainee="{h(r.trainee)}"><span class="rank">#{rank}</span>'
        f'<h3>{h(r.trainee)} {score_pill(r.score)}</h3>{audio}<blockquote class="transcript">{said}</blockquote>'
        f'<p>{cue_tags(t.score.cue_names(), tr.raw("common.no_cues"))}</p><p class="small">{reaction}</p>'
        f'<p class="small noprint"><a href="/drill/{seg(r.session_id)}#turn-{r.turn_index}">{tr("common.drill")}</a></p></div>'
    )


def _group(request: Request) -> tuple[str, set[str] | None]:
    group = request.query_params.get("group") or ""
    if not group:
        return "", None
    return group, set(course.load_roster(ctx(request).data_dir).groups.get(group, ()))


def _picker(
    tr, nodes: dict[str, list], scenario: str, node: str, groups=(), group: str = ""
) -> str:
    sc = "".join(
        f'<option value="{h(s)}"{" selected" if s == scenario else ""}>{h(s)}</option>'
        for s in nodes
    )
    nd = "".join(
        f'<option value="{h(n)}"{" selected" if n == node else ""}>{tr("critique.trainees", node=n, count=k)}</option>'
        for n, k in nodes.get(scenario, ())
    )
    gr = "".join(
        f'<option value="{h(g)}"{" selected" if g == group else ""}>{h(g)}</option>' for g in groups
    )
    return (
        f'<form class="inline noprint" method="get" action="/critique"><label>{tr("critique.scenario")} '
        f'<select name="scenario">{sc}</select></label><label>{tr("critique.node")} <select name="node">{nd}</select></label>'
        + (
            f'<label>{tr("critique.group")} <select name="group"><option value="">{tr("critique.everybody")}</option>'
            f'{gr}</select></label>'
            if groups
            else ""
        )
        + f'<button>{tr("critique.show")}</button></form>'
    )


def critique_page(request: Request) -> Response:
    require_instructor(request)
    c, tr = ctx(request), tx(request)
    nodes = course.scenarios_and_nodes(c.fresh_store(), counts=True, sync=False)
    scenario = request.query_params.get("scenario", "") or next(iter(nodes), "")
    node = request.query_params.get("node") or ""
    if scenario in nodes and node not in [n for n, _ in nodes[scenario]]:
        node = nodes[scenario][0][0]
    group, members = _group(request)
    groups = sorted(course.load_roster(c.data_dir).groups)
    body = f"<h1>{tr('critique.title')}</h1><section>{_picker(tr, nodes, scenario, node, groups, group)}"
    if not nodes:
        return page(
            request, tr.raw("critique.title"), body + f"<p>{tr('critique.no_drills')}</p></section>"
        )
    cards, model = cards_for(c.store, scenario, node, members, sync=False)
    body += (
        f"<h2>{tr('critique.heading', scenario=scenario, node=node, count=len(cards), group=tr.raw('course.group_suffix', group=group) if group else '')}</h2>"
        f'<p class="noprint"><button type="button" id="play-all">{tr("critique.play_all")}</button> '
        f'<button type="button" id="print">{tr("critique.print")}</button> '
        f'<a href="{url("/critique/export", scenario=scenario, node=node, group=group)}">{tr("critique.export")}</a></p>'
        + (
            f'<div class="card model"><h3>{tr("critique.model")}</h3><blockquote>{h(model)}</blockquote></div>'
            if model
            else ""
        )
        + '<div class="cards" id="replies">'
        + "".join(
            _card(
                cd,
                i + 1,
                f"/audio/{seg(cd.reply.session_id)}/{cd.reply.turn_index}/reply"
                if cd.turn.reply_audio_path
                else None,
                tr,
            )
            for i, cd in enumerate(cards)
        )
        + "</div></section>"
    )
    return page(request, tr.raw("critique.export_title", scenario=scenario, node=node), body)


def critique_export(request: Request) -> Response:
    """The critique as one file for the room: no scripts, audio embedded (data: URIs)."""
    from ..report.media import data_uri

    require_instructor(request)
    c, tr = ctx(request), tx(request)
    scenario, node = request.query_params.get("scenario", ""), request.query_params.get("node", "")
    cards, model = cards_for(c.store, scenario, node, _group(request)[1])
    if not cards:
        raise HTTPException(404, "No replies stored for that scenario node.")
    from .app import STATIC_DIR

    css = (STATIC_DIR / "app.css").read_text(encoding="utf-8")
    items = "".join(
        _card(cd, i + 1, data_uri(cd.turn.reply_audio_path), tr) for i, cd in enumerate(cards)
    )
    title = tr("critique.export_title", scenario=scenario, node=node)
    html = (
        f'<!DOCTYPE html><html lang="{h(tr.language)}"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
        f"content=\"default-src 'none'; style-src 'unsafe-inline'; media-src data:\"><title>{title}</title>"
        f"<style>{css}</style></head><body><main><h1>{title}</h1>"
        + (
            f'<div class="card model"><h3>{tr("critique.model")}</h3><blockquote>{h(model)}</blockquote></div>'
            if model
            else ""
        )
        + f'<div class="cards">{items}</div></main></body></html>'
    )
    name = _safe_name(f"critique-{scenario}-{node}.html", "critique.html")
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="{name}"'})
