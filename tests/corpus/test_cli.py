"""The curators' command line: keys, bulk import and export, on both backends."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.core.config import Settings, get_settings
from app.corpus.cli import main
from app.main import create_app
from app.models import ApiKey, Passage
from tests.conftest import SEED_DIR
from tests.keys import bearer


@pytest.fixture
def cli_url(writable_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", writable_url)
    get_settings.cache_clear()
    yield writable_url
    get_settings.cache_clear()


def count_passages(url: str) -> int:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(Passage)) or 0
    finally:
        engine.dispose()


class TestKeys:
    def test_create_list_revoke(self, cli_url: str, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["keys", "create", "--name", "alice", "--scope", "write"]) == 0
        key = capsys.readouterr().out.strip().splitlines()[-1]
        prefix = key.split("_")[1]
        with TestClient(create_app(Settings(database_url=cli_url))) as client:
            created = client.post("/api/v1/themes", json={"name": "Desarme"}, headers=bearer(key))
            assert created.status_code == 201
            assert main(["keys", "list"]) == 0
            listing = capsys.readouterr().out
            assert prefix in listing
            assert "alice" in listing
            assert key not in listing
            assert main(["keys", "revoke", prefix]) == 0
            again = client.post("/api/v1/themes", json={"name": "Otro"}, headers=bearer(key))
            assert again.status_code == 401

    def test_only_a_hash_is_stored(self, cli_url: str, capsys: pytest.CaptureFixture[str]) -> None:
        main(["keys", "create", "--name", "bob"])
        key = capsys.readouterr().out.strip().splitlines()[-1]
        engine = create_engine(cli_url)
        with Session(engine) as session:
            stored = session.scalars(select(ApiKey)).one()
            assert stored.scopes == ["write"]
            assert key not in (stored.secret_hash, stored.prefix, stored.name)
        engine.dispose()

    def test_revoke_unknown_prefix_fails(self, cli_url: str) -> None:
        assert main(["keys", "revoke", "deadbeef"]) == 1


class TestImport:
    def test_text_file_is_linked_and_resumable(
        self, cli_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        before = count_passages(cli_url)
        path = tmp_path / "articulo.txt"
        path.write_text(
            "En 1955 la Unión Soviética defendió la coexistencia pacífica.\n"
            "\n"
            "El KGB vigilaba a los disidentes.\n",
            encoding="utf-8",
        )
        assert main(["import", str(path)]) == 0
        out = capsys.readouterr().out
        assert "Imported 2 passages" in out
        assert count_passages(cli_url) == before + 2
        assert main(["import", str(path)]) == 0
        assert "Imported 0 passages" in capsys.readouterr().out
        assert count_passages(cli_url) == before + 2
        with TestClient(create_app(Settings(database_url=cli_url))) as client:
            kgb = client.get("/api/v1/actors/kgb").json()
            texts = [p["text"] for p in kgb["passages"]]
            assert "El KGB vigilaba a los disidentes." in texts
            found = client.get("/api/v1/passages", params={"era": "guerra-fria", "q": "1955"})
            assert found.json()["total"] == 1

    def test_a_resumed_import_continues_the_article(
        self, cli_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "memorias.txt"
        first = "En 1972 la distensión alivió a Moscú.\n"
        path.write_text(first, encoding="utf-8")
        assert main(["import", str(path)]) == 0  # stopped after its first line
        path.write_text(first + "La Unión Soviética firmó tratados.\n", encoding="utf-8")
        assert main(["import", str(path)]) == 0
        assert "Imported 1 passages" in capsys.readouterr().out
        with TestClient(create_app(Settings(database_url=cli_url))) as client:
            found = client.get("/api/v1/passages", params={"q": "firmo tratados"}).json()
            (passage,) = found["items"]
            detail = client.get(f"/api/v1/passages/{passage['id']}").json()
            assert [p["slug"] for p in detail["periods"]] == ["distension"]

    def test_bad_lines_are_reported_and_skipped(
        self, cli_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        before = count_passages(cli_url)
        path = tmp_path / "lote.jsonl"
        lines = [
            json.dumps({"text": "Mólotov firmó el pacto.", "start_year": 1939, "end_year": 1939}),
            "{not json",
            json.dumps({"text": "Sin años", "start_year": 1950, "end_year": 1940}),
            json.dumps(["a list"]),
            json.dumps({"text": "Con enlaces dados.", "links": {"themes": ["espionaje"]}}),
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert main(["import", str(path), "--batch-size", "2"]) == 1
        captured = capsys.readouterr()
        assert "Imported 2 passages" in captured.out
        for number in (2, 3, 4):
            assert f"line {number}:" in captured.err
        assert count_passages(cli_url) == before + 2


class TestExport:
    def test_fresh_seed_exports_to_itself(self, cli_url: str, tmp_path: Path) -> None:
        out = tmp_path / "export"
        assert main(["export", str(out)]) == 0
        for name in ("annotations.toml", "000_3366750bb15ee663.txt"):
            assert (out / name).read_bytes() == (SEED_DIR / name).read_bytes(), name
        assert (out / "passages.jsonl").read_text() == ""

    def test_api_edit_shows_in_the_export(
        self, cli_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        main(["keys", "create", "--name", "carol"])
        key = capsys.readouterr().out.strip().splitlines()[-1]
        with TestClient(create_app(Settings(database_url=cli_url))) as client:
            tag = client.get("/api/v1/actors/kgb").headers["etag"]
            response = client.patch(
                "/api/v1/actors/kgb",
                json={"aliases": ["Checa"]},
                headers={**bearer(key), "If-Match": tag},
            )
            assert response.status_code == 200
        main(["export", str(tmp_path)])
        exported = (tmp_path / "annotations.toml").read_text(encoding="utf-8")
        assert 'aliases = [\n    "Checa",\n]' in exported or 'aliases = ["Checa"]' in exported
