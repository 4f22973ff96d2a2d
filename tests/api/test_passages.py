from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import fetch_all, query
from tests.oracle import Corpus
from tests.paths import path

CORPUS = Corpus()
PATH = path("list_passages")

COMBINATIONS: list[dict[str, Any]] = [
    {"era": ["guerra-fria"]},
    {"era": ["periodo-de-entreguerras"]},
    {"era": ["distension", "etapa-de-gorbachov"]},
    {"theme": ["espionaje", "frente-popular"]},
    {"actor": ["kgb"], "theme": ["operaciones-de-influencia"]},
    {"region": ["tercer-mundo"], "era": ["guerra-fria"]},
    {"region": ["america"]},
    {"region": ["africa"]},
    {"year_from": 1939, "year_to": 1939},
    {"year_from": 1950},
    {"year_to": 1930},
    {"theme": ["seguridad-colectiva"], "year_from": 1930, "year_to": 1939},
    {"event": ["pacto-ribbentrop-molotov"]},
    {"event": ["pacto-ribbentrop-molotov"], "actor": ["adolf-hitler"]},
    {"era": ["guerra-fria"], "region": ["tercer-mundo"], "theme": ["ayuda-militar"]},
]


def lines(client: TestClient, params: dict[str, Any]) -> list[int]:
    return [item["source"]["line"] for item in fetch_all(client, PATH, query(params))]


class TestListPassages:
    def test_unfiltered_in_source_order(self, client: TestClient) -> None:
        assert lines(client, {}) == sorted(CORPUS.passages)

    @pytest.mark.parametrize("params", COMBINATIONS, ids=str)
    def test_filter_combinations(self, client: TestClient, params: dict[str, Any]) -> None:
        expected = CORPUS.passage_lines(**params)
        assert expected, "a combination that matches nothing proves little"
        assert lines(client, params) == expected

    @pytest.mark.parametrize(
        ("param", "kind"),
        [("era", "periods"), ("theme", "themes"), ("actor", "actors"), ("region", "regions")],
    )
    def test_every_slug_of_every_filter(self, client: TestClient, param: str, kind: str) -> None:
        for slug in CORPUS.entries(kind):
            params: dict[str, Any] = {param: [slug]}
            assert lines(client, params) == CORPUS.passage_lines(**params), slug

    def test_era_includes_sub_periods(self, client: TestClient) -> None:
        parent = lines(client, {"era": ["periodo-de-entreguerras"]})
        phase = lines(client, {"era": ["etapa-del-frente-popular"]})
        assert 5 in phase
        assert set(phase) <= set(parent)

    def test_year_overlap_leaves_out_undated(self, client: TestClient) -> None:
        dated = lines(client, {"year_from": -9999, "year_to": 9999})
        undated = [line for line, p in CORPUS.passages.items() if "start_year" not in p]
        assert undated
        assert not set(dated) & set(undated)

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("litvinov", [6]),
            ("LITVÍNOV", [6]),
            ("seguridad colectiva", [6, 7]),
            ("brest-litovsk", [7]),
            ("tercer mundo", [11, 12, 13]),
            ("100%", []),
            ("_", []),
        ],
    )
    def test_text_search(self, client: TestClient, q: str, expected: list[int]) -> None:
        assert lines(client, {"q": q}) == expected

    def test_blank_q_matches_everything(self, client: TestClient) -> None:
        assert lines(client, {"q": "   "}) == sorted(CORPUS.passages)

    def test_text_is_verbatim_and_markers_apart(self, client: TestClient) -> None:
        source = CORPUS.source_path.read_text(encoding="utf-8").splitlines()
        for item in fetch_all(client, PATH, {}):
            raw = source[item["source"]["line"] - 1]
            assert item["text"] in raw
            if item["footnotes"]:
                assert raw == f"[{item['footnotes'][0]}] {item['text']}"
            else:
                assert raw == item["text"]


class TestGetPassage:
    def test_embeds_links(self, client: TestClient) -> None:
        item = next(p for p in fetch_all(client, PATH, {}) if p["source"]["line"] == 7)
        body = client.get(f"{PATH}/{item['id']}").json()
        expected = CORPUS.passages[7]
        for kind in ("events", "actors", "periods", "regions", "themes"):
            assert sorted(e["slug"] for e in body[kind]) == sorted(expected.get(kind, [])), kind
        assert body["text"] == item["text"]
        assert {"slug", "name", "date"} <= set(body["events"][0])

    def test_missing_is_404(self, client: TestClient) -> None:
        response = client.get(f"{PATH}/999999")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    @pytest.mark.parametrize("bad", ["0", "abc", str(2**63)])
    def test_bad_id_is_422(self, client: TestClient, bad: str) -> None:
        response = client.get(f"{PATH}/{bad}")
        assert response.status_code == 422
        assert response.json()["invalid_params"][0]["name"] == "passage_id"
