"""One error shape for every failure: RFC 9457 problem details (`application/problem+json`)."""

import logging
import sqlite3
import uuid
from collections.abc import Callable, Sequence
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
    """Every method some route takes on this path, asked of the routes themselves."""
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if not exc.connection_invalidated and not _is_connection_error(exc):
        return await _unexpected_error(request, exc)
    logger.warning("database unavailable: %s", exc.orig)
    # A cancelled statement (statement timeout) and a lost connection are both transient.
    problem = Problem(
        type=ServiceUnavailable.type,
        title=ServiceUnavailable.title,
        status=503,
        detail="The database is unavailable; try again shortly.",
    )
    return problem_response(request, problem)


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
# PostgreSQL's answers for a database whose schema is missing or behind the code: not yet
# migrated (undefined_table, undefined_column). SQLite says so with an OperationalError.
_POSTGRES_SCHEMA_NOT_READY = {"42P01", "42703"}


def _is_connection_error(exc: DBAPIError) -> bool:
    """The database is away, busy or unusable, rather than the request being at fault."""
    if isinstance(exc, OperationalError):
        return True
    if getattr(exc.orig, "sqlstate", None) in _POSTGRES_SCHEMA_NOT_READY:
        return True
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _SQLITE_UNUSABLE_FILE


def _phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def register_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(SQLAlchemyTimeoutError, _pool_timeout)


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the problem shape for `codes`."""
    descriptions = {
        404: "No such resource.",
        422: "A parameter is invalid; `invalid_params` names each one.",
        503: "The database is unavailable.",
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
