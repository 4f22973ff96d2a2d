"""Declarative base, naming convention and the columns every curated entity shares."""

import datetime as dt
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    MetaData,
    String,
    Text,
    TypeDecorator,
    event,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    MappedColumn,
    Mapper,
    Relationship,
    mapped_column,
    relationship,
)

from app.analysis.text import fold

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Column sizes, which the write schemas (`app.schemas.write`) take as their limits.
NAME_LENGTH = 200
"""A name, an alias, an actor's role."""
SOURCE_NAME_LENGTH = 255
"""A passage's source file."""
DATE_LENGTH = 64
"""An event's EDTF date."""

# Slugs are ASCII; comparing them byte-wise gives one order on every backend
# (PostgreSQL's default collation would otherwise sort hyphens differently from SQLite).
SlugType = String(120).with_variant(String(120, collation="C"), "postgresql")


def enum_values(enum: type[StrEnum]) -> list[str]:
    """Store a StrEnum by its values ("person"), not its member names ("PERSON")."""
    return [member.value for member in enum]


E = TypeVar("E", bound=StrEnum)


def kind_column(kind: type[E]) -> MappedColumn[Any]:
    """An indexed column holding one of `kind`'s values, stored as a short string (no
    database enum type, so that a new value needs no migration of the type)."""
    return mapped_column(
        Enum(kind, native_enum=False, length=20, values_callable=enum_values), index=True
    )


# A tree in one table (periods and their phases, regions inside regions): each row names
# the row it nests inside; deleting that row leaves its children at the top.


def parent_key(table: str) -> MappedColumn[Any]:
    return mapped_column(ForeignKey(f"{table}.id", ondelete="SET NULL"), index=True, default=None)


def parent_link(model: str) -> Relationship[Any]:
    return relationship(remote_side=f"{model}.id", back_populates="children", lazy="raise")


def children_link(order_by: str) -> Relationship[Any]:
    return relationship(back_populates="parent", lazy="raise", order_by=order_by)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use a timezone-aware UTC one")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {list[str]: JSON, dt.datetime: UTCDateTime}


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EntityMixin(TimestampMixin):
    """Slug, names and descriptions (Spanish, the corpus language, and English), aliases and a
    folded search text.

    `search_text` is derived, never written by hand: it is refreshed before every
    insert and update from the fields named in `__search_fields__`.
    """

    __search_fields__: tuple[str, ...] = ("name", "name_en", "aliases")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SlugType, unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_en: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text, default=None)
    aliases: Mapped[list[str]] = mapped_column(default=list)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    # Matched by queries, never shown: left out of the rows loaded into objects.
    search_text: Mapped[str] = mapped_column(Text, default="", deferred=True)


def search_text_for(obj: Any, fields: tuple[str, ...]) -> str:
    parts: list[str] = []
    for field in fields:
        value = getattr(obj, field)
        if isinstance(value, list):
            parts.extend(str(v) for v in value)
        elif value:
            parts.append(str(value))
    # A control character between names: no query can contain one (they are refused), so
    # no match spans two names.
    return "\x1f".join(fold(p) for p in parts)


def _refresh_search_text(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    target.search_text = search_text_for(target, target.__search_fields__)


def register_search_text(cls: type[Any]) -> None:
    event.listen(cls, "before_insert", _refresh_search_text, propagate=True)
    event.listen(cls, "before_update", _refresh_search_text, propagate=True)


register_search_text(EntityMixin)
