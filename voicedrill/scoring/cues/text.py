"""A reply read into tokens, sentences and clauses (the first step of ``detect_cues``).

Normalise: lower case, ``ё`` -> ``е``, curly quotes straightened, contractions
expanded ("you're" -> "you are"); punctuation splits sentences (``. ! ? ;``) and
clauses (``,`` dashes, colons). Every token gets its lemmas: a Snowball stem
(English) or pymorphy3 normal forms and grammemes (Russian), so data can match
"any form of a word". Whether a sentence is a question is settled in ``questions.py``.

Speech recognition's own slips are read back by the language's ``heard.yaml`` (``heard``),
where it has one: a filler "um" written "I'm" ("So I'm tell me about the house"), a whole
reply "In man." for "Mm.", "Mr." ending no sentence. Each reading needs a sequence written
English does not have, so a cleanly written reply reads as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterator, Mapping

from ...errors import ScenarioError
from ...types import Transcript

if TYPE_CHECKING:
    from .lexicon import Lexicon


_WORD_RE = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*", re.UNICODE)
_SENTENCE_END = set(".!?;…")
_CLAUSE_END = set(',:—–"«»()')


@dataclass(frozen=True)
class Token:
    """One normalised word of the reply (a contraction gives two tokens)."""

    text: str  # normalised surface form
    lemmas: frozenset[str]  # stems / normal forms, for "any form of" matching
    lemma: str  # the most likely one
    grams: tuple[tuple[str, frozenset[str]], ...]  # (normal form, grammemes) per parse
    char_start: int  # span in the source text
    char_end: int
    word: int | None  # index into transcript.words, None without word times
    sentence: int
    clause: int


@dataclass(frozen=True)
class Sentence:
    """Tokens [start, end) of the reply between sentence punctuation."""

    start: int  # token index (inclusive)
    end: int  # token index (exclusive)
    question_mark: bool  # Whisper ended it with "?"


@dataclass
class Reading:
    """A match of some cue: tokens [start, end) of the reply."""

    cue: str
    start: int
    end: int
    weak: bool = False  # a heuristic reading that yields to explicit ones (WEAK_YIELDS_TO)


@dataclass
class Parsed:
    """A reply read into tokens, sentences and clauses."""

    source: str
    tokens: list[Token]
    sentences: list[Sentence]
    clause_starts: set[int]  # first content token of each clause (leading particles skipped)
    clause_ends: set[int]  # one past the last content token of each clause
    is_question: list[bool] = field(default_factory=list)
    inverted: dict[int, bool] = field(default_factory=dict)
    line: Parsed | None = None  # the perpetrator's current line, read the same way (context rules)
    line_concepts: frozenset[str] = frozenset()  # its content words (the ``@`` pattern element)
    unpunctuated: bool = False  # the transcript has no punctuation at all (recognition dropped it)
    _ordered_starts: list[int] | None = None
    memo: dict = field(default_factory=dict)  # pattern matches worked out so far (patterns._match)

    def sorted_clause_starts(self) -> list[int]:
        """``clause_starts`` in order (computed once: a long reply has thousands)."""
        if self._ordered_starts is None:
            self._ordered_starts = sorted(self.clause_starts)
        return self._ordered_starts


def _norm_chars(text: str) -> str:
    return text.lower().replace("ё", "е").replace("’", "'").replace("‘", "'").replace("`", "'")


def _check_keys(data, allowed: set[str], source: str, where: str) -> None:
    if data is None:
        return
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{source}: {where or 'top level'}: expected a mapping")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ScenarioError(
            f"{source}: {where + '.' if where else ''}{unknown[0]}: unknown key; allowed: {', '.join(sorted(allowed))}"
        )


@dataclass(frozen=True)
class Heard:
    """A language's recognition slips (``lang/<code>/heard.yaml``; empty without one)."""

    um_heard: frozenset[str] = frozenset()  # a filler "um" written as this word ("i'm") ...
    um_heard_after: dict[str, frozenset[str]] = field(default_factory=dict)  # "so on"
    um_before: frozenset[tuple[str, ...]] = frozenset()  # ... before one of these words
    um_after: frozenset[str] = frozenset()  # ... or after one of these
    encourager_whole: frozenset[tuple[str, ...]] = frozenset()  # whole replies heard for "Mm."
    does_heard: frozenset[str] = frozenset()  # "Thus he have ...": "Does he have ..."
    subjects: frozenset[str] = frozenset()
    aux_before_name: frozenset[str] = frozenset()  # "Is Kyle hurt." asks
    is_heard: frozenset[str] = frozenset()  # "It's Sam hurt." for "Is Sam hurt?"
    titles: frozenset[str] = frozenset()  # "It's Mr. Grant all right."
    name_states: frozenset[str] = frozenset()
    abbreviations: frozenset[str] = frozenset()  # "Mr." ends no sentence
    later_wh: bool = False  # "Fair enough, what ...?" asks what (questions._later_wh)


