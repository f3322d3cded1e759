"""Patterns from a scoring script (issue 14): hostile extra phrases are refused with the
script's own file and line when it loads, or matched at a cost linear in the reply;
detection stays linear in reply length. Costs are counted in matcher steps, not seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicedrill.cli import main
from voicedrill.errors import ParameterError, ScenarioError
from voicedrill.scoring import load_script
from voicedrill.scoring import cues as cues_package
from voicedrill.scoring.cues import detect_cues, lexicon, patterns, phrase_problem
from voicedrill.types import Transcript, TurnContext

# the hostile phrases of issue 14, as a careless or hostile instructor wrote them
GAPS_14 = " ".join(["..."] * 14) + " zzzq"
GAP_99 = "...99 ...99 ...99 zzzq"
OPTIONAL_ANY_30 = " ".join(["*?"] * 30) + " zzzq"
ALTERNATIVES_12 = " ".join(["(a|a a|a a a)?"] * 12) + " zzzq"
NESTED_3000 = "(" * 3000 + "a" + ")" * 3000
DIGITS_5000 = "..." + "9" * 5000 + " zzzq"


def _steps(monkeypatch) -> list[int]:
    """Count the matcher's element steps (patterns._one calls)."""
    counter = [0]
    real = patterns._one

    def counting(*args, **kw):
        counter[0] += 1
        return real(*args, **kw)

    monkeypatch.setattr(patterns, "_one", counting)
    return counter


def _cost(monkeypatch, phrase: str, reply: str) -> int:
    counter = _steps(monkeypatch)
    detect_cues(Transcript(reply, "en"), TurnContext("en", ("Nobody listens.",)), extra_phrases={"mirror": [phrase]})
    return counter[0]


@pytest.mark.parametrize("phrase", [GAPS_14, OPTIONAL_ANY_30])
def test_stacked_gaps_and_options_cost_linear_in_the_reply(monkeypatch, phrase):
    words = "you sound so tired and nobody is listening to a word you say"
    short = " ".join([words] * 2)  # one unpunctuated run: the worst case for gaps
    long = " ".join([words] * 8)
    base_short = _cost(monkeypatch, "zzzq", short)
    base_long = _cost(monkeypatch, "zzzq", long)
    cost_short = _cost(monkeypatch, phrase, short) - base_short
    cost_long = _cost(monkeypatch, phrase, long) - base_long
    assert cost_long <= 4.5 * max(cost_short, 1)  # 4x the words: about 4x the steps, not 4^14
    assert cost_long < 60 * 32 * len(long.split())  # elements x gap width x words


def test_alternatives_that_overlap_cost_linear_in_the_reply(monkeypatch):
    phrase = " ".join(["(a|a a|a a a)?"] * 8) + " zzzq"  # 8 fit the size limit; 12 are refused below
    assert phrase_problem("en", phrase) is None
    cost_short = _cost(monkeypatch, phrase, " ".join(["a"] * 40))
    cost_long = _cost(monkeypatch, phrase, " ".join(["a"] * 160))
    assert cost_long <= 4.5 * cost_short


@pytest.mark.parametrize(
    "phrase,why",
    [
        (GAP_99, "a gap ...N spans at most 20 words"),
        (ALTERNATIVES_12, "more than 60 words and signs"),
        (NESTED_3000, "longer than 400 characters"),
        (DIGITS_5000, "longer than 400 characters"),
        ("(" * 8 + "a" + ")" * 8, "more than 6 nested parentheses"),
        ("..." + "9" * 60 + " zzzq", "a gap ...N spans at most 20 words"),
        ("x " * 300, "longer than 400 characters"),
        ("(you|", "missing ')'"),
    ],
)
def test_unreadable_phrases_say_why(phrase, why):
    assert why in (phrase_problem("en", phrase) or "")
    with pytest.raises(ParameterError, match="scoring script: cues.extra_phrases.en.mirror: bad pattern"):
        detect_cues(Transcript("hello", "en"), TurnContext("en", ("x",)), extra_phrases={"mirror": [phrase]})


def test_the_shipped_lexicons_fit_the_limits():
    for code in ("en", "ru"):
        assert lexicon(code).rules  # compiled through the same checks


def _script(tmp_path, phrases: list[str]):
    items = "\n".join(f"        - {p!r}" for p in phrases)
    path = tmp_path / "my_course.yaml"
    path.write_text(f"version: 1\ncues:\n  extra_phrases:\n    en:\n      emotional_label:\n{items}\n", encoding="utf-8")
    return path


def test_a_bad_phrase_is_reported_at_its_line_in_the_users_script_when_it_loads(tmp_path):
    path = _script(tmp_path, ["you sound ... tired", GAP_99, NESTED_3000])
    with pytest.raises(ScenarioError) as err:
        load_script(path)
    text = str(err.value)
    assert f"{path}:7:" in text and "a gap ...N spans at most 20 words" in text
    assert f"{path}:8:" in text and "longer than 400 characters" in text
    assert "cues.yaml:" not in text and "Traceback" not in text  # reported against his file, not ours
    assert len(err.value.problems) == 2  # the good phrase is fine


def test_hostile_but_bounded_phrases_load(tmp_path):
    script = load_script(_script(tmp_path, [GAPS_14, OPTIONAL_ANY_30]))
    assert script.extra_phrases("en")["emotional_label"] == (GAPS_14, OPTIONAL_ANY_30)


def test_eval_cues_refuses_a_bad_script_before_reading_replies(tmp_path, capsys):
    labelled = tmp_path / "replies.jsonl"
    labelled.write_text('{"ctx": "Nobody listens.", "reply": "You sound tired.", "cues": ["emotional_label"]}\n')
    script = _script(tmp_path, [GAP_99])
    assert main(["eval-cues", str(labelled), "--script", str(script)]) != 0
    err = capsys.readouterr().err
    assert f"{script}:6:" in err and "Traceback" not in err


def _calls(run) -> int:
    """Python function calls (generator resumes included) inside the cue detector while ``run()``."""
    import sys

    count = [0]
    package = str(Path(cues_package.__file__).parent)

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(package):
            count[0] += 1

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return count[0]


def test_detection_cost_is_linear_in_reply_length():
    """eval-cues on a 20,000-sentence reply grew quadratically; count the work done."""
    sentence = "You sound exhausted. What happened then? I hear you, tell me more. Okay. Nobody is coming in, you have my word. "
    context = TurnContext("en", ("I haven't slept in days and nobody listens.",))
    detect_cues(Transcript(sentence, "en"), context)  # load the lexicon first
    small = _calls(lambda: detect_cues(Transcript(sentence * 40, "en"), context))
    large = _calls(lambda: detect_cues(Transcript(sentence * 160, "en"), context))
    assert large <= 4.4 * small, (small, large)
