from digest.analysis import describe
from digest.config import TopicConfig
from digest.corpus import EMPTY, Item, assemble
from digest.models import Article, ArticleTopics, Block, Sentence
from digest.terms import Terms
from digest.topics import TopicMatcher, cover

TOPICS = (
    TopicConfig(name="Elections", keywords=("election", "ballot box", "polling station")),
    TopicConfig(name="US trade", keywords=("US", "tariff")),
)


def article(aid: str, *sentences: str, forced: tuple[str, ...] = ()) -> Article:
    return Article(
        id=aid,
        source_path=f"{aid}.txt",
        title=aid,
        source=aid,
        date=None,
        url=None,
        author=None,
        forced_topics=forced,
        sentences=tuple(Sentence(i, s, s, 0) for i, s in enumerate(sentences)),
        blocks=(Block("paragraph", 0, len(sentences)),),
    )


def matcher() -> TopicMatcher:
    return TopicMatcher(TOPICS, Terms())


ORDER = ["elections", "us-trade"]


def assign(a: Article) -> ArticleTopics:
    return describe(a, Terms(), matcher(), ORDER)[1]


def test_keywords_match_on_stems_and_record_why() -> None:
    hits = matcher().hits("Both elections were close, and the ballot boxes arrived late.")
    assert [(h.topic, h.terms) for h in hits] == [("elections", ("election", "ballot box"))]


def test_phrases_need_their_words_in_order() -> None:
    assert matcher().hits("The station near the polling booth was closed.") == ()
    assert matcher().hits("Every polling station opened at seven.")[0].topic == "elections"


def test_short_acronyms_match_case() -> None:
    assert matcher().hits("Let us wait for the results.") == ()
    assert matcher().hits("The US raised its tariffs on steel.")[0].terms == ("US", "tariff")


def test_possessives_match() -> None:
    hits = TopicMatcher((TopicConfig(name="Kenya", keywords=("Kenya",)),), Terms()).hits(
        "Kenya’s president spoke first."
    )
    assert hits and hits[0].topic == "kenya"


def test_assignment_is_per_sentence_and_one_article_feeds_several_topics() -> None:
    a = article("a", "The election is in May.", "Tariffs on steel rose.", "It rained all day.")
    result = assign(a)
    assert [[h.topic for h in hits] for hits in result.hits] == [["elections"], ["us-trade"], []]
    assert result.topics == ("elections", "us-trade")


def test_cover_gathers_members_and_their_matched_sentences() -> None:
    from digest.analysis import entry_of
    from digest.syndication import shingles

    a = article("a", "The election is in May.", "It rained all day.")
    b = article("b", "Tariffs rose again.")
    c = article("c", "Nothing about either here.", forced=("elections",))
    items = []
    for x in (a, b, c):
        facts, topics, _ = describe(x, Terms(), matcher(), ORDER)
        items.append(Item(entry_of(x, x.id, topics, (), ()), facts, shingles(x)))
    corpus = assemble(EMPTY, items)
    elections, trade = cover(TOPICS, corpus)
    assert elections.articles == ("a", "c")
    # a forced article without a matching sentence speaks for the topic with all its text
    assert [tuple(corpus.ref(p)) for p in elections.positions] == [("a", 0), ("c", 0)]
    assert trade.articles == ("b",)


def test_stop_words_are_sumys_list_read_without_its_language_lookup() -> None:
    from sumy.utils import get_stop_words

    from digest.terms import stop_words

    assert Terms().stop_words == get_stop_words("english") == stop_words("english")
    assert {"the", "and", "of"} <= stop_words("english")
    assert stop_words("en") == get_stop_words("english")  # a code: sumy's lookup
