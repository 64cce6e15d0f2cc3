"""Frozen dataclasses filled from YAML mappings, each field checked against its type.

`config.yaml`, front matter and `theme.yaml` are small mappings of a few plain types, and
every build reads them. A validation library did this before; importing it and building
its models made each build start 0.13 s later, longer than a one-article rebuild of a
large site spends on any stage but three. The types used are few: text, whole numbers,
numbers, true/false, dates, `Literal` choices, `X | None`, `tuple[X, ...]` and nested
records; `Annotated` adds `Bounds`, a conversion `Before` the type check, and a `Check`
after it.

Every problem is collected with its key path (`topics.0.keywords`), so the caller can
name the line the user wrote it on and say how many more there are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, TypeVar

T = TypeVar("T")

Loc = tuple[int | str, ...]


@dataclass(frozen=True)
class Bounds:
    """Limits on a number (`ge`, `gt`, `le`) or on a text's or list's length."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    min_length: int | None = None


@dataclass(frozen=True)
class Before:
    """Turns what YAML gave into what the type expects (one keyword into a list of
    one); runs before the type is checked."""

    convert: Callable[[Any], Any]


@dataclass(frozen=True)
class Check:
    """Checks (and may normalise) a value of the right type; raises ValueError with a
    message for the user."""

    check: Callable[[Any], Any]


def as_list(value: object) -> object:
    """One text where a list is expected, as a list of one (`keywords: tariff`): a
    conversion for `Before`."""
    return [value] if isinstance(value, str) else value


class Problem(NamedTuple):
    loc: Loc
    kind: Literal["unknown", "missing", "invalid"]
    message: str


class Invalid(Exception):
    """The mapping does not fit the record; `problems` in the order found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems[0].message if problems else "invalid")
        self.problems = list(problems)


def parse(record: type[T], data: Mapping[str, Any]) -> T:
    """`record` made from `data`, or Invalid with every problem found."""
    problems: list[Problem] = []
    value = _reader(record)(data, (), problems)
    if problems:
        raise Invalid(problems)
    made: T = value
    return made


def fields_at(record: type[Any], loc: Loc) -> list[str]:
    """The keys the record accepts at `loc` (list positions skipped), to tell a user
    who wrote an unknown key what they may have meant."""
    current: Any = record
    for part in loc:
        if isinstance(part, int):
            continue
        hint = _hints(current).get(part)
        current = next((t for t in _types_in(hint) if dataclasses.is_dataclass(t)), None)
        if current is None:
            return []
    return [f.name for f in dataclasses.fields(current)]


def as_json(record: object, include: set[str] | None = None) -> str:
    """The record's fields (only `include`, if given) as JSON: a stable text for cache
    keys, which change when the config does."""
    plain = _plain(record)
    if include is not None:
        plain = {k: v for k, v in plain.items() if k in include}
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


def _plain(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


Reader = Callable[[Any, Loc, list[Problem]], Any]
"""Reads a value at a key path, appending problems; returns the value (or anything, when
it added a problem)."""


_HINTS: dict[type[Any], dict[str, Any]] = {}
_READERS: dict[type[Any], Reader] = {}


def _hints(record: type[Any]) -> dict[str, Any]:
    found = _HINTS.get(record)
    if found is None:
        found = _HINTS[record] = typing.get_type_hints(record, include_extras=True)
    return found


def _reader(record: type[Any]) -> Reader:
    """How to read a mapping into `record`: one reader per field, made once."""
    found = _READERS.get(record)
    if found is None:
        found = _READERS[record] = _record_reader(record)
    return found


def _record_reader(record: type[Any]) -> Reader:
    fields = dataclasses.fields(record)
    hints = _hints(record)
    readers = {f.name: _read(hints[f.name]) for f in fields}
    required = [
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]

    def read(data: Any, loc: Loc, problems: list[Problem]) -> Any:
        if not isinstance(data, Mapping):
            problems.append(Problem(loc, "invalid", f"should be a mapping, not {_kind(data)}"))
            return None
        values = {}
        before = len(problems)
        for key, value in data.items():
            reader = readers.get(key) if isinstance(key, str) else None
            if reader is None:
                problems.append(Problem((*loc, str(key)), "unknown", "unknown key"))
            else:
                values[key] = reader(value, (*loc, key), problems)
        for name in required:
            if name not in data:
                problems.append(Problem((*loc, name), "missing", "missing required key"))
        if len(problems) > before:
            return None
        return record(**values)

    return read


def _types_in(hint: Any) -> list[Any]:
    """The plain types a hint may hold: `X | None` gives X and None's type, a list of X
    gives X."""
    if typing.get_origin(hint) is typing.Annotated:
        return _types_in(typing.get_args(hint)[0])
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(hint) for t in _types_in(arg)]
    if typing.get_origin(hint) is tuple:
        return _types_in(typing.get_args(hint)[0])
    return [hint]


def _read(hint: Any) -> Reader:
    """A reader for one type hint."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        return _annotated(_read(args[0]), args[1:])
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) != 1:
            raise TypeError(f"unsupported union {hint!r}")
        inner = _read(others[0])
        return lambda value, loc, problems: None if value is None else inner(value, loc, problems)
    if origin is Literal:
        return _choice(args)
    if origin is tuple:
        return _items(_read(args[0]))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _reader(hint)
    if hint in _SCALARS:
        return _SCALARS[hint]
    raise TypeError(f"unsupported field type {hint!r}")


