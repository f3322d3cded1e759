"""The shipped scenario library: every scenario validates, is fully reachable, reaches
every outcome, and its scripted "good" path de-escalates to a good end while the
"poor" path escalates to a bad one (cues from the real cue detector)."""

from __future__ import annotations

import re
from collections import deque
from functools import lru_cache

import pytest

from voicedrill.branching import TurnFacts, line_for, mentions, step, words_of
from voicedrill.scenario import SHIPPED_DIR, list_scenarios, load_scenario

SHIPPED = sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml"))

# The situations the course library must cover (issue 6).
REQUIRED_SITUATIONS = {
    "hostage": "hostage-taker in an office or bank with demands and a deadline",
    "prison riot": "inmate spokesman holding a guard",
    "suicide": "suicide attempt on a bridge or rooftop",
    "demonstration": "crowd leader at a violent demonstration",
    "custody": "barricaded father after a custody dispute, children inside",
    "political": "politically motivated hostage-taker demanding a statement",
    "mental-health": "armed person in mental-health crisis at home",
    "kidnapping": "kidnapping ransom phone call",
}


def test_library_size_and_languages():
    assert len(SHIPPED) >= 12, SHIPPED
    scenarios = [load_scenario(i) for i in SHIPPED]
    english = [s for s in scenarios if s.language == "en"]
    russian = [s for s in scenarios if s.language == "ru"]
    assert len(english) >= 8 and len(russian) >= 4
    for s in scenarios:
        assert s.id == s.path.stem, "file name is the scenario id"
    situations = " | ".join(s.situation for s in english)
    for key, what in REQUIRED_SITUATIONS.items():
        assert key in situations, f"no English scenario for: {what}"
    ru_situations = {s.situation for s in russian}
    assert len(ru_situations) >= 4, "the Russian scenarios cover different situations"


def test_every_listed_scenario_is_valid():
    infos = {i.id: i for i in list_scenarios() if i.source == "shipped"}
    assert set(infos) == set(SHIPPED)
    for i in infos.values():
        assert not i.problems, "\n".join(i.problems)


@pytest.mark.parametrize("sid", SHIPPED)
def test_scenario_shape(sid):
    s = load_scenario(sid)
    assert len(s.nodes) >= 12, f"{sid}: {len(s.nodes)} nodes"
    assert len(s.outcomes) >= 3
    results = {o.result for o in s.outcomes}
    assert "good" in results and "bad" in results
    assert {"good", "poor"} <= set(s.trainee_paths)
    assert len(s.learning_goals) >= 3 and len(s.briefing) > 200
    assert s.perpetrator.triggers and s.perpetrator.hooks
    for n in s.nodes:
        for text in n.lines.all():
            assert len(text) <= 300, f"{sid}/{n.id}: line too long for one turn"
        for _, reply in n.trainee:
            if reply is not None:
                assert len(reply) <= 260, f"{sid}/{n.id}: trainee reply too long"
                assert not re.search(r"[0-9]{3,}|[&/#@]", reply), f"{sid}/{n.id}: hard for TTS/ASR: {reply}"
    # every node with a reply branch has a scripted good reply (the demo never falls silent)
    for n in s.nodes:
        if not n.terminal:
            assert s.trainee_reply("good", n.id), f"{sid}/{n.id}: no good reply"


@pytest.mark.parametrize("sid", SHIPPED)
def test_graph_fully_reachable(sid):
    s = load_scenario(sid)
    edges = {n.id: {t.to for t in n.transitions if t.to} for n in s.nodes}
    seen, todo = {s.start_node}, [s.start_node]
    while todo:
        for d in edges[todo.pop()]:
            if d not in seen:
                seen.add(d)
                todo.append(d)
    assert seen == {n.id for n in s.nodes}


# --- every outcome is reachable (search over synthetic replies) -----------------------

HELPFUL_SETS = [("emotional_label", "paraphrase"), ("open_question",), ("summary", "emotional_label"),
                ("minimal_encourager",), ("mirror", "open_question"), ("i_message",)]
HARMFUL_SETS = [("threat",), ("calm_down",), ("promise",), ("arguing", "minimizing"), ("commanding",),
                ("why_question",), ("threat", "commanding", "calm_down")]


