"""Russian cue families of the s10 round (issue 10), on phrasings written for this file (not
taken from the dev, blind or probe sets): the real detector, phrase rules alone, one detector
call per case. Beside each family stands a reply to a similar moment that must not get the cue.

Families: a direct suicide question in an unusual form (his intent by a method, «о том, чтобы»
with fillers, bleeding asked without «?», which pills and how many after he took them); his
stated intent or demand denied flat («Ничего ты не подожжёшь»); the negotiator defending or
measuring himself («Я не такой, как все»); blame by «надо было», by a counterfactual («Пил бы
меньше, не ушла бы») and by cause («из-за тебя»); a conceding order after his threat («Хочешь
прыгать — прыгай»); permission to speak that is no order («Спрашивайте.»); a deadline then force
(«Пять минут, потом заходим»); his trouble made common («ты не один такой»); an order
passed through him («Скажи ей, чтобы заткнулась»); a comparison («будто вас не будет») is no promise."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

CASES = [
    # suicide_question: his intent by a method, and the means and bleeding checked
    ("Я стою на мосту. Внизу река.", "ты думаешь ну о том чтобы броситься вниз", "suicide_question"),
    ("У меня с собой пачка таблеток от давления.", "Вы думаете проглотить их все?", "suicide_question"),
    ("Я держу бритву у руки.", "Ты собираешься порезать себя бритвой?", "suicide_question"),
    ("Я руку себе порезал. Сижу на полу.", "кровь у вас сейчас идёт", "suicide_question"),
    ("Я руку себе порезал. Сижу на полу.", "Сильно кровь идёт?", "suicide_question"),
    ("Я наглотался таблеток час назад.", "Какие это были таблетки?", "suicide_question"),
    ("Я наглотался таблеток час назад.", "Сколько было в пачке?", "suicide_question"),
    # arguing: his intent or demand denied flat; the negotiator defends or measures himself
    ("Я сожгу эту конюшню вместе с собой.", "Ничего ты не сожжёшь.", "arguing"),
    ("Я уйду через подвал, вы меня не найдёте.", "Никуда ты не уйдёшь.", "arguing"),
    ("Отдайте мне выручку, всю.", "Ни копейки ты не получишь.", "arguing"),
    ("Вы, полицейские, все одним миром мазаны.", "Я не такой, как они.", "arguing"),
    ("Ты в шахте не сидел, ничего не знаешь.", "Я и похуже видал, поверь.", "minimizing"),
    # blaming: «надо было», a counterfactual reproach, his act as the cause
    ("Меня уволили с рынка. Сказали, обвешивал.", "Надо было честно торговать.", "blaming"),
    ("Дочь со мной не разговаривает.", "ну раньше надо было о дочери думать", "blaming"),
    ("Жена меня бросила.", "Не поднимал бы руку, не бросила бы.", "blaming"),
    ("Девчонка в углу рыдает. Надоела.", "Она рыдает из-за тебя.", "blaming"),
    # dare: a conceding order after his threat
    ("Я сейчас прыгну с этого балкона.", "Хочешь прыгать — прыгай.", "dare"),
    ("Я оболью тут всё бензином.", "Обливай, если смелости хватит.", "dare"),
    ("Я разобью витрину, клянусь.", "Бей, раз тебе так хочется.", "dare"),
    # threat: a deadline, then force
    ("Дайте мне подумать до ночи.", "Пять минут у тебя, потом заходим.", "threat"),
    ("Не торопите меня.", "До рассвета, а потом ломаем дверь.", "threat"),
    # minimizing: his trouble made common, his farewell a relief
    ("Я по уши в кредитах.", "Ты не один такой.", "minimizing"),
    ("Меня сократили после пятнадцати лет.", "Все что-то теряют.", "minimizing"),
    # promise: his safety assured with a preposition, future tense
    ("Если кто сунется в подвал, я всё взорву.", "Никто к тебе в подвал не полезет.", "promise"),
    # commanding: an order passed through him to another
    ("Сторож всё время кашляет, бесит.", "Передай ему, чтоб не кашлял.", "commanding"),
    ("Я отдал соседу своё ружьё. Мне оно больше не нужно.", "Ну и хорошо, одной заботой меньше.", "minimizing"),
]  # fmt: skip

NOT = [
    # the same shapes that must not get the cue
    ("Я стою на мосту. Внизу река.", "Ты думаешь о своей матери?", "suicide_question"),
    ("Охранник упал, разбил голову.", "У охранника идёт кровь?", "suicide_question"),
    ("Мне страшно.", "Никуда вы не опоздаете, мы подождём.", "arguing"),
    ("Мне никто не позвонил.", "Мне надо было позвонить вам раньше.", "blaming"),
    ("Её родители сказали, что я им не ровня.", "Вы боитесь, что отец от вас откажется.", "blaming"),
    ("Я сейчас прыгну.", "Говори, если хочешь, я слушаю.", "dare"),
    ("Я застрелю его.", "Положи пистолет, если хочешь, чтобы мы говорили.", "dare"),
    ("Можно спросить?", "Спрашивайте.", "commanding"),
    ("Дай мне свой номер.", "Звоните в любое время, это мой номер.", "commanding"),
    ("Где мои дети?", "Не бойтесь, все живы.", "minimizing"),
    ("Там кто-то идёт к двери!", "Он стоит на месте. Никто к вам не идёт.", "promise"),
    # a comparison describes his act and promises nothing
    ("Я раздал соседям всю посуду.", "Ты прощаешься, словно тебя завтра не будет.", "promise"),
]  # fmt: skip


test_family_found, test_family_not_found = family_tests(CASES, NOT, "ru")
