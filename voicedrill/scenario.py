"""Scenarios: the instructor's YAML drill script, loaded, validated and found.

A scenario is a graph of perpetrator lines. Each node has line variants per
agitation band (calm / tense / explosive), transitions with declarative
conditions on the trainee's reply (cues, score, silence, words said, agitation,
turn number), scripted virtual-trainee replies, or an outcome that ends the
drill. What moves agitation between turns (per-cue effects, decay, silence,
trigger words, hooks) is data here too; ``branching`` applies it.

Loading is safe (``yamlsafe``: data only, never code), unknown keys are rejected,
and validation reports every problem at once as ``file:line:column: message (hint)``.

A short example (the full annotated format is in ``scenarios/barricaded_subject.yaml``)::

    id: kitchen_knife
    title: A man with a knife in his kitchen
    language: en
    situation: mental-health crisis
    briefing: Neighbours called about shouting. He is alone and armed.
    learning_goals: [Label his emotions before asking for anything]
    perpetrator: {name: Sam, start_agitation: 0.6}
    limits: {max_turns: 10, outcome: time_limit}
    nodes:
      - id: door
        lines:
          calm: "Who is it?"
          explosive: ["Get away from my door!", "I said get away!"]
        trainee: {good: "It sounds like today has been awful.", poor: "Calm down and open up."}
        transitions:
          - when: {cues_any: [emotional_label], agitation_below: 0.5}
            to: talk
          - when: {cues_any: [calm_down, threat]}
            end: harmed_self
          - to: door          # default: no `when`
      - id: talk
        lines: "Yeah. It has."
        outcome: surrender    # a terminal node: his last words, then the drill ends
    outcomes:
      surrender: {result: good, title: He comes out, debrief: "..."}
      harmed_self: {result: bad, title: He hurts himself, debrief: "..."}
      time_limit: {result: neutral, title: Time ran out, debrief: "..."}
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from .errors import ParameterError, ScenarioError
from .suggest import closest, did_you_mean
from .tts import Delivery  # the perpetrator's base delivery (at agitation 0.5)

SHIPPED_DIR = Path(__file__).resolve().parent / "scenarios"
FORMAT_VERSION = 1
BANDS = ("calm", "tense", "explosive")
RESULTS = ("good", "bad", "neutral")  # how an outcome counts for the trainee
MAX_LINE_CHARS = 400  # longer lines are too long to speak as one turn
MAX_FILE_BYTES = 1_000_000
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z]")

# Band fallback: when a node has no variant for the wanted band, the nearest one is used.
_BAND_FALLBACK = {
    "calm": ("calm", "tense", "explosive"),
    "tense": ("tense", "explosive", "calm"),
    "explosive": ("explosive", "tense", "calm"),
}


# ---------------------------------------------------------------------------
# The parsed scenario (frozen)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WordReaction:
    """Words that move the perpetrator: a trigger (``effect`` > 0 raises agitation)
    or a hook (``effect`` < 0 lowers it). Words are matched case-insensitively as
    whole words or phrases; a trailing ``*`` matches any ending ("дочь*", "kid*")."""

    name: str
    words: tuple[str, ...]
    effect: float  # agitation change when any of the words is said, -1..1


@dataclass(frozen=True)
class Perpetrator:
    name: str
    start_agitation: float  # 0 (calm) .. 1 (explosive)
    rise: float = 1.0  # multiplier on agitation increases (a touchy man: > 1)
    fall: float = 1.0  # multiplier on agitation decreases (slow to settle: < 1)
    triggers: tuple[WordReaction, ...] = ()
    hooks: tuple[WordReaction, ...] = ()
    gender: str = ""  # "male" | "female" | "" (unknown): pronouns in the trainee's feedback


@dataclass(frozen=True)
class Dynamics:
    """How agitation moves from one turn to the next (see ``branching.step``)."""

    resting: float = 0.4  # where agitation drifts when nothing happens, 0..1
    decay: float = 0.1  # fraction of the way to ``resting`` moved per turn, 0..1
    silence: float | None = (
        None  # change when the trainee says nothing (None: the scoring script's)
    )
    interruption: float | None = None  # change when he is talked over (None: the scoring script's)
    score_pull: float = 0.06  # change per turn at score 0 (+) and 100 (-), linear between
    max_change: float = 0.35  # largest change in one turn (before decay)
    tense_at: float = 0.4  # agitation >= this speaks the tense variants
    explosive_at: float = 0.75  # agitation >= this speaks the explosive variants
    cue_effects: tuple[tuple[str, float], ...] = ()  # overrides of the scoring script's effects

    def band(self, agitation: float) -> str:
        """The line band ("calm" | "tense" | "explosive") for an agitation 0..1."""
        if agitation >= self.explosive_at:
            return "explosive"
        if agitation >= self.tense_at:
            return "tense"
        return "calm"


@dataclass(frozen=True)
class Limits:
    max_turns: int  # replies before the drill ends with ``outcome``
    outcome: str


@dataclass(frozen=True)
class Condition:
    """When a transition fires. Every field given must hold (AND); ``any_of`` holds
    when at least one of its conditions does. ``turn`` is the reply's number, 1 first;
    ``agitation`` is the value after this reply's effects; ``score`` is 0..100."""

    cues_any: tuple[str, ...] = ()
    cues_all: tuple[str, ...] = ()
    cues_none: tuple[str, ...] = ()
    score_above: float | None = None
    score_below: float | None = None
    agitation_above: float | None = None
    agitation_below: float | None = None
    silent: bool | None = None
    interrupted: bool | None = None
    mentions_any: tuple[str, ...] = ()
    hooks_any: tuple[str, ...] = ()
    triggers_any: tuple[str, ...] = ()
    turn_at_least: int | None = None
    turn_at_most: int | None = None
    any_of: tuple["Condition", ...] = ()


@dataclass(frozen=True)
class Transition:
    """Go ``to`` a node, or ``end`` the drill with an outcome, when ``when`` holds
    (``when is None``: the default, taken when nothing before it fired)."""

    when: Condition | None
    to: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Lines:
    """Line variants per agitation band; an empty band falls back to the nearest one."""

    calm: tuple[str, ...] = ()
    tense: tuple[str, ...] = ()
    explosive: tuple[str, ...] = ()

    def for_band(self, band: str) -> tuple[str, ...]:
        for b in _BAND_FALLBACK[band]:
            found = getattr(self, b)
            if found:
                return found
        return ()

    def all(self) -> tuple[str, ...]:
        return self.calm + self.tense + self.explosive


