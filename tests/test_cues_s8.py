"""Category rules of the s8 round (issue 10), harmful and helpful cues on new phrasings (written
for this file, not taken from the dev sets): a promise's negation must belong to it, future
assurances that name him, I-messages anywhere in a clause, act-then-consequence threats,
concessions closed by a bare agreement, subordinate "when ..." statements that ask nothing."""

from __future__ import annotations

import pytest

from tests.fixtures_scoring import rules_found

found = rules_found  # the rules alone


CASES = [
    # a negator that belongs to another verb does not deny the promise
    ("ru", ("Если кто-то войдёт, я стреляю.",), "никто к тебе не поднимется клянусь", {"promise"}, set()),
    ("ru", ("Вы меня обманете.",), "Я ничего не обещаю.", set(), {"promise"}),
    ("ru", ("Меня посадят.",), "ничего всё уладится", {"promise"}, set()),
    # a future assurance naming him promises; his fear of it said back does not
    ("ru", ("Меня там скрутят.",), "Никто вас там не скрутит.", {"promise"}, set()),
    ("ru", ("Меня уволят.",), "Не уволят, начальство уже в курсе.", {"promise"}, set()),
    ("ru", ("Меня там скрутят.",), "Вы боитесь, что вас скрутят, как только выйдете.", set(), {"promise", "threat"}),
    ("en", ("If any cop comes up here I'll shoot.",), "No one is going to lay a finger on you.", {"promise"}, set()),
    ("en", ("If any cop comes up here I'll shoot.",), "Nobody's climbing those stairs while we're talking.", {"promise"}, set()),
    ("en", ("If any cop comes up here I'll shoot.",), "Nobody is coming up.", set(), {"promise"}),
    ("en", ("Get me a jet.",), "Nobody's bringing you a jet.", set(), {"promise"}),
    # I-messages: the speaker's feeling outside the clause start, his safety as the speaker's wish
    ("ru", ("Я в порядке.",), "Мне правда тревожно за вас.", {"i_message"}, set()),
    ("ru", ("Я в порядке.",), "Мне кажется, вам тревожно.", set(), {"i_message"}),
    ("ru", ("Не знаю, выйду ли.",), "Я хочу, чтобы ты вернулся домой целым.", {"i_message"}, set()),
    ("en", ("I don't know if I'll come out.",), "I want both of you to get home safe tonight.", {"i_message"}, set()),
    ("en", ("I'm fine.",), "I called back because I was worried about you.", {"i_message"}, set()),
    ("en", ("I'm not coming out.",), "I want you to come out with your hands empty.", set(), {"i_message"}),
    # threats: an act of his, then what it costs him; force trained on him
    ("en", ("I'll cut her.",), "You cut her and the team takes you down.", {"threat"}, set()),
    ("en", ("I'll cut her.",), "There are rifles pointed at that window.", {"threat"}, set()),
    ("ru", ("Я никуда не выйду.",), "Тебя отсюда всё равно выведут под руки.", {"threat"}, set()),
    ("ru", ("Я никуда не выйду.",), "Ты понимаешь, что тебе потом будет?", {"threat"}, set()),
    # blaming and minimizing in new words
    ("ru", ("Я сорвался на него.",), "А кто тебя заставлял на него кидаться?", {"blaming"}, set()),
    ("ru", ("Меня трясёт.",), "Не хнычь, от страха не умирают.", {"minimizing"}, set()),
    ("en", ("I lost the shop.",), "Everyone's got debts, pal.", {"minimizing"}, set()),
    ("en", ("I set the car on fire.",), "That was a really reckless move.", {"blaming"}, set()),
    # concessions closed by a bare agreement
    ("en", ("Bring my daughter to the gate. Now.",), "Your daughter, to the gate. Fine.", {"conceding"}, set()),
    ("en", ("Get me a hundred thousand by noon.",), "We can manage a hundred thousand.", {"conceding"}, set()),
    ("en", ("Get me a car by noon.",), "Let me see what I can do.", set(), {"conceding"}),
    ("ru", ("Я отпущу сына, если привезут мою мать.",), "Мать привезём, договорились.", {"conceding"}, set()),
    # his intent to jump asked with a word between "you" and the verb; someone else's jump is not his
    ("ru", ("Я стою на карнизе.",), "вы поэтому хотите сброситься", {"suicide_question"}, set()),
    ("ru", ("Он стоит на карнизе.",), "Вы хотите, чтобы он спрыгнул?", set(), {"suicide_question"}),
    # whining, "I understand everything", a hunt that ends in punishment
    ("ru", ("Мне плохо, я больше не могу.",), "Ну что ты хнычешь как маленький.", {"minimizing"}, set()),
    ("ru", ("Вы ничего не понимаете!",), "Да всё я понимаю.", {"hollow_empathy"}, set()),
    ("ru", ("Вы ничего не понимаете!",), "Я не всё понимаю, объясните мне.", set(), {"hollow_empathy"}),
    ("ru", ("Я уйду через лес.",), "Достанем и посадим.", {"threat"}, set()),
    ("ru", ("Мне нужна машина.",), "Найдём машину и пригоним.", set(), {"threat"}),
    # a calm-down at the end of an unpunctuated run; a report of calming is none
    ("ru", ("Я сейчас всё тут разнесу!",), "никто сюда не придёт успокойся", {"calm_down"}, set()),
    ("ru", ("Я сейчас всё тут разнесу!",), "Мать никак не может успокоиться.", set(), {"calm_down"}),
    ("en", ("I'll wreck this place!",), "hey hey settle down nobody is rushing you", {"calm_down"}, set()),
    ("en", ("I'll wreck this place!",), "I know you can't calm down right now.", set(), {"calm_down"}),
    # a "when ..." clause ending in a full stop asks nothing; «Что случилось?» is still open
    ("ru", ("Я не хочу говорить.",), "Когда захотите поговорить, я здесь.", set(), {"open_question"}),
    ("en", ("I don't want to talk.",), "When you want to talk, I'm here.", set(), {"open_question"}),
    ("ru", ("Я не хочу говорить.",), "Что случилось?", {"open_question"}, {"closed_question"}),
    ("ru", ("Я не хочу говорить.",), "Ты в порядке?", {"closed_question"}, {"open_question"}),
]


@pytest.mark.parametrize("language,lines,reply,present,absent", CASES)
def test_s8_cases(language, lines, reply, present, absent):
    got = found(reply, lines, language)
    assert present <= got, (reply, got)
    assert not (absent & got), (reply, got)
