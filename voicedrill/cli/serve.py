"""``voicedrill serve``: the instructor's workspace in a browser (local by default)."""

from __future__ import annotations

import os
import sys

from ..errors import ParameterError

ORDER = 45


def register(subparsers, parents) -> None:
    p = subparsers.add_parser(
        "serve",
        parents=parents,
        help="the instructor's workspace in the browser (course, critique, annotate)",
        description="Serve the course pages over the data folder: cohort table, drills, group critique, "
        "annotations and scoring-script previews. Binds 127.0.0.1 (only this machine) unless --host is "
        "given; on a LAN (--host 0.0.0.0) everybody signs in: the instructor with the access code "
        "printed at start, trainees with their trainee codes (shown on the course page). Nothing is "
        "fetched from the internet.",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; 0.0.0.0 for a classroom LAN)",
    )
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument(
        "--access-code",
        metavar="CODE",
        help="the instructor's code in LAN mode (default: $VOICEDRILL_ACCESS_CODE, else a new random one)",
    )
    p.add_argument(
        "--language", choices=("en", "ru"), default="en", help="language of the pages (default en)"
    )
    p.set_defaults(func=run)


def run(args) -> int:
    import socket

    from .. import paths

    try:
        import uvicorn

        from ..web import create_app
    except ImportError as e:  # pragma: no cover - setup installs them
        raise ParameterError(
            f"voicedrill serve needs starlette and uvicorn ({e}); run scripts/setup."
        ) from e
    from ..web.auth import new_access_code

    lan = args.host not in ("127.0.0.1", "localhost", "::1")
    code = None
    if lan:
        code = args.access_code or os.environ.get("VOICEDRILL_ACCESS_CODE") or new_access_code()
        if len(code) < 8:
            raise ParameterError("--access-code: use at least 8 characters.")
    if not 0 <= args.port <= 65535:
        raise ParameterError(f"--port {args.port}: choose 1-65535 (or 0 for a free port).")
    data = paths.data_dir(args.data_dir)
    app = create_app(data, lan=lan, access_code=code, language=args.language)
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as e:
        raise ParameterError(
            f"cannot listen on {args.host}:{args.port} ({e}); choose another --port."
        ) from e
    port = sock.getsockname()[1]
    where = "127.0.0.1" if not lan else socket.gethostname()
    print(f"voicedrill serve: {data}", file=sys.stderr)
    print(f"open http://{where}:{port}/ in a browser (Ctrl-C stops)", flush=True)
    if lan:
        print(f"LAN mode: instructor access code: {code}", flush=True)
        print(
            "trainees sign in with their name and the trainee code shown on the course page",
            flush=True,
        )
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return 0
