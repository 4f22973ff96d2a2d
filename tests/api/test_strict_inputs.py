"""Inputs the API once took too kindly, and database failures it answered as bugs, on each
backend: lax JSON types in write bodies, text made only of invisible characters, encoded or
non-JSON bodies, HEAD, `If-Match: *`, invisible characters in `q`, and a database that
refuses writes (a revoked privilege, a read-only or full file, another writer's lock)."""

import gzip
import json
import logging
import re
import sqlite3
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import Pool

from app.core.config import Settings
from app.main import create_app
from app.models import AuditEntry
from tests.helpers import assert_problem, fetch_all
from tests.keys import bearer, make_key

# The invisible (Unicode format, Cf) characters a hostile or careless client sends most.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
SOFT_HYPHEN = "\u00ad"
LONG_PASSAGE = "En 1955 la Unión Soviética defendió la coexistencia pacífica. " * 300


@pytest.fixture
def writer(writable_url: str) -> dict[str, str]:
    return bearer(make_key(writable_url, "write"))


def etag(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return str(response.headers["etag"])


def invalid_param(body: dict[str, Any], name: str) -> dict[str, Any]:
    (param,) = [p for p in body["invalid_params"] if p["name"] == name]
    return dict(param)


# --- 1. integers in write bodies are JSON integers ----------------------------------------

# JSON that lax validation read as a year: false as 0, "1939" as 1939, 1e3 as 1000.
NOT_INTEGERS = ["false", "true", '"1939"', "1e3", "1939.0"]


class TestStrictIntegers:
    @pytest.mark.parametrize("value", NOT_INTEGERS)
    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("/api/v1/periods", '{"name": "Periodo X", "start_year": 900, "end_year": %s}'),
            ("/api/v1/actors", '{"name": "Actor X", "kind": "person", "start_year": %s}'),
            ("/api/v1/passages", '{"text": "Texto.", "start_year": 900, "end_year": %s}'),
        ],
    )
    def test_post_refuses_what_is_not_a_json_integer(
        self,
        writable_client: TestClient,
        writer: dict[str, str],
        path: str,
        body: str,
        value: str,
    ) -> None:
        field = re.search(r'"(\w+_year)": %s', body)
        assert field is not None
        stored = writable_client.get(path).json()["total"]
        response = writable_client.post(
            path,
            content=(body % value).encode(),
            headers={**writer, "Content-Type": "application/json"},
        )
        problem = assert_problem(response, 422, field[1])
        assert invalid_param(problem, field[1])["location"] == "body"
        assert writable_client.get(path).json()["total"] == stored
        taken = writable_client.post(
            path,
            content=(body % "1000").encode(),
            headers={**writer, "Content-Type": "application/json"},
        )
        assert taken.status_code == 201, taken.text
        assert taken.json()[field[1]] == 1000

    @pytest.mark.parametrize("value", NOT_INTEGERS)
    def test_patch_refuses_what_is_not_a_json_integer(
        self, writable_client: TestClient, writer: dict[str, str], value: str
    ) -> None:
        path = "/api/v1/actors/maksim-litvinov"
        before = writable_client.get(path).json()
        response = writable_client.patch(
            path,
            content=f'{{"end_year": {value}}}'.encode(),
            headers={
                **writer,
                "If-Match": etag(writable_client, path),
                "Content-Type": "application/merge-patch+json",
            },
        )
        assert_problem(response, 422, "end_year")
        assert writable_client.get(path).json() == before

    def test_the_document_still_says_integer(self, client: TestClient) -> None:
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        for model in ("PeriodCreate", "ActorCreate", "PassageCreate", "PeriodPatch"):
            for name in ("start_year", "end_year"):
                prop = schemas[model]["properties"][name]
                types = {option.get("type") for option in prop.get("anyOf", [prop])}
                assert "integer" in types, (model, name, prop)
                assert types <= {"integer", "null"}, (model, name, prop)


# --- 2. a needed text must be visible ---------------------------------------------------------

INVISIBLE_ONLY = [
    "\u200b",
    ZERO_WIDTH,
    BIDI,
    SOFT_HYPHEN,
    f" \u2060\n{SOFT_HYPHEN}\t\ufeff ",
    "\u202e\u202c",
]


