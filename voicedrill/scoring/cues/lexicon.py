"""One language's cue data (``voicedrill/lang/<code>/cues.yaml``), checked and compiled.

``lexicon(code)`` loads a language once and caches it. The data's keys are checked
here (an unknown key names the file and the allowed keys); phrase patterns are
compiled by ``patterns.py``; word forms come from Snowball or pymorphy3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping

from ...errors import ScenarioError
from ...types import Transcript
from ..names import TEXT_CUES
from .compiler import _compile
from .patterns import MEMO_ABOVE, _El, _Lemma, _Start, _start_of, _ways, _Word
from .text import _WORD_RE, Token, _check_keys, _norm_chars, _parse


class Lexicon:
    """One language's cue data, compiled. Built once per language (``lexicon(code)``)."""

    def __init__(self, code: str, data: Mapping, source: str):
        self.code = code
        self.source = source
        self._starts: dict[int, _Start] = {}
        self._ways: dict[int, int] = {}
        self._keep: list[list[_El]] = []
        self._speaker_lemmas: frozenset[str] | None = None  # paraphrase.py fills it on first use
        _check_keys(data, _TOP_KEYS, source, "")
        _check_text(data, source, "")
        self.morph: _Morphology = _Morphology(data.get("morphology", {}), source)
        self.contractions = {
            _norm_chars(k): tuple(_norm_chars(v).split())
            for k, v in (data.get("contractions") or {}).items()
        }
        self.clitics = sorted(
            (
                (_norm_chars(k), tuple(_norm_chars(v).split()))
                for k, v in (data.get("clitics") or {}).items()
            ),
            key=lambda kv: -len(kv[0]),
        )
        self.spelling = {
            _norm_chars(k): _norm_chars(v) for k, v in (data.get("spelling") or {}).items()
        }
        self.fillers: frozenset[str] = self._word_set(data.get("fillers"))
        self.leading: frozenset[str] = self._word_set(data.get("leading"))
        # two-word fillers ("i mean"), read as one "um" unless a word around them says they
        # are meant ("I mean it", "you know what I mean")
        self.filler_phrases: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {}
        for k, v in (data.get("filler_phrases") or {}).items():
            _check_keys(v, {"not_before", "not_after"}, source, f"filler_phrases.{k}")
            pair = tuple(_norm_chars(str(k)).split())
            if len(pair) != 2:
                raise ScenarioError(f"{source}: filler_phrases.{k}: two words, please")
            self.filler_phrases[(pair[0], pair[1])] = (
                self._word_set((v or {}).get("not_before")),
                self._word_set((v or {}).get("not_after")),
            )
        self.negators: frozenset[str] = self._word_set(data.get("negators"))
        self.parentheticals: frozenset[str] = self._word_set(data.get("parentheticals"))
        self.not_negating_after: frozenset[str] = self._word_set(data.get("not_negating_after"))
        self.not_contradicting: frozenset[str] = self._word_set(data.get("not_contradicting"))
        self.stopwords: frozenset[str] = self._word_set(data.get("stopwords"))
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
            texts: set[str] = set()
            lemmas: set[str] = set()
            rest: list[list[_El]] = []
            for els in compiled:
                if len(els) == 1 and isinstance(els[0], _Word) and not els[0].optional:
                    texts |= els[0].texts
                elif (
                    len(els) == 1
                    and isinstance(els[0], _Lemma)
                    and not els[0].grams
                    and not els[0].optional
                ):
                    lemmas |= els[0].lemmas
                else:
                    rest.append(els)
            self.class_words[name] = (frozenset(texts), frozenset(lemmas), rest)
        sp = data.get("split") or {}
        _check_keys(
            sp,
            {"min_words", "after", "before", "statement", "not_after", "not_before"},
            source,
            "split",
        )
        self.split_not_after = self._word_set(sp.get("not_after"))
        self.split_not_before = self._word_set(sp.get("not_before"))
        self.split_min_words = int(sp.get("min_words", 4))
        self.split_after = [self.compile(x, "split.after") for x in sp.get("after") or []]
        self.split_before = [self.compile(x, "split.before") for x in sp.get("before") or []]
        self.split_statement = [
            self.compile(x, "split.statement") for x in sp.get("statement") or []
        ]
        self.respell: dict[
            str, tuple[tuple[str, ...], frozenset[str], frozenset[str], tuple[str, ...]]
        ] = {}
        for word, spec in (data.get("respell") or {}).items():
            _check_keys(spec, {"to", "before", "before_endings"}, source, f"respell.{word}")
            texts, lemmas = set(), set()
            for entry in spec.get("before") or []:
                entry = str(entry)
                if entry.startswith("{") and entry.strip("{}") in self.class_words:
                    t, lm, _ = self.class_words[entry.strip("{}")]
                    texts |= t
                    lemmas |= lm
                elif entry.startswith("~"):
                    lemmas |= self._lemmas_of(entry[1:])
                else:
                    texts.update(self.normalise_words(entry))
            endings = tuple(_norm_chars(str(e)) for e in spec.get("before_endings") or [])
            self.respell[_norm_chars(word)] = (
                tuple(_norm_chars(str(spec.get("to", word))).split()),
                frozenset(texts),
                frozenset(lemmas),
                endings,
            )
        q = data.get("questions") or {}
        _check_keys(
            q,
            {
                "wh",
                "wh_window",
                "starts",
                "not_after_wh",
                "markers",
                "tags",
                "dismissive",
                "hedges",
            },
            source,
            "questions",
        )
        self.question_dismissive = self._word_set(q.get("dismissive"))
        self.question_markers = self._word_set(q.get("markers"))
        self.question_tags = self._word_set(q.get("tags"))
        self.wh = self._word_set(q.get("wh"))
        self.wh_window = int(q.get("wh_window", 3))
        self.question_starts = [self.compile(p, "questions.starts") for p in q.get("starts") or []]
        self.not_after_wh = self._word_set(q.get("not_after_wh"))
        # a question word with a particle that in speech only hedges («как бы» = "like")
        self.question_hedges: tuple[tuple[str, ...], ...] = tuple(
            tuple(self.normalise_words(str(h))) for h in q.get("hedges") or []
        )
        m = data.get("mirror") or {}
        _check_keys(
            m,
            {
                "ignore",
                "stand_in",
                "any_order",
                "max_words",
                "short_words",
                "min_share_short",
                "min_share_long",
                "answers",
            },
            source,
            "mirror",
        )
        # a sentence opening with one of these after his question answers it, echo or not
        # ("Is it still raining?" -> "yeah still raining")
        self.mirror_answers = self._word_set(m.get("answers"))
        self.mirror_ignore = self._word_set(m.get("ignore"))
        self.mirror_stand_in = self._word_set(m.get("stand_in"))
        self.mirror_any_order = bool(m.get("any_order", False))
        self.mirror_max = int(m.get("max_words", 12))
        self.mirror_short = int(m.get("short_words", 6))
        self.mirror_share_short = float(m.get("min_share_short", 0.6))
        self.mirror_share_long = float(m.get("min_share_long", 0.8))
        p = data.get("paraphrase") or {}
        _check_keys(
            p,
            {
                "lead_ins",
                "weak_lead_ins",
                "you",
                "unless",
                "wants",
                "label_clauses",
                "label_clause_unless",
                "label_clause_min_words",
                "min_overlap",
                "min_overlap_plain",
                "min_words",
                "plain_min_similarity",
                "plain_unless",
            },
            source,
            "paraphrase",
        )
        self.para_unless = [self.compile(x, "paraphrase.unless") for x in p.get("unless") or []]
        self.para_lead = [self.compile(x, "paraphrase.lead_ins") for x in p.get("lead_ins") or []]
        self.para_weak = [
            self.compile(x, "paraphrase.weak_lead_ins") for x in p.get("weak_lead_ins") or []
        ]
        self.para_you = [self.compile(x, "paraphrase.you") for x in p.get("you") or []]
        self.para_wants = [self.compile(x, "paraphrase.wants") for x in p.get("wants") or []]
        self.para_label_clauses = [
            self.compile(x, "paraphrase.label_clauses") for x in p.get("label_clauses") or []
        ]
        self.para_label_clause_unless = [
            self.compile(x, "paraphrase.label_clause_unless")
            for x in p.get("label_clause_unless") or []
        ]
        self.para_label_clause_min_words = int(p.get("label_clause_min_words", 1))
        self.para_min_overlap = int(p.get("min_overlap", 1))
        self.para_min_overlap_plain = int(p.get("min_overlap_plain", 2))
        self.para_min_words = int(p.get("min_words", 4))
        # a statement with no "you" in it ("Замок сломан год, и никто ничего не сделал") restates
        # his line when this close to it by the encoder; None (the default): only statements
        # about him are read by meaning
        plain = p.get("plain_min_similarity")
        self.para_plain_min_similarity: float | None = None if plain is None else float(plain)
        self.para_plain_unless = [
            self.compile(x, "paraphrase.plain_unless") for x in p.get("plain_unless") or []
        ]
        s = data.get("summary") or {}
        _check_keys(s, {"markers", "min_lines", "min_words", "joins"}, source, "summary")
        self.summary_joins = frozenset(str(w) for w in s.get("joins") or [])
        self.summary_min_words = int(s.get("min_words", 10))
        self.summary_markers = [self.compile(x, "summary.markers") for x in s.get("markers") or []]
        self.summary_min_lines = int(s.get("min_lines", 2))
        c = data.get("contradiction") or {}
        _check_keys(
            c,
            {
                "unless",
                "hypothetical",
                "asked",
                "strict_scope",
                "scope_breaks",
                "scope_through",
                "supplied",
                "soft_after",
            },
            source,
            "contradiction",
        )
        self.contra_unless = [
            self.compile(x, "contradiction.unless") for x in c.get("unless") or []
        ]
        self.hypothetical = self._word_set(c.get("hypothetical"))
        # does a question of his assert what it asks (False: "Is he still there?" -> "He's not")?
        self.contra_asked = bool(c.get("asked", True))
        # a content word between the negator and the word leaves what is denied unclear
        # ("They won't touch the greenhouses" denies the touching, not the greenhouses)
        self.contra_strict = bool(c.get("strict_scope", False))
        # ... as do these words, though no content words ("not sure talking helps" doubts)
        self.contra_scope_breaks = self._word_set(c.get("scope_breaks"))
        # ... and these content words let it through ("You don't need a lawyer" denies the lawyer)
        self.contra_scope_through = self._word_set(c.get("scope_through"))
        # his "nobody X" answered by the negotiator doing X ("Nobody said thank you" -> "I'd
        # like to thank you"): subject negators of his line and subjects of the reply
        sup = c.get("supplied") or {}
        _check_keys(sup, {"negators", "subjects", "direct"}, source, "contradiction.supplied")
        self.contra_supplied_neg = self._word_set(sup.get("negators"))
        self.contra_supplied_subj = self._word_set(sup.get("subjects"))
        # words between the subject and the word that still say it flatly ("I do care")
        self.contra_supplied_direct = self._word_set(sup.get("direct"))
        # a negator after one of these negates softly, as "without" ("with no gloves")
        self.contra_soft_after = {
            str(k): self._word_set(v) for k, v in (c.get("soft_after") or {}).items()
        }
        e = data.get("minimal_encourager") or {}
        _check_keys(
            e,
            {"standalone", "acknowledgements", "answers", "not_before"},
            source,
            "minimal_encourager",
        )
        # after his question, a sentence made only of these answers it ("Are you still there?"
        # -> "Yes, I'm here"; "Is it still raining?" -> "yeah still raining")
        self.encourager_answers = self._word_set(
            [w for x in e.get("answers") or [] for w in str(x).split()]
        )
        # an encourager followed by one of these is something else ("Right now.")
        self.encourager_not_before = self._word_set(e.get("not_before"))
        self.encourager_alone = [
            self.compile(x, "minimal_encourager.standalone") for x in e.get("standalone") or []
        ]
        # words that encourage only as the whole reply ("Okay." yes; "Okay. I'll call back." no)
        self.acknowledgements = self._word_set(
            [w for x in e.get("acknowledgements") or [] for w in str(x).split()]
        )
        self.rules: dict[str, _Rule] = {}
        cues = data.get("cues") or {}
        for name, spec in cues.items():
            if name not in TEXT_CUES:
                raise ScenarioError(
                    f"{source}: cues.{name}: unknown text cue; use one of: {', '.join(TEXT_CUES)}"
                )
            _check_keys(
                spec,
                {
                    "patterns",
                    "unless",
                    "negatable",
                    "question",
                    "not_inverted",
                    "if_backed",
                    "backing",
                    "context",
                    "in_context",
                    "across_sentences",
                    "weak",
                    "unasked",
                },
                source,
                f"cues.{name}",
            )
            self.rules[name] = _Rule(
                patterns=[
                    self.compile(x, f"cues.{name}.patterns") for x in spec.get("patterns") or []
                ],
                unless=[self.compile(x, f"cues.{name}.unless") for x in spec.get("unless") or []],
                if_backed=[
                    self.compile(x, f"cues.{name}.if_backed") for x in spec.get("if_backed") or []
                ],
                backing=[
                    self.compile(x, f"cues.{name}.backing") for x in spec.get("backing") or []
                ],
                context=[
                    self.compile(x, f"cues.{name}.context") for x in spec.get("context") or []
                ],
                in_context=[
                    self.compile(x, f"cues.{name}.in_context") for x in spec.get("in_context") or []
                ],
                across_sentences=bool(spec.get("across_sentences", False)),
                weak=[self.compile(x, f"cues.{name}.weak") for x in spec.get("weak") or []],
                unasked=[
                    self.compile(x, f"cues.{name}.unasked") for x in spec.get("unasked") or []
                ],
                negatable=bool(spec.get("negatable", False)),
                question=str(spec.get("question", "any")),
                not_inverted=bool(spec.get("not_inverted", False)),
            )
            if self.rules[name].question not in ("any", "yes", "no"):
                raise ScenarioError(f"{source}: cues.{name}.question: use any, yes or no")

    def ways(self, els: list[_El]) -> int:
        """``patterns._ways`` of a compiled pattern, worked out once."""
        key = id(els)
        got = self._ways.get(key)
        if got is None:
            got = self._ways[key] = _ways(self, els)
            self._keep.append(els)  # the id stays this pattern's while the lexicon lives
        return got

    def start_of(self, els: list[_El]) -> "_Start":
        key = id(els)
        got = self._starts.get(key)
        if got is None:
            if (
                self.ways(els) > MEMO_ABOVE
            ):  # too many ways to list its first words: try every start
                got = _Start()
                got.anything = True
            else:
                got = _start_of(self, els)
            self._starts[key] = got
            self._keep.append(els)
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

    def respelled(self, word: str, following: str) -> tuple[str, ...] | None:
        """What ``word`` stands for before ``following`` ("your" -> "you are" before
        "terrified"), or None when it stands for itself (``respell`` in the data)."""
        to, texts, lemmas, endings = self.respell[word]
        if (
            following in texts
            or following.endswith(endings)
            or self.morph.analyse(following)[0] & lemmas
        ):
            return to
        return None

    def compile(self, pattern: str, where: str = "pattern", source: str | None = None) -> list[_El]:
        """A pattern of this language, compiled (ParameterError naming ``source`` and
        ``where`` if bad; ``source`` defaults to this language's data file)."""
        return _compile(self, pattern, where, source)


