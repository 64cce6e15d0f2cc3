import datetime as dt

import pytest

from digest.clean import compile_rules, is_furniture, take_date_marker


@pytest.mark.parametrize(
    "line",
    [
        "Photo: Harbour Agency",
        "(Image: AFP)",
        "Picture by Jane Roe/EPA",
        "Photograph: Sam Lee for the Daily Mirror",
        "Source link",
        "Read more: How the vote was counted",
        "Advertisement",
        "Share this article",
        "Leave a Reply",
        "Cancel reply",
        "Your email address will not be published. Required fields are marked *",
        "Save my name, email, and website in this browser for the next time I comment.",
        "© 2024 Valley Times. All rights reserved.",
        "AFP via Getty Images",
        "Sign up for our morning newsletter",
    ],
)
def test_page_furniture_is_recognised(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "The photo shows the minister leaving the building.",
        "Image rights were sold to a gallery in 2019, the court heard.",
        "Reuters reported that talks would resume on Friday.",
        "He did not reply to requests for comment.",
        "Readers can leave a reply on the council's website, officials said.",
        "Share prices fell 3% on Monday.",
    ],
)
def test_article_sentences_that_mention_the_same_words_are_kept(line: str) -> None:
    assert not is_furniture(line)


def test_a_block_with_one_real_sentence_is_kept() -> None:
    assert not is_furniture("Photo: Harbour Agency. Divers reached the wreck at dawn.")


def test_site_rules_extend_the_built_in_ones() -> None:
    rules = compile_rules([r"Listen to this article.*"])
    assert is_furniture("Listen to this article (4 min)", rules)
    assert not is_furniture("Listen to this article (4 min)")


def test_date_marker() -> None:
    assert take_date_marker(" date 2022-03-04 Rain fell.") == (
        dt.date(2022, 3, 4),
        "Rain fell.",
        None,
    )
    assert take_date_marker("Date: 2022-03-04\nRain fell.")[0] == dt.date(2022, 3, 4)
    assert take_date_marker("Rain fell on 2022-03-04.") == (None, "Rain fell on 2022-03-04.", None)
    date, _, problem = take_date_marker("date 2022-13-01 Rain.")
    assert date is None and problem is not None and "not a real date" in problem
