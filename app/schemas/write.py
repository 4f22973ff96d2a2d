"""Request bodies of the write API, shared with the seed file: a curated entry in
seed/annotations.toml and a POST body are validated by the same models."""

import datetime as dt
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    create_model,
    field_validator,
    model_validator,
)

from app.analysis.dates import edtf_span
from app.analysis.text import INVISIBLE_CLASS, slugify, visible
from app.core.kinds import Kind
from app.models import ActorKind, RegionKind
from app.models.base import DATE_LENGTH, NAME_LENGTH, SOURCE_NAME_LENGTH
from app.schemas.base import CONTROL_FREE_PATTERN, Slug, Year
from app.schemas.passage import PassageDetail

MAX_LINKS = 100


def _printable(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _not_blank(value: str) -> str:
    if not visible(value).strip():
        raise ValueError(
            "must not be blank: it holds only white space and invisible characters "
            "(zero-width spaces and joiners, bidi controls, soft hyphens…)"
        )
    return value


# What `_printable`, whitespace stripping and `_not_blank` enforce, as JSON Schema patterns:
# no control characters but tab, newline and carriage return; and, where a value is needed,
# something besides white space and invisible (format) characters.
PRINTABLE = {"pattern": CONTROL_FREE_PATTERN}
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f"
NOT_BLANK = {"pattern": rf"^[^{_CONTROL}]*[^\s{_CONTROL}{INVISIBLE_CLASS}][^{_CONTROL}]*$"}

# A text the resource needs (a name, a passage): one a reader can see. Stripped of white
# space, it must keep a character that is neither white space nor invisible, since a name
# made of a zero-width space lists as an empty line and matches no search.
NeededText = Annotated[
    str,
    Field(min_length=1, json_schema_extra=NOT_BLANK),
    AfterValidator(_printable),
    AfterValidator(_not_blank),
]
Name = Annotated[NeededText, Field(max_length=NAME_LENGTH)]
LongText = Annotated[
    str, Field(max_length=5000, json_schema_extra=PRINTABLE), AfterValidator(_printable)
]
PassageText = Annotated[NeededText, Field(max_length=20000)]
TranslatedText = Annotated[
    str, Field(max_length=20000, json_schema_extra=PRINTABLE), AfterValidator(_printable)
]
SourceName = Annotated[NeededText, Field(max_length=SOURCE_NAME_LENGTH)]
SlugLinks = Annotated[list[Slug], Field(max_length=MAX_LINKS)]
# A JSON integer and nothing else, for every integer of a body: lax validation would store
# `false` as 0, "1939" as 1939 and 1e3 as 1000, none of which the client wrote as a year.
BodyYear = Annotated[Year, Strict()]


class WriteModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EntityCreate(WriteModel):
    name: Name = Field(description="Name in Spanish, the corpus language.")
    name_en: Name | None = Field(default=None, description="Name in English.")
    slug: Slug | None = Field(
        default=None, description="Stable identifier; derived from `name` when left out."
    )
    description: LongText = ""
    description_en: LongText | None = None
    aliases: Annotated[list[Name], Field(max_length=50)] = Field(
        default_factory=list,
        description="Other names, spellings and transliterations; auto-linking matches them.",
    )
    note: LongText | None = Field(
        default=None, description="Curator's note, e.g. why a fact is left out."
    )

    @property
    def key(self) -> str:
        return self.slug or slugify(self.name)

    def columns(self) -> dict[str, Any]:
        """What the entity stores of the body, by column: every field but those naming other
        entities (links, `parent`), and the slug, derived from the name when left out."""
        links = {"parent", *EntityLinks.model_fields}
        return self.model_dump(exclude=links) | {"slug": self.key}

    @model_validator(mode="after")
    def _has_slug(self) -> Self:
        if not self.key:
            raise ValueError("`name` gives no slug; give `slug`")
        return self


class YearSpan(WriteModel):
    @model_validator(mode="after")
    def _ordered(self) -> Self:
        start, end = getattr(self, "start_year", None), getattr(self, "end_year", None)
        if start is not None and end is not None and end < start:
            raise ValueError(f"end_year {end} is before start_year {start}")
        return self


class PeriodCreate(EntityCreate, YearSpan):
    start_year: BodyYear
    end_year: BodyYear
    parent: Slug | None = Field(default=None, description="Slug of the enclosing period.")


class RegionCreate(EntityCreate):
    kind: RegionKind
    parent: Slug | None = Field(default=None, description="Slug of the enclosing region.")


class ActorCreate(EntityCreate, YearSpan):
    kind: ActorKind
    role: Name | None = None
    start_year: BodyYear | None = Field(default=None, description="First year of activity.")
    end_year: BodyYear | None = Field(default=None, description="Last year; none if still active.")


class ThemeCreate(EntityCreate):
    pass


class EntityLinks(WriteModel):
    actors: SlugLinks = Field(default_factory=list)
    periods: SlugLinks = Field(default_factory=list)
    regions: SlugLinks = Field(default_factory=list)
    themes: SlugLinks = Field(default_factory=list)


class EventCreate(EntityCreate, EntityLinks):
    date: str = Field(
        max_length=DATE_LENGTH,
        description="EDTF date or interval: 1939-08-23, 1985-03, 1930/1939, 1939~.",
        examples=["1939-08-23"],
    )

    @field_validator("date")
    @classmethod
    def _edtf(cls, value: str) -> str:
        edtf_span(value)
        return value

    def columns(self) -> dict[str, Any]:
        """The body's columns, and the span of its date (`start_date` … `end_year`)."""
        start, end = edtf_span(self.date)
        span = {"start_date": start, "end_date": end, "start_year": start.year}
        return super().columns() | span | {"end_year": end.year}


class PassageLinks(EntityLinks):
    events: SlugLinks = Field(default_factory=list)


class PassageCreate(YearSpan):
    text: PassageText = Field(description="The passage verbatim, without citation markers.")
    text_en: TranslatedText | None = None
    start_year: BodyYear | None = Field(
        default=None, description="Left out: read from the text when auto-linking."
    )
    end_year: BodyYear | None = None
    footnotes: Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=20)] = Field(
        default_factory=list
    )
    note: LongText | None = None
    source_file: SourceName = Field(
        default="api", description="Name of the source the passage comes from."
    )
    links: PassageLinks | None = Field(
        default=None,
        description="The entities the passage concerns. Left out, the passage is linked "
        "automatically to every known entity it mentions.",
    )


