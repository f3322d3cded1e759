"""Doctrine, end to end from text: every shipped scenario's scripted good and poor paths,
and a set of trap replies (dares, conceding, direct suicide questions, hollow empathy,
blaming, insults; English and Russian), go through the REAL cue detector, the real
rubric (with the shipped scoring script) and the real branching. What a negotiation
instructor would sign is asserted: a direct suicide question earns credit and never
routes to a worse node than the model answer; a dare, a concession, blame or an insult
never advances the good path and never passes; delivery alone never passes; a harmful
reply in a suicide or weapon moment costs more than a style slip.

Replies are scored with a perfect delivery (pace, latency and calm in their bands): the
most delivery can add, so a reply that fails here fails however it is spoken.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from voicedrill import branching
from voicedrill.scenario import SHIPPED_DIR, load_scenario
from voicedrill.scoring import load_script, rubric
from voicedrill.scoring.cues import detect_cues
from voicedrill.scoring.names import HARMFUL, HELPFUL
from voicedrill.scoring.result import Calm, Pacing
from voicedrill.types import Transcript, TurnContext

SCRIPT = load_script()
PASS = SCRIPT.turn.pass_mark
SHIPPED = sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml"))


def _delivery(text: str) -> tuple[Pacing, Calm]:
    words = len(text.split())
    pacing = Pacing(words=words, words_per_minute=130.0, articulation_rate=150.0, latency=1.0,
                    speech_seconds=max(words / 130 * 60, 0.5), pause_count=0, longest_pause=0.0,
                    mean_pause=0.0, fillers_per_minute=0.0)
    calm = Calm(1.0, 120.0, 0.0, 2.0, -20.0, 0.0, 3.0)
    return pacing, calm


def score_text(s, node: str | None, lines, reply: str, previous=()):
    """(score, cue names, feedback, parts) of a typed reply, as the drill would score it."""
    extra = branching.context_fields(s, node) if node else {}
    ctx = TurnContext(s.language, tuple(lines), tuple(previous), len(lines) - 1, **extra)
    cues = list(detect_cues(Transcript(text=reply, language=s.language), ctx,
                            extra_phrases=SCRIPT.extra_phrases(s.language)))
    pacing, calm = _delivery(reply)
    parts = rubric.turn_parts(cues, pacing, calm, interrupted=False, script=SCRIPT, context=ctx)
    fb = rubric.feedback_for(cues, pacing, calm, parts, SCRIPT, language=s.language, context=ctx, reply=reply)
    return rubric.turn_score(parts, SCRIPT), tuple(sorted({c.name for c in cues})), fb, parts


def _step(s, node, agitation, lines, reply, previous, turn):
    score, cues, fb, parts = score_text(s, node, lines, reply, previous)
    facts = branching.TurnFacts(cues, score, not reply, False, reply or "", turn)
    return branching.step(s, node, agitation, facts, script=SCRIPT), score, cues, fb


@lru_cache(maxsize=None)
def replay(sid: str, path: str, seed: int = 0):
    """Drive the scenario with its scripted replies; (outcome, trace). Each trace row:
    (node, agitation before, line, reply, score, cues, next node, lines so far, replies so far)."""
    s = load_scenario(sid)
    node, ag = s.start_node, s.perpetrator.start_agitation
    lines, replies, trace = [], [], []
    for turn in range(s.limits.max_turns + 1):
        line = branching.line_for(s, node, ag, seed=seed, turn_index=turn).text
        lines.append(line)
        reply = s.trainee_reply(path, node) or ""
        r, score, cues, _ = _step(s, node, ag, lines, reply, replies, turn)
        trace.append((node, ag, line, reply, score, cues, r.next_node, tuple(lines), tuple(replies)))
        if reply:
            replies.append(reply)
        if r.outcome is not None:
            return r.outcome, tuple(trace)
        node, ag = r.next_node, r.agitation
    raise AssertionError(f"{sid}/{path}: no outcome after max_turns")


def _show(trace) -> str:
    return "\n".join(f"  {n:<20} {a:.2f} {sc:5.1f} {','.join(c) or '-':<40} -> {nx}  {rep[:60]!r}"
                     for n, a, _, rep, sc, c, nx, _, _ in trace)


# --- the scripted paths through the real scorer ----------------------------------


@pytest.mark.parametrize("sid", SHIPPED)
def test_good_path_ends_well_and_every_model_answer_passes(sid):
    outcome, trace = replay(sid, "good")
    assert outcome.result == "good", f"{sid}: the good path ended '{outcome.id}'\n{_show(trace)}"
    for node, _, _, reply, score, cues, _, _, _ in trace:
        assert not set(cues) & set(HARMFUL), f"{sid}/{node}: a model answer with a harmful cue\n{_show(trace)}"
        assert score >= PASS, f"{sid}/{node}: the model answer scores {score} < {PASS}\n{_show(trace)}"


@pytest.mark.parametrize("sid", SHIPPED)
def test_poor_path_ends_badly(sid):
    outcome, trace = replay(sid, "poor")
    assert outcome.result == "bad", f"{sid}: the poor path ended '{outcome.id}'\n{_show(trace)}"
    spoken = [row for row in trace if row[3]]
    failing = [row for row in spoken if row[4] < PASS]
    assert len(failing) >= len(spoken) - 1, f"{sid}: poor replies that pass\n{_show(trace)}"


# --- trap replies at a node of the good path ------------------------------------

# (scenario, node, reply, the cues that show the trap (any of them), kind)
TRAPS = [
    # direct suicide questions: credited, never routed worse than the model answer
    ("barricaded_subject", "dark_thoughts", "Are you thinking about killing yourself tonight?", {"suicide_question"}, "ask"),
    ("bridge_suicide", "ask_directly", "Claire, are you thinking of killing yourself?", {"suicide_question"}, "ask"),
    ("custody_father", "nothing_left", "Greg, are you thinking about ending your life?", {"suicide_question"}, "ask"),
    ("rooftop_suicide_ru", "ask_directly", "Андрей, вы думаете о том, чтобы покончить с собой?", {"suicide_question"}, "ask"),
    ("custody_father_ru", "nothing_left", "Игорь, вы думаете покончить с собой?", {"suicide_question"}, "ask"),
    # honest stalls: credited, never routed worse than the model answer
    ("barricaded_subject", "the_demand",
     "I hear you want the eviction stopped. That's not my decision. I'll take it to the people who decide.",
     {"deferring"}, "ask"),
    ("kidnap_ransom_call_ru", "the_money", "Я не решаю это один. Я передам это семье и вернусь к вам.", {"deferring"}, "ask"),
    # dares
    ("bridge_suicide", "first_words", "Go ahead.", {"dare"}, "trap", "Stop! One more step and I let go!"),
    ("bridge_suicide", "first_words", "Go ahead.", {"dare", "minimal_encourager"}, "stall"),  # her calmer line
    ("bridge_suicide", "the_plan_tonight", "Do whatever you want.", {"dare"}, "trap"),
    ("barricaded_subject", "dark_thoughts", "Go ahead then, do it.", {"dare"}, "trap"),
    ("rooftop_suicide_ru", "first_words", "Давай, прыгай.", {"dare"}, "trap"),
    # conceding to a demand
    ("kidnap_ransom_call", "the_call", "Okay. Two million by Saturday.", {"conceding"}, "trap"),
    ("kidnap_ransom_call", "the_money", "Fine. Two million it is.", {"conceding"}, "trap"),
    ("bank_hostage", "first_call", "Okay. A car and two hundred grand by four.", {"conceding"}, "trap"),
    ("bank_hostage", "the_demand", "Okay, a car and the money by four.", {"conceding"}, "stall"),
    ("bank_hostage", "the_demand", "Okay. A car and two hundred grand by four.", {"conceding"}, "stall"),
    ("kidnap_ransom_call", "counter_offer", "Okay.", set(), "stall"),  # a bare "okay" to a demand
    ("kidnap_ransom_call_ru", "the_call", "Хорошо. Тридцать миллионов к субботе.", {"conceding"}, "trap"),
    # hollow empathy
    ("barricaded_subject", "family", "I know exactly how you feel.", {"hollow_empathy"}, "trap"),
    ("rooftop_suicide_ru", "the_debt", "Я прекрасно понимаю, что вы чувствуете.", {"hollow_empathy"}, "trap"),
    # blaming
    ("barricaded_subject", "dark_thoughts", "What's wrong with you? Think of your daughter.", {"blaming"}, "trap"),
    ("custody_father", "the_hearing", "What were you thinking, doing this to your kids?", {"blaming"}, "trap"),
    ("custody_father_ru", "the_court", "Стой! Ты что, совсем с ума сошёл?", {"blaming", "insult"}, "trap"),
    # insults
    ("political_hostage", "first_contact",
     # the label insults; holding up the hostages' innocence to him also blames (either shows the trap)
     "You're a terrorist holding innocent people. There's nothing to discuss.", {"insult", "blaming"}, "trap"),
    ("mental_health_crisis", "the_knife", "You're acting like a psycho.", {"insult"}, "trap"),
    ("prison_riot_ru", "opening", "Вы психи, с вами не о чем говорить.", {"insult"}, "trap"),
]


def _at(sid: str, target: str):
    """The good path's row at ``target`` (seed 0)."""
    _, trace = replay(sid, "good")
    for row in trace:
        if row[0] == target:
            return row
    raise AssertionError(f"{sid}: node '{target}' is not on the good path\n{_show(trace)}")


