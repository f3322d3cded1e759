"""English cue families of the s10-en round (issue 10), on phrasings written for this file (not
taken from the dev, probe or blind sets): the real detector, phrase rules alone, one call a case.

Families: the speaker's own gladness, thanks or wish to hear him as an I-message ("I'm glad you
called", "id like to hear it" as recognition writes it); his act, then force or the law on him, as
a threat and no order; what others decide foretold as settled after his demand, a promise;
blaming; the false alarms around insults; his trouble made the common lot, minimizing; another's
grief foretold against his "they'd be better off", arguing and no label of his."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

FOUND = [
    # i_message: the speaker's gladness, thanks, wish to hear him or earn his trust
    ("I rang the hotline first. Nobody answered.", "I'm so glad you called us instead.", "i_message"),
    ("I didn't mean to scream at you.", "I appreciate you saying sorry.", "i_message"),
    ("Can I tell you what the foreman did?", "I'd love to hear it.", "i_message"),
    ("Why would I trust a cop?", "I'd like to earn it, one call at a time.", "i_message"),
    ("There's more to it. A lot more.", "um id like to hear the rest", "i_message"),
    # threat: his act, then force or the law on him, whoever acts; a deadline on the door forced
    ("I'll climb the fence with the kid.", "Climb that fence and you'll be arrested.", "threat"),
    ("I'm taking the van out of the yard.", "Move that van and the troopers will stop you.", "threat"),
    ("I'll smash every window in the clinic.", "Smash one and you'll answer for all of them.", "threat"),
    ("Nobody gets the keys till I say.", "If the gate isn't open by nine, we cut the lock.", "threat"),
    # promise: what others decide foretold as settled, after his demand
    ("Get the warden here by noon.", "Okay, the warden will be here by noon.", "promise"),
    ("I want my sister on the phone.", "Fine, your sister will call you in ten minutes.", "promise"),
    ("Pay the men their wages first.", "Understood, the men will be paid tonight.", "promise"),
    ("I want my truck keys back.", "the keys are coming dont worry", "promise"),
    ("Get the principal out here.", "sure sure the principal will come down in a minute", "promise"),
    # blaming: his past laid against what others did, a shame he is asked to feel, his punishment
    # called deserved, his own choice laid on him
    ("My daughter won't visit me.", "If you'd stayed sober, she would still visit.", "blaming"),
    ("I've locked the nurse in the office.", "Locking up a nurse, aren't you even ashamed?", "blaming"),
    ("They'll give me ten years for this.", "Good, you deserve it.", "blaming"),
    ("The landlord threw me out.", "But you chose to stop paying rent.", "blaming"),
    ("The union dropped my case.", "You should have filed it on time.", "blaming"),
    # false alarms of the insult family: others' view of him denied is arguing; a hurt named is a label
    ("My cousins say I'm a maniac.", "No one thinks you're a maniac.", "arguing"),
    ("The foreman laughed at my accent.", "You sound insulted.", "emotional_label"),
    # minimizing: his trouble made the common lot, a bid for attention, outdone, a joke, good riddance
    ("The bank kept me waiting four hours.", "Everyone has to wait at the bank.", "minimizing"),
    ("I'll cut again, I swear.", "um youre just after attention", "minimizing"),
    ("You never lost a farm. You don't know.", "I've survived worse than losing a farm.", "minimizing"),
    ("They sang a song about my limp at the bar.", "They were only kidding, mate.", "minimizing"),
    ("I gave my car keys to my neighbour.", "Well, one less thing to lose.", "minimizing"),
    # others' grief foretold against his "they'd be better off" argues
    ("My girls are better off without me.", "Your girls would be shattered.", "arguing"),
]  # fmt: skip

NOT_FOUND = [
    # a bare "I'm glad." answering a question names no willingness of his; "your id" is a card
    ("Did the nurse come?", "Yes, I'm glad to say.", "i_message"),
    ("Who are you?", "show me your id first", "i_message"),
    # a threat's condition orders nothing; a good outcome after the order leaves it an order
    ("I'm taking the van out of the yard.", "Move that van and the troopers will stop you.", "commanding"),
    ("I want to see my son.", "Put the bat down and we'll talk about your son.", "threat"),
    # his fear of what others will do, named back; what others will do, not known
    ("They'll storm this place.", "You're worried the team will come in.", "promise"),
    ("When is my sister calling?", "I'm not sure when your sister will call.", "promise"),
    ("The bank's lying about the loan.", "They will call it a default again.", "promise"),
    # his own regret named back; the speaker's own past; a better life called deserved
    ("I should have driven her home myself.", "You feel you should have driven her.", "blaming"),
    ("Why didn't you pick up earlier?", "If you'd called sooner, I would have answered.", "blaming"),
    ("Nobody ever gave me a break.", "You deserve better than this.", "blaming"),
    ("I've locked the nurse in the office.", "Locking up a nurse, aren't you even ashamed?", "emotional_label"),
    # a tag on a label for him is no argument; others' view of him denied labels him nothing
    ("I set the truck on fire.", "You're an arsonist, you know that?", "arguing"),
    ("My cousins say I'm a maniac.", "No one thinks you're a maniac.", "insult"),
    ("The foreman laughed at my accent.", "You sound insulted.", "insult"),
    # what another said of his act, reported; "a joke" of the slight is no label for him
    ("My sister says I do this for attention.", "She says it's for attention. What's it for?", "minimizing"),
    ("They sang a song about my limp.", "it was only a joke to them", "insult"),
    # ... and names no feeling of his
    ("My girls are better off without me.", "Your girls would be shattered.", "emotional_label"),
    ("My father won't forgive me.", "your father would be so angry at them not you", "emotional_label"),
]  # fmt: skip


test_family_found, test_family_not_found = family_tests(FOUND, NOT_FOUND)
