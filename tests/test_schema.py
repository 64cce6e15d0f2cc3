"""schema.py: records filled from YAML mappings, every problem found with its key path."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Literal

import pytest

from digest import schema
from digest.config import Config, SummaryConfig
from digest.read import FrontMatter
from digest.schema import Before, Bounds, Check, Invalid, Problem, as_json, fields_at, parse


def _upper(value: str) -> str:
    if value != value.strip():
        raise ValueError("has spaces around it")
    return value.upper()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Inner:
    size: Annotated[int, Bounds(ge=1, le=9)] = 3
    ratio: Annotated[float, Bounds(gt=0.0, le=1.0)] | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Outer:
    name: Annotated[str, Bounds(min_length=1), Check(_upper)]
    kind: Literal["a", "b"] = "a"
    tags: Annotated[tuple[str, ...], Before(lambda v: [v] if isinstance(v, str) else v)] = ()
    inner: Inner = Inner()
    inners: tuple[Inner, ...] = ()
    day: dt.date | None = None
    on: bool = False


def problems(data: dict[str, object]) -> list[Problem]:
    with pytest.raises(Invalid) as info:
        parse(Outer, data)
    return info.value.problems


def test_a_valid_mapping_fills_the_record_with_conversions_and_defaults() -> None:
    made = parse(
        Outer,
        {"name": "x", "tags": "one", "inners": [{"size": 2}, {}], "day": "2022-01-27", "on": True},
    )
    assert made == Outer(
        name="X",
        tags=("one",),
        inners=(Inner(size=2), Inner()),
        day=dt.date(2022, 1, 27),
        on=True,
    )
    assert parse(Inner, {"ratio": 1}).ratio == 1.0  # a whole number is a number
    assert isinstance(parse(Inner, {"ratio": 1}).ratio, float)


def test_each_problem_has_its_key_path_and_all_are_found() -> None:
    found = problems(
        {
            "kind": "c",
            "tags": 5,
            "inner": {"size": 0, "colour": "red"},
            "inners": [{}, {"ratio": 0}],
            "day": "yesterday",
            "on": "yes",
        }
    )
    assert found == [
        Problem(("kind",), "invalid", "should be one of 'a', 'b'"),
        Problem(("tags",), "invalid", "should be a list, not a number"),
        Problem(("inner", "size"), "invalid", "should be at least 1"),
        Problem(("inner", "colour"), "unknown", "unknown key"),
        Problem(("inners", 1, "ratio"), "invalid", "should be more than 0"),
        Problem(("day",), "invalid", "'yesterday' is not a date; write it as YYYY-MM-DD"),
        Problem(("on",), "invalid", "should be true or false, not text"),
        Problem(("name",), "missing", "missing required key"),
    ]


def test_types_are_not_guessed() -> None:
    # YAML already says what is a number, a text or true/false: `true` is no count,
    # 3 is no name, a list is no mapping.
    assert problems({"name": 3})[0].message == "should be text, not a number"
    assert problems({"name": "x", "inner": {"size": True}})[0].message == (
        "should be a whole number, not true/false"
    )
    assert problems({"name": "x", "inner": {"size": 2.5}})[0].message == (
        "should be a whole number, not a number"
    )
    assert problems({"name": "x", "inner": [1]})[0].message == "should be a mapping, not a list"
    assert problems({"name": "x", "inner": {"size": 10}})[0].message == "should be at most 9"


def test_before_and_check_run_around_the_type_check() -> None:
    assert problems({"name": ""})[0].message == "should not be empty"
    assert problems({"name": " x "})[0].message == "has spaces around it"
    assert problems({"name": "x", "tags": ["a", 2]})[0].loc == ("tags", 1)


def test_fields_at_descends_through_lists_and_optional_records() -> None:
    assert fields_at(Outer, ("inners", 0)) == ["size", "ratio"]
    assert fields_at(Outer, ("inner",)) == ["size", "ratio"]
    assert fields_at(Outer, ()) == [f.name for f in dataclasses.fields(Outer)]
    assert fields_at(Outer, ("name",)) == []
    assert fields_at(Config, ("topics", 3, "summary"))[0] == "algorithm"


def test_as_json_is_stable_and_takes_only_what_is_included() -> None:
    made = parse(Outer, {"name": "x", "day": dt.date(2022, 1, 2), "inners": [{}]})
    text = as_json(made)
    assert text == as_json(parse(Outer, {"inners": [{}], "day": "2022-01-02", "name": "x"}))
    assert '"day":"2022-01-02"' in text and '"inners":[{"size":3,"ratio":null}]' in text
    assert as_json(made, {"kind", "on"}) == '{"kind":"a","on":false}'
    changed = dataclasses.replace(SummaryConfig(), article_sentences=4)
    assert as_json(Config(summary=changed), {"summary"}) != as_json(Config(), {"summary"})


def test_front_matter_dates_keep_their_own_day() -> None:
    at = dt.datetime(2022, 1, 27, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert parse(FrontMatter, {"date": at}).date == dt.date(2022, 1, 27)
    assert parse(FrontMatter, {"date": "2022-01-27T01:00+08:00"}).date == dt.date(2022, 1, 27)
    with pytest.raises(Invalid) as info:
        parse(FrontMatter, {"date": 20220127})
    assert info.value.problems[0].message == "write the date as YYYY-MM-DD"


def test_unsupported_field_types_fail_when_the_record_is_first_read() -> None:
    @dataclasses.dataclass(frozen=True)
    class Odd:
        values: dict[str, int]

    with pytest.raises(TypeError, match="unsupported field type"):
        schema.parse(Odd, {"values": {}})
