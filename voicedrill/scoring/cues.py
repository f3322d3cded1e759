"""Text cues of active listening (and of replies that escalate) in a transcribed reply.

``detect_cues(transcript, context)`` reads the reply's words and the perpetrator's
line(s) and returns the cues it finds, each with its evidence: the words of the
reply and their time span (seconds into the reply audio, when the transcript has
word times). The code here knows no language: every phrase, word class, filler,
question word and stem rule comes from ``voicedrill/lang/<code>/cues.yaml``.

How a reply is read:

1. Normalise: lower case, ``ё`` -> ``е``, curly quotes straightened, contractions
   expanded ("you're" -> "you are"); punctuation splits sentences (``. ! ? ;``)
   and clauses (``,`` dashes, colons). A sentence is a question when Whisper ended
   it with "?" or when it starts like a question (Whisper sometimes drops "?").
2. Every token gets its lemmas: a Snowball stem (English) or pymorphy3 normal
   forms and grammemes (Russian), so data can match "any form of a word".
3. Phrase patterns from the data file are matched within clauses (pattern
   syntax: see the "patterns" section below); cue-specific readers handle what phrases
   cannot: questions (open / closed / why), mirrors and paraphrases (against the
   current perpetrator line), summaries (against several earlier lines),
   stand-alone minimal encouragers and contradictions (arguing).
4. Overlapping readings are resolved: e.g. "you need to calm down" is a
   ``calm_down``, not also ``commanding``; a mirrored "Thirty minutes?" is a
   ``mirror``, not also a ``closed_question`` (``SUPPRESSED_BY``); heuristic
   readings (paraphrase by shared words, arguing by contradiction) give way to
   explicit ones (``WEAK_YIELDS_TO``).

Lexicons are compiled once per language and cached; a reply takes about 1-3 ms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterator, Mapping, Sequence

from ..errors import ParameterError, ScenarioError
from ..types import Transcript, TurnContext
from .names import AUDIO_CUES, CUE_NAMES, HARMFUL, HELPFUL, NEUTRAL, TEXT_CUES, cue_kind  # noqa: F401 (re-exported)
from .result import Cue

# A reading of cue X is dropped when it overlaps a reading of one of these cues
# (same words, or the same sentence for sentence-wide cues such as questions).
_ECHO = ("mirror",)  # words echoed from the perpetrator are his, not the trainee's
SUPPRESSED_BY: dict[str, tuple[str, ...]] = {
    "commanding": ("calm_down", "arguing", "minimizing", "open_question") + _ECHO,
    "calm_down": _ECHO,
    "promise": _ECHO,
    # a reassurance ("Nobody is coming in") is not arguing, even when it is no promise
    "arguing": ("promise", "_promise_unbacked") + _ECHO,
    "minimizing": _ECHO,
    "threat": _ECHO,
    "why_question": _ECHO,
    "mirror": ("emotional_label", "paraphrase", "summary", "minimal_encourager"),
    "paraphrase": ("summary",),
    # a rhetorical question that argues ("Then where did the bruises come from?") asks nothing
    "closed_question": ("mirror", "minimal_encourager", "emotional_label", "paraphrase", "open_question", "_why_sentence", "arguing"),
    "open_question": ("why_question", "arguing") + _ECHO,
    "i_message": ("emotional_label",),
}
# Heuristic readings (paraphrase by shared words, arguing by contradiction) give way
# to any overlapping explicit reading of these cues.
WEAK_YIELDS_TO: dict[str, tuple[str, ...]] = {
    "paraphrase": ("mirror", "minimal_encourager", "open_question", "closed_question", "why_question")
    + ("calm_down", "promise", "arguing", "minimizing", "threat", "commanding", "i_message"),
    "arguing": tuple(c for c in CUE_NAMES if c != "arguing"),
}


# --------------------------------------------------------------------------- tokens

_WORD_RE = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*", re.UNICODE)
_SENTENCE_END = set(".!?;…")
_CLAUSE_END = set(",:—–\"«»()")


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


# --------------------------------------------------------------------------- patterns
#
# A pattern is a space-separated sequence of elements, matched inside one sentence:
#   word        the word itself (after normalisation: "you're" == "you are")
#   ~word       any form of the word (same stem / lemma)
#   ~word<g,h>  any form that carries all grammemes g, h (pymorphy3 tags, e.g. impr, futr)
#   <g,h>       any word with those grammemes
#   {class}     any entry of a word class from the data file (entries may be phrases)
#   !element    one word that does NOT match the element
#   *           any one word
#   ...  ...N   a gap of 0..4 (0..N) words inside one clause
#   (a b|c|d)   alternatives (each a sequence); add ? after any element for "optional"
#   ^  $        the start / end of a clause (leading discourse particles are skipped)
#   ^^ $$       the start / end of a sentence
#   >>          the evidence starts here (what comes before is only context)
#   ,           a clause boundary (a pattern never crosses one otherwise); ",?" maybe one


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


class Lexicon:
    """One language's cue data, compiled. Built once per language (``lexicon(code)``)."""

    def __init__(self, code: str, data: Mapping, source: str):
        self.code = code
        self.source = source
        self._starts: dict[int, _Start] = {}
        _check_keys(data, _TOP_KEYS, source, "")
        self.morph = _Morphology(data.get("morphology", {}), source)
        self.contractions = {
            _norm_chars(k): tuple(_norm_chars(v).split()) for k, v in (data.get("contractions") or {}).items()
        }
        self.clitics = sorted(
            ((_norm_chars(k), tuple(_norm_chars(v).split())) for k, v in (data.get("clitics") or {}).items()),
            key=lambda kv: -len(kv[0]),
        )
        self.spelling = {_norm_chars(k): _norm_chars(v) for k, v in (data.get("spelling") or {}).items()}
        self.fillers = self._word_set(data.get("fillers"))
        self.leading = self._word_set(data.get("leading"))
        self.negators = self._word_set(data.get("negators"))
        self.parentheticals = self._word_set(data.get("parentheticals"))
        self.not_negating_after = self._word_set(data.get("not_negating_after"))
        self.not_contradicting = self._word_set(data.get("not_contradicting"))
        self.stopwords = self._word_set(data.get("stopwords"))
        self.swaps: dict[str, frozenset[str]] = {}
        for k, vs in (data.get("pronoun_swaps") or {}).items():
            for a in self._lemmas_of(k):
                self.swaps.setdefault(a, frozenset())
                self.swaps[a] = self.swaps[a] | frozenset(x for v in vs for x in self._lemmas_of(v))
        self.concept: dict[str, str] = {}
        for group in data.get("related") or []:
            words = [self._lemmas_of(w) for w in group]
            head = next(iter(sorted(words[0])))
            for ls in words:
                for lem in ls:
                    self.concept[lem] = head
        self.classes: dict[str, list[list[_El]]] = {}
        raw_classes = data.get("classes") or {}
        for name in raw_classes:
            self.classes[name] = []  # declared first, so classes may use each other
        for name, entries in raw_classes.items():
            self.classes[name] = [self.compile(e, f"classes.{name}") for e in entries]
        # one-word entries become set lookups; the rest stay sequences
        self.class_words: dict[str, tuple[frozenset[str], frozenset[str], list[list[_El]]]] = {}
        for name, compiled in self.classes.items():
            texts, lemmas, rest = set(), set(), []
            for els in compiled:
                if len(els) == 1 and isinstance(els[0], _Word) and not els[0].optional:
                    texts |= els[0].texts
                elif len(els) == 1 and isinstance(els[0], _Lemma) and not els[0].grams and not els[0].optional:
                    lemmas |= els[0].lemmas
                else:
                    rest.append(els)
            self.class_words[name] = (frozenset(texts), frozenset(lemmas), rest)
        q = data.get("questions") or {}
        _check_keys(q, {"wh", "wh_window", "starts", "not_after_wh"}, source, "questions")
        self.wh = self._word_set(q.get("wh"))
        self.wh_window = int(q.get("wh_window", 3))
        self.question_starts = [self.compile(p, "questions.starts") for p in q.get("starts") or []]
        self.not_after_wh = self._word_set(q.get("not_after_wh"))
        m = data.get("mirror") or {}
        _check_keys(m, {"ignore", "max_words", "short_words", "min_share_short", "min_share_long"}, source, "mirror")
        self.mirror_ignore = self._word_set(m.get("ignore"))
        self.mirror_max = int(m.get("max_words", 12))
        self.mirror_short = int(m.get("short_words", 6))
        self.mirror_share_short = float(m.get("min_share_short", 0.6))
        self.mirror_share_long = float(m.get("min_share_long", 0.8))
        p = data.get("paraphrase") or {}
        _check_keys(p, {"lead_ins", "weak_lead_ins", "you", "unless", "min_overlap", "min_overlap_plain", "min_words"}, source, "paraphrase")
        self.para_unless = [self.compile(x, "paraphrase.unless") for x in p.get("unless") or []]
        self.para_lead = [self.compile(x, "paraphrase.lead_ins") for x in p.get("lead_ins") or []]
        self.para_weak = [self.compile(x, "paraphrase.weak_lead_ins") for x in p.get("weak_lead_ins") or []]
        self.para_you = [self.compile(x, "paraphrase.you") for x in p.get("you") or []]
        self.para_min_overlap = int(p.get("min_overlap", 1))
        self.para_min_overlap_plain = int(p.get("min_overlap_plain", 2))
        self.para_min_words = int(p.get("min_words", 4))
        s = data.get("summary") or {}
        _check_keys(s, {"markers", "min_lines", "min_words"}, source, "summary")
        self.summary_min_words = int(s.get("min_words", 10))
        self.summary_markers = [self.compile(x, "summary.markers") for x in s.get("markers") or []]
        self.summary_min_lines = int(s.get("min_lines", 2))
        c = data.get("contradiction") or {}
        _check_keys(c, {"unless", "hypothetical"}, source, "contradiction")
        self.contra_unless = [self.compile(x, "contradiction.unless") for x in c.get("unless") or []]
        self.hypothetical = self._word_set(c.get("hypothetical"))
        e = data.get("minimal_encourager") or {}
        _check_keys(e, {"standalone"}, source, "minimal_encourager")
        self.encourager_alone = [self.compile(x, "minimal_encourager.standalone") for x in e.get("standalone") or []]
        self.rules: dict[str, _Rule] = {}
        cues = data.get("cues") or {}
        for name, spec in cues.items():
            if name not in TEXT_CUES:
                raise ScenarioError(f"{source}: cues.{name}: unknown text cue; use one of: {', '.join(TEXT_CUES)}")
            _check_keys(
                spec, {"patterns", "unless", "negatable", "question", "not_inverted", "if_backed", "backing"}, source, f"cues.{name}"
            )
            self.rules[name] = _Rule(
                patterns=[self.compile(x, f"cues.{name}.patterns") for x in spec.get("patterns") or []],
                unless=[self.compile(x, f"cues.{name}.unless") for x in spec.get("unless") or []],
                if_backed=[self.compile(x, f"cues.{name}.if_backed") for x in spec.get("if_backed") or []],
                backing=[self.compile(x, f"cues.{name}.backing") for x in spec.get("backing") or []],
                negatable=bool(spec.get("negatable", False)),
                question=str(spec.get("question", "any")),
                not_inverted=bool(spec.get("not_inverted", False)),
            )
            if self.rules[name].question not in ("any", "yes", "no"):
                raise ScenarioError(f"{source}: cues.{name}.question: use any, yes or no")

    def start_of(self, els: list[_El]) -> "_Start":
        key = id(els)
        got = self._starts.get(key)
        if got is None:
            got = self._starts[key] = _start_of(self, els)
        return got

    # -- helpers -------------------------------------------------------------------
    def _word_set(self, words) -> frozenset[str]:
        out: set[str] = set()
        for w in words or []:
            out.update(self.normalise_words(str(w)))
        return frozenset(out)

    def _lemmas_of(self, word: str) -> frozenset[str]:
        w = _norm_chars(word)
        return self.morph.analyse(w)[0] | {w}

    def normalise_words(self, text: str) -> list[str]:
        """Lower-case words of ``text`` with contractions expanded (no punctuation)."""
        out: list[str] = []
        for m in _WORD_RE.finditer(_norm_chars(text)):
            out.extend(self._expand(m.group(0)))
        return out

    def _expand(self, w: str) -> tuple[str, ...]:
        w = self.spelling.get(w, w)
        if w in self.contractions:
            return self.contractions[w]
        for suffix, repl in self.clitics:
            if w.endswith(suffix) and len(w) > len(suffix):
                return (w[: -len(suffix)],) + repl
        return (w,)

    # -- pattern compiler ------------------------------------------------------------
    def compile(self, pattern: str, where: str = "pattern") -> list[_El]:
        try:
            parts = _LEX.findall(_norm_chars(str(pattern)))
            els, pos = self._seq(parts, 0, where)
            if pos != len(parts):
                raise PatternError(f"unexpected '{parts[pos]}'")
            if not els:
                raise PatternError("empty pattern")
            return els
        except PatternError as e:
            raise ParameterError(f"{self.source}: {where}: bad pattern {pattern!r}: {e}") from None

    def _seq(self, parts: list[str], pos: int, where: str) -> tuple[list[_El], int]:
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
                    seq, pos = self._seq(parts, pos, where)
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
            els.extend(self._element(tok, where))
            pos += 1
        return els, pos

    def _element(self, tok: str, where: str) -> list[_El]:
        optional = False
        if tok.endswith("?") and len(tok) > 1:
            tok, optional = tok[:-1], True
        if tok in ("^", "^^", "$", "$$", ","):
            return [_Anchor(tok, optional=optional)]
        if tok == ">>":
            return [_Mark()]
        if tok == "*":
            return [_Any(optional=optional)]
        m = re.fullmatch(r"\.\.\.(\d*)", tok)
        if m:
            return [_Gap(int(m.group(1) or 4), optional=optional)]
        if tok.startswith("!"):
            inner = self._element(tok[1:], where)
            if len(inner) != 1:
                raise PatternError(f"'!' needs a single word: {tok}")
            return [_Not(inner[0], optional=optional)]
        if tok.startswith("{"):
            name = tok.strip("{}")
            if not tok.endswith("}") or name not in self.classes:
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
            lem = self.morph.analyse(word)[0] | {word}
            return [_Lemma(frozenset(lem), gset, optional=optional)]
        words = self.normalise_words(word)  # punctuation in a phrase is ignored: "okay," == "okay"
        if not words:
            raise PatternError(f"no word in '{tok}'")
        if gset:
            raise PatternError(f"grammemes need '~': ~{word}<...>")
        els: list[_El] = [_Word(frozenset([w])) for w in words]
        if optional:
            return [_Alt([els], optional=True)] if len(els) > 1 else [_Word(els[0].texts, optional=True)]
        return els


