"""Commands ``report`` (the HTML debrief of one drill) and ``history`` (a trainee's progress)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .common import open_store, print_notes

ORDER = 45


def register(subparsers, parents) -> None:
    p = subparsers.add_parser(
        "report",
        parents=parents,
        help="write the HTML debrief of a drill",
        description=(
            "Write one self-contained HTML debrief of a stored drill (no internet needed to view it): "
            "outcome and score, agitation over the turns, three coaching points, every turn with the "
            "perpetrator line, your highlighted reply, pace, latency, pauses, calm and audio, and any "
            "instructor re-scorings. Default file: debrief.html in the session folder."
        ),
    )
    p.add_argument(
        "session", metavar="SESSION", help="session id (a unique prefix or 'latest' works too)"
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the page here (default: <session folder>/debrief.html)",
    )
    p.add_argument(
        "--open", action="store_true", help="open the page in the web browser afterwards"
    )
    p.add_argument(
        "--audio",
        choices=("flac", "ogg", "none"),
        default="flac",
        help="how to embed the audio: flac (lossless, default), ogg (about 10x smaller) or none",
    )
    p.add_argument(
        "--script",
        metavar="SCRIPT.yaml",
        help="draw the target bands of this scoring script (default: the one the drill used)",
    )
    p.set_defaults(func=cmd_report)

    h = subparsers.add_parser(
        "history",
        parents=parents,
        help="show a trainee's progress across drills",
        description=(
            "Show a trainee's progress across stored drills: drill score, helpful and harmful cues per "
            "turn, pace and calm over time. Prints a table; -o FILE also writes an HTML page with plots."
        ),
    )
    h.add_argument("trainee", metavar="TRAINEE", help="the trainee's name as used in the drills")
    h.add_argument(
        "-o", "--output", metavar="FILE", help="also write the HTML page with plots to FILE"
    )
    h.add_argument(
        "--json", action="store_true", help="print every drill as a JSON list instead of the table"
    )
    h.add_argument(
        "--limit", type=int, default=20, metavar="N", help="drills shown in the table (default 20)"
    )
    h.set_defaults(func=cmd_history)


def _store(args):
    return open_store(args.data_dir)


def cmd_report(args) -> int:
    from ..report import write_report

    script = None
    if args.script:
        from ..scoring import load_script

        script = load_script(args.script)
    with _store(args) as store:
        session = store.load_session(args.session)
        print_notes(store)
    path = write_report(session, args.output, script=script, audio=args.audio)
    for problem in session.problems:
        print(f"voicedrill: note: {problem}", file=sys.stderr)
    if not session.complete:
        print(
            f"voicedrill: note: session {session.id} is incomplete (the drill was cut off); "
            f"the debrief shows its {len(session.turns)} saved turns.",
            file=sys.stderr,
        )
    print(path)
    if args.open:
        _open(path)
    return 0


def _open(path: Path) -> None:
    """Open ``path`` in a browser; a machine without one gets a note, not an error."""
    import webbrowser

    try:
        opened = webbrowser.open(path.resolve().as_uri())
    except Exception as e:  # no display, broken browser entry: the file is still written
        opened = False
        print(f"voicedrill: note: cannot open a browser ({e}).", file=sys.stderr)
    if not opened:
        print(f"voicedrill: note: no web browser found; open {path} yourself.", file=sys.stderr)


def cmd_history(args) -> int:
    from ..errors import ParameterError, StoreError
    from ..report import history_text, render_history_html

    if args.limit < 1:
        raise ParameterError(f"--limit must be at least 1, got {args.limit}.")
    with _store(args) as store:
        entries = store.history(args.trainee)
        if not entries:
            known = [name for name, _, _ in store.trainees()]
            hint = (
                f"Trainees with drills: {', '.join(known[:20])}."
                if known
                else "No drills are stored yet; run a drill first."
            )
            raise StoreError(
                f"no drills stored for trainee '{args.trainee}' in {store.data_dir}. {hint}"
            )
        print_notes(store)
    if args.json:
        print(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=1))
    else:
        from ..report.terminal import supports_color

        print(history_text(entries, trainee=args.trainee, limit=args.limit, color=supports_color()))
    if args.output:
        from ..report import write_page

        path = write_page(render_history_html(entries, trainee=args.trainee), args.output)
        print(path, file=sys.stderr if args.json else sys.stdout)
    return 0
