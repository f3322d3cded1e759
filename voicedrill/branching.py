"""Branching: which line the perpetrator speaks, how agitation moves, where the drill goes.

All pure functions of (scenario, node, agitation, facts about the reply); the drill
loop holds the state. Same seed and turn give the same line, so drills replay.

Agitation after a reply (0 calm .. 1 explosive)::

    change = sum of cue effects            (scoring script's; the scenario's override them)
           + trigger words said (raise) - hooks mentioned (lower)
           + score_pull * (50 - score) / 50 (a good reply calms a little)
           (a silent reply: only the scenario's ``silence`` effect)
           + interruption effect when the trainee talked over him
    change *= rise if change > 0 else fall; clipped to +-max_change
    agitation = clamp(agitation + change + decay * (resting - (agitation + change)), 0, 1)

Transitions are tried in order; the first whose condition holds (on the new
agitation) is taken, the default last. ``Step.outcome`` set means the drill ends;
``Step.next_node`` set together with an outcome names a terminal node whose line is
the perpetrator's last words (speak it, expect no reply).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from .errors import ParameterError
from .scenario import Condition, Outcome, Scenario
from .types import PerpetratorLine


@dataclass(frozen=True)
class TurnFacts:
    """What the branching needs to know about one reply."""

    cues: tuple[str, ...]  # cue names detected in the reply (scorer's names)
    score: float  # turn score 0..100
    silent: bool  # the trainee said nothing
    interrupted: bool  # the trainee started while the perpetrator was speaking
    text: str  # the transcript of the reply
    turn_index: int  # 0 for the first reply


@dataclass(frozen=True)
class Step:
    """Where the drill goes after a reply."""

    next_node: (
        str | None
    )  # the next node; with ``outcome`` set: the terminal node (last words) or None
    agitation: float  # agitation after this reply, 0..1
    outcome: Outcome | None  # set when the drill ends
    transition: int | None = None  # index of the transition taken in the node (None: time limit)
    effects: tuple[
        tuple[str, float], ...
    ] = ()  # what moved agitation, e.g. ("cue:emotional_label", -0.1)


@dataclass(frozen=True)
class ScriptEffects:
    """The scoring script's agitation effects, before a scenario overrides them."""

    cues: Mapping[str, float]  # per cue heard in a reply
    silence: float  # when the trainee says nothing
    interruption: float  # when the trainee talks over the perpetrator


@lru_cache(maxsize=1)
def default_effects() -> ScriptEffects:
    """Agitation effects from the shipped default scoring script."""
    from .scoring.script import load_script

    return script_effects(load_script())


def script_effects(script) -> ScriptEffects:
    """Agitation effects from a ``ScoringScript`` (or its ``.agitation``), a ``ScriptEffects``,
    or a plain mapping of cue name -> effect (silence and interruption then 0)."""
    if script is None:
        return default_effects()
    if isinstance(script, ScriptEffects):
        return script
    if isinstance(script, Mapping):
        return ScriptEffects({str(k): float(v) for k, v in script.items()}, 0.0, 0.0)
    effects = getattr(script, "agitation", script)
    cues = getattr(effects, "cues", None)
    if not isinstance(cues, Mapping):
        raise ParameterError(f"{type(script).__name__} carries no agitation effects per cue")
    return ScriptEffects(
        cues={str(k): float(v) for k, v in cues.items()},
        silence=float(getattr(effects, "silence", 0.0)),
        interruption=float(getattr(effects, "interruption", 0.0)),
    )


def band_for(scenario: Scenario, agitation: float) -> str:
    """ "calm" | "tense" | "explosive" for this scenario's band thresholds."""
    return scenario.dynamics.band(agitation)


def line_for(
    scenario: Scenario, node_id: str, agitation: float, *, seed: int, turn_index: int
) -> PerpetratorLine:
    """The perpetrator's line at ``node_id``: a variant of the band for ``agitation``,
    chosen deterministically from (seed, turn_index, node)."""
    node = scenario.node(node_id)
    band = scenario.dynamics.band(agitation)
    variants = node.lines.for_band(band)
    digest = hashlib.blake2b(
        f"{seed}\x1f{turn_index}\x1f{node_id}\x1f{band}".encode(), digest_size=8
    ).digest()
    text = variants[int.from_bytes(digest, "big") % len(variants)]
    return PerpetratorLine(
        node_id=node_id, text=text, agitation=float(agitation), voice=scenario.voice
    )


