"""The scenario's data model: frozen records of a parsed scenario (nodes, lines per agitation
band, transitions and their conditions, outcomes, the perpetrator and how his agitation moves),
the format's constants and the names a condition may use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ParameterError
from ..tts import Delivery  # the perpetrator's base delivery (at agitation 0.5)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "scenarios"
FORMAT_VERSION = 1
BANDS = ("calm", "tense", "explosive")
RESULTS = ("good", "bad", "neutral")  # how an outcome counts for the trainee
MAX_LINE_CHARS = 400  # longer lines are too long to speak as one turn
MAX_FILE_BYTES = 1_000_000
GENDERS = ("male", "female")
# Moments a node may be tagged with (``moment: [suicide]``): the scorer weighs harmful
# replies more and coaches for the moment (see the scoring script's ``moments``).
MOMENTS = ("suicide", "weapon", "demand")
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
    _nodes: dict[str, Node] = field(default_factory=dict, init=False, repr=False, compare=False)
    _outcomes: dict[str, Outcome] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

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
    from ..scoring.names import CUE_NAMES

    return tuple(CUE_NAMES)


def cue_groups() -> dict[str, tuple[str, ...]]:
    """Names a condition may use for a whole group of cues: helpful, neutral, harmful."""
    from ..scoring.names import HARMFUL, HELPFUL, NEUTRAL

    return {"helpful": tuple(HELPFUL), "neutral": tuple(NEUTRAL), "harmful": tuple(HARMFUL)}


def _languages() -> tuple[str, ...]:
    from ..lang import LANGUAGES

    return tuple(LANGUAGES)
