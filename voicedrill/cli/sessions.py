"""``voicedrill sessions list|show|export|import|corrections|delete|reindex`` and ``voicedrill rescore``."""

from __future__ import annotations

import json
import sys

from ..errors import ParameterError, StoreError
from .common import open_store, print_notes

ORDER = 40


def register(subparsers, parents) -> None:
    p = subparsers.add_parser(
        "sessions",
        help="list, show, export and delete stored drills",
        description="Stored drills (one folder per drill under the data folder, plus a SQLite index).",
    )
    p.add_argument(
        "--data-dir",
        dest="sessions_data_dir",
        metavar="DIR",
        help="data folder (also accepted after the action)",
    )
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
    sub = p.add_subparsers(dest="sessions_command", metavar="ACTION")

    q = sub.add_parser(
        "list",
        parents=parents,
        help="list stored drills, oldest first",
        description="List stored drills, oldest first. Incomplete ones were cut off.",
    )
    q.add_argument("--trainee", metavar="T", help="only this trainee's drills")
    q.add_argument("--scenario", metavar="S", help="only drills of this scenario id")
    q.add_argument(
        "--json",
        action="store_true",
        help="print a JSON list of objects (id, scenario, trainee, started, turns, complete, ...)",
    )
    q.set_defaults(func=cmd_list)

    q = sub.add_parser(
        "show",
        parents=parents,
        help="show one drill turn by turn",
        description="Show one stored drill: how it ended, and every turn's cues, pacing and score.",
    )
    q.add_argument("id", metavar="ID", help="session id (a unique prefix or 'latest' works too)")
    q.set_defaults(func=cmd_show)

    q = sub.add_parser(
        "export",
        parents=parents,
        help="export drills: one archive, or one drill as CSV or JSON",
        description="Export stored drills. --all (or --format archive) writes one zip archive of "
        "whole drills (records, audio, scenario and script copies) for `voicedrill sessions import` "
        "on the instructor's machine; one drill can also be exported as CSV (a row per turn) or JSON.",
    )
    q.add_argument(
        "id", nargs="*", metavar="ID", help="session ids (unique prefixes or 'latest' work too)"
    )
    q.add_argument(
        "--all", action="store_true", help="every stored drill (of --trainee) into one archive"
    )
    q.add_argument("--trainee", metavar="T", help="with --all: only this trainee's drills")
    q.add_argument(
        "--format",
        choices=("csv", "json", "archive"),
        default=None,
        help="output format (default: json for one id, archive for --all or several ids)",
    )
    q.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (an archive defaults to voicedrill-drills-<time>.zip)",
    )
    q.set_defaults(func=cmd_export)

    q = sub.add_parser(
        "import",
        parents=parents,
        help="import drill archives (from `sessions export --all`)",
        description="Import drills from archives made by `voicedrill sessions export`. Drills already "
        "stored are skipped; a malformed or hostile archive (paths outside the archive, links, "
        "oversized members, zip bombs, bad checksums) is refused and nothing is changed.",
    )
    q.add_argument("archives", nargs="+", metavar="ARCHIVE.zip", help="archive files")
    q.set_defaults(func=cmd_import)

    q = sub.add_parser(
        "corrections",
        parents=parents,
        help="export the instructor's cue corrections (eval-cues JSONL)",
        description="Write the instructor's corrections (made on the Annotate page of voicedrill "
        "serve) as eval-cues JSONL, for: voicedrill eval-cues corrections.jsonl --script S",
    )
    q.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default="corrections.jsonl",
        help="default: corrections.jsonl",
    )
    q.set_defaults(func=cmd_corrections)

    q = sub.add_parser(
        "delete",
        parents=parents,
        help="delete one drill (asks first)",
        description="Delete one stored drill and its audio. Asks first; --yes skips the question.",
    )
    q.add_argument("id", metavar="ID", help="session id (the full id, or a unique prefix)")
    q.add_argument(
        "--yes", "-y", action="store_true", help="do not ask (needed when not run in a terminal)"
    )
    q.set_defaults(func=cmd_delete)

    q = sub.add_parser(
        "reindex",
        parents=parents,
        help="rebuild the session index from the folders",
        description="Rebuild the SQLite session index from the session folders (the truth).",
    )
    q.set_defaults(func=cmd_reindex)

    r = subparsers.add_parser(
        "rescore",
        parents=parents,
        help="re-score stored drills with another scoring script",
        description="Recompute every turn's score from the stored reply audio and transcript with "
        "another scoring script (no re-recording), store the new scores next to the old ones, "
        "and print what changed per turn and per cue.",
    )
    r.add_argument(
        "sessions", nargs="+", metavar="SESSION", help="session ids (unique prefixes work)"
    )
    r.add_argument(
        "--script",
        metavar="NEW.yaml",
        help="the scoring script to score with (default: the course's script, for the course's drills)",
    )
    r.add_argument("--json", action="store_true", help="print the changes as JSON")
    r.set_defaults(func=cmd_rescore)


