"""The write API's scopes as dependencies: a live key with `write` (or `admin`) sent as
`Authorization: Bearer <key>`; 401 without one, 403 without the scope (app/services/keys.py
makes and checks the keys)."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.core.db import WriteSessionDep
from app.core.errors import AppError
from app.models import ApiKey, Scope
from app.models.base import utcnow
from app.services.keys import find_key


class Unauthorized(AppError):
    status_code = 401
    type = "/problems/unauthorized"
    title = "Unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="anales"'}


class Forbidden(AppError):
    status_code = 403
    type = "/problems/forbidden"
    title = "Forbidden"


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key made with `python -m app keys create`. Reads need none.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def require(scope: Scope) -> Callable[[Session, Credentials], ApiKey]:
    """A dependency that admits a live key holding `scope` (admin holds every scope)."""

    def dependency(session: WriteSessionDep, credentials: Credentials) -> ApiKey:
        if credentials is None:
            raise Unauthorized("This request needs an API key: `Authorization: Bearer <key>`.")
        key = find_key(session, credentials.credentials)
        if key is None:
            raise Unauthorized("The API key is unknown or revoked.")
        if scope not in key.scopes and Scope.ADMIN not in key.scopes:
            raise Forbidden(f"The API key lacks the '{scope}' scope.")
        key.last_used_at = utcnow()
        return key

    dependency.__name__ = f"require_{scope}"
    return dependency


WriterDep = Annotated[ApiKey, Depends(require(Scope.WRITE))]
AdminDep = Annotated[ApiKey, Depends(require(Scope.ADMIN))]
