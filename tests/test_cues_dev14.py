"""The dev14-dev19 sets (issue 10): replies and trap moments written by hand by other
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

# measured after the changes of s5-rules (rules of this commit, heads as shipped): cues en
# 0.886 0.869 0.889 0.860 (dev14-17), 0.851 0.839 (dev18-19); ru 0.785 0.800 0.839 0.802,
# 0.781 0.728; traps en 0.897 (0/30, 1/30), 0.863 (0/30, 1/30), 0.888 (1/30, 2/30), 0.935 (0/30,
# 1/30) (dev14-17); ru 0.803 (0/30, 1/30), 0.890 (1/30, 1/30), 0.834 (2/30, 1/30), 0.808 (0/30,
# 2/30). Before them (rules of 87181a0): cues en 0.845 0.811 0.846 0.819, ru 0.748 0.731 0.774
# 0.756; traps en unflagged 3 4 8 of 30, ru 0 7 9 of 30. Floors about 0.015 below, one reply
# of slack on the trap counts.
# dev18, dev19 and traps dev17 (written by other helpers, merged after the rules above were
# written for dev14-17) scored on arrival, before any change they prompted: cues en 0.814
# 0.802, ru 0.742 0.697; traps en 0.831 (8/30 harmful unflagged, 1/30 model wrong), ru 0.738
# (3/30, 4/30) (the rules of 87181a0: en 0.810 0.801, traps 0.824 (8/30, 1/30); ru 0.730 0.682,
# traps 0.707 (5/30, 4/30)). The rules were then tuned on them too: no longer a holdout.
# The learned heads were then retrained on all of dev2-dev19 (s5-heads: one shared hidden
# layer); measured with the rules and heads of this commit (training figures, not
# generalisation): cues en 0.929 0.921 0.933 0.905 0.909 0.899 (dev14-19); ru 0.844 0.891 0.887 0.88
# 0.882 0.848; traps en 0.935 (0/30, 1/30), 0.909 (0/30, 0/30), 0.912 (1/30, 2/30), 0.969 (0/30,
# 0/30) (dev14-17); ru 0.889 (0/30, 0/30), 0.929 (0/30, 1/30), 0.917 (0/30, 0/30), 0.894 (0/30,
# 1/30). Floors 0.015 below, one reply of slack.
CUES_FLOOR = {
    ("en", 14): 0.914,
    ("en", 15): 0.906,
    ("en", 16): 0.918,
    ("en", 17): 0.89,
    ("en", 18): 0.894,
    ("en", 19): 0.884,
    ("ru", 14): 0.829,
    ("ru", 15): 0.876,
    ("ru", 16): 0.872,
    ("ru", 17): 0.865,
    ("ru", 18): 0.867,
    ("ru", 19): 0.833,
}
# (micro-F1 floor, most harmful replies without a harmful cue, most model answers judged wrong)
TRAPS_FLOOR = {
    ("en", 14): (0.92, 1, 2),
    ("en", 15): (0.894, 1, 1),
    ("en", 16): (0.897, 2, 3),
    ("en", 17): (0.954, 1, 1),
    ("ru", 14): (0.874, 1, 1),
    ("ru", 15): (0.914, 1, 2),
    ("ru", 16): (0.902, 1, 1),
    ("ru", 17): (0.879, 1, 2),
}
# per-cue F1 over dev14-19 and traps dev14-17 together, for the cues these sets were written
# to test (measured with the rules and heads of this commit: en promise 0.86, blaming 0.98,
# minimizing 0.99, conceding 0.98, threat 0.97, insult 0.97, dare 0.98, arguing 0.68, paraphrase
# 0.95; ru promise 0.92, blaming 0.96, minimizing 0.94, conceding 0.97, threat 0.94, insult 0.88,
# dare 0.96, arguing 0.8, paraphrase 0.9). ru blaming 0.82 since the s6 heads (0.837): no
# Russian blaming head adds any more (retrained with dev20/21 among the fresh files, no add
# threshold kept 0.6 precision with a net gain there), and the 0.96 counted the earlier
# heads' additions on the very replies they were trained on)
PER_CUE_FLOOR = {
    "en": {"promise": 0.84, "blaming": 0.96, "minimizing": 0.97, "conceding": 0.96, "threat": 0.95,
           "insult": 0.95, "dare": 0.96, "arguing": 0.66, "paraphrase": 0.93},
    "ru": {"promise": 0.9, "blaming": 0.82, "minimizing": 0.92, "conceding": 0.95, "threat": 0.92,
           "insult": 0.86, "dare": 0.94, "arguing": 0.78, "paraphrase": 0.88},
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


@pytest.mark.parametrize("code", sorted(PER_CUE_FLOOR))
def test_dev14_to_19_per_cue(code):
    items = [
        item
        for name in [f"cues_{code}_dev{n}" for n in range(14, 20)]
        + [f"traps_{code}_dev{n}" for n in range(14, 18)]
        for item in load_labelled(DATA / f"{name}.jsonl")
    ]
    ev = evaluate(items, language=code)
    low = {
        c: round(ev.per_cue[c].f1, 3)
        for c, floor in PER_CUE_FLOOR[code].items()
        if ev.per_cue[c].f1 < floor
    }
    assert not low, low
