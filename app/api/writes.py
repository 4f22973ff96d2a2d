"""What the write routes of every resource share: what each handler takes (`WritingDep`),
their documented errors and texts, the lock-then-check of `If-Match`, the writes themselves
with the `ETag` and `Location` of what they store, the relink report, and the OpenAPI links
from each write to the next.

Reads stay public; writes need an API key with the `write` scope (app/api/auth.py). The
rules themselves (slugs, links, cascades, the audit log) are app/services/curation.py's.
"""

from dataclasses import asdict, dataclass
from typing import Annotated, Any, Literal, TypedDict, TypeVar

from fastapi import Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.api.auth import WriterDep
from app.api.preconditions import IfMatch, representation_etag, require_if_match
from app.core.db import WriteSessionDep
from app.core.errors import NotFound, problem_responses
from app.core.i18n import LanguageDep, in_language
from app.core.kinds import Kind
from app.models import ApiKey, Passage
from app.models.base import EntityMixin
from app.registry import REGISTRY
from app.repositories import curation as repo
from app.schemas.passage import PassageDetail
from app.schemas.write import (
    EntityCreate,
    LinkMatch,
    LinkPreview,
    PassageCreate,
    PassageWritten,
    RelinkedPassage,
    RelinkReport,
)
from app.services import curation

D = TypeVar("D", bound=BaseModel)

DryRun = Annotated[bool, Query(description="Say what would be linked, store nothing.")]
Cascade = Annotated[
    Literal["links"] | None,
    Query(description="`links`: drop the links to it (passages are never deleted)."),
]


@dataclass(frozen=True)
class Writing:
    """What every write handler stores with: its request and response, the write session,
    the API key it is made with (which the audit log names) and the language it answers in."""

    request: Request
    response: Response
    session: Session
    key: ApiKey
    language: str


async def writing(
    request: Request,
    response: Response,
    session: WriteSessionDep,
    key: WriterDep,
    language: LanguageDep,
) -> Writing:
    return Writing(request, response, session, key, language)


WritingDep = Annotated[Writing, Depends(writing)]


def write_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The problems a write can answer: `codes`, and those of every write (no key or scope,
    a body that is not plain JSON, an invalid one, a commit that failed and stored nothing)."""
    return problem_responses(401, 403, *codes, 415, 422, 503)


WRITE_ERRORS = write_errors(404, 409, 412, 428)


# --- Route texts --------------------------------------------------------------------------


class RouteDoc(TypedDict, total=False):
    """The documentation of a route, as keyword arguments of `APIRouter.post` and the rest."""

    summary: str
    description: str
    status_code: int
    response_class: type[Response]
    responses: dict[int | str, dict[str, Any]]


def _a(kind: Kind) -> str:
    """The kind's singular with its indefinite article: "an actor", "a period"."""
    one = kind.singular
    return f"{'an' if one[0] in 'aeiou' else 'a'} {one}"


def create_doc(kind: Kind) -> RouteDoc:
    return {
        "summary": f"Create {_a(kind)}",
        "description": f"Store a new {kind.singular}; its slug is derived from `name` unless "
        "given. Answers 201 with the stored resource, its `Location` and `ETag`.",
        "status_code": status.HTTP_201_CREATED,
        "responses": write_errors(409),
    }


def replace_doc(kind: Kind) -> RouteDoc:
    return {
        "summary": f"Replace {_a(kind)}",
        "description": f"Replace every field of the {kind.singular}. Needs `If-Match`.",
        "responses": WRITE_ERRORS,
    }


def update_doc(kind: Kind) -> RouteDoc:
    return {
        "summary": f"Update part of {_a(kind)}",
        "description": "A JSON merge patch: the fields sent replace the stored ones. Needs "
        "`If-Match`. Adding an alias? Then POST `…/relink` to link the passages using it.",
        "responses": WRITE_ERRORS,
    }


def delete_doc(kind: Kind) -> RouteDoc:
    return {
        "summary": f"Delete {_a(kind)}",
        "description": "Refused with 409 while passages, events or sub-entities link to it, "
        "unless `cascade=links`. Needs `If-Match`.",
        "status_code": status.HTTP_204_NO_CONTENT,
        "response_class": Response,
        "responses": WRITE_ERRORS,
    }


def relink_doc(kind: Kind) -> RouteDoc:
    return {
        "summary": f"Link the passages that mention {_a(kind)}",
        "description": "Scan the passages for the entity's names and aliases and link those "
        "that mention it and are not linked yet; `dry_run=true` only reports them.",
        "responses": write_errors(404),
    }


