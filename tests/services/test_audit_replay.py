"""The audit log records every row a write changes, cascades included: replayed in order into
an empty database by a client that only applies each row's `after` (and never cascades),
it rebuilds the same data as the database that was written."""

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.databases import migrate, throwaway_database
from tests.keys import bearer, make_key

KINDS = ("actors", "events", "periods", "regions", "themes")
LINK_KINDS = ("events", "actors", "periods", "regions", "themes")
WRITES = 60


class Api:
    """An app on its own empty database, with an admin key."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client, self.headers = client, bearer(key)

    def send(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        headers = dict(self.headers)
        if method in ("PUT", "PATCH", "DELETE"):
            headers["If-Match"] = self.client.get(path, headers=self.headers).headers["etag"]
        return self.client.request(method, path, json=body, params=params, headers=headers)

    def audit(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page: dict[str, Any] = {"next": "/api/v1/audit?limit=100"}
        while page["next"]:
            page = self.client.get(page["next"], headers=self.headers).json()
            rows += page["items"]
        return rows

    def slugs(self, kind: str) -> list[str]:
        page = self.client.get(f"/api/v1/{kind}", params={"limit": 100}).json()
        return [item["slug"] for item in page["items"]]

    def passage_ids(self) -> list[int]:
        page = self.client.get("/api/v1/passages", params={"limit": 100}).json()
        return sorted(item["id"] for item in page["items"])


@pytest.fixture
def apis(backend: str, tmp_path: Path) -> Iterator[tuple[Api, Api]]:
    with (
        throwaway_database(backend, tmp_path) as written,
        throwaway_database(backend, tmp_path) as replayed,
    ):
        found = []
        for url in (written, replayed):
            migrate(url)
            found.append((url, make_key(url, "admin")))
        with (
            TestClient(create_app(Settings(database_url=found[0][0]))) as first,
            TestClient(create_app(Settings(database_url=found[1][0]))) as second,
        ):
            yield Api(first, found[0][1]), Api(second, found[1][1])


def _entity_body(kind: str, rng: random.Random, api: Api, n: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"{kind[:-1].capitalize()} número {n}",
        "aliases": [f"alias {n}"],
    }
    if kind == "actors":
        body |= {"kind": rng.choice(["person", "state"]), "start_year": 1900 + n}
    elif kind == "periods":
        body |= {"start_year": 1917 + n, "end_year": 1930 + n}
        body["parent"] = rng.choice([None, *api.slugs("periods")])
    elif kind == "regions":
        body |= {"kind": "country", "parent": rng.choice([None, *api.slugs("regions")])}
    elif kind == "events":
        body["date"] = f"{1920 + n}-05"
        for linked in ("actors", "periods", "regions", "themes"):
            body[linked] = rng.sample(api.slugs(linked), min(2, len(api.slugs(linked))))
    return body


def _passage_body(rng: random.Random, api: Api, n: int) -> dict[str, Any]:
    names = [s.replace("-", " ") for kind in KINDS for s in api.slugs(kind)]
    text = f"Pasaje {n} sobre " + ", ".join(rng.sample(names, min(3, len(names)))) + "."
    if rng.random() < 0.5:
        return {"text": text}  # auto-linked
    links = {kind: rng.sample(api.slugs(kind), min(2, len(api.slugs(kind)))) for kind in KINDS}
    return {"text": text, "links": links}


def random_write(api: Api, rng: random.Random, n: int) -> None:
    """One write of a random kind; refusals (409, 422) are part of the mix."""
    kind = rng.choice(KINDS)
    existing = api.slugs(kind)
    choice = rng.random()
    if choice < 0.35 or not existing:
        api.send("POST", f"/api/v1/{kind}", _entity_body(kind, rng, api, n))
    elif choice < 0.55:
        api.send("POST", "/api/v1/passages", _passage_body(rng, api, n))
    elif choice < 0.7:
        slug = rng.choice(existing)
        api.send("PATCH", f"/api/v1/{kind}/{slug}", {"aliases": [f"otro {n}"], "name_en": f"N {n}"})
    elif choice < 0.8:
        api.send("POST", f"/api/v1/{kind}/{rng.choice(existing)}/relink")
    elif choice < 0.9:
        api.send("DELETE", f"/api/v1/{kind}/{rng.choice(existing)}", cascade="links")
    elif api.passage_ids():
        passage_id = rng.choice(api.passage_ids())
        if rng.random() < 0.5:
            api.send("DELETE", f"/api/v1/passages/{passage_id}")
        else:
            api.send("PATCH", f"/api/v1/passages/{passage_id}", {"links": None})


def replay(rows: list[dict[str, Any]], api: Api) -> None:
    """Apply each row's `after` in order: a create is a POST, an update a PUT of the
    resource found by its slug (or passage id) before, a delete a DELETE without cascade."""
    ids: dict[str, int] = {}
    for row in rows:
        kind, action, before, after = row["resource"], row["action"], row["before"], row["after"]
        if action == "relink":
            continue  # a summary: the passages it linked have rows of their own
        if kind == "passages":
            where = f"/api/v1/passages/{ids.get(row['identifier'])}"
        else:
            where = f"/api/v1/{kind}/{(before or after)['slug']}"
        if action == "create":
            response = api.send("POST", f"/api/v1/{kind}", after)
            if kind == "passages":
                ids[row["identifier"]] = response.json()["id"]
        elif action == "update":
            response = api.send("PUT", where, after)
        else:
            response = api.send("DELETE", where)
        assert response.status_code < 300, (row, response.text)


def snapshot(api: Api) -> dict[str, Any]:
    """Every entity's detail and every passage's, less what a database assigns (ids)."""
    found: dict[str, Any] = {}
    for kind in KINDS:
        for slug in api.slugs(kind):
            found[f"{kind}/{slug}"] = _without_ids(api.client.get(f"/api/v1/{kind}/{slug}").json())
    for n, passage_id in enumerate(api.passage_ids()):
        found[f"passage {n}"] = _without_ids(
            api.client.get(f"/api/v1/passages/{passage_id}").json()
        )
    return found


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in ("id", "url", "links")}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


@pytest.mark.parametrize("seed", [1, 2])
def test_replaying_the_audit_log_rebuilds_the_data(apis: tuple[Api, Api], seed: int) -> None:
    written, replayed = apis
    rng = random.Random(seed)
    for n in range(WRITES):
        random_write(written, rng, n)
    rows = written.audit()
    assert {row["action"] for row in rows} >= {"create", "update", "delete"}
    replay(rows, replayed)
    assert snapshot(replayed) == snapshot(written)
