"""An actor's role holds at most 200 characters, as every name does.

The column was `VARCHAR(300)` while the write API (and so the seed, which is validated by the
same models) has always refused a role of more than 200 characters, so no stored role is
longer: the column now takes its size from the one constant (`app.models.base.NAME_LENGTH`).
Should a longer role have reached the table around the API, the migration stops and names
how many, rather than cut them.

PostgreSQL cannot change the type of a column a generated column reads, so the actors'
`search_vector` (see the `search index` revision) is dropped and added back around the change,
with its GIN index. SQLite keeps no length, but its schema says one: the table is copied
(batch mode) and its full-text triggers put back, as the `passage ids never reused` revision
does for passages, and for the same reason it refuses to run with foreign keys enforced.

Revision ID: c4e8a1f29d60
Revises: 5a0d7e3c9b14
Create Date: 2026-12-02 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e8a1f29d60"
down_revision: str | None = "5a0d7e3c9b14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_LENGTH = 300
NEW_LENGTH = 200
CONFIG = "anales_spanish"


def _vector(text: str) -> str:
    return f"to_tsvector('{CONFIG}'::regconfig, {text})"


def _joined(*columns: str) -> str:
    return " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)


# The actors' search vector as the `search index` revision defines it.
ACTORS_VECTOR = (
    f"setweight({_vector(_joined('name', 'name_en'))}, 'A') || "
    f"setweight({_vector('aliases')}, 'B') || "
    f"setweight({_vector(_joined('description', 'description_en', 'role'))}, 'C')"
)


def _refuse_longer_roles(length: int) -> None:
    longer = op.get_bind().execute(
        sa.text("SELECT count(*) FROM actors WHERE length(role) > :length"), {"length": length}
    )
    count = longer.scalar()
    if count:
        raise RuntimeError(
            f"{count} actors have a role of more than {length} characters; shorten them "
            "(PATCH /api/v1/actors/{slug}) and run the migration again"
        )


def _resize_postgres(old: int, new: int) -> None:
    op.execute("DROP INDEX ix_actors_search_vector")
    op.execute("ALTER TABLE actors DROP COLUMN search_vector")
    op.alter_column(
        "actors", "role", existing_type=sa.String(old), type_=sa.String(new), existing_nullable=True
    )
    op.execute(
        "ALTER TABLE actors ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({ACTORS_VECTOR}) STORED"
    )
    op.execute("CREATE INDEX ix_actors_search_vector ON actors USING gin (search_vector)")


def _resize_sqlite(old: int, new: int) -> None:
    bind = op.get_bind()
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "copying the actors table with foreign keys enforced would delete their links; "
            "run the migration on a connection with PRAGMA foreign_keys = OFF (alembic does)"
        )
    triggers = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'actors'")
    ).scalars()
    saved = list(triggers)
    with op.batch_alter_table("actors", recreate="always") as batch:
        batch.alter_column(
            "role", existing_type=sa.String(old), type_=sa.String(new), existing_nullable=True
        )
    for sql in saved:
        bind.exec_driver_sql(sql)


def _resize(old: int, new: int) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _resize_postgres(old, new)
    elif dialect == "sqlite":
        _resize_sqlite(old, new)
    else:
        op.alter_column("actors", "role", existing_type=sa.String(old), type_=sa.String(new))


def upgrade() -> None:
    _refuse_longer_roles(NEW_LENGTH)
    _resize(OLD_LENGTH, NEW_LENGTH)


def downgrade() -> None:
    _resize(NEW_LENGTH, OLD_LENGTH)
