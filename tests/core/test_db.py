"""Statement and pool timeouts on each backend: a held lock or an exhausted pool answers 503 with
`Retry-After`, never 500."""

import threading
import time

import httpx
import pytest

from app.core.config import Settings
from tests.core.support import (
    assert_unavailable,
    grow_passages,
    json_logs,
    pool_checked_out,
    postgres_lock,
    serve,
    sqlite_exclusive_lock,
)


class TestStatementTimeout:
    def test_postgres_query_waiting_past_the_timeout_is_503(
        self, backend: str, fresh_url: str
    ) -> None:
        if backend != "postgresql":
            pytest.skip("PostgreSQL's statement_timeout; SQLite's is tested below")
        settings = Settings(database_url=fresh_url, statement_timeout_ms=50)
        with serve(settings) as client, json_logs() as logs:
            assert client.get("/api/v1/passages").status_code == 200
            with postgres_lock(fresh_url):
                # The lock is held until this block ends: an answer at all means the
                # statement was cut rather than left waiting.
                assert_unavailable(client.get("/api/v1/passages", params={"q": "pacto"}))
            assert client.get("/api/v1/passages", params={"q": "pacto"}).status_code == 200
        (warning,) = logs.find(logger="anales.errors", level="WARNING")
        assert "statement timeout" in warning["message"]

    def test_sqlite_slow_query_past_the_timeout_is_503(self, backend: str, fresh_url: str) -> None:
        if backend != "sqlite":
            pytest.skip("SQLite's progress-handler deadline; PostgreSQL's is tested above")
        grow_passages(fresh_url, 60_000)
        search = {"q": "no-such-word-anywhere"}
        with serve(Settings(database_url=fresh_url)) as client:
            assert client.get("/api/v1/passages", params=search).status_code == 200
        with serve(Settings(database_url=fresh_url, statement_timeout_ms=1)) as client:
            with json_logs() as logs:
                assert_unavailable(client.get("/api/v1/passages", params=search))
            (warning,) = logs.find(logger="anales.errors", level="WARNING")
            assert "interrupted" in warning["message"]
            assert client.get("/api/v1/themes/espionaje").status_code == 200

    def test_sqlite_database_locked_is_503(self, backend: str, fresh_url: str) -> None:
        if backend != "sqlite":
            pytest.skip("SQLite's busy timeout")
        settings = Settings(database_url=fresh_url, sqlite_busy_timeout_ms=50)
        with serve(settings) as client, json_logs() as logs:
            with sqlite_exclusive_lock(fresh_url):
                assert_unavailable(client.get("/api/v1/passages"))
            (warning,) = logs.find(logger="anales.errors", level="WARNING")
            assert "database is locked" in warning["message"]
            assert client.get("/api/v1/passages").status_code == 200


class TestPoolExhaustion:
    def test_waiting_past_pool_timeout_is_503(self, backend: str, fresh_url: str) -> None:
        """The only connection is held by a request stuck behind a lock; the next request
        gives up after pool_timeout_s with a 503, and the stuck one still succeeds."""
        settings = Settings(
            database_url=fresh_url,
            pool_size=1,
            pool_timeout_s=0.2,
            statement_timeout_ms=10_000,
            sqlite_busy_timeout_ms=10_000,
            # A kept answer needs no connection: every request here must ask the database.
            response_cache_bytes=0,
        )
        lock = postgres_lock if backend == "postgresql" else sqlite_exclusive_lock
        with serve(settings) as client:
            if backend == "postgresql":
                assert client.get("/api/v1/themes").status_code == 200
            stuck: list[httpx.Response] = []
            with lock(fresh_url):
                worker = threading.Thread(
                    target=lambda: stuck.append(client.get("/api/v1/passages"))
                )
                worker.start()
                deadline = time.monotonic() + 5
                while pool_checked_out(client) < 1:
                    assert time.monotonic() < deadline, "the first request never took a connection"
                    time.sleep(0.02)
                started = time.monotonic()
                response = client.get("/api/v1/themes")
                waited = time.monotonic() - started
                body = assert_unavailable(response)
                assert "busy" in body["detail"]
                # It waited for a connection (at least the pool timeout) and then gave up
                # while the first request still held the only one.
                assert waited >= 0.15
                assert worker.is_alive()
            worker.join(10)
            assert [r.status_code for r in stuck] == [200]
            assert client.get("/api/v1/themes").status_code == 200
            assert pool_checked_out(client) == 0
