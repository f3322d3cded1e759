"""The instructor's scoring script: YAML that sets how replies are scored.

A script holds cue weights, target ranges for pacing and latency, the effective-pause
band, vocal-calm thresholds, extra phrases per cue and language, the cues forbidden in
this course, agitation effects (read by the scenario's dynamics) and listening
settings (read by capture). ``default_script.yaml`` beside this module is the shipped,
documented default; a script an instructor writes only needs the keys it changes:
everything else comes from the default. Unknown keys and wrong types are rejected,
every problem at once, as ``file:line:column: message (hint)`` in a ``ScenarioError``.
"""

from __future__ import annotations

import copy
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from ..errors import ScenarioError
from ..lang import LANGUAGES
from ..yamlsafe import Problems, YamlDoc, dotted, load_yaml
from .names import CUE_NAMES, TEXT_CUES

DEFAULT_SCRIPT = Path(__file__).resolve().parent / "default_script.yaml"
FORMAT_VERSION = 1
TURN_PARTS = ("cues", "pacing", "latency", "calm")
MOMENTS = ("suicide", "weapon", "demand")  # the same names as scenario.MOMENTS


# ---------------------------------------------------------------------------
# The records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A target range: full marks inside [low, high], falling linearly to none at
    ``tolerance`` beyond either edge."""

    low: float
    high: float
    tolerance: float

    def fit(self, value: float) -> float:
        """1.0 inside the band, 0.0 at ``tolerance`` or more outside it."""
        if self.low <= value <= self.high:
            return 1.0
        gap = self.low - value if value < self.low else value - self.high
        if self.tolerance <= 0:
            return 0.0
        return max(0.0, 1.0 - gap / self.tolerance)


@dataclass(frozen=True)
class CalmPart:
    """One vocal-calm measure: no penalty up to ``ok``, full penalty at ``worst``."""

    ok: float
    worst: float
    weight: float


@dataclass(frozen=True)
class CueRules:
    weights: Mapping[str, float]  # points per cue; positive helps, negative hurts
    full_credit: float  # helpful points that earn the whole cue part of a turn
    harmful_penalty_points: float  # turn points lost per point of negative weight
    forbidden: tuple[str, ...]  # cues not allowed in this course
    forbidden_cap: float  # highest turn score (0..100) when a forbidden cue is heard
    extra_phrases: Mapping[str, Mapping[str, tuple[str, ...]]]  # language -> cue -> phrases


@dataclass(frozen=True)
class TurnRules:
    parts: Mapping[str, float]  # weight of cues, pacing, latency, calm in a turn score
    silent_reply_score: float  # score (0..100) of a reply with no speech
    min_words_for_rate: int  # fewer words: speaking rate is not judged
    pass_mark: float = 60.0  # a turn at or above this is a pass
    no_helpful_cap: float = 40.0  # highest score of a reply with no helpful cue
    long_reply_words: int = 30  # words beyond this cost long_reply_points_per_word each ...
    long_reply_points_per_word: float = 1.0
    long_reply_max_points: float = 15.0  # ... up to this many turn points


@dataclass(frozen=True)
class MomentRule:
    """How a moment (his line about suicide, a weapon, a demand) changes a turn score."""

    harmful_multiplier: float  # the harmful penalty is multiplied by this
    harmful_cap: float  # highest turn score (0..100) of a reply with a harmful cue here
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # language -> extra words


@dataclass(frozen=True)
class Targets:
    words_per_minute: Band
    latency_seconds: Band
    min_pause_seconds: float  # shorter silences inside a reply are not pauses
    max_pause_seconds: float  # longer pauses lose the thread (pacing penalty)
    fillers_per_minute: Band  # low is 0


@dataclass(frozen=True)
class EffectivePause:
    min_seconds: float  # a pause inside the reply counts from this long ...
    max_seconds: float  # ... up to this long (also the upper limit before the reply)
    before_reply: bool  # a silence before the reply (the latency) may count
    before_reply_min_seconds: float  # ... from this long

    def counts_before_reply(self, latency: float | None) -> bool:
        """Is a silence of ``latency`` seconds before the reply a deliberate pause?"""
        return (
            self.before_reply
            and latency is not None
            and self.before_reply_min_seconds <= latency <= self.max_seconds
        )


@dataclass(frozen=True)
class CalmRules:
    pitch_shift: CalmPart  # semitones above the baseline median
    pitch_spread: CalmPart  # reply spread / baseline spread (ratio)
    loudness_shift: CalmPart  # dB above the baseline level
    loudness_spread: CalmPart  # dB of spread beyond the baseline's
    clipped_penalty: float  # calm lost (0..1) when the reply is clipped
    too_quiet_db: float  # voiced level below this (dBFS) is flagged too_quiet
    typical_pitch_spread_st: float  # stands in for a baseline that is missing
    typical_loudness_spread_db: float


@dataclass(frozen=True)
class AgitationEffects:
    """How a reply moves the perpetrator's agitation (read by the scenario's dynamics)."""

    cues: Mapping[str, float]  # per cue heard; negative calms, positive agitates
    silence: float  # when the trainee says nothing
    interruption: float  # when the trainee talks over the perpetrator

    def cue_effect(self, name: str) -> float:
        return float(self.cues.get(name, 0.0))


@dataclass(frozen=True)
class Listening:
    end_of_turn_silence: float  # seconds of silence that end a reply
    max_reply_seconds: float  # a reply is cut after this long
    no_reply_timeout: float  # seconds after the line with no speech: a silent reply


@dataclass(frozen=True)
class DrillRules:
    worst_turn_share: float  # drill score = (1 - s) * mean + s * worst turn


# --- meaning: paraphrases and summaries read by the sentence encoder (scoring/meaning.py) ---
@dataclass(frozen=True)
class MeaningRules:
    use_encoder: bool = True  # false: read paraphrases and summaries from shared words only
    paraphrase_min_similarity: float = (
        0.12  # cosine, a "you" sentence of the reply vs his current line
    )
    paraphrase_min_content_words: int = 2  # besides feeling words: a bare label restates nothing
    summary_min_similarity: float = 0.27  # cosine, a clause of the reply vs one of his lines
    summary_min_lines: int = 2  # his lines it must draw on (one of them earlier than the current)
    summary_needs_feeling: bool = False  # it must also name his feelings
    max_sentences: int = 40  # reply sentences (clauses) read by meaning; the rest by words
    heads: bool = True  # learned cue heads (cues/heads.py) add/remove cues the rules miss
    head_thresholds: tuple[tuple[str, float], ...] = ()  # (cue, probability) add overrides
    head_vetoes: bool = True  # a confident head may drop a rule cue (cues/heads.py VETO_CUES)
    head_veto_thresholds: tuple[tuple[str, float], ...] = ()  # (cue, probability) veto overrides


@dataclass(frozen=True)
class ScoringScript:
    """A loaded, validated scoring script. ``hash`` is the first 16 hex digits of the
    SHA-256 of the file's bytes; ``text`` is the YAML as read (store it with sessions)."""

    cues: CueRules
    turn: TurnRules
    targets: Targets
    effective_pause: EffectivePause
    calm: CalmRules
    agitation: AgitationEffects
    listening: Listening
    drill: DrillRules
    meaning: MeaningRules = MeaningRules()
    moments: Mapping[str, MomentRule] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)
    hash: str = field(default="", compare=False)
    text: str = field(default="", compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.path.name if self.path else "<text>"

    def extra_phrases(self, language: str) -> Mapping[str, tuple[str, ...]]:
        """Extra phrases per text cue for ``language`` (empty mapping when none)."""
        return self.cues.extra_phrases.get(language, MappingProxyType({}))

    def weight(self, cue: str) -> float:
        return float(self.cues.weights.get(cue, 0.0))

    def moment_words(self, language: str) -> Mapping[str, tuple[str, ...]]:
        """The script's extra words per moment for ``language`` (added to the language data)."""
        return {name: rule.words.get(language, ()) for name, rule in self.moments.items()}

    def is_forbidden(self, cue: str) -> bool:
        return cue in self.cues.forbidden

    def to_yaml_text(self) -> str:
        """The script's YAML exactly as loaded (comments kept)."""
        return self.text


# ---------------------------------------------------------------------------
# Schema: what each key may hold
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Num:
    low: float
    high: float
    unit: str = ""
    integer: bool = False


@dataclass(frozen=True)
class _Bool:
    pass


@dataclass(frozen=True)
class _CueList:
    pass


@dataclass(frozen=True)
class _Phrases:
    pass


@dataclass(frozen=True)
class _Words:
    pass


@dataclass(frozen=True)
class _CueNumbers:
    """A mapping text cue -> number in [low, high] (any subset of the cues)."""

    low: float
    high: float
    unit: str = ""


def _band(low: float, high: float, unit: str) -> dict:
    return {
        "low": _Num(low, high, unit),
        "high": _Num(low, high, unit),
        "tolerance": _Num(0, high, unit),
    }


def _calm_part(high: float, unit: str) -> dict:
    return {"ok": _Num(0, high, unit), "worst": _Num(0, high, unit), "weight": _Num(0, 10)}


_EFFECT = _Num(-1, 1, "agitation (0..1 scale)")

SCHEMA: dict = {
    "version": _Num(1, FORMAT_VERSION, integer=True),
    "cues": {
        "weights": {name: _Num(-10, 10, "points") for name in CUE_NAMES},
        "full_credit": _Num(0.1, 20, "points"),
        "harmful_penalty_points": _Num(0, 100, "turn points"),
        "forbidden": _CueList(),
        "forbidden_cap": _Num(0, 100, "turn points"),
        "extra_phrases": {lang: _Phrases() for lang in LANGUAGES},
    },
    "turn_score": {
        "parts": {part: _Num(0, 10) for part in TURN_PARTS},
        "silent_reply": _Num(0, 100, "turn points"),
        "min_words_for_rate": _Num(1, 50, "words", integer=True),
        "pass_mark": _Num(0, 100, "turn points"),
        "no_helpful_cap": _Num(0, 100, "turn points"),
        "long_reply": {
            "words": _Num(1, 500, "words", integer=True),
            "points_per_word": _Num(0, 100, "turn points"),
            "max_points": _Num(0, 100, "turn points"),
        },
    },
    "moments": {
        name: {
            "harmful_multiplier": _Num(0, 10),
            "harmful_cap": _Num(0, 100, "turn points"),
            "words": {lang: _Words() for lang in LANGUAGES},
        }
        for name in MOMENTS
    },
    "targets": {
        "words_per_minute": _band(20, 400, "words per minute"),
        "latency_seconds": _band(0, 30, "seconds"),
        "pause_seconds": {"min": _Num(0.05, 5, "seconds"), "max": _Num(0.1, 60, "seconds")},
        "fillers_per_minute": {
            "max": _Num(0, 60, "per minute"),
            "tolerance": _Num(0, 120, "per minute"),
        },
    },
    "effective_pause": {
        "min_seconds": _Num(0.1, 30, "seconds"),
        "max_seconds": _Num(0.1, 60, "seconds"),
        "before_reply": _Bool(),
        "before_reply_min_seconds": _Num(0.1, 60, "seconds"),
    },
    "calm": {
        "pitch_shift_st": _calm_part(24, "semitones"),
        "pitch_spread_ratio": _calm_part(20, "times the baseline"),
        "loudness_shift_db": _calm_part(60, "dB"),
        "loudness_spread_db": _calm_part(60, "dB"),
        "clipped_penalty": _Num(0, 1),
        "too_quiet_db": _Num(-100, 0, "dBFS"),
        "typical_pitch_spread_st": _Num(0.1, 24, "semitones"),
        "typical_loudness_spread_db": _Num(0.1, 60, "dB"),
    },
    "agitation": {
        "cues": {name: _EFFECT for name in CUE_NAMES},
        "silence": _EFFECT,
        "interruption": _EFFECT,
    },
    "listening": {
        "end_of_turn_silence": _Num(0.2, 10, "seconds"),
        "max_reply_seconds": _Num(1, 600, "seconds"),
        "no_reply_timeout": _Num(0.5, 120, "seconds"),
    },
    "drill": {"worst_turn_share": _Num(0, 1)},
}
# --- meaning (MeaningRules): read by the paraphrase and summary readers ---
SCHEMA["meaning"] = {
    "use_encoder": _Bool(),
    "paraphrase_min_similarity": _Num(-1, 1, "cosine"),
    "paraphrase_min_content_words": _Num(0, 20, "words", integer=True),
    "summary_min_similarity": _Num(-1, 1, "cosine"),
    "summary_min_lines": _Num(2, 20, "lines", integer=True),
    "summary_needs_feeling": _Bool(),
    "max_sentences": _Num(1, 1000, "sentences", integer=True),
    "heads": _Bool(),
    "head_thresholds": _CueNumbers(0, 1, "probability"),
    "head_vetoes": _Bool(),
    "head_veto_thresholds": _CueNumbers(0, 1, "probability"),
}


def schema_paths(spec: Mapping = SCHEMA, prefix: tuple = ()) -> tuple[tuple, ...]:
    """Every leaf key path the format knows, e.g. ``("targets", "pause_seconds", "min")``."""
    out: list[tuple] = []
    for key, sub in spec.items():
        if isinstance(sub, Mapping):
            out.extend(schema_paths(sub, prefix + (key,)))
        else:
            out.append(prefix + (key,))
    return tuple(out)


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


class _Checker:
    """Validates a document against SCHEMA, returning the clean values it holds."""

    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self.p = Problems(doc)

    def section(self, spec: Mapping, data: Any, path: tuple) -> dict:
        if not self.p.check_keys(data, path, spec.keys()):
            return {}
        out = {}
        for key, value in data.items():
            if key not in spec:
                continue
            sub = spec[key]
            here = path + (key,)
            if isinstance(sub, Mapping):
                out[key] = self.section(sub, value, here)
            else:
                clean = self.leaf(sub, value, here)
                if clean is not None:
                    out[key] = clean
        return out

    def leaf(self, spec, value, path):
        if isinstance(spec, _Num):
            if spec.integer and isinstance(value, float) and value.is_integer():
                value = int(value)
            if (
                spec.integer
                and not isinstance(value, bool)
                and isinstance(value, (int, float))
                and not isinstance(value, int)
            ):
                self.p.wrong_type(path, value, "a whole number")
                return None
            number = self.p.number(value, path, low=spec.low, high=spec.high, unit=spec.unit)
            if number is None:
                return None
            return int(number) if spec.integer else number
        if isinstance(spec, _Bool):
            return self.p.expect(value, path, bool, "true or false")
        if isinstance(spec, _CueList):
            return self.cue_list(value, path)
        if isinstance(spec, _Phrases):
            return self.phrases(value, path)
        if isinstance(spec, _Words):
            return self.words(value, path)
        if isinstance(spec, _CueNumbers):
            return self.cue_numbers(spec, value, path)
        raise AssertionError(spec)  # pragma: no cover

    def cue_list(self, value, path) -> tuple[str, ...] | None:
        if value is None:
            return ()
        if (
            self.p.expect(value, path, list, "a list of cue names", "write [threat, promise] or []")
            is None
        ):
            return None
        out = []
        for i, name in enumerate(value):
            if name not in CUE_NAMES:
                self._unknown_cue(path + (i,), name, CUE_NAMES)
            elif name not in out:
                out.append(name)
        return tuple(out)

    def phrases(self, value, path) -> dict | None:
        if value is None:
            return {}
        if not self.p.check_keys(value, path, TEXT_CUES):
            return None
        out: dict[str, tuple[str, ...]] = {}
        for cue, items in value.items():
            if cue not in TEXT_CUES:
                continue
            here = path + (cue,)
            if items is None:
                out[cue] = ()
                continue
            if isinstance(items, str):
                items = [items]
            if (
                self.p.expect(
                    items, here, list, "a list of phrases", 'write ["phrase one", "phrase two"]'
                )
                is None
            ):
                continue
            good = []
            for i, phrase in enumerate(items):
                if self.p.expect(phrase, here + (i,), str, "text (a phrase in quotes)") is None:
                    continue
                if not phrase.strip():
                    self.p.add(here + (i,), "empty phrase", "write the words, or remove the item")
                    continue
                problem = _phrase_problem(str(path[-1]), phrase)
                if problem:
                    self.p.add(
                        here + (i,),
                        f"cannot read the phrase: {problem}",
                        "see the pattern syntax at the top of voicedrill/lang/en/cues.yaml",
                    )
                    continue
                good.append(" ".join(phrase.split()))
            out[cue] = tuple(good)
        return out

    def cue_numbers(self, spec: _CueNumbers, value, path) -> dict | None:
        if value is None:
            return {}
        if not self.p.check_keys(value, path, TEXT_CUES):
            return None
        out = {}
        for cue, number in value.items():
            if cue in TEXT_CUES:
                got = self.leaf(_Num(spec.low, spec.high, spec.unit), number, path + (cue,))
                if got is not None:
                    out[cue] = float(got)
        return out

    def words(self, value, path) -> tuple[str, ...] | None:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if (
            self.p.expect(
                value, path, list, "a list of words or phrases", 'write ["gun", "knife"] or []'
            )
            is None
        ):
            return None
        out = []
        for i, w in enumerate(value):
            if self.p.expect(w, path + (i,), str, "text (a word or phrase in quotes)") is None:
                continue
            if w.strip():
                out.append(" ".join(w.split()))
        return tuple(out)

    def _unknown_cue(self, path, name, known) -> None:
        from ..suggest import did_you_mean

        hint = did_you_mean(name, known, "cue names: " + ", ".join(known))
        self.p.add(path, f"unknown cue '{name}'", hint)


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _cross_checks(values: dict, p: Problems) -> None:
    """Rules that tie several keys together (checked on the merged values)."""
    t, ep = values["targets"], values["effective_pause"]
    for name in ("words_per_minute", "latency_seconds"):
        band = t[name]
        if band["low"] > band["high"]:
            p.add(
                ("targets", name, "low"),
                f"targets.{name}: low ({band['low']:g}) is above high ({band['high']:g})",
                "swap them",
            )
    if t["pause_seconds"]["min"] >= t["pause_seconds"]["max"]:
        p.add(
            ("targets", "pause_seconds", "min"),
            "targets.pause_seconds: min must be below max",
            "min is the shortest silence that counts as a pause; max the longest that is fine",
        )
    if ep["min_seconds"] >= ep["max_seconds"]:
        p.add(
            ("effective_pause", "min_seconds"),
            "effective_pause: min_seconds must be below max_seconds",
            "for example min_seconds: 1.2 and max_seconds: 4",
        )
    if ep["before_reply_min_seconds"] >= ep["max_seconds"]:
        p.add(
            ("effective_pause", "before_reply_min_seconds"),
            "effective_pause.before_reply_min_seconds must be below max_seconds",
            "for example before_reply_min_seconds: 2 and max_seconds: 4",
        )
    if ep["min_seconds"] < t["pause_seconds"]["min"]:
        p.add(
            ("effective_pause", "min_seconds"),
            "effective_pause.min_seconds is shorter than targets.pause_seconds.min",
            "an effective pause must be a pause: raise it or lower pause_seconds.min",
        )
    for key in ("pitch_shift_st", "pitch_spread_ratio", "loudness_shift_db", "loudness_spread_db"):
        part = values["calm"][key]
        if part["ok"] >= part["worst"]:
            p.add(
                ("calm", key, "ok"),
                f"calm.{key}: ok ({part['ok']:g}) must be below worst ({part['worst']:g})",
                "ok is where the penalty starts, worst where it is full",
            )
    if (
        sum(
            values["calm"][k]["weight"]
            for k in (
                "pitch_shift_st",
                "pitch_spread_ratio",
                "loudness_shift_db",
                "loudness_spread_db",
            )
        )
        <= 0
    ):
        p.add(
            ("calm",), "calm: every weight is 0", "give at least one calm measure a weight above 0"
        )
    if sum(values["turn_score"]["parts"].values()) <= 0:
        p.add(
            ("turn_score", "parts"),
            "turn_score.parts: every part has weight 0",
            "give cues (or another part) a weight above 0",
        )
    ts = values["turn_score"]
    if ts["no_helpful_cap"] >= ts["pass_mark"]:
        p.add(
            ("turn_score", "no_helpful_cap"),
            f"turn_score.no_helpful_cap ({ts['no_helpful_cap']:g}) must be below pass_mark ({ts['pass_mark']:g})",
            "a reply with no listening skill in it must not pass on delivery alone",
        )
    lis = values["listening"]
    if lis["no_reply_timeout"] <= lis["end_of_turn_silence"]:
        p.add(
            ("listening", "no_reply_timeout"),
            "listening.no_reply_timeout must be longer than end_of_turn_silence",
            "for example no_reply_timeout: 10",
        )


def _freeze(values: dict) -> dict:
    c, ts, t, ep, calm, ag, lis, dr, mo = (
        values[k]
        for k in (
            "cues",
            "turn_score",
            "targets",
            "effective_pause",
            "calm",
            "agitation",
            "listening",
            "drill",
            "moments",
        )
    )
    phrases = {
        lang: MappingProxyType(
            {cue: tuple(items) for cue, items in (c["extra_phrases"].get(lang) or {}).items()}
        )
        for lang in LANGUAGES
    }

    def part(d):
        return CalmPart(d["ok"], d["worst"], d["weight"])

    return dict(
        cues=CueRules(
            weights=MappingProxyType({n: float(c["weights"][n]) for n in CUE_NAMES}),
            full_credit=c["full_credit"],
            harmful_penalty_points=c["harmful_penalty_points"],
            forbidden=tuple(c["forbidden"]),
            forbidden_cap=c["forbidden_cap"],
            extra_phrases=MappingProxyType(phrases),
        ),
        turn=TurnRules(
            parts=MappingProxyType({k: float(ts["parts"][k]) for k in TURN_PARTS}),
            silent_reply_score=ts["silent_reply"],
            min_words_for_rate=int(ts["min_words_for_rate"]),
            pass_mark=ts["pass_mark"],
            no_helpful_cap=ts["no_helpful_cap"],
            long_reply_words=int(ts["long_reply"]["words"]),
            long_reply_points_per_word=ts["long_reply"]["points_per_word"],
            long_reply_max_points=ts["long_reply"]["max_points"],
        ),
        targets=Targets(
            words_per_minute=Band(**t["words_per_minute"]),
            latency_seconds=Band(**t["latency_seconds"]),
            min_pause_seconds=t["pause_seconds"]["min"],
            max_pause_seconds=t["pause_seconds"]["max"],
            fillers_per_minute=Band(
                0.0, t["fillers_per_minute"]["max"], t["fillers_per_minute"]["tolerance"]
            ),
        ),
        effective_pause=EffectivePause(
            ep["min_seconds"],
            ep["max_seconds"],
            bool(ep["before_reply"]),
            ep["before_reply_min_seconds"],
        ),
        calm=CalmRules(
            pitch_shift=part(calm["pitch_shift_st"]),
            pitch_spread=part(calm["pitch_spread_ratio"]),
            loudness_shift=part(calm["loudness_shift_db"]),
            loudness_spread=part(calm["loudness_spread_db"]),
            clipped_penalty=calm["clipped_penalty"],
            too_quiet_db=calm["too_quiet_db"],
            typical_pitch_spread_st=calm["typical_pitch_spread_st"],
            typical_loudness_spread_db=calm["typical_loudness_spread_db"],
        ),
        agitation=AgitationEffects(
            cues=MappingProxyType({n: float(ag["cues"][n]) for n in CUE_NAMES}),
            silence=ag["silence"],
            interruption=ag["interruption"],
        ),
        listening=Listening(
            lis["end_of_turn_silence"], lis["max_reply_seconds"], lis["no_reply_timeout"]
        ),
        drill=DrillRules(dr["worst_turn_share"]),
        meaning=MeaningRules(
            **{
                **values["meaning"],
                "head_thresholds": tuple(
                    sorted((values["meaning"].get("head_thresholds") or {}).items())
                ),
                "head_veto_thresholds": tuple(
                    sorted((values["meaning"].get("head_veto_thresholds") or {}).items())
                ),
            }
        ),
        moments=MappingProxyType(
            {
                name: MomentRule(
                    mo[name]["harmful_multiplier"],
                    mo[name]["harmful_cap"],
                    MappingProxyType(
                        {lang: tuple(mo[name]["words"].get(lang) or ()) for lang in LANGUAGES}
                    ),
                )
                for name in MOMENTS
            }
        ),
    )


def _phrase_problem(language: str, phrase: str) -> str | None:
    """Why an extra phrase cannot be read (the cue detector's pattern compiler), or None."""
    if language not in LANGUAGES:
        return None  # reported as an unknown key
    from .cues.extra import phrase_problem

    return phrase_problem(language, phrase)


def _check(doc: YamlDoc, *, complete: bool) -> tuple[dict, Problems]:
    """Validate ``doc``; with ``complete`` every key of the format must be present.
    Returns the valid values (invalid ones left out) and the problems found."""
    checker = _Checker(doc)
    data = doc.data
    if data is None:
        data = {}
        if complete:
            checker.p.add((), "the file is empty", "start from the shipped default script")
    values = checker.section(SCHEMA, data, ())
    if complete and not checker.p:
        for path in schema_paths():
            node = values
            for key in path:
                if not isinstance(node, dict) or key not in node:
                    checker.p.add(path[:-1], f"missing key '{dotted(path)}'", f"add {path[-1]}:")
                    break
                node = node[key]
    return values, checker.p


_DEFAULT_VALUES: dict | None = None


def _default_values() -> dict:
    global _DEFAULT_VALUES
    if _DEFAULT_VALUES is None:
        values, problems = _check(load_yaml(DEFAULT_SCRIPT), complete=True)
        problems.raise_if_any("scoring script")
        _DEFAULT_VALUES = values
    return _DEFAULT_VALUES


def load_script(path: str | os.PathLike | None = None, *, text: str | None = None) -> ScoringScript:
    """Load and validate a scoring script.

    ``path=None`` (and no ``text``) loads the shipped default. Keys the script leaves
    out keep the default's values. ``text`` parses YAML given as a string (``path`` is
    then the name used in messages, e.g. a stored session's copy). Raises
    ``ScenarioError`` listing every problem as ``file:line:column: message (hint)``.
    """
    is_default = path is None and text is None
    source = (
        DEFAULT_SCRIPT if is_default else Path(path if path is not None else "<scoring script>")
    )
    if text is None:
        if not source.is_file():
            raise ScenarioError(
                f"{source}: no such scoring script. Check the path, or leave out --script "
                "to use the shipped default."
            )
        raw = source.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ScenarioError(f"{source}: not UTF-8 text; save the script as UTF-8.") from e
        script_path: Path | None = source
    else:
        raw = text.encode("utf-8")
        script_path = Path(path) if path is not None else None
    doc = load_yaml(source, text=text)
    if is_default:
        values = _default_values()
        problems = Problems(doc)
    else:
        values, problems = _check(doc, complete=False)
        values = _merge(_default_values(), values)
    _cross_checks(values, problems)
    problems.raise_if_any("scoring script")
    return ScoringScript(
        **_freeze(values),
        path=script_path,
        hash=hashlib.sha256(raw).hexdigest()[:16],
        text=text,
    )


__all__ = [
    "Band",
    "CalmPart",
    "CueRules",
    "TurnRules",
    "Targets",
    "EffectivePause",
    "CalmRules",
    "AgitationEffects",
    "Listening",
    "DrillRules",
    "MeaningRules",
    "MomentRule",
    "MOMENTS",
    "ScoringScript",
    "DEFAULT_SCRIPT",
    "SCHEMA",
    "schema_paths",
    "load_script",
]
