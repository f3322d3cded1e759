"""yamlsafe: safe loading with file:line:column locations, and problem collection."""

from __future__ import annotations

import re

import pytest

from voicedrill.errors import ScenarioError
from voicedrill.yamlsafe import Location, Problems, dotted, load_yaml, type_name

TEXT = """\
title: Barricade
weights:
  mirror: 1
  paraphrase: 2
targets:
  latency: [0.5, 'x']
flag: yes
"""


def test_locations_of_keys_and_values():
    doc = load_yaml("s.yaml", text=TEXT)
    assert doc.data["weights"] == {"mirror": 1, "paraphrase": 2}
    assert doc.where(("weights", "paraphrase"), key=True) == Location("s.yaml", 4, 3)
    assert doc.where(("weights", "paraphrase")) == Location("s.yaml", 4, 15)
    assert str(doc.where(("targets", "latency", 1))) == "s.yaml:6:18"
    # a missing path falls back to its nearest ancestor
    assert doc.where(("weights", "nothing", "deeper")) == doc.where(("weights",))
    assert doc.where(("absent",)) == Location("s.yaml", 1, 1)


def test_reads_files_and_reports_missing_ones(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\nb: [1, 2]\n", encoding="utf-8")
    doc = load_yaml(path)
    assert doc.data == {"a": 1, "b": [1, 2]} and doc.name == str(path)
    with pytest.raises(ScenarioError, match="no such file"):
        load_yaml(tmp_path / "missing.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("a: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match="UTF-8"):
        load_yaml(bad)


def test_empty_document_is_none():
    assert load_yaml("e.yaml", text="").data is None
    assert load_yaml("e.yaml", text="# only a comment\n").data is None


def test_duplicate_keys_are_refused_with_both_lines():
    with pytest.raises(ScenarioError) as err:
        load_yaml("d.yaml", text="a: 1\nb:\n  c: 1\n  c: 2\n")
    assert re.match(r"d\.yaml:4:3: duplicate key 'c' \(first given at line 3", str(err.value))


def test_syntax_error_has_location_and_hint():
    with pytest.raises(ScenarioError) as err:
        load_yaml("b.yaml", text="a: [1, 2\nb: 3\n")
    assert str(err.value).startswith("b.yaml:2:")
    assert "broken YAML" in str(err.value) and "indentation" in str(err.value)
    assert len(err.value.problems) == 1


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['true']", "!!python/name:os.system"])
def test_code_tags_are_refused(tag):
    with pytest.raises(ScenarioError, match="not allowed"):
        load_yaml("t.yaml", text=f"a: {tag}\n")


def test_problems_are_collected_sorted_and_raised_together():
    doc = load_yaml("s.yaml", text=TEXT)
    p = Problems(doc)
    assert not p
    p.check_keys(doc.data, (), {"title", "weights", "targets", "flags"}, required={"listening"})
    p.check_keys(doc.data["weights"], ("weights",), {"mirror", "paraphrase"})
    p.number(doc.data["targets"]["latency"][1], ("targets", "latency", 1))
    p.number(doc.data["targets"]["latency"][0], ("targets", "latency", 0), low=1, high=3, unit="seconds")
    p.expect(doc.data["flag"], ("flag",), (int, float), "a number")
    assert len(p) == 5
    with pytest.raises(ScenarioError) as err:
        p.raise_if_any("scoring script")
    problems = err.value.problems
    assert problems == tuple(sorted(problems, key=lambda s: tuple(int(x) for x in s.split(":")[1:3])))
    text = "\n".join(problems)
    assert "s.yaml:7:1: unknown key 'flag' in (top level) (did you mean 'flags'?)" in text
    assert "s.yaml:1:1: missing key 'listening'" in text
    assert "s.yaml:6:18: targets.latency[1] must be a number, not text ('x') (make item 2 of this list a number)" in text
    assert "s.yaml:6:13: targets.latency[0] = 0.5 is out of range (use a value in 1..3 seconds)" in text
    assert "s.yaml:7:7: flag must be a number, not true/false" in text
    assert str(err.value).startswith("s.yaml: 5 problems in this scoring script:")


def test_unknown_key_without_close_match_lists_known_keys():
    doc = load_yaml("u.yaml", text="zzz: 1\n")
    p = Problems(doc)
    p.check_keys(doc.data, (), {"alpha", "beta"})
    assert p.items == ["u.yaml:1:1: unknown key 'zzz' in (top level) (known keys here: alpha, beta)"]


def test_bool_is_not_a_number_and_mapping_check_on_wrong_type():
    doc = load_yaml("b.yaml", text="a: true\nb: [1]\n")
    p = Problems(doc)
    assert p.number(doc.data["a"], ("a",)) is None
    assert p.expect(doc.data["a"], ("a",), bool, "true or false") is True
    assert p.check_keys(doc.data["b"], ("b",), {"x"}) is False
    assert any("b must be a mapping" in s for s in p.items)


def test_helpers():
    assert dotted(("targets", "latency", 0)) == "targets.latency[0]"
    assert dotted(()) == "(top level)"
    assert type_name(None) == "nothing (null)"
    assert type_name([1]) == "a list"
    assert type_name(True) == "true/false"


def test_control_characters_are_one_located_error(tmp_path):
    from voicedrill.errors import ScenarioError
    from voicedrill.yamlsafe import load_yaml

    with pytest.raises(ScenarioError, match=r"script.yaml:2:5: broken YAML"):
        load_yaml("script.yaml", text="a: 1\nb: x\x07y\n")


def test_an_alias_bomb_is_refused_quickly():
    from voicedrill.errors import ScenarioError
    from voicedrill.yamlsafe import load_yaml

    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 8):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(ScenarioError, match="expands to more than"):
        load_yaml("bomb.yaml", text="\n".join(lines))


