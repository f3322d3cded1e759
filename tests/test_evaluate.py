"""Precision / recall / F1 against labelled replies, and the ``eval-cues`` command."""

from __future__ import annotations

import json

import pytest

from voicedrill.cli import main
from voicedrill.errors import ParameterError
from voicedrill.scoring.names import TEXT_CUES
from voicedrill.scoring.evaluate import (
    LabelledReply,
    evaluate,
    format_table,
    load_labelled,
    parse_labelled_line,
    reply_language,
)


def write(tmp_path, lines, name="labels.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) if not isinstance(x, str) else x for x in lines) + "\n",
                    encoding="utf-8")
    return path


GOOD = [
    {"ctx": "I'm not coming out.", "reply": "Calm down.", "cues": ["calm_down"]},
    {"ctx": "I'm not coming out.", "reply": "Not coming out?", "cues": ["mirror"]},
    {"ctx": "I'm not coming out.", "reply": "What's going on?", "cues": ["open_question"]},
    {"ctx": "They took my kids.", "reply": "My name is Sam.", "cues": []},
]


# --------------------------------------------------------------------------- reading files


def test_load_labelled_reads_every_field(tmp_path):
    path = write(tmp_path, GOOD + [
        {"ctx": "c", "reply": "r", "cues": ["summary"], "history": ["a", "b"], "language": "en"},
        "",  # blank lines are skipped
    ])
    items = load_labelled(path)
    assert len(items) == 5
    assert items[0] == LabelledReply("I'm not coming out.", "Calm down.", ("calm_down",), (), None, f"{path}:1", 1)
    assert items[4].history == ("a", "b") and items[4].language == "en"


@pytest.mark.parametrize(
    "line,message",
    [
        ('{"ctx": "x", "reply": "y", "cues": []', "not valid JSON"),
        ('["ctx", "reply"]', "expected an object"),
        ('{"reply": "y", "cues": []}', "missing key 'ctx'"),
        ('{"ctx": "x", "cues": []}', "missing key 'reply'"),
        ('{"ctx": "x", "reply": "y"}', "missing key 'cues'"),
        ('{"ctx": "x", "reply": "", "cues": []}', "'reply' must be non-empty text"),
        ('{"ctx": 3, "reply": "y", "cues": []}', "'ctx' must be text"),
        ('{"ctx": "x", "reply": "y", "cues": "mirror"}', "'cues' must be a list"),
        ('{"ctx": "x", "reply": "y", "cues": ["mirorr"]}', "unknown cue 'mirorr'"),
        ('{"ctx": "x", "reply": "y", "cues": [], "histroy": []}', "unknown key 'histroy'"),
        ('{"ctx": "x", "reply": "y", "cues": [], "history": "a"}', "'history' must be a list"),
        ('{"ctx": "x", "reply": "y", "cues": [], "language": "de"}', "language 'de' is not supported"),
    ],
)
def test_a_broken_line_names_file_line_and_problem(tmp_path, line, message):
    path = write(tmp_path, [GOOD[0], line])
    with pytest.raises(ParameterError) as err:
        load_labelled(path)
    assert str(err.value).startswith(f"{path}:2: ")
    assert message in str(err.value)


