"""Liveness and readiness: /readyz is ready only when the database is at the latest migration."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.main import create_app
from tests.databases import alembic_config, throwaway_database
from tests.helpers import assert_problem


def head_revision(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


def revision_in(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar())
    finally:
        engine.dispose()


@pytest.fixture
def unmigrated_client(backend: str, tmp_path: Path) -> Iterator[TestClient]:
    """The app on a database that exists but has never been migrated."""
    with (
        throwaway_database(backend, tmp_path) as url,
        TestClient(create_app(Settings(database_url=url))) as client,
    ):
        yield client


@pytest.fixture
def unreachable_client(backend: str, tmp_path: Path, seeded_url: str) -> Iterator[TestClient]:
    """The app on a database that cannot be opened at all."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'anales.db'}"
    else:
        missing = f"anales_missing_{uuid.uuid4().hex[:12]}"
        url = make_url(seeded_url).set(database=missing).render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client


class TestHealthz:
    def test_ok(self, client: TestClient) -> None:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    def test_ok_without_a_database(self, unreachable_client: TestClient) -> None:
        assert unreachable_client.get("/healthz").status_code == 200


class TestReadyz:
    def test_ready_at_head(self, client: TestClient, seeded_url: str, backend: str) -> None:
        response = client.get("/readyz")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "ok"
        assert body["database"] == backend
        assert body["revision"] == revision_in(seeded_url) == head_revision(seeded_url)

    def test_unmigrated_database_is_503(self, unmigrated_client: TestClient) -> None:
        response = unmigrated_client.get("/readyz")
        body = assert_problem(response, 503)
        assert body["type"] == "/problems/service-unavailable"
        assert head_revision("sqlite://") in body["detail"]
        assert response.headers["retry-after"].isdigit()

    def test_unreachable_database_is_503(self, unreachable_client: TestClient) -> None:
        response = unreachable_client.get("/readyz")
        assert_problem(response, 503)
        assert response.headers["retry-after"].isdigit()


def test_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    """A database file that is not there (moved away, not yet migrated) is not made empty in
    its place: the app answers 503 and leaves the path as it found it."""
    path = tmp_path / "anales.db"
    with TestClient(create_app(Settings(database_url=f"sqlite:///{path}"))) as client:
        assert_problem(client.get("/readyz"), 503)
        assert_problem(client.get("/api/v1/passages"), 503)
    assert not path.exists()


class TestDatabaseUnavailable:
    @pytest.mark.parametrize("path", ["/api/v1/passages", "/api/v1/actors/kgb", "/api/v1/timeline"])
    def test_api_answers_503_problem(self, unreachable_client: TestClient, path: str) -> None:
        response = unreachable_client.get(path)
        body = assert_problem(response, 503)
        assert body["type"] == "/problems/service-unavailable"
        # Nothing of the driver's message (paths, host names) leaks to the client.
        assert "sqlite" not in response.text.lower()
        assert "psycopg" not in response.text.lower()
