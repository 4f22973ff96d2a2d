"""Properties checked with Hypothesis: text folding and slugs, EDTF spans, the year-range
filter against a plain Python reading of the full list, and that no value of any parameter
(any text in `q`, huge integers, tampered cursors) reaches a 500 — with the same answer from
SQLite and PostgreSQL for every search."""

import base64
import json
import os
import string
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.analysis.dates import edtf_span
from app.analysis.text import fold, is_slug, slugify
from app.core.config import PROJECT_ROOT, Settings
from app.corpus.seed import load_seed, read_seed
from app.main import create_app
from tests.databases import migrate, throwaway_database

API_SETTINGS = settings(max_examples=150)
LISTS = (
    "/api/v1/passages",
    "/api/v1/events",
    "/api/v1/actors",
    "/api/v1/periods",
    "/api/v1/regions",
    "/api/v1/themes",
)
SEARCHABLE = (*LISTS, "/api/v1/timeline")
YEAR_RANGED = ("/api/v1/passages", "/api/v1/events", "/api/v1/actors", "/api/v1/timeline")
# Integers no 64-bit column or parameter can hold, and their negative twins.
HUGE = st.one_of(
    st.integers(min_value=2**63, max_value=2**200),
    st.integers(min_value=-(2**200), max_value=-(2**63) - 1),
    st.sampled_from([2**63, 2**64, -(2**63) - 1, 10**30, -(10**30)]),
)
FTS_SYNTAX = ["AND", "OR", "NOT", "NEAR", "*", "^", ":", "(", ")", '"', "'", "%", "_", "\\", "-"]
# Text a URL can carry: every code point but lone surrogates, which UTF-8 cannot encode.
URL_TEXT = st.characters(exclude_categories=["Cs"])


def problem_names(response: Any) -> list[str]:
    body = response.json()
    return [param["name"] for param in body["invalid_params"]]


# --- text ---------------------------------------------------------------------------------


@given(st.text())
@example("Litvínov")
@example("  LITVINOV\t\n")
@example("ǅ İ ß ŉ ΐ ﬁ")
def test_fold_is_idempotent_and_single_spaced(value: str) -> None:
    folded = fold(value)
    assert fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded
    assert not any(ch.isspace() and ch != " " for ch in folded)


LATIN = st.text(alphabet=string.ascii_letters + "áéíóúüñçàèìòùâêîôûÁÉÍÓÚÜÑÇ ", max_size=30)


@given(LATIN)
@example("Litvínov")
def test_fold_ignores_case_and_accents_of_latin_text(value: str) -> None:
    folded = fold(value)
    assert folded.isascii()
    assert fold(value.upper()) == folded == fold(value.lower())


@given(st.text())
@example("Maksim Litvínov")
@example("Михаил Горбачёв")
@example("---")
@example("ǅ")
def test_slugify_gives_an_ascii_slug_and_is_idempotent(value: str) -> None:
    slug = slugify(value)
    assert slug.isascii()
    assert slugify(slug) == slug
    if slug:
        assert is_slug(slug), slug


def test_slugify_examples() -> None:
    assert slugify("Maksim Litvínov") == "maksim-litvinov"
    assert slugify("Guerra Fría") == "guerra-fria"


# --- EDTF ---------------------------------------------------------------------------------

EDTF_YEAR = st.integers(min_value=1, max_value=9999).map(lambda y: f"{y:04d}")
EDTF_DATE = st.one_of(
    EDTF_YEAR,
    st.builds(lambda y, m: f"{y}-{m:02d}", EDTF_YEAR, st.integers(0, 24)),
    st.builds(
        lambda y, m, d: f"{y}-{m:02d}-{d:02d}", EDTF_YEAR, st.integers(0, 13), st.integers(0, 32)
    ),
)
EDTF_QUALIFIED = st.builds(lambda d, q: d + q, EDTF_DATE, st.sampled_from(["", "?", "~", "%"]))
EDTF_ANY = st.one_of(
    EDTF_QUALIFIED,
    st.builds(lambda a, b: f"{a}/{b}", EDTF_QUALIFIED, EDTF_QUALIFIED),
    st.text(alphabet="0123456789-/?~%X.[],{}YTZ:+E", max_size=24),
    st.text(),
)


@given(EDTF_ANY)
@example("1939-08-23")
@example("1930/1939")
@example("1939-02-30")
@example("..")
@example("1930/..")
@example("Y-170000002")
def test_edtf_span_raises_nothing_but_value_error(value: str) -> None:
    with suppress(ValueError):
        edtf_span(value)


@given(EDTF_QUALIFIED)
@example("1985-03")
@example("1939?")
@example("156X-12-25")
def test_edtf_span_of_a_date_starts_before_it_ends(value: str) -> None:
    try:
        start, end = edtf_span(value)
    except ValueError:
        return
    assert start <= end


