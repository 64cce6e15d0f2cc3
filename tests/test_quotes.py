"""Quotations: marks, speakers, and the same quotation across outlets (invented text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.clean import compile_rules
from digest.models import Article
from digest.quotes import Quotation, extract, group, same_quotation, spans
from digest.read import read_article


def article(tmp_path: Path, text: str, name: str = "a.txt") -> Article:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_article(path, tmp_path, compile_rules(()))


def quoted(text: str) -> list[str]:
    return [text[a:b] for a, b in spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“We will rebuild the pier,” Ruiz said.", ["We will rebuild the pier,"]),
        ('"We will rebuild the pier," Ruiz said.', ["We will rebuild the pier,"]),
        # Outlets mix a curly opening with a straight closing mark.
        ('“We will rebuild the pier," Ruiz said.', ["We will rebuild the pier,"]),
        # Curly single quotes as outer marks, with an apostrophe inside.
        ("She said a ‘city’s harbour is its heart’ and left.", ["city’s harbour is its heart"]),
        # Nested single quotes stay inside the outer quote.
        ("\"Stop the 'quiet closures' now,\" he said.", ["Stop the 'quiet closures' now,"]),
        ("The mayor's office didn't comment.", []),
        # A quote still open at the end of a paragraph continues in the next one.
        ("“The works will take a year.", ["The works will take a year."]),
    ],
)
def test_quotation_marks(text: str, expected: list[str]) -> None:
    assert quoted(text) == expected


SPEAKERS = """\
“The pier will reopen in March,” Mayor Ana Ruiz said on Monday.

“Nobody was hurt,” said harbour master Tomas Berg.

Ruiz told reporters that “every vessel will be inspected twice.”

According to the port authority, “repairs will cost four million euros.”

“We lost a week of fishing,” she added, “and we cannot lose another.”

The union warned against “reckless reopening of the north quay.”
"""


def test_speakers_are_named_and_pronouns_resolved(tmp_path: Path) -> None:
    found = [(q.text, q.speaker) for q in extract(article(tmp_path, SPEAKERS))]
    assert found == [
        ("The pier will reopen in March", "Mayor Ana Ruiz"),
        ("Nobody was hurt", "harbour master Tomas Berg"),
        ("every vessel will be inspected twice.", "Ruiz"),
        ("repairs will cost four million euros.", "the port authority"),
        ("We lost a week of fishing", "Ruiz"),
        ("and we cannot lose another.", "Ruiz"),
        ("reckless reopening of the north quay.", "The union"),
    ]


def q(text: str, article: str = "a") -> Quotation:
    from digest.models import SentenceRef

    return Quotation.of(SentenceRef(article, 0), text, None)


def test_the_same_quotation_in_other_words_and_in_part() -> None:
    full = q("Every vessel will be inspected twice before the harbour reopens in March")
    assert same_quotation(full, q("every vessel will be inspected twice", "b"))
    assert same_quotation(
        full, q("Each vessel will be inspected twice before the harbour reopens in March", "b")
    )
    assert not same_quotation(full, q("The harbour will stay closed until the inquiry ends", "b"))
    # Too short to be a statement.
    assert not same_quotation(q("inspected twice"), q("inspected twice", "b"))


def test_a_long_quote_does_not_chain_two_statements_into_one_group() -> None:
    a = q("Every vessel will be inspected twice before the harbour reopens", "a")
    b = q("The fishing fleet will be compensated for every lost day at sea", "b")
    both = q(
        "Every vessel will be inspected twice before the harbour reopens, and the fishing "
        "fleet will be compensated for every lost day at sea, and the quay will be widened",
        "c",
    )
    a2 = q("every vessel will be inspected twice before the harbour reopens", "d")
    groups = group([a, b, both, a2])
    first = {x.ref.article for x in groups[0].quotations}
    assert {"a", "d"} <= first
    assert "b" not in first