@dataclass
class _Rule:
    patterns: list[list[_El]]
    unless: list[list[_El]]
    negatable: bool
    question: str
    not_inverted: bool
    if_backed: list[list[_El]] = field(default_factory=list)  # count only with a backing in the reply
    backing: list[list[_El]] = field(default_factory=list)


_TOP_KEYS = {
    "language",
    "parentheticals",
    "not_negating_after",
    "not_contradicting",
    "morphology",
    "contractions",
    "clitics",
    "spelling",
    "fillers",
    "leading",
    "negators",
    "stopwords",
    "pronoun_swaps",
    "related",
    "classes",
    "questions",
    "mirror",
    "paraphrase",
    "summary",
    "minimal_encourager",
    "contradiction",
    "cues",
}


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


def _norm_chars(text: str) -> str:
    return text.lower().replace("ё", "е").replace("’", "'").replace("‘", "'").replace("`", "'")


class _Morphology:
    """Stems (Snowball) or lemmas + grammemes (pymorphy3) for one language."""

    def __init__(self, spec: Mapping, source: str):
        _check_keys(spec, {"engine", "language"}, source, "morphology")
        self.engine = spec.get("engine", "none")
        lang = spec.get("language", "")
        self._cache: dict[str, tuple[frozenset[str], str, tuple]] = {}
        if self.engine == "snowball":
            import snowballstemmer

            try:
                self._stemmer = snowballstemmer.stemmer(lang)
            except KeyError as e:
                raise ScenarioError(f"{source}: morphology.language: Snowball has no '{lang}'") from e
        elif self.engine == "pymorphy3":
            self._morph = _pymorphy(lang)
        elif self.engine != "none":
            raise ScenarioError(f"{source}: morphology.engine: use snowball, pymorphy3 or none")

    def analyse(self, word: str) -> tuple[frozenset[str], str, tuple]:
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        if self.engine == "snowball":
            stem = self._stemmer.stemWord(word)
            out = (frozenset({stem}), stem, ())
        elif self.engine == "pymorphy3":
            parses = self._morph.parse(word)
            grams = tuple((p.normal_form.replace("ё", "е"), frozenset(str(p.tag).replace(" ", ",").split(","))) for p in parses)
            lemmas = frozenset(g[0] for g in grams) or frozenset({word})
            out = (lemmas, grams[0][0] if grams else word, grams)
        else:
            out = (frozenset({word}), word, ())
        if len(self._cache) < 200_000:
            self._cache[word] = out
        return out


