"""Ablation: what each pattern of a language's cue lexicon fixes and breaks on labelled replies.

For every pattern entry of ``lang/<code>/cues.yaml`` (cue patterns and their ``unless``
/ ``if_backed`` / ``backing`` lists, word-class entries, paraphrase and summary lead-ins,
question starts, stand-alone encouragers, contradiction exemptions) the detector is run
again on the labelled replies with the lexicon compiled *without* that entry
(``cues.lexicon_without``), and the judgements are compared with the labels:

* ``fixes``: what the entry gets right: true positives lost without it, plus false
  positives that appear without it (an ``unless`` entry that blocks a wrong reading);
* ``breaks``: what it gets wrong: false positives removed without it, plus true
  positives that appear without it.

An entry that fixes one reply and nothing else was likely fitted to one sentence: a
candidate for pruning (or for a more general wording). An entry that matches no reply
at all is untested by these files (``touched == 0``). Only replies in which the entry
matches somewhere are run again, so the cost is proportional to how often each
pattern fires, not to the size of the lexicon times the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from ..types import Transcript, TurnContext
from .evaluate import LabelledReply, reply_language
from .names import AUDIO_CUES

# lists of patterns in the data file (the others hold plain words)
_PATTERN_LISTS = {
    ("questions", "starts"),
    ("paraphrase", "lead_ins"),
    ("paraphrase", "weak_lead_ins"),
    ("paraphrase", "you"),
    ("paraphrase", "wants"),
    ("paraphrase", "unless"),
    ("summary", "markers"),
    ("contradiction", "unless"),
    ("minimal_encourager", "standalone"),
}
_RULE_LISTS = ("patterns", "unless", "if_backed", "backing")


@dataclass(frozen=True)
class Entry:
    """One pattern of the lexicon."""

    language: str
    path: tuple  # keys and list index into the data, e.g. ("cues", "promise", "patterns", 3)
    text: str  # the pattern as written
    where: str  # "lang/en/cues.yaml:215"

    @property
    def name(self) -> str:
        keys = ".".join(str(k) for k in self.path[:-1])
        return f"{keys}[{self.path[-1]}]"


@dataclass(frozen=True)
class Effect:
    """What removing one entry changes on the labelled replies (each change is "file:line cue")."""

    entry: Entry
    touched: int  # replies in which the entry matches somewhere
    tp_lost: tuple[str, ...]
    fp_added: tuple[str, ...]
    fp_removed: tuple[str, ...]
    tp_gained: tuple[str, ...]

    @property
    def fixes(self) -> int:
        return len(self.tp_lost) + len(self.fp_added)

    @property
    def breaks(self) -> int:
        return len(self.fp_removed) + len(self.tp_gained)

    def to_dict(self) -> dict:
        return {
            "language": self.entry.language,
            "entry": self.entry.name,
            "pattern": self.entry.text,
            "where": self.entry.where,
            "touched": self.touched,
            "fixes": self.fixes,
            "breaks": self.breaks,
            "tp_lost": list(self.tp_lost),
            "fp_added": list(self.fp_added),
            "fp_removed": list(self.fp_removed),
            "tp_gained": list(self.tp_gained),
        }


def entries(code: str) -> list[Entry]:
    """Every pattern entry of a language's lexicon, with its file:line."""
    from .. import lang
    from ..yamlsafe import load_yaml
    from .cues.lexicon import lang_path

    path = lang_path(code)
    doc = load_yaml(path)
    data = lang.load(code, "cues")
    lists: list[tuple[tuple, list]] = []
    for name, items in (data.get("classes") or {}).items():
        lists.append((("classes", name), items or []))
    for key in _PATTERN_LISTS:
        section = data.get(key[0]) or {}
        lists.append((key, section.get(key[1]) or []))
    for cue, spec in (data.get("cues") or {}).items():
        for rule_key in _RULE_LISTS:
            lists.append((("cues", cue, rule_key), (spec or {}).get(rule_key) or []))
    shown = f"lang/{code}/cues.yaml"
    out = []
    for key, items in lists:
        for i, text in enumerate(items):
            try:
                line = doc.where(key + (i,)).line
            except Exception:  # a position the loader did not record
                line = 0
            out.append(Entry(code, key + (i,), str(text), f"{shown}:{line}" if line else shown))
    return out


