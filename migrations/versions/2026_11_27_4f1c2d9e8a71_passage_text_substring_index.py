"""Substring index on the passages' folded text, for `q=` on the passage list.

`q` keeps the passages whose folded text contains every word as a substring (`LIKE
'%word%'`). Without an index a word that is rare or absent costs a scan of every passage.

PostgreSQL: the `pg_trgm` extension and a GIN trigram index on `passages.search_text`, which
the planner uses for `LIKE '%word%'` by itself.

SQLite: an FTS5 table with the trigram tokenizer, `passages_trigrams`, over
`passages.search_text` (external content, so the text is not stored twice; `detail=none`,
as only `LIKE` is asked of it), built from the rows already there. Triggers follow every
delete and every change of `search_text`; new rows are added by the app (an FTS5 insert
from a trigger costs six times one from a plain statement, which bulk loads would feel), as
for the full-text index: see `app.models.search`.

Neither is in the models' metadata; `migrations/env.py` keeps autogenerate away from them.

Revision ID: 4f1c2d9e8a71
Revises: 7c3e91f0a2d4
Create Date: 2026-11-27 03:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

from app.models.search import TRIGRAM_INDEX, TRIGRAM_TABLE, rebuild_passage_text_index

revision: str = "4f1c2d9e8a71"
down_revision: str | None = "7c3e91f0a2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSERT = f"INSERT INTO {TRIGRAM_TABLE} (rowid, search_text) VALUES (new.id, new.search_text);"
DELETE = (
    f"INSERT INTO {TRIGRAM_TABLE} ({TRIGRAM_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text);"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX {TRIGRAM_INDEX} ON passages USING gin (search_text gin_trgm_ops)")
        return
    if bind.dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE VIRTUAL TABLE {TRIGRAM_TABLE} USING fts5(search_text, content = 'passages', "
        "content_rowid = 'id', tokenize = 'trigram', detail = 'none')"
    )
    op.execute(f"CREATE TRIGGER {TRIGRAM_TABLE}_delete AFTER DELETE ON passages BEGIN {DELETE} END")
    op.execute(
        f"CREATE TRIGGER {TRIGRAM_TABLE}_update AFTER UPDATE OF search_text ON passages "
        f"BEGIN {DELETE} {INSERT} END"
    )
    rebuild_passage_text_index(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX {TRIGRAM_INDEX}")
        return
    if bind.dialect.name != "sqlite":
        return
    for trigger in ("delete", "update"):
        op.execute(f"DROP TRIGGER {TRIGRAM_TABLE}_{trigger}")
    op.execute(f"DROP TABLE {TRIGRAM_TABLE}")