@lru_cache(maxsize=None)
def _pymorphy(lang: str):
    try:
        import pymorphy3

        return pymorphy3.MorphAnalyzer(lang=lang or "ru")
    except Exception as e:  # missing dictionaries are a broken install
        raise ScenarioError(
            f"pymorphy3 cannot load its '{lang}' dictionaries ({e}); install them: pip install pymorphy3-dicts-ru"
        ) from e


def lang_path(code: str):
    """The data file with a language's cue lexicon (``voicedrill/lang/<code>/cues.yaml``)."""
    from .. import lang

    return lang.LANG_DIR / lang.check_language(code) / "cues.yaml"


@lru_cache(maxsize=None)
def lexicon(code: str) -> Lexicon:
    """The compiled cue data for a language (loaded once, cached)."""
    from .. import lang

    data = lang.load(code, "cues")
    return Lexicon(code, data, str(lang_path(code)))


# --------------------------------------------------------------------------- reading the reply


def _parse(lex: Lexicon, transcript: Transcript) -> Parsed:
    if transcript.words:
        pieces, bounds, pos = [], [], 0
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

    for m in _WORD_RE.finditer(text):
        gap = text[prev_end : m.start()]
        if any(c in _SENTENCE_END for c in gap):
            close_sentence("?" in gap)
        elif len(tokens) > sent_start and (any(c in _CLAUSE_END for c in gap) or re.search(r"(^|\s)-+(\s|$)", gap)):
            clause += 1
        if bounds:
            while word < len(bounds) - 1 and m.start() >= bounds[word]:
                word += 1
        for piece in lex._expand(m.group(0)):
            lemmas, lemma, grams = lex.morph.analyse(piece)
            tokens.append(
                Token(piece, lemmas | {piece}, lemma, grams, m.start(), m.end(), word if bounds else None, sentence, clause)
            )
        prev_end = m.end()
    close_sentence("?" in text[prev_end:])
    tokens = _merge_parentheticals(lex, tokens, sentences)
    # clause starts and ends, skipping leading particles and fillers
    clause_starts, clause_ends = set(), set()
    skip = lex.leading | lex.fillers
    for s in sentences:
        k = s.start
        while k < s.end:
            c = tokens[k].clause
            j = k
            while j < s.end and tokens[j].clause == c:
                j += 1
            first = k
            clause_starts.add(k)
            while first < j - 1 and tokens[first].text in skip:
                first += 1
                clause_starts.add(first)
            last = j
            while last > k + 1 and tokens[last - 1].text in lex.fillers:
                last -= 1
            clause_ends.add(last)
            clause_ends.add(j)
            k = j
    parsed = Parsed(source, tokens, sentences, clause_starts, clause_ends)
    parsed.is_question = [_is_question(lex, parsed, s) for s in sentences]
    return parsed


