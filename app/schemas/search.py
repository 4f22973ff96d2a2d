from enum import StrEnum

from pydantic import Field, field_validator

from app.core.kinds import Kind
from app.schemas.base import (
    MAX_QUERY_LENGTH,
    QueryModel,
    Schema,
    document_control_free,
    normalized_query,
)


class SearchKind(StrEnum):
    PASSAGES = "passages"
    EVENTS = Kind.EVENTS.value
    ACTORS = Kind.ACTORS.value
    PERIODS = Kind.PERIODS.value
    REGIONS = Kind.REGIONS.value
    THEMES = Kind.THEMES.value


class SearchParams(QueryModel):
    q: str = Field(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description='Words to find; `"quoted words"` must appear together, in order. '
        "Case, accents and Spanish inflection are ignored: `coexistencias pacíficas` finds "
        '"coexistencia pacífica", `soviéticos` finds "soviética". Every word (or phrase) '
        "must match; Spanish stop words (`de`, `la`, `con`…) and invisible format characters "
        "(zero-width, bidi controls, soft hyphens) are skipped.",
        examples=["coexistencias pacíficas"],
        json_schema_extra=document_control_free,
    )
    kind: list[SearchKind] = Field(
        default_factory=list,
        max_length=len(SearchKind),
        description="Only these kinds (repeat for several); all by default.",
        examples=[["passages", Kind.THEMES.value]],
    )
    limit: int = Field(default=5, ge=1, le=50, description="Hits per kind.")

    @field_validator("q")
    @classmethod
    def _check_q(cls, value: str) -> str:
        return normalized_query(value)


class SearchHit(Schema):
    kind: SearchKind
    id: int = Field(description="The resource's id (passages are fetched by it).")
    slug: str | None = Field(description="The entity's slug; null for passages.")
    label: str = Field(
        description="The entity's name in the served language; a passage's opening words."
    )
    snippet: str = Field(
        description="HTML: the best-matching text with each matched word in "
        "`<mark>…</mark>`; everything else is HTML-escaped.",
        examples=["…la <mark>coexistencia</mark> <mark>pacífica</mark> no excluye…"],
    )
    score: float = Field(description="Relevance; higher is better. The same on every backend.")
    url: str = Field(description="The resource's path in this API.")


class SearchGroup(Schema):
    kind: SearchKind
    total: int = Field(description="How many resources of this kind match.")
    hits: list[SearchHit] = Field(description="The best `limit` of them, best first.")


class SearchResults(Schema):
    """Hits grouped by kind; the group holding the best hit comes first."""

    q: str
    total: int = Field(description="Matches over every kind.")
    groups: list[SearchGroup] = Field(description="Kinds with at least one hit.")