@pytest.mark.parametrize("trap", TRAPS, ids=[f"{t[0]}/{t[1]}:{t[2][:24]}" for t in TRAPS])
def test_trap_replies(trap):
    """kind "ask": credited and routed like the model answer; "trap": a harmful cue, no pass,
    the good path not advanced; "stall": no pass and the good path not advanced, whatever
    cues are heard. A sixth item replaces his line (another variant of the node's line)."""
    sid, node, reply, shows, kind = trap[:5]
    s = load_scenario(sid)
    at, agitation, _, model, model_score, _, model_next, lines, previous = _at(sid, node)
    if len(trap) > 5:
        assert trap[5] in s.node(node).lines.all(), trap[5]
        lines = lines[:-1] + (trap[5],)
    turn = len(lines) - 1
    r, score, cues, fb = _step(s, node, agitation, list(lines), reply, list(previous), turn)
    where = f"{sid}/{node}: {reply!r} -> {r.next_node or r.outcome.id} (score {score}, cues {cues})"
    if kind == "stall":  # whatever the detector makes of it
        assert score < PASS, where
        assert r.next_node != model_next, f"a reply that gives nothing advances the good path: {where}"
        return
    assert set(cues) & shows, f"not recognised: {where}"
    moments = branching.context_fields(s, node)["moments"]
    if kind == "ask":
        assert set(cues) & set(HELPFUL) and not set(cues) & set(HARMFUL), where
        assert score >= PASS, where
        assert r.outcome is None or r.outcome.result != "bad", where
        assert r.next_node == model_next, f"routed elsewhere than the model answer ({model_next}): {where}"
    else:
        assert set(cues) & set(HARMFUL), where
        assert score < PASS, where
        assert r.next_node != model_next or (r.outcome is not None and r.outcome.result == "bad"), (
            f"the trap advances the good path like the model answer: {where}")
        for m in moments:
            if m in SCRIPT.moments and m != "demand":
                assert score <= SCRIPT.moments[m].harmful_cap, where
        assert fb and not rubric.is_praise(fb[0], s.language), f"praise leads the feedback: {fb}"