def _merge_parentheticals(lex: Lexicon, tokens: list[Token], sentences: list[Sentence]) -> list[Token]:
    """Join a clause made only of parenthetical words ("наверное", "you know") and the
    clause after it to the clause before: "Это, наверное, очень больно" is one clause."""
    if not lex.parentheticals or not tokens:
        return tokens
    out = list(tokens)
    for s in sentences:
        k = s.start
        while k < s.end:
            c = out[k].clause
            j = k
            while j < s.end and out[j].clause == c:
                j += 1
            if k > s.start and j <= s.end and all(out[x].text in lex.parentheticals for x in range(k, j)):
                prev_clause = out[k - 1].clause
                nxt = out[j].clause if j < s.end else None
                for x in range(k, s.end):
                    if out[x].clause in (c, nxt):
                        out[x] = replace(out[x], clause=prev_clause)
            k = j
    return out


def _clause_first(parsed: Parsed, s: Sentence) -> int:
    """Index of the first content token of the sentence (leading particles skipped)."""
    k = s.start
    c = parsed.tokens[k].clause
    while k + 1 < s.end and parsed.tokens[k + 1].clause == c and (k + 1) in parsed.clause_starts:
        k += 1
    return k


def _is_question(lex: Lexicon, parsed: Parsed, s: Sentence) -> bool:
    if s.question_mark:
        return True
    return _inverted(lex, parsed, s)


