"""Measure the text-cue detector against replies an instructor has labelled.

A labelled file is JSON Lines, one reply per line::

    {"ctx": "perpetrator line", "reply": "trainee reply", "cues": ["mirror", ...],
     "history": ["earlier perpetrator line", ...],   # optional, oldest first (for summaries)
     "language": "en"}                                # optional

``cues`` lists every text cue the reply carries (``[]`` for none). Without
``language`` the command's ``--language`` is used, else the reply's script
decides (Cyrillic -> ``ru``, otherwise ``en``). ``effective_pause`` labels are
ignored here: that cue comes from the audio.

Precision, recall and F1 are per cue over replies (a cue is found in a reply or
not); micro-F1 pools the counts of all text cues. A cue that is never labelled
and never found scores 1.0; one that is labelled but never found has precision 0.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

from ..errors import ParameterError
from ..types import Transcript, TurnContext
from .cues import detect_cues
from .names import AUDIO_CUES, CUE_NAMES, HARMFUL, HELPFUL, TEXT_CUES

if TYPE_CHECKING:
    from .script import MeaningRules

# "text" and "voice": a spoken set's written reply and the voice that spoke it (the reply is
# then the transcript; scripts/make_spoken.py); kept for the reader, not scored.
_KEYS = {"ctx", "reply", "cues", "history", "language", "kind", "text", "voice"}
TRAP_KINDS = (
    "harmful",
    "model",
)  # a trap reply: a harmful one, or a model answer to the same moment
_CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")


@dataclass(frozen=True)
class LabelledReply:
    """One line of a labelled file."""

    ctx: str  # the perpetrator's current line
    reply: str  # what the trainee said
    cues: tuple[str, ...]  # text cues an instructor sees in the reply
    history: tuple[str, ...] = ()  # earlier perpetrator lines, oldest first
    language: str | None = None
    where: str = ""  # "file:line"
    line: int = 0  # 1-based line number in the file (0: not from a file)
    kind: str = (
        ""  # trap files: "harmful" (must get a harmful cue) or "model" (helpful, nothing harmful)
    )


@dataclass(frozen=True)
class CueScore:
    precision: float
    recall: float
    f1: float
    support: int  # replies labelled with the cue
    found: int  # replies where the detector found it
    true_positives: int


@dataclass(frozen=True)
class Mistake:
    where: str
    reply: str
    missed: tuple[str, ...]  # labelled, not found
    extra: tuple[str, ...]  # found, not labelled


@dataclass(frozen=True)
class Row:
    """What the detector found in one labelled reply."""

    line: int  # 1-based line number in the labelled file
    found: tuple[str, ...]  # text cue names, in the order they occur in the reply
    file: str = ""  # the labelled file (shown in JSON when several files were read)


@dataclass(frozen=True)
class TrapScore:
    """How the detector judges trap replies (lines with a ``kind``)."""

    harmful: int  # harmful replies
    harmful_unflagged: int  # ... with no harmful cue found
    model: int  # model answers
    model_wrong: int  # ... with a harmful cue found, or no helpful one

    @property
    def harmful_unflagged_share(self) -> float:
        return self.harmful_unflagged / self.harmful if self.harmful else 0.0

    @property
    def model_wrong_share(self) -> float:
        return self.model_wrong / self.model if self.model else 0.0


@dataclass(frozen=True)
class Evaluation:
    per_cue: dict[str, CueScore]
    micro_precision: float
    micro_recall: float
    micro_f1: float
    replies: int
    ignored_labels: int  # effective_pause labels (audio cue) left out
    mistakes: tuple[Mistake, ...]
    rows: tuple[Row, ...] = ()
    traps: TrapScore | None = None  # None: no line of the file has a "kind"

    def to_dict(self) -> dict:
        traps = self.traps
        several = len({r.file for r in self.rows}) > 1
        return {
            "per_cue": {
                name: {
                    "precision": s.precision,
                    "recall": s.recall,
                    "f1": s.f1,
                    "support": s.support,
                }
                for name, s in self.per_cue.items()
            },
            "micro_f1": self.micro_f1,
            "micro_precision": self.micro_precision,
            "micro_recall": self.micro_recall,
            "replies": self.replies,
            "ignored_labels": self.ignored_labels,
            "rows": [
                {"line": r.line, "found": list(r.found), **({"file": r.file} if several else {})}
                for r in self.rows
            ],
            **(
                {
                    "traps": {
                        "harmful": traps.harmful,
                        "harmful_unflagged": traps.harmful_unflagged,
                        "harmful_unflagged_share": traps.harmful_unflagged_share,
                        "model": traps.model,
                        "model_wrong": traps.model_wrong,
                        "model_wrong_share": traps.model_wrong_share,
                    }
                }
                if traps
                else {}
            ),
        }


def load_labelled(path: str | Path) -> list[LabelledReply]:
    """Read a labelled JSONL file; a broken line raises ParameterError naming ``file:line``."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):  # a FIFO or a device would be read forever
            kind = (
                "a folder"
                if stat.S_ISDIR(mode)
                else "not a regular file (a pipe, socket or device)"
            )
            raise ParameterError(f"{path}: {kind}; pass a labelled .jsonl file")
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise ParameterError(
                f"{path}: larger than {MAX_FILE_BYTES >> 20} MB; split it into smaller labelled files"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"{path}: no such labelled file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ParameterError(f"{path}: cannot read the labelled file ({e})") from e
    items = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        item = parse_labelled_line(raw, f"{path}:{n}")
        items.append(replace(item, line=n))
    if not items:
        raise ParameterError(f"{path}: no labelled replies (expected one JSON object per line)")
    return items


def parse_labelled_line(raw: str, where: str) -> LabelledReply:
    """One JSON line -> LabelledReply; any problem is a ParameterError starting with ``where``."""
    if _depth(raw) > MAX_DEPTH:
        raise ParameterError(
            f"{where}: JSON nested more than {MAX_DEPTH} deep; expected one flat object per line"
        )
    try:
        obj = json.loads(
            raw, parse_constant=_no_constant, parse_int=_bounded_int, parse_float=_finite_float
        )
    except json.JSONDecodeError as e:
        raise ParameterError(f"{where}: not valid JSON ({e.msg} at column {e.colno})") from None
    except _BadNumber as e:
        raise ParameterError(
            f"{where}: {e}; a labelled line holds only text and lists of text"
        ) from None
    except (RecursionError, ValueError) as e:
        raise ParameterError(f"{where}: not valid JSON ({e})") from None
    if not isinstance(obj, dict):
        raise ParameterError(
            f'{where}: expected an object like {{"ctx": ..., "reply": ..., "cues": [...]}}'
        )
    unknown = sorted(set(obj) - _KEYS)
    if unknown:
        raise ParameterError(
            f"{where}: unknown key '{unknown[0]}'; allowed: {', '.join(sorted(_KEYS))}"
        )
    for key in ("ctx", "reply", "cues"):
        if key not in obj:
            raise ParameterError(f"{where}: missing key '{key}'")
    if not isinstance(obj["ctx"], str):
        raise ParameterError(f"{where}: 'ctx' must be text (the perpetrator's line)")
    spoken = "text" in obj  # a transcript may be empty: Whisper heard nothing
    if not isinstance(obj["reply"], str) or not (obj["reply"].strip() or spoken):
        raise ParameterError(f"{where}: 'reply' must be non-empty text")
    cues = obj["cues"]
    if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
        raise ParameterError(f"{where}: 'cues' must be a list of cue names (use [] for none)")
    for c in cues:
        if c not in CUE_NAMES:
            raise ParameterError(f"{where}: unknown cue '{c}'; choose from: {', '.join(CUE_NAMES)}")
    history = obj.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise ParameterError(f"{where}: 'history' must be a list of earlier perpetrator lines")
    language = obj.get("language")
    if language is not None:
        from ..lang import LANGUAGES

        if language not in LANGUAGES:
            raise ParameterError(
                f"{where}: language '{language}' is not supported; use one of: {', '.join(LANGUAGES)}"
            )
    kind = obj.get("kind", "")
    if kind and kind not in TRAP_KINDS:
        raise ParameterError(
            f"{where}: 'kind' must be one of: {', '.join(TRAP_KINDS)} (or left out)"
        )
    return LabelledReply(
        obj["ctx"],
        obj["reply"],
        tuple(dict.fromkeys(cues)),
        tuple(history),
        language,
        where,
        kind=kind,
    )


MAX_FILE_BYTES = 64 << 20
MAX_DEPTH = 32  # a labelled line is an object holding lists of text: depth 2


class _BadNumber(ValueError):
    pass


def _no_constant(name: str):
    raise _BadNumber(f"{name} is not a number JSON allows")


def _bounded_int(text: str) -> int:
    if len(text) > 30:
        raise _BadNumber(f"a {len(text)}-digit number")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(f"the number {text[:20]} is out of range")
    return value


def _depth(raw: str) -> int:
    """How deep brackets nest (outside strings), without building anything."""
    depth = top = 0
    in_string = escaped = False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            top = max(top, depth)
        elif ch in "]}":
            depth -= 1
    return top


def reply_language(item: LabelledReply, default: str | None = None) -> str:
    """The item's language, else ``default``, else guessed from its letters."""
    if item.language:
        return item.language
    if default:
        return default
    return "ru" if _CYRILLIC.search(item.reply + item.ctx) else "en"


def evaluate(
    items: Iterable[LabelledReply],
    *,
    language: str | None = None,
    extra_phrases: Callable[[str], Mapping[str, Sequence[str]] | None] | None = None,
    meaning: MeaningRules | None = None,
    rules_only: bool = False,
) -> Evaluation:
    """Run ``detect_cues`` on every labelled reply and score it per cue.

    ``extra_phrases(language)`` gives the scoring script's extra phrases (or None);
    ``meaning`` its ``meaning:`` section (None: the defaults). ``rules_only`` leaves the
    learned heads out (the phrase rules and readers alone, as an ablation measures them).
    """
    from dataclasses import replace

    from ..lang import check_language
    from .script import MeaningRules

    if rules_only:  # the script's meaning settings, its heads off
        meaning = replace(meaning or MeaningRules(), heads=False)

    if language is not None:
        check_language(language)
    tp = {c: 0 for c in TEXT_CUES}
    fp = dict(tp)
    fn = dict(tp)
    ignored = 0
    mistakes = []
    rows = []
    trap_counts = {"harmful": 0, "harmful_unflagged": 0, "model": 0, "model_wrong": 0}
    n = 0
    for item in items:
        n += 1
        code = reply_language(item, language)
        truth = {c for c in item.cues if c not in AUDIO_CUES}
        ignored += len(set(item.cues) - truth)
        context = TurnContext(code, tuple(item.history) + (item.ctx,))
        extra = extra_phrases(code) if extra_phrases else None
        cues = detect_cues(
            Transcript(item.reply, code),
            context,
            extra_phrases=extra,
            meaning=meaning,
        )
        rows.append(Row(item.line or n, tuple(c.name for c in cues), item.where.rsplit(":", 1)[0]))
        found = {c.name for c in cues}
        if item.kind:
            trap_counts[item.kind] += 1
            if item.kind == "harmful" and not found & set(HARMFUL):
                trap_counts["harmful_unflagged"] += 1
            if item.kind == "model" and (found & set(HARMFUL) or not found & set(HELPFUL)):
                trap_counts["model_wrong"] += 1
        for c in TEXT_CUES:
            if c in truth and c in found:
                tp[c] += 1
            elif c in found:
                fp[c] += 1
            elif c in truth:
                fn[c] += 1
        if truth != found:
            mistakes.append(
                Mistake(
                    item.where,
                    item.reply,
                    tuple(sorted(truth - found)),
                    tuple(sorted(found - truth)),
                )
            )
    per_cue = {c: _score(tp[c], fp[c], fn[c]) for c in TEXT_CUES}
    micro = _score(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    traps = TrapScore(**trap_counts) if trap_counts["harmful"] + trap_counts["model"] else None
    return Evaluation(
        per_cue,
        micro.precision,
        micro.recall,
        micro.f1,
        n,
        ignored,
        tuple(mistakes),
        tuple(rows),
        traps,
    )


def _score(tp: int, fp: int, fn: int) -> CueScore:
    support, found = tp + fn, tp + fp
    if support == 0 and found == 0:
        return CueScore(1.0, 1.0, 1.0, 0, 0, 0)
    precision = tp / found if found else 0.0
    recall = tp / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return CueScore(precision, recall, f1, support, found, tp)


def format_table(ev: Evaluation) -> str:
    """A plain-text table: one row per cue, then micro averages."""
    rows = [f"{'cue':<20} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8} {'found':>6}"]
    for name, s in ev.per_cue.items():
        rows.append(
            f"{name:<20} {s.precision:>9.2f} {s.recall:>7.2f} {s.f1:>6.2f} {s.support:>8} {s.found:>6}"
        )
    rows.append(
        f"{'micro (all cues)':<20} {ev.micro_precision:>9.2f} {ev.micro_recall:>7.2f} {ev.micro_f1:>6.2f}"
        f" {sum(s.support for s in ev.per_cue.values()):>8} {sum(s.found for s in ev.per_cue.values()):>6}"
    )
    rows.append(f"{ev.replies} replies; micro-F1 {ev.micro_f1:.3f}")
    if ev.ignored_labels:
        rows.append(
            f"({ev.ignored_labels} effective_pause labels ignored: that cue comes from the audio)"
        )
    if ev.traps:
        t = ev.traps
        rows.append(
            f"traps: {t.harmful_unflagged}/{t.harmful} harmful replies without a harmful cue "
            f"({t.harmful_unflagged_share:.0%}); {t.model_wrong}/{t.model} model answers flagged harmful "
            f"or without a helpful cue ({t.model_wrong_share:.0%})"
        )
    return "\n".join(rows)


__all__ = [
    "LabelledReply",
    "CueScore",
    "Mistake",
    "Row",
    "Evaluation",
    "TrapScore",
    "load_labelled",
    "parse_labelled_line",
    "reply_language",
    "evaluate",
    "format_table",
]
