"""Sentence splitting, word tokens and the sumy tokenizer, on hand-written news-like text."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from digest.sentences import Tokenizer, sentence_spans, split_sentences, words


def check_spans(text: str) -> list[tuple[int, int]]:
    """Assert the span invariants and return the spans."""
    spans = sentence_spans(text)
    previous = 0
    for start, end in spans:
        assert previous <= start < end <= len(text), (text, spans)
        assert text[previous:start].strip() == "", "only whitespace may fall between sentences"
        assert not text[start].isspace() and not text[end - 1].isspace(), "spans are stripped"
        previous = end
    assert text[previous:].strip() == ""
    # Rebuilding from spans and the gaps between them gives back the input exactly.
    cuts = [0, *(i for span in spans for i in span), len(text)]
    assert "".join(text[a:b] for a, b in itertools.pairwise(cuts)) == text
    return spans


def one(text: str) -> None:
    assert split_sentences(text) == [text]
    check_spans(text)


# --- basic terminal punctuation ------------------------------------------------------------


def test_splits_after_full_stop_question_and_exclamation() -> None:
    text = "Shares fell sharply. Why did investors panic? Nobody knows! 2005 was calmer."
    assert split_sentences(text) == [
        "Shares fell sharply.",
        "Why did investors panic?",
        "Nobody knows!",
        "2005 was calmer.",
    ]


def test_spans_are_offsets_into_the_text() -> None:
    text = "  The vote passed.   It was close.  "
    assert sentence_spans(text) == [(2, 18), (21, 34)]
    assert split_sentences(text) == [text[s:e] for s, e in sentence_spans(text)]


def test_empty_and_blank_text_have_no_sentences() -> None:
    assert sentence_spans("") == []
    assert sentence_spans(" \n\t \n") == []


def test_text_without_final_stop_is_one_sentence() -> None:
    one("Markets rally as inflation cools")


# --- quotes and brackets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ('He said "stop." Then he left.', 'He said "stop."'),
        ("He said 'stop.' Then he left.", "He said 'stop.'"),
        ("He said \u201cstop.\u201d Then he left.", "He said \u201cstop.\u201d"),
        ("He said \u2018stop.\u2019 Then he left.", "He said \u2018stop.\u2019"),
        ("The plan failed (again.) Then he left.", "The plan failed (again.)"),
        ('She asked "why?" Then he left.', 'She asked "why?"'),
    ],
)
def test_closing_quotes_and_brackets_stay_with_their_sentence(text: str, first: str) -> None:
    assert split_sentences(text) == [first, "Then he left."]


def test_opening_quote_starts_a_new_sentence() -> None:
    text = 'The minister left. "We will return," she said. \u201cSoon.\u201d'
    assert split_sentences(text) == [
        "The minister left.",
        '"We will return," she said.',
        "\u201cSoon.\u201d",
    ]


def test_quote_ending_in_comma_continues_the_sentence() -> None:
    one('"We hope to settle this through negotiation," Wang said.')
    one("\u201cTalks will resume next week,\u201d the spokesman added.")


@pytest.mark.parametrize(
    "text",
    [
        '"Is the strike over?" Wang asked.',
        "\u201cWhat a result!\u201d Coach Maria Lopez said after the match.",
        '"I had not flown for years..." Hailey later recalled.',
        '"Is the strike over?" asked the reporter.',
    ],
)
def test_question_in_quotes_followed_by_attribution_is_one_sentence(text: str) -> None:
    one(text)


def test_two_quotations_in_a_row_are_two_sentences_even_in_lowercase() -> None:
    text = 'He texted: "on my way." "see you at the match."'
    assert split_sentences(text) == ['He texted: "on my way."', '"see you at the match."']


# --- abbreviations that do not end a sentence ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith and Mrs. Jones met Ms. Patel, Dr. Okafor and Prof. Lind on Monday.",
        "Gen. Ward briefed Sen. Ruiz, Rep. Chen and Gov. Hale at the base.",
        "Lt. Col. Ann Reyes met Sgt. Omar Diaz and Rev. Paul Kim at St. Mary's church.",
        "Sammy Davis Jr. Jones and Tom Hall Sr. Brown both attended.",
        "The vote is set for Jan. 5 and the count for Feb. 12 in the capital.",
        "The deal closed on Aug. 30 and was reviewed on Sept. 14 by the board.",
        "The U.S. Treasury and the U.K. Foreign Office backed the U.N. plan.",
        "The E.U. Commission said the talks would continue.",
        "Trading stopped at 9 a.m. local time and resumed at 5 p.m. yesterday.",
        "Several carriers, e.g. Delta and United, cut fares, i.e. Economy seats got cheaper.",
        "Apples, pears, etc. were sold at the market.",
        "Arsenal vs. Chelsea ended in a draw.",
        "She is ranked No. 3 in the world.",
        "Acme Inc. said profits rose while Widget Corp. shares slipped.",
        "Foo Ltd. reported a loss and Bar Co. was fined.",
        "Microsoft Corp. Chief Executive Steve Ballmer spoke first.",
        "The novel by J. K. Rowling was praised by George W. Bush.",
        "Profits rose to $1.13bn, up 3.5% on last year.",
        "The firm released version 2.0 of its app at example.com and news@example.com.",
        "Visit www.example.co.uk for the full 10.5-page report.",
    ],
)
def test_abbreviations_numbers_and_addresses_do_not_split(text: str) -> None:
    one(text)


# --- abbreviation-like tokens that do end a sentence -----------------------------------


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("The firm moved to the U.S. The company said costs fell.", "The firm moved to the U.S."),
        ("Output rose in the U.K. It was the best month.", "Output rose in the U.K."),
        ("The market closed at 5 p.m. But trading went on.", "The market closed at 5 p.m."),
        ("The shares belong to Acme Inc. They were sold.", "The shares belong to Acme Inc."),
        (
            "Prices rose for oil, gas, etc. Analysts were surprised.",
            "Prices rose for oil, gas, etc.",
        ),
        ("They chose Plan B. However, it failed.", "They chose Plan B."),
        ('The vote went to the U.N. "We won," she said.', "The vote went to the U.N."),
        ("Is the answer yes or no. The board decides.", "Is the answer yes or no."),
    ],
)
def test_abbreviation_before_a_clear_sentence_start_splits(text: str, first: str) -> None:
    assert split_sentences(text)[0] == first
    assert len(split_sentences(text)) == 2


def test_initialism_before_a_name_like_capital_does_not_split() -> None:
    # The documented trade-off: only common sentence starters end a sentence after U.S.
    one("Officials from the U.S. Army and the U.S. Open organisers met.")


# --- ellipses, lowercase and line breaks ------------------------------------------------


def test_ellipsis_splits_only_before_a_capital() -> None:
    assert split_sentences("It was over... The next day was quiet.") == [
        "It was over...",
        "The next day was quiet.",
    ]
    assert split_sentences("It was over\u2026 Then came the news.") == [
        "It was over\u2026",
        "Then came the news.",
    ]
    one("The recovery... much slower than hoped.")
    one("Sales rose by... 5% in the end.")


def test_lowercase_next_word_never_splits() -> None:
    one("The show Who Is Sylvia? by the visiting company won.")
    one("The result was surprising. and that was not all.")


def test_lowercase_brand_names_start_a_sentence() -> None:
    assert split_sentences("The phone sold out. iPod sales also rose.") == [
        "The phone sold out.",
        "iPod sales also rose.",
    ]


def test_newlines_are_whitespace_but_a_blank_line_ends_a_sentence() -> None:
    assert split_sentences("The firm said\nit would appeal. The court\nagreed.") == [
        "The firm said\nit would appeal.",
        "The court\nagreed.",
    ]
    text = "Markets rally as inflation cools\n\nShares rose. prices\r\n \r\nfollowed later"
    assert split_sentences(text) == [
        "Markets rally as inflation cools",
        "Shares rose. prices",
        "followed later",
    ]
    assert split_sentences("Talks with Mr.\n\nSmith ended.") == ["Talks with Mr.", "Smith ended."]


# --- invariants ------------------------------------------------------------------------------


def test_spans_invariants_on_random_text() -> None:
    pieces = [
        "The", "word", "Mr.", "U.S.", "p.m.", "5", "3.5", ".", "?", "!", "...", "\u2026",
        '"', "'", "\u201c", "\u201d", "\u2019", "(", ")", " ", " ", " ", "\n", "\n\n",
        "\t", "\u00a0", "\r\n", "a", "iPod", ",", "No.", "Jan.", "J.",
    ]  # fmt: skip
    rng = random.Random(1234)
    total = 0
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        total += len(check_spans(text))
    assert total > 400  # the random texts really were split, not left whole


def test_spans_invariants_on_a_news_article() -> None:
    text = (
        "Rail strike called off\n\n"
        "Unions called off Friday's strike after talks at 10 a.m. on Jan. 5 ended in a deal. "
        'Mr. Okafor said: "It is a fair offer." The deal,  worth $1.2bn, covers 40,000 staff.\n'
        "Commuters welcomed it!  Will it last?\n\n"
        "\u201cWe will see,\u201d one said\u2026 Others were less sure."
    )
    spans = check_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Rail strike called off",
        "Unions called off Friday's strike after talks at 10 a.m. on Jan. 5 ended in a deal.",
        'Mr. Okafor said: "It is a fair offer."',
        "The deal,  worth $1.2bn, covers 40,000 staff.",
        "Commuters welcomed it!",
        "Will it last?",
        "\u201cWe will see,\u201d one said\u2026",
        "Others were less sure.",
    ]


# --- words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Don't panic, they said.", ["Don't", "panic", "they", "said"]),
        (
            "Russia\u2019s well-known oil firm's shares",
            ["Russia\u2019s", "well-known", "oil", "firm's", "shares"],
        ),
        ("Profits hit $1.13bn, up 3.5%.", ["Profits", "hit", "1.13bn", "up", "3.5"]),
        ("It lost 464,000 users in 2004.", ["It", "lost", "464,000", "users", "in", "2004"]),
        ('"Stop!" she shouted -- (really) ...', ["Stop", "she", "shouted", "really"]),
        (
            "The players' union met in Z\u00fcrich and S\u00e3o Paulo.",
            ["The", "players", "union", "met", "in", "Z\u00fcrich", "and", "S\u00e3o", "Paulo"],
        ),
        ("Scores: 1, 2 and 3.", ["Scores", "1", "2", "and", "3"]),
        ("The U.S. team", ["The", "U", "S", "team"]),
        ("snake_case and  --  dashes\u2014too", ["snake", "case", "and", "dashes", "too"]),
        ("", []),
    ],
)
def test_words(sentence: str, expected: list[str]) -> None:
    assert words(sentence) == expected


# --- sumy ------------------------------------------------------------------------------------

ARTICLE = """\
Rail operators agree new timetable

