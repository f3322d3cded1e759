"""Russian cue families of the s13 round (issue 10), on phrasings written for this file (not
taken from the dev, blind or probe sets): the real detector, phrase rules alone, one detector
call per case. Beside each family stands a reply to a similar moment that must not get the cue.

Families: a feeling that takes «что» (fear included, «Вы чувствуете, что ...», a filler before
«что») is a label and a paraphrase (blind11's convention), a bare feeling is a label only;
«Вы не хотите ...» said back is a paraphrase; his story told back in the third person
(«Склад сгорел, а вину свалили на электрика») is a paraphrase when close to his line, an
answer to his question is not; agreement with his demand and an outcome in the third-person
future («Хорошо, бригадира отстранят») is also a promise, an honest stall is not; an outcome of
his demand that others carry out, vouched for («Склад откроют утром, даю слово»), is also
conceding; a demand refused impersonally («Никто ничего сносить не будет», «Сегодня никакого
концерта не будет»), «ерунду не говорите», the other side excused («Её тоже можно понять»),
«да что вы» with fillers are `arguing`; «Прекратите тянуть время» is an order; «Подло так
думать» is `blaming`; «Жизнь продолжается», «у вас ещё будут дети» are `minimizing`."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

CASES = [
    # feeling + clause: label and paraphrase
    ("Если полезете через окно, я его скину.", "Вы боитесь, что к вам залезут через окно.", "paraphrase"),
    ("Меня выгонят с квартиры? Скажите прямо.", "вам страшно ну как бы что вас выселят", "paraphrase"),
    ("Брат даже на суд не пришёл.", "Вы чувствуете, что брат вас бросил.", "paraphrase"),
    ("Брат даже на суд не пришёл.", "Вы чувствуете, что брат вас бросил.", "emotional_label"),
    ("Бухгалтер всем сказала, что это я деньги взяла.", "вам обидно э-э что вас оговорили", "paraphrase"),
    # his unwillingness said back
    ("Матери не звоните. Не надо ей знать.", "Вы не хотите её впутывать.", "paraphrase"),
    # his story in the third person
    (
        "Склад сгорел, а хозяин говорит, что это я проводку испортил. Я электрик тридцать лет.",
        "Склад сгорел, а вину свалили на электрика с тридцатилетним стажем.",
        "paraphrase",
    ),
    # agreement + third-person outcome: promise as well
    ("Пусть бригадира отстранят, тогда поговорим.", "Хорошо, бригадира отстранят.", "promise"),
    ("Верните мне документы, тогда отпущу.", "Ладно, документы вернут.", "promise"),
    ("Пусть бригадира отстранят, тогда поговорим.", "Хорошо, бригадира отстранят.", "conceding"),
    # pledge + outcome of his demand: conceding as well
    ("Хочу, чтобы склад открыли. Там мои вещи.", "Склад откроют утром, даю слово.", "conceding"),
    ("Хочу, чтобы сад не трогали. Бумагу дайте.", "Сад никто не тронет, обещаю.", "conceding"),
    # refusals and reassurances that argue
    ("Пусть дом не сносят. Сегодня же решение.", "Никто ничего отменять не будет.", "arguing"),
    ("Хочу концерт сегодня. Последний.", "Сегодня никакого концерта не будет.", "arguing"),
    ("Мастер кричит, что у него дети. А у меня их нет?", "Мастера тоже можно понять.", "arguing"),
    ("Я такой позор не переживу.", "Прекратите, ерунду не говорите.", "arguing"),
    ("Сестра меня давно знать не хочет.", "да что ну вы сестра вас любит", "arguing"),
    # harmful forms
    ("Можно я расскажу, как всё началось?", "Прекратите тянуть время.", "commanding"),
    ("Без меня им спокойнее будет.", "Подло так думать.", "blaming"),
    ("Мой сын погиб. Ты не знаешь, что это.", "Жизнь продолжается.", "minimizing"),
    ("Мой сын погиб. Ты не знаешь, что это.", "Вы молодые, у вас ещё будут дети.", "minimizing"),
]

NOT = [
    # a bare feeling restates nothing
    ("Я не могу больше. Руки трясутся.", "Вы очень устали.", "paraphrase"),
    ("Вы все ждёте, когда меня скрутить.", "Вы злитесь на нас.", "paraphrase"),
    # an answer to his question is no restatement
    ("Вы меня записываете?", "Да, разговор записывается.", "paraphrase"),
    # an honest stall and an agreed amount are no promise
    ("Пусть приедет мой брат, с ним буду говорить.", "Хорошо, я спрошу, можно ли его привезти.", "promise"),
    ("Сто тысяч. До семи.", "Сто тысяч к семи, хорошо.", "promise"),
    # a pledge about what he fears is no concession
    ("Не смейте никого присылать через крышу.", "Через крышу никто не пойдёт, обещаю.", "conceding"),
    # his feeling accepted is no arguing; a promise with «обещаю» is no refusal
    ("Вы все против меня.", "Вы злитесь, и это можно понять.", "arguing"),
    ("Пусть дом не сносят.", "Нет, никто ничего сносить не будет, обещаю.", "arguing"),
    ("Сегодня никакого концерта не будет?", "Сегодня никакого концерта не будет.", "promise"),
    # «хватит ныть» belittles, not orders; an order is no blaming
    ("Мне плохо, я больше не могу.", "Хватит ныть.", "commanding"),
    ("Я всё равно прыгну.", "Подойдите к перилам и держитесь.", "blaming"),
    # hope offered for him is no minimizing of a loss
    ("Мне страшно, что всё кончено.", "Вы живы, и мы с вами говорим.", "minimizing"),
]

test_family_found, test_family_not_found = family_tests(CASES, NOT, "ru")
