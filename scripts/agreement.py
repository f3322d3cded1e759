#!/usr/bin/env python3
"""How far two annotators agree on the cue labels of the same replies, and where the detector
stands against each (issue 10: is a miss the detector's, or a label two people would not
share?).

    .venv/bin/python scripts/agreement.py FIRST.jsonl SECOND.jsonl [--detector]

FIRST and SECOND hold the same replies in the same order (``tests/data/relabel8/`` holds a
second annotator's blind labels of ``tests/data/blind8/``'s cue files). Prints the micro-F1
of SECOND against FIRST (F1 is symmetric in the two), per cue; with ``--detector``, also the
detector (rules and heads, as ``eval-cues`` runs it) against each annotator, on all replies,
on those the two label alike and on those they don't.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voicedrill.scoring.cues import TEXT_CUES  # noqa: E402
from voicedrill.scoring.evaluate import _score, evaluate, load_labelled  # noqa: E402

Labels = list[frozenset[str]]


def micro_f1(truth: Labels, other: Labels, cues=TEXT_CUES) -> float:
    tp = fp = fn = 0
    for t, o in zip(truth, other, strict=True):
        t, o = t & set(cues), o & set(cues)
        tp, fp, fn = tp + len(t & o), fp + len(o - t), fn + len(t - o)
    return _score(tp, fp, fn).f1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("first")
    ap.add_argument("second")
    ap.add_argument("--detector", action="store_true")
    args = ap.parse_args(argv)
    one, two = load_labelled(args.first), load_labelled(args.second)
    if [(x.ctx, x.reply) for x in one] != [(x.ctx, x.reply) for x in two]:
        print(f"{args.second}: not the replies of {args.first} in the same order", file=sys.stderr)
        return 2
    a = [frozenset(x.cues) for x in one]
    b = [frozenset(x.cues) for x in two]
    s = None
    if args.detector:
        s = [frozenset(r.found) for r in evaluate(one).rows]
    same = [i for i in range(len(a)) if a[i] == b[i]]
    print(f"{len(a)} replies, labelled alike: {len(same)} ({100 * len(same) / len(a):.0f}%)")
    print(f"second annotator vs first: micro-F1 {micro_f1(a, b):.3f}")
    if s is not None:
        other = [i for i in range(len(a)) if a[i] != b[i]]
        for name, idx in (("all replies", range(len(a))), ("labelled alike", same),
                          ("labelled differently", other)):  # fmt: skip
            pick = [[x[i] for i in idx] for x in (a, b, s)]
            print(f"detector, {name}: vs first {micro_f1(pick[0], pick[2]):.3f}, "
                  f"vs second {micro_f1(pick[1], pick[2]):.3f}")  # fmt: skip
    print(f"{'cue':20} {'2nd~1st':>8}" + (f" {'det~1st':>8} {'det~2nd':>8}" if s else "") + "  n 1st/2nd")
    for c in TEXT_CUES:
        n1, n2 = sum(c in x for x in a), sum(c in x for x in b)
        if not n1 + n2:
            continue
        row = f"{c:20} {micro_f1(a, b, (c,)):8.2f}"
        if s is not None:
            row += f" {micro_f1(a, s, (c,)):8.2f} {micro_f1(b, s, (c,)):8.2f}"
        print(f"{row}  {n1}/{n2}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
