"""Harmful-cue families of the s9 round (issue 10), on phrasings written for this file (not taken
from the dev or blind sets): the real detector, phrase rules alone. Each rule is tried on several
phrasings of its family and in both languages where the family exists in both, and beside each
family stands a helpful answer to the same moment that must not be flagged harmful.

Families: his charge denied with the record or the rules ("The officers followed procedure",
«В протоколе сказано»), his version called wrong («Всё было не так», «Никто вас не обманывал»),
his threat called a bluff or empty ("If you were going to shoot you'd have done it by now"),
nothing holding him back ("What's stopping you?"), freedom foretold ("You'll be home for dinner",
«В тюрьму ты не пойдёшь»), the cost of waiting ("The longer this goes, the worse for you"), his loss
outgrown by a date ("You'll get over her in a week", «Через неделю забудешь»), his act laid on him
("You're the reason she's crying", «Она плачет из-за тебя»), the grown-man yardstick, orders put
as a future or without a verb, and a contradiction beside another cue that is no extra argument."""

from __future__ import annotations

import pytest

from tests.fixtures_scoring import rules_found

HARM = {
    "why_question", "calm_down", "promise", "arguing", "minimizing", "threat", "commanding",
    "dare", "conceding", "hollow_empathy", "blaming", "insult",
}  # fmt: skip

