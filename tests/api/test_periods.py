from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem, fetch_all, passage_lines_by_id, slugs
from tests.oracle import Corpus
from tests.paths import path

CORPUS = Corpus()
PERIODS = CORPUS.entries("periods")
PATH = path("list_periods")


def period_slugs(client: TestClient, params: dict[str, Any]) -> list[str]:
    return slugs(fetch_all(client, PATH, params))


class TestListPeriods:
    def test_unfiltered_in_chronological_order(self, client: TestClient) -> None:
        assert period_slugs(client, {}) == CORPUS.period_slugs()
        # The First World War (1914) comes before the Soviet period (1917) it overlaps.
        assert period_slugs(client, {})[:2] == ["primera-guerra-mundial", "periodo-sovietico"]

    def test_items_carry_years_and_parent(self, client: TestClient) -> None:
        for item in fetch_all(client, PATH, {}):
            curated = PERIODS[item["slug"]]
            assert (item["start_year"], item["end_year"]) == (
                curated["start_year"],
                curated["end_year"],
            )
            parent = item["parent"]["slug"] if item["parent"] else None
            assert parent == curated.get("parent")
            assert item["aliases"] == curated.get("aliases", [])

    @pytest.mark.parametrize("year", [1914, 1918, 1928, 1939, 1946, 1962, 1985, 1991, 1992])
    def test_year_keeps_periods_that_include_it(self, client: TestClient, year: int) -> None:
        assert period_slugs(client, {"year": year}) == CORPUS.period_slugs(year=year)

    def test_year_1939(self, client: TestClient) -> None:
        assert period_slugs(client, {"year": 1939}) == [
            "periodo-sovietico",
            "periodo-de-entreguerras",
            "etapa-del-frente-popular",
            "segunda-guerra-mundial",
        ]

    def test_year_outside_every_period(self, client: TestClient) -> None:
        assert period_slugs(client, {"year": 1800}) == []

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"q": "Cold War"}, ["guerra-fria"]),
            ({"q": "détente"}, ["distension"]),
            ({"q": "DETENTE"}, ["distension"]),
            ({"q": "perestroika"}, ["etapa-de-gorbachov"]),
            ({"q": "entreguerras"}, ["periodo-de-entreguerras"]),
            (
                {"q": "guerra"},
                ["primera-guerra-mundial", "periodo-de-entreguerras", "segunda-guerra-mundial"]
                + ["guerra-fria"],
            ),
            ({"q": "guerra mundial"}, ["primera-guerra-mundial", "segunda-guerra-mundial"]),
            ({"q": "guerra", "year": 1939}, ["periodo-de-entreguerras", "segunda-guerra-mundial"]),
            ({"q": "thaw"}, []),
        ],
    )
    def test_text_search(
        self, client: TestClient, params: dict[str, Any], expected: list[str]
    ) -> None:
        assert period_slugs(client, params) == expected


class TestGetPeriod:
    @pytest.mark.parametrize("slug", sorted(PERIODS))
    def test_parent_children_and_links(self, client: TestClient, slug: str) -> None:
        response = client.get(f"{PATH}/{slug}")
        assert response.status_code == 200, response.text
        body = response.json()
        curated = PERIODS[slug]
        parent = body["parent"]["slug"] if body["parent"] else None
        assert parent == curated.get("parent")
        children = CORPUS.children("periods", slug)
        assert slugs(body["children"]) == [s for s in CORPUS.period_slugs() if s in children]
        line_of = passage_lines_by_id(client)
        assert [line_of[p["id"]] for p in body["passages"]] == CORPUS.lines_linking("periods", slug)
        assert slugs(body["events"]) == CORPUS.events_linking("periods", slug)

    def test_interwar_phases(self, client: TestClient) -> None:
        body = client.get(f"{PATH}/periodo-de-entreguerras").json()
        assert body["parent"]["slug"] == "periodo-sovietico"
        assert [(c["slug"], c["start_year"], c["end_year"]) for c in body["children"]] == [
            ("frente-unico", 1921, 1928),
            ("tercer-periodo", 1928, 1935),
            ("etapa-del-frente-popular", 1935, 1939),
        ]

    def test_cold_war_phases(self, client: TestClient) -> None:
        body = client.get(f"{PATH}/guerra-fria").json()
        assert (body["start_year"], body["end_year"]) == (1947, 1991)
        assert slugs(body["children"]) == ["distension", "etapa-de-gorbachov"]

    def test_unknown_slug_is_404(self, client: TestClient) -> None:
        body = assert_problem(client.get(f"{PATH}/deshielo"), 404)
        assert "deshielo" in body["detail"]

    def test_malformed_slug_is_422(self, client: TestClient) -> None:
        assert_problem(client.get(f"{PATH}/Guerra Fría"), 422, name="slug")
