"""The cue inventory: names and kinds, a leaf module (no imports) so that scenarios,
scoring scripts, the store and the report can name cues without loading the detector.

The same names are used everywhere: scoring scripts, eval-cues files, scenario
conditions and stored sessions. Detection lives in ``cues/`` (text) and
``prosody.py`` (audio); lexicons per language in ``voicedrill/lang/<code>/cues.yaml``.
"""

from __future__ import annotations

HELPFUL = (
    "emotional_label",
    "paraphrase",
    "mirror",
    "minimal_encourager",
    "open_question",
    "i_message",
    "summary",
    "effective_pause",
    "suicide_question",  # asks directly about suicide or self-harm: "Are you thinking of killing yourself?"
    "deferring",  # an honest stall, no outcome promised: "That's not my call; I'll take it to my boss."
)
NEUTRAL = ("closed_question",)
HARMFUL = (
    "why_question",
    "calm_down",
    "promise",
    "arguing",
    "minimizing",
    "threat",
    "commanding",
    "dare",  # invites the harmful act itself: "Go ahead." to "I'll jump!"
    "conceding",  # agrees to his demand, amount or deadline as settled: "Okay. Two million by Saturday."
    "hollow_empathy",  # claims understanding, reflects nothing of his: "I know exactly how you feel."
    "blaming",  # accuses or judges: "What were you thinking?", "What's wrong with you?"
    "insult",  # a degrading label for him: "terrorist", "psycho", "coward"
)
CUE_NAMES = HELPFUL + NEUTRAL + HARMFUL
AUDIO_CUES = ("effective_pause",)  # found in the audio by prosody.py, not in the words
TEXT_CUES = tuple(c for c in CUE_NAMES if c not in AUDIO_CUES)


def cue_kind(name: str) -> str:
    """ "helpful", "neutral" or "harmful" for a cue name (ParameterError if unknown)."""
    if name in HELPFUL:
        return "helpful"
    if name in NEUTRAL:
        return "neutral"
    if name in HARMFUL:
        return "harmful"
    from ..errors import ParameterError

    raise ParameterError(f"unknown cue '{name}'; choose one of: {', '.join(CUE_NAMES)}")
