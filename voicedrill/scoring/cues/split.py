"""Sentence breaks that speech recognition left out.

Whisper sometimes returns a whole reply as one run of words with no punctuation
("okay i hear you what happened then"). Read as one sentence, its encourager, its
question and its label blur together. A reply with no punctuation at all, at least
``split.min_words`` long, is cut:

- after a leading run of acknowledgements (``split.after``: "okay", "mm-hmm",
  "i hear you") when words follow them;
- before a question start (``split.before``: "are you", "what happened"), or a
  statement start (``split.statement``: "i am worried", "just don't"), that is
  not among the run's first two words, unless the word before it takes a clause
  (``split.not_after``: "I don't know what happened") or the piece it would end
  starts a question itself ("what exactly do you want").

Replies with punctuation are never cut. All phrases come from the language's
``cues.yaml``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .patterns import _match
from .text import Parsed, Sentence, Token

if TYPE_CHECKING:
    from .lexicon import Lexicon


def _soft_split(
    lex: Lexicon, tokens: list[Token], sentences: list[Sentence]
) -> tuple[list[Token], list[Sentence]]:
    """``tokens`` and ``sentences`` with unpunctuated runs cut where a sentence starts."""
    if not lex.split_after and not lex.split_before:
        return tokens, sentences
    probe = Parsed("", tokens, sentences, set(), set())
    bounds: list[tuple[int, int, bool]] = []
    changed = False
    for s in sentences:
        one_clause = all(tokens[k].clause == tokens[s.start].clause for k in range(s.start, s.end))
        if not one_clause or s.end - s.start < lex.split_min_words:
            bounds.append((s.start, s.end, s.question_mark))
            continue
        cuts = _cuts(lex, probe, s)
        if not cuts:
            bounds.append((s.start, s.end, s.question_mark))
            continue
        changed = True
        edges = [s.start, *cuts, s.end]
        for a, b in zip(edges, edges[1:], strict=False):
            bounds.append((a, b, s.question_mark and b == s.end))
    if not changed:
        return tokens, sentences
    out_tokens: list[Token] = []
    out_sentences: list[Sentence] = []
    clause = -1
    for si, (a, b, q) in enumerate(bounds):
        prev = None
        for k in range(a, b):
            if prev is None or tokens[k].clause != prev:
                clause += 1
            prev = tokens[k].clause
            out_tokens.append(replace(tokens[k], sentence=si, clause=clause))
        out_sentences.append(Sentence(a, b, q))
    return out_tokens, out_sentences


def _cuts(lex: Lexicon, probe: Parsed, s: Sentence) -> list[int]:
    """Token indices inside ``s`` where a new sentence starts."""
    toks = probe.tokens
    cuts: list[int] = []
    # a leading run of acknowledgements ("okay", "mm-hmm i see")
    k = s.start
    while k < s.end:
        best = max(
            (e for p in lex.split_after for e, _, _ in _match(lex, probe, p, 0, k, s)), default=k
        )
        if best > k:
            k = best
        elif toks[k].text in lex.fillers:
            k += 1
        else:
            break
    if s.start < k <= s.end - 2 and toks[k].text not in lex.split_not_before:
        cuts.append(k)  # not "yes >> or no": an alternative continues the phrase
    # question starts further on ("i hear you what happened")
    low = max(k, s.start) + 2
    for j in range(low, s.end - 1):
        piece = cuts[-1] if cuts else s.start
        while piece < j and toks[piece].text in lex.leading:
            piece += 1  # "then why are there ..." starts with "why"
        if j - piece < 2 or toks[j - 1].text in lex.split_not_after:
            continue
        clause_wh = piece + 1 < s.end and toks[piece + 1].text in lex.not_after_wh
        if (toks[piece].text in lex.wh and not clause_wh) or _starts_question(lex, probe, piece, s):
            continue  # "what exactly do you want" is one question; "when you say gone >> do you mean" is not
        if _starts_question(lex, probe, j, s) or any(
            e > j + 1 for p in lex.split_statement for e, _, _ in _match(lex, probe, p, 0, j, s)
        ):
            cuts.append(j)
    return cuts


def _starts_question(lex: Lexicon, probe: Parsed, k: int, s: Sentence) -> bool:
    return any(e > k + 1 for p in lex.split_before for e, _, _ in _match(lex, probe, p, 0, k, s))