def test_missing_or_empty_file(tmp_path):
    with pytest.raises(ParameterError, match="no such labelled file"):
        load_labelled(tmp_path / "nope.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="no labelled replies"):
        load_labelled(empty)


def test_language_comes_from_the_line_then_the_option_then_the_letters():
    ru = parse_labelled_line('{"ctx": "Уходите!", "reply": "Успокойтесь.", "cues": []}', "f:1")
    en = parse_labelled_line('{"ctx": "Go!", "reply": "Calm down.", "cues": [], "language": "en"}', "f:2")
    assert reply_language(ru) == "ru"
    assert reply_language(ru, "en") == "en"
    assert reply_language(en, "ru") == "en"


# --------------------------------------------------------------------------- scores


def test_scores_per_cue_and_micro(tmp_path):
    items = load_labelled(write(tmp_path, GOOD + [
        # labelled but not found (miss) and found but not labelled (extra)
        {"ctx": "I'm not coming out.", "reply": "Relax.", "cues": ["commanding"]},
    ]))
    ev = evaluate(items)
    assert set(ev.per_cue) == set(TEXT_CUES)
    cd = ev.per_cue["calm_down"]
    assert (cd.support, cd.found, cd.true_positives) == (1, 2, 1)
    assert cd.precision == pytest.approx(0.5) and cd.recall == 1.0 and cd.f1 == pytest.approx(2 / 3)
    co = ev.per_cue["commanding"]
    assert (co.support, co.found, co.precision, co.recall, co.f1) == (1, 0, 0.0, 0.0, 0.0)
    # a cue never labelled and never found is perfect
    assert ev.per_cue["threat"].f1 == 1.0 and ev.per_cue["threat"].support == 0
    # micro over all cues: 3 true positives, 1 false positive, 1 miss
    assert ev.micro_precision == pytest.approx(3 / 4)
    assert ev.micro_recall == pytest.approx(3 / 4)
    assert ev.micro_f1 == pytest.approx(3 / 4)
    assert [m.where.rsplit(":", 1)[1] for m in ev.mistakes] == ["5"]
    assert ev.mistakes[0].missed == ("commanding",) and ev.mistakes[0].extra == ("calm_down",)
    table = format_table(ev)
    assert "calm_down" in table and "micro" in table and "micro-F1 0.750" in table


def test_effective_pause_labels_are_left_out(tmp_path):
    items = load_labelled(write(tmp_path, [
        {"ctx": "Go away.", "reply": "Mm-hmm.", "cues": ["minimal_encourager", "effective_pause"]},
    ]))
    ev = evaluate(items)
    assert ev.ignored_labels == 1
    assert ev.micro_f1 == 1.0
    assert "effective_pause" not in ev.per_cue
    assert "effective_pause labels ignored" in format_table(ev)


def test_history_feeds_summaries(tmp_path):
    item = {
        "ctx": "And now my girlfriend says she's leaving.",
        "history": ["They cut my hours at the warehouse.", "My car got repossessed on Monday."],
        "reply": "So far: your hours got cut, the car got taken, and now your girlfriend wants to leave. You sound exhausted.",
        "cues": ["summary"],
    }
    with_history = evaluate(load_labelled(write(tmp_path, [item])))
    without = evaluate(load_labelled(write(tmp_path, [{k: v for k, v in item.items() if k != "history"}], "b.jsonl")))
    assert with_history.per_cue["summary"].recall == 1.0
    assert without.per_cue["summary"].recall == 0.0


def test_extra_phrases_are_used_per_language(tmp_path):
    items = load_labelled(write(tmp_path, [
        {"ctx": "I want out.", "reply": "Roger that.", "cues": ["minimal_encourager"]},
        {"ctx": "Выпустите меня.", "reply": "Вас понял, принято.", "cues": ["minimal_encourager"]},
    ]))
    assert evaluate(items).per_cue["minimal_encourager"].recall == 0.0
    phrases = {"en": {"minimal_encourager": ["roger that"]}, "ru": {"minimal_encourager": ["принято"]}}
    ev = evaluate(items, extra_phrases=lambda code: phrases[code])
    assert ev.per_cue["minimal_encourager"].recall == 1.0


# --------------------------------------------------------------------------- the command


def test_eval_cues_prints_a_table(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    assert main(["eval-cues", str(path)]) == 0
    out = capsys.readouterr().out
    assert "precision" in out and "recall" in out and "F1" in out
    assert "calm_down" in out and "micro" in out


def test_eval_cues_json(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    assert main(["eval-cues", str(path), "--json", "--language", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"per_cue", "micro_f1"} <= set(data)
    assert set(data["per_cue"]["mirror"]) >= {"precision", "recall", "f1", "support"}
    assert data["micro_f1"] == 1.0


def test_eval_cues_broken_line_is_one_error_and_nonzero_exit(tmp_path, capsys):
    path = write(tmp_path, [GOOD[0], GOOD[1], '{"ctx": "x", "reply": "y", "cues": ["nope"]}'])
    code = main(["eval-cues", str(path)])
    err = capsys.readouterr().err
    assert code != 0
    assert f"{path}:3:" in err and "unknown cue 'nope'" in err
    assert "Traceback" not in err


def test_eval_cues_with_a_scoring_script(tmp_path, capsys):
    from voicedrill.scoring import load_script

    default = load_script()
    text = default.to_yaml_text()
    marker = "  extra_phrases:\n    en: {}\n"
    assert marker in text, "the default scoring script's extra_phrases block changed; update this test"
    script = tmp_path / "course.yaml"
    script.write_text(text.replace(marker, "  extra_phrases:\n    en:\n      minimal_encourager: [roger that]\n"),
                      encoding="utf-8")
    path = write(tmp_path, [{"ctx": "I want out.", "reply": "Roger that.", "cues": ["minimal_encourager"]}])
    assert main(["eval-cues", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["per_cue"]["minimal_encourager"]["recall"] == 0.0
    assert main(["eval-cues", str(path), "--json", "--script", str(script)]) == 0
    assert json.loads(capsys.readouterr().out)["per_cue"]["minimal_encourager"]["recall"] == 1.0


def test_eval_cues_json_rows_give_every_line_its_judgement(tmp_path, capsys):
    # blank lines count: N is the line number in the file, as an editor shows it
    path = write(tmp_path, [GOOD[0], "", GOOD[1], GOOD[2], GOOD[3]])
    assert main(["eval-cues", str(path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows == [
        {"line": 1, "found": ["calm_down"]},
        {"line": 3, "found": ["mirror"]},
        {"line": 4, "found": ["open_question"]},
        {"line": 5, "found": []},
    ]
    other = write(tmp_path, [GOOD[3]], "more.jsonl")  # several files: each row names its file
    assert main(["eval-cues", str(path), str(other), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0] == {"line": 1, "found": ["calm_down"], "file": str(path)}
    assert rows[-1] == {"line": 1, "found": [], "file": str(other)}


def test_eval_cues_refuses_a_fifo_and_a_device(tmp_path, capsys):
    import os

    fifo = tmp_path / "labels.jsonl"
    os.mkfifo(fifo)  # reading it would block forever
    for path in (fifo, "/dev/null", tmp_path):
        assert main(["eval-cues", str(path)]) == 2
        err = capsys.readouterr().err
        assert f"{path}: " in err and ("not a regular file" in err or "a folder" in err)
        assert "Traceback" not in err


@pytest.mark.parametrize(
    "line,message",
    [
        ('{"ctx": "x", "reply": "y", "cues": [NaN]}', "NaN is not a number"),
        ('{"ctx": "x", "reply": "y", "cues": [], "history": [-Infinity]}', "-Infinity is not a number"),
        ('{"ctx": "x", "reply": "y", "cues": [1e999]}', "out of range"),
        ('{"ctx": "x", "reply": "y", "cues": [' + "7" * 5000 + "]}", "5000-digit number"),
        ("[" * 100_000 + "]" * 100_000, "nested more than"),
        ('{"ctx": ' + "[" * 5000 + "]" * 5000 + "}", "nested more than"),
    ],
)
def test_hostile_json_is_one_clear_message(tmp_path, capsys, line, message):
    path = write(tmp_path, [GOOD[0], line])
    assert main(["eval-cues", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: " in err and message in err
    assert "Traceback" not in err and len(err) < 300


# --------------------------------------------------------------------------- ablation


def test_lexicon_without_leaves_out_exactly_one_entry():
    from voicedrill.scoring.ablate import entries
    from voicedrill.scoring.cues import lexicon
    from voicedrill.scoring.cues.lexicon import lexicon_without

    entry = next(e for e in entries("en") if e.path[:3] == ("cues", "calm_down", "patterns"))
    assert entry.where.startswith("lang/en/cues.yaml:") and int(entry.where.rsplit(":", 1)[1]) > 1
    full, smaller = lexicon("en"), lexicon_without("en", entry.path)
    assert len(smaller.rules["calm_down"].patterns) == len(full.rules["calm_down"].patterns) - 1
    assert len(full.rules["calm_down"].patterns) == len(lexicon("en").rules["calm_down"].patterns)  # cache untouched


def test_ablation_says_what_each_pattern_fixes_and_breaks(tmp_path):
    from voicedrill.scoring.ablate import ablate, format_report

    items = load_labelled(write(tmp_path, [
        {"ctx": "I'm not coming out.", "reply": "Calm down.", "cues": ["calm_down"]},  # right
        {"ctx": "I'm not coming out.", "reply": "Calm down, please.", "cues": []},  # labelled otherwise: wrong
        {"ctx": "I'm not coming out.", "reply": "My name is Sam.", "cues": []},
    ]))
    effects = ablate(items, only=lambda e: e.path[:2] == ("cues", "calm_down"))
    firing = [e for e in effects if e.touched]
    assert firing and all(e.entry.path[:2] == ("cues", "calm_down") for e in effects)
    calm = next(e for e in firing if e.tp_lost)
    assert calm.tp_lost == (f"{tmp_path / 'labels.jsonl'}:1 calm_down",)
    assert calm.fp_removed == (f"{tmp_path / 'labels.jsonl'}:2 calm_down",)
    # without it "Calm down" reads as a command: so it also keeps two commanding false positives away
    assert calm.fp_added == tuple(f"{tmp_path / 'labels.jsonl'}:{n} commanding" for n in (1, 2))
    assert (calm.fixes, calm.breaks) == (3, 1) and calm.touched == 2
    report = format_report(effects, show_all=True)
    assert "entries:" in report and calm.entry.where in report
    assert calm.to_dict()["tp_lost"] == [f"{tmp_path / 'labels.jsonl'}:1 calm_down"]


def test_eval_cues_ablate_command(tmp_path, capsys):
    path = write(tmp_path, [
        {"ctx": "Обещайте!", "reply": "Успокойтесь.", "cues": ["calm_down"]},
        {"ctx": "Go away!", "reply": "Mm-hmm.", "cues": ["minimal_encourager"]},
    ])
    assert main(["eval-cues", str(path), "--ablate", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    langs = {e["language"] for e in data["entries"]}
    assert langs == {"en", "ru"}
    touched = [e for e in data["entries"] if e["touched"]]
    assert {e["where"].split("/")[1] for e in touched} == {"en", "ru"}
    assert any(e["fixes"] for e in touched)
    assert all(set(e) >= {"entry", "pattern", "where", "touched", "fixes", "breaks"} for e in data["entries"])


def test_trap_files_report_unflagged_harmful_replies_and_wrong_model_answers(tmp_path):
    import json as _json

    from voicedrill.scoring.evaluate import evaluate, format_table, load_labelled

    lines = [
        {"ctx": "I'm going to jump!", "reply": "Calm down, you are being ridiculous.", "kind": "harmful",
         "cues": ["calm_down"]},
        {"ctx": "I'm going to jump!", "reply": "Nice weather we're having.", "kind": "harmful",
         "cues": ["minimizing"]},
        {"ctx": "I'm going to jump!", "reply": "You sound exhausted and scared.", "kind": "model",
         "cues": ["emotional_label"]},
        {"ctx": "I'm going to jump!", "reply": "Calm down right now.", "kind": "model", "cues": ["calm_down"]},
    ]
    f = tmp_path / "traps.jsonl"
    f.write_text("\n".join(_json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    items = load_labelled(f)
    assert [i.kind for i in items] == ["harmful", "harmful", "model", "model"]
    ev = evaluate(items)
    assert ev.traps is not None
    assert (ev.traps.harmful, ev.traps.model) == (2, 2)
    assert ev.traps.harmful_unflagged == 1  # small talk: no harmful cue the detector can see
    assert ev.traps.model_wrong == 1  # the "model" answer that says calm down
    assert ev.to_dict()["traps"]["harmful_unflagged_share"] == 0.5
    assert "1/2 harmful replies without a harmful cue" in format_table(ev)
    plain = tmp_path / "plain.jsonl"
    plain.write_text(_json.dumps({"ctx": "a", "reply": "Mm-hmm.", "cues": []}) + "\n", encoding="utf-8")
    assert evaluate(load_labelled(plain)).traps is None and "traps" not in evaluate(load_labelled(plain)).to_dict()


def test_a_trap_line_with_an_unknown_kind_is_refused_by_line(tmp_path):
    from voicedrill.errors import ParameterError
    from voicedrill.scoring.evaluate import load_labelled

    f = tmp_path / "traps.jsonl"
    f.write_text('{"ctx": "a", "reply": "b", "cues": [], "kind": "maybe"}\n', encoding="utf-8")
    with pytest.raises(ParameterError, match=r"traps.jsonl:1: 'kind' must be one of: harmful, model"):
        load_labelled(f)


def test_spoken_sets_carry_their_written_reply_and_voice(tmp_path):
    """A spoken set (scripts/make_spoken.py) keeps "text" and "voice"; the transcript is scored."""
    from voicedrill.scoring.evaluate import load_labelled

    p = tmp_path / "spoken.jsonl"
    p.write_text(
        '{"ctx": "I will jump!", "reply": "go ahead", "cues": ["dare"], '
        '"text": "Go ahead.", "voice": "gmw/en-029"}\n',
        encoding="utf-8",
    )
    (item,) = load_labelled(p)
    assert item.reply == "go ahead"
    # Whisper may hear nothing: an empty transcript is scored (nothing found), not refused
    p.write_text('{"ctx": "I will jump!", "reply": "", "cues": ["dare"], "text": "Go."}\n')
    (item,) = load_labelled(p)
    assert item.reply == "" and set(item.cues) == {"dare"}
    p.write_text('{"ctx": "I will jump!", "reply": "", "cues": ["dare"]}\n')
    with pytest.raises(ParameterError, match="'reply' must be non-empty"):
        load_labelled(p)
