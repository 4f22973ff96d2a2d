"""HTTP validation and an in-process response cache, both keyed to the data's version.

Every successful JSON GET gets a strong `ETag` (a hash of its body) and
`Cache-Control: no-cache`, so clients and shared caches may keep it but must revalidate;
`If-None-Match` with the current tag answers 304. Responses are also kept in memory, and a kept
response is served again only while the data version it was made under is still current.
Versions are read from the database itself on every request (`app/core/data_version.py`), so the
next read after a commit, on any worker, sees it.

The version is read before the app runs, so a response is never filed under a newer version
than the data it was built from. Identical requests that arrive while the first of them is
being answered (a cold cache, or the moment after a write) wait for that answer instead of
each asking the database the same question.
"""

import asyncio
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.data_version import DataVersion

logger = logging.getLogger("anales.cache")

CACHE_CONTROL = b"no-cache"
# Bodies up to this size are buffered to be tagged; larger ones stream through untagged.
MAX_TAGGED_BYTES = 4 * 1024 * 1024
_CACHEABLE_TYPES = (b"application/json", b"application/ld+json")


@dataclass(frozen=True, slots=True)
class _Entry:
    version: Hashable
    etag: bytes
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    cost: int  # what it is charged against the cache's budget: see _entry_cost


_Key = tuple[bytes, ...]
# The fields of a full answer that a 304 to the same request repeats.
_NOT_MODIFIED_HEADERS = frozenset(
    {b"cache-control", b"content-location", b"etag", b"expires", b"vary"}
)


# What Python spends to hold one kept response beyond the bytes of its key, headers and body
# (CPython 3.11, 64-bit). From sys.getsizeof on entries the app made: the _Entry (80), the key
# tuple (88) and its six byte strings' object headers (6 x 33), the headers list (56), the
# body's object header (33), the cost (28), and the entry's share of the OrderedDict (its
# table slot and link node: 66-175 bytes, the most seen while it evicts), 659 in all, plus
# about 8 per allocation for pymalloc's 16-byte rounding: 768. Each header adds its tuple (56),
# its list slot (8) and its two byte strings' headers (2 x 33), 130, rounded: 160. Checked
# with tracemalloc (what the process got back when the cache was emptied): an entry with six
# headers holds 1,095-1,138 bytes beyond its counted ones over 500-2,800 entries, below the
# 1,728 charged, as some header names are shared constants and tracemalloc sees no rounding.
ENTRY_OVERHEAD = 768
HEADER_OVERHEAD = 160


