"""English labels, timestamps, API keys and the audit log.

Existing rows get the migration time as their creation and update time.

Revision ID: 25ceb8a4bae7
Revises: b8b689d9ee33
Create Date: 2026-11-26 18:19:04.770500
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "25ceb8a4bae7"
down_revision: str | None = "b8b689d9ee33"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ENTITIES = ("actors", "events", "periods", "regions", "themes")


def _timestamp(name: str, **kwargs: object) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), **kwargs)  # type: ignore[arg-type]


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        _timestamp("created_at", nullable=False),
        _timestamp("revoked_at", nullable=True),
        _timestamp("last_used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        _timestamp("at", nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("resource", sa.String(length=20), nullable=False),
        sa.Column("identifier", sa.String(length=120), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["api_keys.id"],
            name=op.f("fk_audit_log_key_id_api_keys"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_key_id"), ["key_id"], unique=False)
        batch_op.create_index("ix_audit_log_resource", ["resource", "identifier"], unique=False)

    for table in (*ENTITIES, "passages"):
        with op.batch_alter_table(table) as batch_op:
            if table == "passages":
                batch_op.add_column(sa.Column("text_en", sa.Text(), nullable=True))
            else:
                batch_op.add_column(sa.Column("name_en", sa.String(length=200), nullable=True))
                batch_op.add_column(sa.Column("description_en", sa.Text(), nullable=True))
            for column in ("created_at", "updated_at"):
                batch_op.add_column(
                    _timestamp(column, nullable=True, server_default=sa.func.current_timestamp())
                )
        with op.batch_alter_table(table) as batch_op:
            for column in ("created_at", "updated_at"):
                batch_op.alter_column(column, nullable=False, server_default=None)


def downgrade() -> None:
    for table in (*ENTITIES, "passages"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("updated_at")
            batch_op.drop_column("created_at")
            if table == "passages":
                batch_op.drop_column("text_en")
            else:
                batch_op.drop_column("description_en")
                batch_op.drop_column("name_en")
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_index("ix_audit_log_resource")
        batch_op.drop_index(batch_op.f("ix_audit_log_key_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
    op.drop_table("audit_log")
    op.drop_table("api_keys")