def patch_model(model: type[BaseModel]) -> type[BaseModel]:
    """A copy of `model` whose fields are all optional: a PATCH body (JSON merge patch).

    As RFC 7396 says, `null` removes a member: a field with a default goes back to it, so it
    takes `null`; a field the resource cannot be without (a name, a kind) does not."""
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        annotation: Any = field.annotation
        extra = (
            [Field(json_schema_extra=field.json_schema_extra)] if field.json_schema_extra else []
        )
        if field.metadata or extra:
            annotation = Annotated[(annotation, *field.metadata, *extra)]
        if not field.is_required():
            annotation = annotation | None
        fields[name] = (annotation, Field(default=None, description=field.description))
    name = model.__name__.replace("Create", "Patch")
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


ActorPatch = patch_model(ActorCreate)
EventPatch = patch_model(EventCreate)
PeriodPatch = patch_model(PeriodCreate)
RegionPatch = patch_model(RegionCreate)
ThemePatch = patch_model(ThemeCreate)
PassagePatch = patch_model(PassageCreate)


class LinkMatch(BaseModel):
    """Why auto-linking linked an entity: the span of the text that names it, or a rule."""

    kind: str = Field(examples=[Kind.ACTORS.value])
    slug: Slug = Field(examples=["union-sovietica"])
    name: str = Field(examples=["Unión Soviética"])
    reason: str = Field(examples=["name or alias"])
    text: str | None = Field(
        default=None, description="The matched span.", examples=["Unión Soviética"]
    )
    start: int | None = Field(default=None, description="Its first character in `text`.")
    end: int | None = Field(default=None, description="One past its last character.")


class LinkPreview(BaseModel):
    """What POST /passages would store (`dry_run=true`): years and links, and why."""

    text: str
    start_year: int | None
    end_year: int | None
    years_reason: str | None = Field(description="Where the years come from.")
    links: PassageLinks
    matches: list[LinkMatch]


class RelinkedPassage(BaseModel):
    passage_id: int
    match: LinkMatch


class RelinkReport(BaseModel):
    dry_run: bool
    linked: list[RelinkedPassage] = Field(
        description="Passages that mention the entity and were (or would be) linked to it."
    )


class AuditItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    key_id: int | None = Field(description="The API key that made the change.")
    action: str = Field(examples=["update"])
    resource: str = Field(examples=[Kind.ACTORS.value])
    identifier: str = Field(description="Slug, or passage id.", examples=["kgb"])
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class PassageWritten(PassageDetail):
    """The stored passage, with why auto-linking linked what it did (empty when the links
    were given)."""

    years_reason: str | None = Field(default=None, description="Where the years come from.")
    matches: list[LinkMatch] = Field(default_factory=list)
