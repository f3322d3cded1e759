"""Helpful-cue rules of the s9 round (issue 10), on phrasings written for this file (not taken
from the dev sets), through the real detector, rules alone: the spoken Russian hedge «как бы»
is no question word; I-messages name what worries the speaker, whatever names the thing;
the speaker's wish to understand him is an I-message in Russian, not an open question; a
bare «рассказывай, я слушаю» encourages; a physical «ранен» names no feeling."""

from __future__ import annotations

import pytest

from tests.fixtures_scoring import rules_found

found = rules_found  # the rules alone

HE_RU = ("Я открыл затвор на плотине. Если бригаду не вернут, открою полностью.",)
HE_EN = ("I've got the gun right here and nobody's coming in.",)

CASES = [
    # «как бы» in an unpunctuated reply hedges: the sentence is what follows it
    ("ru", ("Я устала от всего.",), "как бы вам страшно и обидно", {"emotional_label"}, {"open_question"}),
    ("ru", ("Хватит мне вопросы задавать.",), "ну как бы вы устали от вопросов", set(), {"open_question"}),
    ("ru", ("Меня держат на посту третьи сутки.",), "как бы есть ли у вас документы на груз", {"closed_question"}, {"open_question"}),
    ("ru", ("Я не слезу.",), "как бы да он просто занят", set(), {"open_question"}),
    ("ru", ("Я всё решил.",), "ну как бы что для вас сейчас важнее всего", {"open_question"}, set()),
    ("ru", ("Я видел, как всё было.",), "ну как бы расскажите что вы видели", {"open_question"}, set()),
    ("ru", ("Я видел, как всё было.",), "ну как бы а кто ещё там был", {"open_question"}, set()),
    # ... while «как бы» before a "?" still asks how
    ("ru", ("Я не знаю, что делать.",), "Как бы вы поступили на моём месте?", {"open_question"}, set()),
    ("ru", ("Я не знаю, что делать.",), "А как бы это выглядело, если бы мы не спешили?", {"open_question"}, set()),
    # the speaker's own worry about a concrete thing, whatever names it
    ("ru", HE_RU, "Ваше молчание меня пугает.", {"i_message"}, set()),
    ("ru", HE_RU, "Эта тишина меня тревожит.", {"i_message"}, set()),
    ("ru", HE_RU, "как бы меня беспокоит как быстро прибывает вода", {"i_message"}, {"open_question"}),
    ("ru", HE_RU, "Мне не по себе, когда ты замолкаешь.", {"i_message"}, set()),
    ("ru", HE_RU, "Мне не нравится, что люди внизу ничего не знают.", {"i_message"}, set()),
    ("ru", HE_RU, "У меня сердце сжимается, когда я думаю об ауле.", {"i_message"}, set()),
    ("ru", HE_RU, "Я не хочу, чтобы кто-то внизу пострадал.", {"i_message"}, set()),
    # ... not his fear, not a denied one
    ("ru", HE_RU, "Меня не пугают твои угрозы.", set(), {"i_message"}),
    ("ru", HE_RU, "Вас это пугает?", set(), {"i_message"}),
    # the speaker's wish to understand him: an I-message, not an open question
    ("ru", HE_RU, "Мне хочется понять, что случилось с бригадой.", {"i_message"}, {"open_question"}),
    ("ru", HE_RU, "Я хочу понять, через что вы прошли.", {"i_message"}, {"open_question"}),
    ("ru", HE_RU, "Расскажите, что случилось с бригадой.", {"open_question"}, set()),
    # a bare "tell me, I'm listening" encourages; with a topic it invites
    ("ru", ("Можно я тебе расскажу, как всё было?",), "Рассказывай, я слушаю.", {"minimal_encourager"}, {"open_question"}),
    ("ru", ("Можно я тебе расскажу, как всё было?",), "Угу, рассказывайте.", {"minimal_encourager"}, {"open_question"}),
    ("ru", ("Можно я тебе расскажу?",), "Расскажи, как всё началось.", {"open_question"}, set()),
    # wounded in body is no feeling named: "Are you hurt?" asks yes or no
    ("ru", ("Я на них напал, они стреляли.",), "Вы ранены?", {"closed_question"}, {"emotional_label"}),
    ("ru", ("Я на них напал, они стреляли.",), "Кто-нибудь ранен?", {"closed_question"}, {"emotional_label"}),
    ("ru", ("Они меня при всех назвали вором.",), "Тебя это ранило.", {"emotional_label"}, set()),
    # spoken Russian questions without "?": a question word after a preposition or after the
    # subject, «это самое» hedging, a request to tell anywhere in the run
    ("ru", ("Отдайте мне сына.",), "с кем ты хочешь, чтобы мы говорили", {"open_question"}, set()),
    ("ru", ("Отдайте мне сына.",), "на что ты готов его поменять", {"open_question"}, set()),
    ("ru", ("Отдайте мне сына.",), "а вы сами где сейчас находитесь", {"open_question"}, set()),
    ("ru", ("Отдайте мне сына.",), "это самое когда вы его последний раз видели", {"open_question"}, set()),
    ("ru", ("Отдайте мне сына.",), "он как раз едет к вам", set(), {"open_question"}),
    ("ru", ("Отдайте мне сына.",), "ты как всегда торопишься", set(), {"open_question"}),
    ("ru", ("Я в армии не был.",), "я тоже не был честно скажу расскажи мне как тебя призывали", {"open_question"}, set()),
    ("ru", ("Её посадили.",), "Я передам твои слова, а ты пока расскажи, за что её посадили.", {"open_question"}, set()),
    ("ru", ("Её посадили.",), "Скажи мне, что было на суде?", {"open_question"}, {"closed_question"}),
    ("ru", ("Её посадили.",), "Скажи мне, что ты не наделаешь глупостей.", set(), {"open_question"}),
    ("ru", ("Её посадили.",), "Я бы хотел услышать от тебя, как всё было.", {"open_question"}, set()),
    ("ru", ("Её посадили.",), "Хочу, чтобы ты рассказал, как её судили.", {"open_question"}, set()),
    # once he has named the means, asking about them and what is done assesses the danger:
    # a suicide question, not one more yes/no or wh-question; a why, a mirror, others' needs are not
    ("ru", ("Я выпил полпачки снотворного.",), "Остались ещё таблетки у тебя?", {"suicide_question"}, {"closed_question"}),
    ("ru", ("Я выпил полпачки снотворного.",), "ну как бы сколько там таблеток осталось", {"suicide_question"}, set()),
    ("ru", ("Я выпил полпачки снотворного.",), "Ты уже написал записку?", {"suicide_question"}, set()),
    ("ru", ("Я порезал руку бритвой.",), "Глубоко порезал?", {"suicide_question"}, set()),
    ("ru", ("Я порезал руку бритвой.",), "Кровь идёт?", {"suicide_question"}, set()),
    ("ru", ("Мама пьёт таблетки от сердца, я их взял.",), "Зачем тебе мамины таблетки?", {"why_question"}, {"suicide_question"}),
    ("ru", ("Фельдшеру нужны лекарства.",), "Можно передать таблетки через водителя?", set(), {"suicide_question"}),
    ("ru", ("Я в него стрелял, тут кровь.",), "Кровь идёт?", set(), {"suicide_question"}),
    ("en", ("I swallowed half a bottle of sleeping pills.",), "How many are left in the bottle?", {"suicide_question"}, {"open_question"}),
    ("en", ("I swallowed half a bottle of sleeping pills.",), "do you um have more pills on you", {"suicide_question"}, set()),
    ("en", ("I swallowed half a bottle of sleeping pills.",), "Have you written a note?", {"suicide_question"}, set()),
    ("en", ("I cut my wrist with a razor.",), "Is it deep?", {"suicide_question"}, set()),
    ("en", ("I cut my wrist with a razor.",), "are you bleeding a lot", {"suicide_question"}, set()),
    ("en", ("I'm on the roof.",), "are you planning to step off", {"suicide_question"}, set()),
    ("en", ("I swallowed half a bottle of sleeping pills.",), "What kind of pills?", {"open_question"}, {"suicide_question"}),
    ("en", ("I swallowed half a bottle of sleeping pills.",), "The whole bottle?", set(), {"suicide_question"}),
    ("en", ("I shot him, there's blood everywhere.",), "Are you bleeding?", set(), {"suicide_question"}),
    # that he is heard and will not be cut off encourages; "I'm here." alone does not
    ("ru", ("Ты меня вообще слушаешь?",), "Угу, слушаю внимательно.", {"minimal_encourager"}, set()),
    ("ru", ("Ты меня вообще слушаешь?",), "Говори, я тебя не перебью.", {"minimal_encourager"}, set()),
    ("ru", ("Ты меня вообще слушаешь?",), "Я вас слышу.", {"minimal_encourager"}, set()),
    ("ru", ("Ты меня вообще слушаешь?",), "Я тут и слушаю тебя.", {"minimal_encourager"}, set()),
    ("ru", ("Алло? Есть там кто?",), "Я здесь.", set(), {"minimal_encourager"}),
    ("ru", ("Ты меня вообще слушаешь?",), "Не буду перебивать, но сначала отпусти девочку.", set(), {"minimal_encourager"}),
    ("en", ("Are you even listening to me?",), "Go on, I won't interrupt.", {"minimal_encourager"}, set()),
    ("en", ("Are you even listening to me?",), "I'm listening, every word.", {"minimal_encourager"}, set()),
    ("en", ("Are you even listening to me?",), "Right, I follow you.", {"minimal_encourager"}, set()),
    ("en", ("Are you even listening to me?",), "I'm not going to interrupt you, but put the gun down first.", set(), {"minimal_encourager"}),
    # English: what a concrete thing does to the speaker
    ("en", HE_EN, "The silence worries me.", {"i_message"}, set()),
    ("en", HE_EN, "Your silence scares me a little.", {"i_message"}, set()),
    ("en", HE_EN, "The gun on the table makes me nervous.", {"i_message"}, set()),
    ("en", HE_EN, "That rifle being loaded really bothers me.", {"i_message"}, set()),
    # what matters to the speaker, his worry named as such
    ("en", HE_EN, "It's important to me that everybody gets out okay.", {"i_message"}, set()),
    ("en", HE_EN, "It matters to me that you walk out of there.", {"i_message"}, set()),
    ("en", HE_EN, "For me, the most important thing is that nobody gets hurt.", {"i_message"}, set()),
    ("en", HE_EN, "My biggest worry is that someone gets hurt by accident.", {"i_message"}, set()),
    ("en", HE_EN, "What I'm afraid of is that this goes wrong in the dark.", {"i_message"}, set()),
    # his discomfort with a concrete thing, a hard thing for him to hear
    ("en", HE_EN, "I don't like hearing that the gun is in your lap.", {"i_message"}, set()),
    ("en", HE_EN, "I'm not comfortable with the kids being in that room.", {"i_message"}, set()),
    ("en", HE_EN, "I'm having a hard time hearing that.", {"i_message"}, set()),
    ("en", HE_EN, "That's hard for me to hear.", {"i_message"}, {"emotional_label"}),
    ("en", HE_EN, "I find it hard to hear you talk about dying.", {"i_message"}, set()),
    ("en", HE_EN, "I don't want anyone hurt tonight, including you.", {"i_message"}, set()),
    ("en", HE_EN, "i'm kinda freaked out by that gun", {"i_message"}, set()),
    # the speaker's own wish for him, said as a wish
    ("en", ("Nobody cares what happens to me.",), "I want you safe.", {"i_message"}, set()),
    ("en", ("Nobody cares what happens to me.",), "I'd really like you to stay on the line with me.", {"i_message"}, set()),
    ("en", ("Nobody cares what happens to me.",), "I don't want to lose you.", {"i_message"}, set()),
    ("en", ("Nobody cares what happens to me.",), "It would mean a lot to me if you stayed on the phone.", {"i_message"}, set()),
    ("en", ("Nobody cares what happens to me.",), "I'd feel awful if something happened to you.", {"i_message"}, {"emotional_label"}),
    ("en", ("Nobody cares what happens to me.",), "I want you to come out with your hands empty.", set(), {"i_message"}),
    ("en", ("Nobody cares what happens to me.",), "I just want to keep talking.", set(), {"i_message"}),
    # ... not his feeling named, nor a denied or asked one
    ("en", HE_EN, "That must be hard for you.", {"emotional_label"}, {"i_message"}),
    ("en", HE_EN, "You seem uneasy about the door.", {"emotional_label"}, {"i_message"}),
    ("en", HE_EN, "Nothing you say scares me.", set(), {"i_message"}),
    ("en", HE_EN, "That doesn't worry me.", set(), {"i_message"}),
    ("en", HE_EN, "Does the noise outside bother you?", set(), {"i_message"}),
]


@pytest.mark.parametrize("language,lines,reply,present,absent", CASES)
def test_s9_help_cases(language, lines, reply, present, absent):
    got = found(reply, lines, language)
    assert present <= got, (reply, got)
    assert not (absent & got), (reply, got)
