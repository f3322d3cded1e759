"""Reading scenario YAML: the keys each section allows and the small typed readers (text, ids,
numbers, lists, mappings) that record every problem with its place in the file."""

from __future__ import annotations

from typing import Mapping

from .model import (
    _CYRILLIC,
    _ID_RE,
    _LATIN,
    cue_groups,
    cue_names,
)

_TOP_KEYS = {
    "format": False,
    "id": True,
    "title": True,
    "language": True,
    "situation": True,
    "briefing": True,
    "learning_goals": True,
    "voice": False,
    "perpetrator": True,
    "agitation": False,
    "limits": True,
    "start": False,
    "nodes": True,
    "outcomes": True,
}
_VOICE_KEYS = {"name", "rate_wpm", "volume", "pitch"}
_PERP_KEYS = {"name", "start_agitation", "rise", "fall", "triggers", "hooks", "gender"}
_REACTION_KEYS = {"name", "words", "raise", "lower"}
_AGITATION_KEYS = {
    "resting",
    "decay",
    "silence",
    "interruption",
    "score_pull",
    "max_change",
    "bands",
    "cues",
}
_NODE_KEYS = {"id", "lines", "transitions", "outcome", "trainee", "note", "moment"}
_TRANSITION_KEYS = {"when", "to", "end"}
_OUTCOME_KEYS = {"result", "title", "debrief"}
_CONDITION_KEYS = (
    "cues_any",
    "cues_all",
    "cues_none",
    "score_above",
    "score_below",
    "agitation_above",
    "agitation_below",
    "silent",
    "interrupted",
    "mentions_any",
    "hooks_any",
    "triggers_any",
    "turn_at_least",
    "turn_at_most",
    "any_of",
)
_MAX_CONDITION_DEPTH = 4


class _Fields:
    """The state of one parse (the problems found, the names seen) and the typed readers."""

    def __init__(self, doc) -> None:
        from ..yamlsafe import Problems

        self.doc = doc
        self.p = Problems(doc)
        self.cues = cue_names()
        self.groups = cue_groups()
        self.language: str | None = None  # the scenario's, once read
        # references checked after the whole file is read: (path, kind, name)
        self.node_refs: list[tuple[tuple, str]] = []
        self.outcome_refs: list[tuple[tuple, str]] = []
        self.hook_refs: list[tuple[tuple, str]] = []
        self.trigger_refs: list[tuple[tuple, str]] = []
        self.graph: list[tuple[str, tuple, tuple[str, ...], bool]] = []  # (id, path, targets, ends)
        self.hooks: set[str] = set()
        self.triggers: set[str] = set()

    # -- small typed readers ------------------------------------------------

    def text(self, value, path, *, max_chars=None, what="text", spoken=False) -> str | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not spoken:
            value = str(value)  # a bare number as a title is fine
        if self.p.expect(value, path, str, what, hint=_quote_hint(value)) is None:
            return None
        if not value.strip():
            self.p.add(path, f"{_dotted(path)} is empty", "write the words, or remove the entry")
            return None
        if max_chars is not None and len(value) > max_chars:
            self.p.add(
                path,
                f"{_dotted(path)} is {len(value)} characters, too long to speak in one turn",
                f"keep it under {max_chars} characters; split it over two nodes",
            )
            return None
        if spoken:
            self.check_script(value, path)
        return value.strip()

    def check_script(self, value: str, path) -> None:
        """A line in the wrong alphabet for the scenario's language would be spoken wrongly."""
        if self.language == "ru" and not _CYRILLIC.search(value) and _LATIN.search(value):
            self.p.add(
                path,
                f"{_dotted(path)} is not in Russian but the scenario's language is ru",
                "write the line in Russian, or set language: en",
            )
        elif self.language == "en" and _CYRILLIC.search(value):
            self.p.add(
                path,
                f"{_dotted(path)} has Cyrillic letters but the scenario's language is en",
                "write the line in English, or set language: ru",
            )

    def ident(self, value, path, what="id") -> str | None:
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            article = "an" if what[0] in "aeiou" else "a"
            self.p.wrong_type(
                path, value, f"{article} {what} (lower-case letters, digits, _)", _quote_hint(value)
            )
            return None
        value = str(value)
        if not _ID_RE.match(value):
            self.p.add(
                path,
                f"'{value}' is not a valid {what}",
                "use lower-case letters, digits and _ only, starting with a letter or digit",
            )
            return None
        return value

    def number(self, value, path, low, high, unit=""):
        return self.p.number(value, path, low=low, high=high, unit=unit)

    def integer(self, value, path, low, high):
        if isinstance(value, float) and not isinstance(value, bool):
            self.p.add(
                path,
                f"{_dotted(path)} must be a whole number, not {value:g}",
                f"use a whole number in {low}..{high}",
            )
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.p.wrong_type(path, value, "a whole number")
            return None
        if not low <= value <= high:
            self.p.add(
                path,
                f"{_dotted(path)} = {value} is out of range",
                f"use a whole number in {low}..{high}",
            )
            return None
        return value

    def boolean(self, value, path):
        return self.p.expect(value, path, bool, "true or false")

    def listing(self, value, path, what) -> list:
        """A list; a single scalar counts as a one-item list."""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return [(value, path)]
        if not isinstance(value, list):
            self.p.wrong_type(path, value, f"a list of {what}")
            return []
        if not value:
            self.p.add(
                path,
                f"{_dotted(path)} is an empty list",
                f"give at least one {what}, or remove the key",
            )
        return [(v, path + (i,)) for i, v in enumerate(value)]

    def mapping(self, value, path, allowed, required=()) -> Mapping | None:
        if not self.p.check_keys(value, path, allowed, required=required):
            return None
        return value

    # -- sections -----------------------------------------------------------


def _quote_hint(value) -> str:
    if isinstance(value, Mapping) and len(value) == 1:
        return "a colon followed by a space inside text starts a mapping in YAML; put the whole text in quotes"
    if isinstance(value, bool):
        return "YAML reads yes/no/on/off/true/false as true/false; put the text in quotes"
    if value is None:
        return "write the text after the colon, or remove the key"
    return ""


def _dotted(path) -> str:
    from ..yamlsafe import dotted

    return dotted(path)
