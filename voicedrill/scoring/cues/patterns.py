"""The pattern language of the cue data files and its matcher (the compiler: ``compiler.py``).

A pattern is a space-separated sequence of elements, matched inside one sentence:
  word        the word itself (after normalisation: "you're" == "you are")
  ~word       any form of the word (same stem / lemma)
  ~word<g,h>  any form that carries all grammemes g, h (pymorphy3 tags, e.g. impr, futr)
  <g,h>       any word with those grammemes
  {class}     any entry of a word class from the data file (entries may be phrases)
  !element    one word that does NOT match the element
  *           any one word
  ...  ...N   a gap of 0..4 (0..N) words inside one clause
  (a b|c|d)   alternatives (each a sequence); add ? after any element for "optional"
  ^  $        the start / end of a clause (leading discourse particles are skipped)
  ^^ $$       the start / end of a sentence
  >>          the evidence starts here (what comes before is only context)
  ,           a clause boundary (a pattern never crosses one otherwise); ",?" maybe one
  @           a content word of the perpetrator's current line (any form): "okay ,? @"
  ??          (takes no word) the sentence here is a question ("?" or a question's word order)
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

from .text import Parsed, Sentence, Token, _content

if TYPE_CHECKING:
    from .lexicon import Lexicon


class _El:
    optional = False


@dataclass
class _Word(_El):
    texts: frozenset[str]
    optional: bool = False


@dataclass
class _Lemma(_El):
    lemmas: frozenset[str]
    grams: frozenset[str] = frozenset()
    optional: bool = False


@dataclass
class _Gram(_El):
    grams: frozenset[str]
    optional: bool = False


@dataclass
class _Class(_El):
    name: str
    optional: bool = False


@dataclass
class _Not(_El):
    inner: _El
    optional: bool = False


@dataclass
class _Any(_El):
    optional: bool = False


@dataclass
class _Asks(_El):
    """``??``: matches no word; the sentence at this point is a question."""

    optional: bool = False


@dataclass
class _Echo(_El):
    """``@``: a content word that the perpetrator's current line also has (same concept)."""

    optional: bool = False


@dataclass
class _Gap(_El):
    most: int
    optional: bool = False


@dataclass
class _Alt(_El):
    options: list[list[_El]]
    optional: bool = False


@dataclass
class _Mark(_El):
    """``>>``: the reading (the evidence) starts here; what comes before is context."""

    optional: bool = False


@dataclass
class _Anchor(_El):
    kind: str  # "^", "^^", "$", "$$"
    optional: bool = False


_LEX = re.compile(r"\(|\)(?:<[\w,]+>)?\??|\||[^\s()|]+")


class PatternError(ValueError):
    """A pattern in a data file or script that cannot be read (becomes a ParameterError)."""


def _match(
    lex: Lexicon,
    parsed: Parsed,
    els: list[_El],
    i: int,
    pos: int,
    s: Sentence,
    mark: int | None = None,
    free: bool = True,
    memo: bool | None = None,
) -> Iterable[tuple[int, int | None, bool]]:
    """Ends of the ways ``els[i:]`` matches from token ``pos``, with the ``>>`` mark and
    whether the next word may lie in a new clause (only at the start or after ``,``).

    A pattern whose ways multiply (``_ways`` above ``MEMO_ABOVE``: many gaps, options or
    alternatives, "... ... ... x", "(a|a a)? (a|a a)?") is matched with every (element,
    position, mark) worked out once per reply, so it costs at most its length x the
    sentence length x its widest gap; the others are matched directly (faster).
    """
    if memo is None:
        memo = lex.ways(els) > MEMO_ABOVE
    if not memo:
        return _walk(lex, parsed, els, i, pos, s, mark, free)
    key = (id(els), i, pos, mark, free, s.start, s.end)
    hit = parsed.memo.get(key)
    if hit is not None:
        return hit[1]
    out: dict[tuple[int, int | None, bool], None] = {}
    if i == len(els):
        out[pos, mark, free] = None
    elif isinstance(els[i], _Mark):
        out.update(dict.fromkeys(_match(lex, parsed, els, i + 1, pos, s, pos, free, True)))
    else:
        el = els[i]
        if el.optional:
            out.update(dict.fromkeys(_match(lex, parsed, els, i + 1, pos, s, mark, free, True)))
        for end, m, f in _one(lex, parsed, el, pos, s, mark, free, True):
            out.update(dict.fromkeys(_match(lex, parsed, els, i + 1, end, s, m, f, True)))
    got = tuple(out)
    parsed.memo[key] = (els, got)  # holding els keeps its id from being reused while the memo lives
    return got