Mr. Okafor, the transport minister, said the new timetable would start on Jan. 5 next year.
Rail operators across the country agreed the new timetable after weeks of talks.
The timetable adds 40 trains a day on the busiest routes.

Passenger groups welcomed the new timetable but warned about fares.
"More trains are good news, but fares must not rise," said Ann Lee of the U.K. group.
Fares rose 3.5% last year.

The operators said the new timetable would cut journey times by ten minutes.
Critics said the timetable was late.
"""


@pytest.fixture
def no_nltk_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point NLTK at an empty folder, as on an offline laptop without punkt."""
    nltk_data = pytest.importorskip("nltk.data")
    monkeypatch.setattr(nltk_data, "path", [str(tmp_path)])


def test_tokenizer_methods() -> None:
    tokenizer = Tokenizer()
    assert tokenizer.language == "english"
    assert tokenizer.to_sentences("Mr. Lee left. He was tired.") == (
        "Mr. Lee left.",
        "He was tired.",
    )
    assert tokenizer.to_words("Mr. Lee's well-known car.") == ("Mr", "Lee's", "well-known", "car")


@pytest.mark.usefixtures("no_nltk_data")
def test_sumy_default_tokenizer_needs_nltk_data() -> None:
    """Control for the next test: without punkt, sumy's own tokenizer cannot even start."""
    from sumy.nlp.tokenizers import Tokenizer as SumyTokenizer

    with pytest.raises(LookupError):
        SumyTokenizer("english").to_sentences("One. Two.")


@pytest.mark.usefixtures("no_nltk_data")
def test_lexrank_summarises_with_our_tokenizer_and_no_nltk_data() -> None:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    parser = PlaintextParser.from_string(ARTICLE, Tokenizer())
    document_sentences = [str(s) for s in parser.document.sentences]
    # The headline plus 8 sentences: "Mr.", "Jan." and "U.K." did not split anything.
    assert len(document_sentences) == 9
    assert document_sentences[1].startswith("Mr. Okafor") and "Jan. 5" in document_sentences[1]

    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    summary = [str(s) for s in summarizer(parser.document, 2)]
    assert len(summary) == 2
    assert all(sentence in document_sentences for sentence in summary)
    assert summary == sorted(summary, key=document_sentences.index)
