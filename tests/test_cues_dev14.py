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
# s6-rules: dev20, dev21 and traps dev18 (other helpers, merged after the rules above) scored
# on arrival with the rules of s6-rules before any change they prompted and the shipped heads:
# cues en 0.803 0.789, ru 0.832 0.765; traps en 0.849 (0/30, 4/30), ru 0.794 (2/30, 4/30) (the
# rules this session started from, 105ecf9: en 0.804 0.781, ru 0.805 0.737; traps en 0.837
# (0/30, 4/30), ru 0.794 (2/30, 4/30)). Then tuned on them too. Measured with the rules of this
# commit and the shipped heads: cues en 0.942 0.941 0.946 0.922 0.926 0.918 (dev14-19), 0.819
# 0.797 (dev20-21); ru 0.888 0.91 0.935 0.922 0.914 0.89, 0.843 0.776; traps en 0.952 (0, 0),
# 0.915 (0, 0), 0.918 (1, 1), 0.969 (0, 0), 0.863 (0, 4) (dev14-18); ru 0.935 (0, 0), 0.935 (0, 1),
# 0.935 (0, 0), 0.924 (0, 1), 0.809 (2, 4). Floors 0.015 below, one reply of slack.
# s6 merge: the heads refitted to the merged rules (reply-line+rules+history, stacked on the
# rules' findings; s6-heads) and measured with this commit (training figures): cues en 0.947
# 0.952 0.962 0.944 0.938 0.934 (dev14-19), 0.93 0.935 (dev20-21); ru 0.887 0.887 0.946 0.922
# 0.907 0.882, 0.894 0.859; traps en 0.965 0.941 0.931 0.984 0.944 (0 unflagged each, dev14-18);
# ru 0.928 0.91 0.923 0.912 0.892 (0 1 0 0 2 unflagged). Floors 0.015 below (none raised past
# the figure); ru dev15 0.895 -> 0.872 and ru traps dev15 0.92 -> 0.895: the earlier heads'
# additions on their own training replies are gone (no add threshold for ru arguing or
# blaming keeps 0.6 precision with a net gain on the fresh files).
CUES_FLOOR = {
    ("en", 14): 0.932,
    ("en", 15): 0.937,
    ("en", 16): 0.947,
    ("en", 17): 0.929,
    ("en", 18): 0.923,
    ("en", 19): 0.919,
    ("en", 20): 0.915,
    ("en", 21): 0.92,
    ("ru", 14): 0.872,
    ("ru", 15): 0.872,
    ("ru", 16): 0.925,  # s9 refit: 0.928 (the s8 heads added more on their own training rows)
    ("ru", 17): 0.907,
    ("ru", 18): 0.892,
    ("ru", 19): 0.867,
    ("ru", 20): 0.879,
    ("ru", 21): 0.844,
}
# (micro-F1 floor, most harmful replies without a harmful cue, most model answers judged wrong)
TRAPS_FLOOR = {
    ("en", 14): (0.95, 1, 1),
    ("en", 15): (0.926, 1, 1),
    ("en", 16): (0.916, 2, 2),
    # s11 refit: 0.984 -> 0.969, the heads add an I-message to two denials of lying ("I
    # haven't lied to you once."), which stay arguing: a false alarm of a helpful cue
    # s12-para: 0.969 -> 0.961, "You sound angry and tired of being lied to." (labelled a label
    # only here) now also reads as a paraphrase: blind8-10's convention (a feeling whose clause
    # says what was done to him is a label and a paraphrase), which this file predates
    ("en", 17): (0.955, 1, 1),
    ("en", 18): (0.913, 1, 5),
    ("ru", 14): (0.913, 1, 1),
    ("ru", 15): (0.895, 1, 2),
    ("ru", 16): (0.908, 1, 1),
    ("ru", 17): (0.897, 1, 2),
    ("ru", 18): (0.877, 3, 5),
}
# per-cue F1 over dev14-19 and traps dev14-17 together, for the cues these sets were written
# to test (measured with the rules of this commit and the shipped heads: en promise 0.86, blaming
# 0.984, minimizing 0.991, conceding 0.971, threat 0.968, insult 0.971, dare 0.977, arguing 0.758,
# paraphrase 0.957; ru promise 0.921, blaming 0.965, minimizing 0.941, conceding 0.975, threat
# 0.943, insult 0.882, dare 0.964, arguing 0.83, paraphrase 0.962)
# s6 merge (heads refitted to the merged rules): en promise 0.947, blaming 0.984, minimizing 0.991,
# conceding 0.971, threat 0.968, insult 0.978, dare 0.977, arguing 0.871, paraphrase 0.946; ru
# promise 0.921, blaming 0.837, minimizing 0.941, conceding 0.975, threat 0.943, insult 0.986,
# dare 0.964, arguing 0.604, paraphrase 0.954. ru blaming and arguing fall: the refitted heads
# add neither (no threshold with 0.6 precision and a net gain on the fresh files; the rules
# alone: arguing 0.61 / 0.66 precision / recall on all ru dev rows) and the old floors counted
# the earlier heads' additions on their own training replies
# s7 (new rules, heads refitted: en on en rows, ru on both languages): en minimizing 0.991 ->
# 0.96 with the new "just ..." / "Come on, ..." rules (2 fixes / 1 break, 2 / 0, 2 / 0 over
# dev2-21, rules alone) and the refit together, not split further; the other floors hold
# s8 (summary without a named feeling; heads refitted with the s7 command): the en heads no
# longer add promise (no add threshold keeps 0.6 precision with a net gain on the fresh
# files), so en promise is the rules' 0.86 (the s7 heads added it to all 101 of their own
# training replies: recall 1.00) and traps en dev18 0.958 -> 0.929 (three concessions' promise)
# s9 refit (scripts/train_heads.py): en threat 0.953 -> 0.875 and ru promise 0.906 -> 0.8 (the
# refit's heads add neither: on the fresh files no threshold kept 0.6 precision; the s8 heads'
# additions here were on their own training rows; k-fold CV en threat recall 0.88, the rules')
# s12-para: paraphrase en 0.931 -> 0.927, ru 0.928 -> 0.905: a label whose feeling takes a clause
# saying what happened to him ("You're angry that nobody listens", «Вам обидно, что вас считают
# бандитом») is now also a paraphrase, the convention of the blind sets' READMEs (blind8-10; on
# blind6-10 rules alone paraphrase F1 rose on every cue file), while dev14-19 label most such
# replies a label only; floors moved to about 0.01 below, not silently (report of s12-para)
PER_CUE_FLOOR = {
    "en": {"promise": 0.845, "blaming": 0.969, "minimizing": 0.945, "conceding": 0.956, "threat": 0.875,
           "insult": 0.963, "dare": 0.962, "arguing": 0.856, "paraphrase": 0.917},
    "ru": {"promise": 0.8, "blaming": 0.822, "minimizing": 0.926, "conceding": 0.96, "threat": 0.928,
           "insult": 0.971, "dare": 0.949, "arguing": 0.589,
           # s13-ru: 0.895 -> 0.87: a feeling that takes «что» (fear too) is label and paraphrase by
           # blind11's convention; the dev labels follow the older one (fear = label only)
           "paraphrase": 0.87},
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