@dataclass
class _Rule:
    patterns: list[list[_El]]
    unless: list[list[_El]]
    negatable: bool
    question: str
    not_inverted: bool
    if_backed: list[list[_El]] = field(
        default_factory=list
    )  # count only with a backing in the reply
    backing: list[list[_El]] = field(default_factory=list)
    # ``in_context`` patterns count only when the perpetrator's line matches a ``context``
    # pattern ("Go ahead." after "I'll jump!" is a dare; after "Can I tell you something?" it is not)
    context: list[list[_El]] = field(default_factory=list)
    in_context: list[list[_El]] = field(default_factory=list)
    across_sentences: bool = (
        False  # match the reply as one sentence: "Okay. Two million by Saturday."
    )
    weak: list[list[_El]] = field(
        default_factory=list
    )  # readings that yield (resolve.WEAK_YIELDS_TO)
    # ``unasked`` patterns count only when the perpetrator's line asks nothing ("No, I
    # haven't." answers "You ever grown anything?"; it argues with "You'd have done the same")
    unasked: list[list[_El]] = field(default_factory=list)


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
    "filler_phrases",
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
    "split",
    "respell",
}


def _check_text(data, source: str, where: str) -> None:
    """Every list entry must be text: YAML reads a bare yes / no / on / off as true / false
    (the English negators once lost "no" that way)."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            _check_text(value, source, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if isinstance(value, (bool, int, float)) or value is None:
                raise ScenarioError(
                    f"{source}: {where}[{i}]: {value!r} is not text; quote it (YAML reads bare yes, no, on, off as true/false)"
                )
            _check_text(value, source, f"{where}[{i}]")


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
                raise ScenarioError(
                    f"{source}: morphology.language: Snowball has no '{lang}'"
                ) from e
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
            out: tuple[frozenset[str], str, tuple] = (frozenset({stem}), stem, ())
        elif self.engine == "pymorphy3":
            parses = self._morph.parse(word)
            grams = tuple(
                (
                    p.normal_form.replace("ё", "е"),
                    frozenset(str(p.tag).lower().replace(" ", ",").split(",")),
                )
                for p in parses
            )
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
    from ... import lang

    return lang.LANG_DIR / lang.check_language(code) / "cues.yaml"


@lru_cache(maxsize=None)
def lexicon(code: str) -> Lexicon:
    """The compiled cue data for a language (loaded once, cached)."""
    from ... import lang

    data = lang.load(code, "cues")
    return Lexicon(code, data, str(lang_path(code)))


def lexicon_without(code: str, path: tuple) -> Lexicon:
    """The language's lexicon compiled without one entry of its data: ``path`` holds the
    keys and the list index, e.g. ``("cues", "promise", "patterns", 3)``. For ablation
    (``eval-cues --ablate``): pass it to ``detect_cues(..., lex=...)``."""
    import copy

    from ... import lang

    data = copy.deepcopy(lang.load(code, "cues"))
    node = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return Lexicon(code, data, f"{lang_path(code)} without {'.'.join(map(str, path))}")


@lru_cache(maxsize=4096)
def _line_tokens(code: str, line: str) -> tuple[Token, ...]:
    lex = lexicon(code)
    return tuple(_parse(lex, Transcript(line, code)).tokens)
