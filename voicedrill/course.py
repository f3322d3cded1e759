"""A course: its roster (trainees in groups), the scenarios assigned to each group, the
course's scoring script, and the class views built from the session index: the cohort
table (one row per trainee) and the group critique (every trainee's reply to one node).

The roster is ``<data folder>/course.json`` (the instructor's own data, written
atomically; a trainee's group there is the profile-side group, a drill's ``meta.group``
records the group it ran in). The views read the SQLite index, never every folder:
``cohort_naive``/``critique_naive`` build the same from the folders, for the benchmark.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from .errors import ParameterError, StoreError

COURSE_FILE = "course.json"
_NAME = re.compile(r"^[\w .'-]{1,64}$")
SORT_KEYS = ("trainee", "group", "drills", "score", "helpful", "harmful", "wpm", "calm", "trend")


@dataclass(frozen=True)
class Roster:
    """Who is in which group, what each group drills, and the course's scoring script."""

    name: str = "Course"
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # group -> trainees
    scenarios: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # group -> scenario ids
    script: str = ""  # path of the course's scoring script ("" = the default script)

    def group_of(self, trainee: str) -> str:
        for g, names in self.groups.items():
            if trainee in names:
                return g
        return ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "groups": {k: list(v) for k, v in self.groups.items()},
            "scenarios": {k: list(v) for k, v in self.scenarios.items()},
            "script": self.script,
        }


def check_name(value: str, what: str) -> str:
    value = str(value or "").strip()
    if not _NAME.match(value):
        raise ParameterError(
            f"{what} {value!r}: use 1-64 letters, digits, spaces, dots, dashes or apostrophes."
        )
    return value


def load_roster(data_dir: str | Path) -> Roster:
    path = Path(data_dir) / COURSE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Roster()
    except (OSError, ValueError) as e:
        raise StoreError(
            f"{path}: the course roster cannot be read ({e}). Restore it or delete it to start anew."
        ) from e
    return Roster(
        name=str(data.get("name") or "Course"),
        groups={str(k): tuple(map(str, v)) for k, v in (data.get("groups") or {}).items()},
        scenarios={str(k): tuple(map(str, v)) for k, v in (data.get("scenarios") or {}).items()},
        script=str(data.get("script") or ""),
    )


def save_roster(data_dir: str | Path, roster: Roster) -> Roster:
    from .store import _write_json_atomic

    path = Path(data_dir) / COURSE_FILE
    try:
        _write_json_atomic(path, roster.to_dict(), True)
    except OSError as e:
        raise StoreError(
            f"{path}: cannot save the course roster ({e}). Check that the data folder is writable."
        ) from e
    return roster


def assign_trainee(data_dir, trainee: str, group: str) -> Roster:
    """Put ``trainee`` in ``group`` ("" removes them from every group)."""
    trainee = check_name(trainee, "trainee")
    group = check_name(group, "group") if group else ""
    r = load_roster(data_dir)
    groups = {g: tuple(n for n in names if n != trainee) for g, names in r.groups.items()}
    if group:
        groups[group] = tuple(sorted({*groups.get(group, ()), trainee}))
    return save_roster(
        data_dir, replace(r, groups={g: n for g, n in groups.items() if n or g in r.scenarios})
    )


def assign_scenario(data_dir, group: str, scenario_id: str, *, remove: bool = False) -> Roster:
    group = check_name(group, "group")
    scenario_id = check_name(scenario_id, "scenario id")
    r = load_roster(data_dir)
    current = set(r.scenarios.get(group, ()))
    current = current - {scenario_id} if remove else current | {scenario_id}
    scenarios = {**r.scenarios, group: tuple(sorted(current))}
    groups = dict(r.groups)
    groups.setdefault(group, ())
    return save_roster(data_dir, replace(r, scenarios=scenarios, groups=groups))


def adopt_groups(data_dir, store, session_ids) -> Roster:
    """Put the trainees of imported drills into the group their drills name (``meta.group``,
    set on the trainee's machine), unless the roster already places them."""
    r = load_roster(data_dir)
    for sid in session_ids:
        meta = store.load_session(sid).meta
        if meta.group and not r.group_of(meta.trainee):
            try:
                r = assign_trainee(data_dir, meta.trainee, meta.group)
            except (
                ParameterError
            ):  # a name the roster cannot hold: the drill still shows, ungrouped
                continue
    return r


def set_script(data_dir, script_path: str) -> Roster:
    return save_roster(data_dir, replace(load_roster(data_dir), script=str(script_path)))