def _walk(
    lex: Lexicon,
    parsed: Parsed,
    els: list[_El],
    i: int,
    pos: int,
    s: Sentence,
    mark: int | None,
    free: bool,
) -> Iterator[tuple[int, int | None, bool]]:
    """``_match`` without the memo: every way, depth first."""
    if i == len(els):
        yield pos, mark, free
        return
    el = els[i]
    if isinstance(el, _Mark):
        yield from _walk(lex, parsed, els, i + 1, pos, s, pos, free)
        return
    if el.optional:
        yield from _walk(lex, parsed, els, i + 1, pos, s, mark, free)
    for end, m, f in _one(lex, parsed, el, pos, s, mark, free, False):
        yield from _walk(lex, parsed, els, i + 1, end, s, m, f)


MEMO_ABOVE = 20_000  # ways (see _ways) above which a pattern is matched through the memo
MAX_WAYS = 10**12


def _ways(lex: Lexicon, els: list[_El]) -> int:
    """An upper bound on the ways a pattern can match from one position: the product of
    each element's choices (a gap ...N: N+1; an option: +1; alternatives: the sum of theirs)."""
    total = 1
    for el in els:
        if isinstance(el, _Gap):
            n = el.most + 1
        elif isinstance(el, _Alt):
            n = sum(_ways(lex, o) for o in el.options)
        elif isinstance(el, _Class):
            texts, lemmas, rest = lex.class_words[el.name]
            n = (1 if texts or lemmas else 0) + sum(_ways(lex, o) for o in rest)
        else:
            n = 1
        total = min(MAX_WAYS, total * (n + (1 if el.optional else 0)))
    return total


def _one(
    lex: Lexicon,
    parsed: Parsed,
    el: _El,
    pos: int,
    s: Sentence,
    mark: int | None,
    free: bool,
    memo: bool,
) -> Iterator[tuple[int, int | None, bool]]:
    toks = parsed.tokens
    if isinstance(el, _Asks):
        at = min(pos, s.end - 1)
        if parsed.is_question and s.start <= at and parsed.is_question[toks[at].sentence]:
            yield pos, mark, free
        return
    if isinstance(el, _Anchor):
        if el.kind == ",":
            if s.start < pos < s.end and toks[pos].clause != toks[pos - 1].clause:
                yield pos, mark, True
        elif el.kind == "^" and pos in parsed.clause_starts:
            yield pos, mark, True
        elif el.kind == "^^" and (
            pos == s.start
            or (pos in parsed.clause_starts and toks[pos].clause == toks[s.start].clause)
            # a span of several sentences (rules read ``across_sentences``): each one starts
            or (s.start < pos < s.end and toks[pos].sentence != toks[pos - 1].sentence)
        ):
            yield pos, mark, True
        elif el.kind == "$" and (pos == s.end or pos in parsed.clause_ends):
            yield pos, mark, free
        elif el.kind == "$$" and (
            pos == s.end
            or (pos in parsed.clause_ends and toks[pos - 1].clause == toks[s.end - 1].clause)
            or (s.start < pos < s.end and toks[pos].sentence != toks[pos - 1].sentence)
        ):
            yield pos, mark, free
        return
    # patterns stay inside a clause unless they say "," (or "^")
    crossing = s.start < pos < s.end and not free and toks[pos].clause != toks[pos - 1].clause
    if isinstance(el, _Gap):
        yield pos, mark, free
        for k in range(1, el.most + 1):
            j = pos + k - 1
            if (
                j >= s.end
                or (j > pos and toks[j].clause != toks[j - 1].clause)
                or (j == pos and crossing)
            ):
                return
            yield pos + k, mark, False
        return
    if isinstance(el, (_Class, _Alt)):
        seen = set()
        if isinstance(el, _Class):
            texts, lemmas, options = lex.class_words[el.name]
            if (
                pos < s.end
                and not crossing
                and (toks[pos].text in texts or toks[pos].lemmas & lemmas)
            ):
                seen.add((pos + 1, mark, False))
                yield pos + 1, mark, False
        else:
            options = el.options
        for opt in options:
            for got in _match(lex, parsed, opt, 0, pos, s, mark, free, memo):
                if got not in seen:
                    seen.add(got)
                    yield got
        return
    if pos >= s.end or crossing:
        return
    if isinstance(el, _Echo):
        if _echoes(lex, parsed, toks[pos]):
            yield pos + 1, mark, False
        return
    if _single(el, toks[pos]):
        yield pos + 1, mark, False


