"""English cue families of the s12-en round (issue 10), on phrasings written for this file (not
taken from the dev, probe or blind sets): the real detector, phrase rules alone, one call a case.

Families: arguing by contradiction needs a contradiction of what he asserts (his question
asserts nothing; a negation denies the first content word after it, not a word beyond another
one or beyond "sure"/"know"; "with no" is "without"; his "nobody did X" answered by the
negotiator doing X is given, not denied); a flat "No, ..." argues with a statement, not with his
question; his lie to others named back is his account; a bare "yes" or "I'm here" answering his
question is no minimal encourager, nor a "yeah" that echoes his question a mirror; "Right now."
is no encourager; the spoken filler "i mean" inside a sentence is read as no words (not where it
is meant: "I mean it", "what I mean"); emotional labels said as a state ("under so much pressure",
"a lot of guilt to carry", "That hurts.", a comparative "even angrier")."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

FOUND = [
    # true contradictions of what he states still argue
    ("I'm not a coward. I never run from a fight.", "You're running from this one.", "arguing"),
    ("The library never cared about the staff.", "The library cared about you a great deal.", "arguing"),
    ("Nobody will miss me when I'm gone.", "Your daughter will miss you every day.", "arguing"),
    ("You'd have done the same thing in my place.", "No, I wouldn't have.", "arguing"),
    ("You're lying. There's no ambulance coming.", "I'm not lying to you.", "arguing"),
    ("You're calling me a liar.", "You're lying and everybody knows it.", "arguing"),
    # encouragers that are no bare answer
    ("Can I tell you what the foreman said?", "Yeah, go ahead.", "minimal_encourager"),
    ("Are you even listening to me?", "I'm listening.", "minimal_encourager"),
    ("They towed the truck with my tools in it.", "Mm-hmm.", "minimal_encourager"),
    # a mirror after a statement
    ("They cut the power to the whole block.", "The whole block?", "mirror"),
    # the filler "i mean" inside a spoken sentence
    ("They sold the orchard behind my back.", "you feel i mean completely betrayed", "emotional_label"),
    ("They sold the orchard behind my back.", "i mean behind your back", "mirror"),
    # a feeling named as a state or a load
    ("Four shifts in a row and the rent's due.", "You're under a lot of pressure.", "emotional_label"),
    ("I left the gate open. The dog got out because of me.", "That's a lot of guilt to carry.", "emotional_label"),
    ("They laughed when I read my letter out.", "That hurts.", "emotional_label"),
    ("Every time he smirks at me I want to scream.", "His smirk makes you even angrier.", "emotional_label"),
]  # fmt: skip

NOT_FOUND = [
    # his question answered: no contradiction, no flat "No"
    ("Are you filming this through the window?", "Yes, the window is being filmed.", "arguing"),
    ("Is the foreman still in the yard?", "not anymore hes gone", "arguing"),
    ("Have you ever lost a job you loved?", "No, I haven't.", "arguing"),
    ("Why would I believe anything a cop says?", "You've got no reason to believe me yet.", "arguing"),
    # a negation beyond another word, a doubt, "with no"
    ("They won't let anyone near the boats.", "Those boats are all you have left.", "arguing"),
    ("I don't know why I'm even talking to you.", "You're not sure talking will get you anywhere.", "arguing"),
    ("He left me on the roof without water all day.", "All day up there with no water.", "arguing"),
    # the negotiator gives what nobody gave
    ("Nobody ever asked me what I wanted.", "I'm asking you now.", "arguing"),
    ("Nobody here has ever thanked me.", "I want to thank you for keeping her safe.", "arguing"),
    # his lie to others is his account
    ("My dad thinks I still have the job.", "You're lying to your dad so he won't be ashamed.", "arguing"),
    # a bare yes, or "I'm here", answering him; "right now"
    ("Hello? Are you still there?", "Yes, I'm here.", "minimal_encourager"),
    ("Is it still snowing out there?", "yeah still snowing", "minimal_encourager"),
    ("Is it still snowing out there?", "yeah still snowing", "mirror"),
    ("Can she have a blanket?", "um yeah we can pass a blanket through the door", "minimal_encourager"),
    ("I'm not stupid, he's fine in the freezer.", "Open the freezer. Right now.", "minimal_encourager"),
    # "i mean" meant; a state that is no feeling
    ("They say I'm bluffing.", "I mean it, nobody is bluffing here.", "emotional_label"),
    ("The bus leaves at six and I'm not on it.", "You're under the bridge by the depot?", "emotional_label"),
    ("The bus leaves at six and I'm not on it.", "That's a lot of buses to miss.", "emotional_label"),
]  # fmt: skip


test_family_found, test_family_not_found = family_tests(FOUND, NOT_FOUND)
