"""Conditional writes: the `ETag` of a resource and the `If-Match` a PUT, PATCH or DELETE needs.

An `If-Match` header names the `ETag` of the resource's default JSON representation (what a
plain GET of it returns); PUT, PATCH and DELETE need one, and a stale one is refused with 412,
so two curators editing the same resource cannot silently overwrite each other.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header
from pydantic import BaseModel

from app.core.cache import etag_for
from app.core.errors import AppError
from app.core.i18n import SUPPORTED, LanguageDep, in_language


class PreconditionFailed(AppError):
    status_code = 412
    type = "/problems/precondition-failed"
    title = "Precondition Failed"


class PreconditionRequired(AppError):
    status_code = 428
    type = "/problems/precondition-required"
    title = "Precondition Required"


def representation_etag(detail: type[BaseModel], obj: Any, language: str) -> str:
    """The ETag a GET of `obj` in `language` answers with (the hash of its body)."""
    context = in_language(language)
    body = detail.model_validate(obj, context=context).model_dump_json(by_alias=True).encode()
    return etag_for(body).decode()


def current_etags(detail: type[BaseModel], obj: Any) -> list[str]:
    """The ETags of the resource's JSON in every language: `If-Match` may name any of them,
    since a curator may have read it in English."""
    return [representation_etag(detail, obj, language) for language in SUPPORTED]


def check_if_match(if_match: str | None, detail: type[BaseModel], obj: Any, language: str) -> None:
    """428 without `If-Match` or with `*`, 412 unless it names a current ETag of the resource
    (in any language; the 412 names the one in `language`).

    `*` matches whatever version is stored, so it would guard against nothing: an edit sent
    with it overwrites one made since the curator read the resource, which is the lost
    update the header is required to prevent."""
    if if_match is None:
        raise PreconditionRequired(
            "Send `If-Match` with the ETag from a GET of this resource, so that no one "
            "else's edit is overwritten."
        )
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        raise PreconditionRequired(
            "`If-Match: *` matches any version, so it cannot keep a concurrent edit from being "
            "lost; send the ETag from a GET of this resource."
        )
    if set(tags) & set(current_etags(detail, obj)):
        return
    raise PreconditionFailed(
        f"The resource changed since that ETag was read; its ETag is now "
        f"{representation_etag(detail, obj, language)}."
    )


@dataclass(frozen=True)
class IfMatch:
    """The request's `If-Match`, checked against the resource once the write has it locked.

    The check waits for the resource: a write to one that does not exist is a 404, and a
    body that is not valid a 422, whatever the header says."""

    header: str | None
    language: str
    """The request's, in which a 412 names the current ETag."""

    def check(self, detail: type[BaseModel], obj: Any) -> None:
        """428 without `If-Match` or with `*`, 412 unless it names a current ETag of `obj`
        as `detail` shows it."""
        check_if_match(self.header, detail, obj, self.language)


def if_match(
    language: LanguageDep,
    if_match: Annotated[
        str | None,
        Header(
            description="The ETag from a GET of the resource; required, so that no concurrent "
            "edit is lost (412 when it is stale, 428 when it is missing or `*`, which matches "
            "any version and so guards nothing).",
        ),
    ] = None,
) -> IfMatch:
    """The `If-Match` header. It is declared optional so that its absence is answered 428
    Precondition Required, as RFC 6585 says, rather than 422; the OpenAPI document marks it
    required (`require_if_match`)."""
    return IfMatch(if_match, language)


IfMatchDep = Annotated[IfMatch, Depends(if_match)]


def require_if_match(paths: dict[str, Any]) -> None:
    """Document `If-Match` as required where it is (see `if_match`), and list it first of an
    operation's headers: before `Accept-Language`, which every route takes and none needs."""
    for operations in paths.values():
        for method in ("put", "patch", "delete"):
            parameters = operations.get(method, {}).get("parameters", [])
            found = [p for p in parameters if p["in"] == "header" and p["name"] == "if-match"]
            for parameter in found:
                parameter["required"] = True
                parameter["schema"] = {"type": "string"}
                parameters.remove(parameter)
                first = next((i for i, p in enumerate(parameters) if p["in"] == "header"), None)
                parameters.insert(len(parameters) if first is None else first, parameter)
