"""Other representations of the same resources: CSV for lists, JSON-LD for details.

* CSV (`format=csv` or `Accept: text/csv` on any list): every item matching the filters, all
  pages, in list order, streamed page by page (keyset cursors); the columns are the
  list item's fields, links (with `include=`) as `;`-separated slugs (passages: ids).
* JSON-LD (`Accept: application/ld+json` on any detail): schema.org — passages are
  `CreativeWork`, events and periods `Event`, people `Person`, states `Country`, other actors
  `Organization`, regions `Place`, themes `DefinedTerm` — with links as `about`/`mentions`.
  No `sameAs`: Wikidata identifiers could not be verified here, and a guessed one is worse
  than none.
"""

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from app.core.i18n import current_language, localized, negotiated_headers, set_language
from app.repositories.paging import PageResult
from app.schemas.base import ListFormat

CSV_MEDIA_TYPE = "text/csv"
JSON_LD_MEDIA_TYPE = "application/ld+json"
# Rows read per query while streaming CSV.
CSV_BATCH = 500
SCHEMA_ORG = "https://schema.org"


def _media_ranges(accept: str) -> list[tuple[str, float, int]]:
    ranges = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q, position))
    return ranges


def preferred(accept: str | None, offers: Sequence[str]) -> str:
    """The offer `accept` ranks highest (the first offer by default, and on ties)."""
    if not accept:
        return offers[0]
    best, best_key = offers[0], (0.0, 0, 0)
    for offer_index, offer in enumerate(offers):
        kind = offer.split("/")[0]
        for media, q, _position in _media_ranges(accept):
            if media == offer:
                specificity = 2
            elif media == f"{kind}/*":
                specificity = 1
            elif media == "*/*":
                specificity = 0
            else:
                continue
            key = (q, specificity, -offer_index)
            if q > 0 and key > best_key:
                best, best_key = offer, key
    return best


def wants_csv(request: Request, requested: ListFormat | None) -> bool:
    if requested is not None:
        return requested is ListFormat.CSV
    accept = request.headers.get("accept")
    return preferred(accept, ["application/json", CSV_MEDIA_TYPE]) == CSV_MEDIA_TYPE


def wants_json_ld(request: Request) -> bool:
    accept = request.headers.get("accept")
    return preferred(accept, ["application/json", JSON_LD_MEDIA_TYPE]) == JSON_LD_MEDIA_TYPE


# --- CSV ------------------------------------------------------------------------------------


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


F = TypeVar("F", bound=BaseModel)


def csv_response(
    request: Request,
    session: Session,
    list_items: Callable[[Session, F], PageResult[Any]],
    filters: F,
    schema: type[BaseModel],
    *,
    filename: str,
    include: Sequence[str] = (),
) -> StreamingResponse:
    """Stream every page of `list_items(session, filters)` as CSV rows of `schema`, whatever
    `limit` and `cursor` the filters carry.

    The first page is read now, on the request's session, so that a bad filter is still a
    422; the rest are read while streaming, on a session of their own.
    """

    def fetch(db: Session, cursor: str | None) -> PageResult[Any]:
        return list_items(db, filters.model_copy(update={"cursor": cursor, "limit": CSV_BATCH}))

    factory: sessionmaker[Session] = request.state.sessionmaker
    columns = csv_columns(schema, include)
    language = current_language()
    first = fetch(session, None)

    def lines(page: PageResult[Any], buffer: io.StringIO) -> str:
        writer = csv.writer(buffer, lineterminator="\r\n")
        for obj in page.items:
            writer.writerow(_flatten(schema.model_validate(obj).model_dump(mode="json"), columns))
        chunk = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return chunk

    def rows() -> Iterator[str]:
        set_language(language)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(columns)
        yield lines(first, buffer)
        cursor = first.next_cursor
        if cursor is None:
            return
        with factory() as own:
            while cursor is not None:
                page = fetch(own, cursor)
                yield lines(page, buffer)
                cursor = page.next_cursor

    headers = {
        **negotiated_headers(language),
        "Content-Disposition": f'attachment; filename="{filename}.csv"',
    }
    return StreamingResponse(
        rows(), media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8; header=present", headers=headers
    )


# --- JSON-LD --------------------------------------------------------------------------------