@given(EDTF_QUALIFIED, EDTF_QUALIFIED)
@example("1930", "1939")
@example("1917-11", "1922-10")
def test_edtf_span_of_an_ordered_interval_runs_from_its_first_start_to_its_last_end(
    a: str, b: str
) -> None:
    try:
        (first_start, first_end), (last_start, last_end) = sorted([edtf_span(a), edtf_span(b)])
    except ValueError:
        return
    earlier, later = (a, b) if edtf_span(a) <= edtf_span(b) else (b, a)
    try:
        start, end = edtf_span(f"{earlier}/{later}")
    except ValueError:
        return
    assert start <= end
    assert (start, end) == (first_start, last_end)


@given(EDTF_QUALIFIED, EDTF_QUALIFIED)
@example("1990", "1980")
@example("1939-08-23", "1939-08-22")
def test_edtf_span_never_starts_after_it_ends(a: str, b: str) -> None:
    """A reversed interval is refused, not returned with its ends swapped or crossed."""
    try:
        start, end = edtf_span(f"{a}/{b}")
    except ValueError:
        return
    assert start <= end, (a, b, start, end)


def test_edtf_span_refuses_a_reversed_interval() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        edtf_span("1990/1980")


# --- the API on one backend ---------------------------------------------------------------


def fetch_list(client: TestClient, path: str, params: dict[str, Any]) -> dict[str, Any]:
    response = client.get(path, params={**params, "limit": 100})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["next"] is None, "the corpus fits one page of 100"
    return body


@pytest.fixture(scope="session")
def all_passages(client: TestClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = fetch_list(client, "/api/v1/passages", {})["items"]
    assert len(items) >= 10
    assert any(p["start_year"] is None for p in items), "some passages have unknown years"
    return items


YEAR = st.one_of(st.integers(min_value=1900, max_value=2000), st.integers(-9999, 9999))


@API_SETTINGS
@given(
    year_from=st.none() | YEAR,
    year_to=st.none() | YEAR,
)
@example(year_from=1939, year_to=1939)
@example(year_from=1940, year_to=1953)
@example(year_from=1991, year_to=None)
@example(year_from=None, year_to=1921)
@example(year_from=-9999, year_to=9999)
def test_year_range_keeps_exactly_the_overlapping_passages(
    client: TestClient,
    all_passages: list[dict[str, Any]],
    year_from: int | None,
    year_to: int | None,
) -> None:
    params = {k: v for k, v in {"from": year_from, "to": year_to}.items() if v is not None}
    if year_from is not None and year_to is not None and year_from > year_to:
        response = client.get("/api/v1/passages", params=params)
        assert response.status_code == 422
        assert problem_names(response) == ["to"]
        return
    expected = [p["id"] for p in all_passages]
    if params:
        expected = [
            p["id"]
            for p in all_passages
            if p["start_year"] is not None
            and p["end_year"] is not None
            and (year_to is None or p["start_year"] <= year_to)
            and (year_from is None or p["end_year"] >= year_from)
        ]
    body = fetch_list(client, "/api/v1/passages", params)
    assert [p["id"] for p in body["items"]] == expected
    assert body["total"] == len(expected)


@API_SETTINGS
@given(path=st.sampled_from(LISTS), value=HUGE)
def test_huge_limit_is_422(client: TestClient, path: str, value: int) -> None:
    response = client.get(path, params={"limit": value})
    assert response.status_code == 422, response.text
    assert problem_names(response) == ["limit"]


@API_SETTINGS
@given(path=st.sampled_from(YEAR_RANGED), name=st.sampled_from(["from", "to"]), value=HUGE)
def test_huge_year_bound_is_422(client: TestClient, path: str, name: str, value: int) -> None:
    response = client.get(path, params={name: value})
    assert response.status_code == 422, response.text
    assert problem_names(response) == [name]


@API_SETTINGS
@given(value=HUGE)
def test_huge_period_year_is_422(client: TestClient, value: int) -> None:
    response = client.get("/api/v1/periods", params={"year": value})
    assert response.status_code == 422, response.text
    assert problem_names(response) == ["year"]


@API_SETTINGS
@given(value=st.one_of(HUGE, st.integers(min_value=2**31, max_value=2**63)))
def test_huge_passage_id_is_422(client: TestClient, value: int) -> None:
    response = client.get(f"/api/v1/passages/{value}")
    assert response.status_code == 422, response.text
    assert problem_names(response) == ["passage_id"]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# JSON a client could forge: any number, any string (NUL, lone surrogates), nested values.
ANY_INT = st.one_of(st.integers(), st.sampled_from([2**31, 2**63, -(2**63) - 1, 2**64]))
ANY_TEXT = st.text()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | ANY_INT | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=8,
)
DATE_TEXT = st.dates().map(lambda d: d.isoformat())
# Cursors shaped like real ones: a list of the sort key's length with plausible values.
KEY_VALUES = st.lists(st.one_of(ANY_INT, DATE_TEXT, ANY_TEXT), min_size=1, max_size=4)
CURSORS = st.one_of(
    st.binary(max_size=300).map(_b64),
    st.text(URL_TEXT, max_size=300),
    JSON_VALUES.map(lambda v: _b64(json.dumps(v).encode())),
    KEY_VALUES.map(lambda v: _b64(json.dumps(v).encode())),
)


