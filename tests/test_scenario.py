"""Scenario format: loading, validation with exact locations, finding and listing, the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures_scenario import MINIMAL
from voicedrill.errors import ParameterError, ScenarioError
from voicedrill.scenario import (
    MAX_LINE_CHARS,
    check_file,
    cue_names,
    find_scenario,
    list_scenarios,
    load_scenario,
    parse_scenario,
)

ROOT = Path(__file__).resolve().parents[1]
BAD = Path(__file__).resolve().parent / "data" / "bad_scenarios"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


# --- the format --------------------------------------------------------------


def test_minimal_scenario_parses_into_frozen_records():
    s = parse_scenario(MINIMAL, "minimal.yaml")
    assert (s.id, s.title, s.language, s.start_node) == ("minimal", "A small valid scenario", "en", "door")
    assert [n.id for n in s.nodes] == ["door", "talk"]
    door = s.node("door")
    assert door.lines.calm == ("Who is it?",)
    assert door.lines.explosive == ("Go away!", "I said go away!")
    assert door.lines.for_band("tense") == ("Go away!", "I said go away!")  # nearest band
    assert door.transitions[0].when.cues_any == ("emotional_label",)
    assert door.transitions[0].when.agitation_below == 0.6
    assert door.transitions[1].end == "surrender"
    assert door.transitions[-1].when is None and door.transitions[-1].to == "door"
    assert s.node("talk").terminal and s.node("talk").outcome == "surrender"
    assert s.perpetrator.hooks[0].effect == pytest.approx(-0.1)
    assert s.outcome("surrender").result == "good"
    assert s.limits.max_turns == 8 and s.limits.outcome == "time_limit"
    with pytest.raises(Exception):
        s.id = "other"  # frozen


def test_trainee_reply_paths_and_silence():
    s = parse_scenario(MINIMAL)
    assert s.trainee_paths == ("good", "poor")
    assert s.trainee_reply("good", "door") == "It sounds like you are exhausted."
    assert s.trainee_reply("poor", "door") is None  # scripted silence
    assert s.trainee_reply("good", "talk") is None  # terminal node: no reply
    with pytest.raises(ParameterError, match="no trainee path 'great'"):
        s.trainee_reply("great", "door")
    with pytest.raises(ParameterError, match="no node 'attic'"):
        s.trainee_reply("good", "attic")


def test_cue_names_are_the_scorers():
    from voicedrill.scoring.names import CUE_NAMES

    assert cue_names() == tuple(CUE_NAMES)
    assert len(cue_names()) == 23


def test_yaml_is_data_never_code(tmp_path):
    marker = tmp_path / "pwned"
    text = MINIMAL.replace("title: A small valid scenario",
                           f'title: !!python/object/apply:os.system ["touch {marker}"]')
    with pytest.raises(ScenarioError, match="not allowed"):
        parse_scenario(text, "evil.yaml")
    assert not marker.exists()


def test_every_problem_is_reported_at_once():
    text = MINIMAL.replace("language: en", "language: de").replace("to: talk", "to: hall").replace(
        "[emotional_label]", "[emotion]")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "many.yaml")
    problems = err.value.problems
    assert len(problems) == 4, problems  # language, unknown cue, unknown node, talk unreachable
    assert all(re.match(r"^many\.yaml:\d+:\d+: ", p) for p in problems)
    assert len(re.findall(r"many\.yaml:\d+:\d+:", str(err.value))) == 4  # all in the message


# --- the malformed corpus: every rule, exact locations -------------------------

# file -> [(line, column, a fragment of the message)] -- exactly these problems.
EXPECTED = {
    "unknown_keys.yaml": [
        (3, 1, "unknown key 'titel'"),
        (8, 48, "unknown key 'temper' in perpetrator"),
        (13, 5, "unknown key 'transitons' in nodes[0] (did you mean 'transitions'?)"),
        (16, 16, "unknown key 'cue_any'"),
        (20, 44, "unknown key 'angry' in nodes[1].lines"),
        (24, 78, "unknown key 'score' in outcomes.time_limit"),
    ],
    "wrong_types.yaml": [
        (5, 11, "briefing must be text, not a list"),
        (7, 19, "voice.rate_wpm must be a number"),
        (8, 43, "perpetrator.start_agitation must be a number, not text ('high')"),
        (9, 21, "limits.max_turns must be a whole number"),
        (14, 24, "when.silent must be true or false"),
        (16, 60, "turn_at_least must be a whole number, not 2.5"),
        (22, 9, "nodes[2].id must be a node id"),
    ],
    "missing_ids.yaml": [
        (1, 1, "missing key 'briefing'"),
        (13, 5, "missing key 'id' in nodes[1]"),
    ],
    "duplicate_ids.yaml": [
        (14, 9, "duplicate node id 'door' (first used at line 10)"),
    ],
    "unknown_targets.yaml": [
        (12, 33, "no outcome with id 'timeout'"),
        (13, 8, "no node with id 'front_door'"),
        (19, 13, "no node with id 'tlak' (did you mean 'talk'?)"),
        (20, 28, "no hook named 'daughter'"),
        (21, 14, "no outcome with id 'victory'"),
        (25, 14, "no outcome with id 'surender' (did you mean 'surrender'?)"),
    ],
    "unknown_cues.yaml": [
        (9, 10, "unknown key 'emotional_labeling' in agitation.cues (did you mean 'emotional_label'?)"),
        (15, 44, "unknown cue 'empathy'"),
        (15, 77, "unknown cue 'shouting'"),
    ],
    "graph_problems.yaml": [
        (16, 9, "from node 'loop_a' no path leads to an outcome"),
        (20, 9, "from node 'loop_b' no path leads to an outcome"),
        (24, 9, "node 'island' cannot be reached from the start node 'door'"),
    ],
    "no_default.yaml": [
        (12, 5, "no default transition"),
        (21, 9, "comes after the default one"),
        (26, 5, "a node with an outcome ends the drill and cannot have transitions"),
        (28, 5, "node 'stuck' has neither transitions nor an outcome"),
        (28, 9, "node 'stuck' cannot be reached"),
    ],
    "bad_lines.yaml": [
        (12, 13, "nodes[0].lines.calm is empty"),
        (13, 29, "nodes[0].lines.tense[1] is 475 characters, too long to speak"),
        (14, 18, "has Cyrillic letters but the scenario's language is en"),
        (16, 13, "nodes[0].trainee.good is empty"),
        (23, 12, "nodes[1].lines is an empty list"),
    ],
    "bad_agitation.yaml": [
        (9, 20, "perpetrator.start_agitation = 1.5 is out of range"),
        (10, 9, "perpetrator.rise = -1 is out of range"),
        (12, 46, "perpetrator.triggers[0].raise = 2 is out of range"),
        (15, 10, "band tense (0.8) must start below explosive (0.5)"),
        (16, 19, "agitation.cues.promise = 3 is out of range"),
        (17, 21, "limits.max_turns = 0 is out of range"),
        (22, 33, "when.agitation_above = 2 is out of range"),
        (24, 55, "agitation can never be above 0.6 and below 0.3"),
        (26, 29, "when.score_above = 150 is out of range"),
        (33, 23, "result 'great' is not one of good, bad, neutral"),
    ],
    "bad_language.yaml": [
        (3, 11, "language 'fr' is not supported (use one of: en, ru)"),
    ],
    "wrong_alphabet.yaml": [
        (11, 12, "nodes[0].lines is not in Russian"),
        (12, 64, "nodes[0].trainee.poor is not in Russian"),
    ],
    "structure.yaml": [
        (1, 5, "'Bad Id!' is not a valid scenario id"),
        (6, 17, "learning_goals is an empty list"),
        (9, 9, "format 2 is not supported"),
        (14, 15, "'when' is empty"),
        (16, 9, "needs exactly one of 'to: <node id>' or 'end: <outcome id>'"),
        (18, 9, "needs exactly one of 'to: <node id>' or 'end: <outcome id>'"),
        (20, 5, "nodes[1] must be a mapping"),
        (24, 5, "no trainee reply is heard here"),
        (26, 14, "missing key 'debrief' in outcomes.surrender"),
    ],
    "syntax_error.yaml": [(7, 1, "broken YAML")],
    "duplicate_key.yaml": [(3, 1, "duplicate key 'title' (first given at line 2")],
    "python_tag.yaml": [(2, 8, "tags such as !!python/... are not allowed")],
    "top_level_list.yaml": [(1, 1, "must be a mapping")],
    "empty.yaml": [(1, 1, "the file is empty")],
    "alias_bomb.yaml": [(1, 1, "expands to more than 100000 values through aliases")],
}


def test_corpus_is_fully_covered():
    assert sorted(EXPECTED) == sorted(p.name for p in BAD.glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_scenario_reports_exact_locations(name):
    path = BAD / name
    problems = check_file(path)
    got = []
    for p in problems:
        m = re.match(r"^(.*):(\d+):(\d+): (.*)$", p, re.S)
        assert m, f"not file:line:column: {p!r}"
        assert m.group(1) == str(path)
        got.append((int(m.group(2)), int(m.group(3)), m.group(4)))
    assert len(got) == len(EXPECTED[name]), "\n".join(problems)
    for (line, col, fragment), (gline, gcol, msg) in zip(EXPECTED[name], got):
        assert (gline, gcol) == (line, col) and fragment in msg, f"expected {line}:{col} {fragment!r}, got {gline}:{gcol} {msg!r}"
    for _, _, msg in got:  # every problem carries a hint in parentheses
        assert msg.rstrip().endswith(")") or "must be a mapping" in msg, msg


def test_every_validation_rule_has_a_case_in_the_corpus():
    text = "\n".join(f for fs in EXPECTED.values() for _, _, f in fs)
    for rule in ("unknown key", "must be", "missing key 'id'", "duplicate node id", "no node with id",
                 "unknown cue", "cannot be reached", "no path leads to an outcome", "no default transition",
                 "is empty", "too long to speak", "out of range", "language 'fr' is not supported",
                 "no outcome with id", "broken YAML", "duplicate key", "not allowed", "through aliases"):
        assert rule in text, rule


def test_long_line_limit_is_checked_at_the_boundary():
    ok = "a" * (MAX_LINE_CHARS - 1)
    parse_scenario(MINIMAL.replace('"Who is it?"', f'"{ok}"'))
    with pytest.raises(ScenarioError, match="too long to speak"):
        parse_scenario(MINIMAL.replace('"Who is it?"', f'"{ok}aa"'))


def test_errors_name_the_file_and_keep_going(tmp_path):
    f = tmp_path / "two.yaml"
    f.write_text(MINIMAL.replace("start_agitation: 0.5", "start_agitation: 5").replace("title: A small valid scenario", "title: \"\""),
                 encoding="utf-8")
    problems = check_file(f)
    assert len(problems) == 2 and all(p.startswith(f"{f}:") for p in problems)


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(ScenarioError, match="no such"):
        load_scenario(tmp_path / "nope.yaml")
    f = tmp_path / "latin1.yaml"
    f.write_bytes("title: caf\xe9\n".encode("latin-1"))
    assert "UTF-8" in check_file(f)[0]


# --- garbage never crashes the validator --------------------------------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                     st.text(max_size=30))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)), max_leaves=25)


def _only_scenario_errors(text: str) -> None:
    try:
        parse_scenario(text, "garbage.yaml")
    except ScenarioError as e:
        assert e.problems and all(p.startswith("garbage.yaml:") for p in e.problems), e.problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text_never_crashes_the_validator(text):
    _only_scenario_errors(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_values)
def test_random_yaml_structures_never_crash_the_validator(value):
    _only_scenario_errors(yaml.safe_dump(value, allow_unicode=True))


_MINIMAL_DATA = yaml.safe_load(MINIMAL)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


_ALL_PATHS = [p for p in _paths(_MINIMAL_DATA) if p]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_ALL_PATHS), st.one_of(st.just("<delete>"), _values)), min_size=1, max_size=4))
def test_mutated_scenarios_never_crash_the_validator(mutations):
    import copy

    data = copy.deepcopy(_MINIMAL_DATA)
    for path, new in mutations:
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            if new == "<delete>":
                del parent[path[-1]]
            else:
                parent[path[-1]] = new
        except (KeyError, IndexError, TypeError):
            continue
    _only_scenario_errors(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


# --- finding and listing ---------------------------------------------------------


def test_find_and_load_shipped_by_id():
    path = find_scenario("barricaded_subject")
    assert path.name == "barricaded_subject.yaml" and path.is_file()
    s = load_scenario("barricaded_subject")
    assert s.id == "barricaded_subject" and s.path == path.resolve()
    assert load_scenario("barricaded_subject") is s  # cached while the file is unchanged


def test_unknown_id_suggests_a_close_one(tmp_path):
    with pytest.raises(ScenarioError, match="Did you mean 'barricaded_subject'"):
        find_scenario("barricaded_subjct", data_dir=tmp_path)


def test_user_folder_scenarios_are_found_listed_and_can_replace_shipped(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "kitchen.yaml").write_text(MINIMAL.replace("id: minimal", "id: kitchen"), encoding="utf-8")
    (folder / "odd_name.yaml").write_text(MINIMAL.replace("id: minimal", "id: hallway"), encoding="utf-8")
    (folder / "barricaded_subject.yaml").write_text(
        MINIMAL.replace("id: minimal", "id: barricaded_subject").replace("A small valid", "My own"), encoding="utf-8")
    (folder / "broken.yaml").write_text("id: broken\ntitle: [\n", encoding="utf-8")
    infos = {i.id: i for i in list_scenarios(data_dir=tmp_path)}
    assert infos["kitchen"].source == "user" and infos["kitchen"].nodes == 2
    assert infos["barricaded_subject"].source == "user" and infos["barricaded_subject"].title.startswith("My own")
    assert infos["broken"].problems and not infos["kitchen"].problems
    assert load_scenario("kitchen", data_dir=tmp_path).id == "kitchen"
    assert load_scenario("hallway", data_dir=tmp_path).id == "hallway"  # file name differs from the id
    assert load_scenario("barricaded_subject", data_dir=tmp_path).title.startswith("My own")


# --- the CLI, as a user runs it ----------------------------------------------------


def _cli(*args, data_dir):
    env = {**os.environ, "VOICEDRILL_DATA": str(data_dir)}
    return subprocess.run([PYTHON, "-m", "voicedrill", "scenarios", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_cli_validate_bad_files_lists_locations_without_traceback(tmp_path):
    files = [str(BAD / "unknown_keys.yaml"), str(BAD / "graph_problems.yaml")]
    r = _cli("validate", *files, data_dir=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    located = [ln for ln in r.stdout.splitlines() if re.match(r"^.+\.yaml:\d+:\d+: ", ln)]
    assert len(located) == 9
    assert f"{files[0]}:3:1: unknown key 'titel'" in r.stdout


def test_cli_validate_good_file_and_missing_file(tmp_path):
    r = _cli("validate", str(ROOT / "voicedrill" / "scenarios" / "barricaded_subject.yaml"), data_dir=tmp_path)
    assert r.returncode == 0 and r.stdout.strip().endswith(": ok")
    r = _cli("validate", str(tmp_path / "missing.yaml"), data_dir=tmp_path)
    assert r.returncode == 1 and "no such scenario file" in r.stdout and "Traceback" not in r.stderr


def test_cli_list_json(tmp_path):
    r = _cli("list", "--json", data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    items = json.loads(r.stdout)
    assert items and all({"id", "title", "language", "nodes", "outcomes"} <= set(i) for i in items)
    ids = [i["id"] for i in items]
    assert "barricaded_subject" in ids
    b = items[ids.index("barricaded_subject")]
    assert b["nodes"] >= 12 and b["outcomes"] >= 3 and b["language"] == "en"
    r = _cli("list", data_dir=tmp_path)
    assert r.returncode == 0 and "barricaded_subject" in r.stdout


def test_cli_show_and_graph(tmp_path):
    r = _cli("show", "barricaded_subject", data_dir=tmp_path)
    assert r.returncode == 0 and "Briefing:" in r.stdout and "trainee/good:" in r.stdout
    r = _cli("graph", "barricaded_subject", data_dir=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("flowchart TD") and "phone_contact -->" in r.stdout
    r = _cli("graph", "barricaded_subject", "--format", "dot", data_dir=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith('digraph "barricaded_subject"') and r.stdout.rstrip().endswith("}")
    r = _cli("show", "no_such_scenario", data_dir=tmp_path)
    assert r.returncode != 0 and "no scenario 'no_such_scenario'" in r.stderr and "Traceback" not in r.stderr


def test_the_documented_example_is_valid():
    import textwrap

    import voicedrill.scenario as module

    example = textwrap.dedent(module.__doc__.split("::", 1)[1])
    s = parse_scenario(example, "example.yaml")
    assert s.id == "kitchen_knife" and {o.id for o in s.outcomes} == {"surrender", "harmed_self", "time_limit"}
