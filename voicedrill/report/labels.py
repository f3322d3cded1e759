"""Report wording in the drill's language, from ``lang/<code>/report.yaml``.

``Labels`` looks up a dotted key (``"turn.wpm"``), fills its ``{placeholders}`` and
formats numbers the language's way (a decimal comma in Russian). It does no HTML
escaping: the page builder escapes everything it inserts.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime

from ..errors import ScenarioError

KINDS = ("helpful", "neutral", "harmful")


@dataclass(frozen=True)
class Labels:
    """The report labels of one language. Build with ``labels_for(code)``."""

    language: str
    data: dict

    def text(self, key: str, **values) -> str:
        """The label at dotted ``key`` with ``values`` filled in (numbers pass through ``num``)."""
        node = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise ScenarioError(
                    f"lang/{self.language}/report.yaml: missing label '{key}'; add it (see lang/en/report.yaml)."
                )
            node = node[part]
        if not isinstance(node, str):
            raise ScenarioError(f"lang/{self.language}/report.yaml: label '{key}' must be text.")
        if not values:
            return node
        return _Formatter(self).format(node, **values)

    def num(self, value: float | None, digits: int = 0, *, signed: bool = False) -> str:
        """``value`` rounded to ``digits`` decimals with the language's decimal point ("—" for None)."""
        if value is None:
            return "—"
        text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
        if text in ("-0", "+0", "-0.0", "+0.0", "-0.00", "+0.00"):
            text = text[1:] if not signed else "±" + text[1:]
        return text.replace(".", self.data["format"]["decimal_point"])

    def date(self, when: datetime | str | None) -> str:
        """A date and time in the language's format (ISO strings are parsed; None gives "—")."""
        if when is None or when == "":
            return "—"
        if isinstance(when, str):
            try:
                stamp = datetime.fromisoformat(when)
            except ValueError:
                return when
        else:
            stamp = when
        return stamp.strftime(self.data["format"]["date"])

    def cue_name(self, name: str) -> str:
        """The trainee-facing name of a cue ("why_question" -> "“why” question")."""
        cue = self.data["cues"].get(name)
        if isinstance(cue, dict) and "name" in cue:
            return cue["name"]
        return self.data["cues"]["other"]["name"].format(name=name.replace("_", " "))

    def cue_advice(self, name: str, field: str) -> str:
        """A cue's ``why`` (helpful) or ``alternative`` (harmful) text; the generic one if missing."""
        cue = self.data["cues"].get(name)
        if isinstance(cue, dict) and cue.get(field):
            return cue[field]
        return self.data["cues"]["other"].get(field, "")

    def kind(self, kind: str) -> str:
        return self.data["turn"]["kinds"].get(kind, kind)


class _Formatter(string.Formatter):
    """``str.format`` that renders floats with the language's decimal point."""

    def __init__(self, labels: Labels):
        self.labels = labels

    def format_field(self, value, format_spec):
        if isinstance(value, float) and not format_spec:
            return self.labels.num(value, 1 if abs(value) < 10 else 0)
        return super().format_field(value, format_spec)


def labels_for(language: str) -> Labels:
    """The report labels for ``language`` ("en" or "ru"); ParameterError for others."""
    from .. import lang

    return Labels(language=language, data=lang.load(language, "report"))
