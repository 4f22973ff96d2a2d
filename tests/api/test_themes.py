import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem, fetch_all, passage_lines_by_id, slugs
from tests.oracle import Corpus
from tests.paths import path

CORPUS = Corpus()
THEMES = CORPUS.entries("themes")
PATH = path("list_themes")


class TestListThemes:
    def test_unfiltered_by_slug(self, client: TestClient) -> None:
        items = fetch_all(client, PATH, {})
        assert slugs(items) == sorted(THEMES)
        for item in items:
            assert item["name"] == THEMES[item["slug"]]["name"]
            assert item["aliases"] == THEMES[item["slug"]].get("aliases", [])

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("collective security", ["seguridad-colectiva"]),
            ("seguridad", ["seguridad-colectiva", "seguridad-sovietica"]),
            ("SEGURIDAD COLECTIVA", ["seguridad-colectiva"]),
            ("Realpolitik", ["intereses-de-estado"]),
            ("active measures", ["operaciones-de-influencia"]),
            ("coexistencia pacífica", ["coexistencia-pacifica"]),
            ("new thinking", ["nuevo-pensamiento"]),
            ("frentes populares", ["frente-popular"]),
            ("glasnost", []),
        ],
    )
    def test_text_search(self, client: TestClient, q: str, expected: list[str]) -> None:
        assert slugs(fetch_all(client, PATH, {"q": q})) == expected


class TestGetTheme:
    @pytest.mark.parametrize("slug", sorted(THEMES))
    def test_embeds_passages_and_events(self, client: TestClient, slug: str) -> None:
        response = client.get(f"{PATH}/{slug}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["slug"] == slug
        assert body["description"] == THEMES[slug].get("description", "")
        line_of = passage_lines_by_id(client)
        assert [line_of[p["id"]] for p in body["passages"]] == CORPUS.lines_linking("themes", slug)
        assert slugs(body["events"]) == CORPUS.events_linking("themes", slug)

    def test_collective_security(self, client: TestClient) -> None:
        body = client.get(f"{PATH}/seguridad-colectiva").json()
        line_of = passage_lines_by_id(client)
        assert [line_of[p["id"]] for p in body["passages"]] == [6, 7]
        assert slugs(body["events"]) == [
            "mandato-de-litvinov",
            "ingreso-de-la-urss-en-la-sociedad-de-naciones",
        ]

    def test_unknown_slug_is_404(self, client: TestClient) -> None:
        body = assert_problem(client.get(f"{PATH}/glasnost"), 404)
        assert "glasnost" in body["detail"]

    def test_malformed_slug_is_422(self, client: TestClient) -> None:
        assert_problem(client.get(f"{PATH}/Seguridad Colectiva"), 422, name="slug")