class TestInvisibleText:
    @pytest.mark.parametrize("blank", INVISIBLE_ONLY)
    @pytest.mark.parametrize(
        ("path", "field", "body"),
        [
            ("/api/v1/passages", "text", {}),
            ("/api/v1/passages", "source_file", {"text": "Texto de prueba."}),
            ("/api/v1/themes", "name", {}),
            ("/api/v1/actors", "role", {"name": "Actor X", "kind": "person"}),
            ("/api/v1/themes", "aliases", {"name": "Tema X"}),
        ],
    )
    def test_refused_naming_the_field(
        self,
        writable_client: TestClient,
        writer: dict[str, str],
        path: str,
        field: str,
        body: dict[str, Any],
        blank: str,
    ) -> None:
        value: Any = [blank] if field == "aliases" else blank
        response = writable_client.post(path, json={**body, field: value}, headers=writer)
        problem = assert_problem(response, 422, field)
        assert "invisible" in invalid_param(problem, field)["reason"]

    def test_patch_to_an_invisible_name_is_refused(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        """Refused, while an invisible character among visible ones is kept as written (a
        merge patch may say it is one)."""
        path = "/api/v1/themes/espionaje"
        refused = writable_client.patch(
            path,
            json={"name": "\u200b\u200d"},
            headers={**writer, "If-Match": etag(writable_client, path)},
        )
        assert_problem(refused, 422, "name")
        assert writable_client.get(path).json()["name"] == "Espionaje"
        hyphenated = f"Espio{SOFT_HYPHEN}naje"
        taken = writable_client.patch(
            path,
            content=json.dumps({"name": hyphenated}).encode(),
            headers={
                **writer,
                "If-Match": etag(writable_client, path),
                "Content-Type": "application/merge-patch+json; charset=utf-8",
            },
        )
        assert taken.status_code == 200, taken.text
        assert writable_client.get(path).json()["name"] == hyphenated

    def test_the_document_says_so(self, client: TestClient) -> None:
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        for model, name in (("ThemeCreate", "name"), ("PassageCreate", "text")):
            pattern = schemas[model]["properties"][name]["pattern"]
            assert re.search(pattern, "Desarme")
            assert re.search(pattern, f"Des{SOFT_HYPHEN}arme")
            for blank in INVISIBLE_ONLY:
                assert not re.search(pattern, blank.strip()), (model, blank)


# --- 3. bodies are JSON, sent as they are ----------------------------------------------------


def post_theme(
    client: TestClient, writer: dict[str, str], content: bytes, **headers: str
) -> httpx.Response:
    response: httpx.Response = client.post(
        "/api/v1/themes", content=content, headers={**writer, **headers}
    )
    return response


THEME = json.dumps({"name": "Desarme nuclear"}).encode()


class TestBodyEncoding:
    @pytest.mark.parametrize(
        ("coding", "content"),
        [
            ("gzip", gzip.compress(THEME, mtime=0)),
            ("deflate", zlib.compress(THEME)),
            ("br", THEME),
            ("identity, gzip", gzip.compress(THEME, mtime=0)),
        ],
    )
    def test_an_encoded_body_is_415_naming_content_encoding(
        self, writable_client: TestClient, writer: dict[str, str], coding: str, content: bytes
    ) -> None:
        response = post_theme(
            writable_client,
            writer,
            content,
            **{"Content-Type": "application/json", "Content-Encoding": coding},
        )
        problem = assert_problem(response, 415, "Content-Encoding")
        param = invalid_param(problem, "Content-Encoding")
        assert param["location"] == "header"
        assert "identity" in param["reason"]
        assert response.headers["accept-encoding"] == "identity"
        assert writable_client.get("/api/v1/themes/desarme-nuclear").status_code == 404
        headers = {"Content-Type": "application/json", "Content-Encoding": "identity"}
        unencoded = post_theme(writable_client, writer, THEME, **headers)
        assert unencoded.status_code == 201, unencoded.text

    @pytest.mark.parametrize(
        "content_type",
        ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"],
    )
    def test_a_body_that_is_not_json_is_415_naming_content_type(
        self, writable_client: TestClient, writer: dict[str, str], content_type: str
    ) -> None:
        content = b"name=Desarme" if "form" in content_type else THEME
        response = post_theme(writable_client, writer, content, **{"Content-Type": content_type})
        problem = assert_problem(response, 415, "Content-Type")
        param = invalid_param(problem, "Content-Type")
        assert param["location"] == "header"
        assert "application/json" in param["reason"]
        assert writable_client.get("/api/v1/themes/desarme-nuclear").status_code == 404
        headers = {"Content-Type": "application/json; charset=utf-8"}
        assert post_theme(writable_client, writer, THEME, **headers).status_code == 201

    def test_a_json_patch_is_not_read_as_a_merge_patch(
        self, writable_client: TestClient, writer: dict[str, str]
    ) -> None:
        """FastAPI reads any `+json` type as JSON, so an RFC 6902 JSON Patch reached the
        merge-patch route and failed as "not a valid dictionary"."""
        path = "/api/v1/themes/espionaje"
        response = writable_client.patch(
            path,
            content=b'[{"op": "replace", "path": "/note", "value": "revisado"}]',
            headers={
                **writer,
                "If-Match": etag(writable_client, path),
                "Content-Type": "application/json-patch+json",
            },
        )
        problem = assert_problem(response, 415, "Content-Type")
        assert "application/merge-patch+json" in invalid_param(problem, "Content-Type")["reason"]


# --- 4. HEAD is GET without the body -------------------------------------------------------

PER_REQUEST = {"x-request-id"}
GET_PATHS = [
    "/healthz",
    "/readyz",
    "/api/v1/passages",
    "/api/v1/passages?q=kgb&limit=3",
    "/api/v1/passages?format=csv",
    "/api/v1/actors/kgb",
    "/api/v1/actors/nadie",
    "/api/v1/search?q=pacto",
    "/openapi.json",
    "/docs",
]


def same_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in PER_REQUEST}


