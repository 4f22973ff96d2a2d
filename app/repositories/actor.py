from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.core.kinds import Kind
from app.models import Actor, Period
from app.repositories.base import (
    SortKey,
    get_by_slug,
    matches_text,
    overlaps,
    paginate,
    resolve_slugs,
)
from app.repositories.paging import PageResult
from app.schemas.actor import ActorFilter

ORDER = SortKey((Actor.slug,))
# An actor with no end year is still active (a state that exists today).
ACTIVE_UNTIL = func.coalesce(Actor.end_year, 9999)


def list_actors(session: Session, filters: ActorFilter) -> PageResult[Actor]:
    conditions: list[ColumnElement[bool]] = []
    if filters.kind:
        conditions.append(Actor.kind.in_(filters.kind))
    if filters.era:
        ids = resolve_slugs(session, Period, filters.era, parameter=Kind.PERIODS.facts.filter)
        spans = session.execute(
            select(Period.start_year, Period.end_year).where(Period.id.in_(ids))
        ).all()
        # Sub-periods lie inside their parent, so the eras' own spans cover them.
        conditions.append(
            or_(*(and_(*overlaps(Actor.start_year, ACTIVE_UNTIL, s, e)) for s, e in spans))
        )
    conditions += overlaps(Actor.start_year, ACTIVE_UNTIL, filters.year_from, filters.year_to)
    conditions += matches_text(Actor.search_text, filters.q)
    return paginate(session, select(Actor), ORDER, filters, where=conditions)


def get_actor(session: Session, slug: str) -> Actor | None:
    return get_by_slug(session, Actor, slug, embed=("passages", Kind.EVENTS))
