"""The search endpoint's work: parse the box, let each table find its matches, then rank and
highlight them with the one Spanish analysis (`app.analysis.fulltext`)."""

import html
from typing import Any

from sqlalchemy.orm import Session

from app.analysis.fulltext import Query, coverage, highlight, parse_query, score
from app.core.i18n import ENGLISH, localized
from app.models.search import EXTRA_BODY, document_for
from app.repositories import search as repo
from app.schemas.search import SearchGroup, SearchHit, SearchKind, SearchParams, SearchResults

PASSAGE_LABEL_WORDS = 12
SNIPPET_WORDS = 30


def _passage_label(text: str) -> str:
    words = text.split()
    if len(words) <= PASSAGE_LABEL_WORDS:
        return text
    return " ".join(words[:PASSAGE_LABEL_WORDS]) + "…"


def _snippet_sources(kind: str, obj: Any, language: str) -> list[str]:
    """Texts a snippet may come from, best first, in the served language first."""
    if kind == SearchKind.PASSAGES:
        return [obj.text, obj.text_en or ""]
    english = language == ENGLISH
    names = [obj.name_en or "", obj.name] if english else [obj.name, obj.name_en or ""]
    descriptions = [obj.description_en or "", obj.description]
    if not english:
        descriptions.reverse()
    extra = [getattr(obj, column) or "" for column in EXTRA_BODY.get(kind, ())]
    return [descriptions[0], *names, *obj.aliases, descriptions[1], *extra]


def _hit(kind: SearchKind, obj: Any, query: Query, language: str) -> SearchHit:
    document = document_for(kind.value, obj)
    # The text that holds most of the query, the served language's first.
    sources = [source for source in _snippet_sources(kind.value, obj, language) if source]
    best = max(sources, key=lambda source: coverage(source, query), default="")
    snippet = highlight(best, query, max_tokens=SNIPPET_WORDS) if best else None
    if kind is SearchKind.PASSAGES:
        label, slug, url = _passage_label(obj.text), None, f"/api/v1/passages/{obj.id}"
    else:
        label, slug = localized(obj, "name", language), obj.slug
        url = f"/api/v1/{kind.value}/{obj.slug}"
    if snippet is None:
        # The database matched what no field highlights (a compound word): show the text.
        passage = kind is SearchKind.PASSAGES
        fallback = obj.text if passage else localized(obj, "description", language)
        snippet = highlight(fallback, Query(())) or html.escape(fallback or label)
    return SearchHit(
        kind=kind,
        id=obj.id,
        slug=slug,
        label=label,
        snippet=snippet,
        score=score(query, document.weighted()),
        url=url,
    )


def _order_key(kind: SearchKind, obj: Any) -> tuple[Any, ...]:
    if kind is SearchKind.PASSAGES:
        return (obj.position, obj.id)
    return (obj.slug,)


def search(session: Session, params: SearchParams, language: str) -> SearchResults:
    """The hits for `params`, grouped by kind; labels and snippets in `language` first."""
    query = parse_query(params.q)
    kinds = params.kind or list(SearchKind)
    groups: list[SearchGroup] = []
    for kind in SearchKind:
        if kind not in kinds:
            continue
        matches = repo.find(session, kind.value, query)
        if not matches.rows:
            continue
        ranked = sorted(
            ((_hit(kind, obj, query, language), obj) for obj in matches.rows),
            key=lambda pair: (-pair[0].score, _order_key(kind, pair[1])),
        )
        hits = [hit for hit, _obj in ranked[: params.limit]]
        groups.append(SearchGroup(kind=kind, total=matches.total, hits=hits))
    order = list(SearchKind)
    groups.sort(key=lambda g: (-g.hits[0].score, order.index(g.kind)))
    return SearchResults(q=params.q, total=sum(g.total for g in groups), groups=groups)