class TestHead:
    @pytest.mark.parametrize("path", GET_PATHS)
    def test_head_answers_as_get_without_a_body(self, client: TestClient, path: str) -> None:
        get = client.get(path)
        head = client.head(path)
        assert head.status_code == get.status_code, head.text
        assert head.content == b""
        assert same_headers(head) == same_headers(get)

    def test_head_first_fills_the_cache_for_get(self, client: TestClient) -> None:
        path = f"/api/v1/passages?q=pacto&limit={uuid.uuid4().int % 50 + 50}"
        head = client.head(path)
        get = client.get(path)
        assert (head.status_code, get.status_code) == (200, 200)
        assert head.headers["etag"] == get.headers["etag"]
        assert int(head.headers["content-length"]) == len(get.content)

    def test_head_revalidates(self, client: TestClient) -> None:
        tag = client.get("/api/v1/actors/kgb").headers["etag"]
        response = client.head("/api/v1/actors/kgb", headers={"If-None-Match": tag})
        assert response.status_code == 304
        assert response.headers["etag"] == tag

    def test_allow_lists_head_wherever_get_is(self, client: TestClient) -> None:
        for path in ("/healthz", "/api/v1/passages", "/api/v1/actors/kgb"):
            allowed = client.request("OPTIONS", path).headers["allow"].split(", ")
            assert allowed[:2] == ["GET", "HEAD"], (path, allowed)
        refused = client.head("/api/v1/actors/kgb/relink")
        assert refused.status_code == 405
        assert refused.headers["allow"] == "POST"

    def test_the_document_has_no_head_operations(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        assert not [path for path, operations in paths.items() if "head" in operations]


# --- 5. If-Match: * guards nothing -------------------------------------------------------------


class TestIfMatchStar:
    PATH = "/api/v1/actors/kgb"

    @pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
    @pytest.mark.parametrize("if_match", ["*", ' "abc", * '])
    def test_star_is_428(
        self, writable_client: TestClient, writer: dict[str, str], method: str, if_match: str
    ) -> None:
        before = writable_client.get(self.PATH).json()
        body = {"name": before["name"], "kind": before["kind"]} if method == "PUT" else {}
        response = writable_client.request(
            method, self.PATH, json=body, headers={**writer, "If-Match": if_match}
        )
        problem = assert_problem(response, 428)
        assert "ETag" in problem["detail"]
        assert "*" in problem["detail"]
        assert writable_client.get(self.PATH).json() == before

    def test_the_document_says_so(self, client: TestClient) -> None:
        operation = client.get("/openapi.json").json()["paths"]["/api/v1/actors/{slug}"]["patch"]
        (header,) = [p for p in operation["parameters"] if p["name"].lower() == "if-match"]
        assert "`*`" in header["description"]


# --- 6. q reads the same words in lists and /search ---------------------------------------

HOSTILE_Q = [
    "\u202ekgb",
    "\u2066kgb\u2069",
    "\u200fkgb\u200e",
    "k\u200dgb",
    "\u200bkgb\u200b",
    "\ufeffkgb",
    f"kg{SOFT_HYPHEN}b",
    f"pac{SOFT_HYPHEN}to",
    f"coexis{SOFT_HYPHEN}tencia pac\u2060ífica",
    "\u202bseguridad\u202c colectiva",
]


def listed_ids(client: TestClient, q: str) -> set[int]:
    return {p["id"] for p in fetch_all(client, "/api/v1/passages", {"q": q})}


def searched_ids(client: TestClient, q: str) -> set[int]:
    response = client.get("/api/v1/search", params={"q": q, "kind": "passages", "limit": 50})
    assert response.status_code == 200, response.text
    groups = response.json()["groups"]
    assert all(group["total"] <= 50 for group in groups)
    return {hit["id"] for group in groups for hit in group["hits"]}


class TestInvisibleQuery:
    @pytest.mark.parametrize("q", HOSTILE_Q)
    def test_list_and_search_agree(self, client: TestClient, q: str) -> None:
        clean = "".join(ch for ch in q if ch not in ZERO_WIDTH + BIDI + SOFT_HYPHEN)
        expected = listed_ids(client, clean)
        assert expected, clean
        assert searched_ids(client, clean) == expected, clean
        assert listed_ids(client, q) == expected
        assert searched_ids(client, q) == expected


# --- 7. a database that refuses writes is 503, not 500 ------------------------------------


def outage_records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "anales.errors" and r.levelno == level]