def _echoes(lex: Lexicon, parsed: Parsed, tok: Token) -> bool:
    """Is ``tok`` a content word of the perpetrator's current line (``@``)?"""
    return (
        bool(parsed.line_concepts)
        and _content(lex, tok)
        and lex.concept.get(tok.lemma, tok.lemma) in parsed.line_concepts
    )


def _single(el: _El, tok: Token) -> bool:
    if isinstance(el, _Word):
        return tok.text in el.texts
    if isinstance(el, _Lemma):
        if not (tok.lemmas & el.lemmas):
            return False
        if not el.grams:
            return True
        return any(nf in el.lemmas and el.grams <= g for nf, g in tok.grams)
    if isinstance(el, _Gram):
        return any(el.grams <= g for _, g in tok.grams)
    if isinstance(el, _Any):
        return True
    if isinstance(el, _Not):
        return not _single(el.inner, tok)
    if isinstance(el, _Alt):
        return any(len(o) == 1 and _single(o[0], tok) for o in el.options)
    return False


class _Start:
    """What the first word of a pattern can be: a quick test before trying a match."""

    __slots__ = ("texts", "lemmas", "anything", "clause_start")

    def __init__(self) -> None:
        self.texts: set[str] = set()
        self.lemmas: set[str] = set()
        self.anything = False
        self.clause_start = False

    def admits(self, tok: Token) -> bool:
        return self.anything or tok.text in self.texts or bool(tok.lemmas & self.lemmas)


def _start_of(lex: Lexicon, els: list[_El], i: int = 0, into: _Start | None = None) -> _Start:
    st = into or _Start()
    while i < len(els):
        el = els[i]
        if isinstance(el, (_Anchor, _Mark, _Asks)):
            if isinstance(el, _Anchor) and el.kind == "," and i == 0:
                st.anything = True
                return st
            if isinstance(el, _Anchor) and el.kind in ("^", "^^") and i == 0 and into is None:
                st.clause_start = True
            i += 1
            continue
        if isinstance(el, _Word):
            st.texts |= el.texts
        elif isinstance(el, _Lemma):
            st.lemmas |= el.lemmas
        elif isinstance(el, _Class):
            texts, lemmas, rest = lex.class_words[el.name]
            st.texts |= texts
            st.lemmas |= lemmas
            for opt in rest:
                _start_of(lex, opt + els[i + 1 :], 0, st)
                if st.anything:
                    return st
        elif isinstance(el, _Alt):
            for opt in el.options:
                _start_of(lex, opt + els[i + 1 :], 0, st)
                if st.anything:
                    return st
            if el.optional:
                _start_of(lex, els[i + 1 :], 0, st)
            return st
        else:
            st.anything = True
            return st
        if not el.optional:
            return st
        i += 1
    st.anything = True  # everything optional: may start anywhere
    return st


def _find(
    lex: Lexicon, parsed: Parsed, els: list[_El], s: Sentence, anchored_at: int | None = None
) -> list[tuple[int, int]]:
    """All (start, end) token spans in sentence ``s`` where the pattern matches (longest per start)."""
    out = []
    first = lex.start_of(els)
    toks = parsed.tokens
    starts: Sequence[int]
    if anchored_at is not None:
        starts = [anchored_at]
    elif first.clause_start:
        ordered = parsed.sorted_clause_starts()
        starts = ordered[bisect_left(ordered, s.start) : bisect_left(ordered, s.end)]
    else:
        starts = range(s.start, s.end)
    for st in starts:
        if not first.admits(toks[st]):
            continue
        best: tuple[int, int] | None = None
        for end, mark, _ in _match(lex, parsed, els, 0, st, s):
            a = st if mark is None else mark
            if end > a and (best is None or end > best[1]):
                best = (a, end)
        if best:
            out.append(best)
    return out


def _find_all(
    lex: Lexicon, parsed: Parsed, patterns: list[list[_El]], s: Sentence
) -> list[tuple[int, int]]:
    spans = []
    for p in patterns:
        spans.extend(_find(lex, parsed, p, s))
    return spans
