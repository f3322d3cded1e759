"""English cue families of the s11-en2 round (issue 10), on phrasings written for this file (not
taken from the dev, probe or blind sets): the real detector, phrase rules alone, one call a case.

Families: an order to stop his distress ("Quit moaning.") orders as well as belittles; asking to
speak to someone is a yes/no question, no stall; what was done to him before, bare, restates it
(a paraphrase, no label); his account sent off to the court argues; harm laid on his watch
blames; his shame, his right to his anger and his pain named are labels; an unpunctuated
wh-question after a filler ("so um what was she like") is one open question, not split into a
yes/no one."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

FOUND = [
    # commanding and minimizing: an order to stop his distress
    ("They cut my hours again.", "Quit moaning.", "commanding"),
    ("They cut my hours again.", "Quit moaning.", "minimizing"),
    ("I can't breathe in here, it's all falling apart.", "Stop sulking, Dale.", "commanding"),
    ("Everybody walked out on me.", "Stop whining.", "commanding"),
    # closed_question: asking to speak to someone
    ("The driver's still in the cab.", "Can I speak to the driver for a second?", "closed_question"),
    ("My mother's here with me.", "Could I talk with your mother on the radio?", "closed_question"),
    # paraphrase: what was done to him before
    ("The bank promised me a deferral.", "You've been lied to by the bank before.", "paraphrase"),
    # arguing: his account sent off to the court
    ("Just let me explain what happened at the depot.", "Save it for the judge.", "arguing"),
    ("I didn't touch the safe, I swear.", "Tell it to the jury, Mike.", "arguing"),
    ("It wasn't me who started it.", "Save your story for the court.", "arguing"),
    # blaming: harm laid on his watch
    ("I only left the site for an hour.", "A man got hurt on your watch.", "blaming"),
    ("I'm not a thief.", "The money went missing on your watch.", "blaming"),
    # emotional_label: his shame, his right to his anger, his pain named
    ("The judge laughed at my letter in open court.", "That must have been degrading.", "emotional_label"),
    ("They let me go on my birthday.", "You're right to feel angry about that.", "emotional_label"),
    ("My wrist is bleeding again.", "You're in a lot of pain, Ray.", "emotional_label"),
    ("The sergeant mocked my stutter on parade.", "He humiliated you in front of the platoon.", "emotional_label"),
    # open_question: one wh-question after a filler
    ("My brother ran the farm before me.", "so um what was he like", "open_question"),
    ("I had it all worked out.", "um how were you hoping it would go", "open_question"),
]  # fmt: skip

NOT_FOUND = [
    # an order to stop his distress is no question, asking to speak to someone no stall
    ("Can I speak to my lawyer?", "Can I speak to your lawyer first?", "deferring"),
    ("The nurse is with me.", "Can I speak to the nurse for a minute?", "deferring"),
    # ... what was done to him before, bare, names no feeling of his
    ("The bank promised me a deferral.", "You've been lied to by the bank before.", "emotional_label"),
    ("The parole board said next year. Again.", "You've been let down before.", "emotional_label"),
    # ... his watch cleared is no blame; a watch is a watch
    ("I only left the site for an hour.", "Nobody got hurt on your watch, you did fine.", "blaming"),
    ("I gave the boy my watch.", "He'll take good care of your watch.", "blaming"),
    # ... an unpunctuated wh-question is not split into a yes/no question
    ("My brother ran the farm before me.", "so um what was he like", "closed_question"),
    ("I had it all worked out.", "um how were you hoping it would go", "closed_question"),
    # ... his right to a thing, his own act of shaming, his safety name no feeling of his
    ("I sent the email to everyone.", "I'm sorry if I embarrassed you.", "emotional_label"),
    ("Am I going to be shot?", "You're in no danger from us.", "emotional_label"),
    # ... and a stall that speaks to others is still no question
    ("Get me the mayor.", "I'll speak to the mayor's office and come back to you.", "closed_question"),
]  # fmt: skip


test_family_found, test_family_not_found = family_tests(FOUND, NOT_FOUND)
