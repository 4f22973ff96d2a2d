"""HTTP validation and an in-process response cache, both keyed to the data's version.

Every successful JSON GET gets a strong `ETag` (a hash of its body) and
`Cache-Control: no-cache`, so clients and shared caches may keep it but must revalidate;
`If-None-Match` with the current tag answers 304. Responses are also kept in memory, and a kept
response is served again only while the data version it was made under is still current:

* SQLite: the version is the database and WAL files' size, mtime and inode, which every
  commit, from any process, changes; reading it costs two `stat` calls.
* PostgreSQL: triggers on every table `NOTIFY anales_data_changed` when a transaction that
  wrote commits; a listener task bumps the version when the notification arrives. While the
  listener is not connected the version is unknown and nothing is served from memory.

The version is read before the app runs, so a response is never filed under a newer version
than the data it was built from. Identical requests that arrive while the first of them is
being answered (a cold cache, or the moment after a write) wait for that answer instead of
each asking the database the same question.
"""

import asyncio
import hashlib
import logging
import os
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import psycopg
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("anales.cache")

NOTIFY_CHANNEL = "anales_data_changed"
CACHE_CONTROL = b"no-cache"
# Bodies up to this size are buffered to be tagged; larger ones stream through untagged.
MAX_TAGGED_BYTES = 4 * 1024 * 1024
_CACHEABLE_TYPES = (b"application/json", b"application/ld+json")


