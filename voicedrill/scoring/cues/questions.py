"""Questions: which sentences ask (a "?" or a question's word order), and which kind
of question each is (open, closed or a why-question). A question is read from its first
content word, past leading clauses of particles and fillers ("So, um, what was she
like?"); without "?", the language's ``heard.yaml`` adds a question to a name ("Is Kyle
hurt.", and "It's Sam hurt." as tiny.en hears "Is Sam hurt?")."""

from __future__ import annotations

from functools import lru_cache

from ...types import Transcript
from .lexicon import Lexicon, _Rule, lexicon
from .patterns import _find, _find_all
from .split import _soft_split
from .text import (
    Parsed,
    Reading,
    Sentence,
    _clause_first,
    _hedge_len,
    _norm_chars,
    _overlap,
    _parse,
    heard,
)


def _read(lex: Lexicon, transcript: Transcript) -> Parsed:
    """The reply read into tokens, sentences and clauses, with its questions marked."""
    parsed = _parse(lex, transcript, _soft_split)
    parsed.is_question = [_is_question(lex, parsed, s) for s in parsed.sentences]
    return parsed


@lru_cache(maxsize=4096)
def _line_parsed(code: str, line: str) -> Parsed:
    """The perpetrator's line read like a reply (for ``context`` patterns and ``@``)."""
    return _read(lexicon(code), Transcript(line, code))


def _is_question(lex: Lexicon, parsed: Parsed, s: Sentence) -> bool:
    if _dismissive(lex, parsed, s):
        return False
    if s.question_mark:
        return True
    if (
        parsed.unpunctuated
        and s.end - s.start >= 3
        and parsed.tokens[s.end - 1].text in lex.question_tags
    ):
        return True  # a tag at the end: "you're not going to do anything stupid right"
    if parsed.unpunctuated and lex.question_markers:
        # recognition dropped every "?": «кто-нибудь ранен», «вы ели что-нибудь»
        toks = parsed.tokens
        if toks[s.start].text not in lex.hypothetical and any(
            toks[k].text in lex.question_markers for k in range(s.start, s.end)
        ):
            return True
    if _asks_by_name(lex, parsed, s):
        return True
    if _subordinate_statement(lex, parsed, s):
        return False
    return _inverted(lex, parsed, s)


def _first(lex: Lexicon, parsed: Parsed, s: Sentence) -> int:
    """The sentence's first content token, past leading clauses of particles and fillers."""
    return _clause_first(parsed, s, _skip(lex.leading, lex.fillers))


@lru_cache(maxsize=16)
def _skip(leading: frozenset[str], fillers: frozenset[str]) -> frozenset[str]:
    return leading | fillers


def _asks_by_name(lex: Lexicon, parsed: Parsed, s: Sentence) -> bool:
    """An auxiliary and a capitalised name ("Is Kyle hurt.", "Does Sam have his inhaler."),
    "Thus" and a subject ("Thus he have ...": "Does he have ..."), or "It's", a name and a
    state word ("It's Sam hurt.", "It's Mr. Prud all right in
    there.": tiny.en's "Is ..."), ask without "?" (``heard.yaml``: ``questions``)."""
    h = heard(lex.code)
    if not h.aux_before_name and not h.is_heard and not h.does_heard:
        return False
    toks, src = parsed.tokens, parsed.source
    k = _first(lex, parsed, s)
    if toks[k].text in h.does_heard and k + 1 < s.end and toks[k + 1].text in h.subjects:
        return True  # "Thus he have his tablets on him."

    def name(i: int) -> bool:
        return (
            i < s.end
            and toks[i].char_start != toks[i - 1].char_start  # not a contraction's second half
            and src[toks[i].char_start].isupper()
            and toks[i].text not in lex.stopwords
        )

    if toks[k].text in h.aux_before_name and name(k + 1):
        return True
    t = toks[k]
    if k + 1 < s.end and _norm_chars(src[t.char_start : t.char_end]) in h.is_heard:
        j = k + 1
        while j < s.end and toks[j].char_start == t.char_start:
            j += 1  # past "it is" of "it's"
        while j < s.end and toks[j].text in h.titles:
            j += 1
        return (
            j + 1 < s.end
            and name(j)
            and toks[j + 1].text in h.name_states
            and toks[j + 1].clause == toks[j].clause
        )
    return False


