"""The scorer: active-listening cues, pacing and vocal calm, from a scoring script.

Public API::

    script = load_script(path=None)          # None: the shipped default_script.yaml
    score = score_turn(reply, transcript, context, script, baseline=None)  # TurnScore
    found = words_cues(transcript, context, script)  # the cues of the words alone
    total = drill_score(scores, script)      # 0..100
    baseline = measure_baseline(audio)       # the trainee's calm voice

``score_turn`` is pure: the same reply audio, transcript, context, script and
baseline always give the same ``TurnScore`` (``script_hash`` names the script).
"""

from __future__ import annotations

from ..types import Reply, Transcript, TurnContext, VoiceBaseline
from . import prosody, rubric
from .cues import detect_cues
from .names import CUE_NAMES, HARMFUL, HELPFUL, NEUTRAL
from .prosody import measure_baseline
from .result import Calm, Cue, Pacing, ScoreParts, TurnScore
from .rubric import drill_score
from .script import ScoringScript, load_script


def score_turn(
    reply: Reply,
    transcript: Transcript,
    context: TurnContext,
    script: ScoringScript,
    baseline: VoiceBaseline | None = None,
    found: tuple[Cue, ...] | None = None,
) -> TurnScore:
    """Score one reply (audio 16 kHz float32 + its transcript) in its context.

    Text cues come from ``words_cues`` (``found``, when the caller read them already: a
    live drill reads them while the pause that ends the reply runs out, on the same
    transcript and context); ``effective_pause`` from the audio; pacing and vocal calm from
    ``prosody``; the score and feedback from ``rubric``. A reply with an empty
    transcript scores ``turn_score.silent_reply``. Words with no speech found in the
    audio (a typed transcript over a silent file) are scored on their cues alone.
    """
    from ..audio import validate_audio

    language = context.language
    audio = validate_audio(reply.audio, name=reply.source or "reply audio")
    if reply.onset is None and not transcript.is_empty:
        # The listener heard no onset but words were transcribed (e.g. a file scored
        # offline): find the speech span in the audio itself.
        reply = _with_span(reply, audio)
    silent = (
        transcript.is_empty
    )  # nothing said (a cough or noise the ASR emptied counts as silence)
    timing = prosody.speech_timing(reply, min_pause=script.targets.min_pause_seconds)
    pacing = prosody.measure_pacing(
        reply,
        transcript,
        min_pause=script.targets.min_pause_seconds,
        fillers=rubric.fillers_for(language),
        timing=timing,
    )
    if silent:
        parts = ScoreParts(cues=0.0, pacing=None, latency=None, calm=None)
        return TurnScore(
            score=rubric.turn_score(parts, script, silent=True),
            cues=(),
            pacing=pacing,
            calm=None,
            feedback=rubric.feedback_for(
                (), pacing, None, parts, script, language=language, silent=True, context=context
            ),
            script_hash=script.hash,
            parts=parts,
        )
    cues = list(found if found is not None else words_cues(transcript, context, script))
    pause = prosody.effective_pause(timing, reply.latency, script)
    pause_credit = 0.0
    if pause is not None and not any(c.name == "effective_pause" for c in cues):
        start, end = pause
        cues.append(
            Cue(
                "effective_pause",
                f"<pause {end - start:.1f} s>",
                round(start, 3),
                round(end, 3),
                "helpful",
            )
        )
        if timing.onset is not None and start >= timing.onset:  # inside the reply
            pause_credit = end - start
    cues.sort(key=lambda c: (c.start if c.start is not None else float("inf"), c.name))
    span = (
        (timing.onset, timing.end)
        if timing.onset is not None and timing.end is not None  # (None together)
        else None
    )
    calm = prosody.measure_calm(audio, script, baseline, span=span)
    parts = rubric.turn_parts(
        cues,
        pacing,
        calm,
        interrupted=reply.interrupted,
        script=script,
        pause_credit=pause_credit,
        context=context,
    )
    feedback = rubric.feedback_for(
        cues,
        pacing,
        calm,
        parts,
        script,
        language=language,
        interrupted=reply.interrupted,
        line=context.line,
        pause_credit=pause_credit,
        context=context,
        reply=transcript.text,
    )
    return TurnScore(
        score=rubric.turn_score(parts, script),
        cues=tuple(cues),
        pacing=pacing,
        calm=calm,
        feedback=feedback,
        script_hash=script.hash,
        parts=parts,
    )


def words_cues(
    transcript: Transcript, context: TurnContext, script: ScoringScript
) -> tuple[Cue, ...]:
    """The cues of the words alone (``cues.detect_cues`` with the script's extra phrases
    for the drill's language and its meaning settings): most of ``score_turn``'s time."""
    return tuple(
        detect_cues(
            transcript,
            context,
            extra_phrases=script.extra_phrases(context.language),
            meaning=script.meaning,
        )
    )


def _with_span(reply: Reply, audio) -> Reply:
    from .. import vad

    spans = vad.speech_spans(audio)
    if not spans:
        return reply
    return Reply(
        audio=reply.audio,
        onset=spans[0].start,
        end=spans[-1].end,
        latency=reply.latency,
        interrupted=reply.interrupted,
        source=reply.source,
    )


__all__ = [
    "load_script",
    "score_turn",
    "words_cues",
    "drill_score",
    "measure_baseline",
    "detect_cues",
    "ScoringScript",
    "TurnScore",
    "ScoreParts",
    "Cue",
    "Pacing",
    "Calm",
    "CUE_NAMES",
    "HELPFUL",
    "NEUTRAL",
    "HARMFUL",
]
