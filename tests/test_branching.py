"""Branching: line choice per agitation band and seed, agitation dynamics, conditions,
transitions, outcomes; generated graphs never crash and always end."""

from __future__ import annotations

import random

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicedrill import branching
from voicedrill.branching import ScriptEffects, TurnFacts, line_for, mentions, step, words_of
from voicedrill.errors import ParameterError, ScenarioError
from voicedrill.scenario import load_scenario, parse_scenario

from .fixtures_scenario import MINIMAL

NO_EFFECTS = ScriptEffects(cues={}, silence=0.0, interruption=0.0)


def facts(*cues, score=50.0, silent=False, interrupted=False, text="", turn=0):
    return TurnFacts(cues=tuple(cues), score=score, silent=silent, interrupted=interrupted, text=text,
                     turn_index=turn)


def scenario(**overrides) -> object:
    """MINIMAL with perpetrator/agitation blocks replaced (YAML snippets)."""
    text = MINIMAL
    for key, block in overrides.items():
        text = text.replace(f"limits: {{max_turns: 8, outcome: time_limit}}",
                            f"{key}: {block}\nlimits: {{max_turns: 8, outcome: time_limit}}")
    return parse_scenario(text)


# --- line choice ------------------------------------------------------------------


def test_line_band_follows_agitation():
    s = load_scenario("barricaded_subject")
    calm = line_for(s, "the_house", 0.1, seed=0, turn_index=1)
    tense = line_for(s, "the_house", 0.5, seed=0, turn_index=1)
    explosive = line_for(s, "the_house", 0.9, seed=0, turn_index=1)
    node = s.node("the_house")
    assert calm.text in node.lines.calm and tense.text in node.lines.tense and explosive.text in node.lines.explosive
    assert (calm.node_id, calm.agitation, calm.voice) == ("the_house", 0.1, s.voice)


def test_band_thresholds_are_inclusive_from_below():
    d = load_scenario("barricaded_subject").dynamics
    assert d.band(d.tense_at - 1e-9) == "calm" and d.band(d.tense_at) == "tense"
    assert d.band(d.explosive_at - 1e-9) == "tense" and d.band(d.explosive_at) == "explosive"


def test_line_choice_is_deterministic_for_a_seed_and_varies_across_seeds():
    s = load_scenario("barricaded_subject")
    node = "standoff"  # two variants in each band
    picks = {seed: [line_for(s, node, 0.5, seed=seed, turn_index=t).text for t in range(12)] for seed in range(6)}
    again = {seed: [line_for(s, node, 0.5, seed=seed, turn_index=t).text for t in range(12)] for seed in range(6)}
    assert picks == again
    assert len({tuple(v) for v in picks.values()}) > 1  # different seeds, different drills
    assert len({text for v in picks.values() for text in v}) == 2  # both variants are used


def test_line_choice_does_not_depend_on_python_hash_seed():
    import subprocess
    import sys

    code = ("from voicedrill.scenario import load_scenario; from voicedrill.branching import line_for;"
            "s=load_scenario('barricaded_subject');"
            "print([line_for(s,'standoff',0.5,seed=k,turn_index=k).text[:9] for k in range(8)])")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": h, "PATH": ""}).stdout for h in ("1", "2")}
    assert len(outs) == 1 and outs.pop().startswith("[")


def test_missing_band_falls_back_to_the_nearest():
    s = parse_scenario(MINIMAL)
    assert line_for(s, "door", 0.5, seed=0, turn_index=0).text in ("Go away!", "I said go away!")
    assert line_for(s, "talk", 0.95, seed=0, turn_index=0).text == "Fine. I'm coming out."
    with pytest.raises(ParameterError):
        line_for(s, "attic", 0.5, seed=0, turn_index=0)


# --- agitation dynamics ---------------------------------------------------------------


def test_script_effects_come_from_the_shipped_scoring_script():
    from voicedrill.scoring.script import load_script

    script = load_script()
    eff = branching.default_effects()
    assert eff.cues == dict(script.agitation.cues)
    assert eff.silence == script.agitation.silence and eff.interruption == script.agitation.interruption
    assert eff.cues["emotional_label"] < 0 < eff.cues["calm_down"]


def test_helpful_cues_calm_and_harmful_cues_agitate():
    s = load_scenario("barricaded_subject")
    calm, _ = branching.agitation_after(s, 0.6, facts("emotional_label", "paraphrase", score=80))
    hot, _ = branching.agitation_after(s, 0.6, facts("calm_down", "threat", score=20))
    assert calm < 0.6 < hot


