import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.analysis.dates import edtf_span
from tests.helpers import assert_problem, fetch_all, passage_lines_by_id, query, slugs
from tests.oracle import Corpus
from tests.paths import path

CORPUS = Corpus()
EVENTS = CORPUS.entries("events")
PATH = path("list_events")

COMBINATIONS: list[dict[str, Any]] = [
    {"era": ["guerra-fria"]},
    {"era": ["periodo-sovietico"]},
    {"era": ["periodo-de-entreguerras"]},
    {"era": ["primera-guerra-mundial", "etapa-de-gorbachov"]},
    {"theme": ["seguridad-colectiva"]},
    {"theme": ["espionaje", "frente-popular"]},
    {"actor": ["union-sovietica"]},
    {"actor": ["maksim-litvinov", "komintern"]},
    {"region": ["europa"]},
    {"region": ["tercer-mundo"]},
    {"year_from": 1939, "year_to": 1939},
    {"year_from": 1950},
    {"year_to": 1930},
    {"year_from": 1935, "year_to": 1935},
    {"era": ["periodo-de-entreguerras"], "theme": ["seguridad-colectiva"]},
    {"actor": ["union-sovietica"], "region": ["union-sovietica"]},
    {"actor": ["union-sovietica"], "year_from": 1930, "year_to": 1939},
    {"era": ["guerra-fria"], "actor": ["kgb"], "theme": ["espionaje"]},
]


def event_slugs(client: TestClient, params: dict[str, Any]) -> list[str]:
    return slugs(fetch_all(client, PATH, query(params)))


class TestListEvents:
    def test_unfiltered_in_chronological_order(self, client: TestClient) -> None:
        assert event_slugs(client, {}) == CORPUS.chronological(EVENTS)

    def test_start_dates_never_go_backwards(self, client: TestClient) -> None:
        items = fetch_all(client, PATH, {})
        keys = [(item["start_date"], item["end_date"]) for item in items]
        assert keys == sorted(keys)
        assert len(items) == len(EVENTS)

    def test_dates_are_the_curated_edtf(self, client: TestClient) -> None:
        for item in fetch_all(client, PATH, {}):
            curated = EVENTS[item["slug"]]
            start, end = edtf_span(curated["date"])
            assert item["date"] == curated["date"]
            assert (item["start_date"], item["end_date"]) == (start.isoformat(), end.isoformat())
            assert (item["start_year"], item["end_year"]) == (start.year, end.year)
            assert item["name"] == curated["name"]
            assert item["aliases"] == curated.get("aliases", [])

    @pytest.mark.parametrize("params", COMBINATIONS, ids=str)
    def test_filter_combinations(self, client: TestClient, params: dict[str, Any]) -> None:
        expected = CORPUS.chronological(CORPUS.event_slugs(**params))
        assert expected, "a combination that matches nothing proves little"
        assert event_slugs(client, params) == expected

    @pytest.mark.parametrize(
        ("param", "kind"),
        [("era", "periods"), ("theme", "themes"), ("actor", "actors"), ("region", "regions")],
    )
    def test_every_slug_of_every_filter(self, client: TestClient, param: str, kind: str) -> None:
        for slug in CORPUS.entries(kind):
            params: dict[str, Any] = {param: [slug]}
            expected = CORPUS.chronological(CORPUS.event_slugs(**params))
            assert event_slugs(client, params) == expected, slug

    def test_era_includes_sub_periods(self, client: TestClient) -> None:
        whole = event_slugs(client, {"era": ["periodo-sovietico"]})
        # Linked to phases of the Soviet period only, never to the period itself.
        assert "pacto-ribbentrop-molotov" in whole
        assert "creacion-del-kgb" in whole
        assert "gorbachov-sucede-a-chernenko" in whole
        # Brest-Litovsk belongs to the First World War, which is not a Soviet phase.
        assert "tratado-de-brest-litovsk" not in whole

    def test_interval_events_overlap_years(self, client: TestClient) -> None:
        # Litvínov's term runs 1930-07/1939-05: it overlaps 1935 though it neither starts
        # nor ends then.
        assert "mandato-de-litvinov" in event_slugs(client, {"year_from": 1935, "year_to": 1935})
        assert "mandato-de-litvinov" not in event_slugs(client, {"year_from": 1940})

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("molotov", ["pacto-ribbentrop-molotov"]),
            ("MÓLOTOV", ["pacto-ribbentrop-molotov"]),
            ("Nazi-Soviet", ["pacto-ribbentrop-molotov"]),
            ("Nazi–Soviet", ["pacto-ribbentrop-molotov"]),
            ("Hitler-Stalin", ["pacto-ribbentrop-molotov"]),
            ("ribbentrop pact", ["pacto-ribbentrop-molotov"]),
            ("brest-litovsk", ["tratado-de-brest-litovsk"]),
            ("League of Nations", ["ingreso-de-la-urss-en-la-sociedad-de-naciones"]),
            ("kgb", ["creacion-del-kgb"]),
            ("Gorbachev", ["gorbachov-sucede-a-chernenko"]),
            ("litvinov", ["mandato-de-litvinov"]),
            ("comintern", ["vii-congreso-de-la-komintern"]),
            ("stalingrado", []),
            ("100%", []),
            # No name or alias contains "|": it must not match the separator between them.
            ("|", []),
        ],
    )
    def test_text_search_names_and_aliases(
        self, client: TestClient, q: str, expected: list[str]
    ) -> None:
        assert event_slugs(client, {"q": q}) == expected

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"q": "pacto", "era": ["guerra-fria"]}, []),
            ({"q": "pacto", "era": ["periodo-de-entreguerras"]}, ["pacto-ribbentrop-molotov"]),
            ({"q": "litvinov", "theme": ["seguridad-colectiva"]}, ["mandato-de-litvinov"]),
            (
                {"q": "gorbachov", "year_from": 1985, "year_to": 1985},
                ["gorbachov-sucede-a-chernenko"],
            ),
        ],
    )
    def test_text_search_with_filters(
        self, client: TestClient, params: dict[str, Any], expected: list[str]
    ) -> None:
        assert event_slugs(client, params) == expected