# --- replies on their own (no scenario) ------------------------------------------


class _Bare:
    """A stand-in scenario for replies scored without one (``analyze`` style)."""

    def __init__(self, language):
        self.language = language


@pytest.mark.parametrize("language,line,reply,expect,absent", [
    ("en", "Can I tell you something?", "Go ahead.", {"minimal_encourager"}, {"dare"}),
    ("en", "Stop! One more step and I'll jump!", "Go ahead.", {"dare"}, {"minimal_encourager"}),
    ("en", "Nobody ever listens to me.", "I'm sorry you feel that way.", {"hollow_empathy"}, {"emotional_label"}),
    ("en", "I've had it with all of you.", "A psycho?", {"insult"}, {"mirror"}),
    ("en", "They call me a psycho at work.", "A psycho?", {"mirror"}, {"insult"}),
    ("ru", "Я больше так не могу.", "Вы думаете о самоубийстве?", {"suicide_question"}, {"closed_question"}),
    ("ru", "Ещё шаг, и я прыгну!", "Ну и прыгай.", {"dare"}, set()),
    ("ru", "Отстаньте от меня.", "Ты псих.", {"insult"}, set()),
])
def test_replies_read_in_context(language, line, reply, expect, absent):
    _, cues, _, _ = score_text(_Bare(language), None, [line], reply)
    assert expect <= set(cues) and not absent & set(cues), f"{reply!r} after {line!r}: {cues}"


# --- the score rules, from text ----------------------------------------------------


def test_delivery_alone_and_a_bare_encourager_never_pass():
    en = _Bare("en")
    assert score_text(en, None, ["Nobody listens to me."], "The weather is cold tonight.")[0] < PASS
    assert score_text(en, None, ["Nobody listens to me."], "Okay.")[0] < PASS
    assert score_text(en, None, ["Nobody listens to me."], "You feel nobody listens to you.")[0] >= PASS


def test_a_direct_suicide_question_earns_credit_in_both_languages():
    for lang_code, line, reply in (
        ("en", "Maybe I just end it here. Save everybody the trouble.", "Are you thinking about killing yourself tonight?"),
        ("ru", "Может, и лучше, если меня не будет.", "Вы думаете о том, чтобы покончить с собой?"),
    ):
        score, cues, fb, _ = score_text(_Bare(lang_code), None, [line], reply)
        assert "suicide_question" in cues and "closed_question" not in cues, cues
        assert score >= PASS, (reply, score)


