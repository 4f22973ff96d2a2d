"""The full-text index and how it follows every write.

What is indexed, per row, in three weighted fields:

* passages: `body` = the text (and its English translation, if any);
* entities: `title` = the Spanish and English names, `aliases`, `body` = the descriptions in
  both languages (and an actor's role).

PostgreSQL keeps the index itself: a generated `search_vector tsvector` column on each table,
built with the `anales_spanish` configuration (Spanish Snowball stems after `unaccent`),
so every write, whatever its path, updates it (migration `search index`).

SQLite keeps it in one FTS5 table per resource (`search_passages`, `search_events`, …) whose
rowid is the resource's id, holding the terms `app.analysis.fulltext` computes, since SQLite cannot
stem Spanish. Triggers remove a row's entry when the row is deleted or an indexed column
changes, whatever the path; the entry is (re)written from Python:

* ORM writes (the API, the seed loader): the mapper events below, in the same transaction;
* Core bulk inserts: `app.corpus.bulk` writes the `index_entry` of each row it inserts;
* anything else (raw SQL updates): `rebuild_index(connection)`, also run by the migration.

The substring index of the passages' folded text (`q=` on the passage list; see
`TRIGRAM_TABLE` below) follows the same paths: on PostgreSQL a GIN trigram index; on SQLite
an FTS5 trigram table over `passages.search_text` whose triggers follow deletes and changes,
while new rows are added by the mapper event and `app.corpus.bulk` (`index_passage_text`), and
`rebuild_passage_text_index` covers rows inserted any other way.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Integer, Text, column, event, inspect, text
from sqlalchemy import table as table_clause
from sqlalchemy.orm import Mapper

from app.analysis.fulltext import STOP_TERM, index_text
from app.core.kinds import Kind
from app.models.actor import Actor
from app.models.event import Event
from app.models.passage import Passage
from app.models.period import Period
from app.models.region import Region
from app.models.theme import Theme

INDEXED_MODELS: tuple[type[Any], ...] = (Passage, Event, Actor, Period, Region, Theme)
PASSAGES = Passage.__tablename__
# Columns each document is made of; a change to any of them re-indexes the row.
ENTITY_COLUMNS = ("name", "name_en", "aliases", "description", "description_en")
# The columns of a kind, besides those of every entity, that its documents' body holds.
EXTRA_BODY: dict[str, tuple[str, ...]] = {Kind.ACTORS: ("role",)}
INDEXED_COLUMNS: dict[str, tuple[str, ...]] = {
    PASSAGES: ("text", "text_en"),
    **{kind.value: (*ENTITY_COLUMNS, *EXTRA_BODY.get(kind, ())) for kind in Kind},
}
FIELD_WEIGHTS = {"title": 3.0, "aliases": 2.0, "body": 1.0}
TEXT_SEARCH_CONFIG = "anales_spanish"


@dataclass(frozen=True, slots=True)
class Document:
    """The indexed fields of one row, as text."""

    title: str
    aliases: tuple[str, ...]
    body: str

    def weighted(self) -> list[tuple[float, str]]:
        return [
            (FIELD_WEIGHTS["title"], self.title),
            *((FIELD_WEIGHTS["aliases"], alias) for alias in self.aliases),
            (FIELD_WEIGHTS["body"], self.body),
        ]

    def index_aliases(self) -> str:
        """The aliases' terms, one position apart, as PostgreSQL indexes a JSON list: so a
        phrase never runs from one alias into the next without a gap."""
        return f" {STOP_TERM} ".join(index_text(alias) for alias in self.aliases)


def _join(*parts: Any) -> str:
    return "\n".join(str(part) for part in parts if part)


def document_for(table: str, values: Any) -> Document:
    """The document of a row of `table`; `values` has the row's columns as attributes."""
    if table == PASSAGES:
        return Document("", (), _join(values.text, values.text_en))
    aliases = tuple(str(alias) for alias in values.aliases or [])
    body = [values.description, values.description_en]
    body += [getattr(values, column) for column in EXTRA_BODY.get(table, ())]
    return Document(_join(values.name, values.name_en), aliases, _join(*body))


def fts_table(table: str) -> str:
    return f"search_{table}"


