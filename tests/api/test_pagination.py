"""Keyset paging: `next` links walk every item once, in order, whatever the page size."""

import base64
import datetime as dt
import json
import random
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.errors import BadCursor
from app.repositories.paging import CursorValue, decode_cursor, encode_cursor
from tests.helpers import assert_problem
from tests.oracle import Corpus

CORPUS = Corpus()
SOURCE_LINES = CORPUS.source_path.read_text(encoding="utf-8").splitlines()

Key = Callable[[dict[str, Any]], Any]


def by_slug(item: dict[str, Any]) -> Any:
    return item["slug"]


def by_line(item: dict[str, Any]) -> Any:
    return item["source"]["line"]


# (path, filters, key of an item, the items expected in order, from the curated facts)
LISTS: list[tuple[str, dict[str, Any], Key, list[Any]]] = [
    ("/api/v1/passages", {}, by_line, sorted(CORPUS.passages)),
    ("/api/v1/events", {}, by_slug, CORPUS.chronological(CORPUS.entries("events"))),
    ("/api/v1/actors", {}, by_slug, sorted(CORPUS.entries("actors"))),
    ("/api/v1/periods", {}, by_slug, CORPUS.period_slugs()),
    ("/api/v1/regions", {}, by_slug, sorted(CORPUS.entries("regions"))),
    ("/api/v1/themes", {}, by_slug, sorted(CORPUS.entries("themes"))),
    (
        "/api/v1/passages",
        {"era": ["guerra-fria", "periodo-de-entreguerras"], "q": "la"},
        by_line,
        [
            line
            for line in CORPUS.passage_lines(era=["guerra-fria", "periodo-de-entreguerras"])
            if "la" in SOURCE_LINES[line - 1]
        ],
    ),
    (
        "/api/v1/passages",
        {"q": "Política EXTERIOR"},
        by_line,
        [
            number
            for number, line in enumerate(SOURCE_LINES, start=1)
            if "política" in line.lower() and "exterior" in line.lower()
        ],
    ),
    (
        "/api/v1/events",
        {"actor": ["union-sovietica"]},
        by_slug,
        CORPUS.chronological(CORPUS.event_slugs(actor=["union-sovietica"])),
    ),
    ("/api/v1/actors", {"kind": ["person"]}, by_slug, CORPUS.actor_slugs(kind=["person"])),
]
LIST_IDS = [f"{path}{params or ''}" for path, params, _key, _expected in LISTS]


def walk(client: TestClient, path: str, params: dict[str, Any], limit: int) -> list[Any]:
    """Every page of a list, checking the page envelope and `Link` header on the way."""
    pages: list[dict[str, Any]] = []
    response = client.get(path, params={**params, "limit": limit})
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        assert body["limit"] == limit
        assert len(body["items"]) <= limit
        if body["next"] is None:
            assert "link" not in response.headers
            break
        assert len(body["items"]) == limit
        assert response.headers["link"] == f'<{body["next"]}>; rel="next"'
        response = client.get(body["next"])
    assert len({page["total"] for page in pages}) == 1, "total changed between pages"
    return pages