# --------------------------------------------------------------------------- matching


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
    if _single(el, toks[pos]):
        yield pos + 1, mark, False


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
        if isinstance(el, (_Anchor, _Mark)):
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


# --------------------------------------------------------------------------- cue readers


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _negated(lex: Lexicon, parsed: Parsed, start: int, s: Sentence, window: int = 3) -> bool:
    toks = parsed.tokens
    k = start - 1
    while k >= s.start and start - k <= window and toks[k].clause == toks[start].clause:
        if _negator(lex, toks, k):
            return True
        k -= 1
    return False


def _inverted(lex: Lexicon, parsed: Parsed, s: Sentence) -> bool:
    """Does the sentence start like a question (wh-word or auxiliary first)?"""
    got = parsed.inverted.get(s.start)
    if got is None:
        got = parsed.inverted[s.start] = _inverted_uncached(lex, parsed, s)
    return got


def _inverted_uncached(lex: Lexicon, parsed: Parsed, s: Sentence) -> bool:
    first = _clause_first(parsed, s)
    t = parsed.tokens
    if t[first].text in lex.wh:
        return not (first + 1 < s.end and t[first + 1].text in lex.not_after_wh)
    return any(_find(lex, parsed, p, s, anchored_at=first) for p in lex.question_starts)


def _phrase_readings(lex: Lexicon, parsed: Parsed, name: str, rule: _Rule) -> list[Reading]:
    """Readings of a phrase rule. ``if_backed`` patterns count only when the reply also
    holds a reading of ``patterns`` or ``backing`` ("Nobody is coming in" states a fact;
    "Nobody is coming in, you have my word" promises)."""
    out = _rule_readings(lex, parsed, name, rule, rule.patterns)
    if rule.if_backed:
        backed = _rule_readings(lex, parsed, name, rule, rule.if_backed)
        if backed and (out or any(_find_all(lex, parsed, rule.backing, s) for s in parsed.sentences)):
            out.extend(backed)
        else:  # unbacked: no cue, but it still settles overlaps (SUPPRESSED_BY)
            out.extend(replace(r, cue=f"_{name}_unbacked") for r in backed)
    return out


def _rule_readings(lex: Lexicon, parsed: Parsed, name: str, rule: _Rule, patterns: list[list[_El]]) -> list[Reading]:
    out = []
    for si, s in enumerate(parsed.sentences):
        q = parsed.is_question[si]
        if rule.question == "yes" and not q or rule.question == "no" and s.question_mark:
            continue
        if rule.not_inverted and _inverted(lex, parsed, s):
            continue
        spans = _find_all(lex, parsed, patterns, s)
        if not spans:
            continue
        blocked = _find_all(lex, parsed, rule.unless, s) if rule.unless else []
        first_clause = parsed.tokens[s.start].clause
        for sp in spans:
            if rule.question == "no" and q and parsed.tokens[sp[0]].clause == first_clause:
                continue  # inside a question that lost its "?"
            if rule.negatable and _negated(lex, parsed, sp[0], s):
                continue
            if any(_overlap(sp, b) for b in blocked):
                continue
            out.append(Reading(name, *sp))
    return out