@dataclass(frozen=True)
class Node:
    id: str
    lines: Lines
    transitions: tuple[Transition, ...] = ()
    outcome: str | None = None  # a terminal node: its line is his last, then this outcome
    trainee: tuple[tuple[str, str | None], ...] = ()  # (path name, scripted reply or None)
    note: str = ""  # for the instructor; never spoken
    moments: tuple[
        str, ...
    ] = ()  # what this line is about for the scorer: MOMENTS (e.g. "suicide")

    @property
    def terminal(self) -> bool:
        return self.outcome is not None


@dataclass(frozen=True)
class Outcome:
    id: str
    title: str
    result: str  # "good" | "bad" | "neutral"
    debrief: str  # shown (in the scenario's language) when the drill ends this way


@dataclass(frozen=True)
class Scenario:
    """A parsed, validated scenario. Build it with ``load_scenario``."""

    id: str
    title: str
    language: str  # "en" | "ru"
    situation: str  # e.g. "barricaded subject", "prison riot"
    briefing: str
    learning_goals: tuple[str, ...]
    voice: str  # TTS voice id for the perpetrator; "" = the language default
    delivery: Delivery
    perpetrator: Perpetrator
    dynamics: Dynamics
    limits: Limits
    start_node: str
    nodes: tuple[Node, ...]
    outcomes: tuple[Outcome, ...]
    path: Path | None = None
    _nodes: dict = field(default=None, init=False, repr=False, compare=False)
    _outcomes: dict = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_nodes", {n.id: n for n in self.nodes})
        object.__setattr__(self, "_outcomes", {o.id: o for o in self.outcomes})

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise ParameterError(f"scenario '{self.id}' has no node '{node_id}'") from None

    def outcome(self, outcome_id: str) -> Outcome:
        try:
            return self._outcomes[outcome_id]
        except KeyError:
            raise ParameterError(f"scenario '{self.id}' has no outcome '{outcome_id}'") from None

    @property
    def trainee_paths(self) -> tuple[str, ...]:
        """Names of the scripted virtual-trainee paths ("good", "poor", ...)."""
        seen: dict[str, None] = {}
        for n in self.nodes:
            for name, _ in n.trainee:
                seen.setdefault(name)
        return tuple(seen)

    def trainee_reply(self, path_name: str, node_id: str) -> str | None:
        """The scripted virtual-trainee reply on path ``path_name`` at ``node_id``;
        None when the trainee stays silent there."""
        node = self.node(node_id)
        if path_name not in self.trainee_paths:
            choices = ", ".join(self.trainee_paths) or "none"
            raise ParameterError(
                f"scenario '{self.id}' has no trainee path '{path_name}' (paths: {choices})"
            )
        return dict(node.trainee).get(path_name)

    def cue_effect(self, cue: str) -> float | None:
        """This scenario's override of a cue's agitation effect, or None."""
        return dict(self.dynamics.cue_effects).get(cue)


# ---------------------------------------------------------------------------
# Known names
# ---------------------------------------------------------------------------


def cue_names() -> tuple[str, ...]:
    """The cue names a condition or effect may use (the scorer's ``CUE_NAMES``)."""
    from .scoring.names import CUE_NAMES

    return tuple(CUE_NAMES)


def cue_groups() -> dict[str, tuple[str, ...]]:
    """Names a condition may use for a whole group of cues: helpful, neutral, harmful."""
    from .scoring.names import HARMFUL, HELPFUL, NEUTRAL

    return {"helpful": tuple(HELPFUL), "neutral": tuple(NEUTRAL), "harmful": tuple(HARMFUL)}


def _languages() -> tuple[str, ...]:
    from .lang import LANGUAGES

    return tuple(LANGUAGES)


# ---------------------------------------------------------------------------
# Parsing and validation
# ---------------------------------------------------------------------------

_TOP_KEYS = {
    "format": False,
    "id": True,
    "title": True,
    "language": True,
    "situation": True,
    "briefing": True,
    "learning_goals": True,
    "voice": False,
    "perpetrator": True,
    "agitation": False,
    "limits": True,
    "start": False,
    "nodes": True,
    "outcomes": True,
}
_VOICE_KEYS = {"name", "rate_wpm", "volume", "pitch"}
_PERP_KEYS = {"name", "start_agitation", "rise", "fall", "triggers", "hooks", "gender"}
GENDERS = ("male", "female")
# Moments a node may be tagged with (``moment: [suicide]``): the scorer weighs harmful
# replies more and coaches for the moment (see the scoring script's ``moments``).
MOMENTS = ("suicide", "weapon", "demand")
_REACTION_KEYS = {"name", "words", "raise", "lower"}
_AGITATION_KEYS = {
    "resting",
    "decay",
    "silence",
    "interruption",
    "score_pull",
    "max_change",
    "bands",
    "cues",
}
_NODE_KEYS = {"id", "lines", "transitions", "outcome", "trainee", "note", "moment"}
_TRANSITION_KEYS = {"when", "to", "end"}
_OUTCOME_KEYS = {"result", "title", "debrief"}
_CONDITION_KEYS = (
    "cues_any",
    "cues_all",
    "cues_none",
    "score_above",
    "score_below",
    "agitation_above",
    "agitation_below",
    "silent",
    "interrupted",
    "mentions_any",
    "hooks_any",
    "triggers_any",
    "turn_at_least",
    "turn_at_most",
    "any_of",
)
_MAX_CONDITION_DEPTH = 4


