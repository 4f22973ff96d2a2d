from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core.kinds import Kind
from app.models import Region
from app.repositories.base import SortKey, get_by_slug, matches_text, paginate
from app.repositories.paging import PageResult
from app.schemas.region import RegionFilter

WITH_PARENT = (joinedload(Region.parent),)
ORDER = SortKey((Region.slug,))


def list_regions(session: Session, filters: RegionFilter) -> PageResult[Region]:
    conditions: list[ColumnElement[bool]] = []
    if filters.kind:
        conditions.append(Region.kind.in_(filters.kind))
    conditions += matches_text(Region.search_text, filters.q)
    return paginate(session, select(Region), ORDER, filters, where=conditions, options=WITH_PARENT)


def get_region(session: Session, slug: str) -> Region | None:
    return get_by_slug(
        session,
        Region,
        slug,
        joinedload(Region.parent),
        selectinload(Region.children),
        embed=("passages", Kind.EVENTS),
    )