# --------------------------------------------------------------------------- helpers


def _store(args):
    return open_store(args.data_dir or getattr(args, "sessions_data_dir", None))


def _fmt(value, spec: str = ".1f", none: str = "-") -> str:
    return none if value is None else format(value, spec)


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=False)).rstrip()]
    lines += [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in rows
    ]
    return "\n".join(lines)


def _status(complete: bool, outcome) -> str:
    if not complete:
        return "incomplete"
    return outcome or "ended"


# --------------------------------------------------------------------------- commands


def cmd_list(args) -> int:
    store = _store(args)
    sessions = store.list_sessions(trainee=args.trainee, scenario=args.scenario)
    print_notes(store)
    if args.json:
        print(json.dumps([s.to_dict() for s in sessions], ensure_ascii=False, indent=1))
        return 0
    if not sessions:
        which = " matching the filters" if (args.trainee or args.scenario) else ""
        print(f"No sessions{which} in {store.sessions_dir}. Run a drill first: voicedrill demo")
        return 0
    rows = [
        [
            s.id,
            s.started.replace("T", " ")[:19],
            s.trainee,
            s.scenario,
            str(s.turns),
            _status(s.complete, s.outcome),
            _fmt(s.drill_score),
        ]
        for s in sessions
    ]
    print(_table(rows, ["id", "started", "trainee", "scenario", "turns", "status", "score"]))
    return 0


def cmd_show(args) -> int:
    store = _store(args)
    s = store.load_session(args.id)
    m = s.meta
    print(f"session   {s.id}")
    print(f"trainee   {m.trainee}")
    print(
        f"scenario  {m.scenario_id}  (sha256 {m.scenario_hash[:12]}, {m.language}, mode {m.mode}, seed {m.seed})"
    )
    print(f"started   {m.started}")
    if m.course or m.group:
        print(f"course    {m.course or '-'}  group {m.group or '-'}")
    if s.complete:
        print(
            f"ended     {s.finished}: {s.outcome or 'no outcome'}"
            + (f" - {s.outcome_text}" if s.outcome_text else "")
        )
        print(
            f"score     {_fmt(s.drill_score)}  (scoring script {m.script_path or 'shipped'}, {m.script_hash[:16]})"
        )
    else:
        print(f"status    INCOMPLETE: the drill was cut off after {len(s.turns)} saved turns")
    print(f"folder    {s.path}")
    print()
    rows = []
    for t in s.turns:
        p = t.score.pacing
        calm = t.score.calm.score if t.score.calm is not None else None
        rows.append(
            [
                str(t.index),
                t.node_id,
                f"{t.agitation_before:.2f}->{t.agitation_after:.2f}",
                ", ".join(t.score.cue_names()) or "-",
                _fmt(p.words_per_minute, ".0f"),
                _fmt(t.latency if t.latency is not None else p.latency, ".2f"),
                _fmt(calm, ".2f"),
                _fmt(t.score.score),
            ]
        )
    if rows:
        print(
            _table(rows, ["turn", "node", "agitation", "cues", "wpm", "latency", "calm", "score"])
        )
        print()
        for t in s.turns:
            said = t.transcript.text.strip() or "(silence)"
            flag = " [interrupted]" if t.interrupted else ""
            print(f"[{t.index}] perpetrator: {t.line.text}")
            print(f"    trainee{flag}: {said}")
    else:
        print("(no turns saved)")
    for r in s.rescorings:
        print(
            f"\nre-scored {r.created} with {r.script_path or r.script_file} ({r.script_hash[:16]}): "
            f"drill score {_fmt(r.original_drill_score)} -> {_fmt(r.drill_score)}"
        )
    for problem in s.problems:
        print(f"voicedrill: warning: {problem}", file=sys.stderr)
    return 0


CSV_COLUMNS = (
    "session_id",
    "trainee",
    "scenario",
    "started",
    "turn",
    "node",
    "perpetrator_line",
    "transcript",
    "cues",
    "score",
    "words",
    "wpm",
    "latency_s",
    "longest_pause_s",
    "calm",
    "agitation_before",
    "agitation_after",
    "interrupted",
    "silent",
)


