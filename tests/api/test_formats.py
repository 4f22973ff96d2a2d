"""CSV on every list (the whole filtered result, streamed) and schema.org JSON-LD on details."""

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.render.negotiation import (
    CSV,
    CYTOSCAPE,
    DETAIL_OFFERS,
    FORMATS,
    GRAPH_OFFERS,
    JSON,
    JSON_LD,
    LIST_OFFERS,
    TIMELINE_OFFERS,
    negotiate,
)
from tests.helpers import assert_problem, fetch_all, query
from tests.oracle import Corpus

CORPUS = Corpus()
LISTS = ["passages", "events", "actors", "periods", "regions", "themes"]


def rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


class TestCSV:
    @pytest.mark.parametrize("resource", LISTS)
    def test_every_item_of_every_list(self, client: TestClient, resource: str) -> None:
        path = f"/api/v1/{resource}"
        # limit=2 pages JSON; CSV ignores it and streams everything, in list order.
        table = rows(client.get(path, params={"format": "csv", "limit": 2}))
        expected = fetch_all(client, path, {})
        key = "id" if resource == "passages" else "slug"
        assert [row[key] for row in table] == [str(item[key]) for item in expected]
        assert (
            "attachment"
            in client.get(path, params={"format": "csv"}).headers["content-disposition"]
        )

    @pytest.mark.parametrize(
        "params",
        [{"theme": ["espionaje"]}, {"era": ["guerra-fria"], "region": ["tercer-mundo"]}],
        ids=str,
    )
    def test_same_filters(self, client: TestClient, params: dict[str, Any]) -> None:
        response = client.get(
            "/api/v1/passages", params=query(params), headers={"Accept": "text/csv"}
        )
        assert [int(row["source.line"]) for row in rows(response)] == CORPUS.passage_lines(**params)

    def test_included_links_become_columns(self, client: TestClient) -> None:
        table = rows(client.get("/api/v1/events", params={"format": "csv", "include": "actors"}))
        assert "actors" in table[0]
        assert "themes" not in table[0]
        events = CORPUS.entries("events")
        for row in table:
            assert row["actors"].split("; ") == sorted(events[row["slug"]].get("actors", []))

    def test_text_round_trips(self, client: TestClient) -> None:
        source = CORPUS.source_path.read_text(encoding="utf-8").splitlines()
        for row in rows(client.get("/api/v1/passages", params={"format": "csv"})):
            assert row["text"] in source[int(row["source.line"]) - 1]

    def test_json_stays_the_default(self, client: TestClient) -> None:
        response = client.get(
            "/api/v1/passages", headers={"Accept": "application/json, text/csv;q=0.5"}
        )
        assert response.headers["content-type"] == "application/json"

    def test_bad_filter_is_still_a_problem(self, client: TestClient) -> None:
        response = client.get("/api/v1/passages", params={"format": "csv", "era": "edad-media"})
        assert_problem(response, 422, "era")


JSON_LD_TYPES = [
    ("/api/v1/events/pacto-ribbentrop-molotov", "Event"),
    ("/api/v1/actors/kgb", "Organization"),
    ("/api/v1/actors/maksim-litvinov", "Person"),
    ("/api/v1/actors/union-sovietica", "Country"),
    ("/api/v1/regions/tercer-mundo", "Place"),
    ("/api/v1/periods/guerra-fria", "Event"),
    ("/api/v1/themes/espionaje", "DefinedTerm"),
]


