"""What the app does around its answers, on each backend: security headers on every kind of
response, CORS, request ids in the access log, body size and rate limits, statement and pool
timeouts (503, never 500), the last-resort 500, ETag revalidation across writes, /metrics."""

import asyncio
import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Table, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.core.config import PROJECT_ROOT, Settings
from app.corpus.seed import load_seed, read_seed
from app.main import create_app
from app.models import Passage
from tests.databases import migrate, throwaway_database
from tests.helpers import assert_problem

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
SECURITY_HEADERS = ("x-content-type-options", "content-security-policy", "referrer-policy")


# --- fixtures -----------------------------------------------------------------------------


def seed_database(url: str) -> None:
    migrate(url)
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        load_seed(session, read_seed(PROJECT_ROOT / "seed"))
    engine.dispose()


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A seeded database of this test's own, to write to or lock. A new SQLite file is in the
    default rollback-journal mode until an app opens it (the app switches it to WAL)."""
    with throwaway_database(backend, tmp_path) as url:
        seed_database(url)
        yield url


@contextmanager
def serve(
    settings: Settings, setup: Callable[[FastAPI], None] | None = None
) -> Iterator[TestClient]:
    app = create_app(settings)
    if setup is not None:
        setup(app)
    with TestClient(app) as client:
        yield client


class JsonLogLines(logging.Handler):
    """Records formatted exactly as the app's own handler formats them, parsed back."""

    def __init__(self) -> None:
        super().__init__()
        (app_handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "anales"]
        assert app_handler.formatter is not None
        self.setFormatter(app_handler.formatter)
        for log_filter in app_handler.filters:
            self.addFilter(log_filter)
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))

    def find(self, **fields: Any) -> list[dict[str, Any]]:
        return [line for line in self.lines if fields.items() <= line.items()]


@contextmanager
def json_logs() -> Iterator[JsonLogLines]:
    handler = JsonLogLines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def raising_route(app: FastAPI) -> None:
    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("secret-internal-detail-8d1f")


def assert_security_headers(response: httpx.Response) -> None:
    assert response.headers.get_list("x-content-type-options") == ["nosniff"], response.headers
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]
    (csp,) = response.headers.get_list("content-security-policy")
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


# --- security headers ---------------------------------------------------------------------


class TestSecurityHeaders:
    def test_on_every_kind_of_response(self, seeded_url: str) -> None:
        with serve(Settings(database_url=seeded_url), raising_route) as client:
            ok = client.get("/api/v1/passages")
            assert ok.status_code == 200
            not_modified = client.get(
                "/api/v1/passages", headers={"If-None-Match": ok.headers["etag"]}
            )
            assert not_modified.status_code == 304
            responses = {
                200: ok,
                304: not_modified,
                404: client.get("/api/v1/passages/999999"),
                422: client.get("/api/v1/passages", params={"limit": 0}),
                500: client.get("/boom"),
            }
            for status, response in responses.items():
                assert response.status_code == status, response.text
                assert_security_headers(response)
            for status in (404, 422, 500):
                assert_problem(responses[status], status)

    def test_a_response_keeps_its_own_policy(self, seeded_url: str) -> None:
        def sandboxed_route(app: FastAPI) -> None:
            @app.get("/sandboxed", include_in_schema=False)
            def sandboxed() -> Response:
                return Response("x", headers={"Content-Security-Policy": "sandbox"})

        with serve(Settings(database_url=seeded_url), sandboxed_route) as client:
            response = client.get("/sandboxed")
        assert response.headers.get_list("content-security-policy") == ["sandbox"]
        assert response.headers.get_list("x-content-type-options") == ["nosniff"]

    def test_docs_load_only_same_origin_scripts(self, client: TestClient) -> None:
        class Assets(HTMLParser):
            def __init__(self) -> None:
                super().__init__()
                self.scripts: list[str | None] = []
                self.links: list[str | None] = []

            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                if tag == "script":
                    self.scripts.append(dict(attrs).get("src"))
                elif tag == "link":
                    self.links.append(dict(attrs).get("href"))

        for page in ("/docs", "/redoc"):
            response = client.get(page)
            assert response.status_code == 200
            assert_security_headers(response)
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp
            assets = Assets()
            assets.feed(response.text)
            sources = [src for src in assets.scripts + assets.links if src is not None]
            assert any(src.endswith(".js") for src in sources), response.text
            for src in sources:
                assert src.startswith("/"), src
                assert not src.startswith("//"), src
                asset = client.get(src)
                assert asset.status_code == 200, src
                assert_security_headers(asset)


