"""The parts of sumy digest uses, imported without NLTK and requests.

Importing sumy's summarisers imports NLTK (for sumy's Snowball stemmers; NLTK's package
imports most of NLTK), requests (for sumy's web page parser) and pycountry (to look a
language's name up, which pulls in `importlib.metadata`, `email` and `zipfile`). digest
calls none of them: stems come from PyStemmer (`terms.py`), sentences and words from
`sentences.py`, text from files, stop words from sumy's file. Yet NLTK and requests
were a third of a second of every build (a tenth of an edit rebuild of a large site),
and pycountry another hundredth, paid again by each `digest` command.

While sumy's modules are imported, those get stand-ins that import the real module on
first use of any of its names; a name sumy imports from a module (`from pycountry
import languages`) is a stand-in too, which imports the module when first used.
Nothing changes for code that does use them: sumy's `Stemmer("english")` still gets
NLTK's stemmer, then loaded. A module already imported (by a program that embeds
digest) is used as it is.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

_DEFERRED = ("nltk.stem.snowball", "requests", "pycountry")
_TAKEN = {"pycountry": frozenset({"languages"})}
"""Names sumy imports from a deferred module with `from ... import`: they stand in
for the module's attribute until first used."""


class _StandIn(types.ModuleType):
    """A module not imported yet: the first name looked up in it imports it. Asked
    while it still stands in (sumy, or another thread, needs the module before the
    import is over), it steps aside first, so the real module is imported."""

    def __getattr__(self, name: str) -> Any:
        taken = _TAKEN.get(self.__name__)
        if taken is not None and name == "__path__":
            # `from pycountry import languages` asks for the package's path first
            # (to import submodules by those names); without one, it asks for the name.
            raise AttributeError(name)
        if taken is not None and name in taken:
            return _Later(self.__name__, name)
        return getattr(_real(self.__name__), name)

    def __dir__(self) -> list[str]:
        return dir(_real(self.__name__))


def _real(name: str) -> types.ModuleType:
    """The module `name`, imported now if it stands in (which then steps aside)."""
    if isinstance(sys.modules.get(name), _StandIn):
        del sys.modules[name]
    return importlib.import_module(name)


class _Later:
    """A module's attribute, `from module import name`d while the module stood in: the
    module is imported, and the attribute looked up, when the name is first used."""

    def __init__(self, module: str, name: str) -> None:
        self._module = module
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._target(), attribute)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._target()(*args, **kwargs)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._target())

    def __len__(self) -> int:
        return len(self._target())

    def _target(self) -> Any:
        return getattr(_real(self._module), self._name)


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
