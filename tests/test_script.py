"""The scoring script: the shipped default, instructor edits, and the errors they get."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from voicedrill.errors import ScenarioError
from voicedrill.scoring import CUE_NAMES, load_script
from voicedrill.scoring.names import TEXT_CUES
from voicedrill.scoring.script import DEFAULT_SCRIPT, ScoringScript, schema_paths
from voicedrill.yamlsafe import load_yaml


def _leaf_paths(data, prefix=()):
    """Every leaf key path in a loaded YAML mapping (mappings are walked, the rest are leaves)."""
    out = []
    for key, value in data.items():
        if isinstance(value, dict) and value:
            out.extend(_leaf_paths(value, prefix + (key,)))
        else:
            out.append(prefix + (key,))
    return out


def _write(tmp_path, text: str, name: str = "course.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused_with(tmp_path, text: str, *expected: str) -> None:
    """Loading ``text`` as a scoring script is refused, its problems naming each of ``expected``."""
    with pytest.raises(ScenarioError) as err:
        load_script(_write(tmp_path, text))
    problems = "\n".join(err.value.problems)
    missing = [e for e in expected if e not in problems]
    assert not missing, f"{missing} not in:\n{problems}"


def test_the_shipped_default_validates():
    script = load_script()
    assert isinstance(script, ScoringScript)
    assert script.path == DEFAULT_SCRIPT
    assert re.fullmatch(r"[0-9a-f]{16}", script.hash)
    assert script.to_yaml_text() == DEFAULT_SCRIPT.read_text(encoding="utf-8")
    assert set(script.cues.weights) == set(CUE_NAMES)
    assert set(script.agitation.cues) == set(CUE_NAMES)
    assert script.agitation.cue_effect("emotional_label") < 0 < script.agitation.cue_effect("calm_down")
    assert script.listening.end_of_turn_silence == 1.5
    assert script.effective_pause.min_seconds < script.listening.end_of_turn_silence
    assert script.extra_phrases("en") == {} and script.extra_phrases("ru") == {}


def test_the_default_has_exactly_the_keys_the_format_knows():
    doc = load_yaml(DEFAULT_SCRIPT)
    in_file = set(_leaf_paths(doc.data))
    # extra_phrases.<lang> are empty mappings in the default: they are leaves there
    assert in_file == set(schema_paths())


@pytest.mark.parametrize("path", schema_paths(), ids=lambda p: ".".join(map(str, p)))
def test_every_key_in_the_default_is_read_by_the_loader(path, tmp_path):
    """Changing any one key of the default changes the loaded script."""
    data = copy.deepcopy(load_yaml(DEFAULT_SCRIPT).data)
    node = data
    for key in path[:-1]:
        node = node[key]
    old = node[path[-1]]
    if isinstance(old, bool):
        new = not old
    elif isinstance(old, (int, float)):
        new = {1: 1}.get(old) if path == ("version",) else (old * 0.9 if old else 0.01)
        if path[-1] in ("min_words_for_rate",) or (type(old) is int and path != ("version",)):
            new = old + 1
    elif isinstance(old, list):
        new = ["promise"] if "promise" not in old else []
    elif isinstance(old, dict) and path[-1] in ("head_thresholds", "head_veto_thresholds"):
        new = {"mirror": 0.5}
    elif isinstance(old, dict):  # extra_phrases.<language>
        new = {"mirror": ["what I heard is"]}
    else:  # pragma: no cover
        raise AssertionError(f"unexpected value at {path}: {old!r}")
    if path == ("version",):
        return  # a single allowed value: checked by test_version_must_be_known
    node[path[-1]] = new
    changed = load_script(_write(tmp_path, yaml.safe_dump(data, allow_unicode=True)))
    assert changed != load_script(), f"{'.'.join(path)} is not read by the loader"


def test_version_must_be_known(tmp_path):
    with pytest.raises(ScenarioError, match=r"course\.yaml:1:10: version = 2 is out of range"):
        load_script(_write(tmp_path, "version: 2\n"))


def test_a_typo_in_a_key_fails_with_its_location_and_the_fix(tmp_path):
    path = _write(tmp_path, "cues:\n  weights:\n    miror: 0.5\n")
    with pytest.raises(ScenarioError) as err:
        load_script(path)
    assert err.value.problems == (f"{path}:3:5: unknown key 'miror' in cues.weights (did you mean 'mirror'?)",)
    path = _write(tmp_path, "listenning:\n  end_of_turn_silence: 2\n")
    with pytest.raises(ScenarioError, match=r":1:1: unknown key 'listenning' in \(top level\) \(did you mean 'listening'\?\)"):
        load_script(path)


def test_wrong_types_are_rejected_all_at_once(tmp_path):
    text = (
        "cues:\n"
        "  weights:\n"
        "    mirror: lots\n"          # 4
        "  forbidden: threat\n"       # 5
        "effective_pause:\n"
        "  before_reply: 1\n"         # 7
        "listening:\n"
        "  end_of_turn_silence: [1]\n"  # 9
        "turn_score:\n"
        "  min_words_for_rate: 2.5\n"   # 11
    )
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_script(path)
    problems = err.value.problems
    assert len(problems) == 5, problems
    lines = [int(p.split(":")[1]) for p in problems]
    assert lines == [3, 4, 6, 8, 10]
    assert "cues.weights.mirror must be a number of points, not text ('lots')" in problems[0]
    assert "cues.forbidden must be a list of cue names" in problems[1] and "[threat, promise]" in problems[1]
    assert "true or false" in problems[2]
    assert "a number of seconds, not a list" in problems[3]
    assert "a whole number" in problems[4]


def test_values_out_of_range_and_unknown_cues(tmp_path):
    text = "cues:\n  forbidden: [threat, calmdown]\n  forbidden_cap: 150\nagitation:\n  silence: 3\n"
    _refused_with(
        tmp_path,
        text,
        "unknown cue 'calmdown' (did you mean 'calm_down'?)",
        "cues.forbidden_cap = 150 is out of range (use a value in 0..100 turn points)",
        "agitation.silence = 3 is out of range",
    )


def test_rules_across_keys(tmp_path):
    text = (
        "targets:\n  latency_seconds: {low: 4, high: 2, tolerance: 1}\n"
        "effective_pause:\n  min_seconds: 6\n"
        "calm:\n  pitch_shift_st: {ok: 5, worst: 2, weight: 1}\n"
        "listening:\n  no_reply_timeout: 1\n"
    )
    _refused_with(
        tmp_path,
        text,
        "low (4) is above high (2)",
        "min_seconds must be below max_seconds",
        "ok (5) must be below worst (2)",
        "no_reply_timeout must be longer than end_of_turn_silence",
    )


def test_a_partial_script_keeps_the_default_for_the_rest(tmp_path):
    path = _write(tmp_path, "cues:\n  weights:\n    mirror: 0\n  forbidden: [promise, threat]\n")
    script = load_script(path)
    default = load_script()
    assert script.weight("mirror") == 0.0
    assert script.weight("paraphrase") == default.weight("paraphrase")
    assert script.cues.forbidden == ("promise", "threat")
    assert script.targets == default.targets and script.calm == default.calm
    assert script.path == path and script.hash != default.hash
    assert script.text == path.read_text(encoding="utf-8")


def test_the_hash_is_of_the_file_bytes(tmp_path):
    import hashlib

    a = _write(tmp_path, "drill:\n  worst_turn_share: 0.5\n", "a.yaml")
    b = _write(tmp_path, "drill:\n  worst_turn_share: 0.5   # same values, other bytes\n", "b.yaml")
    sa, sb = load_script(a), load_script(b)
    assert sa == sb  # same rules
    assert sa.hash == hashlib.sha256(a.read_bytes()).hexdigest()[:16] != sb.hash
    assert load_script("stored.yaml", text=a.read_text()).hash == sa.hash


def test_extra_phrases_per_language(tmp_path):
    text = (
        "cues:\n  extra_phrases:\n"
        "    en:\n      emotional_label: ['sounds like you are fed up', 'you seem   worn out']\n"
        "      minimal_encourager: roger that\n"
        "    ru:\n      emotional_label: ['похоже, вы на пределе']\n"
    )
    script = load_script(_write(tmp_path, text))
    assert script.extra_phrases("en")["emotional_label"] == ("sounds like you are fed up", "you seem worn out")
    assert script.extra_phrases("en")["minimal_encourager"] == ("roger that",)
    assert script.extra_phrases("ru") == {"emotional_label": ("похоже, вы на пределе",)}
    assert all(name in TEXT_CUES for name in script.extra_phrases("en"))


def test_extra_phrases_must_name_text_cues_and_known_languages(tmp_path):
    text = (
        "cues:\n  extra_phrases:\n"
        "    de: {}\n"
        "    en:\n      effective_pause: ['...']\n      mirror: [1, '']\n"
    )
    _refused_with(
        tmp_path,
        text,
        "unknown key 'de' in cues.extra_phrases",
        "unknown key 'effective_pause' in cues.extra_phrases.en",
        "cues.extra_phrases.en.mirror[0] must be text",
        "empty phrase",
    )


def test_broken_yaml_missing_file_and_code_tags(tmp_path):
    with pytest.raises(ScenarioError, match=r"course\.yaml:3:1: broken YAML.*started at line 2, column 12"):
        load_script(_write(tmp_path, "cues:\n  weights: {mirror: 1\n"))
    with pytest.raises(ScenarioError, match="no such scoring script"):
        load_script(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError, match="not allowed"):
        load_script(_write(tmp_path, "drill: !!python/object/apply:os.system ['echo hi']\n"))
    with pytest.raises(ScenarioError, match="must be a mapping"):
        load_script(_write(tmp_path, "- just\n- a list\n"))


def test_an_empty_script_is_the_default_rules(tmp_path):
    script = load_script(_write(tmp_path, "# nothing changed\n"))
    assert script == load_script()
