from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem, fetch_all, passage_lines_by_id, slugs
from tests.oracle import Corpus
from tests.paths import path

CORPUS = Corpus()
REGIONS = CORPUS.entries("regions")
PATH = path("list_regions")
KINDS = ["continent", "subcontinent", "country", "ocean", "political_grouping"]


def region_slugs(client: TestClient, params: dict[str, Any]) -> list[str]:
    return slugs(fetch_all(client, PATH, params))


def curated_of_kind(kinds: list[str]) -> list[str]:
    return sorted(slug for slug, r in REGIONS.items() if r["kind"] in kinds)


class TestListRegions:
    def test_unfiltered_by_slug(self, client: TestClient) -> None:
        assert region_slugs(client, {}) == sorted(REGIONS)

    def test_items_carry_kind_and_parent(self, client: TestClient) -> None:
        for item in fetch_all(client, PATH, {}):
            curated = REGIONS[item["slug"]]
            assert item["kind"] == curated["kind"]
            parent = item["parent"]["slug"] if item["parent"] else None
            assert parent == curated.get("parent")

    @pytest.mark.parametrize("kinds", [[k] for k in KINDS] + [["ocean", "continent"]], ids=str)
    def test_kind(self, client: TestClient, kinds: list[str]) -> None:
        expected = curated_of_kind(kinds)
        assert expected
        assert region_slugs(client, {"kind": kinds}) == expected

    def test_political_groupings(self, client: TestClient) -> None:
        assert region_slugs(client, {"kind": ["political_grouping"]}) == [
            "mundo-no-comunista",
            "occidente",
            "tercer-mundo",
        ]

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"q": "Third World"}, ["tercer-mundo"]),
            ({"q": "tercer mundo"}, ["tercer-mundo"]),
            ({"q": "USA"}, ["estados-unidos"]),
            ({"q": "pacifico"}, ["oceano-pacifico"]),
            ({"q": "ÍNDICO"}, ["oceano-indico"]),
            ({"q": "africa"}, ["africa", "africa-subsahariana"]),
            ({"q": "africa", "kind": ["subcontinent"]}, ["africa-subsahariana"]),
            ({"q": "the West"}, ["occidente"]),
            ({"q": "Latinoamérica"}, ["america-latina"]),
            ({"q": "oceania"}, []),
        ],
    )
    def test_text_search(
        self, client: TestClient, params: dict[str, Any], expected: list[str]
    ) -> None:
        assert region_slugs(client, params) == expected


class TestGetRegion:
    @pytest.mark.parametrize("slug", sorted(REGIONS))
    def test_parent_children_and_links(self, client: TestClient, slug: str) -> None:
        response = client.get(f"{PATH}/{slug}")
        assert response.status_code == 200, response.text
        body = response.json()
        parent = body["parent"]["slug"] if body["parent"] else None
        assert parent == REGIONS[slug].get("parent")
        assert slugs(body["children"]) == sorted(CORPUS.children("regions", slug))
        line_of = passage_lines_by_id(client)
        assert [line_of[p["id"]] for p in body["passages"]] == CORPUS.lines_linking("regions", slug)
        assert slugs(body["events"]) == CORPUS.events_linking("regions", slug)

    def test_america(self, client: TestClient) -> None:
        body = client.get(f"{PATH}/america").json()
        assert body["parent"] is None
        assert [(c["slug"], c["kind"]) for c in body["children"]] == [
            ("america-latina", "subcontinent"),
            ("estados-unidos", "country"),
        ]

    def test_sub_saharan_africa(self, client: TestClient) -> None:
        body = client.get(f"{PATH}/africa-subsahariana").json()
        assert body["parent"] == {"slug": "africa", "name": "África", "kind": "continent"}
        assert body["children"] == []
        line_of = passage_lines_by_id(client)
        assert [line_of[p["id"]] for p in body["passages"]] == [3]

    def test_third_world(self, client: TestClient) -> None:
        body = client.get(f"{PATH}/tercer-mundo").json()
        line_of = passage_lines_by_id(client)
        assert [line_of[p["id"]] for p in body["passages"]] == [11, 12, 13]
        assert slugs(body["events"]) == ["conferencia-de-belgrado"]

    def test_unknown_slug_is_404(self, client: TestClient) -> None:
        body = assert_problem(client.get(f"{PATH}/oceania"), 404)
        assert "oceania" in body["detail"]

    def test_malformed_slug_is_422(self, client: TestClient) -> None:
        assert_problem(client.get(f"{PATH}/Tercer_Mundo"), 422, name="slug")