def _fact_choices(s, turn):
    words = [w for r in s.perpetrator.hooks + s.perpetrator.triggers for w in r.words[:1]]
    for n in s.nodes:
        for t in n.transitions:
            if t.when is not None:
                words += [w.rstrip("*") for w in t.when.mentions_any]
    out = [TurnFacts((), 0.0, True, False, "", turn), TurnFacts(("closed_question",), 45.0, False, False, "ok", turn),
           TurnFacts(("paraphrase",), 60.0, False, True, "so", turn)]
    out += [TurnFacts(c, 80.0, False, False, "", turn) for c in HELPFUL_SETS]
    out += [TurnFacts(c, 15.0, False, False, "", turn) for c in HARMFUL_SETS]
    out += [TurnFacts(("emotional_label",), 75.0, False, False, w, turn) for w in words]
    out += [TurnFacts(("threat",), 20.0, False, False, w, turn) for w in words[:4]]
    return out


@lru_cache(maxsize=None)
def reachable_outcomes(sid):
    s = load_scenario(sid)
    found = {}
    start = (s.start_node, s.perpetrator.start_agitation, 0)
    seen = {(start[0], round(start[1], 1), 0)}
    todo = deque([start])
    while todo:
        node, ag, turn = todo.popleft()
        for f in _fact_choices(s, turn):
            r = step(s, node, ag, f)
            if r.outcome is not None:
                found.setdefault(r.outcome.id, turn + 1)
                continue
            key = (r.next_node, round(r.agitation, 1), turn + 1)
            if key not in seen:
                seen.add(key)
                todo.append((r.next_node, r.agitation, turn + 1))
    return found


@pytest.mark.parametrize("sid", SHIPPED)
def test_every_outcome_is_reachable(sid):
    s = load_scenario(sid)
    found = reachable_outcomes(sid)
    assert set(found) == {o.id for o in s.outcomes}, f"never reached: {set(o.id for o in s.outcomes) - set(found)}"


# --- the scripted virtual-trainee paths through the real cue detector ----------------


def detected_cues(s, reply: str, lines: list[str], replies: list[str], turn: int) -> tuple[str, ...]:
    from voicedrill.scoring.cues import detect_cues
    from voicedrill.types import Transcript, TurnContext

    ctx = TurnContext(language=s.language, perpetrator_lines=tuple(lines), previous_replies=tuple(replies),
                      turn_index=turn)
    return tuple(sorted({c.name for c in detect_cues(Transcript(text=reply, language=s.language), ctx)}))


def rough_score(cues: tuple[str, ...]) -> float:
    """A stand-in for the turn score (the real one needs audio): helpful cues raise it."""
    from voicedrill.scoring.names import HARMFUL, HELPFUL

    good = sum(c in HELPFUL for c in cues)
    bad = sum(c in HARMFUL for c in cues)
    return float(min(100, max(0, 50 + 12 * good - 22 * bad)))


def run_path(s, path: str, *, seed: int = 0, cues_of=detected_cues):
    """Drive the scenario with its scripted replies; return (outcome, trace of turns)."""
    node, agitation = s.start_node, s.perpetrator.start_agitation
    lines, replies, trace = [], [], []
    for turn in range(s.limits.max_turns + 1):
        lines.append(line_for(s, node, agitation, seed=seed, turn_index=turn).text)
        reply = s.trainee_reply(path, node)
        if reply is None:
            f = TurnFacts((), 0.0, True, False, "", turn)
        else:
            cues = cues_of(s, reply, lines, replies, turn)
            f = TurnFacts(cues, rough_score(cues), False, False, reply, turn)
            replies.append(reply)
        r = step(s, node, agitation, f)
        trace.append((node, round(agitation, 3), f.cues, round(r.agitation, 3)))
        agitation = r.agitation
        if r.outcome is not None:
            return r.outcome, trace
        node = r.next_node
    raise AssertionError(f"{s.id}/{path}: no outcome after max_turns")


def _show(trace):
    return "\n".join(f"  {n:<18} {a:.2f} -> {b:.2f}  {','.join(c) or '-'}" for n, a, c, b in trace)


