"""The PATCH bodies of the write routes, typed.

`patch_model` builds them (app/schemas/write.py) when the schemas are imported, so to a type
checker they are only the `BaseModel` they subclass, which is all a route does with one (it
is merged into the stored resource); FastAPI reads the real classes, and documents them.
"""

from typing import TYPE_CHECKING, TypeAlias

from pydantic import BaseModel

if TYPE_CHECKING:
    ActorPatch: TypeAlias = BaseModel
    EventPatch: TypeAlias = BaseModel
    PeriodPatch: TypeAlias = BaseModel
    RegionPatch: TypeAlias = BaseModel
    ThemePatch: TypeAlias = BaseModel
    PassagePatch: TypeAlias = BaseModel
else:
    from app.schemas.write import (
        ActorPatch,
        EventPatch,
        PassagePatch,
        PeriodPatch,
        RegionPatch,
        ThemePatch,
    )

__all__ = [
    "ActorPatch",
    "EventPatch",
    "PassagePatch",
    "PeriodPatch",
    "RegionPatch",
    "ThemePatch",
]