# The substring index of the passages' folded text, for `q=` on the passage list (migration
# `passage text substring index`): PostgreSQL's GIN trigram index on `search_text` serves
# `LIKE '%word%'` by itself; SQLite's FTS5 trigram table is asked for the matching rowids.
# FTS5 answers `LIKE` from its index only for a pattern of three characters or more and
# without an ESCAPE clause.
TRIGRAM_TABLE = "passages_trigrams"
TRIGRAM_INDEX = "ix_passages_search_text_trgm"
TRIGRAM_MIN_LENGTH = 3
# Tables of the indexes, outside the models: their names (FTS5 adds shadow tables under them).
INDEX_TABLES = (*(fts_table(table) for table in INDEXED_COLUMNS), TRIGRAM_TABLE)
passage_trigrams = table_clause(
    TRIGRAM_TABLE, column("rowid", Integer), column("search_text", Text)
)


INDEX_ENTRY_COLUMNS = ("rowid", "title", "aliases", "body")


def index_entry(table: str, row_id: int, values: Any) -> tuple[int, str, str, str]:
    """The SQLite index entry of a row of `table`, in the order of `INDEX_ENTRY_COLUMNS`."""
    document = document_for(table, values)
    return (
        row_id,
        index_text(document.title),
        document.index_aliases(),
        index_text(document.body),
    )


def index_documents(connection: Connection, table: str, rows: Iterable[tuple[int, Any]]) -> None:
    """Write the SQLite index entries of `rows` (id, values); a no-op on other databases."""
    if connection.dialect.name != "sqlite":
        return
    entries = []
    for row_id, values in rows:
        _, title, aliases, body = index_entry(table, row_id, values)
        entries.append({"id": row_id, "title": title, "aliases": aliases, "body": body})
    if not entries:
        return
    fts = fts_table(table)
    connection.execute(text(f"DELETE FROM {fts} WHERE rowid = :id"), entries)
    connection.execute(
        text(
            f"INSERT INTO {fts} (rowid, title, aliases, body) VALUES (:id, :title, :aliases, :body)"
        ),
        entries,
    )


class _Columns:
    """Attribute access to a result row's mapping."""

    def __init__(self, mapping: Any) -> None:
        self._mapping = mapping

    def __getattr__(self, name: str) -> Any:
        return self._mapping.get(name)


def rebuild_index(connection: Connection) -> None:
    """Re-index every row (SQLite); for data written around the ORM and `app.corpus.bulk`."""
    if connection.dialect.name != "sqlite":
        return
    for table, columns in INDEXED_COLUMNS.items():
        connection.execute(text(f"DELETE FROM {fts_table(table)}"))
        result = connection.execute(text(f"SELECT id, {', '.join(columns)} FROM {table}"))
        rows = []
        for row in result.mappings():
            values = dict(row)
            if isinstance(values.get("aliases"), str):
                values["aliases"] = json.loads(values["aliases"])
            rows.append((row["id"], _Columns(values)))
        index_documents(connection, table, rows)


def index_passage_text(connection: Connection, first: int, last: int) -> None:
    """Add the passages with ids `first`…`last` to SQLite's substring index (new rows only:
    triggers follow deletes and changes); a no-op on other databases."""
    if connection.dialect.name != "sqlite":
        return
    connection.execute(
        text(
            f"INSERT INTO {TRIGRAM_TABLE} (rowid, search_text) "
            "SELECT id, search_text FROM passages WHERE id BETWEEN :first AND :last"
        ),
        {"first": first, "last": last},
    )


def rebuild_passage_text_index(connection: Connection) -> None:
    """Rebuild SQLite's substring index from the passages (for rows inserted around the ORM
    and `app.corpus.bulk`); also run by its migration."""
    if connection.dialect.name == "sqlite":
        connection.execute(
            text(f"INSERT INTO {TRIGRAM_TABLE} ({TRIGRAM_TABLE}) VALUES ('rebuild')")
        )


def _after_insert(_mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    table = target.__tablename__
    index_documents(connection, table, [(target.id, target)])
    if table == PASSAGES:
        index_passage_text(connection, target.id, target.id)


def _after_update(_mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    table = target.__tablename__
    state = inspect(target)
    if any(state.attrs[column].history.has_changes() for column in INDEXED_COLUMNS[table]):
        index_documents(connection, table, [(target.id, target)])


for _model in INDEXED_MODELS:
    event.listen(_model, "after_insert", _after_insert)
    event.listen(_model, "after_update", _after_update)
