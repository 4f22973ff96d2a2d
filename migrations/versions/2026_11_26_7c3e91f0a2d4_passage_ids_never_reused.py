"""Passage ids are never reused on SQLite.

SQLite gives a new row the largest id plus one, so deleting the newest passage handed its id
to the next one, and a client holding `/passages/<id>` got another passage. `AUTOINCREMENT`
makes SQLite remember the largest id it ever gave (in `sqlite_sequence`), as a PostgreSQL
sequence does. SQLite cannot add it to a table, so the table is copied (batch mode) and its
full-text triggers put back. The copy drops the old table, which with foreign keys enforced
would delete every passage's links, so it refuses to run in that state. PostgreSQL needs
nothing.

Revision ID: 7c3e91f0a2d4
Revises: 295adf373ca6
Create Date: 2026-11-26 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3e91f0a2d4"
down_revision: str | None = "295adf373ca6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _copy_passages(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "copying the passages table with foreign keys enforced would delete their links; "
            "run the migration on a connection with PRAGMA foreign_keys = OFF (alembic does)"
        )
    triggers = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'passages'")
    ).scalars()
    saved = list(triggers)
    with op.batch_alter_table(
        "passages", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
    for sql in saved:
        bind.exec_driver_sql(sql)


def upgrade() -> None:
    _copy_passages(autoincrement=True)


def downgrade() -> None:
    _copy_passages(autoincrement=False)
