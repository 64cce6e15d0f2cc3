"""The digest as data: `digest.json`, for tools that should not scrape HTML.

The schema is documented in README ("digest.json"). Summaries are references to
sentences, exactly as the build holds them, so a consumer can check every summary
sentence against its source text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from digest import __version__
from digest.compare import Comparison, TopicComparison
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
    comparison: Comparison,
    compared: Mapping[str, TopicComparison],
) -> bytes:
    def ref(r: SentenceRef) -> dict[str, object]:
        return {"article": r.article, "sentence": r.index}

    def refs(items: Sequence[SentenceRef]) -> list[dict[str, object]]:
        return [ref(r) for r in items]

    def summary(items: Sequence[SentenceRef]) -> list[dict[str, object]]:
        return [{**ref(r), "reported_by": list(comparison.reported_by(r))} for r in items]

    def topic_extra(slug: str) -> dict[str, object]:
        c = compared[slug]
        return {
            "independent_sources": c.independent_sources,
            "key_quotes": [
                {
                    "text": k.group.quotations[0].text,
                    "speaker": k.group.speaker,
                    "sources": [
                        ref(next(q.ref for q in k.group.quotations if q.ref.article == a))
                        for a in k.articles
                    ],
                }
                for k in c.key_quotes
            ],
            "only_in": [{"source": o.source, "sentences": refs(o.sentences)} for o in c.only_in],
            "timeline": [
                {"date": d.date.isoformat() if d.date else None, "articles": list(d.articles)}
                for d in c.timeline
            ],
        }

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
                "summary": summary(summaries.topics[t.slug]),
                **topic_extra(t.slug),
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
                "copies": list(comparison.syndication.copies.get(a.id, ())),
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
