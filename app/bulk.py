"""Bulk insert of passages and their links with SQLAlchemy Core, for large imports.

The ORM path (`app.seed`) loads a passage at a time with change tracking; this one sends
`INSERT ... VALUES` executemany batches straight to the app's tables and is meant for
hundreds of thousands of rows. It fills every column the ORM path fills: `search_text` is
computed by the same function the models' `before_insert` hook uses, `footnotes` defaults to
`[]` and `checksum` to the SHA-256 of the line. Ids come back through `RETURNING` (in
parameter order), so it works on SQLite and PostgreSQL alike and never guesses at ids.

The caller owns the transaction:

    with engine.begin() as connection:
        bulk_insert_passages(connection, rows)
"""

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, cast

from sqlalchemy import Connection, Table, insert

from app.models import Passage
from app.models.associations import (
    passage_actors,
    passage_events,
    passage_periods,
    passage_regions,
    passage_themes,
)
from app.models.base import search_text_for

PASSAGES = cast(Table, Passage.__table__)
# Link kind -> (link table, its column naming the entity).
LINK_TABLES: dict[str, tuple[Table, str]] = {
    "actors": (passage_actors, "actor_id"),
    "periods": (passage_periods, "period_id"),
    "regions": (passage_regions, "region_id"),
    "themes": (passage_themes, "theme_id"),
    "events": (passage_events, "event_id"),
}
DEFAULT_BATCH_SIZE = 5000


def line_checksum(line: str) -> str:
    """SHA-256 hex digest of a source line as read (what `app.seed.read_source` stores)."""
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class PassageRow:
    """One passage to insert, with the ids of the entities it links to.

    `checksum` defaults to the SHA-256 of `text`, which is the source line when the line
    carried no citation markers; give it when `text` was cut out of a longer line.
    Link ids may repeat; each link is inserted once.
    """

    text: str
    source_file: str
    source_line: int
    position: int
    start_year: int | None = None
    end_year: int | None = None
    actors: Sequence[int] = ()
    periods: Sequence[int] = ()
    regions: Sequence[int] = ()
    themes: Sequence[int] = ()
    events: Sequence[int] = ()
    footnotes: Sequence[str] = ()
    note: str | None = None
    checksum: str | None = field(default=None)

    def __post_init__(self) -> None:
        if (self.start_year is None) != (self.end_year is None):
            raise ValueError(
                f"{self.source_file}:{self.source_line}: give both start_year and end_year, "
                "or neither"
            )
        if (
            self.start_year is not None
            and self.end_year is not None
            and (self.start_year > self.end_year)
        ):
            raise ValueError(
                f"{self.source_file}:{self.source_line}: start_year {self.start_year} "
                f"is after end_year {self.end_year}"
            )

    def values(self) -> dict[str, Any]:
        """The `passages` row, every column the ORM path fills except the generated id."""
        return {
            "position": self.position,
            "text": self.text,
            "footnotes": list(self.footnotes),
            "source_file": self.source_file,
            "source_line": self.source_line,
            "checksum": self.checksum if self.checksum is not None else line_checksum(self.text),
            "start_year": self.start_year,
            "end_year": self.end_year,
            "note": self.note,
            "search_text": search_text_for(self, Passage.__search_fields__),
        }


def _batches(rows: Iterable[PassageRow], size: int) -> Iterator[list[PassageRow]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def bulk_insert_passages(
    connection: Connection,
    rows: Iterable[PassageRow],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Insert `rows` and their links in batches of `batch_size`; return how many passages.

    Runs in the caller's transaction and commits nothing. Entity ids are not checked here:
    an unknown id fails on the foreign key (SQLite checks them only with
    `PRAGMA foreign_keys = ON`, which the app's engine sets).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    insert_passages = insert(PASSAGES).returning(PASSAGES.c.id, sort_by_parameter_order=True)
    inserted = 0
    for batch in _batches(rows, batch_size):
        result = connection.execute(insert_passages, [row.values() for row in batch])
        ids = list(result.scalars())
        if len(ids) != len(batch):
            raise RuntimeError(f"inserted {len(batch)} passages but got {len(ids)} ids back")
        for kind, (table, column) in LINK_TABLES.items():
            links = [
                {"passage_id": passage_id, column: entity_id}
                for passage_id, row in zip(ids, batch, strict=True)
                for entity_id in dict.fromkeys(getattr(row, kind))
            ]
            if links:
                connection.execute(insert(table), links)
        inserted += len(batch)
    return inserted
