"""Parsing and validating a whole scenario: the top-level sections (perpetrator, voice,
agitation dynamics, limits, outcomes) on top of the node graph, and loading a file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from ..errors import ScenarioError
from ..tts import Delivery
from .fields import (
    _AGITATION_KEYS,
    _OUTCOME_KEYS,
    _PERP_KEYS,
    _REACTION_KEYS,
    _TOP_KEYS,
    _VOICE_KEYS,
    _dotted,
)
from .graph import _Graph
from .model import (
    FORMAT_VERSION,
    GENDERS,
    MAX_FILE_BYTES,
    RESULTS,
    Dynamics,
    Limits,
    Outcome,
    Perpetrator,
    Scenario,
    WordReaction,
    _languages,
)


class _Parser(_Graph):
    """Walks the loaded data once, building the Scenario and collecting every problem."""

    def parse(self) -> Scenario | None:
        data = self.doc.data
        if data is None:
            self.p.add(
                (), "the file is empty", "start from voicedrill/scenarios/barricaded_subject.yaml"
            )
            return None
        top = self.mapping(data, (), _TOP_KEYS, [k for k, req in _TOP_KEYS.items() if req])
        if top is None:
            return None
        g = top.get
        if "format" in top:
            fmt = top["format"]
            if fmt != FORMAT_VERSION or isinstance(fmt, bool):
                self.p.add(
                    ("format",),
                    f"format {fmt!r} is not supported",
                    f"this voicedrill reads format {FORMAT_VERSION}",
                )
        sid = self.ident(g("id"), ("id",), "scenario id") if "id" in top else None
        title = self.text(g("title"), ("title",), max_chars=200) if "title" in top else None
        language = None
        if "language" in top:
            lang = g("language")
            if not isinstance(lang, str) or lang not in _languages():
                self.p.add(
                    ("language",),
                    f"language {lang!r} is not supported",
                    f"use one of: {', '.join(_languages())}",
                )
            else:
                language = lang
        self.language = language
        situation = (
            self.text(g("situation"), ("situation",), max_chars=100) if "situation" in top else None
        )
        briefing = (
            self.text(g("briefing"), ("briefing",), max_chars=4000) if "briefing" in top else None
        )
        goals: tuple[str, ...] = ()
        if "learning_goals" in top:
            goals = tuple(
                t
                for t in (
                    self.text(v, p)
                    for v, p in self.listing(g("learning_goals"), ("learning_goals",), "goal")
                )
                if t
            )
        voice, delivery = (
            self.parse_voice(g("voice"), ("voice",)) if "voice" in top else ("", Delivery())
        )
        perp = self.parse_perpetrator(g("perpetrator")) if "perpetrator" in top else None
        dyn = self.parse_agitation(g("agitation")) if "agitation" in top else Dynamics()
        limits = self.parse_limits(g("limits")) if "limits" in top else None
        outcomes = self.parse_outcomes(g("outcomes")) if "outcomes" in top else ()
        nodes = self.parse_nodes(g("nodes")) if "nodes" in top else ()
        start = None
        if "start" in top:
            start = self.ident(g("start"), ("start",), "node id")
            if start is not None:
                self.node_refs.append((("start",), start))
        elif nodes:
            start = nodes[0][0].id
        self.check_references(nodes, outcomes, perp)
        if start is not None and start in {nid for nid, *_ in self.graph}:
            self.check_graph(start)
            for nid, npath, _, ends in self.graph:
                if nid == start and ends and any(n.id == nid and n.terminal for n, _ in nodes):
                    self.p.add(
                        npath + ("id",),
                        f"the start node '{nid}' ends the drill before the trainee speaks",
                        "start with a node that has transitions",
                    )
        if self.p:
            return None
        # every value missing or wrong above added a problem, so none is None here
        assert sid is not None and title is not None and language is not None
        assert situation is not None and briefing is not None and start is not None
        assert perp is not None and limits is not None
        return Scenario(
            id=sid,
            title=title,
            language=language,
            situation=situation,
            briefing=briefing,
            learning_goals=goals,
            voice=voice,
            delivery=delivery,
            perpetrator=perp,
            dynamics=dyn,
            limits=limits,
            start_node=start,
            nodes=tuple(n for n, _ in nodes),
            outcomes=tuple(outcomes),
            path=None,
        )

    def parse_voice(self, value, path):
        m = self.mapping(value, path, _VOICE_KEYS)
        if m is None:
            return "", Delivery()
        name = ""
        if "name" in m and m["name"] not in (None, ""):
            name = self.p.expect(m["name"], path + ("name",), str, "a TTS voice id (text)") or ""
            if name.startswith("piper:"):  # a neural voice: one voicedrill knows, for this language
                from ..neural import CATALOG

                entry = CATALOG.get(name[len("piper:") :])
                if entry is None or (self.language and entry.language != self.language):
                    self.p.add(
                        path + ("name",),
                        f"no neural voice {name!r} for language {self.language!r}",
                        "use "
                        + ", ".join(f"piper:{n} ({e.language})" for n, e in CATALOG.items())
                        + ', an espeak-ng id such as gmw/en-us+f3, or "" for the default',
                    )
        d = Delivery()
        rate = (
            self.number(m["rate_wpm"], path + ("rate_wpm",), 80, 450, "words per minute")
            if "rate_wpm" in m
            else None
        )
        vol = self.number(m["volume"], path + ("volume",), 0.05, 1.0) if "volume" in m else None
        pitch = self.number(m["pitch"], path + ("pitch",), 0, 100) if "pitch" in m else None
        return name, Delivery(
            rate_wpm=d.rate_wpm if rate is None else int(round(rate)),
            volume=d.volume if vol is None else vol,
            pitch=d.pitch if pitch is None else int(round(pitch)),
        )

    def parse_perpetrator(self, value):
        path = ("perpetrator",)
        m = self.mapping(value, path, _PERP_KEYS, ("name", "start_agitation"))
        if m is None:
            return None
        name = self.text(m.get("name"), path + ("name",), max_chars=80) if "name" in m else None
        start = (
            self.number(m["start_agitation"], path + ("start_agitation",), 0, 1)
            if "start_agitation" in m
            else None
        )
        rise = self.number(m["rise"], path + ("rise",), 0, 5) if "rise" in m else 1.0
        fall = self.number(m["fall"], path + ("fall",), 0, 5) if "fall" in m else 1.0
        triggers = (
            self.parse_reactions(m["triggers"], path + ("triggers",), "raise")
            if "triggers" in m
            else ()
        )
        hooks = self.parse_reactions(m["hooks"], path + ("hooks",), "lower") if "hooks" in m else ()
        self.triggers = {t.name for t in triggers}
        self.hooks = {h.name for h in hooks}
        gender = ""
        if "gender" in m and m["gender"] not in GENDERS:
            self.p.add(
                path + ("gender",),
                f"gender {m['gender']!r} is not one of {', '.join(GENDERS)}",
                "write gender: male or gender: female (or leave it out)",
            )
        elif "gender" in m:
            gender = m["gender"]
        return Perpetrator(
            name=name or "",
            start_agitation=start if start is not None else 0.5,
            rise=rise if rise is not None else 1.0,
            fall=fall if fall is not None else 1.0,
            triggers=triggers,
            hooks=hooks,
            gender=gender,
        )

    def parse_reactions(self, value, path, direction):
        other = "lower" if direction == "raise" else "raise"
        out, seen = [], set()
        for item, ipath in self.listing(value, path, "mapping with name, words and " + direction):
            m = self.mapping(item, ipath, _REACTION_KEYS - {other}, ("name", "words"))
            if m is None:
                continue
            name = self.ident(m.get("name"), ipath + ("name",), "name") if "name" in m else None
            if name is not None:
                if name in seen:
                    self.p.add(
                        ipath + ("name",),
                        f"duplicate name '{name}' in {_dotted(path)}",
                        "give each a different name",
                    )
                seen.add(name)
            words = []
            if "words" in m:
                for w, wpath in self.listing(m["words"], ipath + ("words",), "word or phrase"):
                    t = self.text(w, wpath, max_chars=60, what="a word or phrase")
                    if t:
                        words.append(t)
            size = self.number(m[direction], ipath + (direction,), 0, 1) if direction in m else 0.1
            if name and words and size is not None:
                effect = size if direction == "raise" else -size
                out.append(WordReaction(name=name, words=tuple(words), effect=effect))
        return tuple(out)

    def parse_agitation(self, value):
        path = ("agitation",)
        m = self.mapping(value, path, _AGITATION_KEYS)
        if m is None:
            return Dynamics()
        d = Dynamics()
        kw = {}
        ranges = {
            "resting": (0, 1),
            "decay": (0, 1),
            "silence": (-1, 1),
            "interruption": (-1, 1),
            "score_pull": (0, 1),
            "max_change": (0.01, 1),
        }
        for key, (lo, hi) in ranges.items():
            if key in m:
                v = self.number(m[key], path + (key,), lo, hi)
                if v is not None:
                    kw[key] = v
        if "bands" in m:
            b = self.mapping(m["bands"], path + ("bands",), {"tense", "explosive"})
            if b is not None:
                tense = (
                    self.number(b["tense"], path + ("bands", "tense"), 0.01, 0.99)
                    if "tense" in b
                    else d.tense_at
                )
                expl = (
                    self.number(b["explosive"], path + ("bands", "explosive"), 0.01, 1)
                    if "explosive" in b
                    else d.explosive_at
                )
                if tense is not None and expl is not None:
                    if tense >= expl:
                        self.p.add(
                            path + ("bands",),
                            f"band tense ({tense:g}) must start below explosive ({expl:g})",
                            "for example tense: 0.4, explosive: 0.75",
                        )
                    else:
                        kw["tense_at"], kw["explosive_at"] = tense, expl
        if "cues" in m:
            effects = []
            cm = self.mapping(m["cues"], path + ("cues",), self.cues)
            if cm is not None:
                for cue, eff in cm.items():
                    if cue not in self.cues:
                        continue  # reported as an unknown key
                    v = self.number(eff, path + ("cues", cue), -1, 1)
                    if v is not None:
                        effects.append((cue, v))
            kw["cue_effects"] = tuple(effects)
        return Dynamics(**kw)

    def parse_limits(self, value):
        path = ("limits",)
        m = self.mapping(value, path, {"max_turns", "outcome"}, ("max_turns", "outcome"))
        if m is None:
            return None
        turns = (
            self.integer(m["max_turns"], path + ("max_turns",), 1, 200)
            if "max_turns" in m
            else None
        )
        outcome = (
            self.ident(m["outcome"], path + ("outcome",), "outcome id") if "outcome" in m else None
        )
        if outcome is not None:
            self.outcome_refs.append((path + ("outcome",), outcome))
        if turns is None or outcome is None:
            return None
        return Limits(max_turns=turns, outcome=outcome)

    def parse_outcomes(self, value):
        path = ("outcomes",)
        if not isinstance(value, Mapping):
            self.p.wrong_type(path, value, "a mapping of outcome id: {result, title, debrief}")
            return ()
        if not value:
            self.p.add(path, "outcomes is empty", "name at least one way the drill ends")
        out = []
        for oid, body in value.items():
            opath = path + (oid,)
            oid_ok = self.ident(oid, opath, "outcome id")
            m = self.mapping(body, opath, _OUTCOME_KEYS, ("result", "title", "debrief"))
            if m is None or oid_ok is None:
                continue
            result = m.get("result")
            if "result" in m and result not in RESULTS:
                self.p.add(
                    opath + ("result",),
                    f"result {result!r} is not one of {', '.join(RESULTS)}",
                    "good: the trainee succeeded; bad: someone was hurt or talks failed; neutral: neither",
                )
                result = None
            title = (
                self.text(m["title"], opath + ("title",), max_chars=200) if "title" in m else None
            )
            debrief = (
                self.text(m["debrief"], opath + ("debrief",), max_chars=4000, spoken=True)
                if "debrief" in m
                else None
            )
            if result and title and debrief:
                out.append(Outcome(id=oid_ok, title=title, result=result, debrief=debrief))
        return tuple(out)


def parse_scenario(text: str, name: str = "<text>") -> Scenario:
    """Parse and validate scenario YAML ``text``; ``name`` is used in messages.
    Raises ``ScenarioError`` whose ``problems`` lists every problem found."""
    return _build(_load_doc(name, text=text))


def _load_doc(name, *, text: str | None = None):
    from ..yamlsafe import load_yaml

    return load_yaml(name, text=text)


def _build(doc) -> Scenario:
    parser = _Parser(doc)
    try:
        scenario = parser.parse()
    except RecursionError as e:  # absurdly nested YAML
        raise ScenarioError(
            f"{doc.name}:1:1: the file is nested too deeply to be a scenario"
        ) from e
    parser.p.raise_if_any("scenario")
    if scenario is None:  # no problem recorded, yet no scenario: say so rather than return None
        raise ScenarioError(f"{doc.name}:1:1: not a valid scenario")
    return scenario


def check_file(path: str | os.PathLike) -> tuple[str, ...]:
    """Every problem in the scenario file at ``path`` as ``file:line:column: message (hint)``;
    empty when it is valid."""
    try:
        _load_path(Path(path))
    except ScenarioError as e:
        return e.problems
    return ()


def _load_path(path: Path) -> Scenario:
    from ..yamlsafe import load_yaml

    if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(
            f"{path}:1:1: the file is over {MAX_FILE_BYTES // 1000} kB; a scenario is much smaller"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None  # load_yaml reports it
    doc = _load_doc(path, text=text) if text is not None else load_yaml(path)
    scenario = _build(doc)
    object.__setattr__(scenario, "path", path)
    return scenario
