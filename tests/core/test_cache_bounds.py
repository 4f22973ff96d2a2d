"""The response cache against clients that try to misuse it, on each backend: a request
whose later header values, scheme, host or root path differ from a plain one's never serves
its answer to the plain one, and however many distinct or oversized requests arrive, what the
cache holds stays within RESPONSE_CACHE_BYTES, measured by tracemalloc and sys.getsizeof."""

import gc
import logging
import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.core.cache import ENTRY_OVERHEAD, ResponseCacheMiddleware
from app.core.config import Settings
from app.main import create_app

SMALL_CACHE = 256 * 1024


def response_cache(app: FastAPI) -> ResponseCacheMiddleware:
    """The app's cache middleware (the stack is built when a client starts the app)."""
    node: Any = app.middleware_stack
    while not isinstance(node, ResponseCacheMiddleware):
        node = node.app
    return node


@contextmanager
def started(app: Any, **client_options: Any) -> Iterator[TestClient]:
    """A client of the started app, its first database connection made: that connection turns
    a fresh SQLite file to WAL, a change of data version, and an answer kept before it would
    never be replayed (so a test of what is replayed would pass for nothing)."""
    with TestClient(app, **client_options) as client:
        assert client.get("/readyz").status_code == 200
        yield client


def kept(app: FastAPI) -> int:
    return len(response_cache(app).entries)