def test_scenario_overrides_script_effects():
    s = scenario(agitation="{decay: 0, score_pull: 0, cues: {mirror: 0.2}}")
    a, eff = branching.agitation_after(s, 0.5, facts("mirror"), script={"mirror": -0.1})
    assert a == pytest.approx(0.7) and ("cue:mirror", 0.2) in eff
    a, _ = branching.agitation_after(s, 0.5, facts("paraphrase"), script={"paraphrase": -0.1})
    assert a == pytest.approx(0.4)


def test_rise_and_fall_scale_changes():
    text = MINIMAL.replace("start_agitation: 0.5", "start_agitation: 0.5\n  rise: 2\n  fall: 0.5")
    s = parse_scenario(text.replace("limits:", "agitation: {decay: 0, score_pull: 0}\nlimits:", 1))
    up, _ = branching.agitation_after(s, 0.5, facts("threat"), script={"threat": 0.1})
    down, _ = branching.agitation_after(s, 0.5, facts("summary"), script={"summary": -0.1})
    assert up == pytest.approx(0.7) and down == pytest.approx(0.45)


def test_decay_drifts_toward_resting_when_nothing_happens():
    s = scenario(agitation="{resting: 0.3, decay: 0.5, score_pull: 0}")
    a, eff = branching.agitation_after(s, 0.9, facts(), script=NO_EFFECTS)
    assert a == pytest.approx(0.6) and eff == (("decay", -0.3),)
    a, _ = branching.agitation_after(s, 0.1, facts(), script=NO_EFFECTS)
    assert a == pytest.approx(0.2)


def test_silence_and_interruption_use_script_then_scenario_values():
    s = scenario(agitation="{decay: 0, score_pull: 0}")
    eff = ScriptEffects(cues={"mirror": -0.5}, silence=0.07, interruption=0.04)
    a, _ = branching.agitation_after(s, 0.5, facts("mirror", silent=True), script=eff)
    assert a == pytest.approx(0.57)  # cues of a silent reply do not count
    a, _ = branching.agitation_after(s, 0.5, facts(interrupted=True, text="yes"), script=eff)
    assert a == pytest.approx(0.54)
    s2 = scenario(agitation="{decay: 0, score_pull: 0, silence: 0.2, interruption: 0.1}")
    assert branching.agitation_after(s2, 0.5, facts(silent=True), script=eff)[0] == pytest.approx(0.7)
    assert branching.agitation_after(s2, 0.5, facts(interrupted=True), script=eff)[0] == pytest.approx(0.6)


def test_triggers_raise_and_hooks_lower():
    s = parse_scenario(MINIMAL.replace("hooks:", "triggers: [{name: police, words: [police, \"cop*\"], raise: 0.2}]\n  hooks:")
                       .replace("limits:", "agitation: {decay: 0, score_pull: 0}\nlimits:", 1))
    a, eff = branching.agitation_after(s, 0.5, facts(text="The COPS are outside."), script=NO_EFFECTS)
    assert a == pytest.approx(0.7) and eff == (("trigger:police", 0.2),)
    a, eff = branching.agitation_after(s, 0.5, facts(text="Tell me about your boys."), script=NO_EFFECTS)
    assert a == pytest.approx(0.4) and eff == (("hook:son", -0.1),)


def test_score_pull_and_limits():
    s = scenario(agitation="{decay: 0, score_pull: 0.1, max_change: 0.15}")
    assert branching.agitation_after(s, 0.5, facts(score=100), script=NO_EFFECTS)[0] == pytest.approx(0.4)
    assert branching.agitation_after(s, 0.5, facts(score=0), script=NO_EFFECTS)[0] == pytest.approx(0.6)
    assert branching.agitation_after(s, 0.5, facts("threat"), script={"threat": 0.9})[0] == pytest.approx(0.65)
    assert branching.agitation_after(s, 0.99, facts("threat"), script={"threat": 0.9})[0] == 1.0
    assert branching.agitation_after(s, 0.01, facts("summary"), script={"summary": -0.9})[0] == 0.0


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 1), st.lists(st.sampled_from(sorted(branching.default_effects().cues)), max_size=6),
       st.floats(0, 100), st.booleans(), st.booleans(), st.text(max_size=40))
def test_agitation_always_stays_in_range(a, cues, score, silent, interrupted, text):
    s = load_scenario("barricaded_subject")
    new, eff = branching.agitation_after(s, a, facts(*cues, score=score, silent=silent, interrupted=interrupted, text=text))
    assert 0.0 <= new <= 1.0 and all(isinstance(v, float) for _, v in eff)


# --- words, conditions, transitions ---------------------------------------------------


def test_mentions_whole_words_phrases_and_prefixes():
    w = words_of("I know your DAUGHTER's name; the kids are safe. Ёлка")
    assert mentions(w, "daughter's") and not mentions(w, "daughter")
    assert mentions(w, "kid*") and mentions(w, "the kids") and not mentions(w, "kid")
    assert mentions(w, "елка") and mentions(w, "know your")
    assert not mentions(w, "your name") and not mentions(w, "")
    assert mentions(words_of("Ваша дочка ждёт"), "доч*") and mentions(words_of("Ваша дочка ждёт"), "ждет")


