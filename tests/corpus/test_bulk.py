"""The bulk path (`app.corpus.bulk`) writes what the ORM path writes: the seed's passages loaded
through it and through `app.corpus.seed` give the same rows, links, search index and API answers,
on both backends."""

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import create_db_engine
from app.corpus.bulk import PassageRow, bulk_insert_passages, sqlite_bulk_load
from app.corpus.seed import PassageSpec, Seed, load_seed, read_seed
from app.main import create_app
from app.models import Actor, Base, Event, Passage, Period, Region, Theme
from app.models.search import INDEXED_COLUMNS, TRIGRAM_TABLE, fts_table
from tests.conftest import SEED_DIR
from tests.databases import migrate, throwaway_database

SEED = read_seed(SEED_DIR)
MODELS: dict[str, type[Any]] = {
    "actors": Actor,
    "periods": Period,
    "regions": Region,
    "themes": Theme,
    "events": Event,
}
# Set by the clock, so never the same on two loads.
TIMESTAMPS = {"created_at", "updated_at"}
QUESTIONS = [
    "/api/v1/passages",
    "/api/v1/passages?q=pacto",
    '/api/v1/passages?q="seguridad colectiva"',
    "/api/v1/passages?theme=seguridad-colectiva&from=1930&to=1939",
    "/api/v1/passages?era=guerra-fria&region=tercer-mundo",
    "/api/v1/passages?actor=kgb&include=actors,events,periods,regions,themes",
    *(f"/api/v1/passages/{n}" for n in range(1, len(SEED.lines) + 1)),
    "/api/v1/actors/kgb",
    "/api/v1/themes/espionaje",
    "/api/v1/periods/guerra-fria",
    "/api/v1/regions/europa",
    "/api/v1/events/pacto-ribbentrop-molotov",
    "/api/v1/search?q=soviética",
    "/api/v1/timeline",
]


def entities_only(seed: Seed) -> Seed:
    """The seed without its passages."""
    return Seed(seed.annotations.model_copy(update={"passages": []}), seed.source_name, [])


def seed_rows(seed: Seed, connection: Connection) -> list[PassageRow]:
    """The seed's passages as the bulk path takes them, entities by their ids."""
    ids: dict[str, dict[str, int]] = {
        kind: dict(connection.execute(select(model.slug, model.id)).all())
        for kind, model in MODELS.items()
    }
    specs = {spec.line: spec for spec in seed.annotations.passages}
    rows = []
    for line in seed.lines:
        spec = specs.get(line.line, PassageSpec(line=line.line))
        links = {kind: [ids[kind][slug] for slug in getattr(spec, kind)] for kind in MODELS}
        rows.append(
            PassageRow(
                text=line.text,
                source_file=seed.source_name,
                source_line=line.line,
                position=line.line,
                start_year=spec.start_year,
                end_year=spec.end_year,
                footnotes=line.footnotes,
                note=spec.note,
                checksum=line.checksum,
                extra={"text_en": spec.text_en},
                **links,
            )
        )
    return rows


def app_engine(url: str) -> Engine:
    """The app's own engine (SQLite: foreign keys on, WAL)."""
    return create_db_engine(Settings(database_url=url))


def load_entities(url: str) -> None:
    migrate(url)
    engine = app_engine(url)
    with Session(engine) as session, session.begin():
        load_seed(session, entities_only(SEED))
    engine.dispose()