def context_fields(scenario: Scenario, node_id: str) -> dict:
    """What the scorer should know about the scenario at ``node_id`` (TurnContext fields):
    the perpetrator's name and gender, and the node's moment tags."""
    return {
        "perpetrator": scenario.perpetrator.name,
        "gender": scenario.perpetrator.gender,
        "moments": scenario.node(node_id).moments,
    }


# --- words said -------------------------------------------------------------

_WORD_RE = re.compile(r"[\w']+", re.UNICODE)


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case word tokens (ё read as е), for matching keywords, triggers and hooks."""
    return tuple(_WORD_RE.findall(text.lower().replace("ё", "е").replace("’", "'")))


@lru_cache(maxsize=4096)
def _pattern(phrase: str) -> tuple[tuple[str, bool], ...]:
    parts = []
    for tok in phrase.lower().replace("ё", "е").split():
        prefix = tok.endswith("*")
        core = words_of(tok.rstrip("*"))
        for i, w in enumerate(core):
            parts.append((w, prefix and i == len(core) - 1))
    return tuple(parts)


def mentions(words: tuple[str, ...], phrase: str) -> bool:
    """True when ``phrase`` occurs as whole words in ``words``; a word ending in ``*``
    matches any ending ("kid*" matches "kids")."""
    pat = _pattern(phrase)
    if not pat:
        return False
    n = len(pat)
    for i in range(len(words) - n + 1):
        if all(
            (words[i + j].startswith(w) if pre else words[i + j] == w)
            for j, (w, pre) in enumerate(pat)
        ):
            return True
    return False


# --- agitation --------------------------------------------------------------


def agitation_after(
    scenario: Scenario,
    agitation: float,
    facts: TurnFacts,
    *,
    script=None,
) -> tuple[float, tuple[tuple[str, float], ...]]:
    """Agitation after a reply, and the named effects that moved it (see module doc).
    ``script``: the scoring script whose agitation effects apply (None: the shipped
    default); the scenario's own values override it."""
    dyn, perp = scenario.dynamics, scenario.perpetrator
    defaults = script_effects(script)
    base = dict(defaults.cues)
    base.update(dict(dyn.cue_effects))
    silence = defaults.silence if dyn.silence is None else dyn.silence
    interruption = defaults.interruption if dyn.interruption is None else dyn.interruption
    effects: list[tuple[str, float]] = []
    if facts.silent:
        effects.append(("silence", silence))
    else:
        for cue in sorted(set(facts.cues)):
            e = base.get(cue, 0.0)
            if e:
                effects.append((f"cue:{cue}", e))
        words = words_of(facts.text)
        for r in perp.triggers + perp.hooks:
            if any(mentions(words, w) for w in r.words):
                effects.append((("trigger:" if r.effect > 0 else "hook:") + r.name, r.effect))
        if dyn.score_pull:
            effects.append(("score", dyn.score_pull * (50.0 - _clamp(facts.score, 0, 100)) / 50.0))
    if facts.interrupted:
        effects.append(("interruption", interruption))
    change = sum(e for _, e in effects)
    scaled = change * (perp.rise if change > 0 else perp.fall)
    scaled = _clamp(scaled, -dyn.max_change, dyn.max_change)
    moved = _clamp(agitation + scaled, 0.0, 1.0)
    settled = moved + dyn.decay * (dyn.resting - moved)
    new = round(_clamp(settled, 0.0, 1.0), 6)
    effects.append(("personality", round(scaled - change, 6)))
    effects.append(("decay", round(settled - moved, 6)))
    return new, tuple((name, round(v, 6)) for name, v in effects if v)


