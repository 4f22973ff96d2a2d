"""Full-text search over every resource: the database finds the matches, with its own index
(FTS5 on SQLite, `tsvector` on PostgreSQL, see `app.models.search`); ranking and snippets are
computed here from the same Spanish analysis on both, so both answer alike."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, cast, func, literal_column, select, table
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Session

from app.analysis.fulltext import Clause, Query
from app.core.kinds import Kind
from app.models import Passage
from app.models.search import FIELD_WEIGHTS, PASSAGES, TEXT_SEARCH_CONFIG, fts_table
from app.registry import REGISTRY

MODELS: dict[str, type[Any]] = {
    PASSAGES: Passage,
    **{kind.value: REGISTRY[kind].model for kind in Kind},
}
# The database's own ranking picks this many candidates per kind; they are then re-ranked.
CANDIDATES = 200


@dataclass(frozen=True)
class Matches:
    rows: list[Any]
    total: int


def _sqlite_matches(model: type[Any], query: Query) -> Select[Any]:
    fts = fts_table(model.__tablename__)
    index = table(fts)
    weights = (FIELD_WEIGHTS["title"], FIELD_WEIGHTS["aliases"], FIELD_WEIGHTS["body"])
    # bm25() only works in a plain query of the FTS table; count and limit one level up.
    ranked = (
        select(
            literal_column("rowid").label("id"),
            func.bm25(literal_column(fts), *weights).label("rank"),
        )
        .select_from(index)
        .where(literal_column(fts).op("MATCH")(query.fts5()))
        .subquery()
    )
    return (
        select(ranked.c.id, func.count().over().label("total"))
        .order_by(ranked.c.rank, ranked.c.id)
        .limit(CANDIDATES)
    )


def _tsquery(clause: Clause) -> ColumnElement[Any]:
    make = func.phraseto_tsquery if clause.phrase else func.plainto_tsquery
    return make(cast(TEXT_SEARCH_CONFIG, REGCONFIG), " ".join(clause.words))


def _postgres_matches(model: type[Any], query: Query) -> Select[Any]:
    tsquery = _tsquery(query.clauses[0])
    for clause in query.clauses[1:]:
        tsquery = tsquery.op("&&")(_tsquery(clause))
    vector: ColumnElement[Any] = literal_column(f"{model.__tablename__}.search_vector")
    return (
        select(model.id.label("id"), func.count().over().label("total"))
        .where(vector.op("@@")(tsquery))
        .order_by(func.ts_rank(vector, tsquery).desc(), model.id)
        .limit(CANDIDATES)
    )


def find(session: Session, kind: str, query: Query) -> Matches:
    """The rows of `kind` matching `query` (at most CANDIDATES of them) and how many match."""
    model = MODELS[kind]
    if not query:
        return Matches([], 0)
    if session.get_bind().dialect.name == "postgresql":
        matches = _postgres_matches(model, query).subquery()
    else:
        matches = _sqlite_matches(model, query).subquery()
    stmt = select(model, matches.c.total).join(matches, and_(model.id == matches.c.id))
    rows = session.execute(stmt).all()
    return Matches([row[0] for row in rows], rows[0][1] if rows else 0)