def _entry_cost(key: _Key, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    """The memory a kept response holds, to bound the cache by what it really uses.

    The tag is counted once, as a header: `_Entry.etag` is the same object."""
    return (
        ENTRY_OVERHEAD
        + sum(map(len, key))
        + sum(HEADER_OVERHEAD + len(name) + len(value) for name, value in headers)
        + len(body)
    )


def _link_base(scope: Scope) -> bytes:
    """Where the request's absolute links point, apart from its Host header: the scheme
    (which uvicorn takes from a trusted proxy's X-Forwarded-Proto), the server address
    (Starlette's fallback when Host is missing or invalid) and the root path."""
    parts = (
        scope.get("scheme", "http"),
        scope.get("server"),
        scope.get("root_path", ""),
        scope.get("app_root_path"),
    )
    return repr(parts).encode()


def _varies_only_by_key(headers: list[tuple[bytes, bytes]], keyed: tuple[bytes, ...]) -> bool:
    """Whether every request header the response's Vary names is one the key holds, so that
    it may be replayed to any request with the same key (never with `Vary: *`)."""
    for name, value in headers:
        if name == b"vary":
            named = {field.strip().lower() for field in value.split(b",")} - {b""}
            if not named.issubset(keyed):
                return False
    return True


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

    # The request headers an answer is built from: negotiation reads Accept and
    # Accept-Language, links are made from Host. Each is keyed with all its values in order
    # (negotiation and Starlette read the first; any later one must not be what is keyed).
    # A response whose Vary names any other header is not kept.
    KEY_HEADERS = (b"host", b"accept", b"accept-language")
    # A key longer than this is no ordinary client's (a browser's come to a few hundred
    # bytes): such requests are answered without being kept or coalesced, so a flood of
    # unique huge headers neither holds memory nor evicts what others asked.
    MAX_KEY_BYTES = 8 * 1024

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
        self.entries: OrderedDict[_Key, _Entry] = OrderedDict()
        self.size = 0  # the sum of the entries' costs, at most max_bytes
        # (key, version) of the responses being rendered, for identical requests to wait on:
        # one per request in progress, removed when it ends, each key at most MAX_KEY_BYTES.
        self.in_flight: dict[tuple[_Key, Hashable], asyncio.Event] = {}
        # The last version read, so that entries made under it share one object.
        self._version_seen: Hashable | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        key, if_none_match, authenticated = self._read(scope)
        # Authenticated reads are tagged (a curator needs the ETag for If-Match) but never
        # kept or served from what others were sent; nor is what cannot be kept (the cache
        # off, a key too long), and for those the version is not even read.
        keeps = not authenticated and self._keeps(key)
        version = await self._current_version() if keeps else None
        if version is None:
            await self._render(scope, receive, send, key, None, if_none_match)
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

    def _read(self, scope: Scope) -> tuple[_Key, bytes | None, bool]:
        """The request's key, its If-None-Match and whether it carries credentials.

        The key holds everything the answer is built from: the path and query, every value
        of each key header, and the rest of what Starlette makes absolute links from (see
        _link_base). Values are joined with a newline, which HTTP forbids in a header value,
        so two headers never key like one; a header absent or empty is the same to
        negotiation and to Starlette, and keys the same."""
        values: dict[bytes, list[bytes]] = {name: [] for name in self.KEY_HEADERS}
        if_none_match: list[bytes] = []
        authenticated = False
        for name, value in scope["headers"]:
            found = values.get(name)
            if found is not None:
                found.append(value)
            elif name == b"if-none-match":
                if_none_match.append(value)
            elif name == b"authorization":
                authenticated = True
        key = (
            scope["path"].encode(),
            scope["query_string"],
            _link_base(scope),
            *(b"\n".join(found) for found in values.values()),
        )
        # Repeated If-None-Match fields are one list of tags (RFC 9110 section 5.3).
        tags = b",".join(if_none_match) if if_none_match else None
        return key, tags, authenticated

    def _keeps(self, key: _Key) -> bool:
        """Whether answers to `key` may be kept and coalesced at all."""
        return self.max_bytes > 0 and sum(map(len, key)) <= self.MAX_KEY_BYTES

    async def _current_version(self) -> Hashable | None:
        """The data version, as the one object that every entry made under it shares (each
        read makes a new one, which each entry would otherwise hold a copy of)."""
        version = await self.version.current()
        if version != self._version_seen:
            self._version_seen = version
        return self._version_seen

    async def _replay_kept(
        self, key: _Key, version: Hashable, if_none_match: bytes | None, send: Send
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
            await _not_modified(send, entry.headers)
            return
        await _respond(send, entry.status, entry.headers, entry.body)

    async def _render(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: _Key,
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
            if version is not None and _varies_only_by_key(headers, self.KEY_HEADERS):
                cost = _entry_cost(key, headers, body)
                if cost <= self.max_entry_bytes:
                    entry = _Entry(version, etag, start["status"], headers, body, cost)
                    self._store(key, entry)
            if _matches(if_none_match, etag):
                await _not_modified(send, headers)
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

    def _store(self, key: _Key, entry: _Entry) -> None:
        """Keep `entry`, evicting the least recently used until the costs fit max_bytes."""
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old.cost
        self.entries[key] = entry
        self.size += entry.cost
        while self.size > self.max_bytes and self.entries:
            _, evicted = self.entries.popitem(last=False)
            self.size -= evicted.cost


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _not_modified(send: Send, headers: list[tuple[bytes, bytes]]) -> None:
    """A 304 with the fields of `headers` (the full answer's) that RFC 9110 section 15.4.5
    requires it to repeat, Vary among them, so a shared cache updates the right variant."""
    kept = [(name, value) for name, value in headers if name in _NOT_MODIFIED_HEADERS]
    await send({"type": "http.response.start", "status": 304, "headers": kept})
    await send({"type": "http.response.body", "body": b""})
