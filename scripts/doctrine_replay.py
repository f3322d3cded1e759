"""Score the replies listed in issue 10's "Why" and replay the listed scenario cases.

Each reply is scored from its text through the real cue detector and the real rubric,
with a perfect delivery (pace, latency and calm all in their target bands): the most a
reply's delivery can add, so "no helpful content cannot pass on delivery alone" is
checked at its worst case. Scenario cases replay the scripted good path up to the node,
then give the listed reply and print the branch taken.

    PYTHONPATH=$PWD .venv/bin/python scripts/doctrine_replay.py
"""

from __future__ import annotations

import sys

from voicedrill import branching
from voicedrill.scenario import load_scenario
from voicedrill.scoring import load_script, rubric
from voicedrill.scoring.cues import detect_cues
from voicedrill.scoring.result import Calm, Pacing
from voicedrill.types import Transcript, TurnContext

SCRIPT = load_script()

REPLIES = [  # (language, his line, reply)
    ("en", "Maybe I just end it here. Save everybody the trouble. The bank gets the house either way.",
     "Are you thinking about killing yourself tonight?"),
    ("ru", "Может, просто покончить со всем этим. Всем будет легче.",
     "Вы думаете о том, чтобы покончить с собой сегодня?"),
    ("en", "Stop! One more step and I let go! I'll jump!", "Go ahead."),
    ("en", "Can I tell you something?", "Go ahead."),
    ("en", "Two million! Saturday! One word to the police and you get her back in pieces!",
     "Okay. Two million by Saturday."),
    ("en", "Listen to me! A car, two hundred grand, four o'clock! Or you start carrying people out of here!",
     "Okay. A car and two hundred grand by four."),
    ("en", "Nobody listens to me. Nobody.", "I know exactly how you feel."),
    ("en", "I'm not putting it down. Leave me alone.", "What's wrong with you?"),
    ("ru", "Я никого не выпущу! Слышите? Никого!", "Стой! Ты что, совсем с ума сошёл?"),
    ("en", "You think this is a game? I am wearing this vest for a reason!",
     "You're a terrorist holding innocent people. There's nothing to discuss."),
    ("en", "Nobody listens to me. Nobody.", "Okay. The weather is cold tonight."),
    ("en", "Nobody listens to me. Nobody.", "You sound really alone."),
    ("en", "Nobody listens to me. Nobody.",
     "So nobody listens to you. You sound really alone and angry, and you've been let down. I'm here. "
     "What happened today? I feel worried when I hear that. Tell me more."),
]


def perfect_delivery(text: str):
    words = len(text.split())
    seconds = max(words / 130 * 60, 0.5)
    pacing = Pacing(words=words, words_per_minute=130.0, articulation_rate=150.0, latency=1.0,
                    speech_seconds=seconds, pause_count=0, longest_pause=0.0, mean_pause=0.0,
                    fillers_per_minute=0.0)
    calm = Calm(score=1.0, pitch_median_hz=120.0, pitch_shift_st=0.0, pitch_spread_st=2.0, loudness_db=-20.0,
                loudness_shift_db=0.0, loudness_spread_db=3.0)
    return pacing, calm


def score_text(language: str, lines, reply: str, previous=(), *, scenario=None, node=None):
    """(score, cue names, feedback) of a typed reply with a perfect delivery."""
    ctx_kw = dict(language=language, perpetrator_lines=tuple(lines), previous_replies=tuple(previous),
                  turn_index=len(lines) - 1)
    try:
        ctx = TurnContext(**ctx_kw, **_extra_context(scenario, node))
    except (TypeError, ImportError):
        ctx = TurnContext(**ctx_kw)
    cues = list(detect_cues(Transcript(text=reply, language=language), ctx,
                            extra_phrases=SCRIPT.extra_phrases(language)))
    pacing, calm = perfect_delivery(reply)
    try:
        parts = rubric.turn_parts(cues, pacing, calm, interrupted=False, script=SCRIPT, context=ctx)
    except TypeError:
        parts = rubric.turn_parts(cues, pacing, calm, interrupted=False, script=SCRIPT)
    try:
        fb = rubric.feedback_for(cues, pacing, calm, parts, SCRIPT, language=language, line=ctx.line, context=ctx,
                                 reply=reply)
    except TypeError:
        fb = rubric.feedback_for(cues, pacing, calm, parts, SCRIPT, language=language, line=ctx.line)
    return rubric.turn_score(parts, SCRIPT), tuple(sorted({c.name for c in cues})), fb


def _extra_context(scenario, node):
    if scenario is None:
        return {}
    from voicedrill.branching import context_fields  # new code only

    return context_fields(scenario, node)


CASES = [  # (scenario, node, reply)
    ("barricaded_subject", "dark_thoughts", "Are you thinking about killing yourself tonight?"),
    ("bridge_suicide", "first_words", "Go ahead."),
    ("bridge_suicide", "ask_directly", "Go ahead."),
    ("kidnap_ransom_call", "the_call", "Okay. Two million by Saturday."),
    ("kidnap_ransom_call_ru", "the_call", "Хорошо. Тридцать миллионов к субботе."),
    ("bank_hostage", "first_call", "Okay. A car and two hundred grand by four."),
    ("bank_hostage", "the_demand", "Okay. A car and two hundred grand by four."),
    ("custody_father_ru", None, "Судя по всему, вы очень устали."),
    ("mental_health_crisis", "through_the_door", "Owen, I'm Sam. The mental health team is here. You sound scared."),
    ("political_hostage", None, "You're a terrorist holding innocent people. There's nothing to discuss."),
    ("barricaded_subject", "dark_thoughts", "Go ahead, do it."),
    ("barricaded_subject", "dark_thoughts", "What's wrong with you? Think of your daughter."),
]


def replay_to(s, target, seed=0):
    """Follow the good path to ``target``; (node, agitation, lines, replies) there."""
    node, ag = s.start_node, s.perpetrator.start_agitation
    lines, replies = [], []
    for turn in range(s.limits.max_turns):
        lines.append(branching.line_for(s, node, ag, seed=seed, turn_index=turn).text)
        if target is None or node == target:
            return node, ag, lines, replies, turn
        reply = s.trainee_reply("good", node) or ""
        score, cues, _ = score_text(s.language, lines, reply, replies, scenario=s, node=node)
        r = branching.step(s, node, ag, branching.TurnFacts(cues, score, not reply, False, reply, turn))
        replies.append(reply)
        if r.outcome is not None:
            return None
        node, ag = r.next_node, r.agitation
    return None


def main() -> int:
    print("== replies (perfect delivery)")
    for language, line, reply in REPLIES:
        score, cues, fb = score_text(language, [line], reply)
        print(f"{score:6.1f}  {reply[:60]!r:64} {','.join(cues) or '-'}")
        for f in fb:
            print(f"         - {f}")
    print("\n== scenario cases (good path to the node, then the reply)")
    for sid, target, reply in CASES:
        s = load_scenario(sid)
        got = replay_to(s, target)
        if got is None:
            print(f"{sid}/{target}: not reached on the good path")
            continue
        node, ag, lines, replies, turn = got
        score, cues, _ = score_text(s.language, lines, reply, replies, scenario=s, node=node)
        r = branching.step(s, node, ag, branching.TurnFacts(cues, score, False, False, reply, turn))
        to = r.next_node or "-"
        end = f" END {r.outcome.id}" if r.outcome else ""
        print(f"{sid}/{node}: {reply[:50]!r} -> {to}{end}  (score {score:.1f}, cues {','.join(cues) or '-'}, "
              f"agitation {ag:.2f}->{r.agitation:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
