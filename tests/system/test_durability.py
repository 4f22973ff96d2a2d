"""A 2xx for a write means the write is durable: faults at commit time, a crash in the middle
of a burst of writes and a database file moved away lose nothing that was acknowledged, and
nothing unacknowledged is half-stored."""

import asyncio
import resource
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.data_version import data_version_for
from app.main import create_app
from app.models import Passage
from tests.keys import bearer, make_key
from tests.servers import Server, wait_for

NO_LINKS: dict[str, list[str]] = {
    "events": [],
    "actors": [],
    "periods": [],
    "regions": [],
    "themes": [],
}
BURST_WRITERS = 4
BURST_EACH = 60


def passage_body(text: str) -> dict[str, object]:
    return {"text": text, "links": NO_LINKS}


def stored_texts(url: str) -> dict[int, str]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return {row.id: row.text for row in session.execute(select(Passage.id, Passage.text))}
    finally:
        engine.dispose()


class Burst:
    """Writers posting passages with unique texts, each outcome recorded as it came back."""

    def __init__(self, base: str, key: str) -> None:
        self.base, self.key = base, key
        self.acknowledged: dict[str, int] = {}
        self.refused: dict[str, int] = {}
        self.unanswered: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def write(self, writer: int) -> None:
        with httpx.Client(base_url=self.base, timeout=10) as client:
            for n in range(BURST_EACH):
                if self.stop.is_set():
                    return
                text = f"Pasaje de prueba {writer}-{n}: la política exterior soviética."
                try:
                    response = client.post(
                        "/api/v1/passages", json=passage_body(text), headers=bearer(self.key)
                    )
                except httpx.TransportError:
                    with self.lock:
                        self.unanswered.append(text)
                    return
                with self.lock:
                    if response.status_code == 201:
                        self.acknowledged[text] = response.json()["id"]
                    else:
                        self.refused[text] = response.status_code

    def run(self, until: Callable[[], None]) -> None:
        threads = [threading.Thread(target=self.write, args=(n,)) for n in range(BURST_WRITERS)]
        for thread in threads:
            thread.start()
        try:
            until()
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(30)

    def assert_nothing_lost(self, stored: dict[int, str]) -> None:
        by_text = {text: passage_id for passage_id, text in stored.items()}
        lost = {t: i for t, i in self.acknowledged.items() if by_text.get(t) != i}
        assert not lost, f"acknowledged but not stored as answered: {lost}"
        half = [text for text in self.refused if text in by_text]
        assert not half, f"refused but stored: {half}"
        # A request cut by the crash may or may not have committed; either way it is whole.
        for text in self.unanswered:
            assert list(by_text).count(text) <= 1


def test_a_killed_server_keeps_every_acknowledged_write(writable_url: str, tmp_path: Path) -> None:
    key = make_key(writable_url, "write")
    server = Server(writable_url, tmp_path / "server.log")
    server.start()
    burst = Burst(server.base, key)

    def crash_mid_burst() -> None:
        wait_for(lambda: len(burst.acknowledged) >= 20, 60, "twenty acknowledged writes")
        server.kill()

    try:
        burst.run(crash_mid_burst)
    finally:
        server.stop()
    assert len(burst.acknowledged) >= 20
    burst.assert_nothing_lost(stored_texts(writable_url))
    # And the database opens and serves again after the crash.
    server = Server(writable_url, tmp_path / "server.log")
    server.start()
    try:
        some_id = next(iter(burst.acknowledged.values()))
        assert httpx.get(f"{server.base}/api/v1/passages/{some_id}").status_code == 200
    finally:
        server.stop()


def limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:
        # Past the limit a write fails with EFBIG instead of the process being killed.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_sqlite_disk_full_acknowledges_nothing_it_did_not_store(
    backend: str, writable_url: str, tmp_path: Path
) -> None:
    """The server may grow no file past a few pages more than the database holds now, as on
    a full disk: writes fail at commit, are answered 503, and /readyz says why."""
    if backend != "sqlite":
        pytest.skip("a file-size limit on the process is SQLite's disk; PostgreSQL's is its own")
    key = make_key(writable_url, "write")
    database = Path(make_url(writable_url).database or "")
    with create_engine(writable_url).connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    limit = database.stat().st_size + 48 * 1024
    server = Server(
        writable_url,
        tmp_path / "server.log",
        env={"RESPONSE_CACHE_BYTES": "0"},
        preexec=limit_file_size(limit),
    )
    server.start()
    burst = Burst(server.base, key)
    try:
        burst.run(lambda: wait_for(lambda: bool(burst.refused), 60, "a write that cannot commit"))
        readiness = httpx.get(f"{server.base}/readyz")
    finally:
        server.stop()
    assert set(burst.refused.values()) == {503}, burst.refused
    assert readiness.status_code == 503
    assert "Writes cannot commit" in readiness.json()["detail"]
    burst.assert_nothing_lost(stored_texts(writable_url))


def test_sqlite_file_moved_while_serving_loses_nothing(
    backend: str, writable_url: str, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("a database file moved under the app")
    key = make_key(writable_url, "write")
    database = Path(make_url(writable_url).database or "")
    away = tmp_path / "away.db"
    texts = [f"Pasaje {n} escrito antes de mover el fichero." for n in range(4)]
    with TestClient(create_app(Settings(database_url=writable_url))) as client:
        written = {}
        for text in texts:
            response = client.post("/api/v1/passages", json=passage_body(text), headers=bearer(key))
            assert response.status_code == 201
            written[text] = response.json()["id"]
        shutil.move(database, away)
        assert client.get("/api/v1/passages").status_code == 503
        late = client.post("/api/v1/passages", json=passage_body("Tarde."), headers=bearer(key))
        assert late.status_code == 503
        assert not database.exists(), "an empty database was made in place of the moved one"
        shutil.move(away, database)
        wait_for(lambda: client.get("/api/v1/passages").status_code == 200, 10, "recovery")
        for text, passage_id in written.items():
            assert client.get(f"/api/v1/passages/{passage_id}").json()["text"] == text
    stored = stored_texts(writable_url)
    assert "Tarde." not in stored.values()


def test_a_database_put_back_between_runs_is_not_answered_from_before(
    writable_url: str, template_url: str, backend: str
) -> None:
    """The app's lifespan stops, the database is replaced by another (on SQLite a new file
    may even reuse the inode; on PostgreSQL a database made again from a template repeats
    its generation counter) and the same app starts again: nothing kept before is served."""
    if backend != "sqlite":
        pytest.skip("the file replaced under the same path; PostgreSQL is walked in test_stateful")
    key = make_key(writable_url, "write")
    database = Path(make_url(writable_url).database or "")
    with TestClient(create_app(Settings(database_url=writable_url))) as writer:
        before = writer.get("/api/v1/themes/espionaje", headers=bearer(key))
        headers = {**bearer(key), "If-Match": before.headers["etag"]}
        patch = {"description": "Cambiada antes de reponer la base."}
        assert writer.patch("/api/v1/themes/espionaje", json=patch, headers=headers).is_success
    app = create_app(Settings(database_url=writable_url))
    with TestClient(app) as client:
        changed = client.get("/api/v1/themes/espionaje")
        assert client.get("/api/v1/themes/espionaje").headers["etag"] == changed.headers["etag"]
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    # Written over in place: the same inode, as a recycled one would be.
    with database.open("r+b") as file:
        file.write(Path(make_url(template_url).database or "").read_bytes())
        file.truncate()
    with TestClient(app) as client:
        again = client.get("/api/v1/themes/espionaje")
    assert again.headers["etag"] == before.headers["etag"] != changed.headers["etag"]


def test_versions_over_another_connection_never_match_earlier_ones(writable_url: str) -> None:
    """A counter read over a new connection (after a fault, a restart of the lifespan, a
    database put back) is not comparable with one read before: the two never compare equal,
    so nothing kept under the old one is served under the new."""
    version = data_version_for(writable_url)

    async def two_readings() -> tuple[object, object]:
        first = await version.current()
        await version.stop()
        second = await version.current()
        await version.stop()
        return first, second

    first, second = asyncio.run(two_readings())
    assert first is not None
    assert second is not None
    assert first != second
