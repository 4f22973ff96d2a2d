"""The number of SQL statements behind a response does not grow with what it returns (no N+1)."""

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from tests.helpers import passage_lines_by_id

_unique = itertools.count(1)


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs while the test runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def count(client: TestClient, statements: list[str], path: str) -> int:
    """Statements run to answer `path` afresh.

    A unique `Accept` header (still asking for JSON) keeps the response out of any
    response cache, so the app really queries the database.
    """
    accept = f"application/json, */*;q=0.{next(_unique) % 1000:03d}"
    statements.clear()
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.json()
    ran = len(statements)
    assert ran > 0, f"{path} ran no SQL: was it served from a cache?"
    return ran


# (few, many): the same call returning a short and a long answer.
PAIRS = [
    ("/api/v1/passages?limit=2", "/api/v1/passages?limit=15"),
    ("/api/v1/actors?limit=2", "/api/v1/actors?limit=15"),
    ("/api/v1/events?limit=2", "/api/v1/events?limit=10"),
    ("/api/v1/periods?limit=2", "/api/v1/periods?limit=10"),
    ("/api/v1/regions?limit=2", "/api/v1/regions?limit=14"),
    ("/api/v1/themes?limit=2", "/api/v1/themes?limit=16"),
    ("/api/v1/passages?limit=2&era=distension", "/api/v1/passages?limit=15&era=guerra-fria"),
    ("/api/v1/timeline?from=1991", "/api/v1/timeline?from=1900"),
    ("/api/v1/actors/kgb", "/api/v1/actors/union-sovietica"),
    ("/api/v1/events/creacion-del-kgb", "/api/v1/events/pacto-ribbentrop-molotov"),
    ("/api/v1/periods/distension", "/api/v1/periods/guerra-fria"),
    ("/api/v1/regions/oceano-indico", "/api/v1/regions/tercer-mundo"),
    ("/api/v1/themes/bipolaridad", "/api/v1/themes/seguridad-colectiva"),
]


class TestStatementCounts:
    @pytest.mark.parametrize(("few", "many"), PAIRS)
    def test_does_not_grow_with_the_answer(
        self, client: TestClient, statements: list[str], few: str, many: str
    ) -> None:
        # A last page may skip the count (its items are the total), so fewer is allowed.
        assert count(client, statements, many) <= count(client, statements, few)

    def test_sizes_really_differ(self, client: TestClient) -> None:
        small = client.get("/api/v1/actors/kgb").json()
        large = client.get("/api/v1/actors/union-sovietica").json()
        assert len(small["passages"]) < len(large["passages"])
        assert len(small["events"]) < len(large["events"])

    def test_passage_detail(self, client: TestClient, statements: list[str]) -> None:
        id_of = {line: id_ for id_, line in passage_lines_by_id(client).items()}
        # Line 10 has three links; line 7 has sixteen.
        few = count(client, statements, f"/api/v1/passages/{id_of[10]}")
        assert few == count(client, statements, f"/api/v1/passages/{id_of[7]}")