# --- CORS ---------------------------------------------------------------------------------


class TestCors:
    def test_any_origin_may_read_without_credentials(self, client: TestClient) -> None:
        response = client.get("/api/v1/themes", headers={"Origin": "https://example.org"})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
        exposed = response.headers["access-control-expose-headers"].lower()
        assert {"etag", "link", "x-request-id"} <= {h.strip() for h in exposed.split(",")}

    def test_preflight(self, client: TestClient) -> None:
        response = client.options(
            "/api/v1/passages",
            headers={
                "Origin": "https://example.org",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "If-None-Match, X-Request-ID",
            },
        )
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == "*"
        assert "GET" in response.headers["access-control-allow-methods"]
        allowed = response.headers["access-control-allow-headers"].lower()
        assert "if-none-match" in allowed
        assert "access-control-allow-credentials" not in response.headers
        assert_security_headers(response)

    def test_configured_origins_only(self, seeded_url: str) -> None:
        settings = Settings(database_url=seeded_url, cors_allow_origins=["https://a.example"])
        with serve(settings) as client:
            allowed = client.get("/api/v1/themes", headers={"Origin": "https://a.example"})
            assert allowed.headers["access-control-allow-origin"] == "https://a.example"
            other = client.get("/api/v1/themes", headers={"Origin": "https://b.example"})
            assert other.status_code == 200
            assert "access-control-allow-origin" not in other.headers
            preflight = client.options(
                "/api/v1/themes",
                headers={"Origin": "https://b.example", "Access-Control-Request-Method": "GET"},
            )
            assert preflight.status_code == 400
            assert "access-control-allow-origin" not in preflight.headers


# --- request ids and the access log -------------------------------------------------------


class TestRequestId:
    def test_echoed_and_logged(self, client: TestClient) -> None:
        with json_logs() as logs:
            response = client.get("/api/v1/themes", headers={"X-Request-ID": "client-id.42:a_b"})
        assert response.headers["x-request-id"] == "client-id.42:a_b"
        (line,) = logs.find(logger="anales.access", request_id="client-id.42:a_b")
        assert line["path"] == "/api/v1/themes"
        assert line["status"] == 200
        assert line["method"] == "GET"
        assert line["level"] == "INFO"
        assert isinstance(line["duration_ms"], float)

    def test_generated_per_request_and_logged(self, client: TestClient) -> None:
        with json_logs() as logs:
            first = client.get("/api/v1/themes", params={"q": "guerra"})
            second = client.get("/api/v1/themes", params={"q": "guerra"})
        ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
        assert all(REQUEST_ID.fullmatch(i) for i in ids), ids
        assert ids[0] != ids[1]
        for request_id in ids:
            (line,) = logs.find(logger="anales.access", request_id=request_id)
            assert line["query"] == "q=guerra"

    @pytest.mark.parametrize(
        "bad",
        [
            pytest.param("x" * 129, id="too-long"),
            pytest.param("two words", id="space"),
            pytest.param("id\tx", id="tab"),
            pytest.param("<script>", id="markup"),
            pytest.param("ñandú", id="non-ascii"),
        ],
    )
    def test_unsafe_ids_are_replaced(self, client: TestClient, bad: str) -> None:
        with json_logs() as logs:
            response = client.get("/healthz", headers={"X-Request-ID": bad.encode()})
        assert response.status_code == 200
        replaced = response.headers["x-request-id"]
        assert replaced != bad
        assert REQUEST_ID.fullmatch(replaced)
        (line,) = logs.find(logger="anales.access", path="/healthz")
        assert line["request_id"] == replaced

    def test_newlines_are_replaced(self, client: TestClient) -> None:
        """A raw request, since HTTP clients refuse to send a newline in a header."""
        transport = client._transport
        request = httpx.Request(
            "GET", "http://testserver/healthz", headers=[(b"X-Request-ID", b"a\nforged-line")]
        )
        response = transport.handle_request(request)
        response.read()
        replaced = response.headers["x-request-id"]
        assert REQUEST_ID.fullmatch(replaced), replaced