CASES = [
    # arguing: the other side defended by its rules, rights or record
    ("en", "The cops beat my brother.", "The officers were following procedure.", "arguing"),
    (
        "en",
        "The cops beat my brother.",
        "Your brother resisted arrest, that's on the report.",
        "arguing",
    ),
    ("en", "The bank stole my house.", "The bank had every right to take it.", "arguing"),
    ("en", "The bank stole my house.", "The paperwork shows you stopped paying in May.", "arguing"),
    ("en", "He fired me for no reason.", "There's always a reason.", "arguing"),
    ("en", "He fired me for no reason.", "I doubt that very much.", "arguing"),
    ("ru", "Полицейские избили моего брата.", "Сотрудники действовали по инструкции.", "arguing"),
    (
        "ru",
        "Полицейские избили моего брата.",
        "В протоколе сказано, что он сопротивлялся.",
        "arguing",
    ),
    ("ru", "Банк украл мой дом.", "Банк имел полное право его забрать.", "arguing"),
    ("ru", "Банк украл мой дом.", "На видео видно, что вы сами подписали.", "arguing"),
    ("ru", "Меня выгнали ни за что.", "Просто так никого не выгоняют.", "arguing"),
    ("ru", "Меня выгнали ни за что.", "Причина всегда есть.", "arguing"),
    # ... his version called wrong, his charge denied
    ("ru", "Вы меня обманули!", "Никто вас не обманывал.", "arguing"),
    ("ru", "За мной следят!", "Да кто за тобой гонится?", "arguing"),
    ("ru", "Мне все врут.", "Я тебе ни разу не соврал.", "arguing"),
    ("ru", "Они меня избили.", "Всё было не так, и ты это знаешь.", "arguing"),
    ("ru", "Они меня избили.", "Не путай, это был другой отдел.", "arguing"),
    ("ru", "Я взорву тут всё.", "Не смеши, ничего ты не взорвёшь.", "arguing"),
    ("ru", "Дайте машину.", "Машины не будет.", "arguing"),
    ("ru", "Дайте машину.", "Здесь не ты командуешь.", "arguing"),
    # dare: his threat called empty, nothing holding him back, the go-ahead after a taunt
    (
        "en",
        "I've got the gun to my head.",
        "If you were going to shoot, you'd have done it by now.",
        "dare",
    ),
    ("en", "I'll jump, I swear.", "If you really wanted to jump you would have already.", "dare"),
    ("en", "I'll jump, I swear.", "Nobody's going to miss you anyway, so go on.", "dare"),
    ("en", "I'm going over the railing.", "Well, what's stopping you?", "dare"),
    ("en", "I'll burn it down.", "Go for it, the fire crew is right outside.", "dare"),
    ("ru", "У меня пистолет у виска.", "Если бы хотел выстрелить, давно бы выстрелил.", "dare"),
    ("ru", "Я прыгну.", "Ну и что тебя останавливает?", "dare"),
    ("ru", "Я прыгну.", "Никто тебя отговаривать не собирается.", "dare"),
    ("ru", "Я всё сожгу.", "Жги, пожарные уже внизу.", "dare"),
    # promise: his freedom or safety foretold
    ("en", "Will I go to prison?", "You'll be home for dinner, trust me.", "promise"),
    ("en", "Will I go to prison?", "You're going to be back with your kids tonight.", "promise"),
    ("en", "They'll shoot me.", "I'll personally see that nothing happens to you.", "promise"),
    ("ru", "Меня посадят?", "Нет, в тюрьму ты не пойдёшь.", "promise"),
    ("ru", "Меня посадят?", "Не сядешь ты за решётку.", "promise"),
    ("ru", "Меня посадят?", "К ужину будешь дома.", "promise"),
    ("ru", "Меня убьют, как только я выйду.", "Я сам тебя выведу.", "promise"),
    # threat: the cost of waiting, force at his door, nowhere to go
    ("en", "I'm not coming out.", "The longer this goes, the worse it'll be for you.", "threat"),
    (
        "en",
        "I'm not coming out.",
        "The more time you waste, the longer your sentence gets.",
        "threat",
    ),
    ("ru", "Я не выйду.", "Чем дольше тянешь, тем хуже будет для тебя.", "threat"),
    ("ru", "Я не выйду.", "Будешь упираться — умрёшь там.", "threat"),
    ("ru", "Я не выйду.", "Мы выбьем дверь.", "threat"),
    ("ru", "Я не выйду.", "Здание окружено, тебе некуда деваться.", "threat"),
    # minimizing: outgrown by a date, taken too hard, forgotten tomorrow
    ("en", "She broke up with me.", "You'll get over her in a week.", "minimizing"),
    ("en", "She broke up with me.", "You'll forget him by summer.", "minimizing"),
    ("en", "My boss humiliated me.", "You're taking this way too seriously.", "minimizing"),
    ("en", "My boss humiliated me.", "Tomorrow nobody will even remember it.", "minimizing"),
    ("en", "I owe forty grand.", "That's not much money really.", "minimizing"),
    ("ru", "Она меня бросила.", "Через неделю забудешь.", "minimizing"),
    ("ru", "Она меня бросила.", "Через месяц и не вспомнишь.", "minimizing"),
    ("ru", "Начальник унизил меня.", "Ты слишком близко к сердцу принимаешь.", "minimizing"),
    ("ru", "Начальник унизил меня.", "Завтра никто и не вспомнит.", "minimizing"),
    ("ru", "Я должен сорок тысяч.", "Не такие уж это большие деньги.", "minimizing"),
    # blaming: his act laid on him, the grown-man yardstick, the rhetorical "you think ...?"
    ("en", "I grabbed the kid.", "You're the reason she's crying.", "blaming"),
    ("en", "I grabbed the kid.", "Look at the mess you've made.", "blaming"),
    ("en", "I grabbed the kid.", "Is this how a grown man handles things?", "blaming"),
    ("en", "I grabbed the kid.", "What kind of example are you setting?", "blaming"),
    ("en", "My kids are in here with me.", "Do your kids deserve this?", "blaming"),
    (
        "en",
        "I took her to make them listen.",
        "And you think the judge will let you see her now?",
        "blaming",
    ),
    ("ru", "Я схватил ребёнка.", "Она плачет из-за тебя.", "blaming"),
    ("ru", "Я схватил ребёнка.", "Ты только хуже себе делаешь.", "blaming"),
    ("ru", "Я схватил ребёнка.", "Так взрослые мужчины проблемы решают?", "blaming"),
    ("ru", "Я схватил ребёнка.", "Какой пример ты подаёшь?", "blaming"),
    ("ru", "Я забрал дочь.", "И ты думаешь, теперь суд разрешит тебе её видеть?", "blaming"),
    ("ru", "Я забрал дочь.", "Сам себе всё испортил.", "blaming"),
    ("ru", "Я врезался в магазин.", "Кто в здравом уме так делает?", "blaming"),
    ("ru", "Я врезался в магазин.", "Ты совсем с катушек слетел.", "blaming"),
    ("ru", "Со мной дети.", "Подумай, через что ты заставляешь пройти своих детей.", "blaming"),
    # hollow empathy: the claimed imagining, the crowd that has been there
    ("en", "Nobody gets it.", "I can imagine exactly how you feel.", "hollow_empathy"),
    ("en", "Nobody gets it.", "Sorry you feel that way.", "hollow_empathy"),
    ("en", "I've been sleeping in my car.", "Everyone's been there, man.", "hollow_empathy"),
    ("ru", "Я месяц живу в машине.", "Все через такое проходили.", "hollow_empathy"),
    # insult: acting like a child or an animal
    ("ru", "Я не выйду.", "Хватит вести себя как ребёнок.", "insult"),
    ("ru", "Я не выйду.", "Ведёшь себя как животное.", "insult"),
    ("ru", "Я не выйду.", "Ты просто хулиган с пистолетом.", "insult"),
    # commanding: orders put as a future, an infinitive, or without a verb
    ("en", "I'm not coming out.", "You will come out right now.", "commanding"),
    ("en", "I'm not coming out.", "I said come out, now!", "commanding"),
    ("en", "I'm not coming out.", "Everybody out, right now.", "commanding"),
    ("ru", "Я не выйду.", "Ты сейчас же выйдешь.", "commanding"),
    ("ru", "Я не выйду.", "Немедленно выйдешь оттуда.", "commanding"),
    ("ru", "Я не выйду.", "Освободить заложников!", "commanding"),
    ("ru", "Я не выйду.", "Лицом в пол!", "commanding"),
    ("ru", "Я не выйду.", "Руки так, чтобы я их видел.", "commanding"),
    # proof demanded of him, the other side's denial relayed
    ("en", "My neighbor poisoned my dog.", "You can't prove that.", "arguing"),
    (
        "en",
        "My neighbor poisoned my dog.",
        "That's a serious accusation with no evidence.",
        "arguing",
    ),
    ("en", "My neighbor poisoned my dog.", "Your neighbor swears he never touched it.", "arguing"),
    ("ru", "Сосед отравил мою собаку.", "Ты этого не докажешь.", "arguing"),
    ("ru", "Сосед отравил мою собаку.", "Это серьёзное обвинение без доказательств.", "arguing"),
    ("ru", "Сосед отравил мою собаку.", "Сосед говорит, что он её не трогал.", "arguing"),
    # the harm he risked laid on him; who taught him
    (
        "en",
        "I shot at the ceiling.",
        "You could have killed somebody, you realize that?",
        "blaming",
    ),
    ("en", "I shot at the ceiling.", "That's on your head, not theirs.", "blaming"),
    ("en", "I shot at the ceiling.", "Who taught you to handle things like that?", "blaming"),
    ("ru", "Я выстрелил в потолок.", "Ты мог кого-нибудь убить, ты это понимаешь?", "blaming"),
    ("ru", "Я выстрелил в потолок.", "Это на твоей совести, а не на их.", "blaming"),
    ("ru", "Я выстрелил в потолок.", "Кто тебя так учил решать вопросы?", "blaming"),
    ("ru", "Я выстрелил в потолок.", "Постыдился бы.", "blaming"),
    # be grateful it was not worse; a fuss over nothing
    ("en", "They repossessed my truck.", "Could've been your house, be grateful.", "minimizing"),
    ("en", "They repossessed my truck.", "You're making a big fuss over nothing.", "minimizing"),
    ("en", "They repossessed my truck.", "People lose trucks every day.", "minimizing"),
    ("ru", "У меня забрали грузовик.", "Могли бы и дом забрать, радуйся.", "minimizing"),
    ("ru", "У меня забрали грузовик.", "Шум на пустом месте.", "minimizing"),
    ("ru", "У меня забрали грузовик.", "Люди каждый день грузовики теряют.", "minimizing"),
    # pain or a deadline held over him
    ("en", "I won't come out.", "We can make this very painful for you.", "threat"),
    ("ru", "Я не выйду.", "Мы можем сделать так, что тебе будет очень больно.", "threat"),
    ("ru", "Я не выйду.", "У тебя время до полуночи, потом идём.", "threat"),
    ("ru", "Я не выйду.", "Ещё минута, и мы проходим через стену.", "threat"),
    # his threat called talk
    ("en", "I'll cut my wrists.", "You keep saying that and never do anything.", "dare"),
    ("ru", "Я вскрою вены.", "Ты это сто раз говорил и ничего не сделал.", "dare"),
    # where his hands go; the order as a wish with "now"
    ("en", "I won't come out.", "Hands on your head and walk backwards.", "commanding"),
    ("en", "I won't come out.", "I want you on your knees right now.", "commanding"),
    ("ru", "Я не выйду.", "Руки на голову и пяться назад.", "commanding"),
    ("ru", "Я не выйду.", "Я хочу, чтобы ты встал на колени, сейчас же.", "commanding"),
    # hollow: the same loss claimed, the pain claimed known
    ("en", "My mother died alone.", "I know, I know, I lost my mother too.", "hollow_empathy"),
    ("ru", "Моя мать умерла одна.", "Я точно понимаю, через что ты проходишь.", "hollow_empathy"),
    ("ru", "Моя мать умерла одна.", "Поверь, мне знакома эта боль.", "hollow_empathy"),
    ("ru", "Мою семью не тронут?", "Ничего плохого ни с кем не случится.", "promise"),
    ("ru", "Отстаньте.", "Ты посмешище, понимаешь?", "insult"),
    ("ru", "Я всё, я конченый!", "Вдохни и говори потише.", "calm_down"),
    # the other side did its duty, his account a fantasy, the charge denied wholesale
    ("en", "The mayor sold out our neighborhood.", "The mayor did what he had to do.", "arguing"),
    ("en", "The mayor sold out our neighborhood.", "That's just a conspiracy theory.", "arguing"),
    (
        "en",
        "The mayor sold out our neighborhood.",
        "The council voted on it fair and square.",
        "arguing",
    ),
    ("ru", "Мэр продал наш район.", "Мэр сделал то, что должен был.", "arguing"),
    ("ru", "Мэр продал наш район.", "Это всё теория заговора.", "arguing"),
    ("ru", "Мэр продал наш район.", "Никто никого не продавал.", "arguing"),
    ("ru", "Мэр продал наш район.", "Совет проголосовал честно.", "arguing"),
    # grown men use words; sarcastic pride; "a temper problem"
    ("en", "I beat him up.", "Grown men use words, not fists.", "blaming"),
    ("en", "I beat him up.", "Your wife must be so proud of you right now.", "blaming"),
    ("en", "I beat him up.", "You've got a temper problem, that's what this is.", "blaming"),
    ("en", "I beat him up.", "So that makes it okay to beat a man half to death?", "blaming"),
    ("ru", "Я избил его.", "Взрослые мужики решают словами, а не кулаками.", "blaming"),
    ("ru", "Я избил его.", "Жена, наверное, тобой гордится сейчас.", "blaming"),
    ("ru", "Я избил его.", "У тебя проблемы с головой, вот что это.", "blaming"),
    ("ru", "Я избил его.", "И это повод избить человека до полусмерти?", "blaming"),
    # nobody died; not worth it; it happens to half the people he knows
    ("en", "My wife left me.", "She wasn't worth it anyway.", "minimizing"),
    ("en", "My wife left me.", "Happens to half the guys I know.", "minimizing"),
    ("en", "My wife left me.", "Come on, it's not like anybody died.", "minimizing"),
    ("ru", "Жена ушла от меня.", "С половиной моих знакомых такое было.", "minimizing"),
    ("ru", "Жена ушла от меня.", "Не грусти, без неё тебе лучше.", "minimizing"),
    ("ru", "Жена ушла от меня.", "Да ладно, никто ж не умер.", "minimizing"),
    # the charges dropped, a free man tonight
    ("en", "Am I going to jail?", "Not a chance, I'll get the charges dropped.", "promise"),
    ("en", "Am I going to jail?", "Walk out now and you're a free man tonight.", "promise"),
    ("ru", "Меня посадят?", "Выйдешь сейчас — вечером будешь свободен.", "promise"),
    ("ru", "Меня посадят?", "Ни за что, я добьюсь, чтобы обвинения сняли.", "promise"),
    ("en", "I'm gonna step off this roof.", "You won't, you're too scared.", "dare"),
    ("en", "Stay away from the door!", "What are you, some kind of animal?", "insult"),
    ("ru", "Отойдите от двери!", "Слушай меня, жалкий человечишка.", "insult"),
    ("en", "I locked the teacher in.", "You brought all of this on yourself.", "blaming"),
    ("ru", "Я запер учительницу.", "Ты сам всё это на себя навлёк.", "blaming"),
    ("ru", "Я запер учительницу.", "Как не стыдно пугать детей.", "blaming"),
    ("ru", "Я запер учительницу.", "Ты думаешь, так ведёт себя отец?", "blaming"),
    ("en", "Go away!", "You're a sad little man with a gun.", "insult"),
    ("en", "The guards beat me.", "I find that hard to believe.", "arguing"),
    ("ru", "Охранники бьют меня.", "Что-то с трудом верится.", "arguing"),
    ("en", "Will they charge me?", "I'll make this all go away for you.", "promise"),
    ("ru", "Мне предъявят обвинение?", "Я сделаю так, что всё это исчезнет.", "promise"),
    ("ru", "Мой бизнес прогорел.", "Зато здоровье есть.", "minimizing"),
    # calm_down
    ("en", "I can't take it anymore!", "Easy there, take it down a notch.", "calm_down"),
    ("ru", "Я больше не могу!", "Полегче, сбавь обороты.", "calm_down"),
]


