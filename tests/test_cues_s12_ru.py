"""Russian cue families of the s12 round (issue 10), on phrasings written for this file (not
taken from the dev, blind or probe sets): the real detector, phrase rules alone, one detector
call per case. Beside each family stands a reply to a similar moment that must not get the cue.

Families: an order that is a threat's condition («Только дёрни рычаг — и тебе конец», «Ударь его,
и живым отсюда не выйдешь», «только шагни и тебя вынесут вперёд ногами», «Только попробуй,
пожалеешь») is `threat` and no order, while «Отпусти его, или мы заходим» stays an order; a
permission after «хорошо» («Хорошо, звоните ей», «Ладно, курите») is no order; a disarming order
after «ну» / «давай» («ну опусти топор», «Давай, брось нож») is `commanding`, not `dare`, and
«Ну давай, бей» after his threat to strike is `dare`; «Держитесь за трос» is an order, not
support; the thing first and the order after («Топор положи», «Шланг брось») is `commanding`;
his loss called «просто X» («Это же просто велосипед») is `minimizing`, but not «Это просто
вопрос»; «хамло», «эгоистка», «ведёшь себя как собака» are `insult` («вы же не преступник» is not).
Missing someone named («Вам его так не хватает», not «не хватает денег») is `emotional_label`;
«Сами должны были проверить», «Вашему сыну место в колонии», «Вас ничего не оправдывает» are
`blaming`."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

CASES = [
    # threat: the order is the condition, the worst follows
    ("Я дёрну рычаг, и конвейер пойдёт.", "Только дёрни рычаг — и тебе конец.", "threat"),
    ("Я ударю его, мне уже всё равно.", "Ударь его, и живым отсюда не выйдешь.", "threat"),
    ("Ещё шаг, и я столкну его в яму.", "только шагни и тебя вынесут вперед ногами", "threat"),
    ("Я сейчас кирпич в окно брошу.", "Только попробуй, пожалеешь.", "threat"),
    # dare after his threat to strike
    ("Я его ударю лопатой, клянусь!", "Ну давай, бей.", "dare"),
    # commanding: disarming order after ну / давай, держись за, the thing first
    ("Я ему этой монтировкой голову проломлю.", "ну опусти монтировку и отойди", "commanding"),
    ("У меня нож, я его порежу!", "Давай, брось нож.", "commanding"),
    ("Меня качает, тут высоко.", "Держитесь за трос обеими руками.", "commanding"),
    ("Не подходи, у меня топор.", "Топор положи.", "commanding"),
    ("У меня шланг с кислотой, не подходите.", "Шланг брось на землю.", "commanding"),
    ("Я отсюда не выйду, хоть до утра.", "Выходи сейчас, или мы заходим.", "commanding"),
    # minimizing: his loss called «просто X»
    ("Меня обокрали, я на нём на работу ездил.", "Это же просто велосипед.", "minimizing"),
    ("Собаку мою усыпили без меня.", "это просто ну старая собака", "minimizing"),
    # insult
    ("Мне плевать, что вы там думаете.", "Следи за словами, хамло.", "insult"),
    ("Дети без меня проживут.", "Эгоистка ты, вот и всё.", "insult"),
    ("Я буду выть тут, пока не приедут!", "Ведёшь себя как собака.", "insult"),
    # emotional_label: missing someone named
    ("Отец ушёл, когда мне было десять.", "Вам его так не хватает.", "emotional_label"),
    ("Подруга переехала, я тут одна.", "тебе не хватает подруги", "emotional_label"),
    # blaming: «сами должны были», his place is prison, nothing excuses him
    ("Диспетчер говорит, это водитель виноват.", "Сами должны были проверить машину.", "blaming"),
    ("Пусть сына выпустят из колонии.", "Вашему сыну место в колонии.", "blaming"),
    ("Можно я объясню, почему я их запер?", "Вас ничего не оправдывает.", "blaming"),
]

NOT = [
    # an order, not a condition
    ("Я дёрну рычаг, и конвейер пойдёт.", "Только не трогай рычаг.", "threat"),
    ("Голова кружится, я сейчас упаду.", "Отойди от края и сядь.", "threat"),
    # conditions without an order
    ("Я дёрну рычаг, и конвейер пойдёт.", "Только дёрни рычаг — и тебе конец.", "commanding"),
    ("Я сейчас кирпич в окно брошу.", "Только попробуй, пожалеешь.", "commanding"),
    # permission, not an order
    ("Можно мне сестре позвонить?", "Хорошо, звоните сестре.", "commanding"),
    ("Можно я закурю?", "Ладно, курите.", "commanding"),
    # invitation after «давай»
    ("Можно я скажу, что было?", "Давай, рассказывай.", "dare"),
    ("Я его ударю лопатой, клянусь!", "Давай, отпусти его.", "dare"),
    # past plural, not an order; support, not an order
    ("Землю нашу забрали.", "Трактора пришли, а вас никто не спросил.", "commanding"),
    ("Мне страшно, я не справлюсь.", "Держитесь, я рядом.", "commanding"),
    # his own question and the negotiator's words are no trifle
    ("Зачем вы это спрашиваете?", "Это просто вопрос, можно не отвечать.", "minimizing"),
    ("Кто вы такой?", "Это просто я, Марат, переговорщик.", "minimizing"),
    ("У меня собака в машине осталась.", "Собака в машине одна?", "insult"),
    ("Я боюсь, что меня посадят.", "Вам не место в тюрьме, вы же не преступник.", "insult"),
    ("Кто мне вообще помочь должен был?", "Кто должен был вам помочь?", "blaming"),
    (
        "Зарплату урезали, за квартиру платить нечем.",
        "Вам не хватает денег на квартиру.",
        "emotional_label",
    ),
]

test_family_found, test_family_not_found = family_tests(CASES, NOT, "ru")
