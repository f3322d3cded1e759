"""The dev14-dev17 sets (issue 10): replies and trap moments written by hand by two other
helpers without reading the rules or running the detector, committed as new files.

Each set was first scored as it came, before any change it prompted (the honest
generalisation figures; cue micro-F1, traps: harmful replies with no harmful cue / model
answers judged wrong):

- dev14, rules + heads of 89f0b99: en 0.787, traps 0.752 (10/30, 2/30); ru 0.680, traps
  0.721 (2/30, 4/30);
- dev15-17, rules of 0f511d1 (general word classes prompted by dev14 only) + heads that had
  seen none of them: en dev15 0.760, traps 0.715 (9/30, 6/30), dev16 0.822, traps 0.671
  (19/30, 4/30), dev17 0.802; ru dev15 0.664, traps 0.722 (7/30, 3/30), dev16 0.726, traps
  0.676 (11/30, 1/30), dev17 0.719. The rules of 89f0b99 scored en 0.758 / 0.707 / 0.818 /
  0.671 / 0.800 and ru 0.659 / 0.722 / 0.718 / 0.676 / 0.712 on the same files.

The heads were then trained on them too (scripts/train_heads.py; vetoes chosen on them):
the floors below sit just under the figures measured after that, a regression guard, not
a target and not a generalisation figure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from voicedrill.scoring.evaluate import evaluate, load_labelled

DATA = Path(__file__).resolve().parent / "data"

# measured after the changes (rules of this commit, heads trained on dev2-dev17): cues
# en 0.845 0.811 0.846 0.819, ru 0.748 0.731 0.774 0.756; traps en 0.850 (3/30, 1/30),
# 0.787 (4/30, 3/30), 0.770 (8/30, 4/30); ru 0.787 (0/30, 3/30), 0.792 (7/30, 3/30),
# 0.732 (9/30, 1/30). Floors about 0.015 below, one reply of slack on the trap counts.
CUES_FLOOR = {
    ("en", 14): 0.83,
    ("en", 15): 0.795,
    ("en", 16): 0.83,
    ("en", 17): 0.80,
    ("ru", 14): 0.735,
    ("ru", 15): 0.72,
    ("ru", 16): 0.76,
    ("ru", 17): 0.74,
}
# (micro-F1 floor, most harmful replies without a harmful cue, most model answers judged wrong)
TRAPS_FLOOR = {
    ("en", 14): (0.83, 4, 2),
    ("en", 15): (0.77, 5, 4),
    ("en", 16): (0.75, 9, 5),
    ("ru", 14): (0.77, 1, 4),
    ("ru", 15): (0.77, 8, 4),
    ("ru", 16): (0.71, 10, 2),
}


@pytest.mark.parametrize("code,n", sorted(CUES_FLOOR))
def test_dev14_to_17_cues(code, n):
    items = load_labelled(DATA / f"cues_{code}_dev{n}.jsonl")
    assert len(items) >= 300
    ev = evaluate(items, language=code)
    assert ev.micro_f1 >= CUES_FLOOR[(code, n)], ev.micro_f1


@pytest.mark.parametrize("code,n", sorted(TRAPS_FLOOR))
def test_dev14_to_16_traps(code, n):
    items = load_labelled(DATA / f"traps_{code}_dev{n}.jsonl")
    assert len(items) == 60
    ev = evaluate(items, language=code)
    traps = ev.traps
    assert traps is not None and traps.harmful == 30 and traps.model == 30
    f1, unflagged, wrong = TRAPS_FLOOR[(code, n)]
    assert ev.micro_f1 >= f1, ev.micro_f1
    assert traps.harmful_unflagged <= unflagged, traps
    assert traps.model_wrong <= wrong, traps