# --- body size and rate limits ------------------------------------------------------------


class TestBodyLimit:
    @pytest.fixture
    def small(self, seeded_url: str) -> Iterator[TestClient]:
        with serve(Settings(database_url=seeded_url, max_body_bytes=100)) as client:
            yield client

    @pytest.mark.parametrize("path", ["/api/v1/passages", "/no/such/path", "/healthz"])
    def test_declared_length_over_the_limit_is_413(self, small: TestClient, path: str) -> None:
        response = small.post(path, content=b"x" * 101)
        assert "content-length" in response.request.headers
        body = assert_problem(response, 413)
        assert "100 bytes" in body["detail"]
        assert_security_headers(response)

    @pytest.mark.parametrize("path", ["/api/v1/passages", "/no/such/path", "/healthz"])
    def test_chunked_body_over_the_limit_is_413(self, small: TestClient, path: str) -> None:
        response = small.post(path, content=iter([b"x" * 60, b"x" * 60]))
        assert response.request.headers["transfer-encoding"] == "chunked"
        assert_problem(response, 413)

    def test_bodies_within_the_limit_reach_routing(self, small: TestClient) -> None:
        assert small.post("/healthz", content=b"x" * 100).status_code == 405
        chunked = small.post("/no/such/path", content=iter([b"x" * 50, b"x" * 50]))
        assert chunked.status_code == 404
        assert small.get("/api/v1/passages").status_code == 200


class TestRateLimit:
    def test_fourth_request_in_a_minute_is_429(self, seeded_url: str) -> None:
        with serve(Settings(database_url=seeded_url, rate_limit="3/minute")) as client:
            for _ in range(3):
                assert client.get("/api/v1/themes").status_code == 200
            response = client.get("/api/v1/passages", headers={"Origin": "https://example.org"})
            body = assert_problem(response, 429)
            # A browser may read the refusal and when to retry.
            assert response.headers["access-control-allow-origin"] == "*"
            assert "retry-after" in response.headers["access-control-expose-headers"].lower()
            assert body["type"] == "/problems/rate-limited"
            assert 1 <= int(response.headers["retry-after"]) <= 60
            assert_security_headers(response)
            for _ in range(5):
                assert client.get("/healthz").status_code == 200
                assert client.get("/readyz").status_code == 200
            assert client.get("/api/v1/themes").status_code == 429


# --- timeouts: 503, never 500 -------------------------------------------------------------


def assert_unavailable(response: httpx.Response) -> dict[str, Any]:
    body = assert_problem(response, 503)
    assert body["type"] == "/problems/service-unavailable"
    assert int(response.headers["retry-after"]) >= 1
    assert_security_headers(response)
    return body


