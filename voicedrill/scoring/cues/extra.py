"""Extra phrases from an instructor's scoring script (``cues.extra_phrases``).

They use the pattern syntax of the language data (``patterns.py``) and are checked
when the script loads (``phrase_problem``, called by ``scoring/script.py`` so that a
bad phrase is reported with the script's file and line before any drill starts);
``_extra_rules`` compiles them once per script and language for ``detect_cues``.
Matching cost is bounded whatever the phrase: see ``patterns._match``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping, Sequence

from ...errors import ParameterError
from ..names import AUDIO_CUES, TEXT_CUES
from .compiler import _compile_raw
from .lexicon import lexicon
from .patterns import PatternError, _Anchor, _El


def phrase_problem(code: str, phrase: str) -> str | None:
    """Why ``phrase`` cannot be an extra phrase in language ``code`` (None when it can)."""
    try:
        _compile_raw(lexicon(code), phrase)
    except PatternError as e:
        return str(e)
    return None


@lru_cache(maxsize=64)
def _extra_rules(
    code: str, items: tuple[tuple[str, tuple[str, ...]], ...]
) -> dict[str, list[list[_El]]]:
    lex = lexicon(code)
    out: dict[str, list[list[_El]]] = {}
    for name, phrases in items:
        compiled = []
        for p in phrases:
            els = lex.compile(p, f"cues.extra_phrases.{code}.{name}", source="scoring script")
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
            raise ParameterError(
                f"extra phrases for '{name}': that cue comes from the audio, not from words; remove them"
            )
        if name not in TEXT_CUES:
            raise ParameterError(
                f"extra phrases for unknown cue '{name}'; choose one of: {', '.join(TEXT_CUES)}"
            )
        if isinstance(phrases, str) or not isinstance(phrases, Sequence):
            raise ParameterError(f"extra phrases for '{name}' must be a list of phrases")
        for p in phrases:
            if not isinstance(p, str) or not p.strip():
                raise ParameterError(
                    f"extra phrases for '{name}': each phrase must be non-empty text, got {p!r}"
                )
        items.append((name, tuple(phrases)))
    return tuple(sorted(items))