def cmd_export(args) -> int:
    import csv
    import io

    store = _store(args)
    fmt = args.format or ("archive" if args.all or len(args.id) != 1 else "json")
    if fmt == "archive":
        return _export_archive(store, args)
    if args.all or len(args.id) != 1:
        raise ParameterError(
            "--format csv/json exports one drill: give one session id, or use --format archive."
        )
    s = store.load_session(args.id[0])
    if fmt == "json":
        text = json.dumps(s.to_dict(), ensure_ascii=False, indent=1) + "\n"
    else:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(CSV_COLUMNS)
        for t in s.turns:
            p = t.score.pacing
            w.writerow(
                [
                    s.id,
                    s.meta.trainee,
                    s.meta.scenario_id,
                    s.meta.started,
                    t.index,
                    t.node_id,
                    t.line.text,
                    t.transcript.text,
                    ";".join(t.score.cue_names()),
                    round(t.score.score, 2),
                    p.words,
                    _csvnum(p.words_per_minute),
                    _csvnum(t.latency if t.latency is not None else p.latency),
                    _csvnum(p.longest_pause),
                    _csvnum(t.score.calm.score if t.score.calm else None),
                    t.agitation_before,
                    t.agitation_after,
                    int(t.interrupted),
                    int(t.silent),
                ]
            )
        text = buf.getvalue()
    if args.output:
        from pathlib import Path

        out = Path(args.output)
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as e:
            raise StoreError(
                f"{out}: cannot write the export ({e}). Choose a writable path with -o."
            ) from e
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    for problem in s.problems:
        print(f"voicedrill: warning: {problem}", file=sys.stderr)
    return 0


def _export_archive(store, args) -> int:
    import time
    from pathlib import Path

    from ..archive import export_archive

    if args.all:
        if args.id:
            raise ParameterError("give either --all or session ids, not both.")
        ids = [s.id for s in store.list_sessions(trainee=args.trainee)]
        if not ids:
            raise StoreError(
                f"no drills{' of ' + args.trainee if args.trainee else ''} in {store.sessions_dir} to export."
            )
    elif args.id:
        ids = args.id
    else:
        raise ParameterError("name the drills to export (session ids) or pass --all.")
    out = Path(args.output or time.strftime("voicedrill-drills-%Y%m%d-%H%M%S.zip"))
    result = export_archive(store, ids, out)
    print(
        f"wrote {result.path}: {len(result.sessions)} drill(s), {result.files} files, "
        f"{result.bytes / 1e6:.1f} MB. Import it with: voicedrill sessions import {result.path.name}",
        file=sys.stderr,
    )
    return 0


def cmd_import(args) -> int:
    from ..archive import import_archive
    from ..course import adopt_groups

    store = _store(args)
    failed = 0
    for path in args.archives:
        try:
            result = import_archive(store, path, progress=_ImportProgress(path))
            adopt_groups(store.data_dir, store, result.imported)
            print(result.message())
        except StoreError as e:
            failed += 1
            print(f"voicedrill: error: {e}", file=sys.stderr)
    print_notes(store)
    return 1 if failed else 0


class _ImportProgress:
    """A line per tenth of a long import ("importing drills.zip: 40% (120/300 files)")."""

    MIN_FILES = 100  # shorter imports finish before a progress line would help

    def __init__(self, name):
        from pathlib import Path

        self.name, self.shown = Path(name).name, -1

    def __call__(self, done: int, total: int) -> None:
        if total < self.MIN_FILES:
            return
        tenth = 10 * done // total
        if tenth > self.shown:
            self.shown = tenth
            print(
                f"importing {self.name}: {10 * tenth}% ({done}/{total} files)",
                file=sys.stderr,
                flush=True,
            )


def cmd_corrections(args) -> int:
    from ..annotations import export_jsonl

    store = _store(args)
    _, n = export_jsonl(store, args.output)
    print(
        f"wrote {args.output}: {n} corrected replies. Measure a script with: "
        f"voicedrill eval-cues {args.output} --script my_course.yaml",
        file=sys.stderr,
    )
    return 0


def _csvnum(v):
    return "" if v is None else round(float(v), 3)


