"""The links between entities (of the kinds in `EVENT_LINKS`) that passages and events make."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.kinds import EVENT_LINKS, Kind
from app.models import Event, Passage
from app.models.aggregates import LinkEdge, LinkNode
from app.registry import REGISTRY
from app.repositories import event as events_repo
from app.repositories import passage as passages_repo
from app.repositories.base import LinkTables
from app.repositories.facets import unfiltered
from app.schemas.base import LinkFilter
from app.schemas.graph import GraphFilter, GraphSource
from app.schemas.passage import PassageFilter

# The kinds a graph's nodes are: those both passages and events link to.
NODE_KINDS: dict[str, type[Any]] = {kind: REGISTRY[kind].model for kind in EVENT_LINKS}


@dataclass(frozen=True)
class Graph:
    """Nodes (kind, entity) with how many documents link them, and co-link counts."""

    entities: dict[tuple[str, int], Any]
    weights: Counter[tuple[str, int]]
    edges: Counter[tuple[tuple[str, int], tuple[str, int]]]


def _links(session: Session, owners: Any, links: LinkTables) -> dict[int, set[tuple[str, int]]]:
    """Document id -> the nodes it links, for the documents `owners` selects."""
    found: dict[int, set[tuple[str, int]]] = {}
    for kind in NODE_KINDS:
        table = getattr(links, kind)
        owner_col, target_col = (col for col in table.primary_key.columns)
        rows = session.execute(select(owner_col, target_col).where(owner_col.in_(owners)))
        for document, entity in rows:
            found.setdefault(document, set()).add((kind, entity))
    return found


def build_graph(session: Session, filters: GraphFilter) -> Graph:
    """The graph of the documents `filters` selects: read from the link aggregates when
    they select every document of the chosen sources, counted from the links otherwise."""
    if not unfiltered(filters):
        return counted_graph(session, filters)
    return _aggregated_graph(session, [source.value for source in filters.source or GraphSource])


def _aggregated_graph(session: Session, sources: list[str]) -> Graph:
    """Every document of `sources`: node weights and edges summed over them."""
    weights: Counter[tuple[str, int]] = Counter()
    nodes = select(LinkNode.kind, LinkNode.entity_id, LinkNode.documents).where(
        LinkNode.source.in_(sources), LinkNode.documents > 0
    )
    for kind, entity_id, documents in session.execute(nodes):
        weights[(Kind(kind), entity_id)] += documents
    edges: Counter[tuple[tuple[str, int], tuple[str, int]]] = Counter()
    pairs = select(
        LinkEdge.left_kind,
        LinkEdge.left_id,
        LinkEdge.right_kind,
        LinkEdge.right_id,
        LinkEdge.documents,
    ).where(LinkEdge.source.in_(sources), LinkEdge.documents > 0)
    for left_kind, left_id, right_kind, right_id, documents in session.execute(pairs):
        edges[((Kind(left_kind), left_id), (Kind(right_kind), right_id))] += documents
    return Graph(_entities(session, weights), weights, edges)


def counted_graph(session: Session, filters: GraphFilter) -> Graph:
    """The graph counted from every link of every matching document (what the aggregates
    hold for the unfiltered graph)."""
    sources = set(filters.source) or set(GraphSource)
    documents: list[set[tuple[str, int]]] = []
    if GraphSource.PASSAGES in sources:
        passage_filters = PassageFilter.model_validate(
            filters.model_dump(by_alias=True, include=set(LinkFilter.model_fields))
        )
        passages = passages_repo.filtered_passages(session, passage_filters).by_sets
        owners = passages.with_only_columns(Passage.id).order_by(None)
        documents += _links(session, owners, passages_repo.LINKS).values()
    if GraphSource.EVENTS in sources:
        events = events_repo.filtered_events(session, filters)
        owners = events.with_only_columns(Event.id).order_by(None)
        documents += _links(session, owners, events_repo.LINKS).values()
    weights: Counter[tuple[str, int]] = Counter()
    edges: Counter[tuple[tuple[str, int], tuple[str, int]]] = Counter()
    for nodes in documents:
        weights.update(nodes)
        edges.update(combinations(sorted(nodes), 2))
    entities = _entities(session, weights)
    return Graph(entities, weights, edges)


def _entities(session: Session, nodes: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Any]:
    wanted: dict[str, set[int]] = {}
    for kind, entity_id in nodes:
        wanted.setdefault(kind, set()).add(entity_id)
    found: dict[tuple[str, int], Any] = {}
    for kind, ids in wanted.items():
        model = NODE_KINDS[kind]
        for entity in session.scalars(select(model).where(model.id.in_(ids))):
            found[(kind, entity.id)] = entity
    return found