def test_conditions_each_key():
    s = parse_scenario(MINIMAL)
    c = branching.holds
    from voicedrill.scenario import Condition as C

    f = facts("mirror", "open_question", score=70, text="Tell me about your son", turn=2)
    assert c(C(cues_any=("mirror", "threat")), s, f, 0.5) and not c(C(cues_any=("threat",)), s, f, 0.5)
    assert c(C(cues_all=("mirror", "open_question")), s, f, 0.5) and not c(C(cues_all=("mirror", "summary")), s, f, 0.5)
    assert c(C(cues_none=("threat",)), s, f, 0.5) and not c(C(cues_none=("mirror",)), s, f, 0.5)
    assert c(C(score_above=60, score_below=80), s, f, 0.5) and not c(C(score_above=70), s, f, 0.5)
    assert c(C(agitation_above=0.4, agitation_below=0.6), s, f, 0.5) and not c(C(agitation_below=0.5), s, f, 0.5)
    assert c(C(silent=False, interrupted=False), s, f, 0.5) and not c(C(silent=True), s, f, 0.5)
    assert c(C(mentions_any=("son",)), s, f, 0.5) and not c(C(mentions_any=("daughter",)), s, f, 0.5)
    assert c(C(hooks_any=("son",)), s, f, 0.5)
    assert c(C(turn_at_least=3, turn_at_most=3), s, f, 0.5) and not c(C(turn_at_least=4), s, f, 0.5)
    assert c(C(any_of=(C(silent=True), C(cues_any=("mirror",)))), s, f, 0.5)
    assert not c(C(any_of=(C(silent=True), C(cues_any=("threat",)))), s, f, 0.5)
    assert c(C(), s, f, 0.5)


def test_step_takes_first_matching_transition_on_new_agitation():
    s = parse_scenario(MINIMAL.replace("limits:", "agitation: {decay: 0, score_pull: 0}\nlimits:", 1))
    eff = {"emotional_label": -0.2, "threat": 0.3}
    r = step(s, "door", 0.7, facts("emotional_label"), script=eff)  # 0.7 -> 0.5 < 0.6: goes on
    assert r.next_node == "talk" and r.outcome.id == "surrender" and r.transition == 0
    assert r.agitation == pytest.approx(0.5)
    r = step(s, "door", 0.9, facts("emotional_label"), script=eff)  # 0.7: still too agitated
    assert r.next_node == "door" and r.outcome is None and r.transition == 2
    r = step(s, "door", 0.5, facts(text="how is your son?"), script=eff)
    assert r.next_node is None and r.outcome.id == "surrender" and r.transition == 1


def test_turn_limit_ends_with_its_outcome():
    s = parse_scenario(MINIMAL)
    assert step(s, "door", 0.5, facts(turn=6)).outcome is None
    r = step(s, "door", 0.5, facts(turn=7))
    assert r.outcome.id == "time_limit" and r.next_node is None and r.transition is None


def test_terminal_node_takes_no_reply():
    with pytest.raises(ParameterError, match="takes no reply"):
        step(parse_scenario(MINIMAL), "talk", 0.5, facts())


def test_describe_reads_conditions():
    s = load_scenario("barricaded_subject")
    texts = [branching.describe(t.when) for n in s.nodes for t in n.transitions]
    assert "otherwise" in texts and any(t.startswith("any of ") for t in texts)


# --- generated graphs ------------------------------------------------------------------

CUES = ("emotional_label", "paraphrase", "open_question", "threat", "calm_down", "promise")


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 8))
    ids = [f"n{i}" for i in range(n)]
    outcomes = ["good_end", "bad_end", "time_limit"]
    nodes = []
    chain = draw(st.booleans())  # half the graphs are well formed: defaults chain to a last, ending node
    for k, nid in enumerate(ids):
        if chain and k == n - 1 and n > 1:
            nodes.append({"id": nid, "lines": "The end.", "outcome": draw(st.sampled_from(outcomes))})
            continue
        if not chain and draw(st.integers(0, 4)) == 0:
            nodes.append({"id": nid, "lines": "The end.", "outcome": draw(st.sampled_from(outcomes))})
            continue
        trans = []
        for _ in range(draw(st.integers(0, 3))):
            when = draw(st.sampled_from([
                {"cues_any": [draw(st.sampled_from(CUES))]}, {"silent": True},
                {"agitation_above": draw(st.sampled_from([0.2, 0.5, 0.8]))},
                {"turn_at_least": draw(st.integers(1, 5))}, {"mentions_any": ["son"]},
                {"any_of": [{"silent": True}, {"score_below": 30}]}]))
            target = {"end": draw(st.sampled_from(outcomes))} if draw(st.booleans()) and draw(st.booleans()) \
                else {"to": draw(st.sampled_from(ids))}
            trans.append({"when": when, **target})
        if chain:
            trans.append({"to": ids[k + 1]} if k + 1 < n else {"end": "good_end"})
        elif draw(st.integers(0, 6)):  # usually a default
            trans.append({"to": draw(st.sampled_from(ids))})
        nodes.append({"id": nid, "lines": {"calm": "Hello.", "tense": ["What?", "Go on."], "explosive": "No!"},
                      "transitions": trans})
    data = yaml.safe_load(MINIMAL)
    data["nodes"] = nodes
    data["outcomes"] = {o: {"result": "bad" if o == "bad_end" else "good", "title": o, "debrief": "Done."}
                        for o in outcomes}
    return data


