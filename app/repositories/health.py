"""What readiness asks of the database beyond "does it answer"."""

from sqlalchemy import Engine, text

from app.models import AuditEntry, Base


def unwritable_tables(engine: Engine) -> list[str]:
    """PostgreSQL: the tables the app's role may not write as writes need (the audit log is
    only ever appended to), or every table when the session is read-only. SQLite grants no
    privileges; its failures to commit are what `WriteHealth` remembers."""
    if engine.dialect.name != "postgresql":
        return []
    needed = {
        name: ("INSERT",) if name == AuditEntry.__tablename__ else ("INSERT", "UPDATE", "DELETE")
        for name in Base.metadata.tables
    }
    with engine.connect() as connection:
        if connection.scalar(text("SELECT current_setting('transaction_read_only')")) == "on":
            return sorted(needed)
        return [
            name
            for name, privileges in sorted(needed.items())
            if not all(
                connection.scalar(
                    text("SELECT has_table_privilege(:table, :privilege)"),
                    {"table": name, "privilege": privilege},
                )
                for privilege in privileges
            )
        ]
