"""Small helpers for API tests."""

from typing import Any

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
