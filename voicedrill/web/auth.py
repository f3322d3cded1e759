"""Who is asking, and may they: sign-in cookies, CSRF tokens, trainee codes, host checks.

- Local mode (127.0.0.1, the default): the person at this machine is the instructor; no
  sign-in, but requests must name a loopback host (a web page elsewhere cannot reach the
  server through DNS rebinding) and every form carries a CSRF token.
- LAN mode (``--host 0.0.0.0``): nobody sees anything before signing in. The instructor
  signs in with the access code printed at start; a trainee signs in with their name
  and their trainee code (``trainee_code``, shown to the instructor on the course page)
  and sees only their own drills. Failed sign-ins are rate-limited per client address.

The cookie is ``<payload>.<HMAC-SHA256>`` (HttpOnly, SameSite=Strict): it cannot be
forged or edited without the server's secret, which is random per start.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass

COOKIE = "voicedrill"
MAX_FAILS = 8  # failed sign-ins per client address per window
FAIL_WINDOW = 300.0  # seconds


@dataclass(frozen=True)
class Identity:
    sid: str  # random id of this browser session (binds the CSRF token)
    role: str  # "instructor" | "trainee" | "guest"
    trainee: str = ""  # for role "trainee"

    @property
    def instructor(self) -> bool:
        return self.role == "instructor"

    def may_see(self, trainee: str) -> bool:
        return self.instructor or (self.role == "trainee" and self.trainee == trainee)


def new_access_code() -> str:
    """A code the instructor types: 12 characters from an alphabet without look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def trainee_code(access_code: str, trainee: str) -> str:
    """A trainee's own sign-in code, derived from the access code (8 characters)."""
    mac = hmac.new(access_code.encode(), b"trainee:" + trainee.encode(), hashlib.sha256).digest()
    return base64.b32encode(mac).decode("ascii")[:8].lower()


class Auth:
    def __init__(self, *, lan: bool, access_code: str | None, secret: bytes | None = None):
        self.lan = lan
        self.access_code = access_code or ""
        self.secret = secret or secrets.token_bytes(32)
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    # -- cookies ---------------------------------------------------------------

    def encode(self, ident: Identity) -> str:
        payload = (
            base64.urlsafe_b64encode(
                json.dumps({"s": ident.sid, "r": ident.role, "t": ident.trainee}).encode()
            )
            .decode()
            .rstrip("=")
        )
        return f"{payload}.{self._mac(payload)}"

    def decode(self, cookie: str | None) -> Identity | None:
        if not cookie or "." not in cookie:
            return None
        payload, mac = cookie.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            ident = Identity(str(data["s"]), str(data["r"]), str(data.get("t", "")))
        except (ValueError, KeyError, TypeError):
            return None
        return ident if ident.role in ("instructor", "trainee", "guest") else None

    def _mac(self, payload: str) -> str:
        return hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()

    def identity(self, cookie: str | None) -> tuple[Identity, bool]:
        """(who, whether a new cookie must be set). Local mode: always the instructor."""
        ident = self.decode(cookie)
        if ident is None:
            ident = Identity(secrets.token_hex(12), "guest")
            fresh = True
        else:
            fresh = False
        if not self.lan and ident.role != "instructor":
            ident, fresh = Identity(ident.sid, "instructor"), True
        return ident, fresh

    # -- CSRF -------------------------------------------------------------------

    def csrf(self, ident: Identity) -> str:
        return hmac.new(self.secret, b"csrf:" + ident.sid.encode(), hashlib.sha256).hexdigest()[:40]

    def csrf_ok(self, ident: Identity, token: object) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf(ident))

    # -- sign-in ------------------------------------------------------------------

    def sign_in(self, client: str, code: str, trainee: str, known_trainees) -> Identity | None:
        """The identity for a sign-in attempt, or None (the attempt is counted)."""
        code = (code or "").strip().lower()
        trainee = (trainee or "").strip()
        sid = secrets.token_hex(12)
        if self.access_code and not trainee and hmac.compare_digest(code, self.access_code.lower()):
            return Identity(sid, "instructor")
        if self.access_code and trainee and trainee in known_trainees():
            if hmac.compare_digest(code, trainee_code(self.access_code, trainee)):
                return Identity(sid, "trainee", trainee)
        self._count_fail(client)
        return None

    def locked_out(self, client: str) -> bool:
        with self._lock:
            now = time.monotonic()
            fails = [t for t in self._fails.get(client, []) if now - t < FAIL_WINDOW]
            self._fails[client] = fails
            return len(fails) >= MAX_FAILS

    def _count_fail(self, client: str) -> None:
        with self._lock:
            self._fails.setdefault(client, []).append(time.monotonic())


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def host_ok(host_header: str | None, lan: bool) -> bool:
    """Local mode answers only requests addressed to a loopback name (DNS-rebinding guard)."""
    if lan:
        return True
    if not host_header:
        return False
    host = (
        host_header.rsplit(":", 1)[0]
        if not host_header.startswith("[")
        else host_header.split("]")[0] + "]"
    )
    return host in LOOPBACK_HOSTS
