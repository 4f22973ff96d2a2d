"""`include=` on the passage and event lists embeds linked summaries, in a constant number of
SQL statements whatever the page size."""

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from tests.helpers import assert_problem, fetch_all, passage_lines_by_id
from tests.oracle import Corpus

CORPUS = Corpus()
PASSAGE_LINKS = ["actors", "regions", "themes", "periods", "events"]
EVENT_LINKS = ["actors", "regions", "themes", "periods", "passages"]
_unique = itertools.count(1)


def test_passages_embed_their_links(client: TestClient) -> None:
    items = fetch_all(client, "/api/v1/passages", {"include": ",".join(PASSAGE_LINKS)})
    assert len(items) == len(CORPUS.passages)
    for item in items:
        curated = CORPUS.passages[item["source"]["line"]]
        for kind in PASSAGE_LINKS:
            slugs = [linked["slug"] for linked in item[kind]]
            assert slugs == sorted(curated.get(kind, [])), (item["id"], kind)


def test_events_embed_their_links(client: TestClient) -> None:
    lines = passage_lines_by_id(client)
    items = fetch_all(client, "/api/v1/events", {"include": EVENT_LINKS})
    events = CORPUS.entries("events")
    for item in items:
        for kind in EVENT_LINKS[:-1]:
            slugs = [linked["slug"] for linked in item[kind]]
            assert slugs == sorted(events[item["slug"]].get(kind, [])), (item["slug"], kind)
        embedded = [lines[p["id"]] for p in item["passages"]]
        assert embedded == CORPUS.lines_linking("events", item["slug"])


def test_links_absent_unless_included(client: TestClient) -> None:
    item = client.get("/api/v1/passages", params={"limit": 1, "include": "themes"}).json()
    assert "themes" in item["items"][0]
    assert not {"actors", "regions", "periods", "events"} & set(item["items"][0])
    plain = client.get("/api/v1/events", params={"limit": 1}).json()["items"][0]
    assert not set(EVENT_LINKS) & set(plain)


def test_comma_separated_or_repeated(client: TestClient) -> None:
    one = client.get("/api/v1/passages", params={"include": "actors,themes"}).json()
    other = client.get("/api/v1/passages", params={"include": ["actors", "themes"]}).json()
    assert one["items"] == other["items"]


@pytest.mark.parametrize("path", ["/api/v1/passages", "/api/v1/events"])
def test_unknown_link_is_422(client: TestClient, path: str) -> None:
    assert_problem(client.get(path, params={"include": "weather"}), 422, "include")


@pytest.fixture
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def count(client: TestClient, statements: list[str], path: str) -> int:
    accept = f"application/json, */*;q=0.{next(_unique) % 1000:03d}"  # dodge the cache
    statements.clear()
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    return len(statements)


@pytest.mark.parametrize(
    ("few", "many"),
    [
        (
            "/api/v1/passages?limit=2&include=" + ",".join(PASSAGE_LINKS),
            "/api/v1/passages?limit=15&include=" + ",".join(PASSAGE_LINKS),
        ),
        (
            "/api/v1/events?limit=2&include=" + ",".join(EVENT_LINKS),
            "/api/v1/events?limit=10&include=" + ",".join(EVENT_LINKS),
        ),
        (
            "/api/v1/passages?limit=2&facets=theme,era,region,actor",
            "/api/v1/passages?limit=15&facets=theme,era,region,actor",
        ),
    ],
)
def test_statements_do_not_grow_with_the_page(
    client: TestClient, statements: list[str], few: str, many: str
) -> None:
    # A last page may skip the count (its items are the total), so fewer is allowed.
    assert count(client, statements, many) <= count(client, statements, few)