def assert_outage(response: httpx.Response, retry_after: str) -> dict[str, Any]:
    body = assert_problem(response, 503)
    assert body["type"] == "/problems/service-unavailable"
    assert response.headers["retry-after"] == retry_after
    assert "error_id" not in body
    return body


@pytest.fixture
def no_audit_insert_url(backend: str, writable_url: str) -> Iterator[str]:
    """The writable database as a role that may do everything but append to the audit log."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL privileges")
    role = f"anales_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(writable_url, isolation_level="AUTOCOMMIT")
    statements = [
        f'CREATE ROLE "{role}" LOGIN',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        f'REVOKE INSERT ON "{AuditEntry.__tablename__}" FROM "{role}"',
    ]
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
        yield make_url(writable_url).set(username=role).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


@contextmanager
def sqlite_write_lock(url: str) -> Iterator[None]:
    """Hold SQLite's write lock from another connection, as a long write would."""
    database = make_url(url).database
    assert database is not None
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()


@contextmanager
def on_sqlite_connect(setup: Callable[[sqlite3.Connection], None]) -> Iterator[None]:
    """Run `setup` on every SQLite connection any engine opens meanwhile."""

    def listener(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            setup(dbapi_connection)

    event.listen(Pool, "connect", listener)
    try:
        yield
    finally:
        event.remove(Pool, "connect", listener)


def no_room(connection: sqlite3.Connection) -> None:
    """The file may not grow by a page: the disk is full, as far as SQLite can tell."""
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")


def read_only(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA query_only = ON")


class TestDatabaseRefusesWrites:
    def test_postgres_revoked_privilege_is_503_logged_as_error(
        self, no_audit_insert_url: str, writable_url: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        writer = bearer(make_key(writable_url, "write"))
        with TestClient(create_app(Settings(database_url=no_audit_insert_url))) as client:
            assert client.get("/api/v1/themes/espionaje").status_code == 200
            response = client.post("/api/v1/themes", json={"name": "Desarme"}, headers=writer)
            assert_outage(response, "30")
            assert client.get("/api/v1/themes/desarme").status_code == 404
        (record,) = outage_records(caplog, logging.ERROR)
        assert "SQLSTATE 42501" in record.getMessage()

    def test_postgres_read_only_database_is_503_logged_as_error(
        self,
        backend: str,
        writable_url: str,
        writer: dict[str, str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """Every transaction read-only, as on a standby: SQLSTATE 25006."""
        if backend != "postgresql":
            pytest.skip("PostgreSQL's read-only transactions")
        admin = create_engine(writable_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            database = make_url(writable_url).database
            connection.execute(
                text(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
            )
        admin.dispose()
        with TestClient(create_app(Settings(database_url=writable_url))) as client:
            assert client.get("/api/v1/themes/espionaje").status_code == 200
            response = client.post("/api/v1/themes", json={"name": "Desarme"}, headers=writer)
            assert_outage(response, "30")
            assert client.get("/api/v1/themes/desarme").status_code == 404
        (record,) = outage_records(caplog, logging.ERROR)
        assert "SQLSTATE 25006" in record.getMessage()

    def test_sqlite_query_only_is_503_logged_as_error(
        self,
        backend: str,
        writable_url: str,
        writer: dict[str, str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        if backend != "sqlite":
            pytest.skip("SQLite's read-only connections")
        with (
            on_sqlite_connect(read_only),
            TestClient(create_app(Settings(database_url=writable_url))) as client,
        ):
            assert client.get("/api/v1/themes/espionaje").status_code == 200
            response = client.post("/api/v1/themes", json={"name": "Desarme"}, headers=writer)
            assert_outage(response, "30")
            assert client.get("/api/v1/themes/desarme").status_code == 404
        (record,) = outage_records(caplog, logging.ERROR)
        assert "SQLITE_READONLY" in record.getMessage()

    def test_sqlite_file_opened_read_only_is_503_logged_as_error(
        self,
        backend: str,
        writable_url: str,
        writer: dict[str, str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """A file the process may only read (root ignores file modes, so `mode=ro` says it):
        even connecting fails, since the app puts the file in WAL mode."""
        if backend != "sqlite":
            pytest.skip("SQLite's read-only mode")
        url = f"sqlite:///file:{make_url(writable_url).database}?mode=ro&uri=true"
        with TestClient(create_app(Settings(database_url=url))) as client:
            response = client.post("/api/v1/themes", json={"name": "Desarme"}, headers=writer)
            assert_outage(response, "30")
        assert any(
            "SQLITE_READONLY" in r.getMessage() for r in outage_records(caplog, logging.ERROR)
        )

    def test_sqlite_full_disk_is_503_logged_as_error(
        self,
        backend: str,
        writable_url: str,
        writer: dict[str, str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        if backend != "sqlite":
            pytest.skip("SQLite's page limit")
        body = {"text": LONG_PASSAGE, "links": {}}
        with (
            on_sqlite_connect(no_room),
            TestClient(create_app(Settings(database_url=writable_url))) as client,
        ):
            stored = client.get("/api/v1/passages").json()["total"]
            assert_outage(client.post("/api/v1/passages", json=body, headers=writer), "30")
            assert client.get("/api/v1/passages").json()["total"] == stored
        (record,) = outage_records(caplog, logging.ERROR)
        assert "SQLITE_FULL" in record.getMessage()

    def test_sqlite_busy_is_503_saying_so(
        self,
        backend: str,
        writable_url: str,
        writer: dict[str, str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        if backend != "sqlite":
            pytest.skip("SQLite's busy timeout")
        settings = Settings(database_url=writable_url, sqlite_busy_timeout_ms=50)
        with TestClient(create_app(settings)) as client:
            assert client.get("/api/v1/themes/espionaje").status_code == 200
            with sqlite_write_lock(writable_url):
                response = client.post("/api/v1/themes", json={"name": "Desarme"}, headers=writer)
            body = assert_outage(response, "1")
            assert "busy with other writes" in body["detail"]
            assert "unavailable" not in body["detail"]
            retried = client.post("/api/v1/themes", json={"name": "Desarme"}, headers=writer)
            assert retried.status_code == 201, retried.text
        (record,) = outage_records(caplog, logging.WARNING)
        assert "SQLITE_BUSY" in record.getMessage()
        assert not outage_records(caplog, logging.ERROR)
