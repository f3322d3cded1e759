"""`voicedrill scenarios list|show|validate|graph|record`: the scenario library for instructors."""

from __future__ import annotations

import json
import sys

ORDER = 30


def register(sub, parents) -> None:
    p = sub.add_parser(
        "scenarios",
        parents=parents,
        help="list, show, validate and graph drill scenarios",
        description=(
            "Scenarios are YAML files: the shipped library plus your own in "
            "<data folder>/scenarios/ (a file there with a shipped id replaces it)."
        ),
    )
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
    s = p.add_subparsers(dest="scenarios_command", metavar="ACTION")

    ls = s.add_parser(
        "list",
        parents=parents,
        help="list shipped and user scenarios",
        description="List every scenario: id, language, nodes, outcomes and title.",
    )
    ls.add_argument(
        "--json",
        action="store_true",
        help="print a JSON list of {id, title, language, situation, nodes, outcomes, source, path, valid, problems}",
    )
    ls.set_defaults(func=cmd_list)

    show = s.add_parser(
        "show",
        parents=parents,
        help="print a scenario: briefing, perpetrator, nodes, outcomes",
        description="Print a scenario in readable form (an id or a YAML file).",
    )
    show.add_argument("scenario", help="scenario id or YAML file")
    show.set_defaults(func=cmd_show)

    val = s.add_parser(
        "validate",
        parents=parents,
        help="check scenario files and report every problem",
        description=(
            "Check scenario YAML files. Every problem is printed as "
            "file:line:column: message (hint). Exit status 1 when any file has problems."
        ),
    )
    val.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files (or ids)")
    val.set_defaults(func=cmd_validate)

    graph = s.add_parser(
        "graph",
        parents=parents,
        help="print a scenario's graph as Mermaid or Graphviz DOT",
        description="Print the node graph as Mermaid (paste into a Markdown file) or DOT (dot -Tsvg).",
    )
    graph.add_argument("scenario", help="scenario id or YAML file")
    graph.add_argument(
        "--format",
        choices=("mermaid", "dot"),
        default="mermaid",
        help="output format (default: %(default)s)",
    )
    graph.set_defaults(func=cmd_graph)

    rec = s.add_parser(
        "record",
        parents=parents,
        help="record the perpetrator's lines in your own voice, at the microphone",
        description=(
            "Walk through every line of SCENARIO (each mood: calm, tense, explosive), record each at "
            "the microphone, hear it back, keep it or re-take it. Silence is trimmed and loudness "
            "normalised; a clipped or silent take is refused. Takes go to <id>.takes/ beside a user's "
            "scenario file (for a shipped scenario: <data folder>/scenarios/<id>.takes/), a folder a "
            "course can copy. Drills then speak recorded lines with the take and the rest with TTS."
        ),
    )
    rec.add_argument("scenario", help="scenario id or YAML file")
    rec.add_argument(
        "--input",
        metavar="DEV",
        help="microphone by index or name substring (see `voicedrill devices`)",
    )
    rec.add_argument(
        "--output", metavar="DEV", help="speaker for the playback, by index or name substring"
    )
    rec.add_argument("--node", metavar="NODE", help="record only this node's lines")
    rec.add_argument("--redo", action="store_true", help="offer lines that already have a take too")
    rec.add_argument(
        "--end-silence",
        type=float,
        default=1.2,
        metavar="SECONDS",
        help="silence that ends a take (default: %(default)s)",
    )
    rec.add_argument("--out", metavar="DIR", help="takes folder (default: see above)")
    rec.set_defaults(func=cmd_record)


def cmd_list(args) -> int:
    from ..scenario import list_scenarios

    infos = list_scenarios(data_dir=args.data_dir)
    if args.json:
        print(json.dumps([i.to_dict() for i in infos], ensure_ascii=False, indent=2))
        return 0
    if not infos:
        print("no scenarios found")
        return 0
    width = max(len(i.id) for i in infos)
    for i in infos:
        for note in i.notes:
            print(f"voicedrill: note: {note}", file=sys.stderr)
        if i.problems:
            print(
                f"{i.id:<{width}}  !! {len(i.problems)} problem(s): voicedrill scenarios validate {i.path}"
            )
            continue
        user = "  (user)" if i.source == "user" else ""
        print(
            f"{i.id:<{width}}  {i.language}  {i.nodes:>3} nodes  {i.outcomes} outcomes  {i.title}{user}"
        )
    return 0


