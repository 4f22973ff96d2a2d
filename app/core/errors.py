"""One error shape for every failure: RFC 9457 problem details (`application/problem+json`)."""

import logging
import sqlite3
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.status import HTTP_500_INTERNAL_SERVER_ERROR

logger = logging.getLogger("anales.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"


class InvalidParam(BaseModel):
    name: str = Field(description="The parameter at fault, as the client spelled it.")
    location: str = Field(description="Where it was: query, path, header or body.")
    reason: str


class Problem(BaseModel):
    type: str = Field(
        default="about:blank", description="URI reference identifying the problem type."
    )
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="The request path.")
    invalid_params: list[InvalidParam] = Field(
        default_factory=list, description="Every parameter at fault, for 422 responses."
    )
    error_id: str | None = Field(
        default=None, description="For 500 responses: the id under which the error is logged."
    )


class AppError(Exception):
    status_code = 500
    type = "about:blank"
    title = "Internal Server Error"
    headers: dict[str, str] = {}

    def __init__(self, detail: str, *, invalid_params: Sequence[InvalidParam] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.invalid_params = list(invalid_params)


class NotFound(AppError):
    status_code = 404
    type = "/problems/not-found"
    title = "Not Found"


class InvalidParameter(AppError):
    """A parameter that is well-formed but wrong: an unknown slug, `from` after `to`…"""

    status_code = 422
    type = "/problems/invalid-parameter"
    title = "Invalid Parameter"

    def __init__(self, name: str, reason: str, *, location: str = "query") -> None:
        super().__init__(
            f"Parameter '{name}': {reason}",
            invalid_params=[InvalidParam(name=name, location=location, reason=reason)],
        )


class BadQuery(ValueError):
    """A query value the data refuses (an unknown slug, a range that ends before it starts):
    raised below the HTTP layer, naming the parameter; answered as an `InvalidParameter`."""

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(reason)
        self.parameter = parameter
        self.reason = reason


class BadCursor(BadQuery):
    """A list's `cursor` that it did not issue (another list's, or no cursor at all)."""

    def __init__(self, reason: str) -> None:
        super().__init__("cursor", reason)


class ServiceUnavailable(AppError):
    status_code = 503
    type = "/problems/service-unavailable"
    title = "Service Unavailable"


def problem_response(request: Request, problem: Problem) -> JSONResponse:
    problem.instance = request.url.path
    headers = {"Retry-After": "5"} if problem.status == 503 else None
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _validation_params(errors: Sequence[Any]) -> list[InvalidParam]:
    params = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else "request"
        # Query-model errors carry the parameter right after the location; list items add an
        # index after it, which the client does not need to find the parameter.
        name = loc[1] if len(loc) > 1 else location
        reason = error.get("msg", "is invalid")
        if error.get("type") == "extra_forbidden":
            reason = "unknown parameter"
        elif error.get("type") == "json_invalid":
            # The location holds the character offset; the body as a whole is at fault.
            name, reason = "body", f"is not valid JSON: {error.get('ctx', {}).get('error', reason)}"
        params.append(InvalidParam(name=name, location=location, reason=reason))
    return params


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    problem = Problem(
        type=exc.type,
        title=exc.title,
        status=exc.status_code,
        detail=exc.detail,
        invalid_params=exc.invalid_params,
    )
    response = problem_response(request, problem)
    response.headers.update(exc.headers)
    return response


async def _bad_query(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BadQuery)
    return await _app_error(request, InvalidParameter(exc.parameter, exc.reason))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    params = _validation_params(exc.errors())
    detail = "; ".join(f"'{p.name}' ({p.location}): {p.reason}" for p in params)
    problem = Problem(
        type="/problems/invalid-parameter",
        title="Invalid Parameter",
        status=422,
        detail=detail or "The request is invalid.",
        invalid_params=params,
    )
    return problem_response(request, problem)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        # FastAPI answers a body that is not UTF-8 with a bare 400; it is as malformed as a JSON
        # syntax error, which is a 422 naming the body.
        reason = "is not valid JSON: not UTF-8"
        problem = Problem(
            type="/problems/invalid-parameter",
            title="Invalid Parameter",
            status=422,
            detail=f"'body' (body): {reason}",
            invalid_params=[InvalidParam(name="body", location="body", reason=reason)],
        )
        return problem_response(request, problem)
    response = problem_response(
        request,
        Problem(title=_phrase(exc.status_code), status=exc.status_code, detail=str(exc.detail)),
    )
    if exc.headers:
        response.headers.update(exc.headers)
    if exc.status_code == 405:
        # Starlette names the methods of the first route on the path only; list them all.
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route takes on this path, asked of the routes themselves. HEAD is
    answered wherever GET is (`HeadAsGetMiddleware`), though no route names it."""
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": "GET" if method == "HEAD" else method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


@dataclass(frozen=True)
class _Outage:
    """A database failure that is no fault of the request, answered 503: what the client is
    told, when to retry, and how loudly it is logged."""

    label: str
    detail: str
    retry_after: int
    level: int


# A cancelled statement (statement timeout), a lost connection, a file that is not a
# database: transient, or repaired by a restart or a restore.
_UNAVAILABLE = _Outage(
    "database unavailable", "The database is unavailable; try again shortly.", 5, logging.WARNING
)
# Other writes held the lock past the busy timeout: worth retrying at once.
_BUSY = _Outage(
    "database busy",
    "The database is busy with other writes; try again.",
    1,
    logging.WARNING,
)
# A revoked privilege, a read-only file, a full disk: nothing heals until someone acts, so
# it is logged as an error, with the database's own code for it.
_NEEDS_OPERATOR = _Outage(
    "database needs an operator",
    "The database cannot serve this request now; try again later.",
    30,
    logging.ERROR,
)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    outage = _outage(exc)
    if outage is None:
        return await _unexpected_error(request, exc)
    logger.log(outage.level, "%s (%s): %s", outage.label, _error_code(exc), exc.orig)
    problem = Problem(
        type=ServiceUnavailable.type,
        title=ServiceUnavailable.title,
        status=503,
        detail=outage.detail,
    )
    response = problem_response(request, problem)
    response.headers["Retry-After"] = str(outage.retry_after)
    return response


async def _pool_timeout(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("no database connection free in time: %s", exc)
    problem = Problem(
        type=ServiceUnavailable.type,
        title=ServiceUnavailable.title,
        status=503,
        detail="The service is busy; try again shortly.",
    )
    return problem_response(request, problem)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    error_id = uuid.uuid4().hex
    logger.error("unhandled error %s on %s", error_id, request.url.path, exc_info=exc)
    problem = Problem(
        title="Internal Server Error",
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        detail="An unexpected error occurred; it has been logged.",
        error_id=error_id,
    )
    return problem_response(request, problem)


# SQLite's answers for a file that is not (or no longer) a usable database.
_SQLITE_UNUSABLE_FILE = {sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT}
# SQLite's answers when other connections hold the lock past the busy timeout.
_SQLITE_CONTENTION = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
# SQLite's answers for a file it may not write (opened read-only, `PRAGMA query_only`) or a
# disk with no room left.
_SQLITE_NEEDS_OPERATOR = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL}
# PostgreSQL's answers for a database whose schema is missing or behind the code: not yet
# migrated (undefined_table, undefined_column). SQLite says so with an OperationalError.
_POSTGRES_SCHEMA_NOT_READY = {"42P01", "42703"}
# PostgreSQL's insufficient_privilege (a revoked grant), read_only_sql_transaction (a
# standby, or `default_transaction_read_only`) and disk_full.
_POSTGRES_NEEDS_OPERATOR = {"42501", "25006", "53100"}
# The rest of class 53, insufficient resources (out of memory, too many connections).
_POSTGRES_INSUFFICIENT_RESOURCES = "53"


def _sqlite_primary_code(exc: DBAPIError) -> int | None:
    """SQLite's primary result code: the low byte of an extended one (SQLITE_READONLY_DBMOVED
    is SQLITE_READONLY)."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _error_code(exc: DBAPIError) -> str:
    """The database's own name for the error, for the log: a SQLSTATE or a SQLite code."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate:
        return f"SQLSTATE {sqlstate}"
    name = getattr(exc.orig, "sqlite_errorname", None)
    return str(name) if name else type(exc.orig).__name__


def _outage(exc: DBAPIError) -> _Outage | None:
    """How a database failure that is not the request's fault is answered; None for one
    that is a bug (a 500)."""
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    sqlite_code = _sqlite_primary_code(exc)
    if sqlite_code in _SQLITE_CONTENTION:
        return _BUSY
    if sqlite_code in _SQLITE_NEEDS_OPERATOR or sqlstate in _POSTGRES_NEEDS_OPERATOR:
        return _NEEDS_OPERATOR
    if exc.connection_invalidated or _is_connection_error(exc, sqlstate, sqlite_code):
        return _UNAVAILABLE
    return None


def _is_connection_error(exc: DBAPIError, sqlstate: str, sqlite_code: int | None) -> bool:
    """The database is away, short of resources or unusable, rather than the request being
    at fault."""
    if isinstance(exc, OperationalError):
        return True
    if sqlstate in _POSTGRES_SCHEMA_NOT_READY:
        return True
    if sqlstate.startswith(_POSTGRES_INSUFFICIENT_RESOURCES):
        return True
    return sqlite_code in _SQLITE_UNUSABLE_FILE


def _phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def register_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(BadQuery, _bad_query)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(SQLAlchemyTimeoutError, _pool_timeout)


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the problem shape for `codes`."""
    descriptions = {
        404: "No such resource.",
        422: "A parameter is invalid; `invalid_params` names each one.",
        503: "The database is unavailable or busy (a write stored nothing); see `Retry-After`.",
    }
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        code: {
            # `model` registers the schema; `problem_openapi` keeps only the problem type.
            "model": Problem,
            "description": descriptions.get(code, HTTPStatus(code).phrase),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
        }
        for code in codes
    }


def problem_openapi(app: FastAPI, *extra: Callable[[dict[str, Any]], None]) -> None:
    """Document error responses as `application/problem+json` only, which is what is sent;
    `extra` functions amend the document further."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if code[0] in "45" and PROBLEM_MEDIA_TYPE in content:
                        content.pop("application/json", None)
        for amend in extra:
            amend(spec)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