ACTOR_TYPES = {"person": "Person", "state": "Country"}
KIND_TYPES = {
    "passages": "CreativeWork",
    "events": "Event",
    "periods": "Event",
    "regions": "Place",
    "themes": "DefinedTerm",
}


def _type(kind: str, obj: Any) -> str:
    if kind == "actors":
        return ACTOR_TYPES.get(str(obj.kind), "Organization")
    return KIND_TYPES[kind]


def _url(request: Request, kind: str, obj: Any) -> str:
    key = obj.id if kind == "passages" else obj.slug
    return f"{str(request.base_url).rstrip('/')}/api/v1/{kind}/{key}"


def _ref(request: Request, kind: str, obj: Any) -> dict[str, Any]:
    ref = {"@id": _url(request, kind, obj), "@type": _type(kind, obj)}
    if kind == "passages":
        ref["name"] = f"Pasaje {obj.position}"
    else:
        ref["name"] = localized(obj, "name")
    return ref


def _years(start: int | None, end: int | None) -> str | None:
    if start is None or end is None:
        return None
    return f"{start:04d}" if start == end else f"{start:04d}/{end:04d}"


def json_ld(request: Request, kind: str, obj: Any) -> dict[str, Any]:
    """The schema.org description of one resource, its links as references."""

    def refs(link_kind: str, attribute: str | None = None) -> list[dict[str, Any]]:
        items = getattr(obj, attribute or link_kind)
        return [_ref(request, link_kind, item) for item in items]

    doc: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@id": _url(request, kind, obj),
        "@type": _type(kind, obj),
        "url": _url(request, kind, obj),
        "identifier": str(obj.id if kind == "passages" else obj.slug),
    }
    if kind == "passages":
        doc.update(
            name=f"Pasaje {obj.position}",
            text=obj.text,
            inLanguage="es",
            position=obj.position,
            about=refs("themes"),
            mentions=[*refs("events"), *refs("actors"), *refs("regions"), *refs("periods")],
        )
        if obj.text_en:
            doc["workTranslation"] = {
                "@type": "CreativeWork",
                "text": obj.text_en,
                "inLanguage": "en",
            }
        coverage = _years(obj.start_year, obj.end_year)
        if coverage:
            doc["temporalCoverage"] = coverage
        return doc
    doc.update(
        name=localized(obj, "name"),
        description=localized(obj, "description") or None,
        alternateName=list(obj.aliases),
        subjectOf=refs("passages"),
    )
    if kind == "actors":
        if obj.role:
            doc["jobTitle" if obj.kind == "person" else "disambiguatingDescription"] = obj.role
        doc["subjectOf"] += refs("events")
    elif kind == "events":
        doc.update(
            startDate=obj.start_date.isoformat(),
            endDate=obj.end_date.isoformat(),
            temporalCoverage=obj.date,
            about=refs("themes"),
            location=refs("regions"),
            superEvent=refs("periods"),
            attendee=refs("actors"),
        )
    elif kind == "periods":
        doc.update(startDate=f"{obj.start_year:04d}", endDate=f"{obj.end_year:04d}")
        if obj.parent is not None:
            doc["superEvent"] = _ref(request, "periods", obj.parent)
        doc["subEvent"] = [*refs("periods", "children"), *refs("events")]
    elif kind == "regions":
        if obj.parent is not None:
            doc["containedInPlace"] = _ref(request, "regions", obj.parent)
        doc["containsPlace"] = refs("regions", "children")
        doc["event"] = refs("events")
    elif kind == "themes":
        doc["subjectOf"] += refs("events")
    return {key: value for key, value in doc.items() if value not in (None, [])}


def json_ld_response(request: Request, kind: str, obj: Any) -> JSONResponse:
    return JSONResponse(
        json_ld(request, kind, obj),
        media_type=JSON_LD_MEDIA_TYPE,
        headers=negotiated_headers(current_language()),
    )


def json_ld_openapi(example: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting a detail's JSON-LD form."""
    return {
        200: {
            "description": "The resource; as schema.org JSON-LD with "
            "`Accept: application/ld+json`.",
            "content": {JSON_LD_MEDIA_TYPE: {"schema": {"type": "object"}, "example": example}},
        }
    }


def csv_openapi() -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "A page of items; with `format=csv` or `Accept: text/csv`, every "
            "matching item as CSV.",
            "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    }