class TestJSONLD:
    def ld(self, client: TestClient, path: str) -> dict[str, Any]:
        response = client.get(path, headers={"Accept": "application/ld+json"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/ld+json"
        assert "Accept" in response.headers["vary"]
        body: dict[str, Any] = response.json()
        assert body["@context"] == "https://schema.org"
        assert body["@id"].endswith(path)
        assert "sameAs" not in body  # no identifier is given that was not verified
        return body

    @pytest.mark.parametrize(("path", "kind"), JSON_LD_TYPES)
    def test_schema_org_types(self, client: TestClient, path: str, kind: str) -> None:
        body = self.ld(client, path)
        assert body["@type"] == kind
        slug = path.rsplit("/", 1)[1]
        resource = path.split("/")[3]
        assert body["name"] == CORPUS.entries(resource)[slug]["name"]

    def test_passage_is_a_creative_work(self, client: TestClient) -> None:
        item = next(
            p for p in fetch_all(client, "/api/v1/passages", {}) if p["source"]["line"] == 7
        )
        body = self.ld(client, f"/api/v1/passages/{item['id']}")
        assert body["@type"] == "CreativeWork"
        assert body["text"] == item["text"]
        assert body["inLanguage"] == "es"
        assert body["temporalCoverage"] == "1939"
        mentioned = {ref["@id"].rsplit("/", 1)[1] for ref in body["mentions"]}
        assert {"pacto-ribbentrop-molotov", "adolf-hitler"} <= mentioned
        assert {ref["@type"] for ref in body["about"]} == {"DefinedTerm"}

    def test_event_dates(self, client: TestClient) -> None:
        body = self.ld(client, "/api/v1/events/pacto-ribbentrop-molotov")
        assert (body["startDate"], body["endDate"]) == ("1939-08-23", "1939-08-23")
        actors = {ref["@id"].rsplit("/", 1)[1] for ref in body["attendee"]}
        assert actors == set(CORPUS.entries("events")["pacto-ribbentrop-molotov"]["actors"])

    def test_english(self, client: TestClient) -> None:
        response = client.get(
            "/api/v1/actors/kgb", headers={"Accept": "application/ld+json", "Accept-Language": "en"}
        )
        assert response.headers["content-language"] == "en"
        assert response.json()["description"] == CORPUS.entries("actors")["kgb"]["description_en"]

    def test_plain_json_by_default(self, client: TestClient) -> None:
        assert "@context" not in client.get("/api/v1/actors/kgb").json()


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "json"),
        ("", "json"),
        ("text/csv", "csv"),
        ("text/*", "csv"),
        ("*/*", "json"),
        ("text/html", "json"),
        ("application/json, text/csv", "json"),
        ("text/csv, application/json", "json"),
        ("application/json;q=0.5, text/csv", "csv"),
        ("application/json;q=0, */*;q=0.1", "json"),  # q=0 on one range is not a veto
        ("text/csv;q=0", "json"),
        ("text/csv;q=abc", "json"),
        ("*/*;q=0.9, text/csv;q=0.9", "csv"),
        ("TEXT/CSV; charset=utf-8", "csv"),
    ],
)
def test_list_negotiation(accept: str | None, chosen: str) -> None:
    """Highest q, then the most specific range, then the first offer; q=0 and malformed q
    choose nothing; nothing acceptable is the first offer, never a 406."""
    assert negotiate(accept, LIST_OFFERS).name == chosen


def test_format_parameter_wins_over_accept() -> None:
    assert negotiate("text/csv", LIST_OFFERS, "json") is JSON
    assert negotiate("application/json", LIST_OFFERS, "csv") is CSV
    assert negotiate(None, TIMELINE_OFFERS, "plain") is JSON
    assert negotiate("text/csv", GRAPH_OFFERS, "cytoscape") is CYTOSCAPE
    assert negotiate("application/ld+json", DETAIL_OFFERS) is JSON_LD


def test_every_format_is_registered_once() -> None:
    assert set(FORMATS) == {"json", "csv", "jsonld", "timelinejs", "vis", "cytoscape"}


def test_repeated_single_value_parameter_is_refused(client: TestClient) -> None:
    assert client.get("/api/v1/actors", params=[("era", "guerra-fria")] * 2).status_code == 200
    assert_problem(client.get("/api/v1/actors", params=[("from", "1930"), ("from", "1940")]), 422)
    graph = client.get("/api/v1/graph", params=[("source", "passages"), ("source", "events")])
    assert graph.status_code == 200