def test_harmful_in_a_suicide_moment_costs_more_than_a_style_slip():
    en = _Bare("en")
    slip, _, _, _ = score_text(en, None, ["I lost the house."],
                               "You sound so angry, and hurt, and tired, and let down by everybody who should have "
                               "helped you, the bank, the warehouse, the people you trusted for twenty two years, "
                               "and now even the phone calls, right?")
    harmful, _, _, _ = score_text(en, None, ["I'll end it myself!"], "That's not true. You sound angry.")
    assert harmful < slip


def test_stacking_is_not_rewarded_over_one_label():
    en = _Bare("en")
    line = ["They took my kids and my house. Nobody listens."]
    label, _, _, _ = score_text(en, None, line, "You sound devastated.")
    stacked, _, _, _ = score_text(en, None, line,
                                  "I see. So they took your kids and your house. You sound like you've lost "
                                  "everything, and I feel worried when I hear that. What happened? Tell me more "
                                  "about it, and what happened before that, and how you feel right now.")
    assert stacked <= label


def test_feedback_answers_the_moment_with_his_words_and_her_pronouns():
    s = load_scenario("bridge_suicide")
    _, _, fb, _ = score_text(s, "first_words", ["Stop! One more step and I let go! I'll jump!"], "Okay.")
    text = " ".join(fb)
    assert "Claire" in text and " him" not in text and " his " not in text, fb
    assert "killing yourself" in text, fb
    s = load_scenario("kidnap_ransom_call")
    _, _, fb, _ = score_text(s, "the_call", ["Two million! Saturday! One word to the police and you get her back in pieces!"],
                             "Okay. Two million by Saturday.")
    assert any("not my decision" in f for f in fb), fb


# --- the debrief never lists praise as something to fix ---------------------------


def test_take_aways_never_list_praise_as_advice():
    from voicedrill.report.coaching import coaching_points
    from voicedrill.report.labels import labels_for
    from voicedrill.report.targets import Targets
    from voicedrill.turn import Turn
    from voicedrill.scoring.result import TurnScore
    from voicedrill.types import PerpetratorLine

    for code in ("en", "ru"):
        fb = rubric.feedback_text(code)
        praise = fb["steady"]
        advice = rubric._fill(fb["no_helpful_cue"], his="his", **{"He": "He", "him": "him", "he": "he"})
        pacing, calm = _delivery("one two three four five six")
        turns = []
        for i in range(4):
            # every turn: the steady-voice praise; two turns: the same real advice
            feedback = (praise, advice) if i < 2 else (praise,)
            score = TurnScore(45.0, (), pacing, calm, feedback)
            turns.append(Turn(i, "n", PerpetratorLine("n", "line", 0.5), Transcript("words", code),
                              score, 0.5, 0.5, reply_onset=0.0, latency=1.0))
        points = coaching_points(turns, labels_for(code), Targets())
        texts = [p.text for p in points if not p.good]
        assert not any(praise in t for t in texts), texts  # praise is not repeated advice
        assert any(advice in t for t in texts), texts  # the real advice is


# --- every suicide-tagged node of every good path ------------------------------------

ASK = {"en": "Are you thinking about killing yourself?", "ru": "Вы думаете о том, чтобы покончить с собой?"}
DARE = {"en": "Go ahead, do it then.", "ru": "Давай, делай что хочешь."}


def _suicide_nodes():
    out = []
    for sid in SHIPPED:
        _, trace = replay(sid, "good")
        seen = set()
        for row in trace:
            node = row[0]
            if "suicide" in load_scenario(sid).node(node).moments and node not in seen:
                seen.add(node)
                out.append((sid, node))
    return out


@pytest.mark.parametrize("sid,node", _suicide_nodes())
def test_asking_directly_never_routes_worse_and_a_dare_never_advances(sid, node):
    s = load_scenario(sid)
    _, trace = replay(sid, "good")
    good_nodes = {row[0] for row in trace}
    _, agitation, _, _, _, _, model_next, lines, previous = _at(sid, node)
    turn = len(lines) - 1
    r, score, cues, _ = _step(s, node, agitation, list(lines), ASK[s.language], list(previous), turn)
    where = f"{sid}/{node}: asked directly -> {r.next_node or r.outcome.id} (score {score}, cues {cues})"
    assert "suicide_question" in cues and score >= PASS, where
    assert (r.outcome is not None and r.outcome.result == "good") or r.next_node in good_nodes, where
    r, score, cues, _ = _step(s, node, agitation, list(lines), DARE[s.language], list(previous), turn)
    where = f"{sid}/{node}: a dare -> {r.next_node or r.outcome.id} (score {score}, cues {cues})"
    assert score <= SCRIPT.moments["suicide"].harmful_cap, where
    assert r.next_node != model_next and (r.outcome is None or r.outcome.result != "good"), where