class TestGetEvent:
    @pytest.mark.parametrize("slug", sorted(EVENTS))
    def test_embeds_links_per_annotations(self, client: TestClient, slug: str) -> None:
        response = client.get(f"{PATH}/{slug}")
        assert response.status_code == 200, response.text
        body = response.json()
        curated = EVENTS[slug]
        assert body["slug"] == slug
        assert body["date"] == curated["date"]
        for kind in ("actors", "periods", "regions", "themes"):
            assert slugs(body[kind]) == sorted(curated.get(kind, [])), kind
        line_of = passage_lines_by_id(client)
        lines = [line_of[p["id"]] for p in body["passages"]]
        assert lines == CORPUS.lines_linking("events", slug)

    def test_pact_in_full(self, client: TestClient) -> None:
        body = client.get(f"{PATH}/pacto-ribbentrop-molotov").json()
        assert body["name"] == "Pacto Ribbentrop-Mólotov"
        assert body["start_date"] == body["end_date"] == dt.date(1939, 8, 23).isoformat()
        assert {"viacheslav-molotov", "joachim-von-ribbentrop", "adolf-hitler"} <= set(
            slugs(body["actors"])
        )
        assert {a["slug"]: a["kind"] for a in body["actors"]}["union-sovietica"] == "state"
        assert {p["slug"]: (p["start_year"], p["end_year"]) for p in body["periods"]} == {
            "periodo-de-entreguerras": (1918, 1939)
        }
        line_of = passage_lines_by_id(client)
        assert [line_of[p["id"]] for p in body["passages"]] == [4, 7]

    def test_unknown_slug_is_404(self, client: TestClient) -> None:
        body = assert_problem(client.get(f"{PATH}/batalla-de-stalingrado"), 404)
        assert "batalla-de-stalingrado" in body["detail"]

    @pytest.mark.parametrize("bad", ["Bad Slug", "Pacto", "pacto_ribbentrop", "-pacto", "a" * 121])
    def test_malformed_slug_is_422(self, client: TestClient, bad: str) -> None:
        assert_problem(client.get(f"{PATH}/{bad}"), 422, name="slug")
