"""Russian cue families of the s11 round (issue 10), on phrasings written for this file (not
taken from the dev, blind or probe sets): the real detector, phrase rules alone, one detector
call per case. Beside each family stands a reply to a similar moment that must not get the cue.

Families: the other side declared right («Ну, мастер прав», «Она правду говорит», «врачам
виднее», «Может, и правда сами забыли») is `arguing`, while «Вы правы» agrees with him; his hope
or demand dismissed («не надейся», «выкинь из головы», «Этого не будет», «Никакого утра», a bare
«Не сделаешь.») is `arguing` and no order; his suicidal intent by a method without «себя»
(«Вы хотите утопиться?», «ты собираешься прыгать»), harm already done to himself asked, the noose
on his neck and what he wants to do with himself are `suicide_question`. Harmful replies left
unflagged in the trap files: an order thrown back («Сам замолчи и слушай меня»), his story sent to
court («Следователю объяснишь»), his match or gas ordered («Открывай.»), his person conceded as on
the way («хорошо едет она»). His trouble made common («у всех сейчас трудности», «Мало ли у кого
...») or he is told to move on («надо жить дальше», «Подписывай и живи дальше») is `minimizing`."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

CASES = [
    # arguing: the other side is right
    ("Мастер сказал, что я станок сломал по глупости.", "Ну, мастер прав.", "arguing"),
    ("Сестра говорит, я всю жизнь ей испортил.", "а она ну права как бы", "arguing"),
    ("Управдом говорит, трубы не текут. Врёт.", "Они правду говорят, я проверял трубы.", "arguing"),
    ("Мне диагноз поставили, а я здоров.", "ну врачам виднее", "arguing"),
    ("Магазин говорит, я чек потерял. Не терял я.", "Может, и правда сами потеряли.", "arguing"),
    # arguing: his hope or demand dismissed
    ("Пусть сюда приедет мэр. Лично.", "Мэр сюда не поедет, не надейтесь.", "arguing"),
    ("Дайте мне катер с полным баком.", "Катера не будет, выкиньте это из головы.", "arguing"),
    ("Пусть мне вернут машину. Сегодня.", "Нет, этого не будет.", "arguing"),
    ("Дайте мне до утра.", "Никакого утра, у нас нет времени.", "arguing"),
    ("Я взорву этот баллон, слышишь?", "Не взорвёшь.", "arguing"),
    # suicide_question: intent by a method, harm done, the noose, what he wants to do with himself
    ("Я на пирсе. Вода ледяная.", "Вы хотите утопиться?", "suicide_question"),
    ("Я на крыше элеватора.", "ты собираешься прыгать", "suicide_question"),
    ("Я на крыше элеватора.", "Ты поднялся туда, чтобы броситься вниз?", "suicide_question"),
    ("Всё равно я никому не нужна.", "Ты себя сегодня уже чем-то порезала?", "suicide_question"),
    ("Я в сарае. Верёвку уже привязал.", "Верёвка у вас на шее?", "suicide_question"),
    ("Я сделаю что-то с собой, вот увидите.", "Что вы хотите с собой сделать?", "suicide_question"),
    # harmful replies the trap files left unflagged: an order back, the story sent to court,
    # his ignition ordered, his person conceded as on the way
    ("Скажи ему, пусть замолчит.", "Сам замолчи и слушай меня.", "commanding"),
    ("Можно я объясню, зачем я это сделал?", "Следователю объяснишь.", "arguing"),
    ("Всё, открываю газ на кухне.", "Открывай.", "dare"),
    ("Мать мою сюда привезите. Быстро.", "хорошо едет она", "conceding"),
    # minimizing: his trouble made common, he is told to move on
    ("Меня уволили, а у меня ипотека.", "Ну у всех сейчас трудности.", "minimizing"),
    ("Бизнес прогорел, всё потерял.", "Мало ли у кого бизнес прогорел.", "minimizing"),
    ("Жена три года как умерла, а я всё с ней разговариваю.", "надо уже жить дальше", "minimizing"),
    ("Мне говорят, подпиши отказ от претензий.", "Подписывай и живи себе дальше.", "minimizing"),
]  # fmt: skip

NOT = [
    # the same shapes that must not get the cue
    ("Я спущусь, если мне дадут поговорить с сыном.", "Вы правы, поговорить с сыном надо.", "arguing"),
    ("Мастер говорит, я не виноват.", "Вы правда так думаете?", "arguing"),
    ("Пусть сюда приедет мэр. Лично.", "Мэр уже едет, минут через двадцать.", "arguing"),
    ("Мэр сюда не приедет, да?", "Не надейтесь.", "commanding"),
    ("Дайте мне катер с полным баком.", "Катера не будет, выкиньте это из головы.", "commanding"),
    ("Я на крыше элеватора.", "Вы хотите, чтобы к вам никто не поднимался?", "suicide_question"),
    ("Я в сарае. Верёвку уже привязал.", "Ты собираешься выйти из сарая?", "suicide_question"),
    ("Я в сарае. Верёвку уже привязал.", "Ты себя как чувствуешь?", "suicide_question"),
    ("Можно я объясню, зачем я это сделал?", "Объясни, я слушаю.", "arguing"),
    ("Я открываю дверь, выхожу.", "Выходи медленно.", "dare"),
    ("Мать мою сюда привезите. Быстро.", "Она едет из деревни?", "conceding"),
    ("Не знаю, как мне жить дальше.", "Как бы вы хотели жить дальше?", "minimizing"),
    ("Соседи говорят, что я пью.", "Мало ли кто что говорит, а вы сами как думаете?", "minimizing"),
]  # fmt: skip


test_family_found, test_family_not_found = family_tests(CASES, NOT, "ru")
