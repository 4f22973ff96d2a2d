from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core.kinds import Kind
from app.models import Period
from app.repositories.base import (
    SortKey,
    get_by_slug,
    matches_text,
    overlaps,
    paginate,
    resolve_slugs,
    with_descendants,
)
from app.repositories.paging import PageResult
from app.schemas.base import YearRangeFilter
from app.schemas.period import PeriodFilter

WITH_PARENT = (joinedload(Period.parent),)
ORDER = SortKey((Period.start_year, Period.end_year, Period.id))


def list_periods(session: Session, filters: PeriodFilter) -> PageResult[Period]:
    conditions: list[ColumnElement[bool]] = []
    if filters.year is not None:
        conditions += overlaps(Period.start_year, Period.end_year, filters.year, filters.year)
    conditions += matches_text(Period.search_text, filters.q)
    return paginate(session, select(Period), ORDER, filters, where=conditions, options=WITH_PARENT)


def timeline_periods(session: Session, filters: YearRangeFilter) -> list[Period]:
    """Periods for the timeline: the eras asked for with their phases, within the years."""
    conditions = overlaps(Period.start_year, Period.end_year, filters.year_from, filters.year_to)
    if filters.era:
        ids = resolve_slugs(session, Period, filters.era, parameter=Kind.PERIODS.facts.filter)
        conditions.append(Period.id.in_(with_descendants(Period, ids)))
    stmt = (
        select(Period)
        .where(*conditions)
        .options(joinedload(Period.parent))
        .order_by(*ORDER.columns)
    )
    return list(session.scalars(stmt))


def get_period(session: Session, slug: str) -> Period | None:
    return get_by_slug(
        session,
        Period,
        slug,
        joinedload(Period.parent),
        selectinload(Period.children),
        embed=("passages", Kind.EVENTS),
    )
