"""Servers, locks and log capture shared by the tests of app/core."""

import json
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Table, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.core.config import PROJECT_ROOT, Settings
from app.corpus.seed import load_seed, read_seed
from app.main import create_app
from app.models import Passage
from tests.databases import migrate
from tests.helpers import assert_problem

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
SECURITY_HEADERS = ("x-content-type-options", "content-security-policy", "referrer-policy")


def seed_database(url: str) -> None:
    migrate(url)
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        load_seed(session, read_seed(PROJECT_ROOT / "seed"))
    engine.dispose()


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


def pool_checked_out(client: TestClient) -> float:
    for family in text_string_to_metric_families(client.get("/metrics").text):
        if family.name == "anales_db_pool_checked_out":
            return float(family.samples[0].value)
    raise AssertionError("no anales_db_pool_checked_out gauge")


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
