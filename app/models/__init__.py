"""Every model, imported here so that Alembic sees one complete metadata."""

from app.models import aggregates as _aggregates  # noqa: F401  (the link aggregates' tables)
from app.models.actor import Actor, ActorKind
from app.models.api_key import ApiKey, Scope
from app.models.audit import AuditEntry
from app.models.base import Base, EntityMixin
from app.models.event import Event
from app.models.passage import Passage
from app.models.period import Period
from app.models.region import Region, RegionKind
from app.models.theme import Theme

__all__ = [
    "Actor",
    "ActorKind",
    "ApiKey",
    "AuditEntry",
    "Base",
    "EntityMixin",
    "Event",
    "Passage",
    "Period",
    "Region",
    "RegionKind",
    "Scope",
    "Theme",
]

# Registers the mapper events that keep the full-text index in step with ORM writes.
from app.models import search as _search  # noqa: F401
