"""The shapes every read endpoint shares: a list (JSON page or CSV) and a detail (JSON or
JSON-LD). A handler names its data; these pick the format and render it."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.api.pagination import page_of
from app.api.render.csv import csv_response
from app.api.render.jsonld import json_ld_response
from app.api.render.negotiation import CSV, DETAIL_OFFERS, JSON_LD, LIST_OFFERS, negotiate
from app.core.db import SessionDep, end_session
from app.core.i18n import LanguageDep, in_language
from app.core.kinds import Kind
from app.repositories.paging import PageResult
from app.schemas.base import Page, PageParams
from app.schemas.facets import FacetedPage, Facets

F = TypeVar("F", bound=PageParams)
S = TypeVar("S", bound=BaseModel)


@dataclass(frozen=True)
class Reading:
    """What a read handler answers with: its request and response, session and language."""

    request: Request
    response: Response
    session: Session
    language: str

    @property
    def accept(self) -> str | None:
        return self.request.headers.get("accept")

    def answer(self, answer: Response) -> Response:
        """`answer`, once the session's work is done: ended here, in the handler's thread."""
        end_session(self.session)
        return answer


async def reading(
    request: Request, response: Response, session: SessionDep, language: LanguageDep
) -> Reading:
    return Reading(request, response, session, language)


ReadingDep = Annotated[Reading, Depends(reading)]


def json_example(example: object) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI of a 200 JSON answer shown by `example`."""
    return {200: {"content": {"application/json": {"example": example}}}}


def json_answer(read: Reading, body: BaseModel) -> Response:
    """`body` as the JSON bytes FastAPI would send for it, with the headers set on the
    request's response. A returned model would be validated again against the route's
    `response_model`, in a worker thread: the model was built here from typed data."""
    content = body.__pydantic_serializer__.to_json(body, by_alias=True)
    answer = Response(content, media_type="application/json")
    answer.headers.raw.extend(read.response.headers.raw)
    return answer


def list_of(
    read: Reading,
    list_items: Callable[[Session, F], PageResult[Any]],
    filters: F,
    item: type[S],
    *,
    name: str,
    include: Sequence[str] = (),
) -> Response:
    """One page of `list_items(session, filters)` as `Page[item]`, or every page as CSV
    (`name.csv`) when `format=csv` or `Accept` asks for it."""
    listed = _page(read, list_items, filters, item, name=name, include=include)
    return read.answer(
        listed if isinstance(listed, StreamingResponse) else json_answer(read, listed)
    )


def _page(
    read: Reading,
    list_items: Callable[[Session, F], PageResult[Any]],
    filters: F,
    item: type[S],
    *,
    name: str,
    include: Sequence[str],
) -> Page[S] | StreamingResponse:
    requested = filters.format.value if filters.format is not None else None
    chosen = negotiate(read.accept, LIST_OFFERS, requested)
    if chosen is CSV:
        return csv_response(
            read.request,
            read.session,
            list_items,
            filters,
            item,
            filename=name,
            language=read.language,
            include=include,
        )
    result = list_items(read.session, filters)
    return page_of(read.request, read.response, result, filters.limit, item, read.language)


def faceted_list_of(
    read: Reading,
    list_items: Callable[[Session, F], PageResult[Any]],
    count_facets: Callable[[Session, F, str], Facets] | None,
    filters: F,
    item: type[S],
    *,
    name: str,
    include: Sequence[str],
) -> Response:
    """`list_of`, each item with the links `include` names and, given `count_facets` (when
    `facets=` asks), the page with the counts per facet of every match; CSV has no facets."""
    listed = _page(read, list_items, filters, item, name=name, include=include)
    if isinstance(listed, StreamingResponse):
        return read.answer(listed)
    facets = count_facets(read.session, filters, read.language) if count_facets else None
    page = FacetedPage[item](**dict(listed), facets=facets)  # type: ignore[valid-type]
    return read.answer(json_answer(read, page))


def detail_of(read: Reading, kind: Kind | None, obj: Any, detail: type[S]) -> Response:
    """`obj` as `detail`, or as schema.org JSON-LD when `Accept` prefers it; `kind` None is
    a passage."""
    if negotiate(read.accept, DETAIL_OFFERS) is JSON_LD:
        return read.answer(json_ld_response(read.request, kind, obj, read.language))
    body = detail.model_validate(obj, context=in_language(read.language))
    return read.answer(json_answer(read, body))
