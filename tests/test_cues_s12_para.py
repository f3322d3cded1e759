"""Paraphrase families of the s12-para round (issue 10), English and Russian, on phrasings
written for this file (not taken from the dev, probe or blind sets): the real detector, phrase
rules alone, one call a case.

Families: a label whose feeling takes a clause saying what happened to him ("You're angry
that ...", "You're sick of being ...", «Вам обидно, что ...») is a label and a paraphrase (the
blind8-10 convention); his doubt said back ("You're not sure ...", «Вы не уверены, что ...»)
is a paraphrase. Near misses stay label-only: a wh-clause of what he fears next, a plain
object, a clause about the negotiator, a clause that only points back ("that way", «так»)."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

FOUND_EN = [
    # a feeling + "that / because" + what happened to him
    ("The union signed the deal without asking a single driver.", "You're livid that they signed it behind your back.", "paraphrase"),
    ("The landlord changed the locks while I was at my mum's funeral.", "You're furious that he did it on the day of the funeral.", "paraphrase"),
    ("I trained that kid for two years and they gave him my job.", "You're hurt because the boy you trained got your job.", "paraphrase"),
    ("I trained that kid for two years and they gave him my job.", "You're hurt because the boy you trained got your job.", "emotional_label"),
    # ... "of / about being ...", "of people ...", "of losing ..."
    ("Every inspector who walks in here calls me a slum landlord.", "You're tired of being treated like a crook.", "paraphrase"),
    ("Everybody at the market keeps telling me to sell up.", "um youre fed up with people telling you to sell", "paraphrase"),
    ("If the clinic closes my wife loses her dialysis.", "You're scared of losing the clinic she depends on.", "paraphrase"),
    # his doubt said back
    ("Why would the mayor listen to a fisherman?", "You're wondering if anyone up there will listen.", "paraphrase"),
    ("I don't see what this phone call is for.", "You're not sure this call can change a thing.", "paraphrase"),
]  # fmt: skip

NOT_FOUND_EN = [
    # a wh-clause of what comes next, a plain object: the label alone
    ("Are they going to charge me?", "You're afraid of what happens next.", "paraphrase"),
    ("Where's my son? He was in the yard.", "You're worried about your boy.", "paraphrase"),
    # a clause about the negotiator; a clause that only points back
    ("You people never listen.", "You're angry that I'm not listening.", "paraphrase"),
    ("The lads call me a coward.", "You're upset that they see you that way.", "paraphrase"),
    # a bare distrust is a label
    ("Why should I believe a word from you?", "You don't trust me.", "paraphrase"),
]  # fmt: skip

FOUND_RU = [
    ("Профсоюз подписал договор, ни одного водителя не спросили.", "Вы злитесь, что договор подписали за вашей спиной.", "paraphrase"),
    ("Хозяин сменил замки, пока я маму хоронил.", "Вам больно, что замки сменили в день похорон.", "paraphrase"),
    ("Хозяин сменил замки, пока я маму хоронил.", "Вам больно, что замки сменили в день похорон.", "emotional_label"),
    ("Я этого парня два года учил, а место отдали ему.", "ну вам обидно что ваше место отдали ученику", "paraphrase"),
    ("Все на рынке твердят: продавай, продавай.", "Вам надоело, что вас торопят с продажей.", "paraphrase"),
    # его сомнение
    ("Зачем мэру слушать рыбака?", "Вы не уверены, что мэр вообще станет слушать.", "paraphrase"),
]  # fmt: skip

NOT_FOUND_RU = [
    ("Меня посадят?", "Вам страшно, что будет дальше.", "paraphrase"),
    ("Вы меня никогда не слушаете.", "Вам обидно, что я вас не слушаю.", "paraphrase"),
    ("Мужики трусом зовут.", "Вам обидно, что вас так называют.", "paraphrase"),
    ("С чего мне тебе верить?", "Вы мне не доверяете.", "paraphrase"),
]  # fmt: skip


test_family_found, test_family_not_found = family_tests(FOUND_EN, NOT_FOUND_EN)
test_family_found_ru, test_family_not_found_ru = family_tests(FOUND_RU, NOT_FOUND_RU, "ru")
