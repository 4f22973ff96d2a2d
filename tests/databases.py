"""Throwaway databases for the test suite: a SQLite file, or a PostgreSQL database that is
created for the run and dropped after it."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core.config import PROJECT_ROOT

BACKENDS = ("sqlite", "postgresql")
POSTGRES_SKIP = "TEST_DATABASE_URL is not set; set it to a PostgreSQL URL to run these too"
# The pytest-xdist worker running this process ("gw0", "gw1"…), in every name a test gives a
# database, so that the parallel workers' databases never meet and a leftover says whose it is.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def database_name() -> str:
    """A PostgreSQL database name no other test, worker or run has."""
    return f"anales_test_{WORKER}_{uuid.uuid4().hex[:12]}"


@contextmanager
def throwaway_database(backend: str, tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database; drop it afterwards."""
    if backend == "sqlite":
        # An empty file is an empty database; the app opens, and never creates, one.
        path = tmp_dir / f"anales-{uuid.uuid4().hex[:8]}.db"
        path.touch()
        yield f"sqlite:///{path}"
        return
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.skip(POSTGRES_SKIP)
    name = database_name()
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    return config


def migrate(url: str, revision: str = "head") -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


@contextmanager
def clone_database(backend: str, template_url: str, tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of a copy of the database at `template_url`; drop it afterwards.

    PostgreSQL copies it server-side (CREATE DATABASE … TEMPLATE); nobody may be connected
    to the template meanwhile. SQLite copies the file.
    """
    if backend == "sqlite":
        source = Path(make_url(template_url).database or "")
        target = tmp_dir / f"clone-{uuid.uuid4().hex[:8]}.db"
        target.write_bytes(source.read_bytes())
        yield f"sqlite:///{target}"
        return
    server_url = os.environ["TEST_DATABASE_URL"]
    template = make_url(template_url).database
    name = database_name()
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