def course_script(data_dir, trainee: str | None = None, *, group: str = "") -> Path | None:
    """The course's chosen scoring script (Scoring scripts page) for a drill of ``trainee``:
    None when the course has none, or when ``trainee`` is not of the course (not in the
    roster and no ``group`` given). ``trainee=None``: the course's script for any drill."""
    r = load_roster(data_dir)
    if not r.script or (trainee is not None and not (group or r.group_of(trainee))):
        return None
    path = Path(r.script)
    path = path if path.is_absolute() else Path(data_dir) / path
    if not path.is_file():
        raise StoreError(
            f"{Path(data_dir) / COURSE_FILE}: the course's scoring script {path} is missing. "
            "Choose another on the Scoring scripts page of `voicedrill serve`, or pass --script."
        )
    return path


def is_course_drill(roster: Roster, meta) -> bool:
    """Was this drill (a SessionMeta) run for the course: its trainee is in the roster, or it
    names a course or group."""
    return bool(meta.course or meta.group or roster.group_of(meta.trainee))


def drill_group(data_dir, trainee: str, group: str | None = None) -> str:
    """The group a new drill of ``trainee`` runs in: ``group`` when given (--group), else the
    default saved in the trainee's calibration profile, else the roster's group ("" = none)."""
    if group:
        return check_name(group, "group")
    from .calibrate import load_profile, profile_path

    try:
        saved = (
            load_profile(trainee, data_dir).group
            if profile_path(trainee, data_dir).is_file()
            else ""
        )
    except (ParameterError, StoreError):  # a name no profile can have, or a damaged profile
        saved = ""
    if saved:
        return saved
    return load_roster(data_dir).group_of(trainee)


# --------------------------------------------------------------------------- cohort


@dataclass(frozen=True)
class CohortRow:
    """One trainee's drills at a glance. Per-turn rates and means over all their turns."""

    trainee: str
    group: str
    drills: int
    score: float | None  # mean drill score 0..100
    helpful: float  # helpful cues per turn
    harmful: float  # harmful cues per turn
    wpm: float | None
    calm: float | None  # 0..1
    trend: float | None  # mean of the later half of the last 10 drill scores minus the earlier half
    last: str  # ISO time of the last drill
    scores: tuple[float, ...] = ()  # the last 20 drill scores, oldest first (for a sparkline)


def _mean(values) -> float | None:
    return sum(values) / len(values) if values else None  # (statistics.mean is exact, and slow)


def _trend(scores: list[float]) -> float | None:
    scores = scores[-10:]
    if len(scores) < 2:
        return None
    half = len(scores) // 2
    late, early = scores[half:], scores[:half]  # both non-empty
    return sum(late) / len(late) - sum(early) / len(early)


def _kind_sets():
    from .scoring.names import HARMFUL, HELPFUL

    return set(HELPFUL), set(HARMFUL)


def cohort(
    store, roster: Roster | None = None, *, group: str | None = None, sync: bool = True
) -> list[CohortRow]:
    """Every trainee's row from the index (``group`` narrows it to one group; ``sync=False``
    when the caller brought the index up to date already)."""
    if sync:
        store.sync()
    roster = roster or Roster()
    helpful, harmful = _kind_sets()
    base = {
        r[0]: r
        for r in store.query(
            "SELECT s.trainee, COUNT(DISTINCT s.id), MAX(s.started), AVG(t.wpm), AVG(t.calm), COUNT(t.idx) "
            "FROM sessions s LEFT JOIN turns t ON t.session_id = s.id GROUP BY s.trainee"
        )
    }
    cues: dict[str, list[int]] = {}
    for trainee, cue, n in store.query(
        "SELECT s.trainee, c.cue, COUNT(*) FROM turn_cues c JOIN sessions s ON s.id = c.session_id GROUP BY s.trainee, c.cue"
    ):
        row = cues.setdefault(trainee, [0, 0])
        row[0] += n if cue in helpful else 0
        row[1] += n if cue in harmful else 0
    scores: dict[str, list[float]] = {}
    for trainee, score in store.query(
        "SELECT trainee, drill_score FROM sessions WHERE drill_score IS NOT NULL ORDER BY started_ts, id"
    ):
        scores.setdefault(trainee, []).append(score)
    return _rows(base, cues, scores, roster, group)


