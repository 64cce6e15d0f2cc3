"""What is not article text: credits, share buttons, comment forms, date markers.

Text pasted from the web carries page furniture. The rules here are general patterns of
such furniture (a photo credit is "Photo/Image/Picture" + separator + a short name, in
any outlet), tested on examples of our own, not a list of lines seen in one article.
A block is dropped only when *every* sentence in it is furniture, so an article
sentence that merely mentions a photo or a reply is always kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from digest.sentences import split_sentences

_F = re.IGNORECASE

# Each pattern must match a whole sentence (after trimming).
_FURNITURE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, _F)
    for p in (
        # Credits: "Photo: Reuters", "(Image: AP)", "Picture by Jane Doe/AFP", "Photograph: X".
        r"[(\[]?\s*(?:file\s+)?(?:photo(?:graph)?s?|images?|pictures?|pics?|video|footage|"
        r"graphics?|illustrations?|credits?|source)(?:\s+credits?)?\s*(?::|by\b|/|—|–|-)\s*"
        r"[^.!?]{1,80}[)\]]?",
        # A line that is only agency names: "Reuters", "AFP via Getty Images".
        r"[(\[]?(?:(?:AP|AFP|EPA|Reuters|Getty Images|Shutterstock|Xinhua|PA|ANI|Bloomberg)"
        r"(?:\s*(?:/|via|and|,)\s*)?)+[)\]]?",
        # Sharing and navigation.
        r"(?:source|original|full)\s+(?:link|article)|read\s+(?:more|the full (?:story|article))"
        r"(?:\s*[:»>].{0,120})?|continue reading.{0,40}|advertisement|sponsored(?: content)?|"
        r"skip to (?:main )?content|share (?:this|on)\b.{0,40}|click here\b.{0,80}|"
        r"related(?: articles| stories| coverage)?\s*:.{0,160}|"
        r"(?:sign up|subscribe)\b.{0,60}\bnewsletters?\b.{0,40}|follow us on\b.{0,60}|"
        r"(?:back to )?top|print(?: this (?:article|page))?|e-?mail(?: this (?:article|page))?",
        # Comment forms.
        r"leave a (?:reply|comment)|cancel reply|post(?: a)? comment|\d*\s*comments?|"
        r"your email address will not be published\.?|required fields are marked\s*\*?|"
        r"save my name, email, and website in this browser.{0,60}|"
        r"you must be logged in to post a comment\.?",
        # Rights lines.
        r"(?:copyright|©|\(c\))\s*.{0,80}|all rights reserved\.?",
    )
)

_DATE_MARKER = re.compile(r"\A\s*date\s*:?\s+(\d{4})-(\d{1,2})-(\d{1,2})\b[ \t]*", _F)


def compile_rules(extra: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """The built-in furniture patterns plus a site's own `boilerplate` expressions."""
    return _FURNITURE + tuple(re.compile(p, _F) for p in extra)


def is_furniture(text: str, rules: tuple[re.Pattern[str], ...] = _FURNITURE) -> bool:
    """True when every sentence of `text` is page furniture rather than article text."""
    return all_furniture(split_sentences(text), rules)


def all_furniture(sentences: Sequence[str], rules: tuple[re.Pattern[str], ...]) -> bool:
    """`is_furniture` of a text already split into (stripped) sentences: the reader
    splits each paragraph once, for this and for the article's sentences."""
    if not sentences:
        return True
    return all(any(rule.fullmatch(s.strip()) for rule in rules) for s in sentences)


def take_date_marker(text: str) -> tuple[dt.date | None, str, str | None]:
    """Split a leading `date YYYY-MM-DD` marker off pasted text.

    Returns (date, rest of text, problem). Web clippers glue the marker to the first
    sentence; it is metadata, so it must not open the article's first sentence. An
    impossible date is reported instead of silently dropped.
    """
    match = _DATE_MARKER.match(text)
    if not match:
        return None, text, None
    year, month, day = (int(g) for g in match.groups())
    rest = text[match.end() :]
    try:
        return dt.date(year, month, day), rest, None
    except ValueError as exc:
        return None, rest, f"date marker '{match.group(0).strip()}' is not a real date ({exc})"
