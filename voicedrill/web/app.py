"""The ASGI application: ``create_app(data_dir, ...)`` (Starlette), its guards and the
routes every page shares (sign-in, static files, audio).

No URL path names a file: audio is addressed as ``/audio/<session id>/<turn>/<reply|line>``
(the id checked against the store's id rule, the turn a number, the kind one of two
words), static files come from a fixed table, and every file served is checked to lie
inside the data folder after resolving links.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from ..errors import VoicedrillError
from .auth import COOKIE, Auth, Identity, host_ok
from .html import csrf_field, h, layout

if TYPE_CHECKING:
    from ..store import Store
    from .jobs import Jobs
    from .text import Text

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC = {"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "media-src 'self' data:; form-action 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'"
)
MAX_UPLOAD = 2 * 1024 * 1024 * 1024  # bytes, one archive upload
_ID = re.compile(r"^[0-9][A-Za-z0-9_-]{0,63}$")


@dataclass
class Context:
    """What every request handler needs: the store, the data folder, auth, the jobs."""

    data_dir: Path
    store: Store
    auth: Auth
    jobs: Jobs
    text: Text  # the labels in the chosen language
    per_page: int = 50
    synced: float = 0.0  # time.monotonic() of the last index sync

    def fresh_store(self):
        """The store, its index brought up to date with the folders at most once a second
        (a page reads it several times; imports and drills sync it themselves)."""
        import time

        now = time.monotonic()
        if now - self.synced > 1.0:
            self.store.sync()
            self.synced = now
        return self.store


def ctx(request: Request) -> Context:
    return request.app.state.ctx


def tx(request: Request):
    """The page labels (``t("key", **values)`` escaped, ``t.raw`` not)."""
    return request.app.state.ctx.text


def ident(request: Request) -> Identity:
    return request.state.ident


def require_instructor(request: Request) -> None:
    if not ident(request).instructor:
        raise HTTPException(403, "Only the instructor may open this page.")


def check_session_id(sid: str) -> str:
    """A session id from a URL: the store's id rule, nothing that could name a path."""
    from ..store import _valid_id

    if not (_ID.match(sid) and _valid_id(sid)):
        raise HTTPException(404, "No such drill.")
    return sid


def trainee_of(request: Request, sid: str) -> str:
    """The trainee of drill ``sid`` (404 when unknown, 403 when the viewer may not see it)."""
    c = ctx(request)
    check_session_id(sid)
    rows = c.store.query("SELECT trainee FROM sessions WHERE id = ?", (sid,))
    if not rows:
        c.store.sync()
        rows = c.store.query("SELECT trainee FROM sessions WHERE id = ?", (sid,))
    if not rows:
        raise HTTPException(404, "No such drill.")
    if not ident(request).may_see(rows[0][0]):
        raise HTTPException(403, "This drill belongs to another trainee.")
    return rows[0][0]


def inside(base: Path, path: Path) -> Path:
    """``path`` resolved, when it lies inside ``base`` (resolved); else 404."""
    real, root = path.resolve(), base.resolve()
    if real != root and root not in real.parents:
        raise HTTPException(404, "Not found.")
    return real