def bulk_load(url: str, *, batch_size: int) -> int:
    engine = app_engine(url)
    try:
        with engine.begin() as connection:
            return bulk_insert_passages(
                connection, seed_rows(SEED, connection), batch_size=batch_size
            )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def loaded(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(the seed loaded by `app.corpus.seed`, the same through `app.corpus.bulk`)."""
    with ExitStack() as stack:
        orm_url = stack.enter_context(throwaway_database(backend, tmp_path_factory.mktemp("orm")))
        bulk_url = stack.enter_context(throwaway_database(backend, tmp_path_factory.mktemp("bulk")))
        migrate(orm_url)
        engine = app_engine(orm_url)
        with Session(engine) as session, session.begin():
            load_seed(session, SEED)
        engine.dispose()
        load_entities(bulk_url)
        # Batches of 4 split the seed's 15 passages unevenly.
        assert bulk_load(bulk_url, batch_size=4) == len(SEED.lines)
        yield orm_url, bulk_url


def contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the clocks' columns, and the full-text index."""
    engine = app_engine(url)
    tables: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                columns = [c for c in table.columns if c.name not in TIMESTAMPS]
                query = select(*columns).order_by(*table.primary_key.columns)
                tables[table.name] = [tuple(row) for row in connection.execute(query)]
            for indexed in INDEXED_COLUMNS:
                if connection.dialect.name == "sqlite":
                    index = f"SELECT rowid, title, aliases, body FROM {fts_table(indexed)}"
                else:
                    index = f"SELECT id, search_vector::text FROM {indexed}"
                rows = connection.execute(text(f"{index} ORDER BY 1"))
                tables[f"index of {indexed}"] = [tuple(row) for row in rows]
            if connection.dialect.name == "sqlite":
                tables["substring index"] = substring_index(connection)
    finally:
        engine.dispose()
    return tables


def substring_index(connection: Connection) -> list[tuple[Any, ...]]:
    """For each word of the passages' folded text, the passages SQLite's trigram index
    finds for it and those a scan finds: the same when the index holds every passage."""
    texts = connection.scalars(select(Passage.search_text))
    words = sorted({word for folded in texts for word in folded.split() if len(word) >= 3})
    found = []
    for word in words:
        pattern = {"pattern": f"%{word}%"}
        by_index = connection.scalars(
            text(f"SELECT rowid FROM {TRIGRAM_TABLE} WHERE search_text LIKE :pattern"), pattern
        )
        by_scan = connection.scalars(
            text("SELECT id FROM passages WHERE search_text LIKE :pattern"), pattern
        )
        found.append((word, sorted(by_index), sorted(by_scan)))
    return found


def test_same_rows_links_and_index(loaded: tuple[str, str]) -> None:
    orm_url, bulk_url = loaded
    expected, found = contents(orm_url), contents(bulk_url)
    assert len(expected["passages"]) == len(SEED.lines)
    assert expected["passage_actors"]
    assert expected["index of passages"]
    for table, rows in expected.items():
        assert found[table] == rows, table
    for word, by_index, by_scan in found.get("substring index", []):
        assert by_index == by_scan, word


def test_same_answers(loaded: tuple[str, str]) -> None:
    orm_url, bulk_url = loaded
    with (
        TestClient(create_app(Settings(database_url=orm_url))) as orm,
        TestClient(create_app(Settings(database_url=bulk_url))) as bulk,
    ):
        for question in QUESTIONS:
            expected = orm.get(question)
            assert expected.status_code == 200, question
            found = bulk.get(question)
            assert (found.status_code, found.json()) == (200, expected.json()), question
            assert found.headers["etag"] == expected.headers["etag"], question


def test_ids_continue_after_a_bulk_load(loaded: tuple[str, str]) -> None:
    """The ids a bulk load takes are taken: the next passage gets the one after them."""
    _, bulk_url = loaded
    engine = app_engine(bulk_url)
    try:
        with Session(engine) as session:
            passage = Passage(
                position=99, text="Un pasaje más.", source_file="x.txt", source_line=1, checksum="0"
            )
            session.add(passage)
            session.flush()
            assert passage.id == len(SEED.lines) + 1
            session.rollback()
    finally:
        engine.dispose()


def test_a_running_app_sees_a_bulk_load(backend: str, tmp_path: Path) -> None:
    """A bulk load changes the data version: cached answers are not served after it."""
    with throwaway_database(backend, tmp_path) as url:
        load_entities(url)
        with TestClient(create_app(Settings(database_url=url))) as client:
            assert client.get("/api/v1/passages").json()["total"] == 0
            assert client.get("/api/v1/passages").json()["total"] == 0  # from the cache
            bulk_load(url, batch_size=100)
            # PostgreSQL tells the app by NOTIFY, a moment after the commit.
            deadline = time.monotonic() + 10
            while (total := client.get("/api/v1/passages").json()["total"]) == 0:
                assert time.monotonic() < deadline, "the app still answers from before the load"
                time.sleep(0.05)
            assert total == len(SEED.lines)


class TestPassageRow:
    def test_extra_must_name_another_column(self) -> None:
        with pytest.raises(ValueError, match="no other column of passages: nope"):
            PassageRow(text="x", source_file="f", source_line=1, position=1, extra={"nope": 1})

    def test_extra_cannot_set_a_field(self) -> None:
        with pytest.raises(ValueError, match="checksum"):
            PassageRow(
                text="x", source_file="f", source_line=1, position=1, extra={"checksum": "0"}
            )

    def test_one_year_is_an_open_span(self) -> None:
        row = PassageRow(text="x", source_file="f", source_line=1, position=1, start_year=1939)
        assert (row.start_year, row.end_year) == (1939, None)

    def test_years_are_ordered(self) -> None:
        with pytest.raises(ValueError, match="is after end_year"):
            PassageRow(
                text="x", source_file="f", source_line=1, position=1, start_year=2, end_year=1
            )


def test_repeated_links_are_inserted_once(session: Session) -> None:
    actor = Actor(slug="x", name="X", kind="person")
    session.add(actor)
    session.flush()
    row = PassageRow(
        text="Un pasaje.", source_file="f", source_line=1, position=1, actors=[actor.id] * 3
    )
    assert bulk_insert_passages(session.connection(), [row]) == 1
    links = session.execute(text("SELECT actor_id FROM passage_actors")).scalars().all()
    assert links == [actor.id]


def test_batch_size_must_be_positive(session: Session) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        bulk_insert_passages(session.connection(), [], batch_size=0)


def synchronous(connection: Connection) -> int:
    """PRAGMA synchronous, read outside SQLAlchemy's transactions."""
    driver_connection: Any = connection.connection.driver_connection
    return int(driver_connection.execute("PRAGMA synchronous").fetchone()[0])


class TestSqliteBulkLoad:
    @pytest.fixture
    def engine(self, tmp_path: Path) -> Iterator[Engine]:
        (tmp_path / "bulk.db").touch()  # the app's engine opens a database, never makes one
        engine = app_engine(f"sqlite:///{tmp_path / 'bulk.db'}")
        yield engine
        engine.dispose()

    def test_syncs_are_off_inside_and_restored_after(self, engine: Engine) -> None:
        with engine.connect() as connection:
            connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                "PRAGMA synchronous = NORMAL"
            )
            with sqlite_bulk_load(connection):
                assert synchronous(connection) == 0
                with connection.begin():
                    connection.execute(text("CREATE TABLE t (x)"))
            assert synchronous(connection) == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"

    def test_restored_after_a_failure(self, engine: Engine) -> None:
        with engine.connect() as connection:
            before = synchronous(connection)
            with (
                pytest.raises(RuntimeError, match="boom"),
                sqlite_bulk_load(connection),
                connection.begin(),
            ):
                raise RuntimeError("boom")
            assert synchronous(connection) == before != 0

    def test_a_transaction_left_open_drops_the_connection(self, engine: Engine) -> None:
        with engine.connect() as connection:
            with sqlite_bulk_load(connection):
                connection.execute(text("SELECT 1"))
            assert connection.invalidated
        with engine.connect() as connection:
            assert synchronous(connection) != 0

    def test_refused_inside_a_transaction(self, engine: Engine) -> None:
        with (
            engine.begin() as connection,
            pytest.raises(RuntimeError, match="before the transaction"),
            sqlite_bulk_load(connection),
        ):
            pass
