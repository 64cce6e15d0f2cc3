"""Direct quotations, their speakers, and the same quotation across sources.

News copy mixes curly and straight double quotes (often in one pair: “…," ), uses curly
single quotes as outer quotes where apostrophes use the same character (‘country’s
security…’), nests 'single' quotes inside double ones, splits a quote around "he said",
and leaves a quote open at the end of a paragraph when it continues in the next. Quotes
are found per paragraph, so a quote of several sentences is one quote; nested quotes stay
inside the outer one.

The speaker is the name next to a speech verb beside the quote ("…," Wang said / said
Wang / Wang said: "…" / according to Price, "…"). A pronoun ("he added") is resolved to
the last named speaker earlier in the same article, as a reader would.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from digest.models import Article, SentenceRef

_Pair = TypeVar("_Pair", bound=Hashable)
"""A word pair as the grouping compares them: a tuple of words, or its number."""

MIN_WORDS = 4
"""Shorter quotations ("stop interfering") are scare quotes more than statements: they are
found, but not listed as key quotes."""

_PROBE_DF = 64
"""A word pair in more quotations than this is too common to propose candidates."""

_DOUBLE = '"“”„″'
_DOUBLE_MARK = re.compile('["“”„″]')
_SINGLE_END = re.compile("[’'\"“”„″]")
_OPENER = re.compile("[\"“„″‘']")
"""Characters that may open a quotation (a closing ” never does)."""
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

_VERBS = (
    r"(?i:said|says|say|added|adds|told|tells|stressed|insisted|urged|warned|noted|stated|"
    r"declared|asked|replied|wrote|writes|explained|argued|claimed|demanded|continued|"
    r"emphasi[sz]ed|underscored|tweeted|announced|concluded|remarked|reiterated|"
    r"pointed out|went on|called|read|reads|quoted|blamed|promised|accused|described|"
    r"vowed|pledged|admitted|denied|predicted|suggested|complained|welcomed|critici[sz]ed|"
    r"dismissed|defended|acknowledged|confirmed|conceded|told)"
)
_NAME = (
    r"(?:(?:[Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts)\s+)?[A-Z][\w’'-]*(?:\.(?=\s[A-Z]))?"
    r"(?:[\s-]+(?:[A-Z][\w’'-]*(?:\.(?=\s[A-Z]))?|of|for|the|de|al|bin|van|von))*"
)
_PRONOUN = r"(?i:he|she|they|it)"
_COMMON_SPEAKER = (
    r"(?i:the|a|an|his|her|their|its)\s+(?:[\w-]+\s+){0,3}"
    r"(?i:minister|ministry|spokesman|spokeswoman|spokesperson|official|officials|president|"
    r"statement|secretary|mayor|leader|chief|governor|police|agency|embassy|government|"
    r"diplomat|counterpart|colleague|authority|authorities|union|council|company|court|"
    r"army|military|office|department|committee|spokesman)"
)
_ANY_SPEAKER = rf"(?:{_PRONOUN}|{_COMMON_SPEAKER}|{_NAME})"
# "said harbour master Tomas Berg": a lowercase description before the name.
_DESCRIBED = rf"(?P<name>(?:[a-z][\w-]*\s+){{1,3}}{_NAME})"
_SPEAKER = rf"(?P<name>{_ANY_SPEAKER})(?:\s*\([^)]{{1,40}}\))?"
_ADVERB = r"(?:(?i:also|then|later)\s+)?"
# "Dunst, who heads the union, said" / "Marrow, the foreign minister, warned"; "on Monday".
_ASIDE = r"(?:,[^,“\"‘]{1,60},)?(?:\s+(?:on|last|this|late|early)\s+[A-Z]?\w+)?"

# After the quote: `, Wang said` / `, said Wang` / `he added` (the quote's comma is inside).
_AFTER = (
    re.compile(rf"^[\s,]*{_SPEAKER}{_ASIDE}\s+{_ADVERB}{_VERBS}\b"),
    re.compile(rf"^[\s,]*{_VERBS}\s+{_SPEAKER}"),
    re.compile(rf"^[\s,]*{_VERBS}\s+{_DESCRIBED}"),
    re.compile(rf"^[\s,]*{_DESCRIBED}{_ASIDE}\s+{_ADVERB}{_VERBS}\b"),
    # A partial quote mid-sentence: "… “defend every mile” of its waters, Serrat said".
    re.compile(rf"^[^“\"‘.!?]{{0,80}}?,\s+{_SPEAKER}{_ASIDE}\s+{_ADVERB}{_VERBS}\b"),
    re.compile(rf"^[^“\"‘.!?]{{0,80}}?,\s+{_DESCRIBED}{_ASIDE}\s+{_ADVERB}{_VERBS}\b"),
)
# Before the quote: `Wang said: ` / `Wang told Blinken that ` / `according to Price, `.
_BEFORE = (
    re.compile(rf"(?i:according to)\s+{_SPEAKER}[\s,:]*$"),
    # The last "Name (aside) verb" of the clause that leads into the quote:
    # "Heller said the rationing would last “…”".
    re.compile(rf"(?<![\w’'-]){_SPEAKER}{_ASIDE}\s+{_ADVERB}{_VERBS}\b(?!.*\b{_VERBS}\b)"),
    # "Caldria's chief negotiator, Paulo Serrat, said …": the name in the aside.
    re.compile(rf",\s+{_SPEAKER},\s+{_ADVERB}{_VERBS}\b(?!.*\b{_VERBS}\b)"),
)
_SPLIT = re.compile(
    rf"[\s,]*(?:{_ANY_SPEAKER}\s+{_ADVERB}{_VERBS}|{_VERBS}\s+{_ANY_SPEAKER})[^.!?]{{0,40}}?[,:]?\s*"
)
_PRONOUNS = {"he", "she", "they", "it"}


class _Quoted(NamedTuple):
    ref: SentenceRef
    """The sentence where the quotation begins."""
    text: str
    """The quoted words, without the outer quote marks."""
    speaker: str | None
    """As named in the article ("Wang", "the foreign ministry"); None when nobody is."""
    wording: str
    """The words, lower case, plural and possessive endings folded, joined by spaces:
    what comparing quotations looks at. One string rather than a tuple of words, made
    once: a site's state holds tens of thousands of quotations, loaded every build."""