async def checked_form(request: Request, *, max_size: int = 1024 * 1024):
    """The posted form, after the CSRF token and the Origin are checked (403 otherwise)."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if origin.split("://", 1)[-1] != host:
            raise HTTPException(403, "Cross-site form refused (Origin does not match).")
    length = request.headers.get("content-length")
    if length and int(length) > max_size:
        raise HTTPException(413, f"The form is too large (at most {max_size} bytes).")
    form = await request.form(max_files=1, max_fields=2000)
    if not ctx(request).auth.csrf_ok(ident(request), form.get("csrf")):
        raise HTTPException(
            403, "The form's security token is missing or stale; reload the page and try again."
        )
    return form


def page(
    request: Request, title: str, body: str, *, flash: str = "", error: str = "", status: int = 200
) -> HTMLResponse:
    who, t = ident(request), tx(request)
    label = (
        t("nav.instructor")
        if who.instructor
        else (t("nav.trainee", name=who.trainee) if who.role == "trainee" else "")
    )
    if who.role != "guest" and ctx(request).auth.lan:
        label += (
            f' · <form class="inline" method="post" action="/signout">{csrf_field(csrf(request))}'
            f'<button>{t("nav.sign_out")}</button></form>'
        )
    html = layout(title, body, t, who=label, instructor=who.instructor, flash=flash, error=error)
    return HTMLResponse(html, status_code=status)


def csrf(request: Request) -> str:
    return ctx(request).auth.csrf(ident(request))


# --------------------------------------------------------------------------- guards


class Guard(BaseHTTPMiddleware):
    """Host check, identity cookie, sign-in wall (LAN), security headers."""

    async def dispatch(self, request: Request, call_next) -> Response:
        c: Context = request.app.state.ctx
        if not host_ok(request.headers.get("host"), c.auth.lan):
            return PlainTextResponse(
                "voicedrill serve answers only on 127.0.0.1 (use --host for a LAN).", 400
            )
        who, fresh = c.auth.identity(request.cookies.get(COOKIE))
        request.state.ident = who
        if (
            c.auth.lan
            and who.role == "guest"
            and request.url.path not in ("/signin",)
            and not request.url.path.startswith("/static/")
        ):
            response: Response = RedirectResponse("/signin", 303)
        else:
            response = await call_next(request)
        if fresh:
            set_cookie(response, c.auth, who)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def set_cookie(response: Response, auth: Auth, who: Identity) -> None:
    response.set_cookie(COOKIE, auth.encode(who), httponly=True, samesite="strict", path="/")


# --------------------------------------------------------------------------- shared routes


def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        raise HTTPException(404, "Not found.")
    resp = FileResponse(STATIC_DIR / name, media_type=STATIC[name])
    resp.headers["Cache-Control"] = "max-age=3600"
    return resp


def audio(request: Request) -> Response:
    from ..store import LINE_AUDIO, REPLY_AUDIO, _turn_dir

    sid, kind = request.path_params["sid"], request.path_params["kind"]
    index = request.path_params["index"]
    if kind not in ("reply", "line"):
        raise HTTPException(404, "Not found.")
    trainee_of(request, sid)
    c = ctx(request)
    path = (
        c.store.sessions_dir
        / sid
        / _turn_dir(index)
        / (REPLY_AUDIO if kind == "reply" else LINE_AUDIO)
    )
    if not path.is_file():
        raise HTTPException(404, "This turn has no stored audio.")
    return FileResponse(inside(c.data_dir, path), media_type="audio/flac")


async def signin(request: Request) -> Response:
    c = ctx(request)
    if not c.auth.lan:
        return RedirectResponse("/", 303)
    error = ""
    status = 200
    t = tx(request)
    if request.method == "POST":
        client = request.client.host if request.client else "?"
        if c.auth.locked_out(client):
            error, status = t.raw("signin.locked"), 429
        else:
            form = await checked_form(request)
            who = c.auth.sign_in(
                client,
                str(form.get("code", "")),
                str(form.get("trainee", "")),
                lambda: {t[0] for t in c.store.trainees()},
            )
            if who is not None:
                resp = RedirectResponse("/", 303)
                set_cookie(resp, c.auth, who)
                return resp
            error, status = t.raw("signin.wrong"), 403
    body = (
        f'<section><h1>{t("signin.title")}</h1><p>{t("signin.intro")}</p>'
        f'<form method="post" action="/signin">{csrf_field(csrf(request))}'
        f'<p><label>{t("signin.trainee")} <input name="trainee" autocomplete="username"></label></p>'
        f'<p><label>{t("signin.code")} <input name="code" type="password" autocomplete="current-password" required></label></p>'
        f'<button>{t("signin.button")}</button></form></section>'
    )
    return page(request, t.raw("signin.title"), body, error=error, status=status)


async def signout(request: Request) -> Response:
    await checked_form(request)
    resp = RedirectResponse("/signin", 303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


async def on_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        status, text = exc.status_code, exc.detail
    else:  # a VoicedrillError: the user's data, not a bug
        status, text = 400, str(exc)
    if not hasattr(request.state, "ident"):
        return PlainTextResponse(str(text), status)
    return page(
        request,
        tx(request).raw("common.problem"),
        f"<section><h1>{h(status)}</h1><p>{h(text)}</p></section>",
        status=status,
    )


def create_app(
    data_dir: str | os.PathLike,
    *,
    lan: bool = False,
    access_code: str | None = None,
    secret: bytes | None = None,
    per_page: int = 50,
    language: str = "en",
) -> Starlette:
    """The web application over the data folder ``data_dir``. ``lan=True`` requires sign-in
    (the instructor's ``access_code``; trainees with their trainee codes). ``language``:
    the pages' labels (``lang/<code>/web.yaml``)."""
    from ..errors import ParameterError
    from ..store import Store
    from . import pages_course, pages_critique, pages_drill, pages_scripts
    from .jobs import Jobs
    from .text import Text

    if lan and not access_code:
        raise ParameterError(
            "LAN mode needs an access code (voicedrill serve prints one at start)."
        )
    data = Path(data_dir).expanduser().resolve()
    store = Store(data)
    routes = [
        Route("/static/{name}", static),
        Route("/audio/{sid}/{index:int}/{kind}", audio),
        Route("/signin", signin, methods=["GET", "POST"]),
        Route("/signout", signout, methods=["POST"]),
        *pages_course.routes(),
        *pages_drill.routes(),
        *pages_critique.routes(),
        *pages_scripts.routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard)],
        exception_handlers={HTTPException: on_error, VoicedrillError: on_error},
    )
    app.state.ctx = Context(
        data,
        store,
        Auth(lan=lan, access_code=access_code, secret=secret),
        Jobs(),
        Text(language),
        per_page,
    )
    return app