class TestWalkingPages:
    @pytest.mark.parametrize(("path", "params", "key", "expected"), LISTS, ids=LIST_IDS)
    def test_every_limit_returns_every_item_once_in_order(
        self,
        client: TestClient,
        path: str,
        params: dict[str, Any],
        key: Key,
        expected: list[Any],
    ) -> None:
        assert len(expected) >= 2
        for limit in range(1, len(expected) + 2):
            pages = walk(client, path, params, limit)
            items = [key(item) for page in pages for item in page["items"]]
            assert items == expected, f"limit={limit}"
            assert pages[0]["total"] == len(expected)
            assert len(pages) == max(1, -(-len(expected) // limit)), f"limit={limit}"

    def test_next_keeps_the_filters(self, client: TestClient) -> None:
        params = {"era": ["distension", "etapa-de-gorbachov"], "limit": 1}
        first = client.get("/api/v1/passages", params=params).json()
        assert first["next"] is not None
        assert "era=distension" in first["next"]
        assert "era=etapa-de-gorbachov" in first["next"]
        assert "limit=1" in first["next"]

    def test_default_and_largest_page(self, client: TestClient) -> None:
        default = client.get("/api/v1/actors").json()
        assert default["limit"] == 20
        assert default["next"] is None
        largest = client.get("/api/v1/actors", params={"limit": 100}).json()
        assert [a["slug"] for a in largest["items"]] == sorted(CORPUS.entries("actors"))

    def test_empty_list(self, client: TestClient) -> None:
        response = client.get("/api/v1/events", params={"q": "stalingrado"})
        assert response.json() == {
            "items": [],
            "total": 0,
            "total_exact": True,
            "limit": 20,
            "next": None,
        }
        assert "link" not in response.headers

    def test_a_cursor_past_the_end_gives_an_empty_last_page(self, client: TestClient) -> None:
        cursor = encode_cursor(["zzz"])
        body = client.get("/api/v1/themes", params={"cursor": cursor}).json()
        assert body["items"] == []
        assert body["next"] is None
        assert body["total"] == len(CORPUS.entries("themes"))


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def as_cursor(value: Any) -> str:
    return b64(json.dumps(value).encode())


_random = random.Random(1939)
TAMPERED: list[Any] = [
    # Random bytes, base64-encoded.
    *(
        pytest.param(path, b64(_random.randbytes(n)), id=f"random-{n}{path[7:]}")
        for n in (1, 7, 24)
        for path in ("/api/v1/passages", "/api/v1/events")
    ),
    pytest.param("/api/v1/passages", "%%%%", id="not-base64"),
    pytest.param("/api/v1/passages", "WzEsMl0x", id="bad-padding"),
    # Valid base64 of the wrong JSON.
    pytest.param("/api/v1/passages", b64(b"[1, 2"), id="truncated-json"),
    pytest.param("/api/v1/passages", as_cursor({"position": 1, "id": 2}), id="json-object"),
    pytest.param("/api/v1/actors", as_cursor("kgb"), id="json-string"),
    pytest.param("/api/v1/actors", as_cursor(None), id="json-null"),
    pytest.param("/api/v1/actors", as_cursor(7), id="json-number"),
    pytest.param("/api/v1/passages", b64(b"\xff\xfe[1,2]\xff"), id="not-utf-8"),
    # The right length, the wrong types.
    pytest.param("/api/v1/passages", as_cursor(["1", "2"]), id="strings-for-ints"),
    pytest.param("/api/v1/passages", as_cursor([1.0, 2]), id="float-for-int"),
    pytest.param("/api/v1/passages", as_cursor([True, 2]), id="bool-for-int"),
    pytest.param("/api/v1/passages", as_cursor([1, None]), id="null-for-int"),
    pytest.param("/api/v1/passages", as_cursor([[1], 2]), id="list-for-int"),
    pytest.param("/api/v1/actors", as_cursor([7]), id="int-for-slug"),
    pytest.param("/api/v1/events", as_cursor([1939, "1939-08-23", 1]), id="int-for-date"),
    pytest.param("/api/v1/events", as_cursor(["1939-13-45", "1939-08-23", 1]), id="bad-date"),
    pytest.param("/api/v1/events", as_cursor(["1939-08-23", "1939-08-23", "1"]), id="str-id"),
    pytest.param("/api/v1/periods", as_cursor([1939, 1945, 2**63]), id="id-2**63"),
    pytest.param("/api/v1/passages", as_cursor([1, 2**31]), id="id-past-int32"),
    pytest.param("/api/v1/periods", as_cursor([-(2**31) - 1, 1945, 1]), id="year-below-int32"),
    pytest.param("/api/v1/themes", as_cursor(["espionaje\x00"]), id="nul-in-slug"),
    pytest.param("/api/v1/actors", as_cursor(["\ud800"]), id="lone-surrogate"),
    pytest.param("/api/v1/periods", as_cursor([1939, 1945, -(2**63) - 1]), id="id-below-int64"),
    pytest.param("/api/v1/periods", as_cursor([1939, 1945, 1e400]), id="infinity"),
    # The wrong length.
    pytest.param("/api/v1/passages", as_cursor([]), id="empty-list"),
    pytest.param("/api/v1/passages", as_cursor([1]), id="too-short"),
    pytest.param("/api/v1/passages", as_cursor([1, 2, 3]), id="too-long"),
    pytest.param("/api/v1/events", as_cursor(["1939-08-23", 1]), id="events-too-short"),
    pytest.param("/api/v1/themes", as_cursor(["a", "b"]), id="themes-too-long"),
]


class TestTamperedCursors:
    @pytest.mark.parametrize(("path", "cursor"), TAMPERED)
    def test_is_422_naming_cursor(self, client: TestClient, path: str, cursor: str) -> None:
        body = assert_problem(client.get(path, params={"cursor": cursor}), 422, name="cursor")
        assert [p["name"] for p in body["invalid_params"]] == ["cursor"]

    def test_cursor_of_another_list_with_another_shape(self, client: TestClient) -> None:
        page = client.get("/api/v1/events", params={"limit": 1}).json()
        cursor = page["next"].split("cursor=")[1]
        assert_problem(
            client.get("/api/v1/passages", params={"cursor": cursor}), 422, name="cursor"
        )


ROUND_TRIPS: list[tuple[list[CursorValue], list[type]]] = [
    ([1, 2], [int, int]),
    # Ids, positions and years are 32-bit integer columns.
    ([0, -(2**31)], [int, int]),
    ([2**31 - 1], [int]),
    (["maksim-litvinov"], [str]),
    (["Litvínov / Литвинов ?&=#"], [str]),
    ([""], [str]),
    ([dt.date(1939, 8, 23), dt.date(1939, 8, 23), 6], [dt.date, dt.date, int]),
    ([dt.date(1, 1, 1), dt.date(9999, 12, 31), 1], [dt.date, dt.date, int]),
    ([], []),
]


class TestCursorCodec:
    @pytest.mark.parametrize(("values", "types"), ROUND_TRIPS, ids=str)
    def test_round_trip(self, values: list[CursorValue], types: Sequence[type]) -> None:
        token = encode_cursor(values)
        assert decode_cursor(token, types) == values

    @pytest.mark.parametrize(("values", "_types"), ROUND_TRIPS, ids=str)
    def test_url_safe_and_unpadded(self, values: list[CursorValue], _types: Sequence[type]) -> None:
        token = encode_cursor(values)
        assert not set(token) & set("+/= %&?#")
        assert token.isascii()

    def test_opaque_but_plain_json(self) -> None:
        token = encode_cursor([dt.date(1939, 8, 23), 6])
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert json.loads(raw) == ["1939-08-23", 6]

    @pytest.mark.parametrize(
        ("values", "types"),
        [
            ([1, 2], [int]),
            ([1], [int, int]),
            (["1"], [int]),
            ([1], [str]),
            ([1], [dt.date]),
            (["1939-08-32"], [dt.date]),
            ([2**31], [int]),
            ([-(2**31) - 1], [int]),
            ([2**63], [int]),
            (["a\x00b"], [str]),
            (["\ud800"], [str]),
        ],
        ids=str,
    )
    def test_wrong_shape_is_refused(self, values: list[Any], types: list[type]) -> None:
        token = as_cursor(values)
        with pytest.raises(BadCursor):
            decode_cursor(token, types)
