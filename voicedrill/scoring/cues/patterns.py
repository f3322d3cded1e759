"""The pattern language of the cue data files, its compiler and its matcher.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from ...errors import ParameterError
from .text import _WORD_RE, Parsed, Sentence, Token, _content, _norm_chars

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


def _compile(lex: Lexicon, pattern: str, where: str = "pattern") -> list[_El]:
    try:
        parts = _LEX.findall(_norm_chars(str(pattern)))
        els, pos = _seq(lex, parts, 0, where)
        if pos != len(parts):
            raise PatternError(f"unexpected '{parts[pos]}'")
        if not els:
            raise PatternError("empty pattern")
        return els
    except PatternError as e:
        raise ParameterError(f"{lex.source}: {where}: bad pattern {pattern!r}: {e}") from None


def _seq(lex: Lexicon, parts: list[str], pos: int, where: str) -> tuple[list[_El], int]:
    els: list[_El] = []
    while pos < len(parts) and parts[pos] not in ("|",) and not parts[pos].startswith(")"):
        tok = parts[pos]
        negate = tok == "!" and pos + 1 < len(parts) and parts[pos + 1] == "("
        if negate:
            pos += 1
            tok = "("
        if tok == "(":
            options: list[list[_El]] = []
            pos += 1
            while True:
                seq, pos = _seq(lex, parts, pos, where)
                options.append(seq)
                if pos >= len(parts):
                    raise PatternError("missing ')'")
                if parts[pos] == "|":
                    pos += 1
                    continue
                break
            close = parts[pos]
            gm = re.fullmatch(r"\)(?:<([\w,]+)>)?\??", close)
            if gm and gm.group(1):  # "(~a|~b)<impr>": the grammemes apply to every alternative
                grams = frozenset(g for g in gm.group(1).split(",") if g)
                for opt in options:
                    if len(opt) != 1 or not isinstance(opt[0], _Lemma):
                        raise PatternError("'( ... )<grammemes>' needs '~word' alternatives")
                    opt[0].grams = opt[0].grams | grams
            el: _El = _Alt(options, optional=close.endswith("?"))
            if negate:
                if any(len(o) != 1 for o in options):
                    raise PatternError("'!( ... )' needs single words as alternatives")
                el = _Not(_Alt(options), optional=el.optional)
            pos += 1
            els.append(el)
            continue
        if tok == "?" and els:
            els[-1].optional = True
            pos += 1
            continue
        els.extend(_element(lex, tok, where))
        pos += 1
    return els, pos


def _element(lex: Lexicon, tok: str, where: str) -> list[_El]:
    optional = False
    if tok == "??":
        return [_Asks()]
    if tok.endswith("?") and len(tok) > 1:
        tok, optional = tok[:-1], True
    if tok in ("^", "^^", "$", "$$", ","):
        return [_Anchor(tok, optional=optional)]
    if tok == ">>":
        return [_Mark()]
    if tok == "*":
        return [_Any(optional=optional)]
    if tok == "@":
        return [_Echo(optional=optional)]
    m = re.fullmatch(r"\.\.\.(\d*)", tok)
    if m:
        return [_Gap(int(m.group(1) or 4), optional=optional)]
    if tok.startswith("!"):
        inner = _element(lex, tok[1:], where)
        if len(inner) != 1:
            raise PatternError(f"'!' needs a single word: {tok}")
        return [_Not(inner[0], optional=optional)]
    if tok.startswith("{"):
        name = tok.strip("{}")
        if not tok.endswith("}") or name not in lex.classes:
            raise PatternError(f"unknown word class {tok} (define it under classes:)")
        return [_Class(name, optional=optional)]
    gm = re.fullmatch(r"(~?)([^<>]*)(?:<([\w,]+)>)?", tok)
    if not gm:
        raise PatternError(f"cannot read element '{tok}'")
    tilde, word, grams = gm.groups()
    gset = frozenset(g for g in (grams or "").split(",") if g)
    if not word:
        if not gset:
            raise PatternError(f"empty element '{tok}'")
        return [_Gram(gset, optional=optional)]
    if tilde:
        if not _WORD_RE.fullmatch(word):
            raise PatternError(f"'~' needs one word: {tok}")
        lem = lex.morph.analyse(word)[0] | {word}
        return [_Lemma(frozenset(lem), gset, optional=optional)]
    words = lex.normalise_words(word)  # punctuation in a phrase is ignored: "okay," == "okay"
    if not words:
        raise PatternError(f"no word in '{tok}'")
    if gset:
        raise PatternError(f"grammemes need '~': ~{word}<...>")
    els: list[_El] = [_Word(frozenset([w])) for w in words]
    if optional:
        return [_Alt([els], optional=True)] if len(els) > 1 else [_Word(els[0].texts, optional=True)]
    return els


def _match(
    lex: Lexicon,
    parsed: Parsed,
    els: list[_El],
    i: int,
    pos: int,
    s: Sentence,
    mark: int | None = None,
    free: bool = True,
) -> Iterator[tuple[int, int | None, bool]]:
    """Ends of the ways ``els[i:]`` matches from token ``pos``, with the ``>>`` mark and
    whether the next word may lie in a new clause (only at the start or after ``,``)."""
    if i == len(els):
        yield pos, mark, free
        return
    el = els[i]
    if isinstance(el, _Mark):
        yield from _match(lex, parsed, els, i + 1, pos, s, pos, free)
        return
    if el.optional:
        yield from _match(lex, parsed, els, i + 1, pos, s, mark, free)
    for end, m, f in _one(lex, parsed, el, pos, s, mark, free):
        yield from _match(lex, parsed, els, i + 1, end, s, m, f)


def _one(
    lex: Lexicon, parsed: Parsed, el: _El, pos: int, s: Sentence, mark: int | None, free: bool
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
        elif el.kind == "^^" and (pos == s.start or (pos in parsed.clause_starts and toks[pos].clause == toks[s.start].clause)):
            yield pos, mark, True
        elif el.kind == "$" and (pos == s.end or pos in parsed.clause_ends):
            yield pos, mark, free
        elif el.kind == "$$" and (pos == s.end or (pos in parsed.clause_ends and toks[pos - 1].clause == toks[s.end - 1].clause)):
            yield pos, mark, free
        return
    # patterns stay inside a clause unless they say "," (or "^")
    crossing = s.start < pos < s.end and not free and toks[pos].clause != toks[pos - 1].clause
    if isinstance(el, _Gap):
        yield pos, mark, free
        for k in range(1, el.most + 1):
            j = pos + k - 1
            if j >= s.end or (j > pos and toks[j].clause != toks[j - 1].clause) or (j == pos and crossing):
                return
            yield pos + k, mark, False
        return
    if isinstance(el, (_Class, _Alt)):
        seen = set()
        if isinstance(el, _Class):
            texts, lemmas, options = lex.class_words[el.name]
            if pos < s.end and not crossing and (toks[pos].text in texts or toks[pos].lemmas & lemmas):
                seen.add((pos + 1, mark, False))
                yield pos + 1, mark, False
        else:
            options = el.options
        for opt in options:
            for got in _match(lex, parsed, opt, 0, pos, s, mark, free):
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
    return bool(parsed.line_concepts) and _content(lex, tok) and lex.concept.get(tok.lemma, tok.lemma) in parsed.line_concepts


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


def _find(lex: Lexicon, parsed: Parsed, els: list[_El], s: Sentence, anchored_at: int | None = None) -> list[tuple[int, int]]:
    """All (start, end) token spans in sentence ``s`` where the pattern matches (longest per start)."""
    out = []
    first = lex.start_of(els)
    toks = parsed.tokens
    if anchored_at is not None:
        starts = [anchored_at]
    elif first.clause_start:
        starts = sorted(k for k in parsed.clause_starts if s.start <= k < s.end)
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


def _find_all(lex: Lexicon, parsed: Parsed, patterns: list[list[_El]], s: Sentence) -> list[tuple[int, int]]:
    spans = []
    for p in patterns:
        spans.extend(_find(lex, parsed, p, s))
    return spans
