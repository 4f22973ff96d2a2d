"""Notify listeners when data changes (PostgreSQL).

Every statement that writes to a table of the corpus sends `NOTIFY anales_data_changed`
when its transaction commits; app workers listen and drop the responses they kept.
SQLite needs nothing: its workers watch the database files.

Revision ID: b8b689d9ee33
Revises: 1d62830b38fe
Create Date: 2026-11-26 18:17:36.116658
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b8b689d9ee33"
down_revision: str | None = "1d62830b38fe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = (
    "passages",
    "events",
    "actors",
    "periods",
    "regions",
    "themes",
    "passage_events",
    "passage_actors",
    "passage_periods",
    "passage_regions",
    "passage_themes",
    "event_actors",
    "event_periods",
    "event_regions",
    "event_themes",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION anales_notify_data_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('anales_data_changed', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_notify_data_changed "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION anales_notify_data_changed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_notify_data_changed ON {table}")
    op.execute("DROP FUNCTION anales_notify_data_changed()")