# --- Entities -----------------------------------------------------------------------------


def locked(session: Session, kind: Kind, slug: str) -> EntityMixin:
    """The entity, locked for this write and loaded as its detail shows it; 404 if none."""
    if repo.lock_entity(session, REGISTRY[kind].model, slug) is None:
        raise NotFound(f"No {kind.singular} has slug '{slug}'.")
    found: EntityMixin = curation.get_entity(session, kind, slug)
    return found


def editable(session: Session, kind: Kind, slug: str, precondition: IfMatch) -> EntityMixin:
    """The entity, locked, once `If-Match` names its current ETag."""
    obj = locked(session, kind, slug)
    precondition.check(REGISTRY[kind].detail, obj)
    return obj


def create(write: Writing, kind: Kind, body: EntityCreate, detail: type[D], read: str) -> D:
    """Store a new entity: 201 with it as `detail`, its `ETag`, and its `Location` (the URL of
    the route named `read`)."""
    created: EntityMixin = curation.create_entity(write.session, REGISTRY[kind], body, write.key)
    location = write.request.url_for(read, slug=created.slug).path
    return stored(write, detail, created, location)


def replace(
    write: Writing,
    kind: Kind,
    slug: str,
    body: EntityCreate,
    precondition: IfMatch,
    detail: type[D],
) -> D:
    """Replace every field of the entity, once `If-Match` names its current ETag."""
    obj = editable(write.session, kind, slug, precondition)
    replaced = curation.replace_entity(write.session, REGISTRY[kind], obj, body, write.key)
    return stored(write, detail, replaced)


def update(
    write: Writing, kind: Kind, slug: str, patch: BaseModel, precondition: IfMatch, detail: type[D]
) -> D:
    """Apply a JSON merge patch to the entity, once `If-Match` names its current ETag."""
    spec = REGISTRY[kind]
    obj = editable(write.session, kind, slug, precondition)
    merged = curation.merge_patch(spec.create, curation.state_of(spec, obj), patch)
    updated = curation.replace_entity(write.session, spec, obj, merged, write.key)
    return stored(write, detail, updated)


