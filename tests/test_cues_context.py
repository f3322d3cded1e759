"""Cues that read the perpetrator's line (dare, conceding), the doctrine cues (direct
suicide questions, deferring, hollow empathy, blaming, insults), replies as speech
recognition returns them (no punctuation, slips), and the pattern elements behind them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from voicedrill.scoring import cues
from voicedrill.scoring.evaluate import evaluate, load_labelled, parse_labelled_line
from voicedrill.types import Transcript, TurnContext

DATA = Path(__file__).resolve().parent / "data"

JUMP = "I'm going to jump. I mean it this time."
KIDNAP = "Two million dollars, used bills. You have until Saturday. You call the police, she's dead."
BANK = "Listen to me! A car, two hundred grand, four o'clock! Or you start carrying people out of here!"
DEMAND_RU = "Два миллиона до субботы, или больше её не увидите."


def found(reply: str, line: str = "", language: str = "en") -> set[str]:
    context = TurnContext(language, (line,) if line else ())
    return {c.name for c in detect_cues_text(reply, context, language)}


def detect_cues_text(reply: str, context: TurnContext, language: str):
    return cues.detect_cues(Transcript(reply, language), context)


# (language, his line, reply, must be found, must not be found): the replies from issue 10
CASES = [
    # a direct suicide question is credited, and is not also a closed question
    ("en", "Maybe I just end it here.", "Are you thinking about killing yourself tonight?", {"suicide_question"}, {"closed_question"}),
    ("ru", "Я прыгну!", "Вы думаете о том, чтобы покончить с собой?", {"suicide_question"}, {"closed_question"}),
    ("en", "Maybe I just end it here.", "How long have you been thinking about suicide?", {"suicide_question"}, {"open_question"}),
    # leading or vague forms are not it
    ("en", "Maybe I just end it here.", "You're not going to do anything stupid, right?", set(), {"suicide_question"}),
    ("en", "Maybe I just end it here.", "You wouldn't hurt yourself, would you?", set(), {"suicide_question", "dare"}),
    ("ru", "Я прыгну!", "Вы же не сделаете с собой ничего такого?", set(), {"suicide_question"}),
    ("en", "I'll shoot him!", "Are you planning to hurt anyone in here?", {"closed_question"}, {"suicide_question"}),
    # the same words are a dare after a threat and an encourager after an offer to talk
    ("en", "Stop! One more step and I let go!", "Go ahead.", {"dare"}, {"minimal_encourager"}),
    ("en", JUMP, "Do whatever you want.", {"dare"}, {"commanding"}),
    ("en", "Can I tell you something?", "Go ahead.", {"minimal_encourager"}, {"dare"}),
    ("ru", "Стоять! Не подходи! Я прыгну!", "Давай, прыгай.", {"dare"}, set()),
    ("ru", "Можно я вам кое-что скажу?", "Давайте.", {"minimal_encourager"}, {"dare"}),
    # agreeing to his demand as settled concedes; echoing it as a question mirrors
    ("en", KIDNAP, "Okay. Two million by Saturday.", {"conceding"}, {"mirror", "minimal_encourager"}),
    ("en", BANK, "Okay. A car and two hundred grand by four.", {"conceding"}, {"mirror"}),
    ("en", "I want two million dollars by Saturday or you'll never see her again.", "Two million by Saturday?", {"mirror"}, {"conceding"}),
    ("en", KIDNAP, "Okay. I hear you.", {"minimal_encourager"}, {"conceding"}),
    ("ru", DEMAND_RU, "Хорошо. Два миллиона до субботы.", {"conceding"}, {"mirror"}),
    # an honest stall defers; a stall that promises the outcome is a promise
    ("en", KIDNAP, "I'm not the one who decides about the money. I'll take it to the family.", {"deferring"}, {"conceding", "promise"}),
    ("en", "Get me a lawyer.", "I'll talk to the caseworker and make sure you keep them.", {"promise"}, {"deferring"}),
    ("ru", DEMAND_RU, "Это решаю не я. Я передам ваше требование семье.", {"deferring"}, {"conceding"}),
    # claims of understanding reflect nothing of his; a label after "I understand" does
    ("en", "Nobody knows what I've been through.", "I know exactly how you feel.", {"hollow_empathy"}, {"emotional_label"}),
    ("en", "Everyone would be better off without me.", "I'm sorry you feel that way.", {"hollow_empathy"}, {"emotional_label"}),
    ("en", "Everyone would be better off without me.", "I understand.", {"hollow_empathy"}, {"minimal_encourager"}),
    ("en", "I haven't slept in days.", "I understand. You sound exhausted.", {"emotional_label"}, {"hollow_empathy"}),
    ("ru", "Никто не знает, каково это.", "Я прекрасно знаю, каково вам.", {"hollow_empathy"}, {"emotional_label"}),
    # judging questions blame; they are not open questions
    ("en", "I did it.", "What's wrong with you?", {"blaming"}, {"open_question"}),
    ("en", "I did it because she was going to take my kids.", "How could you do this to your kids?", {"blaming"}, {"open_question"}),
    ("en", "I did it.", "What were you thinking?", {"blaming"}, {"open_question", "why_question"}),
    ("ru", "Сына никто не получит!", "Стой! Ты что, совсем с ума сошёл?", {"blaming"}, {"open_question"}),
    ("en", "I did it because she was going to take my kids.", "Why did you think she would take them?", {"why_question"}, {"blaming", "mirror"}),
    # degrading labels insult; his own word echoed back is a mirror
    ("en", "You have my demand. Six o'clock.", "You're a terrorist... nothing to discuss.", {"insult"}, set()),
    ("en", "Everyone keeps calling me a psycho!", "A psycho?", {"mirror"}, {"insult"}),
    ("en", "Everyone keeps calling me a psycho!", "You're tired of people calling you a psycho.", set(), {"insult"}),
    ("ru", "Я не псих! Все меня психом называют!", "Психом?", {"mirror"}, {"insult"}),
    ("ru", "Я его застрелю!", "Ты псих.", {"insult"}, {"emotional_label"}),
]


@pytest.mark.parametrize("language,line,reply,present,absent", CASES)
def test_doctrine_cases(language, line, reply, present, absent):
    got = found(reply, line, language)
    assert present <= got, (reply, got)
    assert not (absent & got), (reply, got)


# replies as speech recognition returns them: no punctuation, no capitals, slips
ASR_CASES = [
    ("en", "Nobody listens to me.", "okay i hear you what happened", {"minimal_encourager", "open_question"}, set()),
    ("en", "Maybe I just end it here.", "are you thinking about killing yourself", {"suicide_question"}, {"closed_question"}),
    ("en", "Nobody's taking my daughter.", "your terrified of losing her", {"emotional_label"}, set()),
    ("en", "I need fifty thousand by midnight.", "im not the one who decides that ill take it to my boss", {"deferring"}, set()),
    ("en", "I need fifty thousand by midnight.", "okay fifty thousand by midnight", {"conceding"}, {"mirror"}),
    ("en", "I want the warden out here.", "what exactly do you want him to admit", {"open_question"}, {"closed_question"}),
    ("en", "I'm not coming out.", "i don't know what happened to you", set(), {"open_question"}),
    ("ru", "Ты просто мент.", "угу расскажите подробнее", {"minimal_encourager", "open_question"}, set()),
    ("ru", "Никому я не нужен.", "вы хотите умереть", {"suicide_question"}, set()),
    ("ru", "Там стреляли.", "кто-нибудь ранен", {"closed_question"}, set()),
    ("ru", "Я прыгну!", "да ладно не так уж всё плохо", {"minimizing"}, {"minimal_encourager"}),
]


@pytest.mark.parametrize("language,line,reply,present,absent", ASR_CASES)
def test_recognised_speech_cases(language, line, reply, present, absent):
    got = found(reply, line, language)
    assert present <= got, (reply, got)
    assert not (absent & got), (reply, got)


def test_a_punctuated_reply_is_never_cut():
    # one sentence with a question word inside stays one statement
    assert found("You want the warden to publicly own up to what happened.", "We want the warden out here.") == {"paraphrase"}


def _unpunctuated(path: Path, tmp_path: Path) -> Path:
    """The labelled file as recognition might return it: lower case, no punctuation."""
    out = tmp_path / path.name
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        obj = json.loads(raw)
        obj["reply"] = re.sub(r"\s+", " ", re.sub(r"[^\w\s'\-]", "", obj["reply"])).strip().lower()
        lines.append(json.dumps(obj, ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


# measured: en 0.970, ru 0.914 (punctuated: 0.98, 0.97); Russian yes/no questions without "?"
# cannot be told from statements, hence the lower figure
@pytest.mark.parametrize("code,floor", [("en", 0.95), ("ru", 0.89)])
def test_development_sets_survive_lost_punctuation(code, floor, tmp_path):
    ev = evaluate(load_labelled(_unpunctuated(DATA / f"cues_{code}.jsonl", tmp_path)), language=code)
    assert ev.micro_f1 >= floor, ev.micro_f1


# Later development sets, each written before the rules were tuned on it. First runs:
# dev2 en 0.868, ru 0.823; dev3 en 0.842, ru 0.780; dev4 (two or more replies for every
# phrase that matched at most one dev reply) en 0.914, ru 0.862; dev5 (varied trap replies)
# en 0.776, ru 0.630; dev6 (varied trap replies) en 0.594, ru 0.604; dev7 en 0.731, ru 0.478.
# Now 0.92-1.0: every new set still finds phrasings the lexicon lacks.
LATER_FLOOR = {"suicide_question": 0.9, "deferring": 0.85, "dare": 0.9, "conceding": 0.85, "hollow_empathy": 0.9,
               "blaming": 0.9, "insult": 0.9, "mirror": 0.85, "open_question": 0.9, "emotional_label": 0.85}


@pytest.mark.parametrize("name,size", [("dev2", 80), ("dev3", 40), ("dev4", 50), ("dev5", 35), ("dev6", 30), ("dev7", 25)])
@pytest.mark.parametrize("code", ["en", "ru"])
def test_later_development_sets(code, name, size):
    items = load_labelled(DATA / f"cues_{code}_{name}.jsonl")
    assert len(items) >= size
    ev = evaluate(items, language=code)
    assert ev.micro_f1 >= 0.9, ev.micro_f1
    low = {c: round(s.f1, 2) for c, s in ev.per_cue.items() if c in LATER_FLOOR and s.support >= 4 and s.f1 < LATER_FLOOR[c]}
    assert not low, low


# --------------------------------------------------------------------------- pattern elements


def _lex(data: dict) -> cues.Lexicon:
    return cues.Lexicon("en", {"morphology": {"engine": "snowball", "language": "english"}, **data}, "test.yaml")


def _read(lex, reply: str, line: str = ""):
    from voicedrill.scoring.cues.questions import _read
    from voicedrill.scoring.cues.text import _concepts

    parsed = _read(lex, Transcript(reply, "en"))
    if line:
        parsed.line = _read(lex, Transcript(line, "en"))
        parsed.line_concepts = frozenset(_concepts(lex, parsed.line.tokens))
    return parsed


def _rule_spans(lex, name: str, reply: str, line: str = "") -> list[str]:
    from voicedrill.scoring.cues.readers import _phrase_readings

    parsed = _read(lex, reply, line)
    return [" ".join(t.text for t in parsed.tokens[r.start : r.end]) for r in _phrase_readings(lex, parsed, name, lex.rules[name])]


def test_echo_element_matches_a_word_of_his_line():
    lex = _lex({"cues": {"conceding": {"patterns": ["okay ,? @"]}}})
    assert _rule_spans(lex, "conceding", "Okay, car.", "Get me a car.") == ["okay car"]
    assert _rule_spans(lex, "conceding", "Okay, cars.", "Get me a car.") == ["okay cars"]  # any form
    assert _rule_spans(lex, "conceding", "Okay, a plane.", "Get me a car.") == []
    assert _rule_spans(lex, "conceding", "Okay, car.") == []  # no line, nothing to echo


def test_question_element_needs_a_question():
    lex = _lex({"questions": {"starts": ["(are|do) you"]}, "cues": {"suicide_question": {"patterns": ["?? ~suicide"]}}})
    assert _rule_spans(lex, "suicide_question", "Suicide?") == ["suicide"]
    assert _rule_spans(lex, "suicide_question", "Are you thinking of suicide") == ["suicide"]  # word order asks
    assert _rule_spans(lex, "suicide_question", "Suicide is not the answer.") == []


def test_in_context_patterns_need_his_line_to_match():
    lex = _lex({"cues": {"dare": {"context": ["~jump"], "in_context": ["^^ go ahead $$"]}}})
    assert _rule_spans(lex, "dare", "Go ahead.", "I'll jump!") == ["go ahead"]
    assert _rule_spans(lex, "dare", "Go ahead.", "Can I say something?") == []
    assert _rule_spans(lex, "dare", "Go ahead.") == []


def test_across_sentence_patterns_run_to_the_end_of_their_sentence():
    lex = _lex({"cues": {"conceding": {"across_sentences": True, "question": "no", "patterns": ["^^ okay , two"]}}})
    assert _rule_spans(lex, "conceding", "Okay. Two million by Saturday.") == ["okay two million by saturday"]
    assert _rule_spans(lex, "conceding", "Okay. Two million by Saturday?") == []


def test_new_rule_keys_are_checked():
    with pytest.raises(Exception, match="cues.dare.contxt: unknown key"):
        _lex({"cues": {"dare": {"contxt": ["~jump"]}}})
    with pytest.raises(Exception, match="split.befor: unknown key"):
        _lex({"split": {"befor": ["are you"]}})


def test_later_dev_files_parse_with_their_languages():
    for code in ("en", "ru"):
        for name in ("dev2", "dev3", "dev4", "dev5", "dev6", "dev7"):
            raw = (DATA / f"cues_{code}_{name}.jsonl").read_text(encoding="utf-8").splitlines()[0]
            assert parse_labelled_line(raw, "x").language == code