def _rows(base, cues, scores, roster, group) -> list[CohortRow]:
    out = []
    for trainee, (_, drills, last, wpm, calm, turns) in sorted(base.items()):
        g = roster.group_of(trainee)
        if group is not None and g != group:
            continue
        h, bad = cues.get(trainee, (0, 0))
        s = scores.get(trainee, [])
        out.append(
            CohortRow(
                trainee,
                g,
                drills,
                _mean(s),
                h / turns if turns else 0.0,
                bad / turns if turns else 0.0,
                wpm,
                calm,
                _trend(s),
                last or "",
                tuple(s[-20:]),
            )
        )
    return out


def cohort_naive(
    store, roster: Roster | None = None, *, group: str | None = None, sync: bool = True
) -> list[CohortRow]:
    """The same rows read from every session folder (no index; ``sync`` is ignored): the
    benchmark's baseline."""
    from .store import _read_session, _valid_id

    roster = roster or Roster()
    helpful, harmful = _kind_sets()
    sessions = [
        _read_session(store.sessions_dir / n) for n in _listdir(store.sessions_dir) if _valid_id(n)
    ]
    sessions.sort(key=lambda s: (s.meta.started_ts, s.id))
    base: dict[str, tuple] = {}
    cues: dict[str, list[int]] = {}
    scores: dict[str, list[float]] = {}
    acc: dict[str, dict[str, Any]] = {}
    for s in sessions:
        t = s.meta.trainee
        a = acc.setdefault(t, {"drills": 0, "last": "", "wpm": [], "calm": [], "turns": 0})
        a["drills"] += 1
        a["last"] = max(a["last"], s.meta.started)
        c = cues.setdefault(t, [0, 0])
        for turn in s.turns:
            a["turns"] += 1
            if turn.score.pacing.words_per_minute is not None:
                a["wpm"].append(turn.score.pacing.words_per_minute)
            if turn.score.calm is not None:
                a["calm"].append(turn.score.calm.score)
            names = turn.score.cue_names()
            c[0] += sum(n in helpful for n in names)
            c[1] += sum(n in harmful for n in names)
        if s.drill_score is not None:
            scores.setdefault(t, []).append(s.drill_score)
    for t, a in acc.items():
        base[t] = (t, a["drills"], a["last"], _mean(a["wpm"]), _mean(a["calm"]), a["turns"])
    return _rows(base, cues, scores, roster, group)


def sort_rows(rows: list[CohortRow], key: str, descending: bool = False) -> list[CohortRow]:
    if key not in SORT_KEYS:
        raise ParameterError(f"cannot sort by '{key}'; choose one of: {', '.join(SORT_KEYS)}")
    attr = "score" if key == "score" else key
    present = [r for r in rows if getattr(r, attr) is not None]
    missing = [r for r in rows if getattr(r, attr) is None]  # always last
    present.sort(key=lambda r: (getattr(r, attr), r.trainee), reverse=descending)
    return present + missing


# --------------------------------------------------------------------------- group critique


@dataclass(frozen=True)
class CritiqueReply:
    """One trainee's reply at the chosen node (their latest drill that reached it)."""

    trainee: str
    session_id: str
    turn_index: int
    score: float | None
    cues: tuple[str, ...]
    agitation_before: float | None
    agitation_after: float | None


def scenarios_and_nodes(store, *, counts: bool = False, sync: bool = True) -> dict[str, list]:
    """Scenario id -> the node ids replies were stored for, in the order drills reach them
    (from the index); with ``counts`` (node id, number of trainees who replied there)."""
    if sync:
        store.sync()
    out: dict[str, list] = {}
    for scenario, node, _, trainees in store.query(
        "SELECT s.scenario_id, t.node_id, MIN(t.idx), COUNT(DISTINCT s.trainee) FROM turns t "
        "JOIN sessions s ON s.id = t.session_id GROUP BY 1, 2 ORDER BY 1, 3, 2"
    ):
        out.setdefault(scenario, []).append((node, trainees) if counts else node)
    return out


def critique(
    store, scenario: str, node: str, *, trainees: set[str] | None = None, sync: bool = True
) -> list[CritiqueReply]:
    """Every trainee's latest reply at ``node`` of ``scenario``, best score first (index)."""
    if sync:
        store.sync()
    rows = store.query(
        "SELECT s.trainee, s.id, t.idx, t.score, t.cues, t.agitation_before, t.agitation_after "
        "FROM turns t JOIN sessions s ON s.id = t.session_id WHERE s.scenario_id = ? AND t.node_id = ? "
        "ORDER BY s.started_ts, s.id, t.idx",
        (scenario, node),
    )
    latest: dict[str, tuple] = {}
    for r in rows:  # later drills replace earlier ones; the first visit of the node within a drill
        if latest.get(r[0], (None, None))[1] != r[1]:
            latest[r[0]] = r
    out = [
        CritiqueReply(
            r[0], r[1], r[2], r[3], tuple(c for c in (r[4] or "").split(",") if c), r[5], r[6]
        )
        for r in latest.values()
        if trainees is None or r[0] in trainees
    ]
    return _best_first(out)