class DataVersion(Protocol):
    def current(self) -> Hashable | None:
        """A value that changes whenever the data does; None when that cannot be known."""

    def bump(self) -> None:
        """This process committed a write: what it kept is stale from now on."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class UnknownVersion:
    """For databases whose changes cannot be observed (in-memory SQLite): never cache."""

    def current(self) -> Hashable | None:
        return None

    def bump(self) -> None:
        return None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class SqliteFileVersion:
    def __init__(self, database: Path) -> None:
        self.paths = (database, database.with_name(database.name + "-wal"))

    def current(self) -> Hashable | None:
        parts: list[tuple[int, int, int] | None] = []
        for path in self.paths:
            try:
                st = os.stat(path)
            except FileNotFoundError:
                parts.append(None)
            else:
                parts.append((st.st_mtime_ns, st.st_size, st.st_ino))
        return tuple(parts)

    def bump(self) -> None:
        return None  # the commit itself changed the files

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class PostgresNotifyVersion:
    def __init__(self, database_url: str) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self.generation = 0
        self.listening = False
        self._task: asyncio.Task[None] | None = None

    def current(self) -> Hashable | None:
        return self.generation if self.listening else None

    def bump(self) -> None:
        # The notification of this process's own commit arrives a moment later; a read
        # right after the write must not wait for it.
        self.generation += 1

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="anales-data-version")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _listen(self) -> None:
        backoff = 0.5
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    # Whatever changed before LISTEN is covered by starting a new generation.
                    self.generation += 1
                    self.listening = True
                    backoff = 0.5
                    async for _notification in conn.notifies():
                        self.generation += 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("data version listener lost its connection: %s", exc)
            finally:
                self.listening = False
                self.generation += 1
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)


def data_version_for(database_url: str) -> DataVersion:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresNotifyVersion(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return SqliteFileVersion(Path(url.database).resolve())
    return UnknownVersion()


@dataclass(frozen=True, slots=True)
class _Entry:
    version: Hashable
    etag: bytes
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def etag_for(body: bytes) -> bytes:
    """The strong entity tag of a response body."""
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def _matches(if_none_match: bytes | None, etag: bytes) -> bool:
    if if_none_match is None:
        return False
    if if_none_match.strip() == b"*":
        return True
    for candidate in if_none_match.split(b","):
        tag = candidate.strip()
        if tag.startswith(b"W/"):
            tag = tag[2:]
        if tag == etag:
            return True
    return False


class ResponseCacheMiddleware:
    """ETag, 304 and the version-keyed response cache described above."""

    KEY_HEADERS = (b"host", b"accept", b"accept-language")

    def __init__(
        self,
        app: ASGIApp,
        *,
        version: DataVersion,
        max_bytes: int,
        exempt: tuple[str, ...] = ("/healthz", "/readyz", "/metrics"),
    ) -> None:
        self.app = app
        self.exempt = exempt
        self.version = version
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 8  # no single response may crowd out the rest
        self.entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.size = 0
        # (key, version) of the responses being rendered, for identical requests to wait on.
        self.in_flight: dict[tuple[Hashable, Hashable], asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        if_none_match = None
        key_parts: list[bytes] = [scope["path"].encode(), scope["query_string"]]
        found = dict.fromkeys(self.KEY_HEADERS, b"")
        authenticated = False
        for name, value in scope["headers"]:
            if name in found:
                found[name] = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"authorization":
                authenticated = True
        key = (*key_parts, *found.values())
        # Authenticated reads are tagged (a curator needs the ETag for If-Match) but never
        # kept or served from what others were sent.
        version = None if authenticated else self.version.current()
        if version is None or self.max_bytes <= 0:
            await self._render(scope, receive, send, key, version, if_none_match)
            return
        if await self._replay_kept(key, version, if_none_match, send):
            return
        flight = self.in_flight.get((key, version))
        if flight is not None:
            await flight.wait()
            if await self._replay_kept(key, version, if_none_match, send):
                return
            # Not kept (an error, too large): answer it afresh.
            await self._render(scope, receive, send, key, version, if_none_match)
            return
        flight = self.in_flight[(key, version)] = asyncio.Event()
        try:
            await self._render(scope, receive, send, key, version, if_none_match)
        finally:
            del self.in_flight[(key, version)]
            flight.set()

    async def _replay_kept(
        self, key: Hashable, version: Hashable, if_none_match: bytes | None, send: Send
    ) -> bool:
        """Answer from the kept response of `key` made under `version`, if there is one."""
        entry = self.entries.get(key)
        if entry is None or entry.version != version:
            return False
        self.entries.move_to_end(key)
        await self._replay(entry, if_none_match, send)
        return True

    async def _replay(self, entry: _Entry, if_none_match: bytes | None, send: Send) -> None:
        if _matches(if_none_match, entry.etag):
            await _not_modified(send, entry.etag)
            return
        await _respond(send, entry.status, entry.headers, entry.body)

    async def _render(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: Hashable,
        version: Hashable | None,
        if_none_match: bytes | None,
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        buffering = False

        async def capture(message: Message) -> None:
            nonlocal start, buffering
            if message["type"] == "http.response.start":
                buffering = self._cacheable(message)
                if not buffering:
                    await send(message)
                else:
                    start = message
                return
            if not buffering or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            body = b"".join(chunks)
            etag = etag_for(body)
            headers = [
                *start.get("headers", []),
                (b"etag", etag),
                (b"cache-control", CACHE_CONTROL),
            ]
            if version is not None and len(body) <= self.max_entry_bytes:
                self._store(key, _Entry(version, etag, start["status"], headers, body))
            if _matches(if_none_match, etag):
                await _not_modified(send, etag)
                return
            await _respond(send, start["status"], headers, body)

        await self.app(scope, receive, capture)

    def _cacheable(self, start: Message) -> bool:
        if start["status"] != 200:
            return False
        length = None
        for name, value in start.get("headers", []):
            if name == b"etag":
                return False
            if name == b"content-type" and not value.startswith(_CACHEABLE_TYPES):
                return False
            if name == b"content-length":
                length = int(value)
        return length is not None and length <= MAX_TAGGED_BYTES

    def _store(self, key: Hashable, entry: _Entry) -> None:
        if self.max_bytes <= 0:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.entries[key] = entry
        self.size += len(entry.body)
        while self.size > self.max_bytes and self.entries:
            _, evicted = self.entries.popitem(last=False)
            self.size -= len(evicted.body)


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _not_modified(send: Send, etag: bytes) -> None:
    headers = [(b"etag", etag), (b"cache-control", CACHE_CONTROL)]
    await send({"type": "http.response.start", "status": 304, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
