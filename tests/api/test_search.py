"""GET /api/v1/search: Spanish-aware, ranked, grouped, highlighted, and alike on both backends;
and the full-text index follows every kind of write."""

import html
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.analysis.fulltext import parse_query
from app.core.config import Settings
from app.corpus.bulk import PassageRow, bulk_insert_passages
from app.corpus.seed import load_seed, read_seed
from app.main import create_app
from app.models import Passage, Theme
from app.models.search import rebuild_index
from app.repositories.search import find
from tests.conftest import SEED_DIR
from tests.databases import migrate, throwaway_database
from tests.helpers import assert_problem, passage_lines_by_id
from tests.oracle import Corpus
from tests.paths import path

CORPUS = Corpus()
PATH = path("search")
SOURCE = CORPUS.source_path.read_text(encoding="utf-8").splitlines()


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def lines_matching(pattern: str) -> list[int]:
    """Source lines whose folded text matches `pattern`: an independent reading."""
    return [i for i, line in enumerate(SOURCE, start=1) if re.search(pattern, fold(line))]


def search(client: TestClient, q: str, **params: Any) -> dict[str, Any]:
    response = client.get(PATH, params={"q": q, "limit": 50, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def group(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    for found in body["groups"]:
        if found["kind"] == kind:
            hits: list[dict[str, Any]] = found["hits"]
            return hits
    return []


def passage_lines(client: TestClient, body: dict[str, Any]) -> list[int]:
    lines = passage_lines_by_id(client)
    return sorted(lines[hit["id"]] for hit in group(body, "passages"))


def plain(snippet: str) -> str:
    return html.unescape(snippet.replace("<mark>", "").replace("</mark>", "")).strip("…")


class TestSpanishMatching:
    def test_plural_and_accents_find_the_singular(self, client: TestClient) -> None:
        body = search(client, "coexistencias pacíficas")
        assert passage_lines(client, body) == lines_matching(r"coexistencias? pacificas?")
        assert [hit["slug"] for hit in group(body, "themes")] == ["coexistencia-pacifica"]

    def test_masculine_plural_finds_feminine(self, client: TestClient) -> None:
        body = search(client, "soviéticos")
        expected = lines_matching(r"\bsovietic[oa]s?\b")
        assert {4, 7} <= set(expected)
        assert passage_lines(client, body) == expected

    def test_case_and_accents_are_folded(self, client: TestClient) -> None:
        assert passage_lines(client, search(client, "LITVINOV")) == [6]
        assert passage_lines(client, search(client, "litvínov")) == [6]

    def test_every_word_must_match(self, client: TestClient) -> None:
        body = search(client, "seguridad colectiva")
        assert passage_lines(client, body) == lines_matching(r"seguridad colectiva")
        assert passage_lines(client, search(client, "seguridad litvinov")) == [6]
        assert passage_lines(client, search(client, "seguridad stalin")) == []

    def test_quoted_phrase_matches_only_in_order(self, client: TestClient) -> None:
        assert passage_lines(client, search(client, '"pacto con Hitler"')) == [7]
        assert passage_lines(client, search(client, '"Hitler con pacto"')) == []
        # "pacto Hitler" as a phrase: the words must stand together; in line 7 "con" is between.
        assert passage_lines(client, search(client, '"pacto Hitler"')) == []

    def test_english_names_and_aliases(self, client: TestClient) -> None:
        body = search(client, "Cold War")
        assert [hit["slug"] for hit in group(body, "periods")] == ["guerra-fria"]
        body = search(client, "Gorbachev")
        assert [hit["slug"] for hit in group(body, "actors")] == ["mijail-gorbachov"]

    @pytest.mark.parametrize(
        "q", ['a" OR "b', "NEAR(kgb espionaje)", "text:kgb", "kgb*", "'; DROP TABLE passages; --"]
    )
    def test_syntax_in_the_box_is_only_words(self, client: TestClient, q: str) -> None:
        body = search(client, q)
        for found in body["groups"]:
            for hit in found["hits"]:
                assert "<mark>" in hit["snippet"]

    def test_stop_words_alone_find_nothing(self, client: TestClient) -> None:
        assert search(client, "de la")["groups"] == []


class TestRankingAndSnippets:
    def test_groups_by_kind_best_first(self, client: TestClient) -> None:
        body = search(client, "kgb")
        kinds = [found["kind"] for found in body["groups"]]
        assert len(kinds) == len(set(kinds))
        assert kinds[0] == "actors"
        assert group(body, "actors")[0]["slug"] == "kgb"
        assert body["total"] == sum(found["total"] for found in body["groups"])
        for found in body["groups"]:
            scores = [hit["score"] for hit in found["hits"]]
            assert scores == sorted(scores, reverse=True)

    def test_name_outranks_a_mention(self, client: TestClient) -> None:
        hits = group(search(client, "seguridad colectiva"), "themes")
        assert hits[0]["slug"] == "seguridad-colectiva"

    def test_snippets_mark_the_words_and_escape_the_rest(self, client: TestClient) -> None:
        body = search(client, "comité seguridad")
        hits = group(body, "passages")
        assert hits
        for hit in hits:
            snippet = hit["snippet"]
            assert re.findall(r"<mark>([^<]*)</mark>", snippet)
            for word in re.findall(r"<mark>([^<]*)</mark>", snippet):
                assert fold(word).startswith(("comit", "segur")), word
            assert '"' not in snippet  # quotes in the text come escaped
        by_line = {passage_lines_by_id(client)[hit["id"]]: hit for hit in hits}
        assert "&quot;" in by_line[8]["snippet"]
        assert plain(by_line[8]["snippet"]) in SOURCE[7]

    def test_kind_and_limit(self, client: TestClient) -> None:
        body = search(client, "soviética", kind=["passages"], limit=2)
        assert [found["kind"] for found in body["groups"]] == ["passages"]
        assert len(body["groups"][0]["hits"]) == 2
        assert body["groups"][0]["total"] == len(lines_matching(r"\bsovietic[oa]s?\b"))

    def test_urls_lead_to_the_resources(self, client: TestClient) -> None:
        for found in search(client, "kgb")["groups"]:
            for hit in found["hits"]:
                assert client.get(hit["url"]).status_code == 200

    def test_english_labels(self, client: TestClient) -> None:
        hits = group(search(client, "guerra fría", lang="en"), "periods")
        assert hits[0]["label"] == CORPUS.entries("periods")["guerra-fria"]["name_en"]


class TestErrors:
    @pytest.mark.parametrize(
        ("params", "name"),
        [({}, "q"), ({"q": ""}, "q"), ({"q": "x" * 201}, "q"), ({"q": "kgb", "kind": "x"}, "kind")],
    )
    def test_invalid_is_422(self, client: TestClient, params: dict[str, Any], name: str) -> None:
        assert_problem(client.get(PATH, params=params), 422, name)


QUERIES = [
    "coexistencias pacíficas",
    "soviéticos",
    '"pacto con Hitler"',
    '"tratado de Brest-Litovsk"',
    "kgb",
    "Gorbachev",
    "Cold War",
    "Молотов",
    "1939",
    "détente",
    "frentes populares",
    "tercer mundo ayuda",
    "de la",
]


def test_both_backends_answer_alike(tmp_path: Path) -> None:
    """The same hits, order, scores and snippets from SQLite and PostgreSQL."""
    answers = []
    for backend in ("sqlite", "postgresql"):
        with throwaway_database(backend, tmp_path) as url:
            migrate(url)
            engine = create_engine(url)
            with Session(engine) as session, session.begin():
                load_seed(session, read_seed(SEED_DIR))
            engine.dispose()
            with TestClient(create_app(Settings(database_url=url))) as client:
                answers.append([search(client, q) for q in QUERIES])
    assert answers[0] == answers[1]


def hits(session: Session, kind: str, q: str) -> list[int]:
    return sorted(row.id for row in find(session, kind, parse_query(q)).rows)


class TestIndexFollowsWrites:
    def test_orm_insert_update_delete(self, session: Session) -> None:
        theme = Theme(slug="glasnost", name="Glásnost", description="Apertura informativa.")
        session.add(theme)
        session.flush()
        assert hits(session, "themes", "glasnost") == [theme.id]
        assert hits(session, "themes", "apertura") == [theme.id]
        theme.description = "Transparencia en la vida pública."
        session.flush()
        assert hits(session, "themes", "apertura") == []
        assert hits(session, "themes", "transparencias") == [theme.id]
        theme.aliases = ["openness"]
        session.flush()
        assert hits(session, "themes", "openness") == [theme.id]
        session.delete(theme)
        session.flush()
        assert hits(session, "themes", "glasnost") == []

    def test_bulk_insert(self, session: Session) -> None:
        rows = [
            PassageRow(
                text=f"La perestroika número {i} transformó la economía soviética.",
                source_file="bulk.txt",
                source_line=i,
                position=1000 + i,
            )
            for i in range(1, 4)
        ]
        bulk_insert_passages(session.connection(), rows)
        found = hits(session, "passages", "perestroika económica")
        assert len(found) == 0  # "economía" and "económica" are different words
        assert len(hits(session, "passages", "perestroika economía")) == 3

    def test_core_update_then_rebuild(self, session: Session) -> None:
        passage = Passage(
            position=1, text="Texto sobre Yalta.", source_file="x.txt", source_line=1, checksum="0"
        )
        session.add(passage)
        session.flush()
        session.execute(
            text("UPDATE passages SET text = 'Texto sobre Potsdam.' WHERE id = :id"),
            {"id": passage.id},
        )
        # Never stale: the old words no longer match, on either backend.
        assert hits(session, "passages", "yalta") == []
        rebuild_index(session.connection())
        assert hits(session, "passages", "potsdam") == [passage.id]
