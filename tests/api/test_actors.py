from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem, fetch_all, passage_lines_by_id, query, slugs
from tests.oracle import Corpus
from tests.paths import path

CORPUS = Corpus()
ACTORS = CORPUS.entries("actors")
PATH = path("list_actors")

YEAR_FILTERS: list[dict[str, Any]] = [
    {"era": ["guerra-fria"]},
    {"era": ["periodo-de-entreguerras"]},
    {"era": ["etapa-del-frente-popular"]},
    {"era": ["primera-guerra-mundial", "etapa-de-gorbachov"]},
    {"era": ["periodo-sovietico"]},
    {"year_from": 1939, "year_to": 1939},
    {"year_from": 1946, "year_to": 1953},
    {"year_from": 1992},
    {"year_to": 1913},
    {"kind": ["person"]},
    {"kind": ["organization", "alliance"]},
    {"kind": ["person"], "era": ["segunda-guerra-mundial"]},
    {"kind": ["state"], "year_from": 1950},
    {"kind": ["organization"], "era": ["guerra-fria"], "year_to": 1960},
]


def actor_slugs(client: TestClient, params: dict[str, Any]) -> list[str]:
    return slugs(fetch_all(client, PATH, query(params)))


class TestListActors:
    def test_unfiltered_by_slug(self, client: TestClient) -> None:
        assert actor_slugs(client, {}) == sorted(ACTORS)

    def test_items_carry_curated_fields(self, client: TestClient) -> None:
        for item in fetch_all(client, PATH, {}):
            curated = ACTORS[item["slug"]]
            assert item["name"] == curated["name"]
            assert item["kind"] == curated["kind"]
            assert item["role"] == curated.get("role")
            assert item["aliases"] == curated.get("aliases", [])
            assert item["start_year"] == curated.get("start_year")
            assert item["end_year"] == curated.get("end_year")

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("Gorbachev", ["mijail-gorbachov"]),
            ("gorbachov", ["mijail-gorbachov"]),
            ("Горбачев", ["mijail-gorbachov"]),
            ("litvinov", ["maksim-litvinov"]),
            ("LITVÍNOV", ["maksim-litvinov"]),
            ("Maxim Litvinov", ["maksim-litvinov"]),
            ("литвинов", ["maksim-litvinov"]),
            ("mólotov", ["viacheslav-molotov"]),
            ("Comité para la Seguridad", ["kgb"]),
            ("Third Reich", ["alemania-nazi"]),
            ("comintern", ["komintern"]),
            ("USSR", ["union-sovietica"]),
            ("non-aligned", ["movimiento-de-paises-no-alineados"]),
            ("stalin", []),
            ("|", []),
        ],
    )
    def test_text_search_names_and_aliases(
        self, client: TestClient, q: str, expected: list[str]
    ) -> None:
        assert actor_slugs(client, {"q": q}) == expected

    @pytest.mark.parametrize("params", YEAR_FILTERS, ids=str)
    def test_kind_era_and_years(self, client: TestClient, params: dict[str, Any]) -> None:
        expected = CORPUS.actor_slugs(**params)
        assert expected, "a filter that matches nothing proves little"
        assert actor_slugs(client, params) == expected

    @pytest.mark.parametrize("kind", ["person", "state", "organization", "alliance", "movement"])
    def test_every_kind(self, client: TestClient, kind: str) -> None:
        assert actor_slugs(client, {"kind": [kind]}) == CORPUS.actor_slugs(kind=[kind])

    def test_no_end_year_is_still_active(self, client: TestClient) -> None:
        # The United States (since 1776) and the Non-Aligned Movement (since 1961) have no end.
        expected = ["estados-unidos", "movimiento-de-paises-no-alineados"]
        assert actor_slugs(client, {"year_from": 2000}) == expected
        assert actor_slugs(client, {"year_from": 1992, "year_to": 2024}) == expected

    def test_active_years_overlap(self, client: TestClient) -> None:
        # Litvínov was commissar 1930-1939; Mólotov took over in 1939.
        in_1939 = actor_slugs(client, {"year_from": 1939, "year_to": 1939})
        assert {"maksim-litvinov", "viacheslav-molotov"} <= set(in_1939)
        assert "maksim-litvinov" not in actor_slugs(client, {"year_from": 1940})
        assert "mijail-gorbachov" not in actor_slugs(client, {"year_to": 1984})

    def test_era_includes_actors_of_its_phases(self, client: TestClient) -> None:
        # Chernenko (1984-1985) falls within the Gorbachov phase's parent, the Cold War.
        assert "konstantin-chernenko" in actor_slugs(client, {"era": ["guerra-fria"]})
        assert "potencias-centrales" not in actor_slugs(client, {"era": ["guerra-fria"]})


class TestGetActor:
    def test_kgb_is_everything_about_the_kgb(self, client: TestClient) -> None:
        body = client.get(f"{PATH}/kgb").json()
        line_of = passage_lines_by_id(client)
        assert [line_of[p["id"]] for p in body["passages"]] == [8, 9]
        assert slugs(body["events"]) == ["creacion-del-kgb"]
        assert body["events"][0]["date"] == "1954-03-13"
        assert (body["kind"], body["start_year"], body["end_year"]) == ("organization", 1954, 1991)

    @pytest.mark.parametrize("slug", sorted(ACTORS))
    def test_embeds_passages_and_events(self, client: TestClient, slug: str) -> None:
        response = client.get(f"{PATH}/{slug}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["slug"] == slug
        assert body["name"] == ACTORS[slug]["name"]
        line_of = passage_lines_by_id(client)
        assert [line_of[p["id"]] for p in body["passages"]] == CORPUS.lines_linking("actors", slug)
        assert slugs(body["events"]) == CORPUS.events_linking("actors", slug)

    def test_unknown_slug_is_404(self, client: TestClient) -> None:
        body = assert_problem(client.get(f"{PATH}/iosif-stalin"), 404)
        assert "iosif-stalin" in body["detail"]

    @pytest.mark.parametrize("bad", ["Bad Slug", "KGB", "maksim_litvinov", "litvínov"])
    def test_malformed_slug_is_422(self, client: TestClient, bad: str) -> None:
        assert_problem(client.get(f"{PATH}/{bad}"), 422, name="slug")
