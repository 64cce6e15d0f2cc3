"""sumy is imported without NLTK, requests and pycountry, which digest never calls, and whoever
does call them still gets them. Each case runs in a fresh interpreter: the test
process has long imported both."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def _run(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_a_build_imports_neither_nltk_nor_requests_nor_pycountry() -> None:
    found = _run(
        """
        import json, sys
        import digest.build, digest.cli
        from digest.terms import Terms
        from digest.summarise import Summariser
        print(json.dumps({
            "loaded": sorted(
                m for m in sys.modules if m.split(".")[0] in ("nltk", "requests", "pycountry")
            ),
            "stop": "the" in Terms().stop_words,
        }))
        """
    )
    assert found == {"loaded": [], "stop": True}


def test_sumy_code_that_uses_them_gets_the_real_modules() -> None:
    found = _run(
        """
        import json, sys
        import digest.build
        import sumy.utils
        from sumy.nlp.stemmers import Stemmer
        stem = Stemmer("english")("running")
        german = sumy.utils.get_stop_words("de")  # looked up in pycountry's table
        print(json.dumps({
            "stem": stem,
            "german": "und" in german,
            "pycountry": type(sys.modules["pycountry"]).__name__,
            "nltk": type(sys.modules["nltk.stem.snowball"]).__name__,
            "get": callable(sumy.utils.requests.get),
            "requests": "requests.api" in sys.modules,
        }))
        """
    )
    assert found == {
        "stem": "run",
        "german": True,
        "pycountry": "module",
        "nltk": "module",
        "get": True,
        "requests": True,
    }


def test_modules_already_imported_are_used_as_they_are() -> None:
    found = _run(
        """
        import json, sys
        import nltk.stem.snowball, pycountry, requests
        import digest.build
        import sumy.nlp.stemmers, sumy.utils
        print(json.dumps({
            "nltk": sumy.nlp.stemmers.nltk_stemmers_module is nltk.stem.snowball,
            "requests": sumy.utils.requests is requests,
            "languages": sumy.utils.languages is pycountry.languages,
        }))
        """
    )
    assert found == {"nltk": True, "requests": True, "languages": True}


def test_a_module_needed_while_it_stands_in_is_imported_for_real() -> None:
    # Were a sumy release to use NLTK while it is imported, or another thread to import
    # requests meanwhile, they would get the real module, dunder names and all.
    found = _run(
        """
        import json, sys
        from digest.sumy_api import _standing_in
        before = "wave" in sys.modules or "tomllib" in sys.modules
        with _standing_in(("wave", "tomllib")):
            import wave, tomllib
            parsed = tomllib.loads("a = 1")
        print(json.dumps({
            "before": before,
            "parsed": parsed,
            "tomllib": type(sys.modules["tomllib"]).__name__,
            "file": wave.__file__.endswith("wave.py"),  # after the block: now imported
            "names": "open" in dir(wave),
            "wave": type(sys.modules["wave"]).__name__,
        }))
        """
    )
    assert found == {
        "before": False,
        "parsed": {"a": 1},
        "tomllib": "module",
        "file": True,
        "names": True,
        "wave": "module",
    }