_HEARD_KEYS = {
    "um_heard",
    "um_heard_after",
    "um_before",
    "um_after",
    "encourager_whole",
    "questions",
    "abbreviations",
}
_HEARD_QUESTION_KEYS = {
    "does_heard",
    "subjects",
    "aux_before_name",
    "is_heard",
    "titles",
    "name_states",
    "later_wh",
}


@lru_cache(maxsize=None)
def heard(code: str) -> Heard:
    """The language's recognition slips, from ``lang/<code>/heard.yaml`` (loaded once; a
    language without the file has none)."""
    from ... import lang

    path = lang.LANG_DIR / lang.check_language(code) / "heard.yaml"
    if not path.is_file():
        return Heard()
    data = lang.load(code, "heard")
    _check_keys(data, _HEARD_KEYS, str(path), "")
    _check_keys(data.get("questions"), _HEARD_QUESTION_KEYS, str(path), "questions")
    q = data.get("questions") or {}

    def words(raw: object, key: str) -> frozenset[str]:
        if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
            raise ScenarioError(f"{path}: {key} must be a list of words (quote yes/no/on/off)")
        return frozenset(_norm_chars(w).strip() for w in raw)

    def phrases(key: str) -> frozenset[tuple[str, ...]]:
        return frozenset(tuple(_WORD_RE.findall(w)) for w in words(data.get(key) or [], key))

    after = data.get("um_heard_after") or {}
    if not isinstance(after, dict):
        raise ScenarioError(f"{path}: um_heard_after must map a word to the words before it")
    return Heard(
        words(data.get("um_heard") or [], "um_heard"),
        {_norm_chars(w): words(v, f"um_heard_after.{w}") for w, v in after.items()},
        phrases("um_before"),
        words(data.get("um_after") or [], "um_after"),
        phrases("encourager_whole"),
        words(q.get("does_heard") or [], "questions.does_heard"),
        words(q.get("subjects") or [], "questions.subjects"),
        words(q.get("aux_before_name") or [], "questions.aux_before_name"),
        words(q.get("is_heard") or [], "questions.is_heard"),
        words(q.get("titles") or [], "questions.titles"),
        words(q.get("name_states") or [], "questions.name_states"),
        words(data.get("abbreviations") or [], "abbreviations"),
        bool(q.get("later_wh", False)),
    )


def _filler_phrases(lex: Lexicon, text: str, matches: list[re.Match]) -> dict[int, tuple[str, ...]]:
    """Words of a two-word filler (``filler_phrases``: "i mean"), read as no tokens, so that
    "youre worn i mean out" is "you are worn out". Only with a space between them, and not before or
    after the words that make them meant ("I mean it", "what I mean")."""
    out: dict[int, tuple[str, ...]] = {}
    if not lex.filler_phrases:
        return out
    words = [m.group(0) for m in matches]
    for n in range(len(words) - 1):
        rule = lex.filler_phrases.get((words[n], words[n + 1]))
        if rule is None or text[matches[n].end() : matches[n + 1].start()].strip():
            continue
        not_before, not_after = rule
        if n + 2 < len(words) and words[n + 2] in not_before:
            continue
        if n + 2 == len(words):
            continue  # "that's what I mean" / "I mean." ends on it
        if n > 0 and words[n - 1] in not_after:
            continue
        out[n], out[n + 1] = (), ()
    return out


