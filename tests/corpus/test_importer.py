"""The command-line import stores what `POST /passages` stores for the same lines: the same
passages, links, positions, search hits and audit rows, on both backends."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session, selectinload

from app.core.config import Settings, get_settings
from app.core.data_version import DATA_VERSION_TABLE
from app.core.kinds import PASSAGE_LINKS
from app.corpus.cli import main
from app.main import create_app
from app.models import AuditEntry, Passage
from tests.databases import clone_database
from tests.keys import bearer, make_key

SOURCE = "memorias.txt"
ARTICLE = [
    "En 1972 la distensión alivió a Moscú.",
    "La Unión Soviética firmó tratados.",
    "El KGB vigilaba a los disidentes.",
    "En 1955 la Unión Soviética defendió la coexistencia pacífica.",
    "Mólotov negoció en Ginebra.",
]


@pytest.fixture
def twin_urls(
    backend: str, template_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str]]:
    """Two copies of the seeded database: the command line imports into the first."""
    for name in ("imported", "posted"):
        (tmp_path / name).mkdir()
    with (
        clone_database(backend, template_url, tmp_path / "imported") as imported,
        clone_database(backend, template_url, tmp_path / "posted") as posted,
    ):
        monkeypatch.setenv("DATABASE_URL", imported)
        get_settings.cache_clear()
        yield imported, posted
        get_settings.cache_clear()


def post_lines(url: str, lines: list[dict[str, Any]]) -> None:
    key = make_key(url, "write")
    with TestClient(create_app(Settings(database_url=url))) as client:
        for body in lines:
            response = client.post("/api/v1/passages", json=body, headers=bearer(key))
            assert response.status_code == 201, response.text


def stored_state(url: str) -> dict[str, Any]:
    """What the new passages are: rows, links and audit, without the audit's key and time."""
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            loads = [selectinload(getattr(Passage, kind)) for kind in PASSAGE_LINKS]
            passages = [
                {
                    "id": p.id,
                    "position": p.position,
                    "text": p.text,
                    "text_en": p.text_en,
                    "source": p.source,
                    "years": (p.start_year, p.end_year),
                    "footnotes": p.footnotes,
                    "note": p.note,
                    "search_text": p.search_text,
                    **{kind: [e.slug for e in getattr(p, kind)] for kind in PASSAGE_LINKS},
                }
                for p in session.scalars(select(Passage).options(*loads).order_by(Passage.id))
            ]
            audit = [
                (a.action, a.resource, a.identifier, a.before, a.after)
                for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            ]
    finally:
        engine.dispose()
    return {"passages": passages, "audit": audit}


def hits(url: str) -> dict[str, Any]:
    with TestClient(create_app(Settings(database_url=url))) as client:
        listed = client.get("/api/v1/passages", params={"q": "firmo tratados"}).json()
        found = client.get("/api/v1/search", params={"q": "disidentes"}).json()
        era = client.get("/api/v1/passages", params={"era": "distension", "limit": 100}).json()
    return {
        "q": [p["id"] for p in listed["items"]],
        "search": json.dumps(found, sort_keys=True),
        "era": [p["id"] for p in era["items"]],
    }


class TestSameAsTheApi:
    def test_text_file(
        self, twin_urls: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        imported, posted = twin_urls
        path = tmp_path / SOURCE
        path.write_text("\n".join([*ARTICLE, ARTICLE[1]]) + "\n", encoding="utf-8")
        assert main(["import", str(path), "--batch-size", "2"]) == 0
        assert f"Imported {len(ARTICLE)} passages" in capsys.readouterr().out
        post_lines(posted, [{"text": text, "source_file": SOURCE} for text in ARTICLE])
        assert stored_state(imported) == stored_state(posted)
        assert hits(imported) == hits(posted)
        assert hits(imported)["q"], "the substring index finds the new passage"

    def test_jsonl_with_given_links_years_and_sources(
        self, twin_urls: tuple[str, str], tmp_path: Path
    ) -> None:
        imported, posted = twin_urls
        bodies: list[dict[str, Any]] = [
            {"text": ARTICLE[0], "source_file": "a.txt", "footnotes": ["1"], "note": "n"},
            {"text": "Otro artículo empieza aquí.", "source_file": "b.txt"},
            {"text": ARTICLE[1], "source_file": "a.txt", "text_en": "The USSR signed."},
            {"text": "Con enlaces dados.", "links": {"themes": ["espionaje"]}},
            {"text": "Un año solo.", "start_year": 1939, "source_file": "a.txt"},
            {"text": ARTICLE[2], "source_file": "a.txt"},
        ]
        path = tmp_path / "lote.jsonl"
        path.write_text("\n".join(json.dumps(b) for b in bodies) + "\n", encoding="utf-8")
        assert main(["import", str(path), "--batch-size", "4"]) == 0
        post_lines(posted, [{"source_file": path.name, **b} for b in bodies])
        assert stored_state(imported) == stored_state(posted)


class TestImportRules:
    def test_dedup_within_a_file_and_resume(
        self, twin_urls: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        imported, _ = twin_urls
        path = tmp_path / SOURCE
        path.write_text(f"{ARTICLE[2]}\n{ARTICLE[2]}\n{ARTICLE[3]}\n", encoding="utf-8")
        assert main(["import", str(path)]) == 0
        assert "Imported 2 passages" in capsys.readouterr().out
        before = stored_state(imported)
        assert main(["import", str(path)]) == 0
        assert "Imported 0 passages" in capsys.readouterr().out
        assert stored_state(imported) == before

    def test_unknown_link_is_refused_and_does_not_break_the_article(
        self, twin_urls: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        imported, posted = twin_urls
        path = tmp_path / "lote.jsonl"
        lines = [
            json.dumps({"text": ARTICLE[0]}),
            json.dumps({"text": "Nada.", "links": {"themes": ["no-existe"]}}),
            json.dumps({"text": ARTICLE[1]}),
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert main(["import", str(path)]) == 1
        err = capsys.readouterr().err
        assert "line 2: themes: unknown theme 'no-existe'; skipped" in err
        post_lines(posted, [{"text": t, "source_file": path.name} for t in ARTICLE[:2]])
        assert stored_state(imported) == stored_state(posted)


def test_the_data_version_moves(twin_urls: tuple[str, str], backend: str, tmp_path: Path) -> None:
    """Kept answers are dropped after an import: PostgreSQL's generation counter advances
    (SQLite's `PRAGMA data_version` changes with any commit by itself)."""
    imported, _ = twin_urls
    if backend != "postgresql":
        pytest.skip("SQLite's data version is its own commit counter")
    engine = create_engine(imported)
    query = text(f"SELECT generation FROM {DATA_VERSION_TABLE} WHERE id = 1")
    try:
        with engine.connect() as connection:
            before = connection.scalar(query)
        path = tmp_path / SOURCE
        path.write_text(ARTICLE[0] + "\n", encoding="utf-8")
        assert main(["import", str(path)]) == 0
        with engine.connect() as connection:
            assert connection.scalar(query) > before
    finally:
        engine.dispose()
