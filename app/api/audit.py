"""The audit log: every write, read back with an API key of the `admin` scope."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app.api.auth import AdminDep
from app.api.pagination import page_of
from app.core.db import WriteSessionDep
from app.core.errors import problem_responses
from app.repositories import curation as repo
from app.schemas.base import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page
from app.schemas.write import AuditItem

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get(
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
