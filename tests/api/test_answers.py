"""Read handlers serialize their answer themselves (`app.api.render.shapes.json_answer`)
rather than hand FastAPI a model to validate again: every such answer must be, byte for byte,
what FastAPI makes of the same data under the route's `response_model`, before and after
writes of every kind."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.api import api_router
from tests.keys import bearer, make_key
from tests.paths import path

ROUTES: dict[str, Any] = {
    context.name: context
    for included in api_router.routes
    for context in included.effective_route_contexts()  # type: ignore[attr-defined]
}


def questions(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    """(route name, path, query) for every read route that answers a model, on real data."""
    passages = client.get(path("list_passages"), params={"limit": 100}).json()["items"]
    asked: list[tuple[str, str, dict[str, Any]]] = [
        ("list_passages", path("list_passages"), {}),
        ("list_passages", path("list_passages"), {"era": "guerra-fria", "limit": 2}),
        ("list_passages", path("list_passages"), {"include": "actors,themes", "q": "la"}),
        ("list_passages", path("list_passages"), {"facets": "theme,era,region,actor"}),
        ("list_events", path("list_events"), {"facets": "theme,era", "limit": 3}),
        ("get_timeline", path("get_timeline"), {}),
        ("get_timeline", path("get_timeline"), {"format": "timelinejs", "group": "theme"}),
        ("get_graph", path("get_graph"), {}),
        ("get_graph", path("get_graph"), {"format": "cytoscape", "era": "guerra-fria"}),
        ("search", path("search"), {"q": "pacto"}),
    ]
    asked += [("get_passage", path("get_passage", passage_id=p["id"]), {}) for p in passages]
    for kind, singular in [
        ("actors", "actor"),
        ("events", "event"),
        ("periods", "period"),
        ("regions", "region"),
        ("themes", "theme"),
    ]:
        listed = client.get(path(f"list_{kind}"), params={"limit": 100}).json()["items"]
        asked.append((f"list_{kind}", path(f"list_{kind}"), {"limit": 5}))
        asked += [(f"get_{singular}", path(f"get_{singular}", slug=e["slug"]), {}) for e in listed]
    return asked


def assert_answers_as_fastapi_would(client: TestClient) -> None:
    for name, url, query in questions(client):
        adapter = TypeAdapter(ROUTES[name].response_model)
        for language in ("es", "en"):
            response = client.get(url, params={**query, "lang": language})
            assert response.status_code == 200, (url, response.text)
            value = adapter.validate_json(response.content)
            assert adapter.dump_json(value, by_alias=True) == response.content, (url, language)


def test_answers_are_what_the_response_model_makes_of_them(client: TestClient) -> None:
    assert_answers_as_fastapi_would(client)


@pytest.mark.parametrize("write", ["post", "patch", "delete"])
def test_and_after_each_kind_of_write(
    writable_client: TestClient, writable_url: str, write: str
) -> None:
    key = bearer(make_key(writable_url, "write"))
    client = writable_client
    if write == "post":
        body = {"text": "En 1975 la Unión Soviética firmó el Acta Final de Helsinki."}
        assert client.post(path("create_passage"), json=body, headers=key).status_code == 201
    elif write == "patch":
        url = path("get_actor", slug="kgb")
        tag = client.get(url).headers["etag"]
        patch = {"name_en": "Committee for State Security"}
        response = client.patch(url, json=patch, headers={**key, "If-Match": tag})
        assert response.status_code == 200, response.text
    else:
        first = client.get(path("list_passages")).json()["items"][0]["id"]
        url = path("get_passage", passage_id=first)
        tag = client.get(url).headers["etag"]
        response = client.delete(url, headers={**key, "If-Match": tag})
        assert response.status_code == 204, response.text
    assert_answers_as_fastapi_would(client)