def _clamp(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else float(x)


# --- conditions and transitions --------------------------------------------


def holds(cond: Condition, scenario: Scenario, facts: TurnFacts, agitation: float) -> bool:
    """Does ``cond`` hold for this reply, with ``agitation`` the value after it?"""
    cues = set(facts.cues)
    if cond.cues_any and not cues & set(cond.cues_any):
        return False
    if cond.cues_all and not set(cond.cues_all) <= cues:
        return False
    if cond.cues_none and cues & set(cond.cues_none):
        return False
    if cond.score_above is not None and not facts.score > cond.score_above:
        return False
    if cond.score_below is not None and not facts.score < cond.score_below:
        return False
    if cond.agitation_above is not None and not agitation > cond.agitation_above:
        return False
    if cond.agitation_below is not None and not agitation < cond.agitation_below:
        return False
    if cond.silent is not None and facts.silent != cond.silent:
        return False
    if cond.interrupted is not None and facts.interrupted != cond.interrupted:
        return False
    turn = facts.turn_index + 1
    if cond.turn_at_least is not None and turn < cond.turn_at_least:
        return False
    if cond.turn_at_most is not None and turn > cond.turn_at_most:
        return False
    if cond.mentions_any or cond.hooks_any or cond.triggers_any:
        words = words_of(facts.text)
        if cond.mentions_any and not any(mentions(words, w) for w in cond.mentions_any):
            return False
        perp = scenario.perpetrator
        for names, reactions in ((cond.hooks_any, perp.hooks), (cond.triggers_any, perp.triggers)):
            if names:
                said = {r.name for r in reactions if any(mentions(words, w) for w in r.words)}
                if not said & set(names):
                    return False
    if cond.any_of and not any(holds(c, scenario, facts, agitation) for c in cond.any_of):
        return False
    return True


def step(
    scenario: Scenario,
    node_id: str,
    agitation: float,
    facts: TurnFacts,
    *,
    script=None,
) -> Step:
    """After the reply described by ``facts`` at ``node_id``: new agitation, next node,
    and the outcome when the drill ends (a terminal node, an ``end`` transition, or
    the scenario's turn limit). ``script``: the scoring script whose per-cue agitation
    effects apply (None: the shipped default script); the scenario overrides them."""
    node = scenario.node(node_id)
    if node.terminal:
        raise ParameterError(
            f"node '{node_id}' of scenario '{scenario.id}' ends the drill; it takes no reply"
        )
    new, effects = agitation_after(scenario, agitation, facts, script=script)
    for index, t in enumerate(node.transitions):  # noqa: B007 (index is the one taken)
        if t.when is None or holds(t.when, scenario, facts, new):
            break
    else:  # unreachable for a validated scenario (the last transition is the default)
        raise ParameterError(
            f"node '{node_id}' of scenario '{scenario.id}' has no default transition"
        )
    if t.end is not None:
        return Step(None, new, scenario.outcome(t.end), index, effects)
    if t.to is None:  # unreachable for a validated scenario (a transition has `to` or `end`)
        raise ParameterError(
            f"node '{node_id}' of scenario '{scenario.id}': a transition goes nowhere"
        )
    target = scenario.node(t.to)
    if target.outcome is not None:  # a terminal node
        return Step(target.id, new, scenario.outcome(target.outcome), index, effects)
    if facts.turn_index + 1 >= scenario.limits.max_turns:
        return Step(None, new, scenario.outcome(scenario.limits.outcome), None, effects)
    return Step(target.id, new, None, index, effects)


def describe(cond: Condition | None) -> str:
    """A short human reading of a condition, for graphs and ``scenarios show``."""
    if cond is None:
        return "otherwise"
    from .scenario import cue_groups

    groups = {frozenset(v): k for k, v in cue_groups().items()}

    def names(cues):
        return groups.get(frozenset(cues)) or ", ".join(cues)

    parts = []
    if cond.cues_any:
        parts.append("any of " + names(cond.cues_any))
    if cond.cues_all:
        parts.append("all of " + names(cond.cues_all))
    if cond.cues_none:
        parts.append("none of " + names(cond.cues_none))
    for key, sym in (
        ("score_above", "score >"),
        ("score_below", "score <"),
        ("agitation_above", "agitation >"),
        ("agitation_below", "agitation <"),
        ("turn_at_least", "turn >="),
        ("turn_at_most", "turn <="),
    ):
        v = getattr(cond, key)
        if v is not None:
            parts.append(f"{sym} {v:g}")
    if cond.silent is not None:
        parts.append("silent" if cond.silent else "not silent")
    if cond.interrupted is not None:
        parts.append("interrupted" if cond.interrupted else "not interrupted")
    if cond.mentions_any:
        parts.append("says " + " / ".join(f"'{w}'" for w in cond.mentions_any))
    if cond.hooks_any:
        parts.append("hook " + " / ".join(cond.hooks_any))
    if cond.triggers_any:
        parts.append("trigger " + " / ".join(cond.triggers_any))
    if cond.any_of:
        parts.append("(" + " OR ".join(describe(c) for c in cond.any_of) + ")")
    return " and ".join(parts) or "always"


__all__ = [
    "TurnFacts",
    "Step",
    "line_for",
    "step",
    "agitation_after",
    "holds",
    "band_for",
    "describe",
    "mentions",
    "context_fields",
    "words_of",
    "ScriptEffects",
    "script_effects",
    "default_effects",
]
