"""The short forms of every resource, nested inside the others.

They live together because every resource embeds the summaries of the others:
a passage lists its actors, an actor lists its passages.
"""

from pydantic import Field

from app.models import ActorKind, RegionKind
from app.schemas.base import Schema, Slug


class PassageSummary(Schema):
    id: int
    text: str = Field(description="The passage verbatim, without citation markers.")
    start_year: int | None
    end_year: int | None


class EventSummary(Schema):
    slug: Slug
    name: str
    date: str = Field(description="EDTF date or interval.", examples=["1939-08-23"])
    start_year: int
    end_year: int


class ActorSummary(Schema):
    slug: Slug
    name: str
    kind: ActorKind


class PeriodSummary(Schema):
    slug: Slug
    name: str
    start_year: int
    end_year: int


class RegionSummary(Schema):
    slug: Slug
    name: str
    kind: RegionKind


class ThemeSummary(Schema):
    slug: Slug
    name: str