class Quotation(_Quoted):
    """One direct quotation in one article (a named tuple: pickled and loaded in C)."""

    __slots__ = ()

    @classmethod
    def of(cls, ref: SentenceRef, text: str, speaker: str | None) -> Quotation:
        """The quotation of `text`, its wording made here. (A classmethod rather than
        `__new__`: loading a site's state makes tens of thousands of quotations, and
        pickle calls `__new__` for each.)"""
        return cls(ref, text, speaker, " ".join(_light_stems(_words(text))))

    @property
    def words(self) -> tuple[str, ...]:
        """The quoted words, lower case."""
        return _words(self.text)

    @property
    def length(self) -> int:
        """How many words the quotation has."""
        return self.wording.count(" ") + 1 if self.wording else 0


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower().replace("’", "'") for w in _WORD.findall(text))


def spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every top-level quotation in `text`, marks excluded."""
    found: list[tuple[int, int]] = []
    n = len(text)
    mark = _OPENER.search(text)
    while mark is not None:
        i = mark.start()
        ch = text[i]
        nxt = i + 1
        if ch in _DOUBLE:
            end = _next(text, i + 1, _DOUBLE_MARK)
            stop = n if end < 0 else end
            if stop > i + 1:
                found.append((i + 1, stop))
            nxt = stop + 1
        elif ch == "‘" or _opens_single(text, i):
            end = _single_close(text, i + 1, ch)
            if end > i + 1:
                found.append((i + 1, end))
                nxt = end + 1
        mark = _OPENER.search(text, nxt)
    return found


def _next(text: str, start: int, chars: re.Pattern[str]) -> int:
    found = chars.search(text, start)
    return -1 if found is None else found.start()


def _opens_single(text: str, i: int) -> bool:
    return (i == 0 or not text[i - 1].isalnum()) and i + 1 < len(text) and text[i + 1].isalpha()


def _single_close(text: str, start: int, opener: str) -> int:
    closers = "’" if opener == "‘" else "'"
    for m in _SINGLE_END.finditer(text, start):
        j = m.start()
        if text[j] in closers:
            after = text[j + 1] if j + 1 < len(text) else " "
            if not after.isalpha():
                return j
        elif text[j] in _DOUBLE:
            return -1
    return -1


def extract(article: Article) -> tuple[Quotation, ...]:
    """Every quotation of the article's prose, in order, with its speaker."""
    quotes: list[Quotation] = []
    last_speaker: str | None = None
    for block in article.blocks:
        if block.kind in ("heading", "code"):
            continue
        sentences = article.sentences[block.start : block.stop]
        starts, parts, offset = [], [], 0
        for s in sentences:
            starts.append(offset)
            parts.append(s.text)
            offset += len(s.text) + 1
        text = " ".join(parts)
        found = spans(text)
        speakers = [_speaker(text, start, end) for start, end in found]
        # "“A,” she said, “B.”": the second half has no verb of its own.
        for k in range(1, len(found)):
            if speakers[k] is None and _split_pair(text, found[k - 1][1], found[k][0]):
                speakers[k] = speakers[k - 1]
        for (start, end), speaker in zip(found, speakers, strict=True):
            quoted = text[start:end].strip().rstrip(",").strip()
            if not _WORD.search(quoted):
                continue
            if speaker is not None and speaker.lower() in _PRONOUNS:
                speaker = last_speaker
            elif speaker is not None and speaker[:1].isupper():
                last_speaker = speaker  # "she" refers to a person, not "the ministry"
            index = max(k for k, st in enumerate(starts) if st <= start)
            quotes.append(
                Quotation.of(SentenceRef(article.id, sentences[index].index), quoted, speaker)
            )
    return tuple(quotes)


