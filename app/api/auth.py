"""API keys for the write API: made and revoked on the command line, sent as
`Authorization: Bearer <key>`. Keys look like `anl_<prefix>_<secret>`; only a SHA-256 of the
whole key is stored, found by its prefix and compared in constant time."""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import WriteSessionDep
from app.core.errors import AppError
from app.models import ApiKey, Scope
from app.models.base import utcnow

KEY_TAG = "anl"


class Unauthorized(AppError):
    status_code = 401
    type = "/problems/unauthorized"
    title = "Unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="anales"'}


class Forbidden(AppError):
    status_code = 403
    type = "/problems/forbidden"
    title = "Forbidden"


@dataclass(frozen=True)
class NewKey:
    key: str
    prefix: str
    secret_hash: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> NewKey:
    prefix = secrets.token_hex(4)
    key = f"{KEY_TAG}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(key=key, prefix=prefix, secret_hash=hash_key(key))


def find_key(session: Session, presented: str) -> ApiKey | None:
    """The live key `presented` is, or None; the hash comparison takes constant time."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_TAG:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(hash_key(presented), key.secret_hash):
        return None
    return key


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
