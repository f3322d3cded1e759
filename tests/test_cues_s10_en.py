"""English cue families of the s10-en round (issue 10), on phrasings written for this file (not
taken from the dev, probe or blind sets): the real detector, phrase rules alone, one call a case.

Families: the speaker's own gladness, thanks or wish to hear him as an I-message ("I'm glad you
called", "I'd love to hear it", "id like to hear it" as recognition writes it)."""

from __future__ import annotations

import pytest

from tests.fixtures_scoring import rules_found

FOUND = [
    # i_message: the speaker's gladness, thanks, wish to hear him or earn his trust
    ("I rang the hotline first. Nobody answered.", "I'm so glad you called us instead.", "i_message"),
    ("I didn't mean to scream at you.", "I appreciate you saying sorry.", "i_message"),
    ("Can I tell you what the foreman did?", "I'd love to hear it.", "i_message"),
    ("Why would I trust a cop?", "I'd like to earn it, one call at a time.", "i_message"),
    ("There's more to it. A lot more.", "um id like to hear the rest", "i_message"),
]  # fmt: skip

NOT_FOUND = [
    # a bare "I'm glad." answering a question names no willingness of his; "your id" is a card
    ("Did the nurse come?", "Yes, I'm glad to say.", "i_message"),
    ("Who are you?", "show me your id first", "i_message"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "reply", "cue"), FOUND)
def test_family_found(line, reply, cue):
    got = rules_found(reply, (line,))
    assert cue in got, (reply, got)


@pytest.mark.parametrize(("line", "reply", "cue"), NOT_FOUND)
def test_family_not_found(line, reply, cue):
    got = rules_found(reply, (line,))
    assert cue not in got, (reply, got)
