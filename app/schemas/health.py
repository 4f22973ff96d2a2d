from typing import Literal

from app.schemas.base import Schema


class Health(Schema):
    status: Literal["ok"] = "ok"


class Readiness(Schema):
    status: Literal["ok"] = "ok"
    database: str
    revision: str
