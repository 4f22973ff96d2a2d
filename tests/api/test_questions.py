"""The questions the API exists to answer, checked against the known historical answers."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import fetch_all, passage_lines_by_id, slugs
from tests.paths import path

PASSAGES = path("list_passages")
EVENTS = path("list_events")


def lines(client: TestClient, params: dict[str, Any]) -> list[int]:
    return [item["source"]["line"] for item in fetch_all(client, PASSAGES, params)]


class TestWhichPassagesMentionLitvinov:
    @pytest.mark.parametrize(
        "params",
        [{"actor": "maksim-litvinov"}, {"q": "litvinov"}, {"q": "Litvínov"}, {"q": "LITVINOV"}],
        ids=str,
    )
    def test_line_6(self, client: TestClient, params: dict[str, Any]) -> None:
        assert lines(client, params) == [6]

    def test_passage_names_him_and_his_years(self, client: TestClient) -> None:
        (item,) = fetch_all(client, PASSAGES, {"actor": "maksim-litvinov"})
        assert "Maksim Litvínov" in item["text"]
        assert "entre 1930 y 1939" in item["text"]
        assert (item["start_year"], item["end_year"]) == (1930, 1939)


class TestWhatHappenedIn1939:
    def test_events_include_the_pact(self, client: TestClient) -> None:
        events = {e["slug"]: e for e in fetch_all(client, EVENTS, {"from": 1939, "to": 1939})}
        assert events["pacto-ribbentrop-molotov"]["date"] == "1939-08-23"
        # Litvínov's term ended in May 1939, so it overlaps the year too.
        assert "mandato-de-litvinov" in events
        assert "creacion-del-kgb" not in events

    def test_passages_include_lines_4_6_7(self, client: TestClient) -> None:
        found = lines(client, {"from": 1939, "to": 1939})
        assert {4, 6, 7} <= set(found)
        # Undated passages (1-3, 10-14) cannot be said to concern 1939.
        assert not {1, 2, 3, 10, 11, 12, 13, 14} & set(found)
        assert 15 not in found


class TestCollectiveSecurityInThe1930s:
    def test_lines_6_and_7(self, client: TestClient) -> None:
        params = {"theme": "seguridad-colectiva", "from": 1930, "to": 1939}
        assert lines(client, params) == [6, 7]

    def test_events_of_the_theme(self, client: TestClient) -> None:
        params = {"theme": "seguridad-colectiva", "from": 1930, "to": 1939}
        found = slugs(fetch_all(client, EVENTS, params))
        # Litvínov took office in July 1930; the USSR joined the League on 18 September 1934.
        assert found == ["mandato-de-litvinov", "ingreso-de-la-urss-en-la-sociedad-de-naciones"]


class TestEverythingAboutTheKgb:
    def test_passages_and_event(self, client: TestClient) -> None:
        response = client.get("/api/v1/actors/kgb")
        assert response.status_code == 200
        body = response.json()
        line_of = passage_lines_by_id(client)
        assert [line_of[p["id"]] for p in body["passages"]] == [8, 9]
        assert [(e["slug"], e["date"]) for e in body["events"]] == [
            ("creacion-del-kgb", "1954-03-13")
        ]
        assert "KGB" in body["passages"][0]["text"]

    def test_kgb_by_words_too(self, client: TestClient) -> None:
        assert lines(client, {"q": "kgb"}) == [8, 9]
        assert lines(client, {"actor": "kgb"}) == [8, 9]


class TestThirdWorldDuringTheColdWar:
    def test_lines_11_12_13(self, client: TestClient) -> None:
        assert lines(client, {"region": "tercer-mundo", "era": "guerra-fria"}) == [11, 12, 13]

    def test_military_aid_there(self, client: TestClient) -> None:
        params = {"region": "tercer-mundo", "era": "guerra-fria", "theme": "ayuda-militar"}
        assert lines(client, params) == [13]


class TestHistoricalFacts:
    def test_litvinov_active_1930_to_1939(self, client: TestClient) -> None:
        body = client.get("/api/v1/actors/maksim-litvinov").json()
        assert (body["start_year"], body["end_year"]) == (1930, 1939)
        assert body["kind"] == "person"

    def test_pact_signed_1939_08_23(self, client: TestClient) -> None:
        body = client.get("/api/v1/events/pacto-ribbentrop-molotov").json()
        assert (body["date"], body["start_date"], body["end_date"]) == ("1939-08-23",) * 3

    def test_gorbachov_succeeds_chernenko_1985_03_11(self, client: TestClient) -> None:
        body = client.get("/api/v1/events/gorbachov-sucede-a-chernenko").json()
        assert (body["date"], body["start_date"], body["end_date"]) == ("1985-03-11",) * 3
        assert {"mijail-gorbachov", "konstantin-chernenko"} <= set(slugs(body["actors"]))

    def test_gorbachov_passage_is_line_15(self, client: TestClient) -> None:
        assert lines(client, {"event": "gorbachov-sucede-a-chernenko"}) == [15]
        # The KGB passages span the KGB's years, 1954-1991, which include 1985.
        assert lines(client, {"from": 1985, "to": 1985}) == [8, 9, 15]
