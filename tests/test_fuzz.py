"""Hypothesis fuzzing of everything a user hands voicedrill: scenario YAML, scoring scripts,
labelled JSONL and audio (arrays and files), only through the public loaders.

Each loader must return a result or raise a ``VoicedrillError`` naming the input, never
anything else (a traceback) and never hang: every example runs under Hypothesis'
``deadline`` and the number of examples is sized so the whole file takes well under a
minute on a loaded 2-core machine.
"""

from __future__ import annotations

import math
import os
import string
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicedrill.audio import MAX_PEAK, load_audio, validate_audio
from voicedrill.errors import VoicedrillError
from voicedrill.scenario import Scenario, parse_scenario
from voicedrill.scoring import load_script
from voicedrill.scoring.evaluate import parse_labelled_line
from voicedrill.scoring.script import ScoringScript
from voicedrill.yamlsafe import load_yaml

from .fixtures_scenario import MINIMAL

import scipy.signal  # noqa: E402,F401  (imported once here, not inside the first timed example)

# VOICEDRILL_FUZZ_SCALE=10 explores ten times longer (with fresh random examples) than the suite's run.
_SCALE = float(os.environ.get("VOICEDRILL_FUZZ_SCALE", "1"))
FAST = settings(max_examples=int(60 * _SCALE), deadline=5000, derandomize=_SCALE == 1, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FEW = settings(FAST, max_examples=int(25 * _SCALE))

# --- building blocks --------------------------------------------------------------------------

numbers = st.one_of(
    st.integers(min_value=-10, max_value=10),
    st.integers(min_value=-(10 ** 400), max_value=10 ** 400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.5, -0.0, 1e308, 5e-324]),
)
scalars = st.one_of(numbers, st.booleans(), st.none(), st.text(max_size=20),
                    st.sampled_from(["mirror", "emotional_label", "door", "talk", "good", "calm", ".nan", "~"]))
yaml_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(string.ascii_lowercase + "_", max_size=12), inner, max_size=4)),
    max_leaves=20)

# Text that is YAML-shaped: indentation, flow brackets, anchors, tags, quotes, numbers.
yaml_tokens = st.sampled_from([
    "\n", "  ", ": ", "- ", "[", "]", "{", "}", ", ", "&a ", "*a", "!!str ", "!!python/object ", "'", '"', "#",
    ".nan", ".inf", "-.inf", "1e999", "9" * 120, "0x" + "f" * 30, "~", "null", "yes", "id", "nodes", "lines",
    "perpetrator", "start_agitation", "when", "to", "any_of", "cues_any", "\t", "\x07", "é", "Я", "<<", "?", "|", ">",
])
yaml_text = st.lists(yaml_tokens, max_size=60).map("".join)


def _mutations(base: str) -> st.SearchStrategy[str]:
    """``base`` with a slice replaced by fuzz tokens (keeps most of a valid document)."""
    return st.tuples(st.integers(0, len(base)), st.integers(0, 200), yaml_text).map(
        lambda t: base[: t[0]] + t[2] + base[t[0] + t[1]:])


def _is_clear(e: VoicedrillError, name: str) -> None:
    text = str(e)
    assert text.strip(), "an empty error message"
    assert name in text or "scenario" in text or "script" in text, text[:500]


def _parsed_or_clear(text: str) -> Scenario | None:
    """The scenario ``text`` parses to, or None when it is refused with a clear error."""
    try:
        s = parse_scenario(text, "fuzz.yaml")
    except VoicedrillError as e:
        _is_clear(e, "fuzz.yaml")
        return None
    assert isinstance(s, Scenario)
    return s


# --- scenario YAML -----------------------------------------------------------------------------

@FAST
@given(st.one_of(yaml_text, _mutations(MINIMAL)))
def test_fuzz_scenario_text(text):
    s = _parsed_or_clear(text)
    if s is not None:
        assert 0 <= s.perpetrator.start_agitation <= 1 and math.isfinite(s.perpetrator.start_agitation)


@FAST
@given(st.dictionaries(st.sampled_from(["id", "title", "language", "perpetrator", "limits", "nodes", "outcomes",
                                        "agitation", "briefing", "voice"]), yaml_values, max_size=8))
def test_fuzz_scenario_structure(doc):
    base = yaml.safe_load(MINIMAL)
    base.update(doc)
    text = yaml.safe_dump(base, allow_unicode=True)
    _parsed_or_clear(text)


@FEW
@given(st.integers(1, 3000), st.sampled_from(["[", "{a: ", "- ", "a:\n"]))
def test_fuzz_deep_nesting_is_refused_quickly(depth, opener):
    if opener == "a:\n":
        text = "".join(" " * i + f"k{i}:\n" for i in range(depth)) + " " * depth + "v: 1\n"
    elif opener == "- ":
        text = "".join(" " * (2 * i) + "- \n" for i in range(depth)) + " " * (2 * depth) + "x\n"
    else:
        close = "]" if opener == "[" else "}"
        text = "x: " + opener * depth + ("1" if opener != "[" else "") + close * depth + "\n"
    try:
        load_yaml("deep.yaml", text=text)
    except VoicedrillError as e:
        assert "deep.yaml:" in str(e)
        assert depth > 40, f"a depth of {depth} should load"  # the limit is 50 levels


