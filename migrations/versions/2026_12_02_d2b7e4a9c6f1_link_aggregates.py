"""Link aggregates: per-entity and per-pair document counts, the sets of eras and regions
documents link, and the year spans, kept current by triggers (see `app.models.aggregates`),
so that the unfiltered graph and facets read them instead of every link row.

The tables are counted from the existing links at the end of the upgrade.

Revision ID: d2b7e4a9c6f1
Revises: c4e8a1f29d60
Create Date: 2026-12-02 14:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.models.aggregates import (
    AGGREGATE_TABLES,
    PAUSED_TABLE,
    create_triggers,
    drop_triggers,
    rebuild_aggregates,
)

revision: str = "d2b7e4a9c6f1"
down_revision: str | None = "c4e8a1f29d60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(name: str, kind: Any = None) -> sa.Column[Any]:
    """A NOT NULL column (an integer unless `kind` says otherwise)."""
    return sa.Column(name, kind if kind is not None else sa.Integer(), nullable=False)


def _source() -> sa.Column[Any]:
    return _key("source", sa.String(length=16))


def _create_tables() -> None:
    op.create_table(
        "link_nodes",
        _source(),
        _key("kind", sa.String(length=16)),
        _key("entity_id"),
        _key("documents"),
        sa.PrimaryKeyConstraint("source", "kind", "entity_id", name=op.f("pk_link_nodes")),
    )
    op.create_table(
        "link_edges",
        _source(),
        _key("left_kind", sa.String(length=16)),
        _key("left_id"),
        _key("right_kind", sa.String(length=16)),
        _key("right_id"),
        _key("documents"),
        sa.PrimaryKeyConstraint(
            "source", "left_kind", "left_id", "right_kind", "right_id", name=op.f("pk_link_edges")
        ),
    )
    op.create_table(
        "link_signatures",
        _source(),
        _key("kind", sa.String(length=16)),
        _key("entity_ids", sa.Text()),
        _key("documents"),
        sa.PrimaryKeyConstraint("source", "kind", "entity_ids", name=op.f("pk_link_signatures")),
    )
    op.create_table(
        "year_spans",
        _source(),
        _key("start_year"),
        _key("end_year"),
        _key("documents"),
        sa.PrimaryKeyConstraint("source", "start_year", "end_year", name=op.f("pk_year_spans")),
    )
    op.create_table(
        PAUSED_TABLE,
        _key("id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{PAUSED_TABLE}")),
    )


def upgrade() -> None:
    _create_tables()
    bind = op.get_bind()
    for statement in create_triggers(bind.dialect.name):
        op.execute(statement)
    rebuild_aggregates(bind)


def downgrade() -> None:
    for statement in drop_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    for table in (*AGGREGATE_TABLES, PAUSED_TABLE):
        op.drop_table(table)
