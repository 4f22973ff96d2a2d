"""API keys: made and revoked on the command line, sent as `Authorization: Bearer <key>`.
Keys look like `anl_<prefix>_<secret>`; only a SHA-256 of the whole key is stored, found by
its prefix and compared in constant time."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import ApiKey
from app.repositories import curation as repo

KEY_TAG = "anl"


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
    key = repo.key_by_prefix(session, parts[1])
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(hash_key(presented), key.secret_hash):
        return None
    return key
