"""The passage list's two plans and its bounded total (`app.repositories.base.paginate`).

On the seed every list fits in one scan window, so these tests shrink the window and the
count limit: whichever plan answers a page, and however far the total is counted, walking
the pages must give the same passages in the same order, and `total` must be the number of
matches up to the limit and a flagged lower bound beyond it.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.config import Settings
from app.main import create_app
from app.repositories import base

SETTINGS = settings(max_examples=60)
COUNT_LIMIT = 4


@pytest.fixture(scope="module")
def uncached(seeded_url: str) -> Iterator[TestClient]:
    """The seeded app without its response cache, so each request runs the plans anew."""
    app = create_app(Settings(database_url=seeded_url, response_cache_bytes=0))
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def slugs(uncached: TestClient) -> dict[str, list[str]]:
    found = {}
    for parameter, resource in [
        ("era", "periods"),
        ("theme", "themes"),
        ("actor", "actors"),
        ("region", "regions"),
    ]:
        page = uncached.get(f"/api/v1/{resource}", params={"limit": 100}).json()
        found[parameter] = [item["slug"] for item in page["items"]]
    return found


def walk(client: TestClient, params: dict[str, Any]) -> tuple[list[int], list[dict[str, Any]]]:
    """Every passage id, following `next`, and every page body."""
    ids: list[int] = []
    pages = []
    response = client.get("/api/v1/passages", params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        ids += [item["id"] for item in body["items"]]
        if body["next"] is None:
            return ids, pages
        response = client.get(body["next"])


@st.composite
def filters(draw: st.DrawFn, slugs: dict[str, list[str]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for parameter, values in slugs.items():
        chosen = draw(st.lists(st.sampled_from(values), max_size=2, unique=True))
        if chosen:
            params[parameter] = chosen
    if draw(st.booleans()):
        params["from"] = draw(st.integers(1900, 1990))
    if draw(st.booleans()):
        params["to"] = draw(st.integers(params.get("from", 1900), 1995))
    if draw(st.booleans()):
        words = ["sovietica", "GUERRA", "la", "tercer mundo", "zz", "Litvínov", "100%", "a_b"]
        params["q"] = draw(st.sampled_from(words))
    return params


# A link walk limit of 1 counts every total along the list; the default, by the smallest
# link set of a filter that has one.
@pytest.mark.parametrize(("window", "link_walk"), [(1, 1), (3, 1), (1, base.LINK_WALK_LIMIT)])
def test_every_plan_walks_the_same_pages(
    uncached: TestClient,
    slugs: dict[str, list[str]],
    window: int,
    link_walk: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(base, "LINK_WALK_LIMIT", link_walk)

    @SETTINGS
    @given(params=filters(slugs), limit=st.sampled_from([1, 2, 5]))
    def check(params: dict[str, Any], limit: int) -> None:
        # The reference: one plain page holding every match, counted exactly.
        monkeypatch.setattr(base, "PAGE_WINDOW", 10_000)
        monkeypatch.setattr(base, "COUNT_LIMIT", 10_000)
        everything = uncached.get("/api/v1/passages", params={**params, "limit": 100}).json()
        expected = [item["id"] for item in everything["items"]]
        assert everything["total"] == len(expected)

        monkeypatch.setattr(base, "PAGE_WINDOW", window)
        monkeypatch.setattr(base, "COUNT_LIMIT", COUNT_LIMIT)
        ids, pages = walk(uncached, {**params, "limit": limit})
        assert ids == expected
        if len(pages) == 1:
            # A first page that is also the last holds every match: its total is exact.
            assert (pages[0]["total"], pages[0]["total_exact"]) == (len(expected), True)
        else:
            for page in pages:
                assert page["total"] == min(len(expected), COUNT_LIMIT)
                assert page["total_exact"] is (len(expected) <= COUNT_LIMIT)
        exact, _ = walk(uncached, {**params, "limit": limit, "count": "exact"})
        assert exact == expected
        counted = uncached.get("/api/v1/passages", params={**params, "count": "exact"}).json()
        assert (counted["total"], counted["total_exact"]) == (len(expected), True)

    check()


def test_a_broad_filter_is_counted_to_the_limit_and_flagged(
    uncached: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "PAGE_WINDOW", 3)
    monkeypatch.setattr(base, "COUNT_LIMIT", COUNT_LIMIT)
    page = uncached.get("/api/v1/passages", params={"era": "periodo-sovietico", "limit": 2})
    body = page.json()
    assert (body["total"], body["total_exact"]) == (COUNT_LIMIT, False)
    exact = uncached.get(
        "/api/v1/passages", params={"era": "periodo-sovietico", "limit": 2, "count": "exact"}
    ).json()
    assert exact["total"] > COUNT_LIMIT
    assert exact["total_exact"] is True
    assert [i["id"] for i in exact["items"]] == [i["id"] for i in body["items"]]


def test_count_takes_only_its_two_values(uncached: TestClient) -> None:
    response = uncached.get("/api/v1/passages", params={"count": "planned"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [p["name"] for p in response.json()["invalid_params"]] == ["count"]


@pytest.mark.parametrize("resource", ["actors", "periods", "regions", "themes", "events"])
def test_details_embed_the_same_links_whichever_plan(
    uncached: TestClient, resource: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = uncached.get(f"/api/v1/{resource}", params={"limit": 100}).json()["items"]
    assert listed
    for item in listed:
        url = f"/api/v1/{resource}/{item['slug']}"
        monkeypatch.setattr(base, "PAGE_WINDOW", 10_000)
        walked = uncached.get(url).json()
        monkeypatch.setattr(base, "PAGE_WINDOW", 1)
        gathered = uncached.get(url).json()
        assert gathered == walked
        assert walked["passages_total"] == len(walked["passages"])


def test_a_detail_embeds_the_first_links_in_order(
    uncached: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "EMBED_LIMIT", 2)
    monkeypatch.setattr(base, "PAGE_WINDOW", 1)
    everything = walk(uncached, {"actor": "union-sovietica", "limit": 100})[0]
    assert len(everything) > 2
    detail = uncached.get("/api/v1/actors/union-sovietica").json()
    assert [p["id"] for p in detail["passages"]] == everything[:2]
    assert detail["passages_total"] == len(everything)
