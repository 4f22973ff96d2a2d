"""Schemathesis against the app's own OpenAPI document, in-process over ASGI, on each backend.

Every operation is exercised with positive and negative data (the examples, coverage and
fuzzing phases) and every response goes through every response check Schemathesis has: no
server error, documented status codes, content types, headers and bodies, valid data accepted
and invalid data rejected, and the rest. Any failure fails the test.

One rule is narrowed, not dropped: some schema-valid values can only be judged against the
data (a slug nobody curated, a cursor this list never issued, `to` before `from`), and the API
rightly answers those with 422. `positive_data_acceptance` therefore also expects 422, and
`rejects_valid_data_only_by_data_rules` fails any 422 to valid data that is not exactly one
of those rules, naming a slug that really is unknown.

The app under test is built on the seeded database of each backend; the writes it documents
need an API key, which the fuzzer never has, so the shared database is never changed.
"""

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import CheckContext, CheckFunction
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import create_engine, select

from app.core.config import Settings
from app.main import create_app
from app.models import Actor, Event, Period, Region, Theme
from app.models.base import EntityMixin
from tests.schemathesis_checks import NO_TIME_LIMIT_S, every_response_check, report_once

# Cases sent per backend, reported once the module's tests are done.
CASES: Counter[str] = Counter()
REPORTED: set[str] = set()
# Fuzzing examples per operation; the examples and coverage phases add their own cases.
# Writes need an API key the fuzzer does not have, so past body parsing they stop at 401:
# fewer examples of them keep the run within a few minutes.
MAX_EXAMPLES = 150
MAX_EXAMPLES_WRITES = 40

# Filters whose values are slugs: a schema-valid slug may name nothing.
SLUG_FILTERS: dict[str, type[EntityMixin]] = {
    "era": Period,
    "theme": Theme,
    "actor": Actor,
    "region": Region,
    "event": Event,
}
UNKNOWN_SLUGS = re.compile(r"^unknown (?:period|theme|actor|region|event) ('[a-z0-9-]+'(?:, )?)+$")
QUOTED = re.compile(r"'([a-z0-9-]+)'")
EXPECTED_FOR_VALID_DATA = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]


@pytest.fixture(scope="module", autouse=True)
def _report_case_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    lines = {b: [f"\nschemathesis: {n} cases sent on {b}"] for b, n in CASES.items()}
    report_once(request, REPORTED, lines)


@pytest.fixture(autouse=True)
def _legacy_node_id(request: pytest.FixtureRequest) -> None:
    """Schemathesis' fixture-based loader reads and renames `node._nodeid`, which pytest 9.2
    no longer has; give it the plain id to work on (reports keep pytest's own id)."""
    node = request.node
    if not hasattr(node, "_nodeid"):
        node._nodeid = node.nodeid


@pytest.fixture(scope="module")
def schemathesis_app(seeded_url: str) -> Iterator[FastAPI]:
    """An app on this backend's seeded database, for Schemathesis alone.

    Schemathesis runs the app's lifespan in its own event loop and keeps it for the process;
    a separate instance keeps that lifespan apart from the shared test client's, and it is
    shut down here so that its engine and listener end with the module.
    """
    yield create_app(Settings(database_url=seeded_url))
    shutdown_lifespans()


@pytest.fixture(scope="module")
def known_slugs(seeded_url: str) -> dict[str, set[str]]:
    """Every slug each filter knows, read from the database the app serves."""
    engine = create_engine(seeded_url)
    try:
        with engine.connect() as connection:
            return {
                name: set(connection.scalars(select(model.slug)))
                for name, model in SLUG_FILTERS.items()
            }
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def api_schema(schemathesis_app: FastAPI) -> OpenApiSchema:
    config = schemathesis.Config.from_dict(
        {
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
            "operations": [
                {
                    "include-method-regex": "^(POST|PUT|PATCH|DELETE)$",
                    "generation": {"max-examples": MAX_EXAMPLES_WRITES},
                }
            ],
            "checks": {"positive_data_acceptance": {"expected-statuses": EXPECTED_FOR_VALID_DATA}},
        }
    )
    return schemathesis.openapi.from_asgi("/openapi.json", schemathesis_app, config=config)