def print_scenario_notes(ref, data_dir) -> None:
    """Tell the user about other files declaring the scenario's id (broken, duplicate)."""
    from ..scenario import resolve_scenario

    for note in resolve_scenario(ref, data_dir=data_dir)[1]:
        print(f"voicedrill: note: {note}", file=sys.stderr)


def cmd_show(args) -> int:
    import textwrap

    from .. import branching
    from ..scenario import load_scenario

    s = load_scenario(args.scenario, data_dir=args.data_dir)
    print_scenario_notes(args.scenario, args.data_dir)
    from .. import speak
    from ..takes import TakeLibrary, folder_for

    takes = TakeLibrary.for_scenario(s, args.data_dir)
    out = [
        f"{s.title}  [{s.id}, {s.language}, {s.situation}]",
        f"file: {s.path}",
        f"voice: {speak.describe(s)}",
        "",
    ]
    out += textwrap.wrap("Briefing: " + s.briefing, 88) + [""]
    out.append("Learning goals:")
    out += [f"  - {g}" for g in s.learning_goals]
    p, d = s.perpetrator, s.dynamics
    out += [
        "",
        f"Perpetrator: {p.name}, start agitation {p.start_agitation:g}, rise x{p.rise:g}, fall x{p.fall:g}",
    ]
    for r in p.triggers:
        out.append(f"  trigger {r.name} (+{r.effect:g}): {', '.join(r.words)}")
    for r in p.hooks:
        out.append(f"  hook {r.name} ({r.effect:g}): {', '.join(r.words)}")

    def eff(v):
        return "as the scoring script" if v is None else f"{v:+g}"

    out.append(
        f"Agitation: rests at {d.resting:g}, decay {d.decay:g}/turn, silence {eff(d.silence)}, "
        f"interruption {eff(d.interruption)}; tense from {d.tense_at:g}, explosive from {d.explosive_at:g}"
    )
    if d.cue_effects:
        out.append("  cue effects: " + ", ".join(f"{c} {e:+g}" for c, e in d.cue_effects))
    out.append(f"Limit: {s.limits.max_turns} turns, then '{s.limits.outcome}'")
    recorded = total = 0
    out += ["", f"Nodes ({len(s.nodes)}, start: {s.start_node}):"]
    for n in s.nodes:
        out.append(f"  [{n.id}]" + (f"  -> ends: {n.outcome}" if n.terminal else ""))
        for band in ("calm", "tense", "explosive"):
            for text in getattr(n.lines, band):
                take = takes.find(n.id, band, text)
                recorded += take is not None and take.band == band
                total += 1
                mark = "  [recorded]" if take is not None and take.band == band else ""
                out.append(f"    {band}: {text}{mark}")
        for name, reply in n.trainee:
            out.append(f"    trainee/{name}: {reply if reply is not None else '(silence)'}")
        for t in n.transitions:
            target = f"-> {t.to}" if t.to else f"=> ends: {t.end}"
            cond = "otherwise" if t.when is None else "when " + branching.describe(t.when)
            out.append(f"    {cond} {target}")
    out += ["", "Outcomes:"]
    for o in s.outcomes:
        out.append(f"  {o.id} ({o.result}): {o.title}")
        out += textwrap.wrap(o.debrief, 84, initial_indent="    ", subsequent_indent="    ")
    out += [
        "",
        f"Recorded takes: {recorded} of {total} lines ([recorded] above; the rest speak with TTS). "
        f"Record with: voicedrill scenarios record {s.id}  (folder: {folder_for(s, args.data_dir)})",
    ]
    print("\n".join(out))
    return 0


def cmd_validate(args) -> int:
    from ..errors import ScenarioError
    from ..scenario import check_file, resolve_scenario

    bad = 0
    for ref in args.files:
        try:
            path, notes = resolve_scenario(ref, data_dir=args.data_dir)
            for note in notes:
                print(f"voicedrill: note: {note}", file=sys.stderr)
        except ScenarioError as e:
            print(f"{ref}:1:1: {e}")
            bad += 1
            continue
        problems = check_file(path)
        if problems:
            bad += 1
            for line in problems:
                print(line)
            sys.stdout.flush()
            print(
                f"{path}: {len(problems)} problem{'s' if len(problems) > 1 else ''}",
                file=sys.stderr,
            )
        else:
            print(f"{path}: ok")
    return 1 if bad else 0


