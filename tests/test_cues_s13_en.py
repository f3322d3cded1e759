"""English cue families of the s13-en round (issue 10), on phrasings written for this file (not
taken from the dev, probe or blind sets): the real detector, phrase rules alone, one call a case.

Families: a label whose feeling takes a clause without "that" ("You're scared they'll ...") or
a clause after a comma ("You feel empty, like ...", "You're livid, and you want ...") is a label
and a paraphrase, unless the clause is about the negotiator or names only what he fears ("of what
comes next"); his intent denied with a pro-verb ("You won't do that.", "Come on, you're not going
to do that") or in a word where he states it ("You won't, ...") argues ("You won't do it." alone
stays a dare); how others regard him denied ("Nobody's staring at you") argues, no promise; his
belief that nobody cares or wants him met by a reassurance ("I'm sure he misses you", "Plenty of
shops would take you", "You're not too old", "she wants you" after his despair) argues, "I don't
want you to do that" is an I-message; "You should be grateful ..." blames; "You ... when I say"
orders; his worry waved off as likely nothing, put
down to how such people talk, made common, or set against others' smaller lot ("more than
 most get"; "it happens" unless a time clause) ("everybody gets those") minimizes."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

FOUND = [
    # a label with a bare clause, or a clause after a comma: label and paraphrase
    ("If they cut the water I'm done for.", "You're worried they'll leave you without water.", "paraphrase"),
    ("My dad's going to find out about the car.", "You're terrified your dad will take the car off you.", "paraphrase"),
    ("Nobody on this crew ever backs me up.", "You feel alone, like the others dropped you.", "paraphrase"),
    ("I'm holding the manager in the cold room.", "You're livid, and you want the manager to pay for it.", "paraphrase"),
    ("If they cut the water I'm done for.", "You're worried they'll leave you without water.", "emotional_label"),
    # his intent denied with a pro-verb, or in a word
    ("I'll set fire to the stockroom.", "You won't do that.", "arguing"),
    ("I'm going to drive the forklift through the wall.", "Come on, you're not going to do that.", "arguing"),
    ("I'll throw myself off the crane.", "no you would never do that", "arguing"),
    ("I'm going to swallow the whole bottle.", "You won't, you're tougher than that.", "arguing"),
    # how others regard him denied
    ("The whole street is staring at me like I'm a criminal.", "Nobody's staring at you.", "arguing"),
    # a reassurance against his belief that nobody cares or wants him
    ("My brother hasn't called in a year. He's forgotten me.", "I'm sure your brother misses you.", "arguing"),
    ("No garage is going to take on a mechanic who's fifty-eight.", "Plenty of garages would take you.", "arguing"),
    ("They say I'm too old for the night shift.", "You're not too old.", "arguing"),
    # his despair answered by someone's want for him; gratitude demanded; his timing set by the
    # speaker; the speaker's own wish against his act
    ("The kids would be better off with the payout.", "they dont want a payout they want you", "arguing"),
    ("Why are you reading me the rules?", "You ought to be thankful anyone picked up.", "blaming"),
    ("Let me finish my coffee first.", "You put the cup down when I tell you.", "commanding"),
    ("I'm going to cut the rope.", "I don't want you to do that.", "i_message"),
    # his worry waved off
    ("There's a ringing in my ears that won't stop.", "It's probably nothing.", "minimizing"),
    ("The supervisor calls me a lazy dog every morning.", "That's just how supervisors talk.", "minimizing"),
    ("I keep getting these cramps at night.", "Cramps are nothing, everybody gets those.", "minimizing"),
    ("They gave me two weeks' pay after twenty years.", "Two weeks is more than most guys get.", "minimizing"),
    ("They scrapped my whole crop.", "Hey, it happens.", "minimizing"),
]  # fmt: skip

NOT_FOUND = [
    # what he fears named, or a clause about the negotiator: a label only
    ("What happens after I open the door?", "You're scared of what comes next.", "paraphrase"),
    ("You're just reading from a script.", "You're annoyed, like I'm not really with you.", "paraphrase"),
    ("I don't know, man.", "You're worried, you know.", "paraphrase"),
    # a taunt stays a dare, his question gets no argument, the pro-verb with an object argues nothing
    ("I'm going to jump, I swear.", "You won't do it.", "arguing"),
    ("Am I going to be arrested?", "You won't.", "arguing"),
    # shame takes what he did: a label only; the speaker's wish is no argument
    ("I shouted at my own mother in front of the neighbours.", "You're embarrassed you shouted at her.", "paraphrase"),
    ("I'm going to cut the rope.", "I don't want you to do that.", "arguing"),
    ("You said you'd phone back at six.", "You said I'd phone when I knew more.", "commanding"),
    # "it happens" as a time clause waves nothing off
    ("What happens when they take me in?", "I'll be right there with you when it happens.", "minimizing"),
    # a reassurance of his safety is no argument
    ("If anyone comes up those stairs I'll shoot.", "Nobody is coming up the stairs.", "arguing"),
    # a reassurance about something else, his time, his act
    ("I'm sure of it, she loves me.", "I'm sure she loves you too.", "minimizing"),
    ("How long until the ambulance?", "It's probably ten minutes out.", "minimizing"),
    ("What did the foreman say?", "That's just how he said it.", "minimizing"),
]  # fmt: skip

test_family_found, test_family_not_found = family_tests(FOUND, NOT_FOUND)