def _speaker(text: str, start: int, end: int) -> str | None:
    after = text[end + 1 : end + 80]
    for pattern in _AFTER:
        m = pattern.match(after)
        if m:
            return _tidy(m.group("name"))
    before = text[max(0, start - 160) : max(0, start - 1)]
    # Only the clause that leads into the quote, not an earlier sentence.
    before = re.split(r"[.!?][\"”’']?\s+(?=[A-Z“\"‘])", before)[-1]
    for pattern in _BEFORE:
        m = pattern.search(before)
        if m:
            return _tidy(m.group("name"))
    return None


def _split_pair(text: str, end: int, start: int) -> bool:
    return bool(_SPLIT.fullmatch(text[end + 1 : start - 1]))


def _tidy(name: str) -> str:
    name = name.strip(" ,:")
    return re.sub(r"^(?:the|a|an)\s+(?=[A-Z])", "", name)


@dataclass(frozen=True, slots=True)
class QuoteGroup:
    """One statement quoted by one or more articles."""

    quotations: tuple[Quotation, ...]
    """Every article's quotation of it; the first is the one shown."""
    speaker: str | None
    """The name most articles give the speaker."""


def _shingles(words: Sequence[str], n: int = 3) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def same_quotation(a: Quotation, b: Quotation) -> bool:
    """Whether the shorter quotation is mostly inside the longer one (word pairs, so one
    changed word costs two pairs, not the match), and, when both are long, the longer is
    not mostly something else: a short partial quote belongs to the full quote, but a long
    quote that merely contains the same clause is a different statement."""
    wa, wb = a.wording.split(), b.wording.split()
    if min(len(wa), len(wb)) < MIN_WORDS:
        return False
    return _pairs_match(_shingles(wa, 2), _shingles(wb, 2))


def _pairs_match(sa: AbstractSet[_Pair], sb: AbstractSet[_Pair]) -> bool:
    small, large = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    shared = len(small & large)
    if shared / len(small) < 0.5:
        return False
    return len(small) < 8 or shared / len(large) >= 0.3


_ENDING = re.compile(r"(?:'s|s)$")


