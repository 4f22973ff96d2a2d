"""English labels with `lang=en` or `Accept-Language: en`, Spanish as the fallback, and the
headers that say which was served."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.i18n import OrmView, parse_accept_language
from app.models import Theme
from tests.helpers import assert_problem, fetch_all
from tests.oracle import Corpus

CORPUS = Corpus()
KINDS = ["events", "actors", "periods", "regions", "themes"]


def test_every_entity_has_an_english_name() -> None:
    for kind in KINDS:
        for slug, entry in CORPUS.entries(kind).items():
            assert entry.get("name_en"), f"{kind} {slug}"
            if entry.get("description"):
                assert entry.get("description_en"), f"{kind} {slug}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("params", "headers"), [({"lang": "en"}, {}), ({}, {"Accept-Language": "en-GB,en;q=0.9"})]
)
def test_lists_in_english(
    client: TestClient, kind: str, params: dict[str, Any], headers: dict[str, str]
) -> None:
    response = client.get(f"/api/v1/{kind}", params={**params, "limit": 100}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-language"] == "en"
    assert response.headers["vary"].startswith("Accept, Accept-Language")
    curated = CORPUS.entries(kind)
    for item in response.json()["items"]:
        assert item["name"] == curated[item["slug"]]["name_en"]
        if curated[item["slug"]].get("description"):
            assert item["description"] == curated[item["slug"]]["description_en"]


def test_spanish_by_default(client: TestClient) -> None:
    response = client.get("/api/v1/themes/espionaje")
    assert response.headers["content-language"] == "es"
    assert response.json()["name"] == "Espionaje"


def test_embedded_summaries_too(client: TestClient) -> None:
    body = client.get("/api/v1/events/pacto-ribbentrop-molotov", params={"lang": "en"}).json()
    actors = CORPUS.entries("actors")
    assert {a["name"] for a in body["actors"]} == {
        actors[a["slug"]]["name_en"] for a in body["actors"]
    }
    assert body["name"] == "Molotov–Ribbentrop Pact"


def test_passages_keep_their_spanish_text(client: TestClient) -> None:
    spanish = fetch_all(client, "/api/v1/passages", {})
    english = fetch_all(client, "/api/v1/passages", {"lang": "en"})
    assert [p["text"] for p in english] == [p["text"] for p in spanish]
    assert all(p["text_en"] is None for p in english)


def test_lang_wins_over_the_header(client: TestClient) -> None:
    response = client.get(
        "/api/v1/themes/espionaje", params={"lang": "es"}, headers={"Accept-Language": "en"}
    )
    assert response.headers["content-language"] == "es"
    assert response.json()["name"] == "Espionaje"


def test_unsupported_lang_is_422(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/themes", params={"lang": "fr"}), 422, "lang")


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5", "en"),
        ("es;q=0.9, en;q=0.8", "es"),
        ("en;q=0.2, es", "es"),
        ("de, fr", "es"),
        ("*", "es"),
        ("en;q=abc", "es"),
        ("", "es"),
    ],
)
def test_accept_language(header: str, language: str) -> None:
    assert parse_accept_language(header) == language


def test_english_falls_back_to_spanish() -> None:
    theme = Theme(slug="x", name="Deshielo", description="Tras 1953.", name_en=None)
    view = OrmView(theme, "en")
    assert (view.name, view.description) == ("Deshielo", "Tras 1953.")
    theme.name_en = "Thaw"
    assert OrmView(theme, "en").name == "Thaw"
    assert OrmView(theme, "es").name == "Deshielo"
