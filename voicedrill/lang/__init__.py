"""Per-language data (cue lexicons, feedback text, report labels) shipped as YAML.

Files live at ``voicedrill/lang/<code>/<name>.yaml``. This module only finds and
loads them; what a file means belongs to the module that reads it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..errors import ParameterError, ScenarioError

LANG_DIR = Path(__file__).resolve().parent
LANGUAGES = ("en", "ru")  # languages with complete data


def check_language(code: str) -> str:
    """Return ``code`` if voicedrill has data for it, else raise a ParameterError naming the choices."""
    if code not in LANGUAGES:
        raise ParameterError(
            f"language '{code}' is not supported; choose one of: {', '.join(LANGUAGES)}"
        )
    return code


@lru_cache(maxsize=None)
def load(code: str, name: str) -> dict:
    """Load ``lang/<code>/<name>.yaml`` as a dict (cached; treat the result as read-only)."""
    import yaml

    check_language(code)
    path = LANG_DIR / code / f"{name}.yaml"
    if not path.is_file():
        raise ScenarioError(f"{path}: missing language data file; reinstall voicedrill.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ScenarioError(f"{path}: broken YAML: {e}") from e
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping at the top level.")
    return data
