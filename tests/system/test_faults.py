"""Faults from outside the app: the database missing, unusable, stopped or cutting connections,
and the server being told to stop mid-request. The app answers 503 (never 500) while the database
is away, recovers by itself when it is back, and finishes in-flight requests on SIGTERM."""

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.core.config import PROJECT_ROOT, Settings
from app.corpus.seed import load_seed, read_seed
from app.main import create_app
from tests.databases import POSTGRES_SKIP, migrate, throwaway_database
from tests.helpers import assert_problem
from tests.servers import answers, free_port, wait_for


def seed_database(url: str) -> None:
    migrate(url)
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        load_seed(session, read_seed(PROJECT_ROOT / "seed"))
    engine.dispose()


def assert_down(client: TestClient) -> None:
    """The process is alive, not ready, and API calls get a 503 problem with Retry-After."""
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert_problem(ready, 503)
    for path in ("/api/v1/passages", "/api/v1/actors/kgb", "/api/v1/timeline"):
        response = client.get(path)
        body = assert_problem(response, 503)
        assert body["type"] == "/problems/service-unavailable"
        assert int(response.headers["retry-after"]) >= 1


def assert_up(client: TestClient) -> None:
    assert client.get("/readyz").status_code == 200
    passages = client.get("/api/v1/passages")
    assert passages.status_code == 200, passages.text
    assert passages.json()["total"] >= 10
    assert client.get("/api/v1/actors/kgb").status_code == 200


# --- SQLite -------------------------------------------------------------------------------


def _directory(path: Path) -> None:
    path.mkdir()


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"this is not a database\n" * 200)


def _empty_file(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    "replacement",
    [
        pytest.param(_directory, id="directory"),
        pytest.param(_not_a_database, id="not-a-database"),
        pytest.param(_empty_file, id="empty-file"),
    ],
)
def test_sqlite_unusable_at_start_then_restored(
    tmp_path: Path, replacement: Callable[[Path], None]
) -> None:
    database = tmp_path / "anales.db"
    url = f"sqlite:///{database}"
    seed_database(url)
    away = tmp_path / "away.db"
    database.rename(away)
    replacement(database)

    with TestClient(create_app(Settings(database_url=url))) as client:
        assert_down(client)
        assert_down(client)

        if database.is_dir():
            database.rmdir()
        else:
            database.unlink()
        away.rename(database)

        assert_up(client)
        assert client.get("/api/v1/passages", params={"q": "litvinov"}).json()["total"] == 1


def test_sqlite_missing_file_is_503_not_an_empty_database(tmp_path: Path) -> None:
    """A path with nothing there: SQLite would create an empty database, with no tables."""
    url = f"sqlite:///{tmp_path / 'missing.db'}"
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert_down(client)


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture
def server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(POSTGRES_SKIP)
    return url


def test_postgres_database_missing_at_start_then_created(server_url: str) -> None:
    name = f"anales_test_{uuid.uuid4().hex[:12]}"
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with TestClient(create_app(Settings(database_url=url))) as client:
            assert_down(client)
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            # There, but empty: not ready until migrated, and its API answers 503 as well.
            assert_down(client)
            seed_database(url)
            assert_up(client)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(server_url: str, tmp_path: Path) -> Iterator[str]:
    with throwaway_database("postgresql", tmp_path) as url:
        seed_database(url)
        yield url


def terminate_connections(server_url: str, database: str) -> int:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            terminated = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            ).all()
    finally:
        admin.dispose()
    return len(terminated)


