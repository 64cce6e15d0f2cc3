"""Invented outlet names, and invented news text for when no real corpus is at hand.

The synthetic stories are a fallback so the speed harness runs anywhere; they are
grammatical but repetitive, and the corpus labels them as synthetic. Real timings should
come from real text (see corpus.py).
"""

from __future__ import annotations

import random

_PLACES = ["Northfield", "Harbor", "Valley", "Capital", "Lakeside", "Ridge", "Coastal", "Midland"]
_PAPERS = ["Courier", "Daily", "Herald", "Ledger", "Dispatch"]
OUTLETS: tuple[str, ...] = tuple(f"{p} {n}" for p in _PLACES for n in _PAPERS)
"""Forty outlets, so the source pages and de-duplication see many voices."""

_SYLLABLES = ["var", "en", "holm", "tir", "ak", "os", "mel", "dun", "ra", "bel", "kor", "ith"]
_EVENTS = [
    ("flood", "river levels", "evacuation"),
    ("strike", "dock workers", "wage talks"),
    ("election", "ballot count", "coalition"),
    ("wildfire", "fire crews", "containment"),
    ("merger", "shareholders", "regulators"),
    ("outbreak", "health officials", "vaccination"),
    ("drought", "farmers", "water rationing"),
    ("trial", "prosecutors", "verdict"),
]
_ACTORS = [
    "the mayor",
    "a government spokesperson",
    "the regional governor",
    "police",
    "local residents",
    "an independent analyst",
    "the opposition leader",
    "aid groups",
]
_VERBS = ["warned", "confirmed", "denied", "said", "reported", "announced", "insisted"]
_DAYS = [
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "late on Thursday",
    "on Friday",
    "over the weekend",
    "earlier this week",
]
_TEMPLATES = [
    "{Actor} {verb} {day} that the {event} in {place} had affected {number} households.",
    "In {place}, {group} {verb} that {topic} would continue for at least {number} days.",
    "“We are doing everything we can,” {actor} {verb} of the {event} near {place}.",
    "The {event} has drawn attention to {topic}, which {group} have debated for years.",
    "{Actor} {verb} {day} that {group} in {place} expected more news about {topic}.",
    "Officials in {place} put the cost of the {event} at {number} million dollars.",
    "Critics said the response to the {event} had been slow, and {group} agreed.",
]


def _place(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()


def _sentence(rng: random.Random, place: str, event: tuple[str, str, str]) -> str:
    actor = rng.choice(_ACTORS)
    return rng.choice(_TEMPLATES).format(
        Actor=actor[0].upper() + actor[1:],
        actor=actor,
        verb=rng.choice(_VERBS),
        day=rng.choice(_DAYS),
        event=event[0],
        group=event[1],
        topic=event[2],
        place=place,
        number=rng.randint(2, 900),
    )


def synthetic_stories(
    rng: random.Random, stories: int = 24, docs: int = 10, paragraphs: int = 10
) -> list[tuple[str, list[list[str]]]]:
    """(story name, documents of paragraphs of 1-4 invented sentences) per story."""
    result = []
    for s in range(stories):
        place, event = _place(rng), _EVENTS[s % len(_EVENTS)]
        texts = [
            [
                " ".join(_sentence(rng, place, event) for _ in range(rng.randint(1, 4)))
                for _ in range(paragraphs)
            ]
            for _ in range(docs)
        ]
        result.append((f"synthetic-{s + 1:02d}", texts))
    return result