def data_rule_check(known: dict[str, set[str]]) -> CheckFunction:
    def rejects_valid_data_only_by_data_rules(
        ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
    ) -> bool | None:
        if response.status_code != 422 or case.meta is None:
            return None
        if not case.meta.generation.mode.is_positive:
            return None
        body = response.json()
        params: list[dict[str, Any]] = body["invalid_params"]
        assert params, body
        query = case.query or {}
        for param in params:
            name, reason = param["name"], param["reason"]
            if name == "cursor":
                assert reason == "is not a cursor this list issued", param
            elif name == "to":
                assert reason.startswith("must not be before 'from'"), param
                assert int(query["from"]) > int(query["to"]), query
            elif name in SLUG_FILTERS:
                assert UNKNOWN_SLUGS.fullmatch(reason), param
                named = set(QUOTED.findall(reason))
                assert named, param
                assert not named & known[name], f"a known {name} was refused: {param}"
            else:
                raise AssertionError(f"schema-valid {name!r} refused: {param}")
        return None

    return rejects_valid_data_only_by_data_rules


WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def writes_need_a_key(
    ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """The fuzzer has no API key: no write may succeed (nor change the shared database)."""
    if case.method.upper() in WRITES:
        assert not 200 <= response.status_code < 300, (case.method, case.path, response.text)
    return None


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.settings(
    suppress_health_check=list(hypothesis.HealthCheck),
    database=None,
)
def test_api_conforms_to_its_schema(
    case: schemathesis.Case[Any], backend: str, known_slugs: dict[str, set[str]]
) -> None:
    case.call_and_validate(
        checks=every_response_check(),
        additional_checks=[data_rule_check(known_slugs), writes_need_a_key],
        timeout=NO_TIME_LIMIT_S,
    )
    CASES[backend] += 1


SEARCHABLE = (
    "/api/v1/passages",
    "/api/v1/events",
    "/api/v1/actors",
    "/api/v1/periods",
    "/api/v1/regions",
    "/api/v1/themes",
    "/api/v1/timeline",
)


@pytest.mark.parametrize(
    ("q", "status"),
    [
        pytest.param("\x00", 422, id="nul"),
        pytest.param("litvinov\x00", 422, id="nul-after-a-word"),
        pytest.param("   ", 200, id="spaces"),
        pytest.param("\t\n ", 200, id="whitespace"),
    ],
)
def test_earlier_misses_conform_on_every_search(
    api_schema: OpenApiSchema, backend: str, q: str, status: int
) -> None:
    """A NUL byte and a whitespace-only `q`, sent to every operation that takes `q` and
    validated by every check: 422 naming `q`, and 200 for the whole list."""
    for path in SEARCHABLE:
        case = api_schema[path]["GET"].Case(query={"q": q})
        response = case.call_and_validate(checks=every_response_check(), timeout=NO_TIME_LIMIT_S)
        assert response.status_code == status, (path, response.text)
        if status == 422:
            names = [param["name"] for param in response.json()["invalid_params"]]
            assert names == ["q"], (path, response.text)
        CASES[backend] += 1


def test_q_control_character_rule_is_documented(api_schema: OpenApiSchema) -> None:
    parameters = api_schema.raw_schema["paths"]["/api/v1/passages"]["get"]["parameters"]
    (q,) = [p for p in parameters if p["name"] == "q"]
    patterns = [s["pattern"] for s in q["schema"].get("anyOf", [q["schema"]]) if "pattern" in s]
    assert patterns, q
    assert all(re.search(pattern, "litvinov") for pattern in patterns)
    assert not any(re.search(pattern, "litvinov\x01") for pattern in patterns)


def test_comma_lists_are_documented(api_schema: OpenApiSchema) -> None:
    """`include` and `facets` take comma-separated lists: their schema says so (a pattern),
    and an empty item is refused as the pattern refuses it."""
    parameters = api_schema.raw_schema["paths"]["/api/v1/passages"]["get"]["parameters"]
    (include,) = [p for p in parameters if p["name"] == "include"]
    items = include["schema"].get("items", {})
    if "$ref" in items:
        items = api_schema.raw_schema["components"]["schemas"][items["$ref"].rsplit("/", 1)[1]]
    documented = "enum" not in items or "" in items["enum"]
    response = api_schema["/api/v1/passages"]["GET"].Case(query={"include": [""]}).call()
    assert documented or response.status_code == 422, (items, response.status_code)
