"""``voicedrill eval-cues``: how well the cue detector agrees with an instructor's labels."""

from __future__ import annotations

import json

ORDER = 40


def register(subparsers, parents) -> None:
    p = subparsers.add_parser(
        "eval-cues",
        parents=parents,
        help="measure the text-cue detector against labelled replies (precision, recall, F1)",
        description=(
            "Run the cue detector on labelled replies and print precision, recall and F1 per cue "
            "and micro-F1 over all text cues. LABELLED.jsonl holds one JSON object per line: "
            '{"ctx": "perpetrator line", "reply": "trainee reply", "cues": ["mirror", ...]}, '
            'optionally "history": [earlier perpetrator lines] (for summaries) and "language". '
            "Use it to tune a scoring script's extra phrases against your own examples. "
            'With --json, "rows" gives every line\'s judgement ({"line": N, "found": [...]}); '
            "--ablate reports what each pattern of the cue lexicon fixes and breaks on the files."
        ),
    )
    p.add_argument(
        "labelled",
        metavar="LABELLED.jsonl",
        nargs="+",
        help="labelled replies, one JSON object per line",
    )
    p.add_argument(
        "--script",
        metavar="S",
        help="scoring script whose extra phrases and meaning settings are used (default: none, the defaults)",
    )
    p.add_argument(
        "--language",
        choices=("en", "ru"),
        help='language of lines without a "language" key (default: guessed from the letters)',
    )
    p.add_argument(
        "--json", action="store_true", help='print one JSON object with "per_cue" and "micro_f1"'
    )
    p.add_argument(
        "--mistakes",
        action="store_true",
        help="also list the replies where detector and labels disagree",
    )
    p.add_argument(
        "--rules-only",
        action="store_true",
        help="leave the learned heads out: measure the phrase rules and readers alone",
    )
    p.add_argument(
        "--ablate",
        action="store_true",
        help="for each pattern of the language's cue lexicon: what it fixes and breaks on these files "
        "(true positives lost / false positives removed when it is left out), so patterns fitted to one "
        "sentence can be pruned; slow (minutes)",
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="with --ablate: list every pattern that changes a judgement",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from ..scoring.evaluate import evaluate, format_table, load_labelled

    items = [item for path in args.labelled for item in load_labelled(path)]
    extra = rules = None
    if args.script:
        from ..scoring import load_script

        script = load_script(args.script)
        extra, rules = script.extra_phrases, script.meaning
    if args.ablate:
        return _ablate(args, items, rules)
    ev = evaluate(
        items,
        language=args.language,
        extra_phrases=extra,
        meaning=rules,
        rules_only=args.rules_only,
    )
    if args.json:
        out = ev.to_dict()
        if args.mistakes:
            out["mistakes"] = [
                {
                    "where": m.where,
                    "reply": m.reply,
                    "missed": list(m.missed),
                    "extra": list(m.extra),
                }
                for m in ev.mistakes
            ]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(format_table(ev))
    if args.mistakes and ev.mistakes:
        print("\nDisagreements (missed = labelled but not found; extra = found but not labelled):")
        for m in ev.mistakes:
            parts = []
            if m.missed:
                parts.append("missed " + ", ".join(m.missed))
            if m.extra:
                parts.append("extra " + ", ".join(m.extra))
            print(f"  {m.where}: {'; '.join(parts)}: {m.reply}")
    return 0


def _ablate(args, items, rules) -> int:
    import sys

    from ..scoring.ablate import ablate, format_report

    effects = ablate(
        items, language=args.language, meaning=rules, progress=lambda m: print(m, file=sys.stderr)
    )
    if args.json:
        print(json.dumps({"entries": [e.to_dict() for e in effects]}, ensure_ascii=False, indent=2))
    else:
        print(format_report(effects, show_all=args.all))
    return 0
