"""Small helpers for API tests."""

from typing import Any

import httpx
from fastapi.testclient import TestClient

QueryValue = str | int | list[str]


def query(params: dict[str, Any]) -> dict[str, QueryValue]:
    """Oracle keyword names to the API's parameter names (`year_from` is `from`)."""
    names = {"year_from": "from", "year_to": "to"}
    return {names.get(key, key): value for key, value in params.items()}


def fetch_all(client: TestClient, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a list, following `next` links page by page."""
    items: list[dict[str, Any]] = []
    response = client.get(path, params={**params, "limit": 7})
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if body["next"] is None:
            assert len(items) == body["total"]
            return items
        response = client.get(body["next"])


PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


def assert_problem(
    response: httpx.Response, status: int, name: str | None = None
) -> dict[str, Any]:
    """`response` is an RFC 9457 problem of `status`; for 422, one invalid param is `name`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_FIELDS, body
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    if name is not None:
        names = [param["name"] for param in body["invalid_params"]]
        assert name in names, body
    return body


def passage_lines_by_id(client: TestClient) -> dict[int, int]:
    """Passage id -> source line, to compare embedded passage summaries with the seed."""
    return {p["id"]: p["source"]["line"] for p in fetch_all(client, "/api/v1/passages", {})}


def slugs(items: list[dict[str, Any]]) -> list[str]:
    return [item["slug"] for item in items]
