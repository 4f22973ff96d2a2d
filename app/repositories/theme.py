from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.kinds import Kind
from app.models import Theme
from app.repositories.base import SortKey, get_by_slug, matches_text, paginate
from app.repositories.paging import PageResult
from app.schemas.theme import ThemeFilter

ORDER = SortKey((Theme.slug,))


def list_themes(session: Session, filters: ThemeFilter) -> PageResult[Theme]:
    where = matches_text(Theme.search_text, filters.q)
    return paginate(session, select(Theme), ORDER, filters, where=where)


def get_theme(session: Session, slug: str) -> Theme | None:
    return get_by_slug(session, Theme, slug, embed=("passages", Kind.EVENTS))
