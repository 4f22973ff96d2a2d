"""The write API: POST, PUT, PATCH and DELETE for every resource, relinking, and the audit
log. Reads stay public; writes need an API key with the `write` scope, the audit log one
with `admin`.

The five entity kinds share one set of rules (app/curation.py), so their routes are made by
one function rather than written out five times; passages, which are linked rather than
named, have their own.
"""

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.api.auth import AdminDep, WriterDep
from app.api.deps import PassageIdPath, SlugPath
from app.api.pagination import page_of
from app.core.db import WriteSessionDep
from app.core.errors import NotFound, problem_responses
from app.repositories import curation as repo
from app.schemas.base import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page
from app.schemas.passage import PassageDetail
from app.schemas.write import (
    ActorPatch,
    AuditItem,
    EntityCreate,
    EventPatch,
    LinkMatch,
    LinkPreview,
    PassageCreate,
    PassagePatch,
    PassageWritten,
    PeriodPatch,
    RegionPatch,
    RelinkedPassage,
    RelinkReport,
    ThemePatch,
)
from app.services import curation
from app.services.curation import RESOURCES, Resource

IfMatch = Annotated[
    str | None,
    Header(
        description="The ETag from a GET of the resource; required, so that no concurrent "
        "edit is lost (412 when it is stale, 428 when it is missing or `*`, which matches "
        "any version and so guards nothing).",
    ),
]
DryRun = Annotated[bool, Query(description="Say what would be linked, store nothing.")]


