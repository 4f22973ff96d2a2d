"""Schema base class and the constrained types shared by every resource."""

from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.analysis.text import SLUG_PATTERN, visible
from app.core.i18n import context_language, orm_view

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=120)]
Year = Annotated[int, Field(ge=-9999, le=9999)]

T = TypeVar("T")

# Lists that grow with the corpus count matches up to this many unless asked for all.
COUNT_LIMIT = 1_000


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    @model_validator(mode="before")
    @classmethod
    def _read_orm(cls, data: Any, info: ValidationInfo) -> Any:
        """ORM objects are read in the language of the validation context
        (`context=in_language(language)`), unloaded links as absent."""
        return orm_view(data, context_language(info.context))


class Page(Schema, Generic[T]):
    """One page of a list. Follow `next` (also sent as a `Link: rel="next"` header) for more."""

    items: list[T]
    total: int = Field(
        description="How many items match the filters, over all pages; when `total_exact` "
        "is false, a lower bound: counting stopped there."
    )
    total_exact: bool = Field(
        default=True,
        description="False when more items match than `total` says. Lists that grow with "
        f"the corpus count up to {COUNT_LIMIT:,} matches unless asked for `count=exact`.",
    )
    limit: int = Field(description="The page size used.")
    next: str | None = Field(description="URL of the next page, or null on the last one.")


MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
MAX_FILTER_VALUES = 20

SlugList = Annotated[list[Slug], Field(max_length=MAX_FILTER_VALUES)]
CONTROL_FREE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"


def document_control_free(schema: dict[str, Any]) -> None:
    """Put the control-character rule on the string branch of an optional text field."""
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "string":
            branch["pattern"] = CONTROL_FREE_PATTERN


def _no_control_characters(value: str | None) -> str | None:
    if value is not None and any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def normalized_query(value: str) -> str:
    """`q` as the lists and /search both match it: control characters refused, format
    characters (a bidi control, a zero-width joiner, a soft hyphen) dropped. Both read the
    same words, so a word hidden among invisible characters is found by both or by neither."""
    _no_control_characters(value)
    return visible(value)


class QueryModel(BaseModel):
    """Base of query-parameter models. Unknown parameters are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_shared_parameters(cls, data: Any) -> Any:
        """`lang` belongs to every endpoint and is read by the router (`app.core.i18n`)."""
        if isinstance(data, dict) and "lang" in data:
            return {key: value for key, value in data.items() if key != "lang"}
        return data


class ListFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


class PageParams(QueryModel):
    format: ListFormat | None = Field(
        default=None,
        description="`csv` (or `Accept: text/csv`) streams every matching item, all pages, "
        "as CSV in list order; `limit` and `cursor` are then ignored. JSON by default.",
        examples=["csv"],
    )
    limit: int = Field(
        default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page."
    )
    cursor: str | None = Field(
        default=None,
        max_length=500,
        description="Opaque position from a previous page's `next` link.",
    )


class TextFilter(QueryModel):
    q: str | None = Field(
        default=None,
        max_length=MAX_QUERY_LENGTH,
        description="Words to find, case- and accent-insensitive; every word must match. "
        "Invisible format characters (zero-width, bidi controls, soft hyphens) are ignored; "
        "control characters other than tab and newlines are refused.",
        examples=["litvinov"],
        # The validator below enforces it with a clearer message; the schema documents it.
        json_schema_extra=document_control_free,
    )

    @field_validator("q")
    @classmethod
    def _check_q(cls, value: str | None) -> str | None:
        return None if value is None else normalized_query(value)


class YearRangeFilter(TextFilter):
    era: SlugList = Field(
        default_factory=list,
        description="Period slug; its sub-periods are included. Repeat for any of several.",
        examples=[["guerra-fria"]],
    )
    year_from: Year | None = Field(
        default=None,
        alias="from",
        description="Only items whose years overlap the range starting this year.",
        examples=[1930],
    )
    year_to: Year | None = Field(
        default=None,
        alias="to",
        description="Only items whose years overlap the range ending this year.",
        examples=[1939],
    )


class LinkFilter(YearRangeFilter):
    """Filters of passages and events. Repeated values are OR; different parameters AND."""

    theme: SlugList = Field(
        default_factory=list, description="Theme slug.", examples=[["seguridad-colectiva"]]
    )
    actor: SlugList = Field(
        default_factory=list, description="Actor slug.", examples=[["maksim-litvinov"]]
    )
    region: SlugList = Field(
        default_factory=list,
        description="Region slug; the regions inside it are included.",
        examples=[["tercer-mundo"]],
    )