# --- scoring scripts ------------------------------------------------------------------------

SCRIPT_BASE = "version: 1\ncues:\n  weights:\n    mirror: 1\n  extra_phrases:\n    en:\n      mirror: [\"you said\"]\n"


@FAST
@given(st.one_of(yaml_text, _mutations(SCRIPT_BASE),
                 st.dictionaries(st.sampled_from(["version", "cues", "listening", "targets", "turn_score", "calm",
                                                  "agitation", "drill", "effective_pause"]), yaml_values, max_size=5)
                 .map(lambda d: yaml.safe_dump(d, allow_unicode=True))))
def test_fuzz_scoring_script(text):
    try:
        script = load_script(text=text)
    except VoicedrillError as e:
        assert str(e).strip()
        return
    assert isinstance(script, ScoringScript)
    for cue in ("mirror", "emotional_label", "why_question"):
        assert math.isfinite(script.weight(cue))


@FEW
@given(st.lists(st.sampled_from(["(", ")", "|", "?", "*", "...", "a", "b ", "99", "<x>", " "]), max_size=40).map("".join))
def test_fuzz_extra_phrases_load_or_are_refused(phrase):
    text = f"version: 1\ncues:\n  extra_phrases:\n    en:\n      mirror: [{yaml.safe_dump(phrase).splitlines()[0]}]\n"
    try:
        load_script(text=text)
    except VoicedrillError as e:
        assert str(e).strip()


# --- labelled JSONL (eval-cues) -------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10 ** 30), 10 ** 30), st.floats(allow_nan=False),
              st.text(max_size=30)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=15)


@FAST
@given(st.one_of(
    st.text(max_size=200),
    json_values.map(lambda v: __import__("json").dumps(v)),
    st.fixed_dictionaries({"ctx": json_values, "reply": json_values, "cues": json_values},
                          optional={"history": json_values, "lang": json_values})
    .map(lambda v: __import__("json").dumps(v)),
))
def test_fuzz_labelled_jsonl_line(raw):
    try:
        parse_labelled_line(raw, "fuzz.jsonl:1")
    except VoicedrillError as e:
        assert "fuzz.jsonl:1" in str(e)


# --- audio ------------------------------------------------------------------------------------

samples = st.one_of(
    st.floats(-1, 1, width=32),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from([0.0, 1000.0, -1000.0, 1e-30]),
)


@FAST
@given(st.lists(samples, max_size=400), st.sampled_from([np.float32, np.float64, np.int16, np.complex64]),
       st.sampled_from([(-1,), (-1, 2), (1, -1)]))
def test_fuzz_audio_arrays(values, dtype, shape):
    arr = np.array(values, dtype=np.float64)
    if dtype is np.int16:
        arr = np.nan_to_num(arr, nan=0, posinf=0, neginf=0).clip(-32768, 32767)
    try:
        arr = arr.astype(dtype).reshape(shape) if arr.size % 2 == 0 or shape == (-1,) else arr.astype(dtype)
    except ValueError:
        arr = arr.astype(dtype)
    try:
        out = validate_audio(arr, name="fuzz")
    except VoicedrillError as e:
        assert str(e).startswith("fuzz:"), str(e)
        return
    assert out.dtype == np.float32 and out.ndim == 1 and out.size > 0
    assert np.all(np.isfinite(out)) and np.max(np.abs(out)) <= MAX_PEAK


@FEW
@given(st.integers(1, 4), st.sampled_from([1, 100, 3999, 4000, 8000, 16000, 22050, 44101, 48000, 200000]),
       st.sampled_from(["PCM_16", "FLOAT", "PCM_U8", "PCM_24"]), st.integers(0, 3000),
       st.sampled_from([1.0, 1000.0, float("nan"), -1.0]), st.booleans())
def test_fuzz_audio_files(tmp_path_factory, channels, rate, subtype, n, gain, invert):
    rng = np.random.default_rng(n)
    data = (rng.standard_normal((n, channels)) * 0.3).astype(np.float32) * np.float32(gain)
    if invert and channels > 1:
        data[:, 1] = -data[:, 0]
    path = Path(tmp_path_factory.mktemp("fuzz")) / "a.wav"
    try:
        sf.write(str(path), data, rate, subtype=subtype)
    except Exception:  # a combination libsndfile itself refuses to write: nothing to read
        return
    try:
        audio = load_audio(path)
    except VoicedrillError as e:
        assert str(path) in str(e), str(e)
        return
    assert audio.dtype == np.float32 and audio.ndim == 1 and np.all(np.isfinite(audio))
    assert np.max(np.abs(audio)) <= MAX_PEAK


@FEW
@given(st.binary(max_size=3000), st.sampled_from([".wav", ".flac", ".ogg", ".mp3"]))
def test_fuzz_audio_bytes(tmp_path_factory, blob, suffix):
    path = Path(tmp_path_factory.mktemp("fuzzb")) / f"b{suffix}"
    path.write_bytes(blob)
    try:
        load_audio(path)
    except VoicedrillError as e:
        assert str(path) in str(e), str(e)


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
