"""Queries of the write API: loading rows to change (locked), counting what links to them,
numbering new passages, and the entity index auto-linking works from."""

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.analysis.linking import Entity, words
from app.core.kinds import PASSAGE_LINKS, Kind
from app.models import Actor, ActorKind, ApiKey, AuditEntry, Event, Passage, Period, Region, Theme
from app.models.base import EntityMixin
from app.registry import REGISTRY
from app.repositories.base import SortKey, paginate
from app.repositories.paging import PageAt, PageResult

E = TypeVar("E", bound=EntityMixin)


def lock_entity(session: Session, model: type[E], slug: str, *options: Any) -> E | None:
    """The entity, its row locked until the transaction ends (PostgreSQL; SQLite's write
    transactions hold the database lock already)."""
    stmt = select(model).where(model.slug == slug).options(*options)
    return session.scalar(stmt.with_for_update(of=model))


def lock_passage(session: Session, passage_id: int) -> Passage | None:
    stmt = (
        select(Passage)
        .where(Passage.id == passage_id)
        .options(*(selectinload(getattr(Passage, kind)) for kind in PASSAGE_LINKS))
        .with_for_update(of=Passage)
    )
    return session.scalar(stmt)


def slug_taken(session: Session, model: type[E], slug: str) -> bool:
    return session.scalar(select(func.count()).where(model.slug == slug)) != 0


def resolve(session: Session, model: type[E], slugs: Sequence[str]) -> dict[str, E]:
    rows = session.scalars(select(model).where(model.slug.in_(list(slugs))))
    return {row.slug: row for row in rows}


def link_count(session: Session, kind: Kind, entity_id: int) -> int:
    """How many passages and events link to the entity."""
    return sum(
        session.scalar(select(func.count()).select_from(table).where(table.c[col] == entity_id))
        or 0
        for table, col in REGISTRY[kind].link_tables
    )


def children_count(session: Session, model: type[Period] | type[Region], entity_id: int) -> int:
    return session.scalar(select(func.count()).where(model.parent_id == entity_id)) or 0


def next_position(session: Session, source_file: str) -> tuple[int, int]:
    """(position after every passage, next line of `source_file`)."""
    position = session.scalar(select(func.max(Passage.position))) or 0
    line = session.scalar(
        select(func.max(Passage.source_line)).where(Passage.source_file == source_file)
    )
    return position + 1, (line or 0) + 1


def passage_before(session: Session, source_file: str, line: int | None) -> Passage | None:
    """The passage of `source_file` just before `line` (the last one when `line` is None),
    with its periods."""
    stmt = select(Passage).where(Passage.source_file == source_file)
    if line is not None:
        stmt = stmt.where(Passage.source_line < line)
    stmt = stmt.order_by(Passage.source_line.desc()).limit(1)
    return session.scalar(stmt.options(selectinload(Passage.periods)))


def passages_mentioning(session: Session, phrases: Sequence[str]) -> list[Passage]:
    """Passages whose text may mention one of `phrases`: every word stem of a phrase occurs
    in the folded text. The linker then decides; this only narrows the scan."""
    conditions = []
    for phrase in phrases:
        stems = [stem for stem, _, _ in words(phrase)]
        if stems:
            conditions.append(
                Passage.search_text.like("%" + "%".join(_escape(s) for s in stems) + "%", "\\")
            )
    if not conditions:
        return []
    stmt = (
        select(Passage)
        .where(or_(*conditions))
        .options(*(selectinload(getattr(Passage, kind)) for kind in PASSAGE_LINKS))
        .order_by(Passage.position, Passage.id)
    )
    return list(session.scalars(stmt))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def linker_entities(session: Session) -> list[Entity]:
    """Every entity as the auto-linker sees it: names, aliases, years, an event's links."""
    entities: list[Entity] = []
    for actor in session.scalars(select(Actor)):
        entities.append(
            Entity(
                Kind.ACTORS,
                actor.slug,
                actor.name,
                _phrases(actor),
                actor.start_year,
                actor.end_year,
                is_person=actor.kind == ActorKind.PERSON,
            )
        )
    parents: dict[int, str] = dict(session.execute(select(Period.id, Period.slug)).all())
    for period in session.scalars(select(Period)):
        entities.append(
            Entity(
                Kind.PERIODS,
                period.slug,
                period.name,
                _phrases(period),
                period.start_year,
                period.end_year,
                parent=parents.get(period.parent_id) if period.parent_id else None,
            )
        )
    for region in session.scalars(select(Region)):
        entities.append(Entity(Kind.REGIONS, region.slug, region.name, _phrases(region)))
    for theme in session.scalars(select(Theme)):
        entities.append(Entity(Kind.THEMES, theme.slug, theme.name, _phrases(theme)))
    events = select(Event).options(
        selectinload(Event.actors), selectinload(Event.periods), selectinload(Event.themes)
    )
    for event in session.scalars(events):
        entities.append(
            Entity(
                Kind.EVENTS,
                event.slug,
                event.name,
                _phrases(event),
                event.start_year,
                event.end_year,
                actors=tuple(a.slug for a in event.actors),
                periods=tuple(p.slug for p in event.periods),
                themes=tuple(t.slug for t in event.themes),
            )
        )
    return entities


def _phrases(entity: EntityMixin) -> tuple[str, ...]:
    return (*([entity.name_en] if entity.name_en else []), *entity.aliases)


AUDIT_ORDER = SortKey((AuditEntry.id,))


def list_audit(
    session: Session, *, resource: str | None, limit: int, cursor: str | None
) -> PageResult[AuditEntry]:
    stmt = select(AuditEntry)
    if resource is not None:
        stmt = stmt.where(AuditEntry.resource == resource)
    return paginate(session, stmt, AUDIT_ORDER, PageAt(limit, cursor))


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))


def passage_checksums(session: Session, checksums: Sequence[str]) -> set[str]:
    rows = session.scalars(select(Passage.checksum).where(Passage.checksum.in_(list(checksums))))
    return set(rows)
