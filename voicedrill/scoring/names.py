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
)
CUE_NAMES = HELPFUL + NEUTRAL + HARMFUL
AUDIO_CUES = ("effective_pause",)  # found in the audio by prosody.py, not in the words
TEXT_CUES = tuple(c for c in CUE_NAMES if c not in AUDIO_CUES)


def cue_kind(name: str) -> str:
    """"helpful", "neutral" or "harmful" for a cue name (ParameterError if unknown)."""
    if name in HELPFUL:
        return "helpful"
    if name in NEUTRAL:
        return "neutral"
    if name in HARMFUL:
        return "harmful"
    from ..errors import ParameterError

    raise ParameterError(f"unknown cue '{name}'; choose one of: {', '.join(CUE_NAMES)}")
