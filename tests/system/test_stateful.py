"""Schemathesis' stateful mode, in-process over ASGI, on each backend: with an admin key it
follows the links the OpenAPI document gives every create, read and update (to the next read,
update, replace or delete of the same resource, the ETag carried as `If-Match`), and every
response goes through every check Schemathesis has, plus two of this API's own.

Each scenario (one Hypothesis example) starts from the same data: before it, the app's
lifespan is stopped and its database put back to a seeded copy that holds the key (the SQLite
file copied again, the PostgreSQL database re-created from that copy as its template). The
same steps therefore meet the same responses, which Hypothesis needs to replay them.

The links are the document's own: Schemathesis' inferred links are off, so every transition
is one the document promises. Whether a step uses a link's values or draws its own is
Schemathesis' choice; both are checked.

`consistent_with_what_was_served` holds each answer to what the scenario was served before:
* a PUT, PATCH or DELETE without `If-Match` (documented as required) is refused with 428
  (never a success or 412), one with it never with 428 unless it names `*`;
  `positive_data_acceptance` also expects 412 and 428, and this check narrows them;
* one whose `If-Match` is an ETag served for that resource since the last write (by its
  create, read or update) passes the precondition: no 412, no 404;
* a write succeeds only with an ETag once served for that resource (`*` is 428);
* a read of a resource served since the last write answers with the ETag it was served with
  in that language;
* a deleted resource (or the slug one was renamed away from) answers 404 until it is created
  again.

Some schema-valid bodies can only be judged against the data or across fields (an unknown
slug, `end_year` before `start_year`, a date that is not EDTF, a name with nothing to slug, a
merge patch whose result breaks one of those), or by what JSON Schema cannot say (a year
written 1939.0, an integer to JSON Schema; a text of invisible characters beyond the Basic
Multilingual Plane); `positive_data_acceptance` also expects 422,
and `rejects_valid_bodies_only_by_known_rules` fails any 422 to valid data that is not one of
those, checked against the body sent. The rules a schema can say, it says
(`test_write_bodies_document_what_they_refuse`): no control characters in text, no blank
names or texts, and in a merge patch no null for a field the resource cannot be without.
"""

import os
import re
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import urlsplit

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import CheckContext, CheckFunction
from schemathesis.generation.stateful.state_machine import (
    RecordingStateMachine,
    StepInput,
    StepOutput,
)
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from app.analysis.text import slugify, visible
from app.core.config import Settings
from app.main import create_app
from tests.databases import clone_database
from tests.keys import make_key
from tests.schemathesis_checks import NO_TIME_LIMIT_S, every_response_check, report_once

# Hypothesis examples (scenarios) of at most STEPS calls each, per backend: under a minute on
# either, the database put back before each scenario in well under 100 ms.
SCENARIOS = 60
STEPS = 12
WRITES = {"PUT", "PATCH", "DELETE"}
# 428 too: `If-Match: *` is a schema-valid header that is always refused (it guards nothing).
# The check below holds 428 to exactly that case and to a missing If-Match.
EXPECTED_FOR_VALID_DATA = ["2xx", "404", "409", "412", "422", "428"]
UNKNOWN_SLUGS = re.compile(r"^unknown (?:actor|event|period|region|theme) ('[a-z0-9-]+'(?:, )?)+$")
QUOTED = re.compile(r"'([a-z0-9-]+)'")
YEARS_OUT_OF_ORDER = re.compile(r"end_year (-?\d+) is before start_year (-?\d+)$")


@dataclass
class Tally:
    """What one backend's run did, reported once the module's tests are done."""

    scenarios: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    transitions: Counter[str] = field(default_factory=Counter)
    linked_if_match: Counter[int] = field(default_factory=Counter)
    admitted: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def step(self, step: StepInput) -> None:
        transition = step.transition
        if transition is None:
            self.transitions[f"start: {step.case.method.upper()} {step.case.path}"] += 1
            return
        self.transitions[link_name(transition.id)] += 1

    def response(self, step: StepInput, output: StepOutput) -> None:
        case, status = output.case, output.response.status_code
        self.calls[f"{case.method.upper()} {case.path} {status}"] += 1
        applied = {(location.value, name) for location, name in step.applied_parameters}
        if ("header", "if-match") in applied:
            self.linked_if_match[status] += 1

    def lines(self, backend: str) -> list[str]:
        calls = sum(self.calls.values())
        links = sum(n for name, n in self.transitions.items() if not name.startswith("start"))
        per_status: Counter[str] = Counter()
        for name, n in self.calls.items():
            method, _, status = name.split(" ")
            per_status[f"{method} {status}"] += n
        return [
            f"\nschemathesis stateful on {backend}: {self.scenarios} scenarios, {calls} calls "
            f"({links} along links) in {self.seconds:.0f} s",
            "  calls: " + ", ".join(f"{k} ×{n}" for k, n in sorted(per_status.items())),
            "  links: "
            + ", ".join(f"{k} ×{n}" for k, n in sorted(self.transitions.items()) if "->" in k),
            "  writes with the link's If-Match: "
            + ", ".join(f"{status} ×{n}" for status, n in sorted(self.linked_if_match.items())),
            "  422s to valid data, by rule: "
            + ", ".join(f"{rule} ×{n}" for rule, n in self.admitted.most_common()),
        ]