def _content(lex: Lexicon, tok: Token) -> bool:
    return tok.text not in lex.stopwords and tok.text not in lex.fillers and tok.lemma not in lex.stopwords and len(tok.text) > 1


def _concepts(lex: Lexicon, words: list[Token]) -> set[str]:
    return {lex.concept.get(t.lemma, t.lemma) for t in words if _content(lex, t)}


@lru_cache(maxsize=4096)
def _line_tokens(code: str, line: str) -> tuple[Token, ...]:
    lex = lexicon(code)
    return tuple(_parse(lex, Transcript(line, code)).tokens)


def _same(lex: Lexicon, reply: Token, line: Token) -> bool:
    if reply.text == line.text or reply.lemmas & line.lemmas:
        return True
    return any(lex.swaps.get(lem, frozenset()) & line.lemmas for lem in reply.lemmas)


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
            spans = [sp for sp in _find_all(lex, parsed, why_rule.patterns, s) if not any(_overlap(sp, b) for b in blocked)]
            if spans:
                out.append(Reading("why_question", *min(spans)))
                out.append(Reading("_why_sentence", s.start, s.end))
                continue
        first = _clause_first(parsed, s)
        window = [k for k in range(first, min(s.end, first + lex.wh_window)) if toks[k].clause == toks[first].clause]
        if any(toks[k].text in lex.wh for k in window):
            out.append(Reading("open_question", s.start, s.end))
        else:
            out.append(Reading("closed_question", s.start, s.end))
    return out


def _echo(lex: Lexicon, a: list[Token], b: tuple[Token, ...], gap_a: int = 2, gap_b: int = 4) -> list[tuple[int, int]]:
    """The longest chain of (reply index, line index) pairs of the same words, in order,
    with at most ``gap_a - 1`` (``gap_b - 1``) skipped words between neighbours in the
    reply (in the line)."""
    n, m = len(a), len(b)
    best: dict[tuple[int, int], tuple[int, tuple[int, int] | None]] = {}
    top: tuple[int, tuple[int, int] | None] = (0, None)
    for i in range(n):
        for j in range(m):
            if not _same(lex, a[i], b[j]):
                continue
            length, prev = 1, None
            for pi in range(max(0, i - gap_a), i):
                for pj in range(max(0, j - gap_b), j):
                    got = best.get((pi, pj))
                    if got and got[0] + 1 > length:
                        length, prev = got[0] + 1, (pi, pj)
            best[(i, j)] = (length, prev)
            if length > top[0]:
                top = (length, (i, j))
    chain, at = [], top[1]
    while at is not None:
        chain.append(at)
        at = best[at][1]
    return chain[::-1]


def _mirrors(lex: Lexicon, parsed: Parsed, line: tuple[Token, ...]) -> list[Reading]:
    """Short sentences that mostly repeat words of the perpetrator's line."""
    if not line:
        return []
    out = []
    toks = parsed.tokens
    line_words = {t.text for t in line}
    skip = lex.fillers | lex.mirror_ignore

    def echoable(k: int) -> bool:
        t = toks[k]
        if t.text in skip or (t.text in lex.wh and t.text not in line_words):
            return False
        # a discourse particle skipped at the start of a clause ("so", "okay") is not echo
        return not (k in parsed.clause_starts and k + 1 in parsed.clause_starts and toks[k + 1].clause == t.clause)

    for s in parsed.sentences:
        idx = [k for k in range(s.start, s.end) if echoable(k)]
        if not idx or len(idx) > lex.mirror_max:
            continue
        words = [toks[k] for k in idx]
        chain = _echo(lex, words, line)
        if not chain:
            continue
        share = len(chain) / len(words)
        contiguous = all(
            all(line[j].text in skip for j in range(a[1] + 1, b[1])) for a, b in zip(chain, chain[1:])
        )
        if not any(_content(lex, words[i]) for i, _ in chain) and not (share == 1 and contiguous and len(chain) >= 2):
            continue  # only function words in common ("I'm telling you" / "I'm taking everyone with me")
        first_j, last_j = chain[0][1], chain[-1][1]
        reply_neg = any(_negator(lex, toks, k) for k in range(s.start, s.end))
        line_neg = any(_negator(lex, line, j) for j in range(first_j, last_j + 1))
        if reply_neg != line_neg:
            continue  # "It does matter" does not echo "It doesn't matter"
        need = lex.mirror_share_short if len(words) <= lex.mirror_short else lex.mirror_share_long
        if share >= need:
            out.append(Reading("mirror", idx[chain[0][0]], idx[chain[-1][0]] + 1))
    return out


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