@contextmanager
def postgres_lock(url: str, table: str = "passages") -> Iterator[None]:
    """Hold an ACCESS EXCLUSIVE lock on `table` from another connection."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection, connection.begin() as transaction:
            connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            try:
                yield
            finally:
                transaction.rollback()
    finally:
        engine.dispose()


@contextmanager
def sqlite_exclusive_lock(url: str) -> Iterator[None]:
    """Hold SQLite's exclusive lock from another connection (rollback-journal mode, in which
    even readers must wait)."""
    database = make_url(url).database
    assert database is not None
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "delete", "the app must not have opened this database yet"
        connection.execute("BEGIN EXCLUSIVE")
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def grow_passages(url: str, copies: int) -> None:
    """Add `copies` copies of passage 1, so that a text search has real work to do."""
    engine = create_engine(url)
    table = cast(Table, Passage.__table__)
    with engine.begin() as connection:
        row = connection.execute(select(table).where(table.c.id == 1)).mappings().one()
        base = {key: value for key, value in row.items() if key != "id"}
        rows = [{**base, "position": 1000 + n, "source_line": 1000 + n} for n in range(copies)]
        connection.execute(insert(table), rows)
    engine.dispose()


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


def pool_checked_out(client: TestClient) -> float:
    for family in text_string_to_metric_families(client.get("/metrics").text):
        if family.name == "anales_db_pool_checked_out":
            return float(family.samples[0].value)
    raise AssertionError("no anales_db_pool_checked_out gauge")


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


# --- methods and bodies the routes do not take ------------------------------------------


class TestMethodsAndBodies:
    def test_405_allows_every_documented_method_of_the_path(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        for path, operations in paths.items():
            documented = {
                m.upper() for m in operations if m in ("get", "post", "put", "patch", "delete")
            }
            url = re.sub(r"\{[^}]+\}", "kgb", path).replace("/passages/kgb", "/passages/6")
            response = client.request("OPTIONS", url)
            assert_problem(response, 405)
            allowed = {m.strip() for m in response.headers["allow"].split(",")}
            assert allowed - {"HEAD"} == documented, (path, response.headers["allow"])

    def test_a_body_that_is_not_utf8_json_is_422_naming_the_body(self, client: TestClient) -> None:
        for body in (b"\xff\xfe{", b'{"name": "\xe9"}'):
            response = client.post(
                "/api/v1/themes", content=body, headers={"Content-Type": "application/json"}
            )
            problem = assert_problem(response, 422, "body")
            assert problem["invalid_params"][0]["location"] == "body"

    def test_a_json_syntax_error_is_422_naming_the_body(self, client: TestClient) -> None:
        response = client.post(
            "/api/v1/themes", content=b'{"name": ', headers={"Content-Type": "application/json"}
        )
        problem = assert_problem(response, 422, "body")
        assert "JSON" in problem["invalid_params"][0]["reason"]


# --- the last resort ----------------------------------------------------------------------


class TestUnexpectedError:
    def test_500_problem_with_a_logged_error_id_and_nothing_else(self, seeded_url: str) -> None:
        with serve(Settings(database_url=seeded_url), raising_route) as client, json_logs() as logs:
            response = client.get("/boom", headers={"X-Request-ID": "trace-me"})
        body = assert_problem(response, 500)
        error_id = body["error_id"]
        assert REQUEST_ID.fullmatch(error_id)
        for leak in ("secret-internal-detail-8d1f", "RuntimeError", "Traceback", "boom()"):
            assert leak not in response.text
        (record,) = logs.find(level="ERROR")
        assert record["error_id"] == error_id
        assert error_id in record["message"]
        assert record["request_id"] == "trace-me"
        assert "secret-internal-detail-8d1f" in record["exc_info"]
        assert "Traceback" in record["exc_info"]
        (access,) = logs.find(logger="anales.access", path="/boom")
        assert access["status"] == 500
        assert access["request_id"] == "trace-me"


# --- ETag and 304 -------------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class TestRevalidation:
    def test_etag_304_and_a_new_etag_after_a_write(self, backend: str, fresh_url: str) -> None:
        path = "/api/v1/passages"
        params = {"theme": "seguridad-colectiva"}
        with serve(Settings(database_url=fresh_url)) as client:
            first = client.get(path, params=params)
            assert first.status_code == 200
            etag = first.headers["etag"]
            assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
            assert first.headers["cache-control"] == "no-cache"
            again = client.get(path, params=params)
            assert again.headers["etag"] == etag
            assert again.content == first.content
            revalidated = client.get(path, params=params, headers={"If-None-Match": etag})
            assert revalidated.status_code == 304
            assert revalidated.content == b""
            assert revalidated.headers["etag"] == etag
            assert revalidated.headers["cache-control"] == "no-cache"
            weak = client.get(path, params=params, headers={"If-None-Match": f"W/{etag}, x"})
            assert weak.status_code == 304

            (first_id, *_) = [item["id"] for item in first.json()["items"]]
            engine = create_engine(fresh_url)
            with engine.begin() as connection:
                connection.execute(
                    text("UPDATE passages SET note = 'revised' WHERE id = :id"), {"id": first_id}
                )
            engine.dispose()

            changed: list[httpx.Response] = []

            def refreshed() -> bool:
                response = client.get(path, params=params, headers={"If-None-Match": etag})
                changed.append(response)
                status: int = response.status_code
                return status == 200

            wait_until(refreshed, 2, "the write to show")
            response = changed[-1]
            assert response.headers["etag"] != etag
            assert response.json()["items"][0]["note"] == "revised"
            new = client.get(
                path, params=params, headers={"If-None-Match": response.headers["etag"]}
            )
            assert new.status_code == 304

    def test_identical_requests_in_flight_are_answered_once(
        self, backend: str, fresh_url: str
    ) -> None:
        calls: list[str] = []

        def slow_route(app: FastAPI) -> None:
            @app.get("/slow", include_in_schema=False)
            async def slow(word: str) -> dict[str, str]:
                calls.append(word)
                await asyncio.sleep(0.3)
                return {"word": word, "call": str(len(calls))}

        with serve(Settings(database_url=fresh_url), slow_route) as client:

            def ask(word: str) -> httpx.Response:
                response: httpx.Response = client.get("/slow", params={"word": word})
                return response

            with ThreadPoolExecutor(max_workers=10) as pool:
                answers = list(pool.map(ask, ["same"] * 8 + ["other"] * 2))
        assert all(answer.status_code == 200 for answer in answers)
        same = {(answer.content, answer.headers["etag"]) for answer in answers[:8]}
        assert len(same) == 1, "the waiting requests got the first one's answer"
        assert sorted(calls) == ["other", "same"], "each distinct request ran once"

    def test_not_coalesced_when_the_cache_is_off(self, seeded_url: str) -> None:
        calls: list[int] = []

        def slow_route(app: FastAPI) -> None:
            @app.get("/slow", include_in_schema=False)
            async def slow() -> dict[str, int]:
                calls.append(1)
                await asyncio.sleep(0.2)
                return {"calls": len(calls)}

        settings = Settings(database_url=seeded_url, response_cache_bytes=0)
        with serve(settings, slow_route) as client, ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda _: client.get("/slow"), range(4)))
        assert [answer.status_code for answer in answers] == [200] * 4
        assert len(calls) == 4


# --- metrics ------------------------------------------------------------------------------


class TestMetrics:
    def test_request_counts_by_route_and_pool_gauges(self, seeded_url: str) -> None:
        with serve(Settings(database_url=seeded_url, pool_size=3)) as client:
            assert client.get("/api/v1/actors/kgb").status_code == 200
            assert client.get("/api/v1/actors/no-such-actor").status_code == 404
            response = client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        families = {f.name: f for f in text_string_to_metric_families(response.text)}
        requests = families["http_requests"]
        counted = {
            (s.labels["handler"], s.labels["method"], s.labels["status"]): s.value
            for s in requests.samples
            if s.name == "http_requests_total"
        }
        assert counted[("/api/v1/actors/{slug}", "GET", "200")] == 1
        assert counted[("/api/v1/actors/{slug}", "GET", "404")] == 1
        assert not any(handler == "/metrics" for handler, _, _ in counted)
        gauges = {
            name: families[name].samples[0].value
            for name in ("anales_db_pool_checked_out", "anales_db_pool_idle", "anales_db_pool_size")
        }
        assert gauges["anales_db_pool_size"] == 3
        assert gauges["anales_db_pool_checked_out"] == 0
        assert gauges["anales_db_pool_idle"] >= 1
