"""GET /api/v1/graph: nodes and weighted edges from the curated links, for vis-network and
Cytoscape.js."""

from collections import Counter
from itertools import combinations
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem, query
from tests.oracle import Corpus
from tests.paths import path

CORPUS = Corpus()
PATH = path("get_graph")
KINDS = ("actors", "regions", "themes", "periods")


def documents(
    params: dict[str, Any], sources: tuple[str, ...] = ("passages", "events")
) -> list[set[str]]:
    """The node ids each matching passage and event links, from the annotations."""
    found = []
    if "passages" in sources:
        for line in CORPUS.passage_lines(**params):
            p = CORPUS.passages[line]
            found.append({f"{kind}/{slug}" for kind in KINDS for slug in p.get(kind, [])})
    if "events" in sources:
        events = CORPUS.entries("events")
        for slug in CORPUS.event_slugs(**params):
            e = events[slug]
            found.append({f"{kind}/{s}" for kind in KINDS for s in e.get(kind, [])})
    return found


def expected(
    params: dict[str, Any], sources: tuple[str, ...] = ("passages", "events")
) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    nodes: Counter[str] = Counter()
    edges: Counter[tuple[str, str]] = Counter()
    for linked in documents(params, sources):
        nodes.update(linked)
        edges.update(combinations(sorted(linked), 2))
    return nodes, edges


def graph(client: TestClient, params: dict[str, Any]) -> dict[str, Any]:
    response = client.get(PATH, params=query(params))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    "params",
    [{}, {"actor": ["kgb"]}, {"era": ["periodo-de-entreguerras"]}, {"year_from": 1980}],
    ids=str,
)
def test_nodes_and_weights_follow_the_annotations(
    client: TestClient, params: dict[str, Any]
) -> None:
    body = graph(client, params)
    nodes, edges = expected(params)
    assert {n["id"]: n["value"] for n in body["nodes"]} == dict(nodes)
    assert {(e["from"], e["to"]): e["value"] for e in body["edges"]} == dict(edges)


def test_kgb_and_espionage(client: TestClient) -> None:
    body = graph(client, {"actor": ["kgb"]})
    kgb = next(n for n in body["nodes"] if n["id"] == "actors/kgb")
    assert (kgb["label"], kgb["group"]) == ("KGB", "actors")
    weight = {(e["from"], e["to"]): e["value"] for e in body["edges"]}
    # Passages 8 and 9 and the KGB's founding all pair the KGB with espionage.
    assert weight[("actors/kgb", "themes/espionaje")] == 3


def test_source_passages_only(client: TestClient) -> None:
    body = graph(client, {"source": ["passages"], "theme": ["espionaje"]})
    nodes, _ = expected({"theme": ["espionaje"]}, ("passages",))
    assert {n["id"]: n["value"] for n in body["nodes"]} == dict(nodes)


def test_cytoscape_elements(client: TestClient) -> None:
    vis = graph(client, {"era": ["guerra-fria"]})
    cy = graph(client, {"era": ["guerra-fria"], "format": "cytoscape"})
    assert [n["data"]["id"] for n in cy["elements"]["nodes"]] == [n["id"] for n in vis["nodes"]]
    assert [
        (e["data"]["source"], e["data"]["target"], e["data"]["weight"])
        for e in cy["elements"]["edges"]
    ] == [(e["from"], e["to"], e["value"]) for e in vis["edges"]]


def test_english_labels(client: TestClient) -> None:
    body = graph(client, {"actor": ["mijail-gorbachov"], "lang": "en"})
    labels = {n["id"]: n["label"] for n in body["nodes"]}
    assert labels["actors/mijail-gorbachov"] == "Mikhail Gorbachev"


def test_bad_filter_is_422(client: TestClient) -> None:
    assert_problem(client.get(PATH, params={"actor": "nadie"}), 422, "actor")
