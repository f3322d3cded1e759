"""English cue families of the s11-en round (issue 10), on phrasings written for this file (not
taken from the dev, probe or blind sets): the real detector, phrase rules alone, one call a case.

Families: arguing by a flat contradiction of what he says or means to do (his intent denied, his
demand refused outright, a reason to live set against his despair, the accuser sided with, the
rules defended, his hardship outdone, his point dismissed); a promise of what others will not do
to him or his, unbacked; suicide questions about the means on his body, his plan, or the pills
taken by himself; a dare by his own act ordered back with "then"."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

FOUND = [
    # arguing: his intent denied (no dare), the act he threatens denied as nobody's
    ("I'll torch the hay in the loft.", "Easy now, you're not going to torch anything.", "arguing"),
    ("I'm walking into the sea tonight.", "Oh come on, you would never do that.", "arguing"),
    ("I'll flood the cellar with the diesel.", "Relax, nobody is flooding anything.", "arguing"),
    ("I'll jump off the silo.", "You won't jump, you've got a harvest to bring in.", "arguing"),
    # ... his demand refused outright
    ("I want a boat at the jetty by six.", "That's never going to happen, Ron.", "arguing"),
    ("Get me the judge's home number.", "There's no way you're getting that number.", "arguing"),
    ("Send the bishop up here.", "You're in no position to send for anyone.", "arguing"),
    ("Forty thousand and a car.", "you are not getting a single dollar", "arguing"),
    # ... a reason to live against his despair (the order, if any, stays an order)
    ("Nobody needs a broken old sailor.", "Your daughter needs you.", "arguing"),
    ("I'm done. I'll step off the crane.", "Don't say that, you've got two little boys.", "arguing"),
    ("I'm done. I'll step off the crane.", "Don't say that, you've got two little boys.", "commanding"),
    ("I've got plenty to lose? No I don't.", "You've got a lot to lose, Carl.", "arguing"),
    # ... the accuser sided with; the rules defended
    ("The coach says I'm a liability.", "Maybe she's got a point.", "arguing"),
    ("My wife says I ruined us.", "uh she might be right", "arguing"),
    ("Nobody's on my side, not even the union.", "Nobody is siding with the foreman either.", "arguing"),
    ("They fined me for parking outside my own shop.", "rules are rules sir", "arguing"),
    ("The clinic struck me off the list.", "That's just how waiting lists work.", "arguing"),
    # ... his hardship outdone; his point dismissed
    ("You've never slept in a car in winter.", "I've had much worse winters than yours.", "arguing"),
    ("Do you even know what a shearing shed smells like?", "That's got nothing to do with it.", "arguing"),
    ("Let me tell you why I did it.", "Why you did it doesn't matter now.", "arguing"),
    # promise: what others will not do to him or his, unbacked
    ("Keep the cops away from my van.", "Nobody is coming anywhere near the van.", "promise"),
    ("Are they going to lock me up?", "Nobody is putting you in a cell, I'll see to that.", "promise"),
    ("I want the contract printed and signed.", "Fine, we'll have it printed tonight.", "promise"),
    # suicide_question: the means on his body, his plan, the pills taken by himself
    ("I've tied the cord to the beam.", "Is the cord around your neck right now?", "suicide_question"),
    ("My family would be better off without me.", "Do you have a plan for how you'd do it?", "suicide_question"),
    ("I've got a jar of my mother's tablets.", "are you thinking of swallowing those tablets yourself", "suicide_question"),
    ("Nobody needs me here.", "Are you thinking about going out on that ice to die?", "suicide_question"),
    # dare: his own act ordered back with "then"; the pills taken at his word; left to freeze
    ("I'm flooding the engine room.", "Flood it, then.", "dare"),
    ("I'll smash the control panel.", "um smash it then see what happens", "dare"),
    ("The pills are in my fist.", "Swallow them, then, if that's the plan.", "dare"),
    ("Don't you tell me to come inside.", "Fine, stay out there and freeze.", "dare"),
]  # fmt: skip

NOT_FOUND = [
    # a yes/no about his intent is a question, not a contest; his fear named back is no argument
    ("I'm going to jump off the pier.", "You're not going to do anything, are you?", "arguing"),
    ("They say the crash was my fault.", "You're scared they might be right.", "arguing"),
    # a dare stays a dare; a sentence that goes on to label him is no siding with anyone
    ("I'll do it, I swear.", "You won't do it. You haven't the nerve.", "arguing"),
    ("My brother says I'm a drunk.", "He's got a point, you reek of it.", "arguing"),
    # "so much to live for" is the convention's minimizing; his need for her is no reason to live
    ("I'm done with all of it.", "You've got so much to live for.", "arguing"),
    ("My wife's in hospital and I can't pay.", "She needs you to stay calm for her.", "arguing"),
    # "That's business" minimizes; a point made by him is his
    ("They sold the shop under me.", "That's business.", "arguing"),
    ("My boss made a point of laughing at me.", "He made a point of it.", "arguing"),
    # honest facts: the press not here, a fact about someone's part
    ("Is there a camera crew out there?", "Nobody is filming anything, there's no press.", "promise"),
    ("Does the guard have anything to do with this?", "No, he's got nothing to do with it.", "arguing"),
    # a bare "nobody is coming in" still needs backing; a screen is no delivery
    ("Are they storming the house?", "Nobody is coming in.", "promise"),
    ("Can I see the photos?", "I'll get them up on the screen for you.", "promise"),
    # a question about a till or a plan for the kids is no suicide question
    ("I've got the pharmacist in the back.", "Have you taken anything from the till?", "suicide_question"),
    ("My kids are better off without me.", "Do you have a plan for the kids?", "suicide_question"),
    # a request to talk or to come out, with "then", is no dare
    ("I'm not coming down, I'll jump.", "Come down then.", "dare"),
    ("I'll cut myself.", "Put the blade down, then.", "dare"),
]  # fmt: skip


test_family_found, test_family_not_found = family_tests(FOUND, NOT_FOUND)
