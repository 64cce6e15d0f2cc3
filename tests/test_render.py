from types import SimpleNamespace
from typing import Any

import pytest

from digest.render import linker, relative_url


@pytest.mark.parametrize(
    ("page", "target", "expected"),
    [
        ("index.html", "static/style.css", "static/style.css"),
        ("articles/a.html", "static/style.css", "../static/style.css"),
        ("articles/a.html", "topics/t.html", "../topics/t.html"),
        ("articles/a.html", "articles/b.html#s3", "b.html#s3"),
        ("articles/a.html", "articles/a.html#s3", "a.html#s3"),
        ("topics/t.html", "index.html", "../index.html"),
        ("index.html", "#top", "index.html#top"),
        ("editions/2024-05-02/page-2.html", "editions/2024-05-02.html", "../2024-05-02.html"),
        ("topics/t/page-2.html", "articles/a.html#s1", "../../articles/a.html#s1"),
        ("topics/t/page-2.html", "topics/t/page-3.html", "page-3.html"),
        ("topics/t.html", "./", "../"),
        ("topics/t.html", "topics/../index.html", "../index.html"),
    ],
)
def test_relative_url(page: str, target: str, expected: str) -> None:
    assert relative_url(page, target) == expected
    # Pages get `url()` bound to themselves; it must answer the same.
    site: Any = SimpleNamespace(base_url="https://user.github.io/repo/")
    assert linker(page, site)(target) == expected


def test_the_404_page_links_absolutely_when_there_is_a_base_url() -> None:
    site: Any = SimpleNamespace(base_url="https://user.github.io/repo/")
    assert linker("404.html", site)("static/style.css") == (
        "https://user.github.io/repo/static/style.css"
    )
    site = SimpleNamespace(base_url="")
    assert linker("404.html", site)("static/style.css") == "static/style.css"
