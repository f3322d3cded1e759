"""Learned cue heads (scoring/cues/heads.py) with the shipped weights and the real encoder."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voicedrill.errors import ScenarioError
from voicedrill.scoring.cues import TEXT_CUES, detect_cues
from voicedrill.scoring.cues.heads import (
    FEATURE_SETS,
    FORMAT,
    HISTORY_WIDTH,
    VETO_CUES,
    Heads,
    HeadsError,
    combine,
    feature_width,
    heads_for,
    history_features,
    load_file,
    quantize,
    reply_features,
    split_kind,
    veto_thresholds,
    weights_path,
)
from voicedrill.scoring.script import MeaningRules, load_script
from voicedrill.types import Transcript, TurnContext

REPO = Path(__file__).resolve().parent.parent
RULES_ONLY = MeaningRules(heads=False)


def _cues(reply: str, line: str, lang: str = "en", rules: MeaningRules | None = None):
    ctx = TurnContext(lang, (line,))
    return detect_cues(Transcript(reply, lang), ctx, meaning=rules)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_shipped_weights_load_and_reproduce_the_training_output(lang):
    path = weights_path(lang)
    assert path.is_file(), f"{path} missing: run scripts/train_heads.py"
    assert path.stat().st_size < 300 << 10  # small: an int8 hidden layer, compressed
    heads = heads_for(lang)
    assert heads is not None and heads.language == lang and heads.cues == TEXT_CUES
    assert heads.mean.shape == (feature_width(heads.features, len(heads.cues)),)
    assert heads.w.shape[0] == len(TEXT_CUES)
    with np.load(path, allow_pickle=False) as z:
        assert int(z["format"]) == FORMAT
        replies, lines, expected = list(z["check_reply"]), list(z["check_line"]), z["check_p"]
        found = [[c for c in str(f).split(",") if c] for f in z["check_found"]]
        history = [[h for h in str(t).split("\n") if h] for t in z["check_history"]]
    assert len(replies) >= 3 and any(history)  # some examples with his earlier lines
    got = heads.read([str(r) for r in replies], [str(x) for x in lines], found, history)
    assert np.allclose(got, expected, atol=1e-4)
    # at least one cue the training chose to let the heads add
    assert np.isfinite(heads.add).any()


def _rule_names(replies: list[str], lines: list[str], lang: str) -> list[list[str]]:
    """The cues the phrase rules find in each reply after his line: what the stacked heads
    read beside the words in the detector (``apply_heads``)."""
    return [
        sorted(c.name for c in _cues(r, x, lang, RULES_ONLY))
        for r, x in zip(replies, lines, strict=True)
    ]


def test_context_flips_go_ahead_from_encourager_to_dare():
    heads = heads_for("en")
    assert heads is not None
    lines = ["Can I tell you something?", "I'll jump!"]
    p = heads.read(["Go ahead."] * 2, lines, _rule_names(["Go ahead."] * 2, lines, "en"))
    dare, enc = TEXT_CUES.index("dare"), TEXT_CUES.index("minimal_encourager")
    assert p[1, dare] > 0.5 > p[0, dare]
    assert p[0, enc] > p[1, enc]
    # and through the detector (rules + heads)
    told = {c.name for c in _cues("Go ahead.", "Can I tell you something?")}
    jump = {c.name for c in _cues("Go ahead.", "I'll jump!")}
    assert "minimal_encourager" in told and "dare" not in told
    assert "dare" in jump and "minimal_encourager" not in jump


def test_context_flips_davai_in_russian():
    heads = heads_for("ru")
    assert heads is not None
    lines = ["Можно я вам кое-что скажу?", "Я сейчас прыгну!"]
    # as the detector reads it: beside the rules' findings
    p = heads.read(["Давай."] * 2, lines, _rule_names(["Давай."] * 2, lines, "ru"))
    dare, enc = TEXT_CUES.index("dare"), TEXT_CUES.index("minimal_encourager")
    assert p[1, dare] > 0.5 > p[0, dare] and p[0, enc] > 0.5 > p[1, enc]
    assert "dare" in {c.name for c in _cues("Давай.", lines[1], "ru")}
    assert "dare" not in {c.name for c in _cues("Давай.", lines[0], "ru")}


def test_a_head_cue_quotes_the_sentence_that_scored_highest():
    # force the head's add (threshold 0): the evidence is the sentence it scores highest
    rules = MeaningRules(head_thresholds=(("dare", 0.0),))
    line = "I'm going to jump, I swear I will!"
    sentences = ["My name is Sam", "The rain has not stopped all day"]
    reply = ". ".join(sentences) + "."
    assert "dare" not in {c.name for c in _cues(reply, line, rules=RULES_ONLY)}
    cue = {c.name: c for c in _cues(reply, line, rules=rules)}["dare"]
    heads = heads_for("en")
    assert heads is not None
    x = reply_features(sentences, [line] * 2, None, heads.features)  # a span: one sentence
    p = heads.probabilities(x)[:, TEXT_CUES.index("dare")]
    assert cue.evidence == sentences[int(np.argmax(p))]
    assert cue.kind == "harmful"


def test_heads_off_and_thresholds_of_one_give_the_rules_alone():
    reply, line = "Whatever. Do what you want, I don't care.", "I'll end it right now."
    rules = {c.name for c in _cues(reply, line, rules=RULES_ONLY)}
    never = MeaningRules(head_thresholds=tuple((c, 1.0) for c in TEXT_CUES), head_vetoes=False)
    assert {c.name for c in _cues(reply, line, rules=never)} == rules
    no_veto = MeaningRules(
        head_thresholds=tuple((c, 1.0) for c in TEXT_CUES),
        head_veto_thresholds=tuple((c, 0.0) for c in VETO_CUES),
    )
    assert {c.name for c in _cues(reply, line, rules=no_veto)} == rules


def test_vetoes_only_where_doctrine_allows_and_the_script_can_turn_them_off():
    heads = heads_for("en")
    assert heads is not None
    n = len(TEXT_CUES)
    never_add = np.full(n, np.nan, dtype=np.float32)
    p = np.zeros(n, dtype=np.float32)  # the head is sure of nothing
    found = ["arguing", "threat", "suicide_question", "dare", "insult", "paraphrase"]
    everywhere = np.full(n, 0.5, dtype=np.float32)  # a veto threshold for every cue
    _, removed = combine(heads, p, found, never_add, everywhere)
    # safety cues found in the words stay found, whatever the head says
    assert removed == {"paraphrase"} and set(VETO_CUES) >= removed
    # ... and a harmful cue stays while a head sees harm in the reply (a dare read as an order)
    p[TEXT_CUES.index("dare")] = 0.6
    _, removed = combine(heads, p, ["commanding", "paraphrase"], never_add, everywhere)
    assert removed == {"paraphrase"}
    p[TEXT_CUES.index("dare")] = 0.0
    on = veto_thresholds(heads, True, {})
    assert all(np.isnan(on[i]) for i, c in enumerate(TEXT_CUES) if c not in VETO_CUES)
    assert np.isnan(veto_thresholds(heads, False, {})).all()
    off = veto_thresholds(heads, True, {"arguing": 0.0, "paraphrase": 0.3})
    assert np.isnan(off[TEXT_CUES.index("arguing")])
    assert off[TEXT_CUES.index("paraphrase")] == pytest.approx(0.3)
    # the shipped vetoes: only veto cues, thresholds that keep to a confident "no"
    shipped = heads.remove[~np.isnan(heads.remove)]
    assert (shipped <= 0.2).all()
    assert all(np.isnan(heads.remove[i]) for i, c in enumerate(TEXT_CUES) if c not in VETO_CUES)
    script = load_script(
        text="version: 1\nmeaning:\n  head_vetoes: false\n"
        "  head_veto_thresholds: {arguing: 0.01}\n"
    )
    assert script.meaning.head_vetoes is False
    assert dict(script.meaning.head_veto_thresholds) == {"arguing": 0.01}


def test_a_veto_needs_every_sentence_of_the_reply_below_the_threshold():
    # the whole reply reads as no encourager, its first sentence as one: the encourager stays
    reply, line = "Mm-hmm. It sounds like you're scared. What happened next?", "They came."
    heads = heads_for("en")
    assert heads is not None
    enc = TEXT_CUES.index("minimal_encourager")
    whole = heads.read([reply], [line])[0, enc]
    part = heads.probabilities(reply_features(["Mm-hmm"], [line], None, heads.features))[0, enc]
    assert whole < 0.5 <= part
    sure = MeaningRules(head_veto_thresholds=(("minimal_encourager", 0.5),))
    assert "minimal_encourager" in {c.name for c in _cues(reply, line, rules=sure)}


def test_combine_adds_removes_and_respects_suppression():
    heads = heads_for("en")
    assert heads is not None
    n = len(TEXT_CUES)
    add = np.full(n, 0.5, dtype=np.float32)
    p = np.zeros(n, dtype=np.float32)
    p[TEXT_CUES.index("dare")] = 0.9
    p[TEXT_CUES.index("minimal_encourager")] = 0.9
    added, removed = combine(heads, p, [], add)
    # an encourager gives way to a dare in the same reply
    assert added == {"dare"} and not removed
    added, removed = combine(heads, p, ["minimal_encourager"], add)
    assert added == {"dare"} and removed == {"minimal_encourager"}
    # calm_down is left to the rules; summary too, unless the heads read his earlier lines
    p[TEXT_CUES.index("summary")] = p[TEXT_CUES.index("calm_down")] = 0.99
    p[TEXT_CUES.index("emotional_label")] = 0.99  # the rules' label: no veto
    blind = dataclasses.replace(heads, features="reply-line")
    assert not {"summary", "calm_down"} & combine(blind, p, ["emotional_label"], add)[0]
    told = dataclasses.replace(heads, features="reply-line+rules+history")
    assert "summary" in combine(told, p, ["emotional_label"], add)[0]
    assert "calm_down" not in combine(told, p, ["emotional_label"], add)[0]
    # ... and, as the script's summary rules, with his feelings named (or that switched off)
    p[TEXT_CUES.index("emotional_label")] = 0.0
    assert "summary" not in combine(told, p, [], add)[0]
    assert "summary" in combine(told, p, [], add, None, summary_needs_feeling=False)[0]
    # a feeling word names them as well as a label does ("... and it still hurts.")
    assert "summary" in combine(told, p, [], add, None, True, felt=True)[0]


def test_a_feeling_word_is_read_as_the_rules_read_it():
    from voicedrill.scoring.cues.heads import names_feeling
    from voicedrill.scoring.cues.lexicon import lexicon
    from voicedrill.scoring.cues.questions import _read

    def felt(reply: str, code: str) -> bool:
        return names_feeling(_read(lexicon(code), Transcript(reply, code)), code)

    assert felt("Your job, your wife, the house, and you feel so alone.", "en")
    assert not felt("Your job, your wife, the house, all in one month.", "en")
    assert felt("Работа, жена, дом, и вам очень страшно.", "ru")
    assert not felt("Работа, жена, дом, всё за один месяц.", "ru")


def test_the_script_switch_and_overrides_are_checked():
    script = load_script(
        text="version: 1\nmeaning:\n  heads: false\n  head_thresholds: {dare: 0.7}\n"
    )
    assert script.meaning.heads is False and dict(script.meaning.head_thresholds) == {"dare": 0.7}
    assert load_script().meaning.heads is True and load_script().meaning.head_thresholds == ()
    with pytest.raises(ScenarioError) as e:
        load_script(text="version: 1\nmeaning:\n  head_thresholds: {dar: 0.7, insult: 2}\n")
    text = str(e.value)
    assert "did you mean 'dare'" in text and "meaning.head_thresholds.insult" in text


def test_empty_and_huge_replies_do_not_break():
    assert _cues("", "I'll jump!") == ()
    assert isinstance(_cues("   ...  ", "I'll jump!"), tuple)
    huge = "I hear you, that sounds so hard. " * 3000
    assert isinstance(_cues(huge, "Nobody listens to me."), tuple)
    word = "a" * 100_000
    assert isinstance(_cues(word, "I'll jump!"), tuple)
    assert isinstance(_cues("Хорошо. " * 2000, "Я прыгну!", "ru"), tuple)
    assert isinstance(_cues("Go ahead.", ""), tuple)  # no line at all


def test_a_damaged_weights_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "heads_en.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(HeadsError, match="train them again"):
        load_file(bad)


def _tiny(hidden: bool) -> Heads:
    rng = np.random.default_rng(0)
    d, n, h = FEATURE_SETS["reply-line"], len(TEXT_CUES), 4
    nan = np.full(n, np.nan, dtype=np.float32)
    return Heads(
        "en",
        TEXT_CUES,
        rng.normal(size=(n, h if hidden else d)).astype(np.float32),
        rng.normal(size=n).astype(np.float32),
        np.zeros(d, dtype=np.float32),
        np.ones(d, dtype=np.float32),
        nan,
        nan,
        rng.normal(size=(h, d)).astype(np.float32) if hidden else None,
        rng.normal(size=h).astype(np.float32) if hidden else None,
    )


def test_a_hidden_layer_file_round_trips_and_computes_relu_then_sigmoid(tmp_path):
    heads = _tiny(hidden=True)
    heads.save(tmp_path / "h.npz")
    back = load_file(tmp_path / "h.npz")
    assert back.hidden_w is not None and back.hidden_b is not None
    x = np.random.default_rng(1).normal(size=(3, FEATURE_SETS["reply-line"])).astype(np.float32)
    hid = np.maximum(x @ back.hidden_w.T + back.hidden_b, 0.0)
    want = 1.0 / (1.0 + np.exp(-(hid @ back.w.T + back.b)))
    assert np.allclose(back.probabilities(x), want, atol=1e-5)
    assert np.allclose(back.probabilities(x), heads.probabilities(x), atol=0.02)  # float16


def test_a_format_1_file_still_loads_and_an_unknown_format_is_one_clear_error(tmp_path):
    old = _tiny(hidden=False)
    arrays = {k: getattr(old, k) for k in ("w", "b", "mean", "scale", "add", "remove")}
    np.savez(tmp_path / "v1.npz", format=np.array(1), language="en", cues=TEXT_CUES, **arrays)
    back = load_file(tmp_path / "v1.npz")
    assert back.features == "reply-line" and back.hidden_w is None
    assert np.allclose(back.w, old.w)
    np.savez(tmp_path / "v9.npz", format=np.array(9), language="en", cues=TEXT_CUES, **arrays)
    with pytest.raises(HeadsError, match="format 9.*train them again"):
        load_file(tmp_path / "v9.npz")
    bad = {**arrays, "w": arrays["w"][:, :10]}
    np.savez(tmp_path / "bad.npz", format=np.array(1), language="en", cues=TEXT_CUES, **bad)
    with pytest.raises(HeadsError, match="shapes"):
        load_file(tmp_path / "bad.npz")


def test_sentence_features_read_each_sentence_of_a_reply():
    from voicedrill.scoring import meaning
    from voicedrill.scoring.cues.heads import sentence_texts

    reply = "Okay. I hear you. It sounds like you feel nobody is listening to you."
    parts = sentence_texts("en", reply)
    assert parts == ["Okay", "I hear you", "It sounds like you feel nobody is listening to you"]
    line = "Nobody ever listens to me!"
    x = reply_features([reply], [line], [parts], "sentences")[0]
    assert x.shape == (FEATURE_SETS["sentences"],)
    e, ctx = meaning.embed(parts), meaning.embed([line])[0]
    assert np.allclose(x[3 * 512 : 4 * 512], e.max(axis=0), atol=1e-6)
    assert x[-1] == pytest.approx(float((e @ ctx).max()), abs=1e-5)


def test_without_the_encoder_the_rules_run_alone_after_one_notice(tmp_path):
    code = (
        "from voicedrill.scoring.cues import detect_cues\n"
        "from voicedrill.scoring.script import MeaningRules\n"
        "from voicedrill.types import Transcript, TurnContext\n"
        "ctx = TurnContext('en', (\"I'll jump!\",))\n"
        "for reply in ('Go ahead.', 'Do what you want.', 'I hear you.'):\n"
        "    a = detect_cues(Transcript(reply, 'en'), ctx)\n"
        "    b = detect_cues(Transcript(reply, 'en'), ctx, meaning=MeaningRules(heads=False))\n"
        "    assert a == b, (a, b)\n"
        "print('ok')\n"
    )
    env = {**os.environ, "VOICEDRILL_MODELS": str(tmp_path / "empty"), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert done.stderr.count("voicedrill: note:") == 1, done.stderr
    assert "voicedrill models install use-m3" in done.stderr
    assert "Traceback" not in done.stderr


def test_feature_sets_name_a_base_and_parts():
    assert split_kind("reply-line+rules+history") == ("reply-line", frozenset({"rules", "history"}))
    n = len(TEXT_CUES)
    assert feature_width("reply-line", n) == FEATURE_SETS["reply-line"]
    assert feature_width("reply-line+rules", n) == FEATURE_SETS["reply-line"] + n
    assert feature_width("sentences+history", n) == FEATURE_SETS["sentences"] + HISTORY_WIDTH
    for bad in ("reply", "reply-line+rule", "reply-line+rules+rules"):
        with pytest.raises(ValueError, match="unknown feature set"):
            split_kind(bad)


def test_rule_bits_and_history_features_read_what_they_say():
    line = "And now the bank wants the house."
    history = ["My wife took the kids to her sister's.", "Then the shop cut my hours in half."]
    sentences = [
        "Your wife left with the kids",
        "your hours were halved",
        "the bank wants the house",
    ]
    reply = ", ".join(sentences) + "."
    kind = "reply-line+rules+history"
    x = reply_features(
        [reply, reply], [line] * 2, [sentences] * 2, kind, [["summary"], []], [history, []]
    )
    n, base = len(TEXT_CUES), FEATURE_SETS["reply-line"]
    assert x.shape == (2, feature_width(kind, n))
    bits = x[:, base : base + n]
    assert bits[0, TEXT_CUES.index("summary")] == 1.0 and bits[0].sum() == 1.0
    assert bits[1].sum() == 0.0
    hist = x[:, base + n :]
    assert (hist[1] == 0).all()  # no earlier lines: no history readings
    assert hist[0, 0] == 1.0 and hist[0, 1] == pytest.approx(np.log1p(2))
    # both earlier lines restated by some sentence (cos >= 0.3)
    assert hist[0, 4] == 2.0
    same = history_features([reply], [line], [sentences], [history])
    assert np.allclose(same[0], hist[0])
    # an unrelated reply restates none of them
    other = history_features(["The weather is nice."], [line], None, [history])[0]
    assert other[4] == 0.0 and other[2] < hist[0, 2]


def test_int8_hidden_layer_stays_within_half_a_step():
    w = np.random.default_rng(3).normal(size=(5, 40)).astype(np.float32)
    q, unit = quantize(w)
    assert q.dtype == np.int8 and unit.shape == (5,)
    assert np.abs(q * unit[:, None] - w).max() <= unit.max() / 2 + 1e-7
    assert (np.abs(q).max(axis=1) == 127).all()


def test_a_format_2_float16_file_still_loads(tmp_path):
    old = _tiny(hidden=True)
    arrays = {k: getattr(old, k) for k in ("w", "b", "mean", "scale", "add", "remove")}
    assert old.hidden_w is not None and old.hidden_b is not None
    np.savez(
        tmp_path / "v2.npz",
        format=np.array(2),
        language="en",
        cues=TEXT_CUES,
        features="reply-line",
        hidden_w=old.hidden_w.astype(np.float16),
        hidden_b=old.hidden_b,
        **arrays,
    )
    back = load_file(tmp_path / "v2.npz")
    assert back.hidden_w is not None
    assert np.allclose(back.hidden_w, old.hidden_w, atol=2e-3)


def _told(reply: str, history: tuple[str, ...], line: str, lang: str, rules=None) -> dict:
    ctx = TurnContext(lang, history + (line,))
    return {c.name: c.evidence for c in detect_cues(Transcript(reply, lang), ctx, meaning=rules)}


@pytest.mark.parametrize(
    "lang,history,line,reply",
    [
        (  # as recognition hands it over: no punctuation for the summary rules' clauses
            "en",
            (
                "The food has maggots in it half the week.",
                "They cut visits to once a month.",
                "And the nurse only comes when somebody's already half dead.",
            ),
            "That's everything. That's why we took the block.",
            "so its maggots in the food visits cut to once a month and a nurse who never comes "
            "youre all furious",
        ),
        (
            "ru",
            ("Жена увезла детей к сестре.", "Потом в мастерской урезали мне смены вдвое."),
            "А теперь банк хочет забрать дом.",
            "сначала жена с детьми потом смены а теперь ещё и дом вам очень тяжело",
        ),
    ],
)
def test_an_unpunctuated_summary_over_his_earlier_lines_is_found_with_his_feelings(
    lang, history, line, reply
):
    # (the heads found these where the s6 rules missed them; since s7 the rules read a recap
    # with no punctuation part by part, ``summary.joins``, and find them too)
    found = _told(reply, history, line, lang)
    assert "summary" in found and "emotional_label" in found
    assert found["summary"].startswith(reply.split()[0])  # from what restates his lines
    # the same reply with nothing earlier to pull together: no summary
    assert "summary" not in _told(reply, (), line, lang)
    # without his feelings named it is still a summary (the default since s8: the labelled
    # replies count a recap of his points as one) ...
    facts = reply.rsplit(" ", 3)[0]
    assert "summary" in _told(facts, history, line, lang)
    # ... but not while the script asks for his feelings too
    strict = MeaningRules(summary_needs_feeling=True)
    told = _told(facts, history, line, lang, strict)
    assert "summary" not in told or "emotional_label" in told


def test_a_head_never_adds_a_summary_or_conceding_to_a_reply_that_only_asks():
    # a summary tells his story back; questions that name his points pull nothing together,
    # even with the summary head forced on (threshold 0) and his points in the history
    history = ("They shut the mill in March.", "Then the bank wrote about the house.")
    line = "And now my wife says I'm useless."
    forced = MeaningRules(head_thresholds=(("summary", 0.0),), summary_needs_feeling=False)
    asks = "What happened at the mill? Did the bank give you any warning about the house?"
    assert "summary" not in _told(asks, history, line, "en", forced)
    tells = "So the mill shut in March, and then the bank wrote about the house."
    assert "summary" in _told(tells, history, line, "en", forced)
    # as recognition writes it (no "?"): still questions by their word order
    heard = "what happened at the mill did the bank warn you about the house"
    assert "summary" not in _told(heard, history, line, "en", forced)
    # nor conceding: his demand asked back is a mirror, not agreed as settled
    demand = "Два миллиона до субботы, или больше её не увидите."
    agree = MeaningRules(head_thresholds=(("conceding", 0.0),))
    assert "conceding" not in _told("Два миллиона до субботы?", (), demand, "ru", agree)
    assert "conceding" in _told("Два миллиона до субботы.", (), demand, "ru", agree)


def test_a_confident_head_vetoes_a_label_the_paraphrase_rule_also_read():
    # the paraphrase rule over-fires on a label of his feelings; the stacked head, which sees
    # the rules' reading, vetoes it and adds the label (a one-sentence reply: decided by the
    # whole reply, not again by its sentence without the full stop)
    line, reply = "I'm just tired. I'm so tired of all of it.", "You sound completely worn down."
    assert "paraphrase" in _told(reply, (), line, "en", RULES_ONLY)
    found = _told(reply, (), line, "en")
    assert "paraphrase" not in found and "emotional_label" in found
    assert "paraphrase" in _told(reply, (), line, "en", MeaningRules(head_vetoes=False))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_shipped_veto_examples_are_vetoed_through_the_detector(lang):
    # dev replies the rules read as a paraphrase, labelled with none, that the heads veto
    # (stored by scripts/train_heads.py with the weights: a refit vetoes other replies; the
    # Russian examples of s6, s7 and s8 were each lost at the next refit)
    with np.load(weights_path(lang), allow_pickle=False) as z:
        examples = list(zip(z["veto_line"], z["veto_reply"], strict=True))
    assert examples, f"{lang}: the heads veto no paraphrase of the dev replies"
    off = MeaningRules(head_vetoes=False)
    for line, reply in examples:
        line, reply = str(line), str(reply)
        assert "paraphrase" in _told(reply, (), line, lang, RULES_ONLY), reply
        assert "paraphrase" not in _told(reply, (), line, lang), reply
        assert "paraphrase" in _told(reply, (), line, lang, off), reply


def test_safety_cues_found_by_the_rules_are_never_vetoed():
    heads = heads_for("en")
    assert heads is not None
    n = len(TEXT_CUES)
    never_add = np.full(n, np.nan, dtype=np.float32)
    p = np.zeros(n, dtype=np.float32)
    everywhere = np.full(n, 0.99, dtype=np.float32)
    safety = ["suicide_question", "threat", "dare", "insult", "conceding", "blaming", "promise"]
    _, removed = combine(heads, p, safety + list(VETO_CUES), never_add, everywhere)
    assert removed == set(VETO_CUES) and not removed & set(safety)
    for cue in safety:
        assert cue not in VETO_CUES
    # and through the detector: a direct suicide question stays whatever the head says
    rules = MeaningRules(head_veto_thresholds=tuple((c, 0.99) for c in VETO_CUES))
    found = _told(
        "Are you thinking about killing yourself tonight?", (), "I can't go on.", "en", rules
    )
    assert "suicide_question" in found


def test_overlap_features_count_the_words_a_reply_shares_with_his_lines():
    from voicedrill.scoring.cues.head_features import OVERLAP_WIDTH, overlap_features

    line = "Nobody listens to me anymore!"
    history = ["My boss fired me on Monday.", "The bank took the house."]
    mirror, paraphrase = "Nobody listens to you anymore?", "So you feel no one hears you."
    x = overlap_features(
        [mirror, paraphrase, "The bank and your boss."], [line] * 3, [[], [], history]
    )
    assert x.shape == (3, OVERLAP_WIDTH)
    # the mirror repeats his words (3 of its 3 content words, a run of three), the paraphrase
    # none of them
    assert x[0, 0] == 1.0 and x[0, 3] == pytest.approx(np.log1p(3))
    assert x[1, 0] == 0.0 and x[1, 2] == 0.0
    assert (x[:2, 6:] == 0).all()  # no earlier lines
    # the third reply shares words with both earlier lines ("bank", "boss"): one each, so
    # neither shares two; two of its three content words ("your" is not his) are his
    assert x[2, 6] == 0.0 and x[2, 7] == pytest.approx(2 / 3)
    # Russian words are compared by their first letters: «злитесь» / «злит» differ
    ru = overlap_features(["Вас злит начальник."], ["Я злюсь на начальника!"], None)[0]
    assert ru[0] == pytest.approx(1 / 2)  # «начальник» matches, «злит» (4 letters) does not
    assert split_kind("reply-line+rules+history+overlap+own")[1] == frozenset(
        {"rules", "history", "overlap", "own"}
    )
    n = len(TEXT_CUES)
    assert (
        feature_width("reply-line+overlap+own", n) == FEATURE_SETS["reply-line"] + OVERLAP_WIDTH + 1
    )


def test_the_heads_read_his_earlier_points_as_the_summary_rules_do():
    from voicedrill.scoring.cues.paraphrase import _distinct_lines, earlier_lines

    lines = (
        "The bank took the house.",
        "My wife left.",
        "",
        "The bank took the house.",
        "I'm done.",
    )
    # a line said twice is one point, at its latest place; the current line is not earlier
    assert _distinct_lines(lines) == ["My wife left.", "The bank took the house.", "I'm done."]
    assert earlier_lines(lines) == ["My wife left.", "The bank took the house."]
    assert earlier_lines(lines + ("My wife left.",)) == ["The bank took the house.", "I'm done."]
    assert earlier_lines(lines[:2] + ("",)) == list(lines[:2])  # no current line: all earlier
    assert earlier_lines(()) == [] and earlier_lines(("Only this.",)) == []


def test_the_heads_learn_from_dev_files_and_used_blind_sets_only():
    # a blind set joins the training rows only after its once-only figures were reported
    # (train_heads.USED_BLIND): never a fresh one (blind12 and later) nor relabel8/
    sys.path.insert(0, str(REPO / "scripts"))
    import train_heads as th

    assert "blind12" not in th.USED_BLIND and all(b.startswith("blind") for b in th.USED_BLIND)
    data = REPO / "tests" / "data"
    files = th.data_files()
    for f in files:
        rel = f.relative_to(data)
        assert len(rel.parts) == 1 or rel.parts[0] in th.USED_BLIND, rel
    assert {f.parent.name for f in files} >= set(th.USED_BLIND)
    assert not [f for f in th.data_files(hold_out=("blind8/*",)) if f.parent.name == "blind8"]
    assert all(f.parent == data for f in th.data_files(blind=False))
    # a heard reply is a speech row of its own (no speech-like copy), in its text's group
    every = th.load_rows("en")
    rows = [r for r in every if r.source.startswith("blind8/spoken_neural_cues")]
    heard = next(
        r
        for r in rows
        if r.reply == "Her cough and went without you and your stuck hair on the pier."
    )
    assert heard.speech and heard.heard
    text = next(
        r
        for r in every
        if r.reply == "Her coffin went without you, and you're stuck here on the pier."
    )
    assert text.group == heard.group and not text.heard