def test_postgres_connections_terminated_under_a_running_app(
    server_url: str, postgres_url: str
) -> None:
    database = make_url(postgres_url).database
    assert database is not None
    with TestClient(create_app(Settings(database_url=postgres_url, pool_size=3))) as client:
        # Fill the pool with open connections, then cut them all (and the LISTEN one).
        threads = [
            threading.Thread(target=client.get, args=("/api/v1/passages",)) for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert_up(client)
        for _ in range(3):
            assert terminate_connections(server_url, database) >= 1
            statuses = [
                client.get(path).status_code
                for path in ("/api/v1/passages", "/api/v1/themes", "/api/v1/actors/kgb") * 3
            ]
            assert 500 not in statuses, statuses
            assert statuses.count(503) <= 1, statuses
            assert statuses[-3:] == [200, 200, 200], statuses
        assert_up(client)


# --- PostgreSQL server stopped and started -----------------------------------------------

NO_POSTGRES_SERVER = (
    "no PostgreSQL server binaries (initdb, pg_ctl) in `pg_config --bindir` "
    "or /usr/lib/postgresql/*/bin"
)


def postgres_bindir() -> Path | None:
    """The installed server's initdb and pg_ctl: pg_config's, else the newest packaged one."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if found.returncode == 0:
            candidates.append(Path(found.stdout.strip()))
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(
        versions, key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0
    )[::-1]
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


class PostgresCluster:
    """A private PostgreSQL server on 127.0.0.1 only, which the test may stop and start."""

    def __init__(self, bindir: Path, directory: Path) -> None:
        self.bindir = bindir
        self.directory = directory
        self.data = directory / "data"
        self.log = directory / "server.log"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        # initdb and pg_ctl refuse to run as root.
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*as_user, str(self.bindir / program), *args],
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        log = self.log.read_text() if self.log.exists() else ""
        assert done.returncode == 0, f"{program} {args}:\n{done.stdout}{done.stderr}\n{log}"

    def init(self) -> None:
        self._run(
            "initdb",
            *("-D", str(self.data), "-U", "postgres", "--auth=trust"),
            *("--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"),
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": "''",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def start(self) -> None:
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "30")


@pytest.fixture
def private_cluster() -> Iterator[PostgresCluster]:
    """An initialised cluster, not yet started; stopped and deleted afterwards."""
    bindir = postgres_bindir()
    if bindir is None:
        pytest.skip(NO_POSTGRES_SERVER)
    directory = Path(tempfile.mkdtemp(prefix="anales-pg-"))
    try:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(directory, owner.pw_uid, owner.pw_gid)
        cluster = PostgresCluster(bindir, directory)
        cluster.init()
        try:
            yield cluster
        finally:
            if cluster.running():
                cluster.stop("immediate")
    finally:
        shutil.rmtree(directory)


def wait_until_up(client: TestClient, seconds: float = 10) -> None:
    """Poll until the app answers again; meanwhile every answer is a 200 or a 503, never a 500."""
    deadline = time.monotonic() + seconds
    while True:
        statuses = [client.get(path).status_code for path in ("/readyz", "/api/v1/passages")]
        assert set(statuses) <= {200, 503}, statuses
        if statuses == [200, 200]:
            return
        assert time.monotonic() < deadline, f"the app did not recover: {statuses}"
        time.sleep(0.1)


def test_postgres_server_stopped_and_started_under_a_running_app(
    private_cluster: PostgresCluster,
) -> None:
    """Started with the server down, the app serves once it is up and rides out a restart."""
    with TestClient(create_app(Settings(database_url=private_cluster.url))) as client:
        assert_down(client)

        private_cluster.start()
        seed_database(private_cluster.url)
        wait_until_up(client)
        assert_up(client)
        passages = client.get("/api/v1/passages", params={"limit": 100}).json()
        assert passages["total"] >= 10

        private_cluster.stop()
        assert_down(client)
        assert_down(client)

        private_cluster.start()
        wait_until_up(client)
        assert_up(client)
        assert client.get("/api/v1/passages", params={"limit": 100}).json() == passages


# --- SIGTERM ------------------------------------------------------------------------------

SLOW_APP = '''
"""create_app() plus a route that takes two seconds, for the SIGTERM test."""

import asyncio
import os
from pathlib import Path

from app.main import create_app

app = create_app()


@app.get("/slow")
async def slow() -> dict[str, str]:
    Path(os.environ["SLOW_STARTED"]).touch()
    await asyncio.sleep(2)
    return {"status": "finished"}
'''


def test_sigterm_lets_the_in_flight_request_finish(tmp_path: Path) -> None:
    (tmp_path / "slow_app.py").write_text(SLOW_APP)
    started = tmp_path / "slow-started"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'anales.db'}",
        "SLOW_STARTED": str(started),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    command = [sys.executable, "-m", "uvicorn", "slow_app:app", "--app-dir", str(tmp_path)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{base}/healthz"), 20, "the server to start")
        result: dict[str, Any] = {}

        def call_slow() -> None:
            with urllib.request.urlopen(f"{base}/slow", timeout=15) as response:
                result["status"] = response.status
                result["body"] = response.read()

        caller = threading.Thread(target=call_slow)
        caller.start()
        wait_for(started.exists, 10, "the slow request to start")
        server.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        caller.join(15)
        assert result == {"status": 200, "body": b'{"status":"finished"}'}
        # uvicorn shuts down gracefully, then re-raises the signal it caught so that the
        # parent sees why it stopped: a clean stop on SIGTERM is 0 or "killed by SIGTERM".
        assert server.wait(timeout=15) in (0, -signal.SIGTERM)
        assert time.monotonic() - signalled > 1, "the server waited for the request"
        assert not answers(f"{base}/healthz")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        assert server.stdout is not None
        output = server.stdout.read().decode()
        server.stdout.close()
    assert "Traceback" not in output, output
    assert "Waiting for connections to close" in output, output
    assert "Application shutdown complete" in output, output
