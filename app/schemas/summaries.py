"""The short forms of every resource, nested inside the others.

They live together because every resource embeds the summaries of the others:
a passage lists its actors, an actor lists its passages.
"""

from typing import Generic, TypeVar

from pydantic import Field

from app.models import ActorKind, RegionKind
from app.schemas.base import Schema, Slug


class PassageSummary(Schema):
    id: int = Field(examples=[6])
    text: str = Field(
        description="The passage verbatim, without citation markers.",
        examples=[
            "De la mano con la promoción de Frentes Populares, Maksim Litvínov, Comisario para "
            "Asuntos Exteriores entre 1930 y 1939, apuntó a alianzas más cercanas con gobiernos "
            "occidentales, e hizo alguna vez mayor hincapié en la seguridad colectiva."
        ],
    )
    start_year: int | None = Field(description="First year it concerns, if known.", examples=[1930])
    end_year: int | None = Field(description="Last year it concerns, if known.", examples=[1939])


class EventSummary(Schema):
    slug: Slug = Field(examples=["pacto-ribbentrop-molotov"])
    name: str = Field(examples=["Pacto Ribbentrop-Mólotov"])
    date: str = Field(description="EDTF date or interval.", examples=["1939-08-23"])
    start_year: int = Field(examples=[1939])
    end_year: int = Field(examples=[1939])


class ActorSummary(Schema):
    slug: Slug = Field(examples=["maksim-litvinov"])
    name: str = Field(examples=["Maksim Litvínov"])
    kind: ActorKind = Field(examples=[ActorKind.PERSON])


class PeriodSummary(Schema):
    slug: Slug = Field(examples=["guerra-fria"])
    name: str = Field(examples=["Guerra Fría"])
    start_year: int = Field(examples=[1947])
    end_year: int = Field(examples=[1991])


class RegionSummary(Schema):
    slug: Slug = Field(examples=["tercer-mundo"])
    name: str = Field(examples=["Tercer Mundo"])
    kind: RegionKind = Field(examples=[RegionKind.POLITICAL_GROUPING])


class ThemeSummary(Schema):
    slug: Slug = Field(examples=["seguridad-colectiva"])
    name: str = Field(examples=["Seguridad colectiva"])


S = TypeVar("S", bound=Schema)


class Children(Schema, Generic[S]):
    """The periods or regions inside one, as summaries."""

    children: list[S]


# --- What a detail lists of the passages and events linked to it -------------------------


class LinkedPassages(Schema):
    passages: list[PassageSummary]
    passages_total: int = Field(
        description="How many passages link here; `passages` holds the first 100 in source "
        "order (the rest: filter /api/v1/passages by this slug)."
    )


class LinkedEvents(Schema):
    events: list[EventSummary]
    events_total: int = Field(
        description="How many events link here; `events` holds the first 100 in date order."
    )


class LinkedEntities(Schema):
    """The actors, periods, regions and themes a passage or event is linked to, all of them."""

    actors: list[ActorSummary]
    periods: list[PeriodSummary]
    regions: list[RegionSummary]
    themes: list[ThemeSummary]