def cmd_record(args) -> int:
    from pathlib import Path

    from ..errors import ParameterError
    from ..live import open_live
    from ..recording import record_scenario
    from ..scenario import load_scenario
    from ..takes import folder_for

    s = load_scenario(args.scenario, data_dir=args.data_dir)
    if args.node is not None and args.node not in {n.id for n in s.nodes}:
        raise ParameterError(
            f"scenario '{s.id}' has no node '{args.node}'; see: voicedrill scenarios show {s.id}"
        )
    if not 0.3 <= args.end_silence <= 5.0:
        raise ParameterError(f"--end-silence must be from 0.3 to 5 seconds, got {args.end_silence}")
    folder = Path(args.out).expanduser() if args.out else folder_for(s, args.data_dir)
    speaker, listener = open_live(
        input_device=args.input,
        output_device=args.output,
        end_silence=args.end_silence,
        max_reply_seconds=30.0,
        no_reply_timeout=10.0,
        key_pressed=lambda: False,
        barge_in=False,
    )
    try:
        result = record_scenario(
            s,
            folder,
            listener=listener,
            speaker=speaker,
            ask=input,
            redo=args.redo,
            only_node=args.node,
        )
    finally:
        listener.close()
    print(
        f"\n{len(result.recorded)} take(s) recorded, {result.skipped} skipped, {result.already} already recorded"
        f"{', stopped early' if result.quit else ''}. Folder: {folder}"
    )
    print(f"See which lines are recorded: voicedrill scenarios show {s.id}")
    return 0


def cmd_graph(args) -> int:
    from ..scenario import load_scenario

    s = load_scenario(args.scenario, data_dir=args.data_dir)
    print(to_dot(s) if args.format == "dot" else to_mermaid(s))
    return 0


def _short(text: str, n: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def to_mermaid(s) -> str:
    """The scenario graph as a Mermaid flowchart."""
    from ..branching import describe

    def q(text: str) -> str:
        return text.replace('"', "#quot;")

    lines = ["flowchart TD"]
    for n in s.nodes:
        first = (n.lines.for_band("tense") or n.lines.all())[0]
        label = q(f"{n.id}: {_short(first)}")
        lines.append(f'    {n.id}["{label}"]' if not n.terminal else f'    {n.id}(["{label}"])')
    for o in s.outcomes:
        lines.append(f'    out_{o.id}{{{{"{q(o.id)} ({o.result})"}}}}')
    for n in s.nodes:
        if n.terminal:
            lines.append(f"    {n.id} --> out_{n.outcome}")
        for t in n.transitions:
            target = t.to if t.to else f"out_{t.end}"
            lines.append(f'    {n.id} -->|"{q(_short(describe(t.when), 60))}"| {target}')
    lines.append(f"    start((start)) --> {s.start_node}")
    return "\n".join(lines)


def to_dot(s) -> str:
    """The scenario graph as Graphviz DOT."""
    from ..branching import describe

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"digraph {q(s.id)} {{", "  rankdir=TB;", "  node [shape=box, fontsize=10];"]
    lines.append(f"  __start [shape=circle, label=start]; __start -> {q(s.start_node)};")
    for n in s.nodes:
        first = (n.lines.for_band("tense") or n.lines.all())[0]
        shape = ", style=rounded" if n.terminal else ""
        lines.append(f"  {q(n.id)} [label={q(n.id + ': ' + _short(first))}{shape}];")
    colors = {"good": "palegreen", "bad": "lightpink", "neutral": "lightgrey"}
    for o in s.outcomes:
        lines.append(
            f"  {q('out:' + o.id)} [shape=octagon, style=filled, fillcolor={colors[o.result]}, "
            f"label={q(o.id + ' (' + o.result + ')')}];"
        )
    for n in s.nodes:
        if n.terminal:
            lines.append(f"  {q(n.id)} -> {q('out:' + n.outcome)};")
        for t in n.transitions:
            target = t.to if t.to else "out:" + t.end
            lines.append(
                f"  {q(n.id)} -> {q(target)} [label={q(_short(describe(t.when), 60))}, fontsize=8];"
            )
    lines.append("}")
    return "\n".join(lines)
