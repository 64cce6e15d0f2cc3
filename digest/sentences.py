"""Offline sentence splitting and word tokenising for English news text.

Why hand-written rules rather than a library: sumy's default tokenizer needs NLTK's punkt
data, which cannot be downloaded on offline machines, and the PyPI splitters we measured
(pysbd, syntok, blingfire; see ``benchmarks/sentence_split.py``) were no more accurate on
news text, 7 to 170 times slower, and missed news conventions such as ``"Why?" Wang
asked.``; the only one close on accuracy ships a native binary. Every summary sentence
must be a verbatim slice of its source, so the splitter works on character offsets and
never rewrites text.

How it works: one compiled regex finds *candidate* boundaries (a run of ``.``, ``!``, ``?``
or ``…``, any closing quotes or brackets, then whitespace), plus blank lines. Each
candidate is then judged by a few cheap rules on the token before the punctuation and the
text after the whitespace. Candidates are rare (about one per sentence), so the per-candidate
Python work stays small: about 300,000 sentences per second on news paragraphs.

The rules, in order:

* A blank line always ends a sentence, punctuation or not (headlines, list items).
* Nothing ends before a lowercase word ("at 5 p.m. yesterday", "Who is Sylvia? by"),
  except where one quotation closes and the next opens (quoted texts keep their case).
* ``?``/``!`` and ellipses end a sentence before a capital, unless a quote closes and a
  speech attribution follows (``"Why?" Wang asked.``), which belongs to the quote.
* After ``.`` the preceding token decides: titles (``Mr.``, ``Dr.``, ``Gen.`` ...) and
  ``vs.``/``e.g.``/``i.e.`` never end a sentence; numbering words (``No.``, months) end
  one only before a capital, not before a number (``Jan. 5``); ambiguous abbreviations
  (initialisms such as ``U.S.`` or ``p.m.``, single initials, ``Inc.``, ``Jr.`` ...) end one
  only before an opening quote or a common sentence starter such as "The", "It" or "But",
  so "the U.S. Treasury" and "George W. Bush" stay whole but "moved to the U.S. The
  company said" splits. Any other word ends a sentence before a capital or a digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Tokenizer", "sentence_spans", "split_sentences", "words"]

_CLOSERS = "\"'\u201d\u2019\u00bb)]}"
_OPENERS = "\"'\u201c\u2018\u00ab([{"
_QUOTES = "\"'\u201c\u2018\u00ab"

# Group 1: terminal punctuation; 2: closing quotes/brackets; 3: the whitespace after them.
# The second branch is a blank line; its groups are None. Both branches start on a fixed
# character and the lookahead says which, which lets the regex engine skip ordinary text
# quickly: this alone made the splitter three times faster than a branch that starts with
# optional whitespace (trailing spaces before a blank line are trimmed in Python instead).
# A punctuation run is only tried from its first character (the lookbehind): retrying it
# from every later character made a long run of dots quadratic.
_CANDIDATE = re.compile(
    r"(?=[.!?\u2026\n])(?:(?<![.!?\u2026])([.!?\u2026]+)(["
    + re.escape(_CLOSERS)
    + r"]*)(\s+)|\n[^\S\n]*\n\s*)"
)

# Initialisms like U.S, U.K, a.m, e.g, Ph.D (the final period is not part of the token).
_INITIALISM = re.compile(r"(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}")

# Brand names that start lowercase but still begin a sentence: iPod, eBay.
_CAMEL = re.compile(r"[a-z]{1,2}[A-Z]")

# Words that very often open a news sentence; used only after ambiguous abbreviations.
# The lookahead stops "A. A. Milne" from reading the initial "A." as the article "A".
_STARTER = re.compile(
    r"(?:The|This|That|These|Those|There|Then|It|Its|It's|He|His|She|Her|They|Their|We|Our"
    r"|I|You|But|And|Or|So|Yet|In|On|At|By|For|From|With|A|An|As|After|Before|During|If"
    r"|When|While|Since|Although|Though|However|Meanwhile|Still|Also|Now|Some|Many|Most"
    r"|All|No|Other|Officials|Analysts|What|Why|How|Who|Where|Last|Earlier|Later|Next)"
    r"(?![\w.'\u2019-])"
)

# After `?"` or `!"` a capitalised speaker plus speech verb continues the sentence.
_ATTRIBUTION = re.compile(
    r"(?:[A-Z][\w.'\u2019-]*\s+){1,5}(?:(?:later|then|also|\w+ly)\s+)?"
    r"(?:said|says|asked|asks|added|adds|told|tells|wrote|writes|replied|replies"
    r"|recalled|recalls|explained|insisted|warned|shouted|declared|continued|joked)\b"
)


def _abbreviations(spaced: str) -> frozenset[str]:
    """Abbreviations as written before their period; kept as text so the lists stay short."""
    return frozenset(spaced.split())


# Titles and particles that are always followed by more of the same sentence.
_NEVER_FINAL = _abbreviations(
    "Mr Mrs Ms Mx Dr Prof Gen Sen Rep Gov Lt Col Sgt St Rev Capt Cmdr Adm Maj Brig Hon"
    " Pres Supt Det Insp Fr Messrs Mmes Mt Ft Cpl Pvt Gens Sens Reps Atty"
    " vs v e.g i.e cf viz approx ca"
)
# Abbreviations that precede a number ("No. 10", "Jan. 5") but can end a sentence.
_BEFORE_NUMBER = _abbreviations(
    "No Nos no nos Vol vol Fig fig pp p Art Ch ch Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
)
# Abbreviations that often end a sentence and as often do not: decided by the next word.
_AMBIGUOUS = _abbreviations("Inc Corp Ltd Co Bros Jr Sr al Ave Blvd Rd Dept Univ Assn")

_UPPER, _DIGIT, _OTHER = 1, 2, 3


def _next_start(text: str, pos: int) -> tuple[int, bool, int]:
    """Classify what follows a candidate: (kind, opened by quote/bracket, index of it).

    Only the first one or two characters are read, so this stays cheap on every candidate.
    """
    n = len(text)
    opened = False
    while pos < n - 1 and text[pos] in _OPENERS:
        pos += 1
        opened = True
    ch = text[pos]
    if ch.isupper():
        return _UPPER, opened, pos
    if ch.isdigit() or (ch in "$\u00a3\u20ac\u00a5" and pos < n - 1 and text[pos + 1].isdigit()):
        return _DIGIT, opened, pos
    if ch.islower():
        return (_UPPER if _CAMEL.match(text, pos) else _OTHER), opened, pos
    # Caseless scripts have no capitals to look for: any letter may start a sentence.
    return (_UPPER if ch.isalpha() else _OTHER), opened, pos


def _token_before(text: str, end: int) -> str:
    """The word the punctuation at `end` is attached to, without quotes or brackets."""
    window = text[max(0, end - 24) : end]
    if not window or window[-1].isspace():
        return ""
    return window.rsplit(None, 1)[-1].lstrip(_OPENERS).rstrip(_CLOSERS)


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    """Decide one candidate; see the module docstring for the rules and their order."""
    punct, closers, space = match.group(1, 2, 3)
    if punct is None or space.count("\n") > 1:
        return True
    kind, opened, pos = _next_start(text, match.end())
    quoted = any(c not in ")]}" for c in closers)
    if kind == _OTHER:
        # A quotation that ends and another that opens are two sentences whatever the case
        # ('... to trev." "think ...'): quoted speech keeps its writer's lowercase.
        return quoted and text[match.end()] in _QUOTES and text[pos].isalpha()
    if "?" in punct or "!" in punct or len(punct) > 1 or punct == "\u2026":
        if kind != _UPPER and ("." in punct or "\u2026" in punct):
            return False  # an ellipsis before a number is a pause, not an end
        return not (quoted and not opened and _ATTRIBUTION.match(text, pos))
    token = _token_before(text, match.start())
    if token in _NEVER_FINAL:
        return False
    if token in _BEFORE_NUMBER:
        return kind == _UPPER
    if token in _AMBIGUOUS or (len(token) == 1 and token.isalpha()) or _INITIALISM.fullmatch(token):
        return (opened and kind == _UPPER) or _STARTER.match(text, pos) is not None
    return True


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence in `text`.

    Each span is stripped of surrounding whitespace; spans are in order, non-overlapping, and
    together cover every non-whitespace character of text. Offsets rather than strings are
    the primary result so callers can link a summary sentence back to its exact source
    position, and so that nothing (not even whitespace) is ever rewritten.
    """
    spans: list[tuple[int, int]] = []
    stripped = text.lstrip()
    if not stripped:
        return spans
    start = len(text) - len(stripped)
    end_of_text = len(text.rstrip())
    for match in _CANDIDATE.finditer(text, start, end_of_text):
        if _is_boundary(text, match):
            if match.group(3) is not None:
                cut = match.start(3)
            else:
                cut = match.start()
                while text[cut - 1].isspace():  # start..cut holds a non-space, so this stops
                    cut -= 1
            spans.append((start, cut))
            start = match.end()
    spans.append((start, end_of_text))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, each a verbatim, stripped slice of it."""
    return [text[s:e] for s, e in sentence_spans(text)]


# A word is a run of letters/digits; apostrophes and hyphens may join two runs, and a
# point or comma may join two digit runs (decimals "1.13", thousands "464,000").
# Possessive: nothing follows a run that could make the engine give part of it back,
# so it keeps no backtracking state (a tenth less time on news text).
_WORD = re.compile(r"[^\W_]++(?:['\u2019\u2010\u2011-][^\W_]++|(?<=\d)[.,](?=\d)[^\W_]++)*+")


def words(sentence: str) -> list[str]:
    """Word tokens of `sentence`, all punctuation dropped.

    Internal apostrophes and hyphens are kept ("don't", "Russia's", "well-known") and so is
    the possessive 's, because the caller stems and a split-off "s" would become a frequent
    non-word. Digits joined by a point or comma stay one number ("1.13", "464,000"), so
    figures do not produce spurious shared words like "000" between unrelated sentences.
    """
    return _WORD.findall(sentence)


@dataclass(frozen=True, slots=True)
class Tokenizer:
    """The tokenizer handed to sumy in place of its NLTK-backed default.

    sumy's parsers only call `to_sentences` and `to_words` and read `language`, so this
    duck-typed class is all it needs and keeps NLTK data out of the picture entirely.
    """

    language: str = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """The sentences of one paragraph, in order."""
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """The word tokens of one sentence."""
        return tuple(words(sentence))
