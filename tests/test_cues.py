"""The text-cue detector: hand-written cases per cue (both languages, positives and
negatives), evidence with word times, extra phrases, and the labelled sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicedrill.errors import ParameterError, ScenarioError
from voicedrill.scoring import cues
from voicedrill.scoring.cues import CUE_NAMES, HARMFUL, HELPFUL, NEUTRAL, TEXT_CUES, detect_cues
from voicedrill.scoring.evaluate import evaluate, load_labelled
from voicedrill.scoring.result import Cue
from voicedrill.scoring.script import MeaningRules
from voicedrill.types import Transcript, TurnContext, Word

DATA = Path(__file__).resolve().parent / "data"


def found(reply: str, line: str = "", language: str = "en", history: tuple[str, ...] = (), **kw) -> set[str]:
    context = TurnContext(language, tuple(history) + ((line,) if line else ()))
    return {c.name for c in detect_cues(Transcript(reply, language), context, **kw)}


# --------------------------------------------------------------------------- names


def test_cue_names_are_the_agreed_ones():
    assert HELPFUL == (
        "emotional_label",
        "paraphrase",
        "mirror",
        "minimal_encourager",
        "open_question",
        "i_message",
        "summary",
        "effective_pause",
        "suicide_question",
        "deferring",
    )
    assert NEUTRAL == ("closed_question",)
    assert HARMFUL == ("why_question", "calm_down", "promise", "arguing", "minimizing", "threat", "commanding",
                       "dare", "conceding", "hollow_empathy", "blaming", "insult")
    assert CUE_NAMES == HELPFUL + NEUTRAL + HARMFUL
    assert "effective_pause" not in TEXT_CUES
    assert cues.cue_kind("mirror") == "helpful"
    assert cues.cue_kind("closed_question") == "neutral"
    assert cues.cue_kind("threat") == "harmful"
    with pytest.raises(ParameterError):
        cues.cue_kind("shouting")


def test_cues_carry_their_kind_and_one_per_name():
    got = detect_cues(
        Transcript("Calm down. Calm down! Why did you do that?", "en"), TurnContext("en", ("Leave me alone.",))
    )
    assert [c.name for c in got] == ["calm_down", "why_question"]
    assert all(isinstance(c, Cue) for c in got)
    assert {c.name: c.kind for c in got} == {"calm_down": "harmful", "why_question": "harmful"}
    assert got[0].evidence == "Calm down"


def test_empty_reply_has_no_cues_and_pause_is_never_a_text_cue():
    assert detect_cues(Transcript("", "en"), TurnContext("en", ("Go away.",))) == ()
    assert detect_cues(Transcript("   ", "ru"), TurnContext("ru", ())) == ()
    assert "effective_pause" not in found("... okay ... I see.", "Go away.")


# --------------------------------------------------------------------------- per cue, English
# (line, reply, must be found, must not be found)

EN_CASES = [
    # emotional_label
    ("They took everything from me.", "It sounds like you're really angry about that.", {"emotional_label"}, {"i_message"}),
    ("I can't take this anymore.", "You seem exhausted.", {"emotional_label"}, set()),
    ("Nobody cares.", "You must feel so alone right now.", {"emotional_label"}, set()),
    ("My wife is gone.", "That must be incredibly painful.", {"emotional_label"}, set()),
    ("They lied to me again.", "I can hear how frustrated you are.", {"emotional_label"}, {"i_message"}),
    ("They lied to me again.", "Are you angry?", {"closed_question"}, {"emotional_label"}),
    ("I'm fine.", "I'm not angry with you.", set(), {"emotional_label"}),
    # paraphrase
    ("The landlord changed the locks and threw my stuff on the street.",
     "So what you're saying is you got locked out and lost your things.", {"paraphrase"}, set()),
    ("My boss fired me in front of everybody.", "In other words, he humiliated you in public.", {"paraphrase"}, set()),
    ("My boss fired me in front of everybody.", "You lost your job in front of your coworkers.", {"paraphrase"}, {"mirror"}),
    ("My boss fired me in front of everybody.", "What happened after that?", {"open_question"}, {"paraphrase"}),
    # mirror
    ("I've had it with this whole stinking place.", "This whole place?", {"mirror"}, {"closed_question"}),
    ("I'm done talking to you people.", "Done talking?", {"mirror"}, set()),
    ("They took my truck.", "Your truck?", {"mirror"}, set()),
    # a why of the trainee's own asks about his words, it does not echo them (dev2-19: no
    # why-question that repeats his words was labelled a mirror, 0 of 8)
    ("I'm not going back to that hospital.", "Why the hospital?", {"why_question"}, {"mirror"}),
    ("They took my truck.", "How long have you had it?", {"open_question"}, {"mirror"}),
    # minimal_encourager
    ("And then she just left.", "Mm-hmm.", {"minimal_encourager"}, set()),
    ("And then she just left.", "I see. Go on.", {"minimal_encourager"}, set()),
    ("And then she just left.", "Okay, put the phone down.", {"commanding"}, {"minimal_encourager"}),
    # open_question
    ("I don't know what to do.", "What's going on tonight?", {"open_question"}, {"closed_question"}),
    ("I don't know what to do.", "Tell me about what happened today.", {"open_question"}, {"commanding"}),
    ("I don't know what to do.", "how did it get to this point", {"open_question"}, set()),
    ("I don't know what to do.", "Why don't you tell me what happened?", {"open_question"}, {"why_question"}),
    ("I don't know what to do.", "What you said earlier matters.", set(), {"open_question"}),
    # closed_question
    ("I've got the kids in here.", "Are the kids okay?", {"closed_question"}, {"open_question"}),
    ("I've got the kids in here.", "Is anybody hurt", {"closed_question"}, set()),
    # i_message
    ("Get away from the door!", "I'm worried about you and the kids.", {"i_message"}, {"emotional_label"}),
    ("Get away from the door!", "It scares me when you point that gun at the window.", {"i_message"}, set()),
    ("Get away from the door!", "I understand.", {"hollow_empathy"}, {"i_message", "minimal_encourager"}),
    # why_question
    ("I did it.", "Why did you do it?", {"why_question"}, {"open_question"}),
    ("I did it.", "why would you do something like that", {"why_question"}, set()),
    ("I did it.", "How come you didn't call for help?", {"why_question"}, set()),
    ("I did it.", "I understand why you're upset.", set(), {"why_question"}),
    # calm_down
    ("Get out of here!", "Calm down, sir.", {"calm_down"}, set()),
    ("Get out of here!", "You need to relax.", {"calm_down"}, {"commanding"}),
    ("Get out of here!", "Just take it easy.", {"calm_down"}, set()),
    ("Get out of here!", "I'm calm and I'm staying right here.", set(), {"calm_down"}),
    ("Get out of here!", "When things calm down we can talk.", set(), {"calm_down"}),
    # promise
    ("They'll kill me if I come out.", "I promise nobody will hurt you.", {"promise"}, set()),
    ("They'll kill me if I come out.", "Everything is going to be fine.", {"promise"}, set()),
    ("They'll kill me if I come out.", "You won't go to jail for this.", {"promise"}, set()),
    ("They'll kill me if I come out.", "I can't promise you anything, but I'll listen.", set(), {"promise"}),
    # arguing
    ("You guys never do anything.", "That's not true.", {"arguing"}, set()),
    ("You guys never do anything.", "You're wrong about that.", {"arguing"}, set()),
    ("You're lying to me.", "I'm not lying.", {"arguing"}, set()),
    ("You guys never do anything.", "I hear you, but that's just how it is.", {"arguing"}, set()),
    ("You guys never do anything.", "I'm not going anywhere.", set(), {"arguing"}),
    # minimizing
    ("My dog died.", "It's not that bad.", {"minimizing"}, set()),
    ("My dog died.", "At least you still have your health.", {"minimizing"}, set()),
    ("My dog died.", "It could be worse.", {"minimizing"}, set()),
    ("My dog died.", "That's a terrible loss.", {"emotional_label"}, {"minimizing"}),
    # threat
    ("I'm not coming out.", "Come out or we're coming in.", {"threat", "commanding"}, set()),
    ("I'm not coming out.", "If you don't come out, we will break the door down.", {"threat"}, set()),
    ("I'm not coming out.", "You'll regret this.", {"threat"}, set()),
    ("I'm not coming out.", "Nobody is coming in, you have my word.", {"promise"}, {"threat"}),
    # commanding
    ("I'm not coming out.", "Put the gun down and come out slowly.", {"commanding"}, set()),
    ("I'm not coming out.", "I need you to open the door right now.", {"commanding"}, set()),
    ("I'm not coming out.", "Don't move!", {"commanding"}, set()),
    ("I'm not coming out.", "Let me see if I understand.", set(), {"commanding"}),
    ("I'm not coming out.", "Take your time.", set(), {"commanding"}),
]

# a reply with no cue at all
EN_NO_CUE = [
    ("Who is this?", "My name is Alex, I'm with the county negotiation team."),
    # ("I'll pass that request along" is an honest stall: deferring, the heads read it so)
    ("What time is it?", "It's a quarter past four."),
]


@pytest.mark.parametrize("line,reply,present,absent", EN_CASES)
def test_english_cases(line, reply, present, absent):
    got = found(reply, line, "en")
    assert present <= got, f"{reply!r}: expected {sorted(present)}, got {sorted(got)}"
    assert not (absent & got), f"{reply!r}: should not have {sorted(absent & got)}, got {sorted(got)}"


@pytest.mark.parametrize("line,reply", EN_NO_CUE)
def test_english_replies_without_cues(line, reply):
    assert found(reply, line, "en") == set()


def test_english_summary_needs_several_earlier_lines():
    history = ("They cut my hours at the warehouse.", "My car got repossessed on Monday.")
    line = "And now my girlfriend says she's leaving."
    reply = "Let me make sure I've got this: your hours got cut, you lost the car, and now your girlfriend wants to leave."
    # facts only: a summary since s8 (a recap of his points), not while the script asks for his feelings
    assert "summary" in found(reply, line, "en", history)
    assert "summary" not in found(reply, line, "en", history, meaning=MeaningRules(summary_needs_feeling=True))
    reply += " You must be exhausted."
    assert "summary" in found(reply, line, "en", history)
    # the same words without earlier lines are a paraphrase at most, never a summary
    assert "summary" not in found(reply, line, "en")
    assert "summary" not in found("Let me make sure I've got this right.", line, "en", history)


def test_several_cues_in_one_reply():
    got = found("One more time? Why?", "I'm not saying it one more time.")
    assert {"why_question", "mirror"} <= got
    got = found("Mm-hmm. It sounds like you're scared. What happened next?", "They came for me last night.")
    assert {"minimal_encourager", "emotional_label", "open_question"} <= got


def test_whisper_style_text_without_punctuation_or_capitals():
    assert "why_question" in found("why did you take them", "I took them.")
    assert "calm_down" in found("calm down", "Get lost!")
    assert "open_question" in found("what happened tonight", "Leave me alone.")


# --------------------------------------------------------------------------- per cue, Russian

RU_CASES = [
    # emotional_label
    ("Они отняли у меня всё.", "Похоже, вы очень злы на них.", {"emotional_label"}, set()),
    ("Я больше не могу.", "Вы, наверное, страшно устали.", {"emotional_label"}, set()),
    ("Никому нет до меня дела.", "Вам сейчас очень одиноко.", {"emotional_label"}, {"i_message"}),
    ("Жена ушла.", "Это, должно быть, очень тяжело.", {"emotional_label"}, set()),
    ("Жена ушла.", "Вы злитесь?", {"emotional_label"}, set()),
    # paraphrase
    ("Хозяин сменил замки и выкинул мои вещи на улицу.",
     "То есть вас выставили из квартиры вместе с вещами.", {"paraphrase"}, set()),
    ("Начальник уволил меня при всех.", "Иными словами, вас унизили при коллегах.", {"paraphrase"}, set()),
    ("Начальник уволил меня при всех.", "Вас уволили прямо при всех сотрудниках.", {"paraphrase"}, set()),
    # mirror
    ("Меня достало это проклятое место.", "Проклятое место?", {"mirror"}, {"closed_question"}),
    ("Они забрали мою машину.", "Вашу машину?", {"mirror"}, set()),
    ("Не пойду я в эту больницу.", "Почему в больницу?", {"why_question"}, {"mirror"}),
    ("Они забрали мою машину.", "Когда это случилось?", {"open_question"}, {"mirror"}),
    # minimal_encourager
    ("А потом она просто ушла.", "Угу.", {"minimal_encourager"}, set()),
    ("А потом она просто ушла.", "Понятно. Продолжайте.", {"minimal_encourager"}, set()),
    ("А потом она просто ушла.", "Ага, и что было дальше?", {"open_question"}, set()),
    # open_question
    ("Я не знаю, что делать.", "Что у вас сегодня случилось?", {"open_question"}, {"closed_question"}),
    ("Я не знаю, что делать.", "Расскажите, как всё началось.", {"open_question"}, {"commanding"}),
    ("Я не знаю, что делать.", "Почему бы вам не рассказать, что произошло?", {"open_question"}, {"why_question"}),
    # closed_question
    ("У меня тут дети.", "Дети в порядке?", {"closed_question"}, {"open_question"}),
    ("У меня тут дети.", "Кто-нибудь ранен?", {"closed_question"}, set()),
    # i_message
    ("Отойдите от двери!", "Я очень беспокоюсь за вас и за детей.", {"i_message"}, {"emotional_label"}),
    ("Отойдите от двери!", "Мне страшно, когда вы направляете оружие в окно.", {"i_message"}, set()),
    ("Отойдите от двери!", "Мне очень жаль.", set(), {"i_message"}),
    # why_question
    ("Я это сделал.", "Зачем вы это сделали?", {"why_question"}, {"open_question"}),
    ("Я это сделал.", "почему вы не позвали на помощь", {"why_question"}, set()),
    ("Я это сделал.", "Я понимаю, почему вы расстроены.", set(), {"why_question"}),
    # calm_down
    ("Пошли вон!", "Успокойтесь.", {"calm_down"}, set()),
    ("Пошли вон!", "Вам нужно успокоиться.", {"calm_down"}, {"commanding"}),
    ("Пошли вон!", "Не нервничайте так.", {"calm_down"}, set()),
    ("Пошли вон!", "Когда вы успокоитесь, мы поговорим.", set(), {"calm_down"}),
    ("Пошли вон!", "Я спокоен и никуда не ухожу.", set(), {"calm_down"}),
    # promise
    ("Они убьют меня, если я выйду.", "Обещаю, никто вас не тронет.", {"promise"}, set()),
    ("Они убьют меня, если я выйду.", "Всё будет хорошо.", {"promise"}, set()),
    ("Они убьют меня, если я выйду.", "Вас не посадят.", {"promise"}, set()),
    ("Они убьют меня, если я выйду.", "Обещать ничего не могу, но я вас выслушаю.", set(), {"promise"}),
    # arguing
    ("Вы ничего не делаете.", "Это неправда.", {"arguing"}, set()),
    ("Вы ничего не делаете.", "Вы ошибаетесь.", {"arguing"}, set()),
    ("Вы мне врёте.", "Я не вру.", {"arguing"}, set()),
    ("Вы ничего не делаете.", "Я понимаю, но так это не работает.", {"arguing"}, set()),
    # minimizing
    ("У меня собака умерла.", "Ничего страшного, заведёте новую.", {"minimizing"}, set()),
    ("У меня собака умерла.", "Бывает и хуже.", {"minimizing"}, set()),
    ("У меня собака умерла.", "Это огромная потеря, это очень больно.", {"emotional_label"}, {"minimizing"}),
    # threat
    ("Я не выйду.", "Выходите, иначе мы начинаем штурм.", {"threat", "commanding"}, set()),
    ("Я не выйду.", "Если не выйдете, мы выбьем дверь.", {"threat"}, set()),
    ("Я не выйду.", "Пожалеете.", {"threat"}, set()),
    # commanding
    ("Я не выйду.", "Положите оружие и выходите.", {"commanding"}, set()),
    ("Я не выйду.", "Вы должны немедленно открыть дверь.", {"commanding"}, set()),
    ("Я не выйду.", "Не двигаться!", {"commanding"}, set()),
    ("Я не выйду.", "Не волнуйтесь, я здесь.", set(), {"commanding"}),
]

RU_NO_CUE = [
    ("Кто это?", "Меня зовут Алексей, я переговорщик."),
    ("Который час?", "Сейчас четверть пятого."),
]


@pytest.mark.parametrize("line,reply,present,absent", RU_CASES)
def test_russian_cases(line, reply, present, absent):
    got = found(reply, line, "ru")
    assert present <= got, f"{reply!r}: expected {sorted(present)}, got {sorted(got)}"
    assert not (absent & got), f"{reply!r}: should not have {sorted(absent & got)}, got {sorted(got)}"


@pytest.mark.parametrize("line,reply", RU_NO_CUE)
def test_russian_replies_without_cues(line, reply):
    assert found(reply, line, "ru") == set()


def test_russian_summary_needs_several_earlier_lines():
    history = ("Мне урезали смены на складе.", "В понедельник забрали машину за долги.")
    line = "А теперь и девушка собирается уйти."
    reply = "Итак, вам урезали смены, машину забрали, а теперь ещё и девушка хочет уйти."
    # без названного чувства — подытоживание с s8 (его пункты собраны), но не там, где сценарий требует чувств
    assert "summary" in found(reply, line, "ru", history)
    assert "summary" not in found(reply, line, "ru", history, meaning=MeaningRules(summary_needs_feeling=True))
    reply += " Вы, наверное, совсем вымотаны."
    assert "summary" in found(reply, line, "ru", history)
    assert "summary" not in found(reply, line, "ru")


def test_russian_morphology_matches_any_form():
    # imperative vs future: "успокойтесь" tells, "успокоитесь" does not
    assert "calm_down" in found("Успокойся!", "Уйди!", "ru")
    assert "calm_down" not in found("Вы скоро успокоитесь.", "Уйди!", "ru")
    # a mirror through a change of form and person ("хочу" -> "хотите")
    assert "mirror" in found("Хотите домой?", "Я хочу домой.", "ru")


# --------------------------------------------------------------------------- evidence and times


def _words(spec: list[tuple[str, float, float]]) -> tuple[Word, ...]:
    return tuple(Word(t, a, b, 0.9) for t, a, b in spec)


def test_evidence_spans_carry_word_times():
    words = _words(
        [(" Mm-hmm.", 0.0, 0.4), (" Calm", 0.9, 1.2), (" down.", 1.2, 1.5), (" Why", 2.0, 2.2), (" did", 2.2, 2.4),
         (" you", 2.4, 2.5), (" do", 2.5, 2.7), (" that?", 2.7, 3.1)]
    )
    t = Transcript("Mm-hmm. Calm down. Why did you do that?", "en", words)
    # (a bare "Okay." before an order only acknowledges (minimal_encourager.acknowledgements);
    # the encourager head may veto this "Mm-hmm." before an order: the times are the point here)
    keep = MeaningRules(head_vetoes=False)
    got = {c.name: c for c in detect_cues(t, TurnContext("en", ("I hit him.",)), meaning=keep)}
    assert got["calm_down"].evidence == "Calm down"
    assert (got["calm_down"].start, got["calm_down"].end) == (0.9, 1.5)
    assert got["why_question"].start == 2.0
    assert got["minimal_encourager"].start == 0.0 and got["minimal_encourager"].end == 0.4
    # without word times the evidence is the same, times are None
    plain = {c.name: c for c in detect_cues(Transcript(t.text, "en"), TurnContext("en", ("I hit him.",)))}
    assert plain["calm_down"].evidence == "Calm down"
    assert plain["calm_down"].start is None and plain["calm_down"].end is None


def test_evidence_times_with_contractions_and_russian_words():
    words = _words([(" You're", 0.5, 0.8), (" really", 0.8, 1.1), (" scared.", 1.1, 1.6)])
    (cue,) = [c for c in detect_cues(Transcript("You're really scared.", "en", words), TurnContext("en", ("Go!",)))
              if c.name == "emotional_label"]
    assert (cue.start, cue.end) == (0.5, 1.6)
    words = _words([(" Успокойтесь,", 0.2, 0.9), (" пожалуйста.", 0.9, 1.5)])
    got = detect_cues(Transcript("Успокойтесь, пожалуйста.", "ru", words), TurnContext("ru", ("Вон!",)))
    assert [(c.name, c.start, c.end) for c in got] == [("calm_down", 0.2, 0.9)]


# --------------------------------------------------------------------------- extra phrases


def test_extra_phrases_add_a_detection():
    line = ("I want out.",)
    assert "minimal_encourager" not in found("Roger that.", *line)
    assert "minimal_encourager" in found("Roger that.", *line, extra_phrases={"minimal_encourager": ["roger that"]})
    ru = found("Похоже, вы на взводе.", "Отстаньте.", "ru", extra_phrases={"emotional_label": ["похоже вы на взводе"]})
    assert "emotional_label" in ru
    # pattern syntax works in extra phrases too
    assert "promise" in found("I pinky swear.", "No.", extra_phrases={"promise": ["pinky ~swear"]})


def test_unknown_cue_in_extra_phrases_is_a_parameter_error():
    with pytest.raises(ParameterError, match="unknown cue 'mirrors'"):
        found("Hi.", "Hello.", extra_phrases={"mirrors": ["hi"]})
    with pytest.raises(ParameterError, match="effective_pause"):
        found("Hi.", "Hello.", extra_phrases={"effective_pause": ["hi"]})
    with pytest.raises(ParameterError, match="list of phrases"):
        found("Hi.", "Hello.", extra_phrases={"mirror": "hi"})
    with pytest.raises(ParameterError, match="bad pattern"):
        found("Hi.", "Hello.", extra_phrases={"mirror": ["(hi"]})
    with pytest.raises(ParameterError, match="unknown word class"):
        found("Hi.", "Hello.", extra_phrases={"mirror": ["{nope}"]})


def test_unsupported_language_is_a_parameter_error():
    with pytest.raises(ParameterError, match="not supported"):
        detect_cues(Transcript("Hallo", "de"), TurnContext("de", ("Hallo",)))


# --------------------------------------------------------------------------- data files


def test_lexicons_load_once_and_reject_unknown_keys():
    assert cues.lexicon("en") is cues.lexicon("en")
    assert cues.lexicon("ru") is cues.lexicon("ru")
    with pytest.raises(ScenarioError, match="stopword: unknown key"):
        cues.Lexicon("en", {"stopword": ["a"]}, "test.yaml")
    with pytest.raises(ScenarioError, match="cues.mirrror: unknown text cue"):
        cues.Lexicon("en", {"cues": {"mirrror": {"patterns": ["x"]}}}, "test.yaml")
    with pytest.raises(ParameterError, match="unknown word class"):
        cues.Lexicon("en", {"cues": {"promise": {"patterns": ["{nothing}"]}}}, "test.yaml")


def test_every_word_class_and_rule_in_the_data_is_used():
    import re

    for code in ("en", "ru"):
        path = cues.lang_path(code)
        text = path.read_text(encoding="utf-8")
        for name in cues.lexicon(code).classes:
            assert len(re.findall(r"\{" + re.escape(name) + r"\}", text)) >= 1, f"{path}: class {name} is never used"


# --------------------------------------------------------------------------- labelled sets

# The development sets label recaps of facts alone as summaries; the default script
# (meaning.summary_needs_feeling) asks a summary to name his feelings too.
FACTS_SUMMARY = MeaningRules(summary_needs_feeling=False)

FLOOR = {  # per-cue F1 floors on the development sets
    "emotional_label": 0.85,
    "paraphrase": 0.6,
    "mirror": 0.85,
    "minimal_encourager": 0.9,
    "open_question": 0.9,
    "i_message": 0.85,
    "summary": 0.8,
    "closed_question": 0.85,
    "why_question": 0.85,
    "calm_down": 0.9,
    "promise": 0.85,
    "arguing": 0.8,
    "minimizing": 0.85,
    "threat": 0.85,
    "commanding": 0.85,
    "suicide_question": 0.9,
    "deferring": 0.85,
    "dare": 0.85,
    "conceding": 0.85,
    "hollow_empathy": 0.85,
    "blaming": 0.85,
    "insult": 0.85,
}


@pytest.mark.parametrize("code", ["en", "ru"])
def test_development_sets_reach_the_target(code):
    items = load_labelled(DATA / f"cues_{code}.jsonl")
    assert len(items) >= 200 and len({i.ctx for i in items}) >= 30
    counts = {c: sum(c in i.cues for i in items) for c in TEXT_CUES}
    assert min(counts.values()) >= 8, counts
    assert any(not i.cues for i in items) and any(len(i.cues) > 1 for i in items)
    ev = evaluate(items, language=code, meaning=FACTS_SUMMARY)
    assert ev.micro_f1 >= 0.90, ev.micro_f1
    low = {c: round(s.f1, 2) for c, s in ev.per_cue.items() if s.f1 < FLOOR[c]}
    assert not low, f"per-cue F1 below the floor: {low}"


@pytest.mark.parametrize("code", ["en", "ru"])
def test_holdout_sets_generalise(code):
    """Written after the rules were frozen; a regression guard, not a target."""
    items = load_labelled(DATA / f"cues_{code}_holdout.jsonl")
    assert len(items) >= 60
    ev = evaluate(items, language=code)
    assert ev.micro_f1 >= 0.75, ev.micro_f1


# --------------------------------------------------------------------------- scenario author's review

# (line, reply, must be found, must not be found): replies the detector had never seen
REVIEW_CASES = [
    # an honest "I can't" about the negotiator's own limits is not arguing
    ("en", "I want full amnesty, in writing.", "I can't give amnesty.", set(), {"arguing"}),
    ("en", "Get me a car.", "A car isn't something I can get.", set(), {"arguing"}),
    ("ru", "Снимите обвинения, и я выйду.", "Снять обвинения я не могу. Но я могу передать, что вы вышли сами.", set(), {"arguing"}),
    # a restatement whose negation differs from the line is no contradiction
    ("en", "She won't let me see my kids.", "You just want to be able to see your kids again.", {"paraphrase"}, {"arguing"}),
    ("ru", "Она не даёт мне видеться с детьми.", "Вы просто хотите видеться со своими детьми.", {"paraphrase"}, {"arguing"}),
    # ... but a real contradiction still is
    ("en", "Nobody ever listens to me. Nobody!", "That's not true, I'm listening right now.", {"arguing"}, set()),
    # honesty and present facts are no promises; a promise about them is
    ("en", "You people lie to me every single time.", "I won't lie to you.", set(), {"promise", "arguing"}),
    ("en", "If any cop comes through that door, I'll shoot.", "Nobody is coming in.", set(), {"promise", "arguing"}),
    ("en", "If any cop comes through that door, I'll shoot.", "I promise nobody will come in.", {"promise"}, set()),
    ("ru", "Если хоть один мент сунется в дверь, я стреляю.", "Никто не войдёт.", set(), {"promise", "arguing"}),
    ("ru", "Если хоть один мент сунется в дверь, я стреляю.", "Обещаю, никто не войдёт.", {"promise"}, set()),
    ("ru", "Вы мне врёте, как все.", "Я не буду вам врать.", set(), {"promise", "arguing"}),
    # a threat needs a consequence aimed at the perpetrator
    ("ru", "Никто мне не помог.", "А то, как с вами обошлись, — это, наверное, очень обидно.", {"emotional_label"}, {"threat"}),
    ("en", "I've been sitting here three hours.", "You waited three hours to hear from someone.", set(), {"threat"}),
    ("ru", "Я никого не отпущу.", "Вы за это ответите.", {"threat"}, set()),
    ("ru", "Я никого не отпущу.", "Мы вас из-под земли достанем.", {"threat"}, {"emotional_label", "promise"}),
    ("en", "I'm not letting anyone out.", "We will hunt you down.", {"threat"}, set()),
    # invitations to keep talking and a collaborative "let's" are no orders
    ("en", "I can't do this anymore.", "Let's do it together.", set(), {"commanding"}),
    ("en", "I'm done talking.", "Stay and talk with me.", set(), {"commanding"}),
    ("ru", "Я больше не хочу разговаривать.", "Поговорите со мной.", set(), {"commanding"}),
    ("en", "Get me a car.", "Put the gun down now.", {"commanding"}, set()),
    # a label may name the experience ("one of the worst days")
    ("en", "I can't do this anymore.", "It sounds like today has been one of the worst days of your life.", {"emotional_label"}, set()),
    ("ru", "Всё, я больше не могу.", "Похоже, сегодня один из худших дней в вашей жизни.", {"emotional_label"}, set()),
]


@pytest.mark.parametrize("language,line,reply,present,absent", REVIEW_CASES)
def test_review_cases(language, line, reply, present, absent):
    got = found(reply, line, language)
    assert present <= got, (reply, got)
    assert not (absent & got), (reply, got)


def test_review_set_and_development_sets_together():
    """The review set (both languages) holds the author's findings and fresh examples of
    the same confusions; fixing them must not cost the development sets their targets."""
    items = load_labelled(DATA / "cues_review.jsonl")
    assert len(items) >= 100
    ev = evaluate(items)
    assert ev.micro_f1 >= 0.85, ev.micro_f1
    for code in ("en", "ru"):
        dev = evaluate(load_labelled(DATA / f"cues_{code}.jsonl"), language=code, meaning=FACTS_SUMMARY)
        assert dev.micro_f1 >= 0.90, (code, dev.micro_f1)
        low = {c: round(s.f1, 2) for c, s in dev.per_cue.items() if s.f1 < FLOOR[c]}
        assert not low, (code, low)