@API_SETTINGS
@given(path=st.sampled_from(LISTS), cursor=CURSORS)
@example(path="/api/v1/passages", cursor=_b64(b"[1, 2]"))
@example(path="/api/v1/events", cursor=_b64(b'["1939-08-23", "1939-08-23", 1]'))
@example(path="/api/v1/actors", cursor=_b64(b'["kgb"]'))
@example(path="/api/v1/periods", cursor=_b64(b"[1917, 1991, NaN]"))
@example(path="/api/v1/themes", cursor=_b64(b"[" * 300))
def test_tampered_cursor_is_200_or_422_naming_cursor(
    client: TestClient, path: str, cursor: str
) -> None:
    response = client.get(path, params={"cursor": cursor})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert problem_names(response) == ["cursor"]


@pytest.mark.parametrize(
    ("path", "values"),
    [
        pytest.param("/api/v1/actors", ["\x00"], id="nul-in-slug"),
        pytest.param("/api/v1/actors", ["\ud800"], id="lone-surrogate"),
        pytest.param("/api/v1/passages", [1, 2**31], id="int-past-32-bits"),
        pytest.param("/api/v1/periods", [2**62, 1, 1], id="int-past-32-bits-first"),
        pytest.param("/api/v1/events", ["0001-01-01", "9999-12-31", 2**63], id="int-past-64-bits"),
    ],
)
def test_cursor_values_no_column_can_hold_are_422(
    client: TestClient, path: str, values: list[Any]
) -> None:
    response = client.get(path, params={"cursor": _b64(json.dumps(values).encode())})
    assert response.status_code == 422, response.text
    assert problem_names(response) == ["cursor"]


# --- search on both backends at once ------------------------------------------------------


@pytest.fixture(scope="session")
def search_clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    """A seeded app per available backend, side by side, to compare their answers."""
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
    with ExitStack() as stack:
        clients = {}
        for backend in backends:
            url = stack.enter_context(
                throwaway_database(backend, tmp_path_factory.mktemp("search"))
            )
            migrate(url)
            engine = create_engine(url)
            with Session(engine) as session, session.begin():
                load_seed(session, read_seed(PROJECT_ROOT / "seed"))
            engine.dispose()
            app = create_app(Settings(database_url=url))
            clients[backend] = stack.enter_context(TestClient(app))
        yield clients


QUERY_TEXT = st.one_of(
    st.text(URL_TEXT, max_size=40),
    st.lists(st.sampled_from(FTS_SYNTAX) | st.text(URL_TEXT, max_size=8), max_size=8).map(" ".join),
    st.text(string.whitespace + "\x00\x1f\x7f\x85\xa0\u2028\u3000", max_size=10),
    st.sampled_from(["litvinov", "LITVÍNOV", "guerra fria", "KGB", "tercer mundo"]),
    # Up to 10,000 characters; at most two UTF-8 bytes each keeps the URL under httpx's limit.
    st.builds(
        lambda s, n: ((s or "a") * n)[:10_000],
        st.text(st.characters(max_codepoint=0x7FF, exclude_categories=["Cs"]), max_size=5),
        st.integers(1, 10_000),
    ),
)


@settings(max_examples=300)
@given(path=st.sampled_from(SEARCHABLE), q=QUERY_TEXT)
@example(path="/api/v1/passages", q="\x00")
@example(path="/api/v1/passages", q="litvinov\x00")
@example(path="/api/v1/passages", q="   ")
@example(path="/api/v1/actors", q="\t \n")
@example(path="/api/v1/passages", q='"seguridad" AND (colectiva OR NOT NEAR*) ^ title:x')
@example(path="/api/v1/passages", q="%")
@example(path="/api/v1/passages", q="_")
@example(path="/api/v1/passages", q="\\")
@example(path="/api/v1/passages", q="100%_\\'\"")
@example(path="/api/v1/passages", q="a" * 10_000)
@example(path="/api/v1/events", q="Nazi-Soviet")
def test_any_search_text_is_200_or_422_and_the_same_on_both_backends(
    search_clients: dict[str, TestClient], path: str, q: str
) -> None:
    answers = {}
    for backend, client in search_clients.items():
        response = client.get(path, params={"q": q})
        assert response.status_code in (200, 422), (backend, response.text)
        if response.status_code == 422:
            assert problem_names(response) == ["q"]
        answers[backend] = (response.status_code, response.json())
    first = next(iter(answers.values()))
    for backend, answer in answers.items():
        assert answer == first, backend


def test_search_examples_on_every_backend(search_clients: dict[str, TestClient]) -> None:
    for client in search_clients.values():
        everything = fetch_list(client, "/api/v1/passages", {})
        assert fetch_list(client, "/api/v1/passages", {"q": " \t "}) == everything
        nul = client.get("/api/v1/passages", params={"q": "litvinov\x00"})
        assert nul.status_code == 422
        assert problem_names(nul) == ["q"]
        assert [
            p["id"] for p in fetch_list(client, "/api/v1/passages", {"q": "LITVÍNOV"})["items"]
        ] == [6]