def ablate(
    items: Sequence[LabelledReply],
    *,
    language: str | None = None,
    meaning=None,
    only: Callable[[Entry], bool] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Effect]:
    """The effect of removing each lexicon entry, for every language among ``items``."""
    from .cues import detect_cues, lexicon
    from .cues.lexicon import lexicon_without
    from .cues.patterns import _find_all
    from .cues.questions import _read

    say = progress or (lambda message: None)
    by_code: dict[str, list[LabelledReply]] = {}
    for item in items:
        by_code.setdefault(reply_language(item, language), []).append(item)
    effects: list[Effect] = []
    for code, group in sorted(by_code.items()):
        lex = lexicon(code)

        def found(item: LabelledReply, lx=None, code: str = code) -> set[str]:
            context = TurnContext(code, tuple(item.history) + (item.ctx,))
            return {
                c.name
                for c in detect_cues(Transcript(item.reply, code), context, meaning=meaning, lex=lx)
            }

        # the rules alone on both sides: the full lexicon passed as ``lex`` (a lexicon of
        # one's own skips the learned heads, which would otherwise count as the entry's work)
        base = [found(item, lex) for item in group]
        parsed = [_read(lex, Transcript(item.reply, code)) for item in group]
        todo = [e for e in entries(code) if only is None or only(e)]
        say(f"{code}: {len(todo)} entries, {len(group)} replies")
        for n, entry in enumerate(todo, 1):
            els = lex.compile(entry.text, entry.name)
            lex._starts.pop(
                id(els), None
            )  # the start cache is keyed by id(): never reuse a freed pattern's
            touched = [
                k
                for k, p in enumerate(parsed)
                if any(_find_all(lex, p, [els], s) for s in p.sentences)
            ]
            changes: dict[str, list[str]] = {
                "tp_lost": [],
                "fp_added": [],
                "fp_removed": [],
                "tp_gained": [],
            }
            if touched:
                smaller = lexicon_without(code, entry.path)
                for k in touched:
                    item = group[k]
                    truth = {c for c in item.cues if c not in AUDIO_CUES}
                    after = found(item, smaller)
                    for cue in sorted(base[k] - after):
                        changes["tp_lost" if cue in truth else "fp_removed"].append(
                            f"{item.where} {cue}"
                        )
                    for cue in sorted(after - base[k]):
                        changes["tp_gained" if cue in truth else "fp_added"].append(
                            f"{item.where} {cue}"
                        )
            effects.append(
                Effect(
                    entry,
                    len(touched),
                    *(
                        tuple(changes[k])
                        for k in ("tp_lost", "fp_added", "fp_removed", "tp_gained")
                    ),
                )
            )
            if n % 100 == 0:
                say(f"{code}: {n}/{len(todo)}")
    return effects


def format_report(effects: Iterable[Effect], *, show_all: bool = False) -> str:
    """A plain-text report: entries that break more than they fix, single-use entries,
    then totals (``show_all``: every entry that changes anything)."""
    effects = list(effects)

    def row(e: Effect) -> str:
        detail = []
        for label, got in (
            ("TP lost", e.tp_lost),
            ("FP added", e.fp_added),
            ("FP removed", e.fp_removed),
            ("TP gained", e.tp_gained),
        ):
            if got:
                detail.append(f"{label}: {', '.join(got)}")
        return (
            f"  {e.entry.where}  {e.entry.name}  {e.entry.text!r}  fixes {e.fixes}, breaks {e.breaks}"
            + ("\n      " + "; ".join(detail) if detail else "")
        )

    harmful = [e for e in effects if e.breaks > e.fixes]
    single = [e for e in effects if e.fixes == 1 and e.breaks == 0]
    idle = [e for e in effects if e.touched and not e.fixes and not e.breaks]
    unused = [e for e in effects if not e.touched]
    out = []
    if harmful:
        out.append(f"Entries that break more than they fix ({len(harmful)}):")
        out.extend(
            row(e) for e in sorted(harmful, key=lambda e: (e.fixes - e.breaks, e.entry.where))
        )
    rules = [e for e in single if e.entry.path[0] != "classes"]
    words = [e for e in single if e.entry.path[0] == "classes"]
    if rules:
        out.append(f"\nPatterns that fix exactly one reply (fitted to one sentence? {len(rules)}):")
        out.extend(row(e) for e in rules)
    if words:
        out.append(
            f"\nWord-class entries that fix exactly one reply (vocabulary: usually fine; {len(words)}):"
        )
        out.extend(row(e) for e in words)
    if show_all:
        rest = [
            e for e in effects if (e.fixes or e.breaks) and e not in harmful and e not in single
        ]
        out.append(f"\nOther entries that change a judgement ({len(rest)}):")
        out.extend(row(e) for e in sorted(rest, key=lambda e: (-e.fixes, e.entry.where)))
    out.append(
        f"\n{len(effects)} entries: {len(harmful)} break more than they fix, {len(single)} fix one reply "
        f"({len(rules)} patterns, {len(words)} word-class entries), "
        f"{sum(1 for e in effects if e.fixes > 1)} fix several, {len(idle)} match but change nothing "
        f"(another entry covers them), {len(unused)} match no reply in these files"
    )
    return "\n".join(out)


__all__ = ["Entry", "Effect", "entries", "ablate", "format_report"]