class _Parser:
    """Walks the loaded data once, building the Scenario and collecting every problem."""

    def __init__(self, doc):
        from .yamlsafe import Problems

        self.doc = doc
        self.p = Problems(doc)
        self.cues = cue_names()
        self.groups = cue_groups()
        self.language = None
        # references checked after the whole file is read: (path, kind, name)
        self.node_refs: list[tuple[tuple, str]] = []
        self.outcome_refs: list[tuple[tuple, str]] = []
        self.hook_refs: list[tuple[tuple, str]] = []
        self.trigger_refs: list[tuple[tuple, str]] = []
        self.graph: list[tuple[str, tuple, tuple[str, ...], bool]] = []  # (id, path, targets, ends)
        self.hooks: set[str] = set()
        self.triggers: set[str] = set()

    # -- small typed readers ------------------------------------------------

    def text(self, value, path, *, max_chars=None, what="text", spoken=False) -> str | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not spoken:
            value = str(value)  # a bare number as a title is fine
        if self.p.expect(value, path, str, what, hint=_quote_hint(value)) is None:
            return None
        if not value.strip():
            self.p.add(path, f"{_dotted(path)} is empty", "write the words, or remove the entry")
            return None
        if max_chars is not None and len(value) > max_chars:
            self.p.add(
                path,
                f"{_dotted(path)} is {len(value)} characters, too long to speak in one turn",
                f"keep it under {max_chars} characters; split it over two nodes",
            )
            return None
        if spoken:
            self.check_script(value, path)
        return value.strip()

    def check_script(self, value: str, path) -> None:
        """A line in the wrong alphabet for the scenario's language would be spoken wrongly."""
        if self.language == "ru" and not _CYRILLIC.search(value) and _LATIN.search(value):
            self.p.add(
                path,
                f"{_dotted(path)} is not in Russian but the scenario's language is ru",
                "write the line in Russian, or set language: en",
            )
        elif self.language == "en" and _CYRILLIC.search(value):
            self.p.add(
                path,
                f"{_dotted(path)} has Cyrillic letters but the scenario's language is en",
                "write the line in English, or set language: ru",
            )

    def ident(self, value, path, what="id") -> str | None:
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            article = "an" if what[0] in "aeiou" else "a"
            self.p.wrong_type(
                path, value, f"{article} {what} (lower-case letters, digits, _)", _quote_hint(value)
            )
            return None
        value = str(value)
        if not _ID_RE.match(value):
            self.p.add(
                path,
                f"'{value}' is not a valid {what}",
                "use lower-case letters, digits and _ only, starting with a letter or digit",
            )
            return None
        return value

    def number(self, value, path, low, high, unit=""):
        return self.p.number(value, path, low=low, high=high, unit=unit)

    def integer(self, value, path, low, high):
        if isinstance(value, float) and not isinstance(value, bool):
            self.p.add(
                path,
                f"{_dotted(path)} must be a whole number, not {value:g}",
                f"use a whole number in {low}..{high}",
            )
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.p.wrong_type(path, value, "a whole number")
            return None
        if not low <= value <= high:
            self.p.add(
                path,
                f"{_dotted(path)} = {value} is out of range",
                f"use a whole number in {low}..{high}",
            )
            return None
        return value

    def boolean(self, value, path):
        return self.p.expect(value, path, bool, "true or false")

    def listing(self, value, path, what) -> list:
        """A list; a single scalar counts as a one-item list."""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return [(value, path)]
        if not isinstance(value, list):
            self.p.wrong_type(path, value, f"a list of {what}")
            return []
        if not value:
            self.p.add(
                path,
                f"{_dotted(path)} is an empty list",
                f"give at least one {what}, or remove the key",
            )
        return [(v, path + (i,)) for i, v in enumerate(value)]

    def mapping(self, value, path, allowed, required=()) -> Mapping | None:
        if not self.p.check_keys(value, path, allowed, required=required):
            return None
        return value

    # -- sections -----------------------------------------------------------

    def parse(self) -> Scenario | None:
        data = self.doc.data
        if data is None:
            self.p.add(
                (), "the file is empty", "start from voicedrill/scenarios/barricaded_subject.yaml"
            )
            return None
        top = self.mapping(data, (), _TOP_KEYS, [k for k, req in _TOP_KEYS.items() if req])
        if top is None:
            return None
        g = top.get
        if "format" in top:
            fmt = top["format"]
            if fmt != FORMAT_VERSION or isinstance(fmt, bool):
                self.p.add(
                    ("format",),
                    f"format {fmt!r} is not supported",
                    f"this voicedrill reads format {FORMAT_VERSION}",
                )
        sid = self.ident(g("id"), ("id",), "scenario id") if "id" in top else None
        title = self.text(g("title"), ("title",), max_chars=200) if "title" in top else None
        language = None
        if "language" in top:
            lang = g("language")
            if not isinstance(lang, str) or lang not in _languages():
                self.p.add(
                    ("language",),
                    f"language {lang!r} is not supported",
                    f"use one of: {', '.join(_languages())}",
                )
            else:
                language = lang
        self.language = language
        situation = (
            self.text(g("situation"), ("situation",), max_chars=100) if "situation" in top else None
        )
        briefing = (
            self.text(g("briefing"), ("briefing",), max_chars=4000) if "briefing" in top else None
        )
        goals = ()
        if "learning_goals" in top:
            goals = tuple(
                t
                for t in (
                    self.text(v, p)
                    for v, p in self.listing(g("learning_goals"), ("learning_goals",), "goal")
                )
                if t
            )
        voice, delivery = (
            self.parse_voice(g("voice"), ("voice",)) if "voice" in top else ("", Delivery())
        )
        perp = self.parse_perpetrator(g("perpetrator")) if "perpetrator" in top else None
        dyn = self.parse_agitation(g("agitation")) if "agitation" in top else Dynamics()
        limits = self.parse_limits(g("limits")) if "limits" in top else None
        outcomes = self.parse_outcomes(g("outcomes")) if "outcomes" in top else ()
        nodes = self.parse_nodes(g("nodes")) if "nodes" in top else ()
        start = None
        if "start" in top:
            start = self.ident(g("start"), ("start",), "node id")
            if start is not None:
                self.node_refs.append((("start",), start))
        elif nodes:
            start = nodes[0][0].id
        self.check_references(nodes, outcomes, perp)
        if start is not None and start in {nid for nid, *_ in self.graph}:
            self.check_graph(start)
            for nid, npath, _, ends in self.graph:
                if nid == start and ends and any(n.id == nid and n.terminal for n, _ in nodes):
                    self.p.add(
                        npath + ("id",),
                        f"the start node '{nid}' ends the drill before the trainee speaks",
                        "start with a node that has transitions",
                    )
        if self.p:
            return None
        return Scenario(
            id=sid,
            title=title,
            language=language,
            situation=situation,
            briefing=briefing,
            learning_goals=goals,
            voice=voice,
            delivery=delivery,
            perpetrator=perp,
            dynamics=dyn,
            limits=limits,
            start_node=start,
            nodes=tuple(n for n, _ in nodes),
            outcomes=tuple(outcomes),
            path=None,
        )

    def parse_voice(self, value, path):
        m = self.mapping(value, path, _VOICE_KEYS)
        if m is None:
            return "", Delivery()
        name = ""
        if "name" in m and m["name"] not in (None, ""):
            name = self.p.expect(m["name"], path + ("name",), str, "a TTS voice id (text)") or ""
            if name.startswith("piper:"):  # a neural voice: one voicedrill knows, for this language
                from .neural import CATALOG

                entry = CATALOG.get(name[len("piper:") :])
                if entry is None or (self.language and entry.language != self.language):
                    self.p.add(
                        path + ("name",),
                        f"no neural voice {name!r} for language {self.language!r}",
                        "use "
                        + ", ".join(f"piper:{n} ({e.language})" for n, e in CATALOG.items())
                        + ', an espeak-ng id such as gmw/en-us+f3, or "" for the default',
                    )
        d = Delivery()
        rate = (
            self.number(m["rate_wpm"], path + ("rate_wpm",), 80, 450, "words per minute")
            if "rate_wpm" in m
            else None
        )
        vol = self.number(m["volume"], path + ("volume",), 0.05, 1.0) if "volume" in m else None
        pitch = self.number(m["pitch"], path + ("pitch",), 0, 100) if "pitch" in m else None
        return name, Delivery(
            rate_wpm=d.rate_wpm if rate is None else int(round(rate)),
            volume=d.volume if vol is None else vol,
            pitch=d.pitch if pitch is None else int(round(pitch)),
        )

    def parse_perpetrator(self, value):
        path = ("perpetrator",)
        m = self.mapping(value, path, _PERP_KEYS, ("name", "start_agitation"))
        if m is None:
            return None
        name = self.text(m.get("name"), path + ("name",), max_chars=80) if "name" in m else None
        start = (
            self.number(m["start_agitation"], path + ("start_agitation",), 0, 1)
            if "start_agitation" in m
            else None
        )
        rise = self.number(m["rise"], path + ("rise",), 0, 5) if "rise" in m else 1.0
        fall = self.number(m["fall"], path + ("fall",), 0, 5) if "fall" in m else 1.0
        triggers = (
            self.parse_reactions(m["triggers"], path + ("triggers",), "raise")
            if "triggers" in m
            else ()
        )
        hooks = self.parse_reactions(m["hooks"], path + ("hooks",), "lower") if "hooks" in m else ()
        self.triggers = {t.name for t in triggers}
        self.hooks = {h.name for h in hooks}
        gender = ""
        if "gender" in m and m["gender"] not in GENDERS:
            self.p.add(
                path + ("gender",),
                f"gender {m['gender']!r} is not one of {', '.join(GENDERS)}",
                "write gender: male or gender: female (or leave it out)",
            )
        elif "gender" in m:
            gender = m["gender"]
        return Perpetrator(
            name=name or "",
            start_agitation=start if start is not None else 0.5,
            rise=rise if rise is not None else 1.0,
            fall=fall if fall is not None else 1.0,
            triggers=triggers,
            hooks=hooks,
            gender=gender,
        )

    def parse_reactions(self, value, path, direction):
        other = "lower" if direction == "raise" else "raise"
        out, seen = [], set()
        for item, ipath in self.listing(value, path, "mapping with name, words and " + direction):
            m = self.mapping(item, ipath, _REACTION_KEYS - {other}, ("name", "words"))
            if m is None:
                continue
            name = self.ident(m.get("name"), ipath + ("name",), "name") if "name" in m else None
            if name is not None:
                if name in seen:
                    self.p.add(
                        ipath + ("name",),
                        f"duplicate name '{name}' in {_dotted(path)}",
                        "give each a different name",
                    )
                seen.add(name)
            words = []
            if "words" in m:
                for w, wpath in self.listing(m["words"], ipath + ("words",), "word or phrase"):
                    t = self.text(w, wpath, max_chars=60, what="a word or phrase")
                    if t:
                        words.append(t)
            size = self.number(m[direction], ipath + (direction,), 0, 1) if direction in m else 0.1
            if name and words and size is not None:
                effect = size if direction == "raise" else -size
                out.append(WordReaction(name=name, words=tuple(words), effect=effect))
        return tuple(out)

    def parse_agitation(self, value):
        path = ("agitation",)
        m = self.mapping(value, path, _AGITATION_KEYS)
        if m is None:
            return Dynamics()
        d = Dynamics()
        kw = {}
        ranges = {
            "resting": (0, 1),
            "decay": (0, 1),
            "silence": (-1, 1),
            "interruption": (-1, 1),
            "score_pull": (0, 1),
            "max_change": (0.01, 1),
        }
        for key, (lo, hi) in ranges.items():
            if key in m:
                v = self.number(m[key], path + (key,), lo, hi)
                if v is not None:
                    kw[key] = v
        if "bands" in m:
            b = self.mapping(m["bands"], path + ("bands",), {"tense", "explosive"})
            if b is not None:
                tense = (
                    self.number(b["tense"], path + ("bands", "tense"), 0.01, 0.99)
                    if "tense" in b
                    else d.tense_at
                )
                expl = (
                    self.number(b["explosive"], path + ("bands", "explosive"), 0.01, 1)
                    if "explosive" in b
                    else d.explosive_at
                )
                if tense is not None and expl is not None:
                    if tense >= expl:
                        self.p.add(
                            path + ("bands",),
                            f"band tense ({tense:g}) must start below explosive ({expl:g})",
                            "for example tense: 0.4, explosive: 0.75",
                        )
                    else:
                        kw["tense_at"], kw["explosive_at"] = tense, expl
        if "cues" in m:
            effects = []
            cm = self.mapping(m["cues"], path + ("cues",), self.cues)
            if cm is not None:
                for cue, eff in cm.items():
                    if cue not in self.cues:
                        continue  # reported as an unknown key
                    v = self.number(eff, path + ("cues", cue), -1, 1)
                    if v is not None:
                        effects.append((cue, v))
            kw["cue_effects"] = tuple(effects)
        return Dynamics(**kw)

    def parse_limits(self, value):
        path = ("limits",)
        m = self.mapping(value, path, {"max_turns", "outcome"}, ("max_turns", "outcome"))
        if m is None:
            return None
        turns = (
            self.integer(m["max_turns"], path + ("max_turns",), 1, 200)
            if "max_turns" in m
            else None
        )
        outcome = (
            self.ident(m["outcome"], path + ("outcome",), "outcome id") if "outcome" in m else None
        )
        if outcome is not None:
            self.outcome_refs.append((path + ("outcome",), outcome))
        if turns is None or outcome is None:
            return None
        return Limits(max_turns=turns, outcome=outcome)

    def parse_outcomes(self, value):
        path = ("outcomes",)
        if not isinstance(value, Mapping):
            self.p.wrong_type(path, value, "a mapping of outcome id: {result, title, debrief}")
            return ()
        if not value:
            self.p.add(path, "outcomes is empty", "name at least one way the drill ends")
        out = []
        for oid, body in value.items():
            opath = path + (oid,)
            oid_ok = self.ident(oid, opath, "outcome id")
            m = self.mapping(body, opath, _OUTCOME_KEYS, ("result", "title", "debrief"))
            if m is None or oid_ok is None:
                continue
            result = m.get("result")
            if "result" in m and result not in RESULTS:
                self.p.add(
                    opath + ("result",),
                    f"result {result!r} is not one of {', '.join(RESULTS)}",
                    "good: the trainee succeeded; bad: someone was hurt or talks failed; neutral: neither",
                )
                result = None
            title = (
                self.text(m["title"], opath + ("title",), max_chars=200) if "title" in m else None
            )
            debrief = (
                self.text(m["debrief"], opath + ("debrief",), max_chars=4000, spoken=True)
                if "debrief" in m
                else None
            )
            if result and title and debrief:
                out.append(Outcome(id=oid_ok, title=title, result=result, debrief=debrief))
        return tuple(out)

    def parse_nodes(self, value):
        path = ("nodes",)
        if not isinstance(value, list):
            self.p.wrong_type(path, value, "a list of nodes (each starting with '- id:')")
            return []
        if not value:
            self.p.add(path, "nodes is empty", "add at least one node")
        out, seen = [], {}
        for i, item in enumerate(value):
            npath = path + (i,)
            m = self.mapping(item, npath, _NODE_KEYS, ("id", "lines"))
            if m is None:
                continue
            nid = self.ident(m["id"], npath + ("id",), "node id") if "id" in m else None
            if nid is not None:
                if nid in seen:
                    self.p.add(
                        npath + ("id",),
                        f"duplicate node id '{nid}' (first used at line {self.doc.where(seen[nid]).line})",
                        "give every node its own id",
                    )
                    nid = None
                else:
                    seen[nid] = npath + ("id",)
            lines = self.parse_lines(m["lines"], npath + ("lines",)) if "lines" in m else None
            trainee = (
                self.parse_trainee(m["trainee"], npath + ("trainee",)) if "trainee" in m else ()
            )
            note = ""
            if "note" in m:
                note = self.p.expect(m["note"], npath + ("note",), str, "text") or ""
            moments = []
            if "moment" in m:
                for v, vpath in self.listing(m["moment"], npath + ("moment",), "moment"):
                    if v not in MOMENTS:
                        self.p.add(
                            vpath, f"unknown moment {v!r}", f"use one of: {', '.join(MOMENTS)}"
                        )
                    elif v not in moments:
                        moments.append(v)
            outcome = None
            transitions = ()
            if "outcome" in m:
                outcome = self.ident(m["outcome"], npath + ("outcome",), "outcome id")
                if outcome is not None:
                    self.outcome_refs.append((npath + ("outcome",), outcome))
                if "transitions" in m:
                    self.p.add(
                        npath + ("transitions",),
                        "a node with an outcome ends the drill and cannot have transitions",
                        "remove 'outcome:' or 'transitions:'",
                        at_key=True,
                    )
                if trainee:
                    self.p.add(
                        npath + ("trainee",),
                        "the drill ends at this node, so no trainee reply is heard here",
                        "remove 'trainee:'",
                        at_key=True,
                    )
            elif "transitions" in m:
                transitions = self.parse_transitions(m["transitions"], npath + ("transitions",))
            else:
                self.p.add(
                    npath,
                    f"node '{nid or i}' has neither transitions nor an outcome",
                    "add 'transitions:' (ending with a default '- to: ...') or 'outcome: <id>'",
                )
            if nid is not None:  # for the graph checks, even when other parts had problems
                ends = outcome is not None or "outcome" in m or any(t.end for t in transitions)
                self.graph.append((nid, npath, tuple(t.to for t in transitions if t.to), ends))
            if nid is not None and lines is not None:
                node = Node(
                    id=nid,
                    lines=lines,
                    transitions=transitions,
                    outcome=outcome,
                    trainee=trainee,
                    note=note.strip(),
                    moments=tuple(moments),
                )
                out.append((node, npath))
        return out

    def parse_lines(self, value, path):
        if isinstance(value, Mapping):
            m = self.mapping(value, path, BANDS)
            if m is None:
                return None
            if not m:
                self.p.add(path, "lines is empty", "give at least one of calm:, tense:, explosive:")
                return None
            bands = {}
            for band in BANDS:
                if band in m:
                    bands[band] = self.line_variants(m[band], path + (band,))
            if not any(bands.values()):
                return None
            return Lines(**bands)
        variants = self.line_variants(value, path)
        if not variants:
            return None
        return Lines(calm=variants)

    def line_variants(self, value, path) -> tuple[str, ...]:
        if isinstance(value, (dict,)) or value is None or isinstance(value, bool):
            self.p.wrong_type(path, value, "a line (text) or a list of line variants")
            return ()
        out = []
        for v, vpath in self.listing(value, path, "line"):
            t = self.text(v, vpath, max_chars=MAX_LINE_CHARS, what="a line (text)", spoken=True)
            if t:
                out.append(t)
        return tuple(out)

    def parse_trainee(self, value, path):
        if not isinstance(value, Mapping):
            self.p.wrong_type(
                path, value, 'a mapping of path name: reply (e.g. good: "...", poor: "...")'
            )
            return ()
        out = []
        for name, reply in value.items():
            rpath = path + (name,)
            pname = self.ident(name, rpath, "trainee path name")
            if reply is None:
                text = None  # explicitly silent
            else:
                text = self.text(
                    reply,
                    rpath,
                    max_chars=MAX_LINE_CHARS,
                    what="a reply (text), or ~ for silence",
                    spoken=True,
                )
                if text is None:
                    continue
            if pname is not None:
                out.append((pname, text))
        return tuple(out)

    def parse_transitions(self, value, path):
        if not isinstance(value, list):
            self.p.wrong_type(path, value, "a list of transitions ('- when: ...' / '- to: ...')")
            return ()
        out = []
        default_at = None
        for i, item in enumerate(value):
            tpath = path + (i,)
            m = self.mapping(item, tpath, _TRANSITION_KEYS)
            if m is None:
                continue
            if ("to" in m) == ("end" in m):
                self.p.add(
                    tpath,
                    "a transition needs exactly one of 'to: <node id>' or 'end: <outcome id>'",
                    "'to' goes to another node, 'end' finishes the drill with an outcome",
                )
                continue
            to = end = None
            if "to" in m:
                to = self.ident(m["to"], tpath + ("to",), "node id")
                if to is not None:
                    self.node_refs.append((tpath + ("to",), to))
            else:
                end = self.ident(m["end"], tpath + ("end",), "outcome id")
                if end is not None:
                    self.outcome_refs.append((tpath + ("end",), end))
            when = None
            if "when" in m:
                when = self.parse_condition(m["when"], tpath + ("when",), 0)
            elif default_at is None:
                default_at = i
            if default_at is not None and i > default_at:
                self.p.add(
                    tpath,
                    "this transition comes after the default one, so it is never taken",
                    "move the default (the transition without 'when') to the end",
                )
            if to is not None or end is not None:
                out.append(Transition(when=when, to=to, end=end))
        if default_at is None:
            self.p.add(
                path,
                "no default transition: when no condition holds the drill has nowhere to go",
                "end the list with a transition without 'when', e.g. '- to: <node id>'",
                at_key=True,
            )
        return tuple(out)

    def parse_condition(self, value, path, depth) -> Condition:
        m = self.mapping(value, path, _CONDITION_KEYS)
        if m is None:
            return Condition()
        if not m:
            self.p.add(
                path, "'when' is empty", "give a condition, or drop 'when' to make this the default"
            )
        kw: dict[str, Any] = {}
        for key in ("cues_any", "cues_all", "cues_none"):
            if key in m:
                names = []
                for v, vpath in self.listing(m[key], path + (key,), "cue name"):
                    if isinstance(v, str) and v in self.cues:
                        names.append(v)
                    elif isinstance(v, str) and v in self.groups:
                        names.extend(self.groups[v])
                    else:
                        known = list(self.cues) + list(self.groups)
                        hint = did_you_mean(
                            v,
                            known,
                            "cues: " + ", ".join(self.cues) + "; groups: " + ", ".join(self.groups),
                        )
                        self.p.add(vpath, f"unknown cue '{v}'", hint)
                kw[key] = tuple(dict.fromkeys(names))
        for key, lo, hi in (
            ("score_above", 0, 100),
            ("score_below", 0, 100),
            ("agitation_above", 0, 1),
            ("agitation_below", 0, 1),
        ):
            if key in m:
                kw[key] = self.number(m[key], path + (key,), lo, hi)
        for key in ("silent", "interrupted"):
            if key in m:
                kw[key] = self.boolean(m[key], path + (key,))
        if "mentions_any" in m:
            words = []
            for v, vpath in self.listing(
                m["mentions_any"], path + ("mentions_any",), "word or phrase"
            ):
                t = self.text(v, vpath, max_chars=60, what="a word or phrase")
                if t:
                    words.append(t)
            kw["mentions_any"] = tuple(words)
        for key, refs in (("hooks_any", self.hook_refs), ("triggers_any", self.trigger_refs)):
            if key in m:
                names = []
                for v, vpath in self.listing(m[key], path + (key,), "name"):
                    n = self.ident(v, vpath, "name")
                    if n is not None:
                        refs.append((vpath, n))
                        names.append(n)
                kw[key] = tuple(names)
        for key in ("turn_at_least", "turn_at_most"):
            if key in m:
                kw[key] = self.integer(m[key], path + (key,), 1, 1000)
        if "any_of" in m:
            if depth >= _MAX_CONDITION_DEPTH:
                self.p.add(
                    path + ("any_of",),
                    "conditions are nested too deeply",
                    "flatten the 'any_of' lists",
                )
            else:
                subs = []
                for v, vpath in self.listing(m["any_of"], path + ("any_of",), "condition"):
                    subs.append(self.parse_condition(v, vpath, depth + 1))
                kw["any_of"] = tuple(subs)
        lo, hi = kw.get("agitation_above"), kw.get("agitation_below")
        if lo is not None and hi is not None and lo >= hi:
            self.p.add(
                path + ("agitation_below",),
                f"agitation can never be above {lo:g} and below {hi:g}",
                "make agitation_below larger than agitation_above",
            )
        lo, hi = kw.get("score_above"), kw.get("score_below")
        if lo is not None and hi is not None and lo >= hi:
            self.p.add(
                path + ("score_below",),
                f"the score can never be above {lo:g} and below {hi:g}",
                "make score_below larger than score_above",
            )
        return Condition(**{k: v for k, v in kw.items() if v is not None})

    # -- cross-references and graph -----------------------------------------

    def check_references(self, nodes, outcomes, perp) -> None:
        node_ids = [n.id for n, _ in nodes]
        outcome_ids = [o.id for o in outcomes]
        known_outcomes = set(outcome_ids) | set(self._outcome_keys())
        for path, name in self.node_refs:
            if name not in node_ids and name not in self._raw_node_ids():
                hint = did_you_mean(name, node_ids, "node ids: " + ", ".join(node_ids[:12]))
                self.p.add(path, f"no node with id '{name}'", hint)
        for path, name in self.outcome_refs:
            if name not in known_outcomes:
                hint = did_you_mean(name, sorted(known_outcomes), "add it under 'outcomes:'")
                self.p.add(path, f"no outcome with id '{name}'", hint)
        for refs, have, what in (
            (self.hook_refs, self.hooks, "hook"),
            (self.trigger_refs, self.triggers, "trigger"),
        ):
            for path, name in refs:
                if name not in have:
                    hint = did_you_mean(name, sorted(have), f"define it under perpetrator.{what}s")
                    self.p.add(path, f"no {what} named '{name}'", hint)

    def _outcome_keys(self):
        data = self.doc.data
        if isinstance(data, Mapping) and isinstance(data.get("outcomes"), Mapping):
            return [k for k in data["outcomes"] if isinstance(k, str)]
        return []

    def _raw_node_ids(self):
        """Ids written in the file, even on nodes that had other problems (no double reports)."""
        data = self.doc.data
        nodes = data.get("nodes") if isinstance(data, Mapping) else None
        if not isinstance(nodes, list):
            return set()
        return {
            n.get("id") for n in nodes if isinstance(n, Mapping) and isinstance(n.get("id"), str)
        }

    def check_graph(self, start) -> None:
        """Every node reachable from the start, and an outcome reachable from every node."""
        ids = {nid for nid, *_ in self.graph}
        forward: dict[str, set[str]] = {nid: set() for nid in ids}
        for nid, _, targets, _ in self.graph:
            forward[nid] |= {t for t in targets if t in ids}
        reached = _reachable(start, forward)
        for nid, p, _, _ in self.graph:
            if nid not in reached:
                self.p.add(
                    p + ("id",),
                    f"node '{nid}' cannot be reached from the start node '{start}'",
                    f"add a transition 'to: {nid}' from another node, or remove this node",
                )
        backward: dict[str, set[str]] = {nid: set() for nid in ids}
        for src, dsts in forward.items():
            for d in dsts:
                backward[d].add(src)
        can_end: set[str] = set()
        for nid, _, _, ends in self.graph:
            if ends and nid not in can_end:
                can_end |= _reachable(nid, backward)
        for nid, p, _, _ends in self.graph:
            if nid in reached and nid not in can_end:
                self.p.add(
                    p + ("id",),
                    f"from node '{nid}' no path leads to an outcome: the drill could loop forever",
                    "add a transition to a node that ends, or 'end: <outcome id>'",
                )


