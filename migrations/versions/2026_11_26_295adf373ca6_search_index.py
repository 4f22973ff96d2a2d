"""Full-text search index: Spanish stems on both backends.

PostgreSQL: the `unaccent` extension, a text search configuration `anales_spanish` (a copy of
`spanish` that strips accents before the Snowball stemmer, and leaves hyphenated compounds
to their parts as SQLite does), and on each resource table a generated, GIN-indexed
`search_vector` column, which every write keeps current.

SQLite: one FTS5 table per resource (`search_<table>`, rowid = the resource's id) holding the
terms `app.analysis.fulltext` computes, triggers that drop an entry when its row is deleted or an
indexed column changes, and the entries of the rows already there.

Neither is in the models' metadata; `migrations/env.py` keeps autogenerate away from them.

Revision ID: 295adf373ca6
Revises: 25ceb8a4bae7
Create Date: 2026-11-26 18:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

from app.models.search import INDEXED_COLUMNS, TEXT_SEARCH_CONFIG, fts_table, rebuild_index

revision: str = "295adf373ca6"
down_revision: str | None = "25ceb8a4bae7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONFIG = TEXT_SEARCH_CONFIG
WORD_TYPES = "asciiword, word, hword_part, hword_asciipart, hword_numpart"


def _vector(text: str) -> str:
    return f"to_tsvector('{CONFIG}'::regconfig, {text})"


def _joined(*columns: str) -> str:
    return " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)


def _postgres_vector(table: str) -> str:
    if table == "passages":
        return f"setweight({_vector(_joined('text', 'text_en'))}, 'C')"
    body = ["description", "description_en", *(["role"] if table == "actors" else [])]
    return (
        f"setweight({_vector(_joined('name', 'name_en'))}, 'A') || "
        f"setweight({_vector('aliases')}, 'B') || "
        f"setweight({_vector(_joined(*body))}, 'C')"
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = spanish)")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
            f"ALTER MAPPING FOR {WORD_TYPES} WITH unaccent, spanish_stem"
        )
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} DROP MAPPING FOR hword, asciihword, numhword"
        )
        for table in INDEXED_COLUMNS:
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
                f"GENERATED ALWAYS AS ({_postgres_vector(table)}) STORED"
            )
            op.execute(
                f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)"
            )
        return
    if bind.dialect.name != "sqlite":
        return
    for table, columns in INDEXED_COLUMNS.items():
        fts = fts_table(table)
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5("
            "title, aliases, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = old.id; END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"BEGIN DELETE FROM {fts} WHERE rowid = old.id; END"
        )
    rebuild_index(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in INDEXED_COLUMNS:
            op.execute(f"DROP INDEX ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        op.execute(f"DROP TEXT SEARCH CONFIGURATION {CONFIG}")
        return
    if bind.dialect.name != "sqlite":
        return
    for table in INDEXED_COLUMNS:
        fts = fts_table(table)
        op.execute(f"DROP TRIGGER {fts}_update")
        op.execute(f"DROP TRIGGER {fts}_delete")
        op.execute(f"DROP TABLE {fts}")
