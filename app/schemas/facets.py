"""`include=` and `facets=` on the passage and event lists, and the page that carries facets."""

from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BeforeValidator, Field

from app.core.kinds import Kind
from app.schemas.base import Page, QueryModel, Schema

T = TypeVar("T")


# What a list can count its matches by: the kinds' filter names, and decades. (A docstring
# would become the OpenAPI schema's description.)
class Facet(StrEnum):
    THEME = Kind.THEMES.facts.filter
    ERA = Kind.PERIODS.facts.filter
    REGION = Kind.REGIONS.facts.filter
    ACTOR = Kind.ACTORS.facts.filter
    DECADE = "decade"


def split_commas(value: Any) -> Any:
    """`include=actors,themes` and `include=actors&include=themes` mean the same. An empty
    item (`include=`, `actors,,themes`) is refused, as the documented pattern says."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        # Repeats are dropped, so the list never outgrows the values there are.
        return list(dict.fromkeys(part.strip() for item in value for part in str(item).split(",")))
    return value


CommaSeparated = BeforeValidator(split_commas)
"""For a list parameter whose values may also be comma-separated lists (`split_commas`)."""


def comma_list_schema(values: Iterable[str]) -> dict[str, Any]:
    """OpenAPI for a list parameter whose items may also be comma-separated lists."""
    choice = "|".join(values)
    return {"items": {"type": "string", "pattern": rf"^\s*({choice})\s*(,\s*({choice})\s*)*$"}}


def include_field(values: type[StrEnum]) -> Any:
    """The `include=` parameter of a list whose items can embed the links named `values`."""
    return Field(
        default_factory=list,
        description="Embed these links in each item, as summaries (comma-separated or "
        "repeated). The number of queries does not grow with the page.",
        examples=[["actors,themes"]],
        json_schema_extra=comma_list_schema(values),
    )


class FacetParams(QueryModel):
    facets: Annotated[list[Facet], CommaSeparated] = Field(
        default_factory=list,
        description="Also count the matching items per `theme`, `era`, `region` and `actor` "
        "value (what a filter sidebar shows), and per decade (`decades`, always given with "
        "any facet). Comma-separated or repeated.",
        examples=[["theme,era,region,actor"]],
        json_schema_extra=comma_list_schema(Facet),
    )


class FacetValue(Schema):
    slug: str = Field(description="The value to pass to the filter.")
    label: str = Field(description="Its name in the served language.")
    count: int = Field(
        description="Matching items linked to it (`era`/`region`: or to a "
        "period or region inside it, as the filter counts)."
    )


class DecadeCount(Schema):
    decade: int = Field(description="First year of the decade.", examples=[1930])
    label: str = Field(examples=["1930s"])
    count: int = Field(description="Matching items whose years overlap the decade.")


class Facets(Schema):
    """Counts over every item matching the filters (all pages), largest first."""

    theme: list[FacetValue] | None = Field(default=None, exclude_if=lambda v: v is None)
    era: list[FacetValue] | None = Field(default=None, exclude_if=lambda v: v is None)
    region: list[FacetValue] | None = Field(default=None, exclude_if=lambda v: v is None)
    actor: list[FacetValue] | None = Field(default=None, exclude_if=lambda v: v is None)
    decades: list[DecadeCount] = Field(
        description="Per decade, in date order, empty decades between included."
    )
    undated: int = Field(description="Matching items whose years are unknown (not in decades).")


class FacetedPage(Page[T], Generic[T]):
    facets: Facets | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="With `facets=`: counts for the current filters.",
    )
