"""Every test that takes `client` or `db_url` runs once per backend: SQLite always,
PostgreSQL when TEST_DATABASE_URL names a server the tests may create databases on."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from app.core.config import PROJECT_ROOT, Settings
from app.corpus.seed import load_seed, read_seed
from app.main import create_app
from tests.databases import BACKENDS, clone_database, migrate, throwaway_database

SEED_DIR = PROJECT_ROOT / "seed"

# One Hypothesis profile for every property test: no per-example deadline and no health check
# that measures speed, since a busy machine makes any example slow (timings are `make bench`'s).
# Local runs keep what they find in the example database; CI replays the same examples each run.
settings.register_profile(
    "anales",
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
settings.register_profile(
    "anales-ci", parent=settings.get_profile("anales"), derandomize=True, database=None
)
settings.load_profile("anales-ci" if os.environ.get("CI") else "anales")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def migrated_template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database at the latest migration with no data, migrated once per run (and worker)
    and only ever copied: every database below starts as a copy of it."""
    with throwaway_database(backend, tmp_path_factory.mktemp("migrated")) as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def template_url(
    backend: str, migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A seeded database nobody stays connected to, copied by `writable_url`."""
    with clone_database(backend, migrated_template, tmp_path_factory.mktemp("template")) as url:
        engine = create_engine(url)
        with Session(engine) as session, session.begin():
            load_seed(session, read_seed(SEED_DIR))
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def seeded_url(
    backend: str, template_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database at the latest migration holding the seed, shared by read-only tests."""
    with clone_database(backend, template_url, tmp_path_factory.mktemp("seeded")) as url:
        yield url


@pytest.fixture(scope="session")
def app(seeded_url: str) -> FastAPI:
    return create_app(Settings(database_url=seeded_url))


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def empty_url(
    backend: str, migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database at the latest migration with no data; tests roll back what they write."""
    with clone_database(backend, migrated_template, tmp_path_factory.mktemp("empty")) as url:
        yield url


@pytest.fixture(scope="session")
def empty_engine(empty_url: str) -> Iterator[Engine]:
    engine = create_engine(empty_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(empty_engine: Engine) -> Iterator[Session]:
    """A session on the empty database inside a transaction rolled back after the test."""
    with empty_engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as db:
            yield db
        transaction.rollback()


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed directory, for tests that break it on purpose."""
    target = tmp_path / "seed"
    target.mkdir()
    for path in SEED_DIR.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


@pytest.fixture
def writable_url(backend: str, template_url: str, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the seeded database for a test that writes."""
    with clone_database(backend, template_url, tmp_path) as url:
        yield url


@pytest.fixture
def writable_client(writable_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=writable_url))) as test_client:
        yield test_client
