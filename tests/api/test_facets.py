"""`facets=` on the passage and event lists: counts for the current filters, from the curated
annotations, and a per-decade histogram in date order."""

from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.analysis.dates import edtf_span
from tests.helpers import assert_problem, query
from tests.oracle import Corpus

CORPUS = Corpus()
FILTERS: list[dict[str, Any]] = [
    {},
    {"era": ["guerra-fria"]},
    {"theme": ["seguridad-colectiva"]},
    {"region": ["tercer-mundo"], "era": ["guerra-fria"]},
    {"year_from": 1930, "year_to": 1945},
]
LINKED = {"theme": "themes", "era": "periods", "region": "regions", "actor": "actors"}


def expected_counts(items: list[dict[str, Any]], facet: str) -> dict[str, int]:
    """Per value, how many of `items` link to it (eras and regions: or to one inside it)."""
    kind = LINKED[facet]
    counts: Counter[str] = Counter()
    for slug in CORPUS.entries(kind):
        inside = CORPUS.descendants(kind, [slug]) if kind in ("periods", "regions") else {slug}
        counts[slug] = sum(1 for item in items if inside & set(item.get(kind, [])))
    return {slug: n for slug, n in counts.items() if n}


def expected_decades(spans: list[tuple[int, int]]) -> list[dict[str, Any]]:
    counts: Counter[int] = Counter()
    for start, end in spans:
        for decade in range(start // 10 * 10, end // 10 * 10 + 1, 10):
            counts[decade] += 1
    if not counts:
        return []
    return [
        {"decade": d, "label": f"{d}s", "count": counts[d]}
        for d in range(min(counts), max(counts) + 1, 10)
    ]


def facets_of(client: TestClient, path: str, params: dict[str, Any]) -> dict[str, Any]:
    response = client.get(path, params={**query(params), "facets": "theme,era,region,actor"})
    assert response.status_code == 200, response.text
    facets: dict[str, Any] = response.json()["facets"]
    return facets


@pytest.mark.parametrize("params", FILTERS, ids=str)
def test_passage_facets(client: TestClient, params: dict[str, Any]) -> None:
    lines = CORPUS.passage_lines(**params)
    items = [CORPUS.passages[line] for line in lines]
    facets = facets_of(client, "/api/v1/passages", params)
    for facet in LINKED:
        got = {value["slug"]: value["count"] for value in facets[facet]}
        assert got == expected_counts(items, facet), facet
        counts = [(-value["count"], value["slug"]) for value in facets[facet]]
        assert counts == sorted(counts), "largest first"
    dated = [(p["start_year"], p["end_year"]) for p in items if "start_year" in p]
    assert facets["decades"] == expected_decades(dated)
    assert facets["undated"] == len(items) - len(dated)


@pytest.mark.parametrize("params", FILTERS, ids=str)
def test_event_facets(client: TestClient, params: dict[str, Any]) -> None:
    events = CORPUS.entries("events")
    items = [events[slug] for slug in CORPUS.event_slugs(**params)]
    facets = facets_of(client, "/api/v1/events", params)
    for facet in LINKED:
        got = {value["slug"]: value["count"] for value in facets[facet]}
        assert got == expected_counts(items, facet), facet
    spans = [edtf_span(e["date"]) for e in items]
    assert facets["decades"] == expected_decades([(s.year, e.year) for s, e in spans])
    assert facets["undated"] == 0


def test_cold_war_counts_its_phases(client: TestClient) -> None:
    facets = facets_of(client, "/api/v1/passages", {})
    era = {value["slug"]: value["count"] for value in facets["era"]}
    # Line 10 is linked to the Cold War and to détente, line 15 only to the Gorbachev era.
    assert era["guerra-fria"] == len(CORPUS.passage_lines(era=["guerra-fria"]))
    assert era["guerra-fria"] > era["distension"]


def test_decades_are_in_date_order_with_gaps_filled(client: TestClient) -> None:
    decades = facets_of(client, "/api/v1/events", {})["decades"]
    years = [d["decade"] for d in decades]
    assert years == list(range(years[0], years[-1] + 10, 10))
    assert years[0] == 1910
    assert years[-1] == 1990


def test_only_the_asked_facets_and_the_page_unchanged(client: TestClient) -> None:
    plain = client.get("/api/v1/passages", params={"limit": 3}).json()
    assert "facets" not in plain
    faceted = client.get("/api/v1/passages", params={"limit": 3, "facets": "theme"}).json()
    assert set(faceted["facets"]) == {"theme", "decades", "undated"}
    assert faceted["items"] == plain["items"]
    assert faceted["total"] == plain["total"]


def test_labels_follow_the_language(client: TestClient) -> None:
    facets = client.get("/api/v1/events", params={"facets": "era", "lang": "en"}).json()["facets"]
    periods = CORPUS.entries("periods")
    assert {v["label"] for v in facets["era"]} <= {p["name_en"] for p in periods.values()}


def test_unknown_facet_is_422(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/passages", params={"facets": "colour"}), 422, "facets")