def write_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The problems a write can answer: `codes`, and those of every write (no key or scope,
    a body that is not plain JSON, an invalid one, a commit that failed and stored nothing)."""
    return problem_responses(401, 403, *codes, 415, 422, 503)


WRITE_ERRORS = write_errors(404, 409, 412, 428)

PATCHES: dict[str, type[BaseModel]] = {
    "actors": ActorPatch,
    "events": EventPatch,
    "periods": PeriodPatch,
    "regions": RegionPatch,
    "themes": ThemePatch,
}


def _locked(session: Any, resource: Resource, slug: str) -> Any:
    if repo.lock_entity(session, resource.model, slug) is None:
        raise NotFound(f"No {resource.singular} has slug '{slug}'.")
    return resource.get(session, slug)


def _editable(session: Any, resource: Resource, slug: str, if_match: str | None) -> Any:
    """The entity, locked, once `If-Match` names its current ETag."""
    obj = _locked(session, resource, slug)
    curation.check_if_match(if_match, resource.detail, obj)
    return obj


def _with_etag(response: Response, detail: type[BaseModel], obj: Any) -> Any:
    response.headers["ETag"] = curation.representation_etag(detail, obj)
    return detail.model_validate(obj)


def entity_router(resource: Resource) -> APIRouter:
    router = APIRouter(prefix=f"/{resource.kind}", tags=[resource.kind])
    one, detail, patch = resource.singular, resource.detail, PATCHES[resource.kind]

    def create(
        request: Request,
        response: Response,
        body: EntityCreate,
        session: WriteSessionDep,
        key: WriterDep,
    ) -> Any:
        created = curation.create_entity(session, resource, body, key)
        response.headers["Location"] = str(request.url_for(f"get_{one}", slug=created.slug).path)
        return _with_etag(response, detail, created)

    def replace(
        response: Response,
        slug: SlugPath,
        body: EntityCreate,
        session: WriteSessionDep,
        key: WriterDep,
        if_match: IfMatch = None,
    ) -> Any:
        obj = _editable(session, resource, slug, if_match)
        return _with_etag(
            response, detail, curation.replace_entity(session, resource, obj, body, key)
        )

    def update(
        response: Response,
        slug: SlugPath,
        body: BaseModel,
        session: WriteSessionDep,
        key: WriterDep,
        if_match: IfMatch = None,
    ) -> Any:
        obj = _editable(session, resource, slug, if_match)
        merged = curation.merge_patch(resource.create, curation.state_of(resource, obj), body)
        return _with_etag(
            response, detail, curation.replace_entity(session, resource, obj, merged, key)
        )

    def delete(
        slug: SlugPath,
        session: WriteSessionDep,
        key: WriterDep,
        if_match: IfMatch = None,
        cascade: Annotated[
            Literal["links"] | None,
            Query(description="`links`: drop the links to it (passages are never deleted)."),
        ] = None,
    ) -> Response:
        obj = _editable(session, resource, slug, if_match)
        curation.delete_entity(session, resource, obj, cascade=cascade == "links", key=key)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    def relink(
        slug: SlugPath, session: WriteSessionDep, key: WriterDep, dry_run: DryRun = False
    ) -> RelinkReport:
        obj = _locked(session, resource, slug)
        found = curation.relink(session, resource, obj, dry_run=dry_run, key=key)
        return RelinkReport(
            dry_run=dry_run,
            linked=[
                RelinkedPassage(passage_id=r.passage_id, match=LinkMatch(**asdict(r.match)))
                for r in found
            ],
        )

    # FastAPI reads the body model from the annotation; each kind has its own.
    create.__annotations__["body"] = resource.create
    replace.__annotations__["body"] = resource.create
    update.__annotations__["body"] = patch

    router.add_api_route(
        "",
        create,
        methods=["POST"],
        name=f"create_{one}",
        summary=f"Create a {one}",
        description=f"Store a new {one}; its slug is derived from `name` unless given. "
        "Answers 201 with the stored resource, its `Location` and `ETag`.",
        status_code=status.HTTP_201_CREATED,
        response_model=detail,
        responses=write_errors(409),
    )
    router.add_api_route(
        "/{slug}",
        replace,
        methods=["PUT"],
        name=f"replace_{one}",
        summary=f"Replace a {one}",
        description=f"Replace every field of the {one}. Needs `If-Match`.",
        response_model=detail,
        responses=WRITE_ERRORS,
    )
    router.add_api_route(
        "/{slug}",
        update,
        methods=["PATCH"],
        name=f"update_{one}",
        summary=f"Update part of a {one}",
        description="A JSON merge patch: the fields sent replace the stored ones. Needs "
        "`If-Match`. Adding an alias? Then POST `…/relink` to link the passages using it.",
        response_model=detail,
        responses=WRITE_ERRORS,
    )
    router.add_api_route(
        "/{slug}",
        delete,
        methods=["DELETE"],
        name=f"delete_{one}",
        summary=f"Delete a {one}",
        description="Refused with 409 while passages, events or sub-entities link to it, "
        "unless `cascade=links`. Needs `If-Match`.",
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        responses=WRITE_ERRORS,
    )
    router.add_api_route(
        "/{slug}/relink",
        relink,
        methods=["POST"],
        name=f"relink_{one}",
        summary=f"Link the passages that mention a {one}",
        description="Scan the passages for the entity's names and aliases and link those "
        "that mention it and are not linked yet; `dry_run=true` only reports them.",
        responses=write_errors(404),
    )
    return router


passages = APIRouter(prefix="/passages", tags=["passages"])


@passages.post(
    "",
    summary="Add a passage",
    description="Store a passage. Without `links`, it is linked automatically to every known "
    "actor, event, period, region and theme it mentions (names and aliases, accents and case "
    "ignored, whole words, longest match first), and its years are read from the text; "
    "`matches` says why each link was made. A passage of a named `source_file` follows the "
    "last one of that source and, giving no years and no period, continues its periods. "
    "`dry_run=true` answers 200 with the same analysis and stores nothing.",
    status_code=status.HTTP_201_CREATED,
    response_model=PassageWritten,
    responses={
        200: {"model": LinkPreview, "description": "The analysis of a dry run."},
        **write_errors(),
    },
)
def create_passage(
    request: Request,
    response: Response,
    body: PassageCreate,
    session: WriteSessionDep,
    key: WriterDep,
    dry_run: DryRun = False,
) -> Any:
    context = curation.source_context(session, body.source_file)
    plan = curation.plan_passage(session, body, previous=context)
    matches = [LinkMatch(**asdict(m)) for m in plan.matches]
    if dry_run:
        preview = LinkPreview(
            text=body.text,
            start_year=plan.start_year,
            end_year=plan.end_year,
            years_reason=plan.years_reason,
            links=plan.links,
            matches=matches,
        )
        # A preview is not the stored resource: sent as is, 200 rather than 201.
        return JSONResponse(preview.model_dump(mode="json"), status_code=status.HTTP_200_OK)
    created = curation.create_passage(session, plan, key)
    response.headers["Location"] = request.url_for("get_passage", passage_id=created.id).path
    response.headers["ETag"] = curation.representation_etag(PassageDetail, created)
    written = PassageDetail.model_validate(created).model_dump()
    return {**written, "years_reason": plan.years_reason, "matches": matches}


def _locked_passage(session: Any, passage_id: int) -> Any:
    found = repo.lock_passage(session, passage_id)
    if found is None:
        raise NotFound(f"No passage has id {passage_id}.")
    return found


def _editable_passage(session: Any, passage_id: int, if_match: str | None) -> Any:
    obj = _locked_passage(session, passage_id)
    curation.check_if_match(if_match, PassageDetail, obj)
    return obj


@passages.put(
    "/{passage_id}",
    summary="Replace a passage",
    description="Replace every field of the passage; without `links` it is linked afresh "
    "automatically. Needs `If-Match`.",
    responses=WRITE_ERRORS,
)
def replace_passage(
    response: Response,
    passage_id: PassageIdPath,
    body: PassageCreate,
    session: WriteSessionDep,
    key: WriterDep,
    if_match: IfMatch = None,
) -> PassageDetail:
    obj = _editable_passage(session, passage_id, if_match)
    context = curation.source_context(session, body.source_file, obj.source_line)
    plan = curation.plan_passage(session, body, previous=context)
    updated = curation.replace_passage(session, obj, plan, key)
    return _with_etag(response, PassageDetail, updated)  # type: ignore[no-any-return]


@passages.patch(
    "/{passage_id}",
    summary="Update part of a passage",
    description='A JSON merge patch; `"links": null` relinks it automatically. Needs `If-Match`.',
    responses=WRITE_ERRORS,
)
def update_passage(
    response: Response,
    passage_id: PassageIdPath,
    body: PassagePatch,  # type: ignore[valid-type]
    session: WriteSessionDep,
    key: WriterDep,
    if_match: IfMatch = None,
) -> PassageDetail:
    obj = _editable_passage(session, passage_id, if_match)
    merged = curation.merge_patch(PassageCreate, curation.passage_state(obj), body)
    context = curation.source_context(session, merged.source_file, obj.source_line)
    plan = curation.plan_passage(session, merged, previous=context)
    updated = curation.replace_passage(session, obj, plan, key)
    return _with_etag(response, PassageDetail, updated)  # type: ignore[no-any-return]


@passages.delete(
    "/{passage_id}",
    summary="Delete a passage",
    description="Delete the passage and its links. Needs `If-Match`.",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=WRITE_ERRORS,
)
def delete_passage(
    passage_id: PassageIdPath, session: WriteSessionDep, key: WriterDep, if_match: IfMatch = None
) -> Response:
    obj = _editable_passage(session, passage_id, if_match)
    curation.delete_passage(session, obj, key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


audit = APIRouter(prefix="/audit", tags=["audit"])


@audit.get(
    "",
    summary="Audit log",
    description="Every write, oldest first: which key made it, when, and the resource before "
    "and after. Needs an `admin` key.",
    responses=problem_responses(401, 403, 422),
)
def list_audit(
    request: Request,
    response: Response,
    session: WriteSessionDep,
    key: AdminDep,
    resource: Annotated[
        Literal["passages", "actors", "events", "periods", "regions", "themes"] | None,
        Query(description="Only changes to this kind of resource."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[AuditItem]:
    result = repo.list_audit(session, resource=resource, limit=limit, cursor=cursor)
    return page_of(request, response, result, limit, AuditItem)


routers = [entity_router(resource) for resource in RESOURCES.values()] + [passages, audit]


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


def _if_match_required(paths: dict[str, Any]) -> None:
    """Document `If-Match` as required where it is. The route takes it as optional so that
    its absence is answered 428 Precondition Required, as RFC 6585 says, rather than 422."""
    for operations in paths.values():
        for method in ("put", "patch", "delete"):
            for parameter in operations.get(method, {}).get("parameters", []):
                if parameter["in"] == "header" and parameter["name"] == "if-match":
                    parameter["required"] = True
                    parameter["schema"] = {"type": "string"}


def link_writes(spec: dict[str, Any]) -> None:
    """OpenAPI links from every resource's writes and detail to the next operations on it,
    carrying the ETag as `If-Match`: a client (or Schemathesis' stateful mode) can walk
    create → read → update → delete from the document alone."""
    paths = spec.get("paths", {})
    _if_match_required(paths)
    targets = [(kind, "{slug}", "slug", "slug") for kind in RESOURCES]
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