@pytest.mark.parametrize("sid", SHIPPED)
def test_good_path_deescalates_and_ends_well(sid):
    s = load_scenario(sid)
    outcome, trace = run_path(s, "good")
    assert outcome.result == "good", f"{sid}: good path ended '{outcome.id}'\n{_show(trace)}"
    assert trace[-1][3] < s.perpetrator.start_agitation, _show(trace)
    assert len(trace) >= 6, f"{sid}: the good path is too short to teach anything\n{_show(trace)}"


@pytest.mark.parametrize("sid", SHIPPED)
def test_poor_path_escalates_and_ends_badly(sid):
    s = load_scenario(sid)
    outcome, trace = run_path(s, "poor")
    assert outcome.result == "bad", f"{sid}: poor path ended '{outcome.id}'\n{_show(trace)}"
    assert max(t[3] for t in trace) > s.perpetrator.start_agitation, _show(trace)


@pytest.mark.parametrize("sid", SHIPPED)
def test_paths_replay_identically_for_a_seed(sid):
    s = load_scenario(sid)
    for path in ("good", "poor"):
        assert run_path(s, path, seed=7) == run_path(s, path, seed=7)


# --- doctrine fixes that must not come back (issue 10) ---------------------------


@pytest.mark.parametrize("sid", SHIPPED)
def test_every_scenario_names_the_perpetrators_gender_and_tags_its_moments(sid):
    s = load_scenario(sid)
    assert s.perpetrator.gender in ("male", "female"), f"{sid}: perpetrator.gender is missing"
    assert any(n.moments for n in s.nodes), f"{sid}: no node carries a moment tag"


@pytest.mark.parametrize("sid,text,reaction", [
    ("custody_father_ru", "Судя по всему, вы очень устали.", "court"),  # a label opener, not the court
    ("custody_father_ru", "Это тёмная история.", "son"),  # «тёмный» is not Тёма
    ("prison_riot_ru", "Здесь семьдесят человек.", "daughter"),  # «семьдесят» is not «семья»
    ("mental_health_crisis", "The mental health team is here with me.", "labels"),
])
def test_trigger_words_do_not_fire_on_look_alikes(sid, text, reaction):
    s = load_scenario(sid)
    words = words_of(text)
    fired = {r.name for r in s.perpetrator.triggers + s.perpetrator.hooks if any(mentions(words, w) for w in r.words)}
    assert reaction not in fired, f"{sid}: {text!r} fires {fired}"


@pytest.mark.parametrize("sid,text,reaction", [
    ("custody_father_ru", "Суд решил за двадцать минут.", "court"),
    ("custody_father_ru", "Как там Тёма?", "son"),
    ("prison_riot_ru", "Ваша семья ждёт вас.", "daughter"),
    ("mental_health_crisis", "You're a psycho.", "labels"),
])
def test_trigger_words_still_fire_on_the_real_word(sid, text, reaction):
    s = load_scenario(sid)
    words = words_of(text)
    fired = {r.name for r in s.perpetrator.triggers + s.perpetrator.hooks if any(mentions(words, w) for w in r.words)}
    assert reaction in fired, f"{sid}: {text!r} fires {fired}"


def test_scenario_texts_keep_the_doctrine_fixes():
    rooftop = load_scenario("rooftop_suicide_ru")
    assert not any("собак" in g for g in rooftop.learning_goals)  # no dog in this scenario
    political = load_scenario("political_hostage")
    told = " ".join(o.debrief for o in political.outcomes) + " ".join(
        t for n in political.nodes for t in n.lines.all())
    assert "fake" not in told and "not real" not in told  # the vest is real in every outcome
    for sid, ceiling, said in (("kidnap_ransom_call", "sixty", "sixty"), ("kidnap_ransom_call_ru", "двух миллионов", "двух миллионов")):
        s = load_scenario(sid)
        assert ceiling in s.briefing
        replies = " ".join(r for n in s.nodes for _, r in n.trainee if r)
        assert said not in replies.lower(), f"{sid}: a model answer gives away the family's real ceiling"