# --- hostile files: depth, long numbers, NaN/inf ------------------------------------------------


def test_nesting_deeper_than_the_limit_is_refused_with_its_place():
    from voicedrill.yamlsafe import MAX_DEPTH

    ok = "x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"  # the mapping is level 1
    assert load_yaml("ok.yaml", text=ok).data is not None
    for text in ("x: " + "[" * 1500 + "]" * 1500, "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 300))):
        with pytest.raises(ScenarioError, match=r"deep\.yaml:\d+:\d+: lists and mappings are nested more than 50"):
            load_yaml("deep.yaml", text=text)


def test_numbers_too_long_and_non_finite_are_refused_where_they_stand():
    with pytest.raises(ScenarioError, match=r"n\.yaml:2:4: a number with 5000 characters is too long"):
        load_yaml("n.yaml", text="a: 1\nb: " + "9" * 5000 + "\n")
    for word in (".nan", ".NaN", ".inf", "-.Inf", "1.0e+999"):
        with pytest.raises(ScenarioError, match=r"f\.yaml:1:4: '.*' is not a finite number"):
            load_yaml("f.yaml", text=f"a: {word}\n")
    doc = load_yaml("q.yaml", text="a: '.nan'\nb: \"" + "9" * 500 + "\"\nc: 1e5\nd: 12345678901234567890\n")
    assert doc.data == {"a": ".nan", "b": "9" * 500, "c": "1e5", "d": 12345678901234567890}  # quoted stays text


def test_problems_number_refuses_overflow_and_non_finite_values():
    doc = load_yaml("p.yaml", text="a: 1\n")
    p = Problems(doc)
    assert p.number(10 ** 400, ("a",)) is None and p.number(float("nan"), ("a",)) is None
    assert p.number(0.5, ("a",), low=0, high=1) == 0.5
    assert any("far too large" in i for i in p.items) and any("not a finite number" in i for i in p.items)


def test_did_you_mean_is_one_helper():
    from voicedrill.suggest import closest, did_you_mean

    assert closest("titel", ["title", "id"]) == "title"
    assert did_you_mean("zzz", ["title"], "known: title") == "known: title"
    assert did_you_mean("nodse", ["nodes"]) == "did you mean 'nodes'?"
