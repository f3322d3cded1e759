"""The compiler of the pattern language (syntax: ``patterns.py``), with the limits on
one pattern. Shipped data and instructors' extra phrases go through the same checks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...errors import ParameterError
from .patterns import (
    _LEX,
    PatternError,
    _Alt,
    _Anchor,
    _Any,
    _Asks,
    _Class,
    _Echo,
    _El,
    _Gap,
    _Gram,
    _Lemma,
    _Mark,
    _Not,
    _Word,
)
from .text import _WORD_RE, _norm_chars

if TYPE_CHECKING:
    from .lexicon import Lexicon


# Limits on one pattern (shipped data and instructors' extra phrases alike). Matching
# cost stays linear in the reply whatever the pattern (see _match); these keep the
# constant factor, the compiler's recursion and the numbers sane.
MAX_PATTERN_CHARS = 400
MAX_ELEMENTS = 60  # words, gaps, anchors ..., counted inside alternatives too
MAX_DEPTH = 6  # nested ( ... )
MAX_GAP = 20  # ...N


def _compile(
    lex: Lexicon, pattern: str, where: str = "pattern", source: str | None = None
) -> list[_El]:
    """A pattern compiled; a ParameterError naming ``source`` (the data file) and ``where``."""
    try:
        return _compile_raw(lex, pattern)
    except PatternError as e:
        shown = pattern if len(str(pattern)) <= 80 else str(pattern)[:77] + "..."
        raise ParameterError(
            f"{source or lex.source}: {where}: bad pattern {shown!r}: {e}"
        ) from None


def _compile_raw(lex: Lexicon, pattern: str) -> list[_El]:
    """A pattern compiled, or PatternError saying what is wrong with it."""
    text = _norm_chars(str(pattern))
    if len(text) > MAX_PATTERN_CHARS:
        raise PatternError(
            f"longer than {MAX_PATTERN_CHARS} characters; split it into several phrases"
        )
    parts = _LEX.findall(text)
    els, pos = _seq(lex, parts, 0)
    if pos != len(parts):
        raise PatternError(f"unexpected '{parts[pos]}'")
    if not els:
        raise PatternError("empty pattern")
    if _size(els) > MAX_ELEMENTS:
        raise PatternError(
            f"more than {MAX_ELEMENTS} words and signs; split it into several phrases"
        )
    return els


def _size(els: list[_El]) -> int:
    n = 0
    for el in els:
        n += 1
        if isinstance(el, _Alt):
            n += sum(_size(o) for o in el.options)
        elif isinstance(el, _Not) and isinstance(el.inner, _Alt):
            n += sum(_size(o) for o in el.inner.options)
    return n


def _seq(lex: Lexicon, parts: list[str], pos: int, depth: int = 0) -> tuple[list[_El], int]:
    if depth > MAX_DEPTH:
        raise PatternError(f"more than {MAX_DEPTH} nested parentheses")
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
                seq, pos = _seq(lex, parts, pos, depth + 1)
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
        els.extend(_element(lex, tok))
        pos += 1
    return els, pos


def _element(lex: Lexicon, tok: str) -> list[_El]:
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
        digits = m.group(1) or "4"
        if len(digits) > 2 or int(digits) > MAX_GAP:
            raise PatternError(
                f"a gap ...N spans at most {MAX_GAP} words (got ...{digits[:6]}{'...' if len(digits) > 6 else ''})"
            )
        return [_Gap(int(digits), optional=optional)]
    if tok.startswith("!"):
        inner = _element(lex, tok[1:])
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
        return (
            [_Alt([els], optional=True)]
            if len(els) > 1
            else [_Word(frozenset([words[0]]), optional=True)]
        )
    return els
