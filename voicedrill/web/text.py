"""The labels of the web pages in the chosen language (``lang/<code>/web.yaml``)."""

from __future__ import annotations

from html import escape

from ..errors import ScenarioError


class Text:
    """``t("course.cohort", group=...)``: the label, HTML-escaped with its values filled in;
    ``t.raw(...)`` the same unescaped (for headers and redirects)."""

    def __init__(self, language: str = "en"):
        from .. import lang

        self.language = lang.check_language(language)
        self.data = lang.load(language, "web")

    def raw(self, key: str, **values) -> str:
        node = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise ScenarioError(
                    f"lang/{self.language}/web.yaml: missing label '{key}'; add it (see lang/en/web.yaml)."
                )
            node = node[part]
        return str(node).format(**values) if values else str(node)

    def __call__(self, key: str, **values) -> str:
        return escape(self.raw(key, **values))