def _encouragers(lex: Lexicon, parsed: Parsed) -> list[Reading]:
    """Sentences made only of minimal encouragers ("Mm-hmm.", "I see. Go on.")."""
    out = []
    toks = parsed.tokens
    for s in parsed.sentences:
        k, found = s.start, False
        while k < s.end:
            best = max((e for p in lex.encourager_alone for e, _, _ in _match(lex, parsed, p, 0, k, s)), default=k)
            if best > k:
                found, k = True, best
            elif toks[k].text in lex.fillers or toks[k].text in lex.leading:
                k += 1
            else:
                found = False
                break
        if found:
            out.append(Reading("minimal_encourager", s.start, s.end))
    return out


def _contradictions(
    lex: Lexicon, parsed: Parsed, line: tuple[Token, ...], arguing: _Rule | None = None
) -> list[Reading]:
    """A clause that flips the polarity of what the perpetrator said about the same thing
    ("I'm not stalling" to "You're stalling"; "It does matter" to "It doesn't matter").

    A word is negated when a negator stands at most ``_NEG_WINDOW`` words before it in
    its clause; a reply clause contradicts when a content word it shares with the
    line is negated on one side only. Clauses that match ``contradiction.unless``
    (the perpetrator's wish restated: "You just want to see your kids" to "She won't
    let me see my kids") or ``cues.arguing.unless`` (the negotiator's honest limits:
    "I can't give amnesty") are not contradictions.
    """
    if not line:
        return []
    out = []
    toks = parsed.tokens
    line_polarity: dict[str, set[bool]] = {}
    # a clause of the line that starts with "if" / "если" asserts nothing to contradict
    skip = lex.leading | lex.fillers
    hypothetical: set[int] = set()
    for k, t in enumerate(line):
        if t.text in lex.hypothetical and all(line[j].text in skip for j in range(k - 1, -1, -1) if line[j].clause == t.clause):
            hypothetical.add(t.clause)
    for k, t in enumerate(line):
        if _content(lex, t) and t.clause not in hypothetical:
            line_polarity.setdefault(lex.concept.get(t.lemma, t.lemma), set()).add(_negated_at(lex, line, k))
    for si, s in enumerate(parsed.sentences):
        if parsed.is_question[si]:
            continue
        exempt = _find_all(lex, parsed, lex.contra_unless + (arguing.unless if arguing else []), s)
        for k in range(s.start, s.end):
            t = toks[k]
            if not _content(lex, t):
                continue
            if any(toks[a].clause == t.clause or a <= k < b for a, b in exempt):
                continue
            seen = line_polarity.get(lex.concept.get(t.lemma, t.lemma))
            if seen and _negated_at(lex, toks, k) not in seen:
                a = k
                while a > s.start and toks[a - 1].clause == t.clause:
                    a -= 1
                b = k + 1
                while b < s.end and toks[b].clause == t.clause:
                    b += 1
                out.append(Reading("arguing", a, b, weak=True))
                break
    return out


_NEG_WINDOW = 3


def _negated_at(lex: Lexicon, tokens: Sequence[Token], k: int) -> bool:
    """Is token k denied (a negator at most _NEG_WINDOW words before it, same clause)?"""
    j = k - 1
    while j >= 0 and k - j <= _NEG_WINDOW and tokens[j].clause == tokens[k].clause:
        if _negator(lex, tokens, j) and tokens[j].text not in lex.not_contradicting:
            return True
        j -= 1
    return False


def _negator(lex: Lexicon, tokens: Sequence[Token], j: int) -> bool:
    """Is token j a negation? Not after "пока" ("пока не уйдёт" means "until he leaves")."""
    if tokens[j].text not in lex.negators:
        return False
    return not any(
        tokens[i].text in lex.not_negating_after and tokens[i].clause == tokens[j].clause
        for i in range(max(0, j - _NEG_WINDOW), j)
    )


# --------------------------------------------------------------------------- the detector


@lru_cache(maxsize=64)
def _extra_rules(code: str, items: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[list[_El]]]:
    lex = lexicon(code)
    out: dict[str, list[list[_El]]] = {}
    for name, phrases in items:
        compiled = []
        for p in phrases:
            els = lex.compile(p, f"extra phrases for {name}")
            # an instructor's phrase ignores punctuation: "похоже вы на пределе" matches "Похоже, вы на пределе"
            loose: list[_El] = []
            for k, el in enumerate(els):
                if k and not isinstance(el, _Anchor) and not isinstance(els[k - 1], _Anchor):
                    loose.append(_Anchor(",", optional=True))
                loose.append(el)
            compiled.append(loose)
        out[name] = compiled
    return out