def _heard_um(lex: Lexicon, h: Heard, text: str, matches: list[re.Match], n: int) -> bool:
    """Is word ``n`` a filler "um" the recogniser wrote as a word ("I'm", "on" after "so")
    because a word next to it, with only a space between, is one written English never
    puts beside it ("I'm tell me", "the I'm money")?"""
    w = matches[n].group(0)

    def joined(a: int) -> bool:  # words a and a + 1 with only a space between
        return (
            0 <= a
            and a + 1 < len(matches)
            and not text[matches[a].end() : matches[a + 1].start()].strip()
        )

    if w in h.um_heard_after:
        if not (joined(n - 1) and matches[n - 1].group(0) in h.um_heard_after[w]):
            return False
    elif w not in h.um_heard:
        return False
    elif joined(n - 1) and matches[n - 1].group(0) in h.um_after:
        return True
    for entry in h.um_before:
        if all(joined(n + i) for i in range(len(entry))) and all(
            matches[n + 1 + i].group(0) == e for i, e in enumerate(entry)
        ):
            return True
    if not joined(n):
        return False
    first = lex._expand(matches[n + 1].group(0))
    if len(first) == 1 and first[0] in lex.respell and n + 2 < len(matches):
        first = lex.respelled(first[0], lex._expand(matches[n + 2].group(0))[0]) or first
    return (first[0],) in h.um_before


def _abbreviation(h: Heard, text: str, source: str, matches: list[re.Match], n: int) -> bool:
    """Does word ``n`` follow an abbreviation's "." ("Mr. Pruitt"), which ends no sentence?"""
    if n == 0 or matches[n - 1].group(0) not in h.abbreviations:
        return False
    gap = text[matches[n - 1].end() : matches[n].start()]
    return gap.strip() == "." and source[matches[n].start()].isupper()


def _parse(lex: Lexicon, transcript: Transcript, split: Callable | None = None) -> Parsed:
    """The reply's tokens, sentences and clauses; ``split(lex, tokens, sentences)`` may
    cut sentences that recognition ran together (``split.py``)."""
    if transcript.words:
        pieces: list[str] = []
        bounds: list[int] = []
        pos = 0
        for w in transcript.words:
            t = w.text.strip()
            if pieces:
                pos += 1
            pieces.append(t)
            bounds.append(pos + len(t))
            pos += len(t)
        source = " ".join(pieces)
    else:
        source, bounds = transcript.text, []
    text = _norm_chars(source)
    if len(text) != len(source):  # a rare letter whose lower case is longer: keep offsets aligned
        text = "".join((_norm_chars(c) or c)[0] for c in source)
    tokens: list[Token] = []
    sentences: list[Sentence] = []
    sent_start, sentence, clause, prev_end, word = 0, 0, 0, 0, 0

    def close_sentence(question: bool) -> None:
        nonlocal sent_start, sentence, clause
        if len(tokens) > sent_start:
            sentences.append(Sentence(sent_start, len(tokens), question))
            sentence += 1
            clause += 1
            sent_start = len(tokens)

    matches = list(_WORD_RE.finditer(text))
    h = heard(lex.code)
    whole_mm = (
        "?" not in text and tuple(m.group(0) for m in matches) in h.encourager_whole
    )  # "In man." for "Mm.": read as "mm"
    gone = _filler_phrases(lex, text, matches)  # "you want i mean them": no tokens
    for n, m in enumerate(matches):
        gap = text[prev_end : m.start()]
        if any(c in _SENTENCE_END for c in gap) and not _abbreviation(h, text, source, matches, n):
            close_sentence("?" in gap)
        elif len(tokens) > sent_start and (
            any(c in _CLAUSE_END for c in gap) or re.search(r"(^|\s)-+(\s|$)", gap)
        ):
            clause += 1
        if bounds:
            while word < len(bounds) - 1 and m.start() >= bounds[word]:
                word += 1
        parts = lex._expand(m.group(0))
        if whole_mm:
            parts = ("mm",)
        elif n in gone:
            parts = gone[n]
        elif _heard_um(lex, h, text, matches, n):
            parts = ("um",)  # "So I'm tell me about it": a filler
        elif len(parts) == 1 and parts[0] in lex.respell and n + 1 < len(matches):
            # "your terrified" -> "you are terrified": a recognition slip, read by the next word
            following = lex._expand(matches[n + 1].group(0))[0]
            parts = lex.respelled(parts[0], following) or parts
        for piece in parts:
            lemmas, lemma, grams = lex.morph.analyse(piece)
            tokens.append(
                Token(
                    piece,
                    lemmas | {piece},
                    lemma,
                    grams,
                    m.start(),
                    m.end(),
                    word if bounds else None,
                    sentence,
                    clause,
                )
            )
        prev_end = m.end()
    close_sentence("?" in text[prev_end:])
    unpunctuated = not any(c in _SENTENCE_END or c in _CLAUSE_END for c in text)
    if split is not None and unpunctuated:
        tokens, sentences = split(lex, tokens, sentences)  # only a reply with no punctuation at all
    tokens = _merge_parentheticals(lex, tokens, sentences)
    # clause starts and ends, skipping leading particles and fillers
    clause_starts, clause_ends = set(), set()
    skip = lex.leading | lex.fillers
    for s, k, j in _clause_spans(tokens, sentences):
        first = k
        clause_starts.add(k)
        while first < j - 1:  # «ну как бы расскажите» starts at «расскажите»
            n = 1 if tokens[first].text in skip else _hedge_len(lex, tokens, first, s)
            if not n or first + n > j - 1:
                break
            for _ in range(n):
                first += 1
                clause_starts.add(first)
        last = j
        while last > k + 1 and tokens[last - 1].text in lex.fillers:
            last -= 1
        clause_ends.add(last)
        clause_ends.add(j)
    parsed = Parsed(source, tokens, sentences, clause_starts, clause_ends)
    parsed.unpunctuated = unpunctuated
    return parsed


