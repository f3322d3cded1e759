"""The scenario library: the user's folder and the shipped scenarios, found by id or path,
loaded once per file version, listed with the problems of broken files and duplicate ids."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ScenarioError
from ..suggest import closest
from .model import SHIPPED_DIR, Scenario
from .schema import _load_path


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime_ns: int, size: int) -> Scenario:
    return _load_path(Path(path))


def scenario_dirs(data_dir: str | os.PathLike | None = None) -> tuple[tuple[str, Path], ...]:
    """Folders searched for scenarios, first wins: ("user", <data folder>/scenarios),
    then ("shipped", the package's scenarios/)."""
    from ..paths import data_dir as _data_dir

    return (("user", _data_dir(data_dir) / "scenarios"), ("shipped", SHIPPED_DIR))


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def find_scenario(
    id_or_path: str | os.PathLike, *, data_dir: str | os.PathLike | None = None
) -> Path:
    """The file for a scenario id (user folder first, then shipped) or an existing path."""
    return resolve_scenario(id_or_path, data_dir=data_dir)[0]


def resolve_scenario(
    id_or_path: str | os.PathLike, *, data_dir: str | os.PathLike | None = None
) -> tuple[Path, tuple[str, ...]]:
    """The file for a scenario id or path, and notes for the user about other files with
    that id (a broken user file skipped, a duplicate id not used).

    For an id the candidates are the files declaring it, the user folder's before the
    shipped library's and, within a folder, ``<id>.yaml`` before the others: the first
    that validates is used. A broken file never hides a valid one; when none validates,
    the first candidate is returned so that loading it reports its problems.
    """
    text = str(id_or_path)
    candidate = Path(text).expanduser()
    looks_like_path = os.sep in text or text.endswith((".yaml", ".yml"))
    if candidate.is_file():
        return candidate, ()
    if looks_like_path:
        raise ScenarioError(
            f"{text}: no such scenario file. Check the path, or give a scenario id "
            "(see: voicedrill scenarios list)."
        )
    files = [(source, f) for source, f in _library_files(data_dir) if _file_id(f) == text]
    if not files:  # a file named like the id that declares another one (or none)
        files = [(source, f) for source, f in _library_files(data_dir) if f.stem == text]
    if files:
        chosen, notes = _choose(text, files)
        return chosen[1], notes
    known = sorted({info.id for info in list_scenarios(data_dir=data_dir)})
    close = closest(text, known)
    hint = f" Did you mean '{close}'?" if close else ""
    raise ScenarioError(f"no scenario '{text}'.{hint} See: voicedrill scenarios list")


def _peek_id(path: Path) -> str | None:
    """The top-level ``id:`` of a file, read from its first 64 kB without parsing it."""
    try:
        with path.open(encoding="utf-8") as f:
            for line in f.readlines(65536):
                m = re.match(r"^id:\s*['\"]?([A-Za-z0-9_]+)", line)
                if m:
                    return m.group(1)
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _library_files(data_dir) -> list[tuple[str, Path]]:
    return [(source, f) for source, folder in scenario_dirs(data_dir) for f in _yaml_files(folder)]


def _file_id(path: Path) -> str:
    return _peek_id(path) or path.stem


def _try_load(path: Path) -> tuple[Scenario | None, tuple[str, ...]]:
    try:
        st = path.stat()
        return _load_cached(str(path.resolve()), st.st_mtime_ns, st.st_size), ()
    except ScenarioError as e:
        return None, e.problems
    except OSError as e:
        return None, (f"{path}: cannot read the file ({e.strerror}).",)
    except RecursionError:
        return None, (f"{path}:1:1: the file is nested too deeply to be a scenario",)


def _choose(sid: str, files: list[tuple[str, Path]]):
    """Of the (source, file) pairs declaring ``sid``: the one used, and notes on the others."""
    order = {"user": 0, "shipped": 1}
    files = sorted(files, key=lambda sf: (order.get(sf[0], 2), sf[1].stem != sid, sf[1].name))
    loaded = [(source, f, *_try_load(f)) for source, f in files]
    valid = [x for x in loaded if x[2] is not None]
    chosen = valid[0] if valid else loaded[0]
    notes = []
    for source, f, scenario, problems in loaded:
        if f == chosen[1]:
            continue
        if scenario is None and valid:
            notes.append(
                f"{f}: has {len(problems)} problem(s), so {chosen[0]} scenario '{sid}' from "
                f"{chosen[1]} is used (fix it, see: voicedrill scenarios validate {f})"
            )
        elif scenario is not None and source == chosen[0]:
            notes.append(
                f"{f}: declares id '{sid}' too and is not used; {chosen[1]} is "
                "(give each scenario its own id)"
            )
    return chosen[:2], tuple(notes)


def load_scenario(
    id_or_path: str | os.PathLike, *, data_dir: str | os.PathLike | None = None
) -> Scenario:
    """Find, load and validate a scenario by id or path (cached by file and mtime)."""
    path = find_scenario(id_or_path, data_dir=data_dir).resolve()
    try:
        st = path.stat()
    except OSError as e:
        raise ScenarioError(f"{path}: cannot read the file ({e.strerror}).") from e
    return _load_cached(str(path), st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class ScenarioInfo:
    """One line of ``scenarios list``."""

    id: str
    title: str
    language: str
    situation: str
    nodes: int
    outcomes: int
    source: str  # "shipped" | "user"
    path: str
    problems: tuple[str, ...] = ()  # non-empty when the file does not validate
    notes: tuple[str, ...] = ()  # other files declaring this id (broken, or a duplicate)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "language": self.language,
            "situation": self.situation,
            "nodes": self.nodes,
            "outcomes": self.outcomes,
            "source": self.source,
            "path": self.path,
            "valid": not self.problems,
            "problems": list(self.problems),
            "notes": list(self.notes),
        }


def list_scenarios(*, data_dir: str | os.PathLike | None = None) -> tuple[ScenarioInfo, ...]:
    """Every scenario in the user folder and the shipped library, sorted by id.

    Each id is listed once as the scenario ``load_scenario`` uses (a valid user file
    replaces a shipped one; see ``resolve_scenario``) with ``notes`` about other files
    declaring it. A broken file that is not used gets a line of its own with its
    problems, and so does a valid file whose id another file already takes.
    """
    by_id: dict[str, list[tuple[str, Path]]] = {}
    for source, f in _library_files(data_dir):
        by_id.setdefault(_file_id(f), []).append((source, f))
    out: list[ScenarioInfo] = []
    for sid, files in by_id.items():
        (source, path), notes = _choose(sid, files)
        for other_source, f in files:
            scenario, problems = _try_load(f)
            if f == path:
                out.append(_info(sid, scenario, other_source, f, problems, notes))
            elif scenario is None:
                out.append(_info(sid, None, other_source, f, problems))
            elif other_source == source:  # a valid duplicate in the same folder
                msg = (
                    f"{f}:1:1: id '{sid}' is taken by {path}, which is the file used "
                    "(give each scenario its own id)"
                )
                out.append(_info(sid, None, other_source, f, (msg,)))
            # a valid shipped scenario replaced by a valid user one is not listed
    return tuple(sorted(out, key=lambda i: (i.id, bool(i.problems), i.source != "user", i.path)))


def _info(sid, scenario, source, path, problems, notes=()) -> ScenarioInfo:
    if scenario is None:
        return ScenarioInfo(sid, "", "", "", 0, 0, source, str(path), tuple(problems), tuple(notes))
    return ScenarioInfo(
        scenario.id,
        scenario.title,
        scenario.language,
        scenario.situation,
        len(scenario.nodes),
        len(scenario.outcomes),
        source,
        str(path),
        (),
        tuple(notes),
    )