def _freeze_extra(extra_phrases) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not extra_phrases:
        return ()
    if not isinstance(extra_phrases, Mapping):
        raise ParameterError("extra_phrases must map a cue name to a list of phrases")
    items = []
    for name, phrases in extra_phrases.items():
        if name in AUDIO_CUES:
            raise ParameterError(f"extra phrases for '{name}': that cue comes from the audio, not from words; remove them")
        if name not in TEXT_CUES:
            raise ParameterError(f"extra phrases for unknown cue '{name}'; choose one of: {', '.join(TEXT_CUES)}")
        if isinstance(phrases, str) or not isinstance(phrases, Sequence):
            raise ParameterError(f"extra phrases for '{name}' must be a list of phrases")
        for p in phrases:
            if not isinstance(p, str) or not p.strip():
                raise ParameterError(f"extra phrases for '{name}': each phrase must be non-empty text, got {p!r}")
        items.append((name, tuple(phrases)))
    return tuple(sorted(items))


def detect_cues(
    transcript: Transcript,
    context: TurnContext,
    *,
    extra_phrases: Mapping[str, Sequence[str]] | None = None,
) -> tuple[Cue, ...]:
    """Text cues in a reply, in the order they occur (at most one Cue per cue name).

    ``context.line`` (the current perpetrator line) is used for mirrors, paraphrases
    and contradictions; ``context.perpetrator_lines`` (earlier lines too) for
    summaries. ``extra_phrases`` (from the scoring script) adds phrases per cue in
    the pattern syntax of the data files; an unknown cue name is a ParameterError.
    Evidence times come from ``transcript.words`` (None when there are none).
    ``effective_pause`` is never returned here: it comes from the audio.
    """
    code = transcript.language or context.language
    lex = lexicon(code)
    extra = _extra_rules(code, _freeze_extra(extra_phrases))
    if transcript.is_empty:
        return ()
    parsed = _parse(lex, transcript)
    if not parsed.tokens:
        return ()
    line = _line_tokens(code, context.line) if context.line.strip() else ()
    readings: list[Reading] = []
    for name in TEXT_CUES:
        rule = lex.rules.get(name)
        if rule is not None and name not in ("why_question",):
            readings.extend(_phrase_readings(lex, parsed, name, rule))
    readings.extend(_questions(lex, parsed, lex.rules.get("why_question")))
    readings.extend(_mirrors(lex, parsed, line))
    readings.extend(_paraphrases(lex, parsed, line))
    readings.extend(_summaries(lex, parsed, context))
    readings.extend(_encouragers(lex, parsed))
    readings.extend(_contradictions(lex, parsed, line, lex.rules.get("arguing")))
    extra_readings = []
    for name, patterns in extra.items():
        for s in parsed.sentences:
            extra_readings.extend(Reading(name, a, b) for a, b in _find_all(lex, parsed, patterns, s))
    kept = [r for r in _resolve(readings) if not r.cue.startswith("_")] + extra_readings
    first: dict[str, Reading] = {}
    for r in sorted(kept, key=lambda r: (r.start, r.end)):
        first.setdefault(r.cue, r)
    return tuple(_to_cue(r, parsed, transcript) for r in sorted(first.values(), key=lambda r: (r.start, CUE_NAMES.index(r.cue))))


def _resolve(readings: list[Reading]) -> list[Reading]:
    """Drop weak readings that meet an explicit one (WEAK_YIELDS_TO), then readings
    overlapped by a reading of a cue that takes precedence (SUPPRESSED_BY)."""

    def hit(r: Reading, others: Sequence[Reading]) -> bool:
        return any(_overlap((r.start, r.end), (o.start, o.end)) for o in others)

    # a weak reading yields to explicit readings of its WEAK_YIELDS_TO cues; a weak
    # paraphrase also yields to a contradiction: a clause that denies the line does not restate it
    def rivals(r: Reading) -> list[Reading]:
        yields = WEAK_YIELDS_TO.get(r.cue, ())
        return [o for o in readings if o.cue in yields and (not o.weak or (r.cue, o.cue) == ("paraphrase", "arguing"))]

    readings = [r for r in readings if not r.weak or not hit(r, rivals(r))]
    by_cue: dict[str, list[Reading]] = {}
    for r in readings:
        by_cue.setdefault(r.cue, []).append(r)
    for name in _suppression_order():
        suppressors = [o for other in SUPPRESSED_BY.get(name, ()) for o in by_cue.get(other, [])]
        if suppressors and name in by_cue:
            by_cue[name] = [r for r in by_cue[name] if not hit(r, suppressors)]
    return [r for rs in by_cue.values() for r in rs]


@lru_cache(maxsize=1)
def _suppression_order() -> tuple[str, ...]:
    """Cues ordered so that every suppressor is settled before the cues it suppresses."""
    done: list[str] = []
    visiting: set[str] = set()

    def visit(c: str) -> None:
        if c in done:
            return
        if c in visiting:
            raise RuntimeError(f"SUPPRESSED_BY has a cycle through {c}")
        visiting.add(c)
        for o in SUPPRESSED_BY.get(c, ()):
            visit(o)
        visiting.discard(c)
        done.append(c)

    for c in TEXT_CUES:
        visit(c)
    return tuple(done)


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
]
