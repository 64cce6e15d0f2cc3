"""Atom, RSS 2.0 and JSON Feed 1.1 for the whole site and for each topic.

Feed readers fetch a feed from anywhere, so every link in one is absolute: feeds are
made only when the site has a `base_url`. Each item carries the article's summary, the
same verbatim sentences its page shows. Dates come from the articles, never from the
clock, so two builds of the same content give the same bytes; the feed's own `updated`
is the newest article's day, or SOURCE_DATE_EPOCH when that is set (the reproducible
builds convention for "the time of this build").

XML is built with ElementTree, which escapes every value; nothing is pasted into markup
by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import format_datetime

from digest import __version__
from digest.config import Config
from digest.corpus import Entry, newest_first
from digest.models import SentenceRef, Summaries, TopicCoverage
from digest.site import article_path, topic_path

ATOM_NS = "http://www.w3.org/2005/Atom"
SITE_FEEDS = {"atom": "atom.xml", "rss": "rss.xml", "json": "feed.json"}
"""Site-wide feed files; a topic's feeds sit beside its page (see `topic_feeds`)."""
FEED_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
FEED_LABELS = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}


def topic_feeds(slug: str) -> dict[str, str]:
    stem = topic_path(slug).removesuffix(".html")
    return {"atom": f"{stem}.atom.xml", "rss": f"{stem}.rss.xml", "json": f"{stem}.feed.json"}


@dataclass(frozen=True)
class Item:
    """One article as a feed entry: display-ready text and absolute URLs."""

    id: str
    title: str
    url: str
    original: str | None
    author: str
    date: dt.datetime | None
    summary: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Channel:
    title: str
    description: str
    home: str
    """Absolute URL of the page the feed mirrors."""
    files: Mapping[str, str]
    """Site-root paths of this feed's atom, rss and json files."""
    updated: dt.datetime
    items: tuple[Item, ...]


def build_time() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a UTC time, when the environment sets it."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def channel_files(channel: Channel, config: Config) -> dict[str, bytes]:
    """One channel in its three formats."""
    return {
        channel.files["atom"]: atom(channel, config),
        channel.files["rss"]: rss(channel, config),
        channel.files["json"]: json_feed(channel, config),
    }


def channels(
    config: Config,
    articles: Sequence[Entry],
    coverage: Sequence[TopicCoverage],
    summaries: Summaries,
    text_of: Callable[[SentenceRef], str],
    now: dt.datetime | None = None,
) -> list[Channel]:
    """The site's channel, then each topic's; none when the site has no base_url."""
    base = config.base_url
    if not base:
        return []
    topics_of: dict[str, list[str]] = {}
    for topic in coverage:
        for aid in topic.articles:
            topics_of.setdefault(aid, []).append(topic.name)
    limit = config.feed_items
    newest = [a.id for a in sorted(articles, key=newest_first)[:limit]]
    listed = {t.slug: t.articles[:limit] for t in coverage}
    wanted = {*newest, *(aid for ids in listed.values() for aid in ids)}
    items = {
        a.id: Item(
            id=base + article_path(a.id),
            title=a.title,
            url=base + article_path(a.id),
            original=a.url,
            author=a.author or a.source,
            date=_midnight(a.date),
            summary=" ".join(text_of(r) for r in summaries.articles[a.id]) or a.title,
            tags=tuple(topics_of.get(a.id, ())),
        )
        for a in articles
        if a.id in wanted
    }
    return [
        _channel(
            config.title,
            config.description or config.title,
            base + "index.html",
            SITE_FEEDS,
            [items[aid] for aid in newest],
            now,
        ),
        *(
            _channel(
                f"{t.name} · {config.title}",
                t.description or f"{t.name}: a digest across sources",
                base + topic_path(t.slug),
                topic_feeds(t.slug),
                [items[aid] for aid in listed[t.slug]],
                now,
            )
            for t in coverage
        ),
    ]


def _channel(
    title: str,
    description: str,
    home: str,
    files: Mapping[str, str],
    items: Sequence[Item],
    now: dt.datetime | None,
) -> Channel:
    dated = [i.date for i in items if i.date is not None]
    updated = now or (max(dated) if dated else dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    return Channel(title, description, home, files, updated, tuple(items))


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def xml_bytes(root: ET.Element) -> bytes:
    """Indented UTF-8 XML with its declaration: readable, and the same bytes every time."""
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def atom(channel: Channel, config: Config) -> bytes:
    """RFC 4287. An undated article's entry carries the feed's `updated`, which Atom
    requires; it has no `published`."""
    base = config.base_url
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": config.language})
    _sub(feed, "title", channel.title)
    _sub(feed, "subtitle", channel.description)
    _sub(feed, "link", rel="alternate", type="text/html", href=channel.home)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=base + channel.files["atom"])
    _sub(feed, "id", channel.home)
    _sub(feed, "updated", _rfc3339(channel.updated))
    _sub(feed, "generator", "digest", version=__version__)
    for item in channel.items:
        entry = _sub(feed, "entry")
        _sub(entry, "title", item.title)
        _sub(entry, "link", rel="alternate", type="text/html", href=item.url)
        if item.original:
            _sub(entry, "link", rel="related", href=item.original)
        _sub(entry, "id", item.id)
        _sub(entry, "updated", _rfc3339(item.date or channel.updated))
        if item.date:
            _sub(entry, "published", _rfc3339(item.date))
        _sub(_sub(entry, "author"), "name", item.author)
        for tag in item.tags:
            _sub(entry, "category", term=tag)
        _sub(entry, "summary", item.summary, type="text")
    return xml_bytes(feed)


def rss(channel: Channel, config: Config) -> bytes:
    """RSS 2.0 with an atom:link to itself (as the RSS Advisory Board recommends);
    `pubDate` only for dated articles, since RSS makes it optional."""
    root = ET.Element(
        "rss",
        {
            "version": "2.0",
            "xmlns:atom": ATOM_NS,
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        },
    )
    info = _sub(root, "channel")
    _sub(info, "title", channel.title)
    _sub(info, "link", channel.home)
    _sub(info, "description", channel.description)
    _sub(info, "language", config.language)
    _sub(info, "generator", f"digest {__version__}")
    _sub(info, "lastBuildDate", format_datetime(channel.updated, usegmt=True))
    _sub(
        info,
        "atom:link",
        href=config.base_url + channel.files["rss"],
        rel="self",
        type="application/rss+xml",
    )
    for item in channel.items:
        entry = _sub(info, "item")
        _sub(entry, "title", item.title)
        _sub(entry, "link", item.url)
        _sub(entry, "guid", item.id, isPermaLink="true")
        _sub(entry, "description", item.summary)
        if item.date:
            _sub(entry, "pubDate", format_datetime(item.date, usegmt=True))
        _sub(entry, "dc:creator", item.author)
        for tag in item.tags:
            _sub(entry, "category", tag)
    return xml_bytes(root)


def json_feed(channel: Channel, config: Config) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    items: list[dict[str, object]] = []
    for item in channel.items:
        entry: dict[str, object] = {
            "id": item.id,
            "url": item.url,
            "title": item.title,
            "summary": item.summary,
            "content_text": item.summary,
            "authors": [{"name": item.author}],
        }
        if item.original:
            entry["external_url"] = item.original
        if item.date:
            entry["date_published"] = _rfc3339(item.date)
        if item.tags:
            entry["tags"] = list(item.tags)
        items.append(entry)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": channel.title,
        "home_page_url": channel.home,
        "feed_url": config.base_url + channel.files["json"],
        "description": channel.description,
        "language": config.language,
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
