"""The digest as data: `digest.json`, for tools that should not scrape HTML.

The schema is documented in README ("digest.json"). Summaries are references to
sentences, exactly as the build holds them, so a consumer can check every summary
sentence against its source text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from digest import __version__
from digest.config import Config
from digest.models import Article, ArticleTopics, SentenceRef, Summaries, TopicCoverage
from digest.site import article_path, topic_path

SCHEMA_VERSION = 1


def digest_json(
    config: Config,
    articles: Sequence[Article],
    assignments: Mapping[str, ArticleTopics],
    coverage: Sequence[TopicCoverage],
    summaries: Summaries,
) -> bytes:
    def refs(items: Sequence[SentenceRef]) -> list[dict[str, object]]:
        return [{"article": r.article, "sentence": r.index} for r in items]

    data = {
        "schema": SCHEMA_VERSION,
        "generator": f"digest {__version__}",
        "site": {"title": config.title, "base_url": config.base_url or None},
        "topics": [
            {
                "slug": t.slug,
                "name": t.name,
                "description": t.description,
                "keywords": list(t.keywords),
                "path": topic_path(t.slug),
                "articles": list(t.articles),
                "summary": refs(summaries.topics[t.slug]),
            }
            for t in coverage
        ],
        "articles": [
            {
                "id": a.id,
                "title": a.title,
                "source": a.source,
                "date": a.date.isoformat() if a.date else None,
                "url": a.url,
                "author": a.author,
                "file": a.source_path,
                "path": article_path(a.id),
                "topics": list(assignments[a.id].topics),
                "summary": refs(summaries.articles[a.id]),
                "sentences": [
                    {
                        "index": s.index,
                        "text": s.text,
                        "kind": a.blocks[s.block].kind,
                        "topics": [h.topic for h in hits],
                    }
                    for s, hits in zip(a.sentences, assignments[a.id].hits, strict=True)
                ],
            }
            for a in articles
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")
