"""Scenarios: the instructor's YAML drill script, loaded, validated and found.

A scenario is a graph of perpetrator lines. Each node has line variants per
agitation band (calm / tense / explosive), transitions with declarative
conditions on the trainee's reply (cues, score, silence, words said, agitation,
turn number), scripted virtual-trainee replies, or an outcome that ends the
drill. What moves agitation between turns (per-cue effects, decay, silence,
trigger words, hooks) is data here too; ``branching`` applies it.

Loading is safe (``yamlsafe``: data only, never code), unknown keys are rejected,
and validation reports every problem at once as ``file:line:column: message (hint)``.

The package, one module per job: ``model`` (the frozen records and the format's constants),
``fields`` (the allowed keys and typed readers), ``graph`` (nodes, transitions, conditions and
the checks over the graph), ``schema`` (the top-level sections; parsing a text or a file) and
``library`` (the user folder and the shipped scenarios: find, load, list).

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

from ..tts import Delivery
from .library import (
    ScenarioInfo,
    find_scenario,
    list_scenarios,
    load_scenario,
    resolve_scenario,
    scenario_dirs,
)
from .model import (
    BANDS,
    FORMAT_VERSION,
    GENDERS,
    MAX_FILE_BYTES,
    MAX_LINE_CHARS,
    MOMENTS,
    RESULTS,
    SHIPPED_DIR,
    Condition,
    Dynamics,
    Limits,
    Lines,
    Node,
    Outcome,
    Perpetrator,
    Scenario,
    Transition,
    WordReaction,
    cue_groups,
    cue_names,
)
from .schema import check_file, parse_scenario

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
    "FORMAT_VERSION",
    "GENDERS",
    "MAX_FILE_BYTES",
    "MAX_LINE_CHARS",
    "MOMENTS",
    "RESULTS",
    "SHIPPED_DIR",
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
