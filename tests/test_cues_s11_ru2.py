"""Russian cue families of the s11-ru2 round (issue 10), on phrasings written for this file
(not taken from the dev, blind or probe sets): the real detector, phrase rules alone, one
detector call per case. Beside each family stands a reply to a similar moment that must not get
the cue.

Families: «насколько мне известно» is a hedge, not an open question; his own words picked up and
then a question word («Вы говорили про отца, как он?») is an open question, not a closed one; the
method asked after he has said his intent («Вы уже думали, как именно это сделаете?») is a
`suicide_question`; his act and a verbless consequence («Полезешь, и мы сразу наверх») and
special forces «не просто так» are `threat`; a named place nobody will come to («К гаражу никто
не подойдёт») is `promise`, while «Успокойтесь, и мы всё решим» is `calm_down` only; what his
people will say when they see it («А что отец скажет, когда узнает?») and «посмотри, до чего ты
докатился», his act called crazy («это и правда по-психовски») and «только о себе думаешь» are
`blaming`, while his wish that another see what he did («Вы хотите, чтобы мастер
увидел, что натворил») is no blame."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

CASES = [
    # threat: his act, then where we go at once; the force «не просто так»
    ("Ещё шаг к крыльцу, и я бросаю бутылку.", "Бросишь, и мы сразу внутрь.", "threat"),
    ("Пусть мне машину подгонят, или я трансформатор подожгу.", "ну подожжёшь и ребята тут же к тебе", "threat"),
    ("Кто там у забора стоит?", "Там ОМОН, и он не просто так приехал.", "threat"),
    # promise: a named place nobody will come to
    ("Если кто подойдёт к гаражу, я его взорву.", "К гаражу никто не подойдёт.", "promise"),
    ("Вы через крышу полезете, я знаю.", "на крышу никто не полезет", "promise"),
    # suicide_question: the method, after his intent
    ("Я решила уже. Так всем будет легче.", "Вы уже думали, как именно это сделаете?", "suicide_question"),
    ("Недолго мне осталось, сам знаю когда.", "ты уже решил как это сделаешь", "suicide_question"),
    # open_question: his words picked up, then a question word
    ("Отец тоже так говорил. Давно.", "Вы говорили про отца, как он сейчас?", "open_question"),
    ("А дочка вообще не звонит.", "Ты упомянул дочку, где она живёт?", "open_question"),
    # blaming: what his people will say when they see it; look what you've come to
    ("Пусть весь посёлок смотрит.", "А что отец скажет, когда узнает?", "blaming"),
    ("Пусть весь посёлок смотрит.", "ну а что дети подумают когда это увидят", "blaming"),
    ("Никому я не нужен.", "Посмотри, до чего ты докатился.", "blaming"),
    # blaming: his act judged crazy; only thinks of himself, the verb after
    ("Меня в посёлке психом зовут.", "Ну, на трубу залезть, это и правда по-психовски.", "blaming"),
    ("Пусть бывшая знает, каково мне.", "Эгоист, только о себе думаешь.", "blaming"),
]  # fmt: skip

NOT = [
    # the same shapes that must not get the cue
    ("В депо кто-нибудь остался?", "ну насколько мне известно никого", "open_question"),
    ("Мне совсем плохо.", "Насколько вам плохо?", "closed_question"),
    ("Отец тоже так говорил. Давно.", "Вы говорили про отца, он жив?", "open_question"),
    ("Я всё продумал насчёт работы.", "Вы уже думали, что скажете начальнику?", "suicide_question"),
    ("Машина скорой зачем приехала?", "Скорая тут на всякий случай.", "threat"),
    ("В гараж кто-нибудь заходил?", "В гараж никто не заходил, я смотрел.", "promise"),
    ("Меня трясёт, я ничего не соображаю.", "Успокойся, и мы всё обсудим.", "promise"),
    ("Мама мне вчера звонила.", "Что мама сказала, когда вы говорили?", "blaming"),
    ("Пусть мастер увидит, что он сделал.", "Вы хотите, чтобы мастер увидел, что натворил.", "blaming"),
    ("Говорят, я веду себя по-детски.", "Вам обидно, что вас считают ребёнком.", "blaming"),
]  # fmt: skip


test_family_found, test_family_not_found = family_tests(CASES, NOT, "ru")
