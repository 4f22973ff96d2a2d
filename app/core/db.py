"""Engine and session wiring. Nothing connects at import; the app's lifespan builds these."""

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Annotated, Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from app.core.config import Settings
from app.core.data_version import file_identity, sqlite_uri

WRITE_OPTION = "anales_write"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_db_engine(settings: Settings) -> Engine:
    """The app's engine: pooled with a bounded wait, and every statement time-limited."""
    url = settings.database_url
    # pool_size bounds the connections (no overflow): past it, requests wait up to pool_timeout.
    pool = {
        "pool_size": settings.pool_size,
        "max_overflow": 0,
        "pool_timeout": settings.pool_timeout_s,
    }
    if not is_sqlite(url):
        options = f"-c statement_timeout={settings.statement_timeout_ms}"
        return create_engine(url, pool_pre_ping=True, connect_args={"options": options}, **pool)
    parsed = make_url(url)
    database = parsed.database
    on_disk = database not in (None, "", ":memory:")
    if on_disk and "uri" not in parsed.query:
        # The app never creates the database (migrations do): opened `mode=rw`, a file that was
        # moved away is an error to answer 503 with, not an empty database made in its place
        # beside a write-ahead log that would then be reset.
        url = f"sqlite:///{sqlite_uri(database or '')}&uri=true"
    engine = create_engine(
        url, poolclass=QueuePool, connect_args={"check_same_thread": False}, **pool
    )
    _configure_sqlite(engine, settings, database if on_disk else None)
    return engine


def _configure_sqlite(engine: Engine, settings: Settings, database: str | None) -> None:
    """Foreign keys, the busy timeout, WAL and a statement deadline on every connection;
    explicit BEGIN (IMMEDIATE for writes); and a reconnect when the file (`database`, None in
    memory) was replaced under a pooled connection."""
    busy_timeout = settings.sqlite_busy_timeout_ms
    timeout_s = settings.statement_timeout_ms / 1000
    on_disk = database is not None

    @event.listens_for(engine, "connect")
    def _sqlite_setup(dbapi_connection: Any, record: Any) -> None:
        # SQLAlchemy, not the driver, begins transactions (see `_begin`).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
        if on_disk:
            record.info["file"] = file_identity(database or "")
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()
        if timeout_s > 0:
            # SQLite has no statement timeout; a progress handler that aborts the running
            # statement once its deadline passes does the same ("interrupted" -> 503).
            deadline = _Deadline()
            dbapi_connection.set_progress_handler(deadline.expired, 10_000)
            record.info["deadline"] = deadline

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # In WAL mode a transaction that reads and then writes fails at once with
        # "database is locked" when another writer got in between, whatever the busy timeout;
        # one begun IMMEDIATE takes the write lock first and waits its turn.
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine, "checkout")
    def _same_file(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        # SQLite's pre-ping: a pooled connection keeps the file it opened even after that file
        # is moved or replaced (a restored backup, a new deploy); reconnect to what is there now.
        opened = record.info.get("file")
        if opened is not None and file_identity(database or "") != opened:
            raise DisconnectionError("the database file was replaced")

    @event.listens_for(engine, "before_cursor_execute")
    def _start_clock(conn: Any, *_args: Any) -> None:
        deadline = conn.connection.info.get("deadline")
        if deadline is not None:
            deadline.at = time.monotonic() + timeout_s


class _Deadline:
    at = float("inf")

    def expired(self) -> int:
        return 1 if time.monotonic() > self.at else 0


def create_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: committed on success, rolled back on error.

    It is made on the event loop, which costs no I/O (it connects when the handler first
    uses it, in the handler's thread). Ending a session that still holds a transaction talks
    to the database, so that is done in a worker thread; a handler that ended it itself, in
    its own thread (see `end_session`), saves that hop."""
    factory: sessionmaker[Session] = request.state.sessionmaker
    session = factory()
    try:
        yield session
    except Exception:
        await _end_in_thread(session, commit=False)
        raise
    await _end_in_thread(session, commit=True)


async def _end_in_thread(session: Session, *, commit: bool) -> None:
    if session.in_transaction():
        await run_in_threadpool(end_session, session, commit=commit)
    else:
        session.close()


def end_session(session: Session, *, commit: bool = True) -> None:
    """Commit (or roll back) and close `session`, returning its connection to the pool."""
    with session:
        if commit:
            session.commit()
        else:
            session.rollback()


SessionDep = Annotated[Session, Depends(get_session)]


def get_write_session(request: Request) -> Iterator[Session]:
    """A session for a write: on SQLite its transaction holds the write lock from the start
    (BEGIN IMMEDIATE); on PostgreSQL repositories lock the rows they change.

    It commits when the route has built its answer and before that answer is sent (the
    dependency's scope is the function, not the request), so a 2xx means the write, and its
    audit row, are durable; a commit that fails is answered as an error instead."""
    factory: sessionmaker[Session] = request.state.sessionmaker
    health: WriteHealth = request.state.write_health
    with factory() as session:
        try:
            session.connection(execution_options={WRITE_OPTION: True})
            yield session
        except Exception:
            session.rollback()
            raise
        try:
            session.commit()
        except Exception as exc:
            health.failed(exc)
            raise
        health.committed()


WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]


class WriteHealth:
    """What the last commit of a write said, for `/readyz`: a failed commit (the disk full, a
    read-only file, a revoked privilege) makes the service not ready for
    `FAILURE_MEMORY_S` seconds, or until a later commit succeeds."""

    FAILURE_MEMORY_S = 30.0

    def __init__(self) -> None:
        self._failure: tuple[float, str] | None = None

    def failed(self, exc: Exception) -> None:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        self._failure = (time.monotonic(), reason)

    def committed(self) -> None:
        self._failure = None

    def problem(self) -> str | None:
        """Why writes cannot commit now, or None."""
        if self._failure is None:
            return None
        at, reason = self._failure
        if time.monotonic() - at > self.FAILURE_MEMORY_S:
            return None
        return reason


def migration_state(engine: Engine, alembic_ini: Path) -> tuple[str | None, str | None]:
    """(revision the database is at, latest revision the code knows)."""
    config = Config(str(alembic_ini))
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head
