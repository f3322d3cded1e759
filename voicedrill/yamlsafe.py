"""Safe YAML for files people edit (scenarios, scoring scripts), with locations in errors.

YAML here is data and never runs code: loading goes through a ``yaml.SafeLoader``
subclass that also records where every key and value sits, so a problem can be
reported as ``file:line:column: message (hint)``. Duplicate keys are rejected
(plain ``safe_load`` silently keeps the last one).

Typical use::

    doc = load_yaml(path)                 # YamlDoc: .data, .name, .where(path)
    problems = Problems(doc)
    problems.check_keys(doc.data, (), allowed={"weights", "targets"}, required={"weights"})
    w = problems.expect(doc.data.get("weights"), ("weights",), dict, "a mapping of cue: weight")
    problems.raise_if_any("scoring script")  # ScenarioError(problems=[...]) with every problem

Paths are tuples of keys and list indices, e.g. ``("targets", "latency", 0)``.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .errors import ScenarioError
from .suggest import did_you_mean

YamlPath = tuple  # keys (str/int/...) and list indices from the document root


@dataclass(frozen=True)
class Location:
    """A place in a YAML file; ``line`` and ``column`` count from 1."""

    name: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.name}:{self.line}:{self.column}"


def _location(name: str, mark) -> Location:
    return Location(name, mark.line + 1, mark.column + 1)


def _loader_class():
    import yaml

    class LineLoader(yaml.SafeLoader):
        """SafeLoader that refuses duplicate keys (positions are read from the node tree)."""

        def construct_mapping(self, node, deep: bool = False) -> dict[Any, Any]:
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    continue  # SafeLoader raises its own clear error below
                if key in seen:
                    raise _DuplicateKey(key, seen[key], key_node.start_mark)
                seen[key] = key_node.start_mark
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_float(self, node):
            value = super().construct_yaml_float(node)
            if not math.isfinite(value):
                raise _BadValue(
                    node.start_mark,
                    f"'{node.value}' is not a finite number",
                    "voicedrill reads no NaN or infinity; write an ordinary number such as 0.5",
                )
            return value

        def construct_yaml_int(self, node):
            try:
                return super().construct_yaml_int(node)
            except ValueError:  # Python's limit on digits in an integer
                raise _BadValue(
                    node.start_mark,
                    f"a number with {len(node.value)} characters is too long",
                    "write an ordinary number such as 3",
                ) from None

    LineLoader.add_constructor("tag:yaml.org,2002:float", LineLoader.construct_yaml_float)
    LineLoader.add_constructor("tag:yaml.org,2002:int", LineLoader.construct_yaml_int)
    return LineLoader


class _BadValue(Exception):
    def __init__(self, mark, message, hint):
        super().__init__(message)
        self.mark, self.message, self.hint = mark, message, hint


class _DuplicateKey(Exception):
    def __init__(self, key, first_mark, mark):
        super().__init__(key)
        self.key, self.first_mark, self.mark = key, first_mark, mark


@dataclass(frozen=True)
class YamlDoc:
    """A loaded YAML document: the plain data plus where each part came from."""

    data: Any
    name: str  # file path (or "<text>") used in messages
    text: str  # the source text, as read
    value_locations: Mapping[YamlPath, Location] = field(repr=False, default_factory=dict)
    key_locations: Mapping[YamlPath, Location] = field(repr=False, default_factory=dict)

    def where(self, path: YamlPath, *, key: bool = False) -> Location:
        """Location of the value at ``path`` (or of its key with ``key=True``).

        Falls back to the nearest ancestor that exists (a missing key is reported
        at the mapping that should hold it), then to line 1.
        """
        path = tuple(path)
        while True:
            if key and path in self.key_locations:
                return self.key_locations[path]
            if path in self.value_locations:
                return self.value_locations[path]
            if not path:
                return Location(self.name, 1, 1)
            path = path[:-1]
            key = False


def load_yaml(source: str | os.PathLike, *, text: str | None = None) -> YamlDoc:
    """Load one YAML document safely, recording locations.

    ``source`` is a file path, read as UTF-8; pass ``text`` to parse a string
    instead (``source`` is then only the name used in messages). An empty file
    loads as ``None``. Raises ``ScenarioError`` with ``file:line:column`` for a
    missing/unreadable file, a syntax error or a duplicate key.
    """
    import yaml

    name = str(source)
    if text is None:
        path = Path(source)
        if not path.is_file():
            raise ScenarioError(f"{name}: no such file. Check the path.")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise ScenarioError(f"{name}: not UTF-8 text ({e}). Save the file as UTF-8.") from e
        except OSError as e:
            raise ScenarioError(f"{name}: cannot read the file ({e.strerror}).") from e
    _prescan(name, text)
    if "*" in text and _expanded_size(text) > MAX_EXPANDED_VALUES:
        msg = (
            f"{name}:1:1: the file expands to more than {MAX_EXPANDED_VALUES} values through aliases "
            "(use fewer *aliases; a hand-written file never needs this many)"
        )
        raise ScenarioError(msg, [msg])
    try:
        loader = _loader_class()(text)
    except yaml.YAMLError as e:  # the reader's own check (control characters), before parsing
        raise _reader_error(name, text, e) from e
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _BadValue as e:
        msg = f"{_location(name, e.mark)}: {e.message} ({e.hint})"
        raise ScenarioError(msg, [msg]) from None
    except RecursionError:  # _prescan bounds the depth; this is a last guard
        raise _too_deep(name, Location(name, 1, 1)) from None
    except _DuplicateKey as e:
        first = _location(name, e.first_mark)
        msg = f"{_location(name, e.mark)}: duplicate key '{e.key}' (first given at line {first.line}; keep one)"
        raise ScenarioError(msg, [msg]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = _location(name, mark) if mark is not None else Location(name, 1, 1)
        what = " ".join(str(p) for p in (e.context, e.problem) if p)
        if "constructor for the tag" in what:
            hint = "tags such as !!python/... are not allowed: this file is data; remove the tag"
        else:
            hint = "check indentation, colons and quotes near this place"
            ctx = e.context_mark
            if ctx is not None and mark is not None and ctx.line != mark.line:
                hint = f"it started at line {ctx.line + 1}, column {ctx.column + 1}; {hint}"
        msg = f"{where}: broken YAML: {what} ({hint})"
        raise ScenarioError(msg, [msg]) from e
    except yaml.YAMLError as e:
        raise _reader_error(name, text, e) from e
    finally:
        loader.dispose()
    values: dict = {}
    keys: dict = {}
    if node is not None:
        try:
            _walk(loader, node, (), name, values, keys, set())
        except RecursionError:
            raise _too_deep(name, Location(name, 1, 1)) from None
    return YamlDoc(data=data, name=name, text=text, value_locations=values, key_locations=keys)


MAX_EXPANDED_VALUES = 100_000  # values after aliases are expanded ("billion laughs" guard)
MAX_DEPTH = 50  # nested lists/mappings; a hand-written file needs about 10
MAX_NUMBER_CHARS = 100  # a plain number longer than this is refused before Python parses it
_NUMBER_LIKE = re.compile(r"[-+]?(?:0[xob])?\.?[0-9][0-9_.eE:+-]*")


def _prescan(name: str, text: str) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` and absurdly long numbers, from the parser's
    events (no recursion), before the recursive composer sees the file."""
    import yaml

    parser_class = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    depth = 0
    try:
        for event in yaml.parse(text, Loader=parser_class):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(name, _location(name, event.start_mark))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            elif (
                isinstance(event, yaml.ScalarEvent)
                and not event.style
                and len(event.value) > MAX_NUMBER_CHARS
                and _NUMBER_LIKE.fullmatch(event.value)
            ):
                where = _location(name, event.start_mark)
                msg = (
                    f"{where}: a number with {len(event.value)} characters is too long "
                    "(write an ordinary number such as 0.5 or 3)"
                )
                raise ScenarioError(msg, [msg])
    except yaml.YAMLError as e:
        if "nesting depth" in str(e):  # libyaml's own limit (1000), met while scanning ahead
            mark = getattr(e, "problem_mark", None)
            raise _too_deep(name, _location(name, mark) if mark else Location(name, 1, 1)) from None
        return  # reported with its location by the real load
    except RecursionError:
        raise _too_deep(name, Location(name, 1, 1)) from None