def _hedge_len(lex: Lexicon, tokens: list[Token], k: int, s: Sentence) -> int:
    """Length of a hedge (``questions.hedges``: «как бы» = "like") at token ``k`` of a
    sentence with no "?", else 0: «как бы вам страшно» asks nothing; «Как бы вы поступили?»
    asks how."""
    if s.question_mark:
        return 0
    for h in lex.question_hedges:
        if k + len(h) <= s.end and all(tokens[k + i].text == w for i, w in enumerate(h)):
            return len(h)
    return 0


def _merge_parentheticals(
    lex: Lexicon, tokens: list[Token], sentences: list[Sentence]
) -> list[Token]:
    """Join a clause made only of parenthetical words ("наверное", "you know") and the
    clause after it to the clause before: "Это, наверное, очень больно" is one clause."""
    if not lex.parentheticals or not tokens:
        return tokens
    out = list(tokens)
    for s, k, j in _clause_spans(out, sentences):  # reads ``out`` as it is merged
        if (
            k > s.start
            and j <= s.end
            and all(out[x].text in lex.parentheticals for x in range(k, j))
        ):
            c, prev_clause = out[k].clause, out[k - 1].clause
            nxt = out[j].clause if j < s.end else None
            for x in range(k, s.end):
                if out[x].clause in (c, nxt):
                    out[x] = replace(out[x], clause=prev_clause)
    return out


def _clause_spans(
    tokens: list[Token], sentences: list[Sentence]
) -> Iterator[tuple[Sentence, int, int]]:
    """(sentence, start, end) of each clause in turn: a run of tokens with one clause number.
    Lazy, so a caller that renumbers clauses as it goes is read as it is now."""
    for s in sentences:
        k = s.start
        while k < s.end:
            c = tokens[k].clause
            j = k
            while j < s.end and tokens[j].clause == c:
                j += 1
            yield s, k, j
            k = j


def _clause_first(parsed: Parsed, s: Sentence, skip: frozenset[str] = frozenset()) -> int:
    """Index of the first content token of the sentence (leading particles skipped); with
    ``skip`` (particles and fillers), also past whole clauses made only of them: "So, um,
    what was she like?" starts at "what"."""
    k = s.start
    toks = parsed.tokens
    while skip:
        j = k
        while j < s.end and toks[j].clause == toks[k].clause:
            j += 1
        if j >= s.end or not all(toks[x].text in skip for x in range(k, j)):
            break
        k = j
    c = parsed.tokens[k].clause
    while k + 1 < s.end and parsed.tokens[k + 1].clause == c and (k + 1) in parsed.clause_starts:
        k += 1
    return k


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _content(lex: Lexicon, tok: Token) -> bool:
    return (
        tok.text not in lex.stopwords
        and tok.text not in lex.fillers
        and tok.lemma not in lex.stopwords
        and len(tok.text) > 1
    )


def _concepts(lex: Lexicon, words: list[Token]) -> set[str]:
    return {lex.concept.get(t.lemma, t.lemma) for t in words if _content(lex, t)}