TALLIES: dict[str, Tally] = {}
REPORTED: set[str] = set()


TRANSITION = re.compile(r"(\S+) \S+ -> \[(\S+)\] (\S+) -> (\S+) \S+")


def link_name(transition_id: str) -> str:
    """`POST /api/v1/actors -> [201] Update -> PATCH /api/v1/actors/{slug}` as
    `POST 201 -Update-> PATCH`."""
    match = TRANSITION.fullmatch(transition_id)
    if match is None:
        return transition_id
    source, status, name, target = match.groups()
    return f"{source} {status} -{name}-> {target}"


@pytest.fixture(scope="module", autouse=True)
def _report_tallies(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    report_once(request, REPORTED, {b: tally.lines(b) for b, tally in TALLIES.items()})


@dataclass
class Database:
    """The database the app under test serves, and the seeded copy it is put back to."""

    backend: str
    template: str
    url: str
    key: str
    admin: Engine | None

    def restore(self) -> None:
        if self.admin is None:
            target = Path(make_url(self.url).database or "")
            for path in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
                path.unlink(missing_ok=True)
            shutil.copyfile(make_url(self.template).database or "", target)
            return
        name, template = make_url(self.url).database, make_url(self.template).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))


@pytest.fixture(scope="module")
def database(
    backend: str, template_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A copy of the seeded database with an admin key in it, never served, and the database
    the app serves, made from that copy before every scenario."""
    tmp = tmp_path_factory.mktemp("stateful")
    with clone_database(backend, template_url, tmp) as seeded:
        key = make_key(seeded, "admin", name="schemathesis")
        with clone_database(backend, seeded, tmp) as url:
            admin = None
            if backend != "sqlite":
                server = os.environ["TEST_DATABASE_URL"]
                admin = create_engine(server, isolation_level="AUTOCOMMIT")
            try:
                yield Database(backend, seeded, url, key, admin)
            finally:
                if admin is not None:
                    admin.dispose()


@pytest.fixture(scope="module")
def stateful_app(database: Database) -> Iterator[FastAPI]:
    yield create_app(Settings(database_url=database.url))
    shutdown_lifespans()


@pytest.fixture(scope="module")
def stateful_schema(stateful_app: FastAPI, database: Database) -> OpenApiSchema:
    config = schemathesis.Config.from_dict(
        {
            "auth": {"openapi": {"ApiKey": {"bearer": database.key}}},
            "checks": {"positive_data_acceptance": {"expected-statuses": EXPECTED_FOR_VALID_DATA}},
            "phases": {"stateful": {"inference": {"algorithms": []}}},
        }
    )
    return schemathesis.openapi.from_asgi("/openapi.json", stateful_app, config=config)


def _str(value: str | bytes | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def resource_path(response: schemathesis.Response) -> str:
    return urlsplit(_str(response.request.url) or "").path


def language(response: schemathesis.Response) -> str:
    return response.headers.get("content-language", [""])[0]


def written_path(response: schemathesis.Response, case: schemathesis.Case[Any]) -> str | None:
    """Where the resource a successful create, read or update answered with now lives."""
    if case.method.upper() == "POST":
        location = response.headers.get("location")
        return location[0] if location else None
    body = response.json()
    collection = resource_path(response).rsplit("/", 1)[0]
    key = body["id"] if collection.endswith("/passages") else body["slug"]
    return f"{collection}/{key}"


def takes_null(prop: dict[str, Any]) -> bool:
    return any(option.get("type") == "null" for option in prop.get("anyOf", [prop]))


def known_rule(case: schemathesis.Case[Any], name: str, reason: str) -> str | None:
    """Which rule a 422 to schema-valid data names, if it is one a JSON Schema cannot say and
    the body sent really breaks it."""
    body = case.body if isinstance(case.body, dict) else {}
    sent = body.get(name)
    if name.endswith("_year") and reason == "Input should be a valid integer":
        # JSON Schema counts 1939.0 as an integer; a write body takes JSON integers only.
        return "a year written as a float" if isinstance(sent, float) else None
    if reason.startswith("Value error, must not be blank"):
        # The pattern names the invisible characters of the Basic Multilingual Plane only.
        values = sent if isinstance(sent, list) else [sent]
        invisible = any(isinstance(v, str) and not visible(v).strip() for v in values)
        return "only invisible characters" if invisible else None
    if name == "date":
        return "not EDTF" if reason.endswith("is not an EDTF date this corpus can hold") else None
    if UNKNOWN_SLUGS.fullmatch(reason):
        sent = repr(body)
        found = all(f"'{slug}'" in sent for slug in QUOTED.findall(reason))
        return "unknown slug" if found else None
    if name == "parent":
        return "parent loop" if reason == "would make the hierarchy loop back to itself" else None
    years = YEARS_OUT_OF_ORDER.search(reason)
    no_slug = reason.endswith("`name` gives no slug; give `slug`")
    if case.method.upper() == "PATCH":
        # A merge patch is judged merged with the stored resource: the order of the years
        # and the slug it derives depend on both.
        if years or no_slug:
            return "years or slug of the merged resource"
        return None
    if years:
        end, start = int(years.group(1)), int(years.group(2))
        sent_years = (body.get("end_year"), body.get("start_year"))
        return "years out of order" if end < start and sent_years == (end, start) else None
    if no_slug and body.get("slug") is None and not slugify(str(body.get("name", "")).strip()):
        return "name without a slug"
    return None


class FreshDatabase(RecordingStateMachine):
    """Puts the database back before each scenario and checks the conditional writes."""

    database: ClassVar[Database]
    tally: ClassVar[Tally]

    def setup(self) -> None:
        shutdown_lifespans()
        self.database.restore()
        self.tally.scenarios += 1
        # ETags served per resource path since the last successful write (by language), and
        # ever; paths deleted (or renamed away from) and not created again.
        self.current: dict[str, dict[str, str]] = {}
        self.served: defaultdict[str, set[str]] = defaultdict(set)
        self.gone: set[str] = set()

    def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
        return {**super().get_call_kwargs(case), "timeout": NO_TIME_LIMIT_S}

    def step(self, input: StepInput) -> StepOutput:
        self.tally.step(input)
        output = super().step(input)
        self.tally.response(input, output)
        return output

    def validate_response(
        self,
        response: schemathesis.Response,
        case: schemathesis.Case[Any],
        additional_checks: list[CheckFunction] | None = None,
        **kwargs: Any,
    ) -> None:
        case.validate_response(
            response,
            checks=every_response_check(stateful=True),
            additional_checks=[
                *(additional_checks or []),
                self.rejects_valid_bodies_only_by_known_rules,
                self.consistent_with_what_was_served,
            ],
            transport_kwargs=kwargs or None,
            recorder=self.recorder,
        )
        self.observe(response, case)

    def rejects_valid_bodies_only_by_known_rules(
        self, ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
    ) -> bool | None:
        if response.status_code != 422 or case.meta is None:
            return None
        if not case.meta.generation.mode.is_positive:
            return None
        problem = response.json()
        params: list[dict[str, Any]] = problem["invalid_params"]
        assert params, problem
        for param in params:
            rule = known_rule(case, param["name"], param["reason"])
            assert rule is not None, (
                f"schema-valid {param['location']} {param['name']!r} refused: {param['reason']}"
            )
            self.tally.admitted[rule] += 1
        return None

    def observe(self, response: schemathesis.Response, case: schemathesis.Case[Any]) -> None:
        status, method, path = response.status_code, case.method.upper(), resource_path(response)
        if not 200 <= status < 300:
            return
        if method != "GET":
            # Details embed what links to them, so any write may change any ETag.
            self.current = {}
        if method == "DELETE":
            self.gone.add(path)
            return
        etag = response.headers.get("etag")
        now = written_path(response, case) if etag else None
        if etag is None or now is None:
            return
        if method in WRITES and now != path:
            self.gone.add(path)
        self.gone.discard(now)
        self.current.setdefault(now, {})[language(response)] = etag[0]
        self.served[now].add(etag[0])

    def consistent_with_what_was_served(
        self, ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
    ) -> bool | None:
        method, status, path = case.method.upper(), response.status_code, resource_path(response)
        if method not in WRITES | {"GET"}:
            return None
        if path in self.gone:
            assert status not in (409, 412, 428), f"{method} {path} answered {status}: it is gone"
            assert not 200 <= status < 300, f"{method} {path} answered {status}: it is gone"
        current = self.current.get(path, {})
        if method == "GET":
            assert not (status == 404 and current), f"{path} answered 404; it was just served"
            etag, served = response.headers.get("etag", [None])[0], current.get(language(response))
            assert not (status == 200 and served and etag != served), (
                f"GET {path} answered ETag {etag}, the resource's ETag in that language since "
                f"the last write is {served}"
            )
            return None
        sent = _str(response.request.headers.get("If-Match"))
        if sent is None:
            refused = f"{method} {path} without If-Match answered {status}, not 428"
            assert status != 412, refused
            assert not 200 <= status < 300, refused
            return None
        tags = {tag.strip() for tag in sent.split(",")}
        # `*` guards nothing, so it is refused as if If-Match were missing.
        assert status != 428 or "*" in tags, (
            f"{method} {path} answered 428 although If-Match was {sent!r}"
        )
        fresh = tags & set(current.values())
        assert not (fresh and status in (404, 412)), (
            f"{method} {path} answered {status} to If-Match {sent}, the ETag it was just "
            f"served with: {response.text}"
        )
        if 200 <= status < 300:
            assert "*" not in tags, f"{method} {path} succeeded with If-Match {sent}"
            assert tags & self.served[path], (
                f"{method} {path} succeeded with If-Match {sent}, no ETag it was ever served with"
            )
        return None


def state_machine(schema: OpenApiSchema, database: Database, tally: Tally) -> type[FreshDatabase]:
    links = schema.as_state_machine()
    namespace: dict[str, Any] = {"database": database, "tally": tally}
    return cast(type[FreshDatabase], type("AnalesWorkflow", (FreshDatabase, links), namespace))


def test_links_walk_the_writes(
    stateful_schema: OpenApiSchema, database: Database, backend: str
) -> None:
    tally = TALLIES.setdefault(backend, Tally())
    machine = state_machine(stateful_schema, database, tally)
    started = time.monotonic()
    try:
        machine.run(
            settings=hypothesis.settings(
                max_examples=SCENARIOS,
                stateful_step_count=STEPS,
                derandomize=True,
                database=None,
                phases=[hypothesis.Phase.generate],
                suppress_health_check=list(hypothesis.HealthCheck),
            )
        )
    finally:
        tally.seconds += time.monotonic() - started
    taken = " ".join(tally.transitions)
    for link in ("-Read->", "-Update->", "-Replace->", "-Delete->"):
        assert link in taken, tally.transitions
    assert any(200 <= status < 300 for status in tally.linked_if_match), tally.linked_if_match


# Text fields of the write bodies that refuse control characters.
PRINTABLE_FIELDS = {"name", "name_en", "description", "description_en", "aliases", "note", "role"}
PRINTABLE_FIELDS |= {"text", "text_en"}
WRITE_BODY = re.compile(r"^(?P<kind>Actor|Event|Period|Region|Theme|Passage)(?:Create|Patch)$")


def _string_schemas(prop: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for option in prop.get("anyOf", [prop]):
        option = option.get("items", option)
        if option.get("type") == "string":
            yield option


def _refuses(schema: dict[str, Any], value: str) -> bool:
    pattern = schema.get("pattern")
    too_short = len(value) < schema.get("minLength", 0)
    return too_short or (pattern is not None and re.search(pattern, value) is None)


def undocumented_refusals(schemas: dict[str, Any]) -> list[str]:
    """What the write bodies refuse although their schemas allow it: control characters in
    text (a tab or a newline is fine), a blank value where one is needed (it is stripped to
    nothing first), and in a merge patch a null (which removes a field, RFC 7396) for a field
    the resource cannot be without."""
    found = []
    for model, body in schemas.items():
        match = WRITE_BODY.fullmatch(model)
        if match is None:
            continue
        needed = schemas[f"{match['kind']}Create"].get("required", [])
        for name, prop in body["properties"].items():
            for schema in _string_schemas(prop):
                if name in PRINTABLE_FIELDS and not (
                    _refuses(schema, "a\x01b") and not _refuses(schema, "a\tb")
                ):
                    found.append(f"{model}.{name}: control characters")
                if schema.get("minLength", 0) >= 1 and not _refuses(schema, "   "):
                    found.append(f"{model}.{name}: blank")
            if model.endswith("Patch") and takes_null(prop) and name in needed:
                found.append(f"{model}.{name}: null")
    return found


def test_write_bodies_document_what_they_refuse() -> None:
    """What the write bodies refuse their schemas say, as `q`'s schema says it."""
    schemas = create_app(Settings(database_url="sqlite://")).openapi()["components"]["schemas"]
    assert not undocumented_refusals(schemas)


def test_if_match_is_documented_as_required() -> None:
    """A PUT, PATCH or DELETE without `If-Match` is 428; the document says it is required."""
    paths = create_app(Settings(database_url="sqlite://")).openapi()["paths"]
    optional = [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["name"].lower() == "if-match" and not parameter.get("required", False)
    ]
    assert not optional
