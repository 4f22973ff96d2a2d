"""CSV of any list (`format=csv` or `Accept: text/csv`): every item matching the filters, all
pages, in list order, streamed page by page (keyset cursors). The columns are the list
item's fields, links (with `include=`) as `;`-separated slugs (passages: ids)."""

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from app.api.render.negotiation import CSV_MEDIA_TYPE
from app.core.i18n import in_language, negotiated_headers
from app.repositories.paging import PageResult

# Rows read per query while streaming CSV.
CSV_BATCH = 500

F = TypeVar("F", bound=BaseModel)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(_cell(item)) for item in value)
    if isinstance(value, dict):
        key = "slug" if "slug" in value else "id"
        return value.get(key, "")
    return value


def _flatten(data: dict[str, Any], columns: Sequence[str]) -> list[Any]:
    row = []
    for column in columns:
        if column in data:
            row.append(_cell(data[column]))
        else:
            parent, _, child = column.partition(".")
            nested = data.get(parent) or {}
            row.append(_cell(nested.get(child)))
    return row


def csv_columns(schema: type[BaseModel], include: Sequence[str]) -> list[str]:
    """The item's fields; links only when included; a nested object without a slug (a
    passage's `source`) as one column per field."""
    columns = []
    for name, info in schema.model_fields.items():
        if info.exclude_if is not None and name not in include:
            continue
        nested = info.annotation
        if (
            isinstance(nested, type)
            and issubclass(nested, BaseModel)
            and ("slug" not in nested.model_fields)
        ):
            columns += [f"{name}.{child}" for child in nested.model_fields]
        else:
            columns.append(name)
    return columns


def _lines(
    page: PageResult[Any], schema: type[BaseModel], columns: Sequence[str], language: str
) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    context = in_language(language)
    for obj in page.items:
        data = schema.model_validate(obj, context=context).model_dump(mode="json")
        writer.writerow(_flatten(data, columns))
    return buffer.getvalue()


def _header(columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(columns)
    return buffer.getvalue()


def csv_response(
    request: Request,
    session: Session,
    list_items: Callable[[Session, F], PageResult[Any]],
    filters: F,
    schema: type[BaseModel],
    *,
    filename: str,
    language: str,
    include: Sequence[str] = (),
) -> StreamingResponse:
    """Stream every page of `list_items(session, filters)` as CSV rows of `schema` in
    `language`, whatever `limit` and `cursor` the filters carry.

    The first page is read now, on the request's session, so that a bad filter is still a
    422; the rest are read while streaming, on a session of their own.
    """

    def fetch(db: Session, cursor: str | None) -> PageResult[Any]:
        return list_items(db, filters.model_copy(update={"cursor": cursor, "limit": CSV_BATCH}))

    factory: sessionmaker[Session] = request.state.sessionmaker
    columns = csv_columns(schema, include)
    first = fetch(session, None)

    def rows() -> Iterator[str]:
        yield _header(columns) + _lines(first, schema, columns, language)
        cursor = first.next_cursor
        if cursor is None:
            return
        with factory() as own:
            while cursor is not None:
                page = fetch(own, cursor)
                yield _lines(page, schema, columns, language)
                cursor = page.next_cursor

    headers = {
        **negotiated_headers(language),
        "Content-Disposition": f'attachment; filename="{filename}.csv"',
    }
    return StreamingResponse(
        rows(), media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8; header=present", headers=headers
    )


def csv_openapi() -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "A page of items; with `format=csv` or `Accept: text/csv`, every "
            "matching item as CSV.",
            "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    }
