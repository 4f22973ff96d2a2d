"""Declarative base, naming convention and the columns every curated entity shares."""

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, MetaData, String, Text, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column

from app.text import fold

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Slugs are ASCII; comparing them byte-wise gives one order on every backend
# (PostgreSQL's default collation would otherwise sort hyphens differently from SQLite).
SlugType = String(120).with_variant(String(120, collation="C"), "postgresql")


def enum_values(enum: type[StrEnum]) -> list[str]:
    """Store a StrEnum by its values ("person"), not its member names ("PERSON")."""
    return [member.value for member in enum]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {list[str]: JSON}


class EntityMixin:
    """Slug, name, description, aliases and a folded search text.

    `search_text` is derived, never written by hand: it is refreshed before every
    insert and update from the fields named in `__search_fields__`.
    """

    __search_fields__: tuple[str, ...] = ("name", "aliases")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SlugType, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[list[str]] = mapped_column(default=list)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    search_text: Mapped[str] = mapped_column(Text, default="")


def search_text_for(obj: Any, fields: tuple[str, ...]) -> str:
    parts: list[str] = []
    for field in fields:
        value = getattr(obj, field)
        if isinstance(value, list):
            parts.extend(str(v) for v in value)
        elif value:
            parts.append(str(value))
    # A separator that no folded query contains keeps matches inside one name or alias.
    return " | ".join(fold(p) for p in parts)


def _refresh_search_text(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    target.search_text = search_text_for(target, target.__search_fields__)


def register_search_text(cls: type[Any]) -> None:
    event.listen(cls, "before_insert", _refresh_search_text, propagate=True)
    event.listen(cls, "before_update", _refresh_search_text, propagate=True)


register_search_text(EntityMixin)
