"""The bad-input corpus: every folder of tests/invalid/ is one case, asserted by its message.

A case folder is laid over a small valid site (`_base/`: config.yaml and one good
article) and built with `digest build` in-process, from the site folder:

- `expected.txt`: the exact lines the build must print to stderr (`{site}` stands for the
  site's absolute path, `{tmp}` for the folder that holds it). A case with an `error:`
  line must exit 1 and write nothing; one with only `warning:` lines must build (exit 0),
  leave every skipped file out of digest.json, and fail with `--strict`, printing the
  same warnings first. An empty file means the input is
  accepted without a word, with `--strict` too.
- `args.txt` (optional): extra command-line arguments, one per line.
- `contains.txt` (optional): `output/path.html: text` lines; the text must be on that
  page as a reader sees it (tags stripped, whitespace collapsed).

To add a case, make a folder with the files that differ from `_base/` and an
`expected.txt`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from digest.cli import main

CORPUS = Path(__file__).resolve().parent / "invalid"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))
STRICT = "error: {count} with --strict; the previous output is unchanged"


def lay_out(case: str, site: Path) -> Path:
    shutil.copytree(CORPUS / "_base", site)
    shutil.copytree(CORPUS / case, site, dirs_exist_ok=True)
    for name in ("expected.txt", "args.txt", "contains.txt"):
        (site / name).unlink(missing_ok=True)
    return site


def read_lines(case: str, name: str, site: Path) -> list[str]:
    path = CORPUS / case / name
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    text = text.replace("{site}", str(site)).replace("{tmp}", str(site.parent))
    return text.splitlines()


def run(
    args: list[str], site: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> tuple[int, list[str]]:
    mp.chdir(site)
    code = main(["build", "--config", "config.yaml", *args])
    return code, capsys.readouterr().err.splitlines()


def visible_text(page: Path) -> str:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return " ".join(soup.get_text(" ").split())


def test_the_corpus_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert all((CORPUS / case / "expected.txt").is_file() for case in CASES)


@pytest.mark.parametrize("case", CASES)
def test_case(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = lay_out(case, tmp_path / "site")
    expected = read_lines(case, "expected.txt", site)
    args = read_lines(case, "args.txt", site)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))

    code, err = run(args, site, capsys, monkeypatch)

    assert err == expected
    assert "Traceback" not in "\n".join(err)
    if any(line.startswith("error:") for line in expected):
        assert code == 1
        assert sorted(p.relative_to(site) for p in site.rglob("*")) == before, "wrote files"
        return
    assert code == 0
    output = site / "public"
    data = json.loads((output / "digest.json").read_text(encoding="utf-8"))
    files = {article["file"] for article in data["articles"]}
    for line in expected:
        where = line.removeprefix("warning: ").split(":", 1)[0]
        if line.endswith("; file skipped"):
            assert where.removeprefix("content/") not in files, line
    for line in read_lines(case, "contains.txt", site):
        page, text = line.split(": ", 1)
        assert text in visible_text(output / page), line
    for page in output.rglob("*.html"):
        assert "\ufffd" not in page.read_text(encoding="utf-8"), page

    shutil.rmtree(output)
    code, err = run(["--strict", *args], site, capsys, monkeypatch)
    if not expected:
        assert (code, err) == (0, [])
        return
    count = f"{len(expected)} warning{'s' if len(expected) > 1 else ''}"
    assert code == 1
    assert err == [*expected, STRICT.format(count=count)]
    assert not output.exists()
