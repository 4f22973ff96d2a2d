"""Alembic environment: the URL comes from app settings unless a caller hands a connection."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from app.core.config import get_settings
from app.core.data_version import DATA_VERSION_TABLE
from app.models import Base
from app.models.search import INDEX_TABLES, TRIGRAM_INDEX

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata

# The full-text index lives outside the models (see app/models/search.py): SQLite's FTS5
# tables and their shadow tables, PostgreSQL's generated `search_vector` columns and their
# GIN indexes, the trigram index of the passages' text on both, and PostgreSQL's data
# generation counter (app/cache.py). Autogenerate must neither drop nor recreate them.


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object | None
) -> bool:
    if not reflected or name is None:
        return True
    if type_ == "table" and (name.startswith(INDEX_TABLES) or name == DATA_VERSION_TABLE):
        return False
    if type_ == "column" and name == "search_vector":
        return False
    return not (type_ == "index" and (name.endswith("_search_vector") or name == TRIGRAM_INDEX))


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        # SQLite alters tables by copying them; batch mode does that for us.
        render_as_batch=True,
        include_object=include_object,
        literal_binds=url is not None,
    )


def run_migrations_offline() -> None:
    _configure(url=get_settings().database_url)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(get_settings().database_url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