def critique_naive(store, scenario: str, node: str) -> list[CritiqueReply]:
    """The same from every session folder (no index): the benchmark's baseline."""
    from .store import _read_session, _valid_id

    latest = {}
    sessions = [
        _read_session(store.sessions_dir / n) for n in _listdir(store.sessions_dir) if _valid_id(n)
    ]
    for s in sorted(sessions, key=lambda s: (s.meta.started_ts, s.id)):
        if s.meta.scenario_id != scenario:
            continue
        turn = next((t for t in s.turns if t.node_id == node), None)
        if turn is not None:
            latest[s.meta.trainee] = CritiqueReply(
                s.meta.trainee,
                s.id,
                turn.index,
                turn.score.score,
                turn.score.cue_names(),
                turn.agitation_before,
                turn.agitation_after,
            )
    return _best_first(list(latest.values()))


def _best_first(rows: list[CritiqueReply]) -> list[CritiqueReply]:
    return sorted(rows, key=lambda r: (r.score is None, -(r.score or 0.0), r.trainee))


def model_answer(scenario_text: str, node: str) -> str | None:
    """The scenario's model answer at ``node``: its scripted "good" reply, from a drill's
    stored scenario copy (None when the scenario has none)."""
    from .scenario import parse_scenario

    if not scenario_text:
        return None
    try:
        scenario = parse_scenario(scenario_text, "scenario.yaml")
        if "good" not in scenario.trainee_paths:
            return None
        return scenario.trainee_reply("good", node)
    except Exception:  # an old or foreign copy: the critique works without a model answer
        return None


def _listdir(path: Path) -> list[str]:
    import os

    try:
        return os.listdir(path)
    except OSError:
        return []


# --------------------------------------------------------------------------- scoring-script preview


@dataclass(frozen=True)
class RescorePreview:
    """One stored drill scored with a candidate script; nothing is written."""

    session_id: str
    trainee: str
    scenario: str
    drill_score_before: float | None
    drill_score_after: float | None
    turns: tuple  # rescore.TurnChange, in turn order

    @property
    def changed_turns(self) -> tuple:
        return tuple(t for t in self.turns if t.changed)


def preview_rescore(store, session_ids, script, *, progress=None) -> list[RescorePreview]:
    """Score the given stored drills with ``script`` (a loaded ScoringScript) and return
    what would change, drill by drill (the rescore library; the store is not touched).
    ``progress(done, total)`` is called after each drill."""
    from .rescore import TurnChange, rescore_turns
    from .scoring import drill_score

    ids = [store.resolve(s) for s in session_ids]
    out = []
    for k, sid in enumerate(ids):
        s = store.load_session(sid)
        new = rescore_turns(s, script)
        after = drill_score(list(new), script) if new else None
        turns = tuple(
            TurnChange(
                t.index,
                t.node_id,
                float(t.score.score),
                float(n.score),
                t.score.cue_names(),
                n.cue_names(),
            )
            for t, n in zip(s.turns, new, strict=False)
        )
        out.append(
            RescorePreview(s.id, s.meta.trainee, s.meta.scenario_id, s.drill_score, after, turns)
        )
        if progress:
            progress(k + 1, len(ids))
    return out


SCRIPTS_DIR = "scripts"


def course_scripts(data_dir) -> list[Path]:
    """The scoring scripts saved in ``<data folder>/scripts/``, by name."""
    folder = Path(data_dir) / SCRIPTS_DIR
    return sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []


def save_script(data_dir, name: str, text: str) -> Path:
    """Validate ``text`` as a scoring script and save it as ``<data>/scripts/<name>.yaml``."""
    from .scoring import load_script
    from .store import _write_text_atomic

    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name or ""):
        raise ParameterError(
            f"script name {name!r}: use 1-64 letters, digits, dashes or underscores."
        )
    load_script(f"{name}.yaml", text=text)  # ScenarioError names every problem
    folder = Path(data_dir) / SCRIPTS_DIR
    path = folder / f"{name}.yaml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_text_atomic(path, text, True)
    except OSError as e:
        raise StoreError(f"{path}: cannot save the scoring script ({e}).") from e
    return path