def _light_stems(words: Sequence[str]) -> tuple[str, ...]:
    # Plural and possessive endings only: "negotiation" and "negotiations" are one word.
    return tuple(_ENDING.sub("", w) if len(w) > 3 else w for w in words)


def group(quotations: Sequence[Quotation]) -> tuple[QuoteGroup, ...]:
    """Star clustering: the quotation that matches most others heads a group and takes
    them; repeat. Stars, not connected components, so one long quote that contains two
    statements cannot chain them into one group.

    Outlets repeat a quote word for word, so the work is done once per distinct wording
    (its plural-folded words): the same words always match each other, however many
    articles carry them, and a wording's copies join a group together.
    """
    candidates = [q for q in quotations if q.length >= MIN_WORDS]
    copies: dict[str, list[int]] = {}
    for i, quotation in enumerate(candidates):
        copies.setdefault(quotation.wording, []).append(i)
    wordings = list(copies)
    split = [w.split() for w in wordings]
    count = [len(copies[w]) for w in wordings]
    size = [len(w) for w in split]
    # Each word pair as a number: the links compare these sets tens of thousands of
    # times, and a tuple's hash is computed afresh at each look, a number's never.
    numbers: dict[tuple[str, ...], int] = {}
    number = numbers.setdefault
    links = _links([{number(p, len(numbers)) for p in _shingles(w, 2)} for w in split], count)

    def comparable(i: int) -> int:
        # Neighbours of about the same length: a statement quoted by several outlets,
        # not a long quote that happens to contain it.
        near = sum(count[j] for j in links[i] if 2 * min(size[i], size[j]) >= max(size[i], size[j]))
        return count[i] - 1 + near

    def linked(i: int) -> int:
        return count[i] - 1 + sum(count[j] for j in links[i])

    # Heads in one fixed order, computed once (a greedy pass, linear in the links).
    order = sorted(range(len(wordings)), key=lambda i: (-comparable(i), -linked(i), size[i], i))
    taken: set[int] = set()
    groups: list[QuoteGroup] = []
    for head in order:
        if head in taken:
            continue
        members = [head, *sorted(links[head] - taken)]
        taken.update(members)
        # Show the median-length wording: neither a two-word fragment nor the one outlet
        # that quoted a whole paragraph.
        chosen = sorted(
            (candidates[q] for m in members for q in copies[wordings[m]]),
            key=lambda c: (c.length, c.ref),
        )
        chosen.insert(0, chosen.pop(len(chosen) // 2))
        groups.append(QuoteGroup(tuple(chosen), _usual_speaker(chosen)))
    return tuple(groups)


def _links(pairs_of: Sequence[set[int]], count: Sequence[int]) -> list[set[int]]:
    """Which wordings match: candidates share one of a wording's word pairs, and only
    pairs rare enough to tell statements apart (counted over quotations, copies
    included), so the cost per wording is bounded and grouping grows with the number of
    wordings, not its square."""
    postings: dict[int, list[int]] = {}
    frequency: dict[int, int] = {}
    for i, pairs in enumerate(pairs_of):
        for pair in pairs:
            postings.setdefault(pair, []).append(i)
            frequency[pair] = frequency.get(pair, 0) + count[i]
    links: list[set[int]] = [set() for _ in pairs_of]
    for i, pairs in enumerate(pairs_of):
        near: set[int] = set()
        # Pairs no other wording has cannot link anything: probe the rarest shared ones.
        shared = sorted((frequency[p], p) for p in pairs if len(postings[p]) > 1)
        for df, pair in shared:
            if df > _PROBE_DF:
                break
            near.update(j for j in postings[pair] if j > i)
        for j in sorted(near):
            if _pairs_match(pairs_of[i], pairs_of[j]):
                links[i].add(j)
                links[j].add(i)
    return links


def _usual_speaker(quotations: Sequence[Quotation]) -> str | None:
    names = [q.speaker for q in quotations if q.speaker]
    if not names:
        return None
    # The most frequent name, a proper name before "the minister", then the longest
    # ("Wang Yi" over "Wang").
    return max(names, key=lambda n: (names.count(n), n[:1].isupper(), len(n), n))
