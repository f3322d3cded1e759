"""A small valid scenario shared by the scenario, branching, fault and fuzz tests: two nodes,
a hook, a default transition and three ways out. Tests edit it with ``str.replace``; the
``start_agitation`` line stays line 9 (fault-suite messages name ``:9:20:``)."""

MINIMAL = """\
id: minimal
title: A small valid scenario
language: en
situation: barricaded subject
briefing: He is alone in his flat.
learning_goals: [Label his feelings]
perpetrator:
  name: Sam
  start_agitation: 0.5
  hooks: [{name: son, words: [son, "boy*"], lower: 0.1}]
limits: {max_turns: 8, outcome: time_limit}
nodes:
  - id: door
    lines:
      calm: "Who is it?"
      explosive: ["Go away!", "I said go away!"]
    trainee: {good: "It sounds like you are exhausted.", poor: ~}
    transitions:
      - when: {cues_any: [emotional_label], agitation_below: 0.6}
        to: talk
      - when: {hooks_any: [son]}
        end: surrender
      - to: door
  - id: talk
    lines: "Fine. I'm coming out."
    outcome: surrender
outcomes:
  surrender: {result: good, title: He comes out, debrief: He came out.}
  time_limit: {result: neutral, title: Time ran out, debrief: Time ran out.}
"""