def _reference_graph(data):
    """Reachability computed independently of the validator."""
    nodes = {n["id"]: n for n in data["nodes"]}
    start = data["nodes"][0]["id"]
    edges = {k: [t["to"] for t in n.get("transitions", []) if "to" in t] for k, n in nodes.items()}
    seen, todo = {start}, [start]
    while todo:
        for d in edges[todo.pop()]:
            if d not in seen:
                seen.add(d)
                todo.append(d)
    ends = {k for k, n in nodes.items() if "outcome" in n or any("end" in t for t in n.get("transitions", []))}
    can_end = set(ends)
    changed = True
    while changed:
        changed = False
        for k, ds in edges.items():
            if k not in can_end and any(d in can_end for d in ds):
                can_end.add(k)
                changed = True
    no_default = {k for k, n in nodes.items() if "outcome" not in n
                  and not any("when" not in t for t in n.get("transitions", []))}
    return seen, can_end, no_default, "outcome" in data["nodes"][0]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.integers(0, 2**31), st.floats(0, 1))
def test_generated_graphs_validate_exactly_and_drills_always_end(data, seed, start):
    text = yaml.safe_dump(data, sort_keys=False)
    reached, can_end, no_default, starts_at_end = _reference_graph(data)
    unreachable = set(n["id"] for n in data["nodes"]) - reached
    dead = reached - can_end
    try:
        s = parse_scenario(text, "gen.yaml")
    except ScenarioError as e:
        msgs = "\n".join(e.problems)
        for nid in unreachable:
            assert f"node '{nid}' cannot be reached" in msgs
        for nid in dead:
            assert f"from node '{nid}' no path leads to an outcome" in msgs
        assert msgs.count("no default transition") == len(no_default)
        assert ("ends the drill before the trainee speaks" in msgs) == starts_at_end
        assert unreachable or dead or no_default or starts_at_end, msgs
        return
    assert not unreachable and not dead and not no_default and not starts_at_end
    rng = random.Random(seed)
    node, agitation = s.start_node, start
    for turn in range(s.limits.max_turns):
        line_for(s, node, agitation, seed=seed, turn_index=turn)
        if s.node(node).terminal:
            break
        f = facts(*rng.sample(CUES, rng.randint(0, 2)), score=rng.uniform(0, 100), silent=rng.random() < 0.2,
                  interrupted=rng.random() < 0.1, text=rng.choice(["", "your son", "okay"]), turn=turn)
        r = step(s, node, agitation, f)
        assert 0 <= r.agitation <= 1
        agitation = r.agitation
        if r.outcome is not None:
            assert r.outcome.id in {o.id for o in s.outcomes}
            break
        node = r.next_node
    else:
        pytest.fail("the drill did not end within max_turns")


# --- what the scorer learns from the scenario -----------------------------------


def test_context_fields_carry_name_gender_and_the_node_moments():
    text = MINIMAL.replace("  name: Sam\n", "  name: Sam\n  gender: female\n").replace(
        "  - id: door\n", "  - id: door\n    moment: [suicide, weapon]\n")
    s = parse_scenario(text)
    assert s.perpetrator.gender == "female" and s.node("door").moments == ("suicide", "weapon")
    assert branching.context_fields(s, "door") == {"perpetrator": "Sam", "gender": "female",
                                                   "moments": ("suicide", "weapon")}
    assert branching.context_fields(s, "talk")["moments"] == ()
    plain = parse_scenario(MINIMAL)
    assert plain.perpetrator.gender == "" and plain.node("door").moments == ()  # both optional


@pytest.mark.parametrize("edit,message", [
    (("  name: Sam\n", "  name: Sam\n  gender: woman\n"), "gender 'woman' is not one of male, female"),
    (("  - id: door\n", "  - id: door\n    moment: [sucide]\n"), "unknown moment 'sucide'"),
])
def test_gender_and_moment_are_checked(edit, message):
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(MINIMAL.replace(*edit))