def _later_wh(lex: Lexicon, parsed: Parsed, s: Sentence, first: int) -> bool:
    """Does a later clause of the sentence start with a question word that asks ("Fair
    enough, what do you need me to hear?", "I'm Daniel, who am I speaking with?": recognition
    wrote a comma for the full stop)? Only where ``heard.yaml`` says so (``questions.later_wh``):
    Russian puts a comma before every subordinate question word («Жена знает, где вы?»)."""
    toks = parsed.tokens
    skip = _skip(lex.leading, lex.fillers)
    for k in range(first + 1, s.end - 1):
        if toks[k].clause != toks[k - 1].clause:
            j = k
            while j + 1 < s.end and toks[j].text in skip:
                j += 1
            if (
                toks[j].text in lex.wh
                and j + 1 < s.end
                and toks[j + 1].text not in lex.not_after_wh
            ):
                return True
    return False


def _subordinate_statement(lex: Lexicon, parsed: Parsed, s: Sentence) -> bool:
    """A sentence ended with "." or "!" whose question word opens a clause that another
    clause follows is a statement: "When you're ready, come out.", «Когда вы так говорите,
    я волнуюсь.», «Какая разница, кто я.»"""
    toks = parsed.tokens
    end = toks[s.end - 1].char_end
    rest = parsed.source[end:].lstrip()
    if not rest or rest[0] not in ".!":
        return False
    first = _first(lex, parsed, s)
    return toks[first].text in lex.wh and toks[s.end - 1].clause != toks[first].clause


def _dismissive(lex: Lexicon, parsed: Parsed, s: Sentence) -> bool:
    """A question word right after a dismissive opener (``questions.dismissive``) asks
    nothing: «Да какая граната, это муляж», «Да кто к тебе пристает?» wave him off."""
    toks = parsed.tokens
    k = s.start
    while k < s.end and toks[k].text in lex.fillers:
        k += 1
    return k + 1 < s.end and toks[k].text in lex.question_dismissive and toks[k + 1].text in lex.wh


def _inverted(lex: Lexicon, parsed: Parsed, s: Sentence) -> bool:
    """Does the sentence start like a question (wh-word or auxiliary first)?"""
    got = parsed.inverted.get(s.start)
    if got is None:
        got = parsed.inverted[s.start] = _inverted_uncached(lex, parsed, s)
    return got


def _inverted_uncached(lex: Lexicon, parsed: Parsed, s: Sentence) -> bool:
    first = _first(lex, parsed, s)
    t = parsed.tokens
    if t[first].text in lex.wh:
        return not (first + 1 < s.end and t[first + 1].text in lex.not_after_wh)
    return any(_find(lex, parsed, p, s, anchored_at=first) for p in lex.question_starts)


def _questions(lex: Lexicon, parsed: Parsed, why_rule: _Rule | None) -> list[Reading]:
    """Each question sentence is a why-question (a why pattern, not an invitation such as
    "why don't you tell me"), an open question (a wh-word among its first words) or a
    closed one."""
    out = []
    toks = parsed.tokens
    for si, s in enumerate(parsed.sentences):
        if not parsed.is_question[si]:
            continue
        if why_rule and _find_all(lex, parsed, why_rule.patterns, s):
            blocked = _find_all(lex, parsed, why_rule.unless, s)
            spans = [
                sp
                for sp in _find_all(lex, parsed, why_rule.patterns, s)
                if not any(_overlap(sp, b) for b in blocked)
            ]
            if spans:
                out.append(Reading("why_question", *min(spans)))
                out.append(Reading("_why_sentence", s.start, s.end))
                continue
        first = _first(lex, parsed, s)
        window = [
            k
            for k in range(first, min(s.end, first + lex.wh_window))
            if toks[k].clause == toks[first].clause and not _hedge_len(lex, toks, k, s)
        ]
        # a question word that closes a clause after another word, more following, is a
        # particle: «Ты что, угрожаешь?», «Вам что, опять в ШИЗО захотелось?» ask yes or no
        # ("Done with what?" asks what)
        if any(
            toks[k].text in lex.wh
            and not (k > first and k + 1 < s.end and toks[k + 1].clause != toks[k].clause)
            for k in window
        ) or (s.question_mark and heard(lex.code).later_wh and _later_wh(lex, parsed, s, first)):
            out.append(Reading("open_question", s.start, s.end))
        else:
            out.append(Reading("closed_question", s.start, s.end))
    return out
