"""A data generation counter that every write advances in its own transaction (PostgreSQL).

Workers key their kept responses to `anales_data_version.generation`, read from the database
before each answer, so that a write acknowledged by one worker is seen by the next read on any
worker; a notification arrives a moment after the commit, too late for that. The triggers
that sent `NOTIFY anales_data_changed` now advance the counter instead: the same statements,
in the same transaction, so the counter is committed exactly when the data is. SQLite needs
nothing: `PRAGMA data_version` tells a connection that another one committed.

Revision ID: 5a0d7e3c9b14
Revises: 4f1c2d9e8a71
Create Date: 2026-12-02 01:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5a0d7e3c9b14"
down_revision: str | None = "4f1c2d9e8a71"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "anales_data_version"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE TABLE {TABLE} (id smallint PRIMARY KEY CHECK (id = 1), generation bigint NOT NULL)"
    )
    op.execute(f"INSERT INTO {TABLE} (id, generation) VALUES (1, 1)")
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION anales_notify_data_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {TABLE} SET generation = generation + 1 WHERE id = 1;
            RETURN NULL;
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION anales_notify_data_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('anales_data_changed', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(f"DROP TABLE {TABLE}")
