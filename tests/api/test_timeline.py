from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem, query, slugs
from tests.oracle import Corpus
from tests.paths import path

CORPUS = Corpus()
PATH = path("get_timeline")

# (filters, whether they narrow the periods too: only `era`, `from` and `to` do).
FILTERS: list[dict[str, Any]] = [
    {},
    {"era": ["guerra-fria"]},
    {"era": ["periodo-de-entreguerras"]},
    {"era": ["primera-guerra-mundial", "distension"]},
    {"year_from": 1939, "year_to": 1939},
    {"year_from": 1950},
    {"year_to": 1925},
    {"era": ["periodo-sovietico"], "year_from": 1930, "year_to": 1945},
    {"theme": ["seguridad-colectiva"]},
    {"actor": ["union-sovietica"], "year_from": 1985},
    {"region": ["europa"], "era": ["periodo-de-entreguerras"]},
]


def timeline(client: TestClient, params: dict[str, Any]) -> dict[str, Any]:
    response = client.get(PATH, params=query(params))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestTimeline:
    def test_everything_in_chronological_order(self, client: TestClient) -> None:
        body = timeline(client, {})
        assert slugs(body["periods"]) == CORPUS.period_slugs()
        assert slugs(body["events"]) == CORPUS.chronological(CORPUS.entries("events"))
        starts = [event["start_date"] for event in body["events"]]
        assert starts == sorted(starts)
        years = [(p["start_year"], p["end_year"]) for p in body["periods"]]
        assert years == sorted(years)

    @pytest.mark.parametrize("params", FILTERS, ids=str)
    def test_filters_narrow_periods_and_events(
        self, client: TestClient, params: dict[str, Any]
    ) -> None:
        body = timeline(client, params)
        period_filters = {k: v for k, v in params.items() if k in ("era", "year_from", "year_to")}
        assert slugs(body["periods"]) == CORPUS.period_slugs(**period_filters)
        assert slugs(body["events"]) == CORPUS.chronological(CORPUS.event_slugs(**params))

    def test_contains_the_pact_and_the_succession(self, client: TestClient) -> None:
        events = {event["slug"]: event for event in timeline(client, {})["events"]}
        pact = events["pacto-ribbentrop-molotov"]
        assert (pact["date"], pact["start_date"], pact["end_date"]) == ("1939-08-23",) * 3
        succession = events["gorbachov-sucede-a-chernenko"]
        assert succession["start_date"] == succession["end_date"] == "1985-03-11"
        order = list(events)
        assert order.index("pacto-ribbentrop-molotov") < order.index("gorbachov-sucede-a-chernenko")

    def test_1939(self, client: TestClient) -> None:
        body = timeline(client, {"year_from": 1939, "year_to": 1939})
        assert "pacto-ribbentrop-molotov" in slugs(body["events"])
        assert "gorbachov-sucede-a-chernenko" not in slugs(body["events"])
        assert "segunda-guerra-mundial" in slugs(body["periods"])
        assert "guerra-fria" not in slugs(body["periods"])

    def test_theme_leaves_periods_alone(self, client: TestClient) -> None:
        body = timeline(client, {"theme": ["espionaje"]})
        assert slugs(body["events"]) == ["creacion-del-kgb"]
        assert slugs(body["periods"]) == CORPUS.period_slugs()

    def test_periods_carry_their_parent(self, client: TestClient) -> None:
        periods = CORPUS.entries("periods")
        for item in timeline(client, {})["periods"]:
            parent = item["parent"]["slug"] if item["parent"] else None
            assert parent == periods[item["slug"]].get("parent")

    @pytest.mark.parametrize(
        ("params", "name"),
        [
            ({"era": "deshielo"}, "era"),
            ({"theme": "glasnost"}, "theme"),
            ({"from": 1945, "to": 1939}, "to"),
            ({"limit": 5}, "limit"),
            ({"cursor": "WzFd"}, "cursor"),
        ],
    )
    def test_bad_filters_are_422(
        self, client: TestClient, params: dict[str, Any], name: str
    ) -> None:
        assert_problem(client.get(PATH, params=params), 422, name=name)