def names(response: httpx.Response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


def next_link(response: httpx.Response) -> str:
    link: str = response.json()["next"]
    assert response.headers["link"] == f'<{link}>; rel="next"'
    return link


# --- what the answer is built from is what it is kept under ------------------------------


class TestNoPoisoning:
    """Each asks something a plain client would be served if the cache keyed the two alike,
    then asks plainly; both answers are kept, apart."""

    def test_a_later_accept_language_does_not_decide_the_plain_answer(
        self, seeded_url: str
    ) -> None:
        # Negotiation reads the first value, English; a key of the last one would file it
        # under "no language asked", which is every plain client's key.
        app = create_app(Settings(database_url=seeded_url))
        with started(app) as client:
            repeated = [("Accept-Language", "en"), ("Accept-Language", "")]
            english = client.get("/api/v1/themes", headers=repeated)
            assert english.headers["content-language"] == "en"
            assert "Peaceful coexistence" in names(english)
            plain = client.get("/api/v1/themes")
        assert plain.headers["content-language"] == "es"
        assert "Coexistencia pacífica" in names(plain)
        assert kept(app) == 2

    def test_a_later_accept_does_not_decide_the_plain_answer(self, seeded_url: str) -> None:
        # A plain client sends `Accept: */*`, the later of the two values here.
        app = create_app(Settings(database_url=seeded_url))
        with started(app) as client:
            repeated = [("Accept", "application/ld+json"), ("Accept", "*/*")]
            linked = client.get("/api/v1/actors/kgb", headers=repeated)
            assert linked.headers["content-type"] == "application/ld+json"
            plain = client.get("/api/v1/actors/kgb")
        assert plain.headers["content-type"] == "application/json"
        assert plain.json()["slug"] == "kgb"
        assert kept(app) == 2

    def test_a_second_host_header_does_not_decide_the_links(self, seeded_url: str) -> None:
        # Starlette builds links from the first Host.
        app = create_app(Settings(database_url=seeded_url))
        with started(app) as client:
            repeated = [("Host", "elsewhere.example"), ("Host", "testserver")]
            other = client.get("/api/v1/passages", params={"limit": 1}, headers=repeated)
            assert next_link(other).startswith("http://elsewhere.example/")
            plain = client.get("/api/v1/passages", params={"limit": 1})
        assert next_link(plain).startswith("http://testserver/api/v1/passages?")
        assert kept(app) == 2

    def test_x_forwarded_proto_does_not_decide_plain_links(self, seeded_url: str) -> None:
        # As uvicorn runs the app behind a proxy it trusts: the header sets the scheme.
        app = create_app(Settings(database_url=seeded_url))
        with started(ProxyHeadersMiddleware(app, trusted_hosts="*")) as client:  # type: ignore[arg-type]
            forwarded = {"X-Forwarded-Proto": "https"}
            https = client.get("/api/v1/passages", params={"limit": 1}, headers=forwarded)
            assert next_link(https).startswith("https://testserver/")
            plain = client.get("/api/v1/passages", params={"limit": 1})
        assert next_link(plain).startswith("http://testserver/")
        assert kept(app) == 2

    def test_scheme_and_root_path_each_get_their_own_links(self, seeded_url: str) -> None:
        app = create_app(Settings(database_url=seeded_url))
        page = {"limit": 1}
        linked = {"Accept": "application/ld+json"}
        with ExitStack() as stack:
            https = stack.enter_context(started(app, base_url="https://testserver"))
            mounted = stack.enter_context(started(app, root_path="/anales"))
            plain = stack.enter_context(started(app))
            https_next = next_link(https.get("/api/v1/passages", params=page))
            # JSON-LD ids are made from the base URL, which holds the root path.
            mounted_id = mounted.get("/api/v1/actors/kgb", headers=linked).json()["@id"]
            plain_next = next_link(plain.get("/api/v1/passages", params=page))
            plain_id = plain.get("/api/v1/actors/kgb", headers=linked).json()["@id"]
        assert https_next.startswith("https://testserver/")
        assert mounted_id == "http://testserver/anales/api/v1/actors/kgb"
        assert plain_next.startswith("http://testserver/")
        assert plain_id == "http://testserver/api/v1/actors/kgb"
        assert kept(app) == 4

    def test_not_modified_repeats_vary(self, seeded_url: str) -> None:
        with started(create_app(Settings(database_url=seeded_url))) as client:
            first = client.get("/api/v1/actors/kgb")
            tag = {"If-None-Match": first.headers["etag"]}
            revalidated = client.get("/api/v1/actors/kgb", headers=tag)
        assert revalidated.status_code == 304
        assert revalidated.headers["etag"] == first.headers["etag"]
        assert revalidated.headers["vary"] == first.headers["vary"]
        assert "Accept-Language" in revalidated.headers["vary"]

    def test_an_answer_varying_by_an_unkeyed_header_is_not_kept(self, seeded_url: str) -> None:
        app = create_app(Settings(database_url=seeded_url))
        calls: list[str] = []

        @app.get("/by-agent", include_in_schema=False)
        def by_agent(request: Request) -> JSONResponse:
            agent = str(request.headers.get("user-agent"))
            calls.append(agent)
            return JSONResponse({"agent": agent}, headers={"Vary": "User-Agent"})

        with started(app) as client:
            one = client.get("/by-agent", headers={"User-Agent": "one"})
            two = client.get("/by-agent", headers={"User-Agent": "two"})
        assert (one.json(), two.json()) == ({"agent": "one"}, {"agent": "two"})
        assert calls == ["one", "two"]
        assert "etag" in two.headers, "still tagged, only not kept"
        assert kept(app) == 0


# --- memory ------------------------------------------------------------------------------


@contextmanager
def quiet() -> Iterator[None]:
    """No log records: pytest keeps every one it captures, which would look like memory the
    requests left behind (and formatting them takes half the time)."""
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


@contextmanager
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def traced_now() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def held_by(cache: ResponseCacheMiddleware) -> int:
    """The memory the cache's entries hold: what tracemalloc sees freed when it lets go of
    them. Only allocations made while tracing are seen, so every entry must be that young."""
    before = traced_now()
    cache.entries.clear()
    cache.size = 0
    return before - traced_now()


def sized(cache: ResponseCacheMiddleware) -> int:
    """The entries' size by sys.getsizeof: the OrderedDict with its table and link nodes, and
    every object the entries hold, each once (the tag is a header too; constants are shared)."""
    seen: set[int] = set()

    def size(*objects: object) -> int:
        fresh = [obj for obj in objects if id(obj) not in seen]
        seen.update(id(obj) for obj in fresh)
        return sum(sys.getsizeof(obj) for obj in fresh)

    total = size(cache.entries)
    for key, entry in cache.entries.items():
        total += size(key, *key, entry, entry.version, entry.etag, entry.headers, entry.body)
        total += size(entry.cost) + sum(size(pair, *pair) for pair in entry.headers)
    return total


HUGE = 60_000


def huge_accept(client: TestClient, n: int, etag: str | None = None) -> httpx.Response:
    """A detail asked for with a unique 60 KB Accept header (JSON is still what it picks)."""
    headers = {"Accept": f"application/json;q=0.9, text/x-{n}-" + "a" * HUGE}
    if etag is not None:
        headers["If-None-Match"] = etag
    response: httpx.Response = client.get("/api/v1/actors/kgb", headers=headers)
    return response


class TestMemoryBound:
    def test_distinct_requests_hold_no_more_than_the_budget(self, seeded_url: str) -> None:
        app = create_app(Settings(database_url=seeded_url, response_cache_bytes=SMALL_CACHE))
        with started(app) as client, quiet():
            cache = response_cache(app)
            # Far more distinct small answers than fit; their bodies alone would fit.
            for i in range(600):
                assert client.get("/api/v1/themes", params={"q": f"absent{i}"}).status_code == 200
            assert cache.size <= cache.max_bytes
            assert len(cache.entries) <= SMALL_CACHE // ENTRY_OVERHEAD
            with traced():
                # Enough larger ones to replace every entry, so that all that is kept was
                # made while tracing.
                for i in range(120):
                    response = client.get("/api/v1/actors/kgb", params={"traced": str(i)})
                    assert response.status_code == 200
                assert all(key[1].startswith(b"traced=") for key in cache.entries)
                accounted = cache.size
                assert accounted == sum(entry.cost for entry in cache.entries.values())
                assert not cache.in_flight
                size = sized(cache)
                held = held_by(cache)
        # The charge covers what either measure sees and more (it also charges pymalloc's
        # 16-byte rounding, which neither sees), so no allowance for uncounted overhead. The
        # OrderedDict's table predates tracing, so only sys.getsizeof counts it.
        assert held <= accounted <= SMALL_CACHE, (held, accounted)
        assert size <= accounted, (size, accounted)
        assert held > accounted // 2, "the measurement saw the entries"

    def test_oversized_headers_are_answered_but_neither_kept_nor_evicting(
        self, seeded_url: str
    ) -> None:
        app = create_app(Settings(database_url=seeded_url, response_cache_bytes=SMALL_CACHE))
        with started(app) as client, quiet(), traced():
            cache = response_cache(app)
            for i in range(20):
                assert client.get("/api/v1/actors/kgb", params={"n": str(i)}).status_code == 200
            kept = list(cache.entries)
            before = traced_now()
            for i in range(100):
                response = huge_accept(client, i)
                assert response.status_code == 200
                assert response.headers["content-type"] == "application/json"
            etag = response.headers["etag"]
            del response  # its request holds the last header
            grown = traced_now() - before
            # SQLAlchemy's event registries grow as the pool warms up (a dict resize can pass
            # 60 KB on a slow machine); no request header is ever kept there.
            snapshot = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, "*/sqlalchemy/*")]
            )
            left = [trace for trace in snapshot.traces if trace.size >= HUGE]
            assert list(cache.entries) == kept
            assert not cache.in_flight
            revalidated = huge_accept(client, 0, etag=etag)
        assert revalidated.status_code == 304, "an answer not kept is still tagged"
        # 100 x 60 KB of headers went through: none of them stays anywhere. The process grows
        # by what the app's own registries and pools take as they warm up (tens of KiB).
        assert not left
        assert grown < 1024 * 1024, grown


@pytest.mark.parametrize("cache_bytes", [0, 4096])
def test_a_cache_too_small_for_any_entry_keeps_none(seeded_url: str, cache_bytes: int) -> None:
    app = create_app(Settings(database_url=seeded_url, response_cache_bytes=cache_bytes))
    with started(app) as client:
        first = client.get("/api/v1/actors/kgb")
        again = client.get("/api/v1/actors/kgb", headers={"If-None-Match": first.headers["etag"]})
        cache = response_cache(app)
    assert again.status_code == 304
    assert not cache.entries
    assert cache.size == 0
