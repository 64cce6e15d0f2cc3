"""The parts of sumy digest uses, imported without NLTK and requests.

Importing sumy's summarisers imports NLTK (for sumy's Snowball stemmers; NLTK's package
imports most of NLTK) and requests (for sumy's web page parser). digest calls neither:
stems come from PyStemmer (`terms.py`), sentences and words from `sentences.py`, text
from files. Yet the two imports were a third of a second of every build: a tenth of an
edit rebuild of a large site, paid again by each `digest` command.

While sumy's modules are imported, those two get stand-ins that import the real module
on first use of any of its names. Nothing changes for code that does use them: sumy's
`Stemmer("english")` still gets NLTK's stemmer, then loaded. A module already imported
(by a program that embeds digest) is used as it is.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

_DEFERRED = ("nltk.stem.snowball", "requests")


class _StandIn(types.ModuleType):
    """A module not imported yet: the first name looked up in it imports it. Asked
    while it still stands in (sumy, or another thread, needs the module before the
    import is over), it steps aside first, so the real module is imported."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def __dir__(self) -> list[str]:
        return dir(self._real())

    def _real(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)


@contextmanager
def _standing_in(names: Sequence[str]) -> Iterator[None]:
    """Stand-ins for `names` (and their parent packages) in `sys.modules` while the
    block imports; afterwards a real import of one of them finds nothing in the way."""
    placed: list[str] = []
    for name in names:
        if name.split(".")[0] in sys.modules:
            continue
        parent: types.ModuleType | None = None
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            full = ".".join(parts[:depth])
            module = sys.modules.get(full)
            if module is None:
                module = sys.modules[full] = _StandIn(full)
                placed.append(full)
            if parent is not None:
                # `import a.b.c as m` takes `b` and `c` as attributes of their parents.
                setattr(parent, parts[depth - 1], module)
            parent = module
    try:
        yield
    finally:
        for full in placed:
            if isinstance(sys.modules.get(full), _StandIn):
                del sys.modules[full]


with _standing_in(_DEFERRED):
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as Sentence
    from sumy.summarizers.edmundson import EdmundsonSummarizer
    from sumy.summarizers.kl import KLSummarizer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.reduction import ReductionSummarizer
    from sumy.summarizers.sum_basic import SumBasicSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words, parse_stop_words

__all__ = [
    "EdmundsonSummarizer",
    "KLSummarizer",
    "LexRankSummarizer",
    "LsaSummarizer",
    "LuhnSummarizer",
    "ObjectDocumentModel",
    "Paragraph",
    "ReductionSummarizer",
    "Sentence",
    "SumBasicSummarizer",
    "TextRankSummarizer",
    "get_stop_words",
    "parse_stop_words",
]