def _annotated(inner: Reader, extras: tuple[Any, ...]) -> Reader:
    befores = [e.convert for e in extras if isinstance(e, Before)]
    bounds = [e for e in extras if isinstance(e, Bounds)]
    checks = [e.check for e in extras if isinstance(e, Check)]

    def read(value: Any, loc: Loc, problems: list[Problem]) -> Any:
        try:
            for convert in befores:
                value = convert(value)
        except ValueError as exc:
            problems.append(Problem(loc, "invalid", str(exc)))
            return None
        before = len(problems)
        value = inner(value, loc, problems)
        if len(problems) > before or value is None:
            return value
        try:
            for limit in bounds:
                _within(value, limit)
            for check in checks:
                value = check(value)
        except ValueError as exc:
            problems.append(Problem(loc, "invalid", str(exc)))
        return value

    return read


def _within(value: Any, limit: Bounds) -> None:
    if limit.min_length is not None and len(value) < limit.min_length:
        what = "empty" if limit.min_length == 1 else f"shorter than {limit.min_length}"
        raise ValueError(f"should not be {what}")
    if isinstance(value, str | tuple):
        return
    if limit.ge is not None and value < limit.ge:
        raise ValueError(f"should be at least {limit.ge:g}")
    if limit.gt is not None and value <= limit.gt:
        raise ValueError(f"should be more than {limit.gt:g}")
    if limit.le is not None and value > limit.le:
        raise ValueError(f"should be at most {limit.le:g}")


def _choice(choices: tuple[Any, ...]) -> Reader:
    listed = ", ".join(f"'{c}'" for c in choices)

    def read(value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if isinstance(value, str) and value in choices:
            return value
        problems.append(Problem(loc, "invalid", f"should be one of {listed}"))
        return None

    return read


def _items(inner: Reader) -> Reader:
    def read(value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if not isinstance(value, list | tuple):
            problems.append(Problem(loc, "invalid", f"should be a list, not {_kind(value)}"))
            return None
        return tuple(inner(item, (*loc, n), problems) for n, item in enumerate(value))

    return read


def _scalar(
    accepts: Callable[[Any], bool], name: str, convert: Callable[[Any], Any] = lambda v: v
) -> Reader:
    def read(value: Any, loc: Loc, problems: list[Problem]) -> Any:
        if accepts(value):
            return convert(value)
        problems.append(Problem(loc, "invalid", f"should be {name}, not {_kind(value)}"))
        return None

    return read


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _date(value: Any, loc: Loc, problems: list[Problem]) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            message = f"'{value}' is not a date; write it as YYYY-MM-DD"
            problems.append(Problem(loc, "invalid", message))
            return None
    problems.append(Problem(loc, "invalid", f"should be a date, not {_kind(value)}"))
    return None


_SCALARS: dict[Any, Reader] = {
    str: _scalar(lambda v: isinstance(v, str), "text"),
    bool: _scalar(lambda v: isinstance(v, bool), "true or false"),
    int: _scalar(lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    float: _scalar(_is_number, "a number", float),
    dt.date: _date,
}


def _kind(value: Any) -> str:
    """What YAML made of what the user wrote, in YAML's words."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__
