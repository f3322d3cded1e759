"""The scenario's graph: nodes, their line variants and scripted trainee replies, transitions and
their conditions, then the checks over the whole graph (every reference known, every node
reachable, every node able to reach an outcome)."""

from __future__ import annotations

from typing import Any, Mapping

from ..suggest import did_you_mean
from .fields import (
    _CONDITION_KEYS,
    _MAX_CONDITION_DEPTH,
    _NODE_KEYS,
    _TRANSITION_KEYS,
    _Fields,
)
from .model import BANDS, MAX_LINE_CHARS, MOMENTS, Condition, Lines, Node, Transition


class _Graph(_Fields):
    """Parses the nodes and checks the graph (the readers come from ``_Fields``)."""

    def parse_nodes(self, value):
        path = ("nodes",)
        if not isinstance(value, list):
            self.p.wrong_type(path, value, "a list of nodes (each starting with '- id:')")
            return []
        if not value:
            self.p.add(path, "nodes is empty", "add at least one node")
        out, seen = [], {}
        for i, item in enumerate(value):
            npath = path + (i,)
            m = self.mapping(item, npath, _NODE_KEYS, ("id", "lines"))
            if m is None:
                continue
            nid = self.ident(m["id"], npath + ("id",), "node id") if "id" in m else None
            if nid is not None:
                if nid in seen:
                    self.p.add(
                        npath + ("id",),
                        f"duplicate node id '{nid}' (first used at line {self.doc.where(seen[nid]).line})",
                        "give every node its own id",
                    )
                    nid = None
                else:
                    seen[nid] = npath + ("id",)
            lines = self.parse_lines(m["lines"], npath + ("lines",)) if "lines" in m else None
            trainee = (
                self.parse_trainee(m["trainee"], npath + ("trainee",)) if "trainee" in m else ()
            )
            note = ""
            if "note" in m:
                note = self.p.expect(m["note"], npath + ("note",), str, "text") or ""
            moments = []
            if "moment" in m:
                for v, vpath in self.listing(m["moment"], npath + ("moment",), "moment"):
                    if v not in MOMENTS:
                        self.p.add(
                            vpath, f"unknown moment {v!r}", f"use one of: {', '.join(MOMENTS)}"
                        )
                    elif v not in moments:
                        moments.append(v)
            outcome = None
            transitions = ()
            if "outcome" in m:
                outcome = self.ident(m["outcome"], npath + ("outcome",), "outcome id")
                if outcome is not None:
                    self.outcome_refs.append((npath + ("outcome",), outcome))
                if "transitions" in m:
                    self.p.add(
                        npath + ("transitions",),
                        "a node with an outcome ends the drill and cannot have transitions",
                        "remove 'outcome:' or 'transitions:'",
                        at_key=True,
                    )
                if trainee:
                    self.p.add(
                        npath + ("trainee",),
                        "the drill ends at this node, so no trainee reply is heard here",
                        "remove 'trainee:'",
                        at_key=True,
                    )
            elif "transitions" in m:
                transitions = self.parse_transitions(m["transitions"], npath + ("transitions",))
            else:
                self.p.add(
                    npath,
                    f"node '{nid or i}' has neither transitions nor an outcome",
                    "add 'transitions:' (ending with a default '- to: ...') or 'outcome: <id>'",
                )
            if nid is not None:  # for the graph checks, even when other parts had problems
                ends = outcome is not None or "outcome" in m or any(t.end for t in transitions)
                self.graph.append((nid, npath, tuple(t.to for t in transitions if t.to), ends))
            if nid is not None and lines is not None:
                node = Node(
                    id=nid,
                    lines=lines,
                    transitions=transitions,
                    outcome=outcome,
                    trainee=trainee,
                    note=note.strip(),
                    moments=tuple(moments),
                )
                out.append((node, npath))
        return out

    def parse_lines(self, value, path):
        if isinstance(value, Mapping):
            m = self.mapping(value, path, BANDS)
            if m is None:
                return None
            if not m:
                self.p.add(path, "lines is empty", "give at least one of calm:, tense:, explosive:")
                return None
            bands = {}
            for band in BANDS:
                if band in m:
                    bands[band] = self.line_variants(m[band], path + (band,))
            if not any(bands.values()):
                return None
            return Lines(**bands)
        variants = self.line_variants(value, path)
        if not variants:
            return None
        return Lines(calm=variants)

    def line_variants(self, value, path) -> tuple[str, ...]:
        if isinstance(value, (dict,)) or value is None or isinstance(value, bool):
            self.p.wrong_type(path, value, "a line (text) or a list of line variants")
            return ()
        out = []
        for v, vpath in self.listing(value, path, "line"):
            t = self.text(v, vpath, max_chars=MAX_LINE_CHARS, what="a line (text)", spoken=True)
            if t:
                out.append(t)
        return tuple(out)

    def parse_trainee(self, value, path):
        if not isinstance(value, Mapping):
            self.p.wrong_type(
                path, value, 'a mapping of path name: reply (e.g. good: "...", poor: "...")'
            )
            return ()
        out = []
        for name, reply in value.items():
            rpath = path + (name,)
            pname = self.ident(name, rpath, "trainee path name")
            if reply is None:
                text = None  # explicitly silent
            else:
                text = self.text(
                    reply,
                    rpath,
                    max_chars=MAX_LINE_CHARS,
                    what="a reply (text), or ~ for silence",
                    spoken=True,
                )
                if text is None:
                    continue
            if pname is not None:
                out.append((pname, text))
        return tuple(out)

    def parse_transitions(self, value, path):
        if not isinstance(value, list):
            self.p.wrong_type(path, value, "a list of transitions ('- when: ...' / '- to: ...')")
            return ()
        out = []
        default_at = None
        for i, item in enumerate(value):
            tpath = path + (i,)
            m = self.mapping(item, tpath, _TRANSITION_KEYS)
            if m is None:
                continue
            if ("to" in m) == ("end" in m):
                self.p.add(
                    tpath,
                    "a transition needs exactly one of 'to: <node id>' or 'end: <outcome id>'",
                    "'to' goes to another node, 'end' finishes the drill with an outcome",
                )
                continue
            to = end = None
            if "to" in m:
                to = self.ident(m["to"], tpath + ("to",), "node id")
                if to is not None:
                    self.node_refs.append((tpath + ("to",), to))
            else:
                end = self.ident(m["end"], tpath + ("end",), "outcome id")
                if end is not None:
                    self.outcome_refs.append((tpath + ("end",), end))
            when = None
            if "when" in m:
                when = self.parse_condition(m["when"], tpath + ("when",), 0)
            elif default_at is None:
                default_at = i
            if default_at is not None and i > default_at:
                self.p.add(
                    tpath,
                    "this transition comes after the default one, so it is never taken",
                    "move the default (the transition without 'when') to the end",
                )
            if to is not None or end is not None:
                out.append(Transition(when=when, to=to, end=end))
        if default_at is None:
            self.p.add(
                path,
                "no default transition: when no condition holds the drill has nowhere to go",
                "end the list with a transition without 'when', e.g. '- to: <node id>'",
                at_key=True,
            )
        return tuple(out)

    def parse_condition(self, value, path, depth) -> Condition:
        m = self.mapping(value, path, _CONDITION_KEYS)
        if m is None:
            return Condition()
        if not m:
            self.p.add(
                path, "'when' is empty", "give a condition, or drop 'when' to make this the default"
            )
        kw: dict[str, Any] = {}
        for key in ("cues_any", "cues_all", "cues_none"):
            if key in m:
                names = []
                for v, vpath in self.listing(m[key], path + (key,), "cue name"):
                    if isinstance(v, str) and v in self.cues:
                        names.append(v)
                    elif isinstance(v, str) and v in self.groups:
                        names.extend(self.groups[v])
                    else:
                        known = list(self.cues) + list(self.groups)
                        hint = did_you_mean(
                            v,
                            known,
                            "cues: " + ", ".join(self.cues) + "; groups: " + ", ".join(self.groups),
                        )
                        self.p.add(vpath, f"unknown cue '{v}'", hint)
                kw[key] = tuple(dict.fromkeys(names))
        for key, low, high in (
            ("score_above", 0, 100),
            ("score_below", 0, 100),
            ("agitation_above", 0, 1),
            ("agitation_below", 0, 1),
        ):
            if key in m:
                kw[key] = self.number(m[key], path + (key,), low, high)
        for key in ("silent", "interrupted"):
            if key in m:
                kw[key] = self.boolean(m[key], path + (key,))
        if "mentions_any" in m:
            words = []
            for v, vpath in self.listing(
                m["mentions_any"], path + ("mentions_any",), "word or phrase"
            ):
                t = self.text(v, vpath, max_chars=60, what="a word or phrase")
                if t:
                    words.append(t)
            kw["mentions_any"] = tuple(words)
        for key, refs in (("hooks_any", self.hook_refs), ("triggers_any", self.trigger_refs)):
            if key in m:
                names = []
                for v, vpath in self.listing(m[key], path + (key,), "name"):
                    n = self.ident(v, vpath, "name")
                    if n is not None:
                        refs.append((vpath, n))
                        names.append(n)
                kw[key] = tuple(names)
        for key in ("turn_at_least", "turn_at_most"):
            if key in m:
                kw[key] = self.integer(m[key], path + (key,), 1, 1000)
        if "any_of" in m:
            if depth >= _MAX_CONDITION_DEPTH:
                self.p.add(
                    path + ("any_of",),
                    "conditions are nested too deeply",
                    "flatten the 'any_of' lists",
                )
            else:
                subs = []
                for v, vpath in self.listing(m["any_of"], path + ("any_of",), "condition"):
                    subs.append(self.parse_condition(v, vpath, depth + 1))
                kw["any_of"] = tuple(subs)
        lo, hi = kw.get("agitation_above"), kw.get("agitation_below")
        if lo is not None and hi is not None and lo >= hi:
            self.p.add(
                path + ("agitation_below",),
                f"agitation can never be above {lo:g} and below {hi:g}",
                "make agitation_below larger than agitation_above",
            )
        lo, hi = kw.get("score_above"), kw.get("score_below")
        if lo is not None and hi is not None and lo >= hi:
            self.p.add(
                path + ("score_below",),
                f"the score can never be above {lo:g} and below {hi:g}",
                "make score_below larger than score_above",
            )
        return Condition(**{k: v for k, v in kw.items() if v is not None})

    # -- cross-references and graph -----------------------------------------

    def check_references(self, nodes, outcomes, perp) -> None:
        node_ids = [n.id for n, _ in nodes]
        outcome_ids = [o.id for o in outcomes]
        known_outcomes = set(outcome_ids) | set(self._outcome_keys())
        for path, name in self.node_refs:
            if name not in node_ids and name not in self._raw_node_ids():
                hint = did_you_mean(name, node_ids, "node ids: " + ", ".join(node_ids[:12]))
                self.p.add(path, f"no node with id '{name}'", hint)
        for path, name in self.outcome_refs:
            if name not in known_outcomes:
                hint = did_you_mean(name, sorted(known_outcomes), "add it under 'outcomes:'")
                self.p.add(path, f"no outcome with id '{name}'", hint)
        for refs, have, what in (
            (self.hook_refs, self.hooks, "hook"),
            (self.trigger_refs, self.triggers, "trigger"),
        ):
            for path, name in refs:
                if name not in have:
                    hint = did_you_mean(name, sorted(have), f"define it under perpetrator.{what}s")
                    self.p.add(path, f"no {what} named '{name}'", hint)

    def _outcome_keys(self):
        data = self.doc.data
        if isinstance(data, Mapping) and isinstance(data.get("outcomes"), Mapping):
            return [k for k in data["outcomes"] if isinstance(k, str)]
        return []

    def _raw_node_ids(self):
        """Ids written in the file, even on nodes that had other problems (no double reports)."""
        data = self.doc.data
        nodes = data.get("nodes") if isinstance(data, Mapping) else None
        if not isinstance(nodes, list):
            return set()
        return {
            n.get("id") for n in nodes if isinstance(n, Mapping) and isinstance(n.get("id"), str)
        }

    def check_graph(self, start) -> None:
        """Every node reachable from the start, and an outcome reachable from every node."""
        ids = {nid for nid, *_ in self.graph}
        forward: dict[str, set[str]] = {nid: set() for nid in ids}
        for nid, _, targets, _ in self.graph:
            forward[nid] |= {t for t in targets if t in ids}
        reached = _reachable(start, forward)
        for nid, p, _, _ in self.graph:
            if nid not in reached:
                self.p.add(
                    p + ("id",),
                    f"node '{nid}' cannot be reached from the start node '{start}'",
                    f"add a transition 'to: {nid}' from another node, or remove this node",
                )
        backward: dict[str, set[str]] = {nid: set() for nid in ids}
        for src, dsts in forward.items():
            for d in dsts:
                backward[d].add(src)
        can_end: set[str] = set()
        for nid, _, _, ends in self.graph:
            if ends and nid not in can_end:
                can_end |= _reachable(nid, backward)
        for nid, p, _, _ends in self.graph:
            if nid in reached and nid not in can_end:
                self.p.add(
                    p + ("id",),
                    f"from node '{nid}' no path leads to an outcome: the drill could loop forever",
                    "add a transition to a node that ends, or 'end: <outcome id>'",
                )


def _reachable(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