def cmd_delete(args) -> int:
    store = _store(args)
    sid = store.resolve(args.id)
    if not args.yes:
        if not sys.stdin.isatty():
            raise ParameterError(
                f"not deleting session {sid} without confirmation: no terminal to ask on. "
                f"Run: voicedrill sessions delete {sid} --yes"
            )
        try:
            n = store.load_session(sid)
            what = f"{n.meta.trainee}, {n.meta.scenario_id}, {len(n.turns)} turns, started {n.meta.started}"
        except StoreError:
            what = "damaged folder"
        answer = input(f"Delete session {sid} ({what}) and its audio? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing deleted.")
            return 1
    path = store.delete_session(sid)
    print_notes(store)
    print(f"Deleted session {sid} ({path}).")
    return 0


def cmd_reindex(args) -> int:
    store = _store(args)
    n = store.reindex()
    print_notes(store)
    print(f"Rebuilt {store.index_path} from {n} session folders.")
    return 0


# --------------------------------------------------------------------------- rescore


def cmd_rescore(args) -> int:
    from ..rescore import rescore_session
    from ..scoring import load_script

    store = _store(args)
    ids = [store.resolve(s) for s in args.sessions]  # every id checked before any work
    script = load_script(args.script or _course_script(store, ids))
    results = []
    progress = _Progress(len(ids)) if len(ids) > 1 else None
    for i, sid in enumerate(ids):
        if progress:
            progress.show(i, sid)
        results.append(rescore_session(store, sid, script))
    if progress:
        progress.done()
    print_notes(store)
    if args.json:
        print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=1))
        return 0
    for r in results:
        print(format_rescore(r))
    if len(results) > 1:
        changed = sum(1 for r in results if r.changed_turns)
        print(f"{len(results)} sessions re-scored with {script.path}; {changed} changed.")
    return 0


def _course_script(store, ids):
    """Without --script: the course's chosen script, when every drill is the course's."""
    from ..course import COURSE_FILE, course_script, is_course_drill, load_roster

    path = course_script(store.data_dir)
    if path is None:
        raise ParameterError(
            f"no course scoring script is chosen ({store.data_dir / COURSE_FILE}); "
            "pass --script NEW.yaml, or choose one on the Scoring scripts page of `voicedrill serve`."
        )
    roster = load_roster(store.data_dir)
    for sid in ids:
        meta = store.load_session(sid).meta
        if not is_course_drill(roster, meta):
            raise ParameterError(
                f"drill {sid} ({meta.trainee}) is not one of the course's drills, so the course's "
                "scoring script does not apply; pass --script NEW.yaml."
            )
    return path


class _Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, total: int, width: int = 30):
        self.total, self.width = total, width
        self.tty = sys.stderr.isatty()

    def show(self, done: int, label: str) -> None:
        if self.tty:
            filled = int(self.width * done / self.total)
            bar = "#" * filled + "-" * (self.width - filled)
            sys.stderr.write(f"\rre-scoring [{bar}] {done}/{self.total} {label}   ")
            sys.stderr.flush()
        else:
            print(f"re-scoring {done + 1}/{self.total}: {label}", file=sys.stderr)

    def done(self) -> None:
        if self.tty:
            sys.stderr.write(
                f"\rre-scoring [{'#' * self.width}] {self.total}/{self.total}{' ' * 30}\n"
            )
            sys.stderr.flush()


def format_rescore(r) -> str:
    """Text report of one session's re-scoring: drill score, per-turn and per-cue changes."""
    lines = [
        f"{r.session_id}  {r.trainee}  {r.scenario}: drill score {_fmt(r.drill_score_before)} -> "
        f"{_fmt(r.drill_score_after)}  ({len(r.changed_turns)} of {len(r.turns)} turns changed)"
    ]
    if r.changed_turns:
        rows = []
        for t in r.changed_turns:
            gained = " ".join(f"+{c}" for c in t.gained)
            lost = " ".join(f"-{c}" for c in t.lost)
            rows.append(
                [
                    str(t.index),
                    _fmt(t.score_before),
                    _fmt(t.score_after),
                    f"{t.delta:+.1f}",
                    " ".join(x for x in (gained, lost) if x) or "-",
                ]
            )
        lines.append(_indent(_table(rows, ["turn", "before", "after", "change", "cues changed"])))
    cue_rows = [
        [c.name, str(c.turns_before), str(c.turns_after), _fmt(c.mean_delta, "+.1f")]
        for c in r.cues
        if c.changed
    ]
    if cue_rows:
        lines.append(
            _indent(
                _table(cue_rows, ["cue", "turns before", "turns after", "mean change of its turns"])
            )
        )
    return "\n".join(lines) + "\n"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
