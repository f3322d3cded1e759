"""Paraphrase and summary: replies that restate the perpetrator's current line, or
pull together several of his lines. Read by shared content words and lead-ins for now."""

from __future__ import annotations

from ...types import TurnContext
from .lexicon import Lexicon, _line_tokens
from .patterns import _find_all
from .questions import _inverted
from .text import Parsed, Reading, Token, _concepts


def _paraphrases(lex: Lexicon, parsed: Parsed, line: tuple[Token, ...]) -> list[Reading]:
    out = []
    toks = parsed.tokens
    line_concepts = _concepts(lex, list(line))
    for si, s in enumerate(parsed.sentences):
        if _inverted(lex, parsed, s):
            continue
        lead = _find_all(lex, parsed, lex.para_lead, s)
        if lead:
            st = min(a for a, _ in lead)
            after = max(b for _, b in lead)
            if s.end - after >= 2:
                out.append(Reading("paraphrase", st, s.end))
                continue
        n_words = s.end - s.start
        if n_words < lex.para_min_words or not line_concepts or _find_all(lex, parsed, lex.para_unless, s):
            continue
        shared = _concepts(lex, toks[s.start : s.end]) & line_concepts
        weak = _find_all(lex, parsed, lex.para_weak, s)
        if weak and len(shared) >= lex.para_min_overlap:
            out.append(Reading("paraphrase", s.start, s.end, weak=True))  # the sentence is the evidence
            continue
        you = _find_all(lex, parsed, lex.para_you, s)
        if you and len(shared) >= lex.para_min_overlap_plain:
            out.append(Reading("paraphrase", s.start, s.end, weak=True))
    return out


def _summaries(lex: Lexicon, parsed: Parsed, context: TurnContext) -> list[Reading]:
    """A reply that pulls together several perpetrator lines: it shares content words
    with ``summary.min_lines`` of them (an earlier one among them) and has a summary
    marker or lead-in, or it covers one line more than that without a marker."""
    lines = [ln for ln in context.perpetrator_lines if ln.strip()]
    if len(lines) < lex.summary_min_lines:
        return []
    toks = parsed.tokens
    if len(toks) < lex.summary_min_words:
        return []
    reply = _concepts(lex, toks)
    covered, earlier = 0, False
    for n, ln in enumerate(lines):
        if _concepts(lex, list(_line_tokens(lex.code, ln))) & reply:
            covered += 1
            earlier = earlier or n < len(lines) - 1
    if covered < lex.summary_min_lines or not earlier:
        return []
    markers = lex.summary_markers + lex.para_lead
    for s in parsed.sentences:
        spans = _find_all(lex, parsed, markers, s)
        if spans:
            return [Reading("summary", min(a for a, _ in spans), len(toks))]
    if covered > lex.summary_min_lines:
        return [Reading("summary", 0, len(toks))]
    return []
