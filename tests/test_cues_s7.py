"""Category rules of the s7 round (issue 10): his want or belief said back as a paraphrase,
recaps strung together without punctuation read part by part, echoes of function words,
dismissive «да»-questions, "just" minimizing, suicide questions wherever they start, «сам»
blaming, and ``evaluate(rules_only=True)`` measuring the rules without the learned heads."""

from __future__ import annotations

import pytest

from tests.fixtures_scoring import rules_found
from voicedrill.scoring.evaluate import LabelledReply, evaluate

found = rules_found  # the rules alone


CASES = [
    # his want, need or belief said back as a statement is a paraphrase, whatever words it shares
    ("en", ("The mayor has until noon. Land back or we burn the depot.",), "You want the land returned before anything else.", {"paraphrase"}, set()),
    ("en", ("Two million. Saturday. You call the police, she's dead.",), "You want this over fast and you want to be sure nobody else gets involved.", {"paraphrase"}, set()),
    # ... not asked, and not his wish to die (a suicide question)
    ("en", ("The mayor has until noon.",), "Do you want the land returned?", set(), {"paraphrase"}),
    ("ru", ("Я больше не могу.",), "Вы хотите умереть?", {"suicide_question"}, {"paraphrase"}),
    ("ru", ("Пусть приедет мэр, или я всё тут сожгу.",), "Вы хотите, чтобы мэр вас выслушал лично.", {"paraphrase"}, set()),
    # a recap said without punctuation is read part by part ("and", "now")
    (
        "en",
        (
            "My dad shot himself in this barn when I was nine.",
            "Now the farm's going to auction and my wife's gone back to her folks.",
            "So now I'm standing here with his gun and I don't even know what I'm doing.",
        ),
        "um so you lost your dad here when you were little and now the farm and your wife are going and you feel completely alone",
        {"summary"},
        set(),
    ),
    # an echo of his function words: all three words in his order, or his lone "nobody"
    ("ru", ("Отвали. Я не буду больше с тобой говорить.",), "Не будешь говорить?", {"mirror"}, {"closed_question"}),
    ("ru", ("Ты даже не представляешь, что я чувствую. Никто не представляет.",), "Никто?", {"mirror"}, {"closed_question"}),
    ("en", ("Nobody cares what happens to me.",), "Nobody?", {"mirror"}, {"closed_question"}),
    # «да» + a question word waves him off, asks nothing
    ("ru", ("Не подходите, у меня граната!",), "Да какая граната, это муляж, я же вижу.", set(), {"open_question"}),
    ("ru", ("Что вы от меня хотите?",), "Что было дальше?", {"open_question"}, set()),
    # his trouble explained away as "just" something
    ("en", ("My son hasn't called me in a month.",), "I mean he's probably just busy.", {"minimizing"}, set()),
    ("en", ("Everyone at work laughs at me.",), "Come on, people laugh at everybody.", {"minimizing"}, set()),
    ("en", ("I'm not coming out.",), "Come on out when you're ready, I'll be right here.", set(), {"minimizing"}),
    # a suicide question wherever it starts, with or without its "?"
    ("en", ("I've got the gun right here.",), "i mean are you thinking about killing yourself tonight", {"suicide_question"}, set()),
    ("en", ("I'll burn this whole place down.",), "Are you thinking about setting yourself on fire?", {"suicide_question"}, {"closed_question"}),
    ("en", ("I'm fine.",), "I don't want you thinking about killing yourself.", set(), {"suicide_question"}),
    ("ru", ("Я облил тут всё бензином.",), "бензин ты хочешь поджечь себя", {"suicide_question"}, set()),
    # «сам» beside ты/вы with a past verb lays the blame on him
    ("ru", ("Коллекторы звонят каждый день.",), "Ты сама в долги влезла, чего теперь.", {"blaming"}, set()),
    ("ru", ("Сына не пускают ко мне.",), "Вы сами решите, когда будете готовы выйти.", set(), {"blaming"}),
]


@pytest.mark.parametrize("code, lines, reply, present, absent", CASES)
def test_s7_rule_categories(code, lines, reply, present, absent):
    got = found(reply, lines, code)
    assert present <= got, f"{reply!r}: missing {present - got} (found {got})"
    assert not (absent & got), f"{reply!r}: should not find {absent & got}"


def test_evaluate_rules_only_leaves_the_heads_out():
    items = [
        LabelledReply(ctx=ln[-1], reply=reply, cues=tuple(sorted(p)), history=tuple(ln[:-1]), language=code)
        for code, ln, reply, p, _ in CASES
    ]
    ev = evaluate(items, rules_only=True)
    for row, (code, ln, reply, _, _) in zip(ev.rows, CASES, strict=True):
        assert set(row.found) == found(reply, ln, code)


def test_eval_cues_rules_only_flag(tmp_path, capsys):
    import json

    from voicedrill.cli import main

    path = tmp_path / "labels.jsonl"
    rows = [
        {"ctx": "The mayor has until noon.", "reply": "You want the land returned before anything else.", "cues": ["paraphrase"]},
        {"ctx": "Nobody cares what happens to me.", "reply": "Nobody?", "cues": ["mirror"]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["eval-cues", str(path), "--json", "--rules-only", "--language", "en"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [set(r["found"]) for r in out["rows"]] == [{"paraphrase"}, {"mirror"}]
    assert out["micro_f1"] == 1.0