def _too_deep(name: str, where: Location) -> ScenarioError:
    msg = (
        f"{where}: lists and mappings are nested more than {MAX_DEPTH} deep "
        "(a scenario or scoring script needs about 10 levels; flatten the file)"
    )
    return ScenarioError(msg, [msg])


def _reader_error(name: str, text: str, e) -> ScenarioError:
    """A YAML error without a parser mark (control characters): located from its position."""
    line, col = 1, 1
    pos = getattr(e, "position", None)
    if isinstance(pos, int):
        before = text[:pos]
        line, col = before.count("\n") + 1, pos - (before.rfind("\n") + 1) + 1
    msg = (
        f"{name}:{line}:{col}: broken YAML: {getattr(e, 'reason', e)} "
        "(remove control characters; save as plain UTF-8 text)"
    )
    return ScenarioError(msg, [msg])


def _expanded_size(text: str) -> int:
    """How many values the YAML in ``text`` holds once aliases are expanded (a guard
    against "billion laughs" files); 0 when it does not even parse (reported later)."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return 0
    sizes: dict[int, int] = {}

    def size(n, active=frozenset()) -> int:
        if id(n) in sizes:
            return sizes[id(n)]
        if id(n) in active:
            return 1
        total = 1
        if isinstance(n, yaml.SequenceNode):
            total += sum(size(c, active | {id(n)}) for c in n.value)
        elif isinstance(n, yaml.MappingNode):
            total += sum(size(k, active | {id(n)}) + size(v, active | {id(n)}) for k, v in n.value)
        sizes[id(n)] = total
        return total

    try:
        return size(node) if node is not None else 0
    except RecursionError:
        return MAX_EXPANDED_VALUES + 1


def _walk(loader, node, path, name, values, keys, active) -> None:
    import yaml

    values.setdefault(path, _location(name, node.start_mark))
    if id(node) in active:  # recursive alias: stop
        return
    active = active | {id(node)}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            try:
                key = loader.construct_object(key_node, deep=True)
            except yaml.YAMLError:
                continue
            sub = path + (key,)
            keys.setdefault(sub, _location(name, key_node.start_mark))
            _walk(loader, value_node, sub, name, values, keys, active)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(loader, item, path + (i,), name, values, keys, active)


def type_name(value: Any) -> str:
    """The YAML word for a value's type, for messages: 'a number', 'a list', ..."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"text ('{value}')" if len(value) <= 30 else "text"
    if isinstance(value, Mapping):
        return "a mapping (key: value lines)"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def dotted(path: YamlPath) -> str:
    """``("targets", "latency", 0)`` -> ``targets.latency[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


class Problems:
    """Collects every problem in a document, so the user sees them all at once."""

    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self._found: list[tuple[int, int, int, str]] = []  # (line, column, order, text)

    @property
    def items(self) -> list[str]:
        """Every problem as ``file:line:column: message (hint)``, in file order."""
        return [t for *_, t in sorted(self._found)]

    def __bool__(self) -> bool:
        return bool(self._found)

    def __len__(self) -> int:
        return len(self._found)

    def add(self, path: YamlPath, message: str, hint: str = "", *, at_key: bool = False) -> None:
        """Record ``file:line:column: message (hint)`` for the value (or key) at ``path``."""
        where = self.doc.where(path, key=at_key)
        text = f"{where}: {message}" + (f" ({hint})" if hint else "")
        self._found.append((where.line, where.column, len(self._found), text))

    def unknown_key(self, path: YamlPath, allowed: Iterable[str]) -> None:
        """Report the key at ``path`` as unknown, suggesting the closest allowed key."""
        key = str(path[-1])
        allowed = sorted(str(a) for a in allowed)
        where = dotted(path[:-1])
        hint = did_you_mean(
            key, allowed, "known keys here: " + (", ".join(allowed) if allowed else "none")
        )
        self.add(path, f"unknown key '{key}' in {where}", hint, at_key=True)

    def check_keys(
        self,
        mapping: Any,
        path: YamlPath,
        allowed: Iterable[str],
        *,
        required: Iterable[str] = (),
    ) -> bool:
        """Check that ``mapping`` (at ``path``) is a mapping with only ``allowed`` keys
        and every ``required`` one. Returns True when it is a mapping at all."""
        allowed = set(allowed)
        if not isinstance(mapping, Mapping):
            self.wrong_type(path, mapping, "a mapping (key: value lines)")
            return False
        for key in mapping:
            if key not in allowed:
                self.unknown_key(tuple(path) + (key,), allowed)
        for key in sorted(set(required)):
            if key not in mapping:
                self.add(path, f"missing key '{key}' in {dotted(path)}", f"add '{key}:'")
        return True

    def wrong_type(self, path: YamlPath, value: Any, expected: str, hint: str = "") -> None:
        """Report ``path`` as holding ``value`` where ``expected`` (in words) was needed."""
        if not hint:
            last = path[-1] if path else None
            if isinstance(last, int) and not isinstance(last, bool):
                hint = f"make item {last + 1} of this list {expected}"
            elif path:
                hint = f"write {last}: <{expected}>"
        self.add(path, f"{dotted(path)} must be {expected}, not {type_name(value)}", hint)

    def expect(
        self,
        value: Any,
        path: YamlPath,
        types: type | tuple[type, ...],
        expected: str,
        hint: str = "",
    ) -> Any:
        """Return ``value`` if it is an instance of ``types`` (bool is never a number),
        else record a wrong-type problem and return None."""
        types = types if isinstance(types, tuple) else (types,)
        is_bool = isinstance(value, bool)
        ok = isinstance(value, types) and not (is_bool and bool not in types)
        if not ok:
            self.wrong_type(path, value, expected, hint)
            return None
        return value

    def number(
        self,
        value: Any,
        path: YamlPath,
        *,
        low: float | None = None,
        high: float | None = None,
        unit: str = "",
    ) -> float | None:
        """Return ``value`` as float when it is a number within [low, high], else record why."""
        if (
            self.expect(value, path, (int, float), "a number" + (f" of {unit}" if unit else ""))
            is None
        ):
            return None
        try:
            value = float(value)
        except OverflowError:  # an integer too big for a float
            self.add(
                path,
                f"{dotted(path)} is far too large a number",
                "write an ordinary number such as 0.5",
            )
            return None
        if not math.isfinite(value):
            self.add(
                path,
                f"{dotted(path)} is not a finite number",
                "write an ordinary number such as 0.5",
            )
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            rng = f"{low if low is not None else '-inf'}..{high if high is not None else 'inf'}"
            self.add(
                path,
                f"{dotted(path)} = {value:g} is out of range",
                f"use a value in {rng}{' ' + unit if unit else ''}",
            )
            return None
        return value

    def raise_if_any(self, what: str = "file") -> None:
        """Raise ``ScenarioError`` listing every problem, if there are any."""
        if self.items:
            n = len(self.items)
            head = f"{self.doc.name}: {n} problem{'s' if n > 1 else ''} in this {what}"
            err = ScenarioError(head, self.items)
            err.args = (head + ":\n" + "\n".join(self.items),)
            raise err


__all__ = ["Location", "YamlDoc", "load_yaml", "Problems", "type_name", "dotted"]
