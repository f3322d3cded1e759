"""Category rules of the s6 round (issue 10): bare acknowledgements, rhetorical questions in
harmful replies, "тебе кажется, что ..." as a paraphrase, honest stalls in their general
form, dares by taunt, and the ablation measuring the rules alone."""

from __future__ import annotations

import pytest

from voicedrill.scoring import cues
from voicedrill.types import Transcript, TurnContext


def found(reply: str, line: str = "", language: str = "en", *, rules_only: bool = True) -> set[str]:
    context = TurnContext(language, (line,) if line else ())
    lex = cues.lexicon(language) if rules_only else None
    return {c.name for c in cues.detect_cues(Transcript(reply, language), context, lex=lex)}


CASES = [
    # a bare "Okay." encourages as the whole reply, and only acknowledges before something else
    ("en", "I need a minute.", "Okay.", {"minimal_encourager"}, set()),
    ("en", "My phone's about to die.", "Okay. If it cuts out I'll call straight back on this number.", set(), {"minimal_encourager"}),
    ("en", "They came at night.", "Mm-hmm. What happened then?", {"minimal_encourager", "open_question"}, set()),
    ("ru", "Я здесь с утра.", "Хорошо. Я здесь.", set(), {"minimal_encourager"}),
    # a reply that blames asks its questions rhetorically
    ("ru", "Я продал их, мне нужны были деньги.", "Детьми торгуешь? Как тебе не совестно?", {"blaming"}, {"closed_question"}),
    ("en", "I did it again.", "Again? How many times are you gonna pull this?", {"blaming"}, {"closed_question"}),
    ("ru", "Я взял микрозаймы, а теперь меня трясут.", "А кто тебя просил микрозаймы брать? Головой думать надо было.", {"blaming"}, {"open_question"}),
    # an imperative "Do it" is no question
    ("en", "I'm going to jump.", "Do it, then.", set(), {"closed_question"}),
    # his view restated ("it seems to you that ...") is a paraphrase, not a label
    ("ru", "Вы не понимаете! Никто не понимает!", "Тебе кажется, что никто даже не пытается тебя понять.", {"paraphrase"}, {"emotional_label"}),
    ("ru", "Зачем вы мне звоните каждые пять минут?", "тебя это раздражает", {"emotional_label"}, set()),
    ("ru", "Я больше не хочу жить.", "ты ну совсем без сил", {"emotional_label"}, set()),
    ("ru", "Вы пришли с разговором, а вас охраной встретили.", "Обидно, наверное.", {"emotional_label"}, set()),
    # a sick man is no feeling named: «больной» is not «больно»
    ("ru", "Я её не трогал.", "Тебя уволили за то, что ты ушла к больному ребёнку.", set(), {"emotional_label"}),
    # direct suicide questions without a "?" (recognition drops it)
    ("ru", "Без неё мне жизни нет.", "без нее жизни нет ты думаешь покончить с собой", {"suicide_question"}, set()),
    ("ru", "Я всё выпил.", "ты выпил таблетки чтобы умереть", {"suicide_question"}, set()),
    ("en", "I've got the shotgun right here.", "are you planning to use the shotgun on yourself", {"suicide_question"}, {"closed_question"}),
    # honest stalls in their general form
    ("en", "I want a car out front, full tank, in thirty minutes.", "A car isn't mine to give. Let me put it to my commander and come back to you.", {"deferring"}, {"conceding"}),
    ("en", "Fifty thousand by midnight.", "I don't hold that money. I'll take the amount and the time to the family and call you with their answer.", {"deferring"}, {"conceding"}),
    # conceding: his deadline accepted in a reply of several sentences
    ("en", "Two hours. After that, I start sending pieces.", "Two hours, understood.", {"conceding"}, set()),
    ("en", "If they don't release my brother by Friday, the guard dies.", "Friday, okay. We'll work to that.", {"conceding"}, set()),
    # dares by taunt, and the order in a daring reply is the dare's
    ("ru", "Я сейчас чеку выдерну!", "Ну давай, рви, посмотрим, хватит ли у тебя духу.", {"dare"}, {"commanding"}),
    ("ru", "Я сейчас шагну с этого моста.", "Ну, это твоё решение, я тебе не указ.", {"dare"}, set()),
    ("en", "I'm going to step off this ledge.", "Well, I can't stop you. It's your decision in the end.", {"dare"}, set()),
    # hollow empathy: the repeated "I understand", his life swapped for mine
    ("ru", "Никто меня не слушает.", "Понимаю, понимаю.", {"hollow_empathy"}, {"minimal_encourager"}),
    ("ru", "Верни мне детей.", "Я тебя понимаю, правда, я сам отец.", {"hollow_empathy"}, set()),
    # dismissing his perception is arguing
    ("ru", "Ты мне обещал, что никого не будет у двери. А там стоят!", "там никого нет тебе кажется", {"arguing"}, set()),
]


@pytest.mark.parametrize("language, line, reply, must, must_not", CASES)
def test_category_rules(language, line, reply, must, must_not):
    got = found(reply, line, language)
    assert must <= got, (reply, got)
    assert not (must_not & got), (reply, got)


def test_ablation_compares_the_rules_with_the_rules(monkeypatch):
    """An entry's effect is measured rules against rules: a cue a learned head adds is no
    entry's work (it was counted as a true positive lost when the entry was left out)."""
    from voicedrill.scoring.ablate import ablate
    from voicedrill.scoring.cues.text import Reading
    from voicedrill.scoring.evaluate import LabelledReply

    def head_adds_paraphrase(parsed, context, code, first, meaning):
        return {**first, "paraphrase": Reading("paraphrase", 0, len(parsed.tokens))}

    monkeypatch.setattr(cues, "apply_heads", head_adds_paraphrase)
    item = LabelledReply(
        "I want a van out front in thirty minutes.",
        "okay a van in thirty minutes we can do that",
        ("conceding", "paraphrase"),
        where="x:1",
        line=1,
        language="en",
    )
    assert "paraphrase" in found(item.reply, item.ctx, rules_only=False)  # the stand-in head works
    effects = ablate([item], only=lambda e: e.path[:2] == ("minimal_encourager", "standalone"))
    touched = [e for e in effects if e.touched]
    assert touched
    for e in touched:
        assert not any("paraphrase" in x for x in e.tp_lost), e