def _reachable(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _quote_hint(value) -> str:
    if isinstance(value, Mapping) and len(value) == 1:
        return "a colon followed by a space inside text starts a mapping in YAML; put the whole text in quotes"
    if isinstance(value, bool):
        return "YAML reads yes/no/on/off/true/false as true/false; put the text in quotes"
    if value is None:
        return "write the text after the colon, or remove the key"
    return ""


def _dotted(path) -> str:
    from .yamlsafe import dotted

    return dotted(path)


# ---------------------------------------------------------------------------
# Public API: parse, load, find, list
# ---------------------------------------------------------------------------


def parse_scenario(text: str, name: str = "<text>") -> Scenario:
    """Parse and validate scenario YAML ``text``; ``name`` is used in messages.
    Raises ``ScenarioError`` whose ``problems`` lists every problem found."""
    return _build(_load_doc(name, text=text))


def _load_doc(name, *, text: str | None = None):
    from .yamlsafe import load_yaml

    return load_yaml(name, text=text)


def _build(doc) -> Scenario:
    parser = _Parser(doc)
    try:
        scenario = parser.parse()
    except RecursionError as e:  # absurdly nested YAML
        raise ScenarioError(
            f"{doc.name}:1:1: the file is nested too deeply to be a scenario"
        ) from e
    parser.p.raise_if_any("scenario")
    return scenario


def check_file(path: str | os.PathLike) -> tuple[str, ...]:
    """Every problem in the scenario file at ``path`` as ``file:line:column: message (hint)``;
    empty when it is valid."""
    try:
        _load_path(Path(path))
    except ScenarioError as e:
        return e.problems
    return ()


def _load_path(path: Path) -> Scenario:
    from .yamlsafe import load_yaml

    if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(
            f"{path}:1:1: the file is over {MAX_FILE_BYTES // 1000} kB; a scenario is much smaller"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None  # load_yaml reports it
    doc = _load_doc(path, text=text) if text is not None else load_yaml(path)
    scenario = _build(doc)
    object.__setattr__(scenario, "path", path)
    return scenario


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime_ns: int, size: int) -> Scenario:
    return _load_path(Path(path))


def scenario_dirs(data_dir: str | os.PathLike | None = None) -> tuple[tuple[str, Path], ...]:
    """Folders searched for scenarios, first wins: ("user", <data folder>/scenarios),
    then ("shipped", the package's scenarios/)."""
    from .paths import data_dir as _data_dir

    return (("user", _data_dir(data_dir) / "scenarios"), ("shipped", SHIPPED_DIR))


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def find_scenario(
    id_or_path: str | os.PathLike, *, data_dir: str | os.PathLike | None = None
) -> Path:
    """The file for a scenario id (user folder first, then shipped) or an existing path."""
    return resolve_scenario(id_or_path, data_dir=data_dir)[0]


def resolve_scenario(
    id_or_path: str | os.PathLike, *, data_dir: str | os.PathLike | None = None
) -> tuple[Path, tuple[str, ...]]:
    """The file for a scenario id or path, and notes for the user about other files with
    that id (a broken user file skipped, a duplicate id not used).

    For an id the candidates are the files declaring it, the user folder's before the
    shipped library's and, within a folder, ``<id>.yaml`` before the others: the first
    that validates is used. A broken file never hides a valid one; when none validates,
    the first candidate is returned so that loading it reports its problems.
    """
    text = str(id_or_path)
    candidate = Path(text).expanduser()
    looks_like_path = os.sep in text or text.endswith((".yaml", ".yml"))
    if candidate.is_file():
        return candidate, ()
    if looks_like_path:
        raise ScenarioError(
            f"{text}: no such scenario file. Check the path, or give a scenario id "
            "(see: voicedrill scenarios list)."
        )
    files = [(source, f) for source, f in _library_files(data_dir) if _file_id(f) == text]
    if not files:  # a file named like the id that declares another one (or none)
        files = [(source, f) for source, f in _library_files(data_dir) if f.stem == text]
    if files:
        chosen, notes = _choose(text, files)
        return chosen[1], notes
    known = sorted({info.id for info in list_scenarios(data_dir=data_dir)})
    close = closest(text, known)
    hint = f" Did you mean '{close}'?" if close else ""
    raise ScenarioError(f"no scenario '{text}'.{hint} See: voicedrill scenarios list")


def _peek_id(path: Path) -> str | None:
    """The top-level ``id:`` of a file, read from its first 64 kB without parsing it."""
    try:
        with path.open(encoding="utf-8") as f:
            for line in f.readlines(65536):
                m = re.match(r"^id:\s*['\"]?([A-Za-z0-9_]+)", line)
                if m:
                    return m.group(1)
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _library_files(data_dir) -> list[tuple[str, Path]]:
    return [(source, f) for source, folder in scenario_dirs(data_dir) for f in _yaml_files(folder)]


def _file_id(path: Path) -> str:
    return _peek_id(path) or path.stem


def _try_load(path: Path) -> tuple[Scenario | None, tuple[str, ...]]:
    try:
        st = path.stat()
        return _load_cached(str(path.resolve()), st.st_mtime_ns, st.st_size), ()
    except ScenarioError as e:
        return None, e.problems
    except OSError as e:
        return None, (f"{path}: cannot read the file ({e.strerror}).",)
    except RecursionError:
        return None, (f"{path}:1:1: the file is nested too deeply to be a scenario",)


def _choose(sid: str, files: list[tuple[str, Path]]):
    """Of the (source, file) pairs declaring ``sid``: the one used, and notes on the others."""
    order = {"user": 0, "shipped": 1}
    files = sorted(files, key=lambda sf: (order.get(sf[0], 2), sf[1].stem != sid, sf[1].name))
    loaded = [(source, f, *_try_load(f)) for source, f in files]
    valid = [x for x in loaded if x[2] is not None]
    chosen = valid[0] if valid else loaded[0]
    notes = []
    for source, f, scenario, problems in loaded:
        if f == chosen[1]:
            continue
        if scenario is None and valid:
            notes.append(
                f"{f}: has {len(problems)} problem(s), so {chosen[0]} scenario '{sid}' from "
                f"{chosen[1]} is used (fix it, see: voicedrill scenarios validate {f})"
            )
        elif scenario is not None and source == chosen[0]:
            notes.append(
                f"{f}: declares id '{sid}' too and is not used; {chosen[1]} is "
                "(give each scenario its own id)"
            )
    return chosen[:2], tuple(notes)


def load_scenario(
    id_or_path: str | os.PathLike, *, data_dir: str | os.PathLike | None = None
) -> Scenario:
    """Find, load and validate a scenario by id or path (cached by file and mtime)."""
    path = find_scenario(id_or_path, data_dir=data_dir).resolve()
    try:
        st = path.stat()
    except OSError as e:
        raise ScenarioError(f"{path}: cannot read the file ({e.strerror}).") from e
    return _load_cached(str(path), st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class ScenarioInfo:
    """One line of ``scenarios list``."""

    id: str
    title: str
    language: str
    situation: str
    nodes: int
    outcomes: int
    source: str  # "shipped" | "user"
    path: str
    problems: tuple[str, ...] = ()  # non-empty when the file does not validate
    notes: tuple[str, ...] = ()  # other files declaring this id (broken, or a duplicate)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "language": self.language,
            "situation": self.situation,
            "nodes": self.nodes,
            "outcomes": self.outcomes,
            "source": self.source,
            "path": self.path,
            "valid": not self.problems,
            "problems": list(self.problems),
            "notes": list(self.notes),
        }


def list_scenarios(*, data_dir: str | os.PathLike | None = None) -> tuple[ScenarioInfo, ...]:
    """Every scenario in the user folder and the shipped library, sorted by id.

    Each id is listed once as the scenario ``load_scenario`` uses (a valid user file
    replaces a shipped one; see ``resolve_scenario``) with ``notes`` about other files
    declaring it. A broken file that is not used gets a line of its own with its
    problems, and so does a valid file whose id another file already takes.
    """
    by_id: dict[str, list[tuple[str, Path]]] = {}
    for source, f in _library_files(data_dir):
        by_id.setdefault(_file_id(f), []).append((source, f))
    out: list[ScenarioInfo] = []
    for sid, files in by_id.items():
        (source, path), notes = _choose(sid, files)
        for other_source, f in files:
            scenario, problems = _try_load(f)
            if f == path:
                out.append(_info(sid, scenario, other_source, f, problems, notes))
            elif scenario is None:
                out.append(_info(sid, None, other_source, f, problems))
            elif other_source == source:  # a valid duplicate in the same folder
                msg = (
                    f"{f}:1:1: id '{sid}' is taken by {path}, which is the file used "
                    "(give each scenario its own id)"
                )
                out.append(_info(sid, None, other_source, f, (msg,)))
            # a valid shipped scenario replaced by a valid user one is not listed
    return tuple(sorted(out, key=lambda i: (i.id, bool(i.problems), i.source != "user", i.path)))


def _info(sid, scenario, source, path, problems, notes=()) -> ScenarioInfo:
    if scenario is None:
        return ScenarioInfo(sid, "", "", "", 0, 0, source, str(path), tuple(problems), tuple(notes))
    return ScenarioInfo(
        scenario.id,
        scenario.title,
        scenario.language,
        scenario.situation,
        len(scenario.nodes),
        len(scenario.outcomes),
        source,
        str(path),
        (),
        tuple(notes),
    )


__all__ = [
    "Scenario",
    "Node",
    "Lines",
    "Transition",
    "Condition",
    "Outcome",
    "Perpetrator",
    "WordReaction",
    "Dynamics",
    "Delivery",
    "Limits",
    "ScenarioInfo",
    "BANDS",
    "RESULTS",
    "MAX_LINE_CHARS",
    "cue_names",
    "cue_groups",
    "parse_scenario",
    "check_file",
    "find_scenario",
    "load_scenario",
    "list_scenarios",
    "scenario_dirs",
    "resolve_scenario",
]
