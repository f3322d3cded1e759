"""Summary and paraphrase read by meaning (issue 10, session 8): what now counts and what
still does not. Every reply here was written for this file (none is copied from the dev or
blind sets); the detector runs with the real sentence encoder, with the phrase rules alone
(``heads=False``) and with the shipped heads."""

from __future__ import annotations

import pytest

from voicedrill.scoring.cues import detect_cues
from voicedrill.scoring.script import MeaningRules
from voicedrill.types import Transcript, TurnContext

RULES = MeaningRules(heads=False)
FULL = MeaningRules()
BOTH = pytest.mark.parametrize("rules", [RULES, FULL], ids=["rules", "rules+heads"])

HISTORY_EN = (
    "They closed the mill where I worked for twenty years.",
    "Then the bank sent the foreclosure letter on the house.",
)
LINE_EN = "And last night my daughter said she's moving to her mother's."
HISTORY_RU = (
    "Меня сократили с завода, где я проработал пятнадцать лет.",
    "Потом банк прислал письмо, что заберут квартиру.",
)
LINE_RU = "А вчера жена сказала, что уходит к матери."


def found(reply, code, rules, history=None, line=None):
    """{cue name: evidence} of the reply to his lines (default: the mill / the factory)."""
    history = (HISTORY_EN if code == "en" else HISTORY_RU) if history is None else history
    line = (LINE_EN if code == "en" else LINE_RU) if line is None else line
    cues = detect_cues(Transcript(reply, code), TurnContext(code, (*history, line)), meaning=rules)
    return {c.name: c.evidence for c in cues}


# --------------------------------------------------------------------------- what counts now


@BOTH
@pytest.mark.parametrize(
    "code, reply",
    [
        # his three points pulled together, no feeling named (the labelled practice replies
        # count such recaps as summaries)
        (
            "en",
            "The mill shut down after twenty years, the bank is coming for the house, "
            "and now your daughter is leaving too.",
        ),
        # the same said aloud: lower case, no punctuation, a filler
        (
            "en",
            "so the mill let you go after twenty years the bank wants the house "
            "and now your daughter is leaving",
        ),
        (
            "ru",
            "Итак, завод вас сократил после пятнадцати лет, банк грозит забрать квартиру, "
            "а теперь ещё и жена уходит.",
        ),
        ("ru", "ну значит с завода сократили банк квартиру забирает и жена уходит к матери"),
        # opened by a lead-in about the negotiator, said without punctuation: the lead-in is
        # no part of his first point
        (
            "en",
            "so if i got this right you lost the mill job the bank wants the house "
            "and now your daughter is leaving",
        ),
        ("ru", "если я правильно понял вас уволили с завода банк забирает квартиру и жена уходит"),
        (
            "ru",
            "Давайте я перескажу: завод вас сократил, банк забирает квартиру, а теперь и жена уходит.",
        ),
    ],
)
def test_a_recap_of_his_points_is_a_summary_without_a_named_feeling(code, reply, rules):
    got = found(reply, code, rules)
    assert "summary" in got, got
    # the evidence quotes what earned it: from his first restated point to the last
    assert "mill" in got["summary"] or "завод" in got["summary"]
    assert "daughter" in got["summary"] or "жена" in got["summary"]
    assert "paraphrase" not in got  # the summary takes precedence over restating one line


@BOTH
@pytest.mark.parametrize(
    "code, reply",
    [
        ("ru", "То есть жена собралась жить у своей матери."),
        ("ru", "Получается, жена от вас уходит к своей маме."),
        ("en", "Your own daughter is packing up to live with her mother."),
    ],
)
def test_restating_his_current_line_is_a_paraphrase(code, reply, rules):
    got = found(reply, code, rules)
    assert "paraphrase" in got and "summary" not in got, got


def test_the_old_strictness_is_one_switch_of_the_script():
    reply = (
        "The mill shut down after twenty years, the bank is coming for the house, "
        "and now your daughter is leaving too."
    )
    strict = MeaningRules(heads=False, summary_needs_feeling=True)
    assert "summary" not in found(reply, "en", strict)
    felt = reply + " That's a lot of loss, and you sound exhausted."
    assert "summary" in found(felt, "en", strict)


# --------------------------------------------------------------------------- what still does not


@BOTH
@pytest.mark.parametrize(
    "code, reply, cue",
    [
        ("en", "You sound exhausted.", "emotional_label"),  # a bare label
        ("ru", "Вам очень тяжело.", "emotional_label"),
        ("en", "Moving to her mother's?", "mirror"),  # his last words echoed
        ("ru", "К матери?", "mirror"),
        ("en", "Your coffee is getting cold on the desk.", None),  # a "you" sentence, off topic
        ("ru", "У вас кофе на столе остыл.", None),
    ],
)
def test_a_label_a_mirror_or_an_off_topic_you_sentence_restates_nothing(code, reply, cue, rules):
    got = found(reply, code, rules)
    assert "summary" not in got and "paraphrase" not in got, got
    if cue:
        assert cue in got


@BOTH
@pytest.mark.parametrize(
    "code, reply, harm",
    [
        # names his points only to concede or promise them away
        (
            "en",
            "Okay, the mill, the house, your daughter. Fine, we'll sort all of it out "
            "by tonight, I promise.",
            "promise",
        ),
        ("ru", "Завод, квартира, жена — ладно, к вечеру всё решим, обещаю.", "promise"),
        # the negotiator's own plan, about "I", and questions: they pull none of it together
        (
            "en",
            "I'll call the mill and I'll talk to the bank about the house myself, I promise.",
            "promise",
        ),
        (
            "en",
            "What happened at the mill? Did the bank give you any warning about the house?",
            None,
        ),
    ],
)
def test_a_recap_that_promises_or_only_asks_is_no_summary(code, reply, harm, rules):
    got = found(reply, code, rules)
    assert "summary" not in got, got
    if harm:
        assert harm in got


@BOTH
def test_his_line_said_twice_is_one_point_not_a_summary(rules):
    reply = "Your daughter is moving out, and she's going to live at her mother's place."
    got = found(reply, "en", rules, history=(LINE_EN,))
    assert "summary" not in got, got
    assert "paraphrase" in got
