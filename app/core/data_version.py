"""The data's version: a value read from the database itself that changes with every commit.

The response cache files each kept answer under the version read before the answer was made,
and serves it again only while a fresh read gives the same version. Because the version is
read from the database on every request, a write that one worker acknowledged (it commits
before it answers) is seen by the next read on any worker of any process:

* SQLite: `PRAGMA data_version` on a connection kept for the purpose changes whenever another
  connection commits (SQLite's own change counter, read from the WAL index in shared memory:
  no disk read). The file's identity (device, inode) is part of the version, so a database
  file moved or replaced under the app is noticed; the monitor opens the file `mode=rw` and
  never creates one.
* PostgreSQL: `anales_data_version.generation`, a counter that triggers on every table of
  the corpus advance in the writing transaction (migration 5a0d7e3c9b14). Requests that
  arrive while one read is in flight share the next read, which starts after they arrived.

Whenever the version cannot be read (the database is away, the file is gone) it is None, and
nothing is served from what was kept.
"""

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Hashable
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import psycopg
from sqlalchemy.engine import make_url

logger = logging.getLogger("anales.cache")

DATA_VERSION_TABLE = "anales_data_version"
# After a failed read, the next attempt to reconnect waits this long (seconds).
RETRY_AFTER_S = 1.0


class DataVersion(Protocol):
    async def current(self) -> Hashable | None:
        """A value that changes whenever the data does; None when that cannot be known."""

    async def stop(self) -> None: ...


class UnknownVersion:
    """For databases whose changes cannot be observed (in-memory SQLite): never cache."""

    async def current(self) -> Hashable | None:
        return None

    async def stop(self) -> None:
        return None


def file_identity(path: Path | str) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, or None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def sqlite_uri(path: Path | str, mode: str = "rw") -> str:
    """A `file:` URI that opens the database at `path` without ever creating it."""
    return f"file:{quote(Path(path).resolve().as_posix())}?mode={mode}"


class SqliteDataVersion:
    def __init__(self, database: Path) -> None:
        self.database = database
        self._connection: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._retry_at = 0.0
        self._opened = 0

    async def current(self) -> Hashable | None:
        identity = file_identity(self.database)
        if identity is None:
            self._close()
            return None
        if identity != self._identity:
            self._close()
        try:
            connection = self._open(identity)
            if connection is None:
                return None
            ((counter,),) = connection.execute("PRAGMA data_version").fetchall()
        except sqlite3.Error as exc:
            logger.warning("cannot read the data version of %s: %s", self.database, exc)
            self._close()
            self._retry_at = time.monotonic() + RETRY_AFTER_S
            return None
        # The counter is the connection's own: a new connection (after a fault, or on a new
        # file that happens to reuse the inode) starts it afresh, so it is told apart.
        return self._opened, identity, counter

    def _open(self, identity: tuple[int, int]) -> sqlite3.Connection | None:
        if self._connection is not None:
            return self._connection
        if time.monotonic() < self._retry_at:
            return None
        connection = sqlite3.connect(
            sqlite_uri(self.database), uri=True, check_same_thread=False, isolation_level=None
        )
        # The counter is read in the event loop: never wait on a lock for it.
        connection.execute("PRAGMA busy_timeout = 0")
        self._connection, self._identity = connection, identity
        self._opened += 1
        return connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = self._identity = None

    async def stop(self) -> None:
        self._close()


class PostgresDataVersion:
    QUERY = f"SELECT generation FROM {DATA_VERSION_TABLE} WHERE id = 1"

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self._connection: psycopg.AsyncConnection[tuple[int]] | None = None
        self._lock = asyncio.Lock()
        self._next: asyncio.Task[Hashable | None] | None = None
        self._retry_at = 0.0
        self._connected = 0

    async def current(self) -> Hashable | None:
        # Join the read that has not started yet, or queue one: a read already in flight may
        # have begun before a commit this caller has seen acknowledged.
        if self._next is None:
            self._next = asyncio.get_running_loop().create_task(self._read_next())
        return await asyncio.shield(self._next)

    async def _read_next(self) -> Hashable | None:
        async with self._lock:
            self._next = None
            return await self._read()

    async def _read(self) -> Hashable | None:
        try:
            connection = await self._open()
            if connection is None:
                return None
            cursor = await connection.execute(self.QUERY)
            row = await cursor.fetchone()
        except psycopg.Error as exc:
            logger.warning("cannot read the data version: %s", exc)
            await self._close()
            self._retry_at = time.monotonic() + RETRY_AFTER_S
            return None
        # A database dropped and made again from a template, or restored, may repeat a
        # generation it had before: one seen over another connection is told apart.
        return None if row is None else (self._connected, row[0])

    async def _open(self) -> "psycopg.AsyncConnection[tuple[int]] | None":
        if self._connection is None or self._connection.closed:
            if time.monotonic() < self._retry_at:
                return None
            self._connection = await psycopg.AsyncConnection.connect(
                self.conninfo, autocommit=True, connect_timeout=2
            )
            self._connected += 1
        return self._connection

    async def _close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def stop(self) -> None:
        if self._next is not None:
            await asyncio.gather(self._next, return_exceptions=True)
        await self._close()


def data_version_for(database_url: str) -> DataVersion:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresDataVersion(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return SqliteDataVersion(Path(url.database).resolve())
    return UnknownVersion()
