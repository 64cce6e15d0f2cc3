from pathlib import Path

import pytest

from digest.config import load_config
from digest.errors import DigestError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error(tmp_path: Path, text: str) -> DigestError:
    with pytest.raises(DigestError) as info:
        load_config(write(tmp_path, text))
    return info.value


def test_defaults_for_an_empty_mapping(tmp_path: Path) -> None:
    site = load_config(write(tmp_path, "{}\n"))
    assert site.config.summary.algorithm == "lexrank"
    assert site.config.topics == ()
    assert site.output_dir == (tmp_path / "public").resolve()
    assert site.content_dir == (tmp_path / "content").resolve()


def test_topic_slug_is_derived_from_its_name(tmp_path: Path) -> None:
    site = load_config(
        write(tmp_path, "topics:\n  - name: Trade Talks & Tariffs\n    keywords: tariff\n")
    )
    topic = site.config.topics[0]
    assert topic.slug == "trade-talks-tariffs"
    assert topic.keywords == ("tariff",)


def test_unknown_key_names_its_line_and_the_allowed_keys(tmp_path: Path) -> None:
    exc = error(tmp_path, "title: x\ntopics:\n  - name: Trade\n    keyword: [tariff]\n")
    assert exc.line == 4
    assert "unknown key 'topics[0].keyword'" in exc.message
    assert "keywords" in exc.message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    exc = error(tmp_path, "title: x\ntheem: dark\n")
    assert (exc.line, "theem" in exc.message) == (2, True)


def test_wrong_type_names_the_line(tmp_path: Path) -> None:
    exc = error(tmp_path, "summary:\n  algorithm: lexrank\n  article_sentences: lots\n")
    assert exc.line == 3
    assert "summary.article_sentences" in exc.message


def test_unknown_algorithm_lists_the_choices(tmp_path: Path) -> None:
    exc = error(tmp_path, "summary:\n  algorithm: gpt\n")
    assert exc.line == 2
    assert "lexrank" in exc.message and "textrank" in exc.message


def test_invalid_yaml_and_duplicate_keys(tmp_path: Path) -> None:
    assert error(tmp_path, "title: [unclosed\n").message.startswith("invalid YAML")
    dup = error(tmp_path, "title: a\ndescription: b\ntitle: c\n")
    assert (dup.line, dup.message) == (3, "duplicate key 'title'")


def test_config_must_be_a_mapping(tmp_path: Path) -> None:
    assert "must be a mapping" in error(tmp_path, "- a\n- b\n").message


def test_duplicate_topic_slugs(tmp_path: Path) -> None:
    exc = error(
        tmp_path, "topics:\n  - name: Trade\n    keywords: a\n  - name: trade\n    keywords: b\n"
    )
    assert exc.line == 4 and "same slug 'trade'" in exc.message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_base_url_must_be_absolute_and_gets_a_trailing_slash(tmp_path: Path) -> None:
    assert error(tmp_path, "base_url: example.org\n").line == 1
    site = load_config(write(tmp_path, "base_url: https://user.github.io/repo\n"))
    assert site.config.base_url == "https://user.github.io/repo/"


def test_command_line_base_url_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "base_url: https://a.example/\n")
    assert (
        load_config(path, base_url="https://b.example/x").config.base_url == "https://b.example/x/"
    )


def test_boilerplate_patterns_must_compile(tmp_path: Path) -> None:
    exc = error(tmp_path, "boilerplate:\n  - '(unclosed'\n")
    assert exc.line == 2 and "not a regular expression" in exc.message


def test_a_key_merged_into_the_wrong_place_names_where_it_was_merged(tmp_path: Path) -> None:
    # `<<: *site` copies the site's summary settings into a topic, where one of them is
    # not allowed: the error points at the topic's summary, not at the anchor's key.
    exc = error(
        tmp_path,
        "title: x\n"
        "summary: &site\n"
        "  algorithm: lexrank\n"
        "  article_sentences: 3\n"
        "topics:\n"
        "  - name: Trade\n"
        "    keywords: [tariff]\n"
        "    summary:\n"
        "      <<: *site\n",
    )
    assert "topics[0].summary.article_sentences" in exc.message
    assert exc.line == 8
