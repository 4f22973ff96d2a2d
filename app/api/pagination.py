"""The `Page` envelope and its `Link: rel="next"` header, built from a repository's page."""

from typing import TypeVar

from fastapi import Request, Response
from pydantic import BaseModel

from app.core.i18n import SPANISH, in_language
from app.repositories.paging import PageResult
from app.schemas.base import Page

M = TypeVar("M")
S = TypeVar("S", bound=BaseModel)


def page_of(
    request: Request,
    response: Response,
    result: PageResult[M],
    limit: int,
    schema: type[S],
    language: str = SPANISH,
) -> Page[S]:
    """Build the `Page` body, its items in `language`, and the `Link` header from a
    repository result."""
    next_url = None
    if result.next_cursor is not None:
        next_url = str(request.url.include_query_params(cursor=result.next_cursor))
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    context = in_language(language)
    items = [schema.model_validate(item, context=context) for item in result.items]
    return Page[S](
        items=items,
        total=result.total,
        total_exact=result.total_exact,
        limit=limit,
        next=next_url,
    )
