"""Text cues of active listening (and of replies that escalate) in a transcribed reply.

``detect_cues(transcript, context)`` reads the reply's words and the perpetrator's
line(s) and returns the cues it finds, each with its evidence: the words of the
reply and their time span (seconds into the reply audio, when the transcript has
word times). The code here knows no language: every phrase, word class, filler,
question word and stem rule comes from ``voicedrill/lang/<code>/cues.yaml``, and the
recognition slips read back before the rules (a filler "um" heard as "I'm", "Is Sam hurt?"
heard as "It's Sam hurt.") from ``lang/<code>/heard.yaml`` where a language has one.

How a reply is read:

1. Normalise (``text.py``): lower case, ``ё`` -> ``е``, curly quotes straightened,
   contractions expanded ("you're" -> "you are", also without the apostrophe), and
   recognition's homophones read by the next word ("your terrified" -> "you are
   terrified"); punctuation splits sentences (``. ! ? ;``) and clauses (``,`` dashes,
   colons). A reply with no punctuation at all is cut where sentences start
   (``split.py``). A sentence is a question when Whisper ended it with "?" or when it
   starts like one (``questions.py``; Whisper sometimes drops "?").
2. Every token gets its lemmas: a Snowball stem (English) or pymorphy3 normal
   forms and grammemes (Russian), so data can match "any form of a word".
3. Phrase patterns from the data file (syntax and matcher: ``patterns.py``; compiled
   by ``compiler.py`` for ``lexicon.py``) are matched within clauses; a rule may need
   the perpetrator's line to match too ("Go ahead." dares only after a threat).
   Readers handle what phrases cannot: questions (open / closed / why), mirrors,
   stand-alone minimal encouragers and contradictions (``readers.py``), paraphrases
   and summaries (``paraphrase.py``). An instructor's extra phrases: ``extra.py``.
4. Overlapping readings are resolved (``resolve.py``): e.g. "you need to calm down" is a
   ``calm_down``, not also ``commanding``; a mirrored "Thirty minutes?" is a
   ``mirror``, not also a ``closed_question`` (``SUPPRESSED_BY``); heuristic
   readings (paraphrase by shared words, arguing by contradiction) give way to
   explicit ones (``WEAK_YIELDS_TO``).

Lexicons are compiled once per language and cached; a reply takes a few ms, and the
cost grows linearly with its length whatever the patterns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

from ...types import Transcript, TurnContext
from ..names import (  # noqa: F401 (re-exported)
    AUDIO_CUES,
    CUE_NAMES,
    HARMFUL,
    HELPFUL,
    NEUTRAL,
    TEXT_CUES,
    cue_kind,
)
from ..result import Cue
from .extra import _extra_rules, _freeze_extra, phrase_problem  # noqa: F401 (re-exported)
from .heads import apply_heads
from .lexicon import Lexicon, _line_tokens, lang_path, lexicon  # noqa: F401 (re-exported)
from .paraphrase import _paraphrases, _summaries
from .patterns import PatternError, _find_all  # noqa: F401 (re-exported)
from .questions import _line_parsed, _questions, _read
from .readers import _contradictions, _encouragers, _mirrors, _phrase_readings
from .resolve import SUPPRESSED_BY, WEAK_YIELDS_TO, _resolve  # noqa: F401 (re-exported)
from .text import Parsed, Reading, _concepts

if TYPE_CHECKING:
    from ..script import MeaningRules


def detect_cues(
    transcript: Transcript,
    context: TurnContext,
    *,
    extra_phrases: Mapping[str, Sequence[str]] | None = None,
    meaning: MeaningRules | None = None,
    lex: Lexicon | None = None,
) -> tuple[Cue, ...]:
    """Text cues in a reply, in the order they occur (at most one Cue per cue name).

    ``context.line`` (the current perpetrator line) is used for mirrors, paraphrases
    and contradictions; ``context.perpetrator_lines`` (earlier lines too) for
    summaries. ``extra_phrases`` (from the scoring script) adds phrases per cue in
    the pattern syntax of the data files; an unknown cue name is a ParameterError.
    ``meaning`` (the script's ``meaning:`` section) sets how paraphrases and summaries
    are read by the sentence encoder (``paraphrase.py``); None = the defaults.
    ``lex`` replaces the language's lexicon (``lexicon_without``, for ablation).
    Evidence times come from ``transcript.words`` (None when there are none).
    ``effective_pause`` is never returned here: it comes from the audio.
    """
    code = transcript.language or context.language
    own_lexicon = lex is None
    lex = lex if lex is not None else lexicon(code)
    extra = _extra_rules(code, _freeze_extra(extra_phrases))
    if transcript.is_empty:
        return ()
    parsed = _read(lex, transcript)
    if not parsed.tokens:
        return ()
    line = _line_tokens(code, context.line) if context.line.strip() else ()
    if line:
        parsed.line = _line_parsed(code, context.line)
        parsed.line_concepts = frozenset(_concepts(lex, list(line)))
    readings: list[Reading] = []
    for name in TEXT_CUES:
        rule = lex.rules.get(name)
        if rule is not None and name not in ("why_question",):
            readings.extend(_phrase_readings(lex, parsed, name, rule))
    readings.extend(_questions(lex, parsed, lex.rules.get("why_question")))
    readings.extend(_mirrors(lex, parsed, line))
    feelings = [r for r in readings if r.cue == "emotional_label"]
    readings.extend(_paraphrases(lex, parsed, line, context.line, meaning, feelings))
    readings.extend(_summaries(lex, parsed, context, meaning, feelings))
    readings.extend(_encouragers(lex, parsed))
    readings.extend(_contradictions(lex, parsed, line, lex.rules.get("arguing")))
    extra_readings: list[Reading] = []
    for name, patterns in extra.items():
        for s in parsed.sentences:
            extra_readings.extend(
                Reading(name, a, b) for a, b in _find_all(lex, parsed, patterns, s)
            )

    def in_question(r: Reading) -> bool:
        return bool(parsed.is_question) and parsed.is_question[parsed.tokens[r.start].sentence]

    kept = [
        r for r in _resolve(readings, in_question) if not r.cue.startswith("_")
    ] + extra_readings
    first: dict[str, Reading] = {}
    for r in sorted(kept, key=lambda r: (r.start, r.end)):
        first.setdefault(r.cue, r)
    if own_lexicon:  # learned heads (heads.py); an ablation's lexicon measures the rules alone
        first = _yield_to_heads(apply_heads(parsed, context, code, first, meaning), first)
        for r in sorted(extra_readings, key=lambda r: (r.start, r.end)):
            first.setdefault(r.cue, r)  # the instructor's own phrases: no head vetoes them
    return tuple(
        _to_cue(r, parsed, transcript)
        for r in sorted(first.values(), key=lambda r: (r.start, CUE_NAMES.index(r.cue)))
    )


def _yield_to_heads(after: dict[str, Reading], before: dict[str, Reading]) -> dict[str, Reading]:
    """A heuristic (weak) rule reading gives way to a cue a head added over the same words,
    as it gives way to an explicit rule reading (``WEAK_YIELDS_TO``): "You don't want people
    to see you as a monster" to "I'm not a monster" flips a word, and restates him. Only a
    helpful or neutral head cue: an added harm ("Only insane people think they're being
    followed": insult) leaves the contradiction standing beside it."""
    added = [r for c, r in after.items() if c not in before and c not in HARMFUL]
    if not added:
        return after
    return {
        c: r
        for c, r in after.items()
        if not (
            r.weak
            and any(
                o.cue in WEAK_YIELDS_TO.get(c, ()) and o.start < r.end and r.start < o.end
                for o in added
            )
        )
    }


def _to_cue(r: Reading, parsed: Parsed, transcript: Transcript) -> Cue:
    toks = parsed.tokens
    a, b = toks[r.start], toks[r.end - 1]
    evidence = parsed.source[a.char_start : b.char_end].strip()
    start = end = None
    if a.word is not None and b.word is not None and transcript.words:
        start = float(transcript.words[a.word].start)
        end = float(transcript.words[b.word].end)
    return Cue(r.cue, evidence, start, end, cue_kind(r.cue))


__all__ = [
    "HELPFUL",
    "NEUTRAL",
    "HARMFUL",
    "CUE_NAMES",
    "TEXT_CUES",
    "AUDIO_CUES",
    "SUPPRESSED_BY",
    "cue_kind",
    "detect_cues",
    "lexicon",
    "lang_path",
    "phrase_problem",
]
