"""English replies as Whisper tiny.en hears them (the s11-spoken round, issue 10), on phrasings
written for this file in the recogniser's style (not taken from the dev, probe or blind sets):
the real detector, phrase rules alone, one call a case.

Families (``lang/en/heard.yaml``, ``text.py``, ``questions.py``): a filler "um" written "I'm" (or
"on" after "so") where written English puts no "I am" ("I'm tell me about ...", "So I'm are you
...", "I'm your terrified"); a question read from past a leading clause of particles and fillers
("So, um, what ...?") or from a later clause's question word ("Fair enough, what ...?"); a question
without "?" to a name ("Is Dana hurt.", "It's Dana hurt.", "Thus he have ..."); "Mr." ending no
sentence; a whole reply heard for "Mm." ("In man."). Each must leave a written reply as it was:
"I'm so sorry", "I'm your contact", "I'm put out", "In?", "It's Dana I'm worried about"."""

from __future__ import annotations

from tests.fixtures_scoring import family_tests

FOUND = [
    # a filler "um" heard as "I'm" before a word no "I am" takes
    ("The landlord changed the locks on us.", "I'm tell me about the flat.", "open_question"),
    ("They towed my cab. My only income.", "So I'm what happens without the cab?", "open_question"),
    ("I've got the pills lined up on the table.", "I'm are you thinking of killing yourself?", "suicide_question"),
    ("I've got the pills lined up on the table.", "So I'm how many did you take.", "suicide_question"),
    ("My brother got the whole inheritance.", "I'm your furious with him.", "emotional_label"),
    ("I'm holding the flare gun, don't push me.", "So I'm put the flare gun down.", "commanding"),
    ("I'm holding the flare gun, don't push me.", "I'm calm down, nobody's pushing you.", "calm_down"),
    ("She took the kids to her mother's.", "I'm when did she leave?", "open_question"),
    ("She took the kids to her mother's.", "So on when did she leave.", "open_question"),
    # a question past a leading clause of particles and fillers, or at a later clause
    ("The council wants me out by Monday.", "So, um, where would you go?", "open_question"),
    ("The council wants me out by Monday.", "Okay, what did the letter say?", "open_question"),
    ("Don't hand me that calm voice.", "Fair point, how should I talk to you?", "open_question"),
    ("Who's this? Another suit?", "I'm Petra, who am I talking with?", "open_question"),
    # questions without "?" to a name, as tiny.en writes them
    ("Dana's on the floor by the counter.", "Is Dana hurt.", "closed_question"),
    ("Dana's on the floor by the counter.", "It's Dana hurt.", "closed_question"),
    ("Dana's on the floor by the counter.", "It's Dana okay down there.", "closed_question"),
    ("The old man's gone pale.", "Thus he have his spray with him.", "closed_question"),
    ("The old man's gone pale.", "Is Mr. Novak breathing all right.", "closed_question"),
    # a whole reply heard for "Mm." / "Mm-hmm."
    ("The mill paid my father and his father.", "In man.", "minimal_encourager"),
    ("The mill paid my father and his father.", "in my mom.", "minimal_encourager"),
    ("The mill paid my father and his father.", "M.", "minimal_encourager"),
]  # fmt: skip

NOT_FOUND = [
    # "I am" before words it takes stays the speaker's own
    ("My brother got the whole inheritance.", "I'm so sorry about your brother.", "open_question"),
    ("My brother got the whole inheritance.", "I'm your contact tonight, my name is Lee.", "emotional_label"),
    ("My brother got the whole inheritance.", "I'm worried about you.", "minimal_encourager"),
    ("Can I come in?", "In?", "minimal_encourager"),
    ("Dana's on the floor by the counter.", "It's Dana I'm worried about.", "closed_question"),
    ("Dana's on the floor by the counter.", "It's Dana, hurt and scared.", "closed_question"),
    # a clause of particles before a statement asks nothing; a subordinate question word neither
    ("The council wants me out by Monday.", "So, when you're ready, call me back.", "open_question"),
    ("The council wants me out by Monday.", "Okay, Monday.", "open_question"),
    ("The council wants me out by Monday.", "Right, that's three days.", "closed_question"),
    ("The council wants me out by Monday.", "I hear you, what you said matters.", "open_question"),
    ("They towed my cab. My only income.", "and so on.", "open_question"),
    ("The old man's gone pale.", "Thus he needs air, open the window.", "open_question"),
]  # fmt: skip


test_family_found, test_family_not_found = family_tests(FOUND, NOT_FOUND)


def test_a_broken_heard_file_is_one_clear_error(tmp_path, monkeypatch):
    import shutil

    import pytest

    from voicedrill import lang
    from voicedrill.errors import ScenarioError
    from voicedrill.scoring.cues import text

    shutil.copytree(lang.LANG_DIR / "en", tmp_path / "en")
    monkeypatch.setattr(lang, "LANG_DIR", tmp_path)
    for bad, says in (
        ("questions: [is, does]\n", "questions: expected a mapping"),
        ("um_heard: [i'm]\nquestionz: {}\n", "questionz: unknown key"),
        ("questions: {later_whh: true}\n", "questions.later_whh: unknown key"),
    ):
        (tmp_path / "en" / "heard.yaml").write_text(bad, encoding="utf-8")
        lang.load.cache_clear(), text.heard.cache_clear()
        with pytest.raises(ScenarioError, match=f"heard.yaml: {says}"):
            text.heard("en")
    lang.load.cache_clear(), text.heard.cache_clear()