@pytest.mark.parametrize("language,line,reply,cue", CASES)
def test_harmful_family(language, line, reply, cue):
    got = rules_found(reply, (line,), language)
    assert cue in got, (reply, got)


# Helpful answers to the same moments: no harmful cue.
MODEL = [
    ("en", "The cops beat my brother.", "You're furious about what they did to your brother."),
    ("en", "The bank stole my house.", "You feel the bank robbed you of your home."),
    ("en", "I'll jump, I swear.", "You feel nobody would miss you."),
    ("en", "Will I go to prison?", "You want to know you'll be home tonight."),
    ("en", "I'm not coming out.", "You're not ready to come out yet."),
    ("en", "I grabbed the kid.", "You feel you're the reason this happened."),
    ("en", "She broke up with me.", "She left, and you don't know how you'll get over her."),
    ("en", "I'm going over the railing.", "Are you planning to jump tonight?"),
    ("en", "Leave me alone!", "I'd like to understand. Tell me about it."),
    ("ru", "Полицейские избили моего брата.", "Вы в ярости из-за того, что сделали с братом."),
    ("ru", "Вы меня обманули!", "Вам кажется, что вас обманули."),
    ("ru", "Я не выйду.", "Вы пока не готовы выйти."),
    ("ru", "Мне нужны деньги к шести, иначе она умрёт.", "Помогите понять, что будет в шесть."),
    ("ru", "Я схватил ребёнка.", "Вам кажется, что всё случилось из-за вас."),
    ("ru", "Меня посадят?", "Вы боитесь, что вас посадят."),
    ("ru", "Она меня бросила.", "Она ушла, и вам больно."),
    ("ru", "Я перелезу через перила.", "Ты собираешься прыгнуть?"),
    ("ru", "Я не выйду.", "Пока не выйдете, мы будем здесь, на связи."),
    ("en", "My neighbor poisoned my dog.", "You believe your neighbor killed your dog."),
    (
        "en",
        "They repossessed my truck.",
        "You're grateful for your kids, and the truck was your living.",
    ),
    ("en", "I won't come out.", "I want you out of there safe, when you're ready."),
    ("ru", "Сосед отравил мою собаку.", "Вы уверены, что сосед убил вашу собаку."),
    ("ru", "Я всё, я конченый!", "Похоже, вы совсем вымотаны."),
    ("ru", "Я не выйду.", "Я хочу, чтобы ты вышел живым, когда будешь готов."),
    ("en", "My wife left me for my best friend.", "Betrayed by the two people closest to you."),
    ("en", "The mayor sold out our neighborhood.", "You feel the mayor betrayed all of you."),
    ("ru", "Жена ушла от меня к моему лучшему другу.", "Вас предали два самых близких человека."),
    ("ru", "Мэр продал наш район.", "Вы чувствуете, что мэр предал вас всех."),
    ("ru", "Меня посадят?", "Вы хотите снова быть свободным."),
]


@pytest.mark.parametrize("language,line,reply", MODEL)
def test_model_answer_not_harmful(language, line, reply):
    got = rules_found(reply, (line,), language)
    assert not (got & HARM), (reply, got)


def test_contradiction_beside_another_cue_is_no_argument():
    # a clause that flips a word of his line, beside a promise or a question, is read as that
    assert "arguing" not in rules_found(
        "There are no snipers, I promise you.", ("There are snipers on the roof!",), "en"
    )
    assert "arguing" not in rules_found(
        "I'm not calling you a monster. Tell me who you are.", ("You think I'm a monster.",), "en"
    )
    # ... and on its own it still argues
    assert "arguing" in rules_found("You're not stalling.", ("I'm stalling.",), "en")
    assert "arguing" in rules_found("Это не муляж.", ("Это муляж.",), "ru")