def delete(
    write: Writing, kind: Kind, slug: str, precondition: IfMatch, cascade: Literal["links"] | None
) -> Response:
    """Delete the entity (with the links to it, given `cascade="links"`): 204 No Content."""
    obj = editable(write.session, kind, slug, precondition)
    spec = REGISTRY[kind]
    curation.delete_entity(write.session, spec, obj, cascade=cascade == "links", key=write.key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def relink(write: Writing, kind: Kind, slug: str, *, dry_run: bool) -> RelinkReport:
    """Link the passages that mention the entity, and say which (or only say, on a dry run)."""
    obj = locked(write.session, kind, slug)
    found = curation.relink(write.session, REGISTRY[kind], obj, dry_run=dry_run, key=write.key)
    return RelinkReport(
        dry_run=dry_run,
        linked=[
            RelinkedPassage(passage_id=r.passage_id, match=LinkMatch(**asdict(r.match)))
            for r in found
        ],
    )


# --- Passages -----------------------------------------------------------------------------


def locked_passage(session: Session, passage_id: int) -> Passage:
    found = repo.lock_passage(session, passage_id)
    if found is None:
        raise NotFound(f"No passage has id {passage_id}.")
    return found


def editable_passage(session: Session, passage_id: int, precondition: IfMatch) -> Passage:
    """The passage, locked, once `If-Match` names its current ETag."""
    obj = locked_passage(session, passage_id)
    precondition.check(PassageDetail, obj)
    return obj


def plan_passage(
    session: Session, body: PassageCreate, obj: Passage | None = None
) -> curation.PassagePlan:
    """The passage's links and years, read as following the passage before it in its source
    (before `obj`'s place, when it is stored already)."""
    line = obj.source_line if obj is not None else None
    context = curation.source_context(session, body.source_file, line)
    return curation.plan_passage(session, body, previous=context)


def matches(plan: curation.PassagePlan) -> list[LinkMatch]:
    """Why auto-linking linked what it did."""
    return [LinkMatch(**asdict(m)) for m in plan.matches]


def preview(body: PassageCreate, plan: curation.PassagePlan) -> LinkPreview:
    """What a new passage would be stored as: a dry run's answer."""
    return LinkPreview(
        text=body.text,
        start_year=plan.start_year,
        end_year=plan.end_year,
        years_reason=plan.years_reason,
        links=plan.links,
        matches=matches(plan),
    )


def create_passage(
    write: Writing, body: PassageCreate, *, dry_run: bool
) -> PassageWritten | JSONResponse:
    """Store a new passage: 201 with it, its links and why each was made; a dry run answers
    200 with the same analysis (a preview, not the stored resource) and stores nothing."""
    plan = plan_passage(write.session, body)
    if dry_run:
        return JSONResponse(
            preview(body, plan).model_dump(mode="json"), status_code=status.HTTP_200_OK
        )
    created = curation.create_passage(write.session, plan, write.key)
    location = write.request.url_for("get_passage", passage_id=created.id).path
    written = stored(write, PassageDetail, created, location).model_dump()
    return PassageWritten.model_validate(
        {**written, "years_reason": plan.years_reason, "matches": matches(plan)}
    )


def replace_passage(
    write: Writing, passage_id: int, body: PassageCreate, precondition: IfMatch
) -> PassageDetail:
    """Replace every field of the passage (linked afresh without `links`)."""
    obj = editable_passage(write.session, passage_id, precondition)
    plan = plan_passage(write.session, body, obj)
    replaced = curation.replace_passage(write.session, obj, plan, write.key)
    return stored(write, PassageDetail, replaced)


def update_passage(
    write: Writing, passage_id: int, patch: BaseModel, precondition: IfMatch
) -> PassageDetail:
    """Apply a JSON merge patch to the passage (`"links": null` relinks it)."""
    obj = editable_passage(write.session, passage_id, precondition)
    merged: PassageCreate = curation.merge_patch(PassageCreate, curation.passage_state(obj), patch)
    plan = plan_passage(write.session, merged, obj)
    replaced = curation.replace_passage(write.session, obj, plan, write.key)
    return stored(write, PassageDetail, replaced)


def delete_passage(write: Writing, passage_id: int, precondition: IfMatch) -> Response:
    """Delete the passage and its links: 204 No Content."""
    obj = editable_passage(write.session, passage_id, precondition)
    curation.delete_passage(write.session, obj, write.key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- Answers ------------------------------------------------------------------------------


def stored(write: Writing, detail: type[D], obj: object, location: str | None = None) -> D:
    """`obj` as `detail` shows it in the write's language, its `ETag` (and `Location`, once
    created) on the response."""
    if location is not None:
        write.response.headers["Location"] = location
    write.response.headers["ETag"] = representation_etag(detail, obj, write.language)
    return detail.model_validate(obj, context=in_language(write.language))


# --- OpenAPI links ------------------------------------------------------------------------

LINK_NAMES = {"get": "Read", "patch": "Update", "put": "Replace", "delete": "Delete"}


def _links(operations: dict[str, Any], parameter: str, field: str, *methods: str) -> dict[str, Any]:
    """Links to `methods` on one resource: its key from the response body, and for writes
    the response's ETag as `If-Match`."""
    found: dict[str, Any] = {}
    for method in methods:
        operation_id = operations.get(method, {}).get("operationId")
        if operation_id is None:
            continue
        parameters = {parameter: f"$response.body#/{field}"}
        if method != "get":
            parameters["header.if-match"] = "$response.header.ETag"
        found[LINK_NAMES[method]] = {"operationId": operation_id, "parameters": parameters}
    return found


def link_writes(spec: dict[str, Any]) -> None:
    """OpenAPI links from every resource's writes and detail to the next operations on it,
    carrying the ETag as `If-Match`: a client (or Schemathesis' stateful mode) can walk
    create → read → update → delete from the document alone."""
    paths = spec.get("paths", {})
    require_if_match(paths)
    targets = [(kind.value, "{slug}", "slug", "slug") for kind in REGISTRY]
    targets.append(("passages", "{passage_id}", "passage_id", "id"))
    for kind, key, parameter, field in targets:
        operations = paths.get(f"/api/v1/{kind}/{key}", {})
        created = paths.get(f"/api/v1/{kind}", {}).get("post", {}).get("responses", {})
        if "201" in created:
            created["201"]["links"] = _links(
                operations, parameter, field, "get", "patch", "put", "delete"
            )
        for method in ("get", "patch", "put"):
            response = operations.get(method, {}).get("responses", {}).get("200")
            if response is not None:
                # An update may have moved the resource (a new slug): it is read where it is.
                reads = () if method == "get" else ("get",)
                response["links"] = _links(
                    operations, parameter, field, *reads, "patch", "put", "delete"
                )
