"""Linearizable single resources: what concurrent clients of one server see is what some
one-at-a-time order of their operations, respecting real time, would have shown them.

A few clients read and compare-and-set a few themes (PATCH with `If-Match`; one client per
theme also deletes and recreates it) against a real server, with the response cache on and
off and with one and two worker processes. Every operation is recorded with when it was sent
and when its answer came back; `check` then judges the whole history:

* The successful writes of a resource form one chain: each names, by `If-Match`, the state it
  replaced (a recreate follows its client's delete). Two writes from one state is a lost
  update; a write off the chain replaced a state nobody could have read.
* Every read, and every write refused because the state had moved on (412) or was gone (404),
  observed a state of that chain. It must be no older than the newest write acknowledged
  before it was sent (not stale), made by a write sent before its answer came back (not from
  the future), and no older than what any operation answered before it was sent showed
  (real-time order, which also makes one client's reads monotonic).

States are named by ETag, each write storing a unique token, and a check that tokens and
ETags pair one to one keeps that naming honest.
"""

import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from tests.keys import bearer, make_key
from tests.paths import path
from tests.servers import serving

Kind = Literal["read", "patch", "delete", "create"]

# What each kind of operation may answer: anything else (a 5xx above all) fails the run.
EXPECTED_STATUSES: dict[Kind, frozenset[int]] = {
    "read": frozenset({200, 404}),
    "patch": frozenset({200, 404, 412}),
    "delete": frozenset({204, 404, 412}),
    "create": frozenset({201}),
}
THEMES = path("list_themes")
RESOURCES = 3
CLIENTS = 6
OPS_EACH = 40
# Bounds on one run, so that a server that hangs fails the test rather than stalling it.
LOAD_SECONDS = 30.0
REQUEST_TIMEOUT_S = 10.0


# --- History ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One completed operation as its client saw it; times are seconds on a monotonic clock.

    `etag` and `value` are what the answer said the state now is (the ETag and description
    of a 200 or 201); `value` of a failed write is the token it tried to store."""

    client: int
    seq: int
    resource: str
    kind: Kind
    invoke: float
    complete: float
    status: int
    etag: str | None = None
    value: str | None = None
    if_match: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.kind != "read" and 200 <= self.status < 300

    def __str__(self) -> str:
        parts = [
            f"client {self.client} #{self.seq} {self.kind} {self.resource}",
            f"[{self.invoke:.4f}, {self.complete:.4f}]",
            f"-> {self.status or 'no answer'}",
        ]
        if self.if_match is not None:
            parts.append(f"if-match={self.if_match}")
        if self.etag is not None:
            parts.append(f"etag={self.etag}")
        if self.value is not None:
            parts.append(f"value={self.value!r}")
        return " ".join(parts)


@dataclass(frozen=True)
class Absent:
    """The state after a delete: each delete makes its own, so recreating follows one."""

    delete: Op


State = str | Absent  # an ETag, or the gap a delete left


@dataclass(frozen=True)
class Violation:
    rule: str
    detail: str
    ops: tuple[Op, ...]

    def __str__(self) -> str:
        lines = [f"{self.rule}: {self.detail}"]
        lines += [f"    {op}" for op in sorted(self.ops, key=lambda op: op.invoke)]
        return "\n".join(lines)


# --- Checker ------------------------------------------------------------------------------


@dataclass
class Chain:
    """The successful writes of one resource in the order they took effect.

    Position 0 is the state before the history; write i (from 1) made position i."""

    initial: str
    writes: list[Op] = field(default_factory=list)
    states: list[State] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.states = [self.initial]

    def position(self) -> dict[State, int]:
        return {state: i for i, state in enumerate(self.states)}

    @property
    def last(self) -> State:
        return self.states[-1]


def state_made_by(op: Op) -> State | None:
    """The state a successful write left: its answer's ETag, or the gap of a delete."""
    return Absent(op) if op.kind == "delete" else op.etag


def replaced_by(op: Op, history: Sequence[Op]) -> State | None:
    """The state a successful write replaced: the one its `If-Match` names, or, for a
    recreate, the gap left by its client's last successful delete of the resource."""
    if op.kind != "create":
        return op.if_match
    deletes = [
        d
        for d in history
        if d.client == op.client
        and d.resource == op.resource
        and d.kind == "delete"
        and d.succeeded
        and d.seq < op.seq
    ]
    return Absent(max(deletes, key=lambda d: d.seq)) if deletes else None


def build_chain(
    resource: str, history: Sequence[Op], initial: str
) -> tuple[Chain, list[Violation]]:
    """Follow the compare-and-set links from the initial state to the last write."""
    writes = [op for op in history if op.resource == resource and op.succeeded]
    successors: dict[State | None, list[Op]] = {}
    for op in writes:
        successors.setdefault(replaced_by(op, history), []).append(op)
    chain, violations = Chain(initial), []
    seen: set[State] = {initial}
    while True:
        following = successors.get(chain.last, [])
        if not following:
            break
        if len(following) > 1:
            violations.append(
                Violation(
                    "lost update",
                    f"{len(following)} writes succeeded from the one state {chain.last}",
                    tuple(following),
                )
            )
            break
        (op,) = following
        made = state_made_by(op)
        if made is None or made in seen:
            violations.append(Violation("cycle", "a write returned to an earlier state", (op,)))
            break
        chain.writes.append(op)
        chain.states.append(made)
        seen.add(made)
    orphans = [op for op in writes if op not in chain.writes]
    if orphans and not violations:
        violations.append(
            Violation(
                "write off the chain",
                "these writes succeeded from a state the chain never reached",
                tuple(orphans),
            )
        )
    return chain, violations


def write_order_violations(chain: Chain) -> list[Violation]:
    """A write acknowledged before another was sent must come first in the chain."""
    found = []
    for i, earlier in enumerate(chain.writes):
        for later in chain.writes[i + 1 :]:
            if later.complete < earlier.invoke:
                found.append(
                    Violation(
                        "write order",
                        "a write took effect before one acknowledged before it was sent",
                        (earlier, later),
                    )
                )
    return found


def pairing_violations(history: Sequence[Op]) -> list[Violation]:
    """Each stored token must be answered with one ETag and each ETag with one token, or
    ETags would not name states and the chain could not be trusted."""
    etag_of: dict[tuple[str, str], Op] = {}  # (resource, value) -> the first op showing it
    value_of: dict[tuple[str, str], Op] = {}  # (resource, ETag) -> the first op showing it
    found = []
    for op in history:
        if op.status not in (200, 201) or op.etag is None or op.value is None:
            continue
        first = etag_of.setdefault((op.resource, op.value), op)
        if first.etag != op.etag:
            found.append(Violation("ambiguous state", "one value, two ETags", (first, op)))
        first = value_of.setdefault((op.resource, op.etag), op)
        if first.value != op.value:
            found.append(Violation("ambiguous state", "one ETag, two values", (first, op)))
    return found


@dataclass(frozen=True)
class Observation:
    """An operation that saw the state without changing it, and which states it may have
    seen: a read (of that ETag, or of a gap), a refusal (any state but the one it named)."""

    op: Op
    allows: Callable[[int], bool]
    what: str


def observation_of(op: Op, chain: Chain) -> Observation | None:
    """What `op` says about the state of its resource, if it is an observation at all."""
    position = chain.position()
    gaps = {i for i, state in enumerate(chain.states) if isinstance(state, Absent)}
    if op.status == 404:
        return Observation(op, gaps.__contains__, "the resource absent")
    if op.kind == "read" and op.status == 200:
        seen = position.get(op.etag) if op.etag is not None else None
        return Observation(op, lambda p: p == seen, f"state {op.etag}")
    if op.kind in ("patch", "delete") and op.status == 412:
        named = position.get(op.if_match) if op.if_match is not None else None
        return Observation(op, lambda p: p != named, f"a state other than {op.if_match}")
    return None


def observation_violations(chain: Chain, observations: Sequence[Observation]) -> list[Violation]:
    """Place each observation at the oldest state it may have seen that is no older than
    what the writes acknowledged and the observations answered before it was sent demand,
    then check that the write making that state had been sent before it was answered.

    Taking the oldest state allowed is never worse for what follows: a later observation's
    bound only grows with the states chosen before it."""
    writes = chain.writes
    # sent_by[p]: when the last of the writes making positions 1..p was sent.
    sent_by = [float("-inf")]
    for op in writes:
        sent_by.append(max(sent_by[-1], op.invoke))
    placed: list[tuple[Observation, int]] = []
    found = []
    for obs in sorted(observations, key=lambda o: o.op.invoke):
        op = obs.op
        acknowledged = [i for i, w in enumerate(writes, 1) if w.complete < op.invoke]
        floor_writes = max(acknowledged, default=0)
        earlier = [(o, p) for o, p in placed if o.op.complete < op.invoke]
        floor_reads = max((p for _, p in earlier), default=0)
        candidates = [p for p in range(len(chain.states)) if obs.allows(p)]
        if not candidates:
            found.append(
                Violation(
                    "unexplained", f"saw {obs.what}, which no write that took effect made", (op,)
                )
            )
            continue
        if not any(p >= floor_writes for p in candidates):
            found.append(
                Violation(
                    "stale",
                    f"saw {obs.what}, older than a write acknowledged before it was sent",
                    (op, writes[floor_writes - 1]),
                )
            )
            continue
        floor = max(floor_writes, floor_reads)
        later = [p for p in candidates if p >= floor]
        if not later:
            before, _ = max(earlier, key=lambda pair: pair[1])
            who = "the same client" if before.op.client == op.client else "another client"
            found.append(
                Violation(
                    "went backwards",
                    f"saw {obs.what}, older than what {who} saw before it was sent",
                    (before.op, op),
                )
            )
            continue
        chosen = later[0]
        if sent_by[chosen] >= op.complete:
            future = next(w for w in writes[:chosen] if w.invoke >= op.complete)
            found.append(
                Violation(
                    "from the future",
                    f"saw {obs.what}, made by a write sent after it was answered",
                    (op, future),
                )
            )
            continue
        placed.append((obs, chosen))
    return found


def status_violations(history: Sequence[Op]) -> list[Violation]:
    """Any answer outside what the operation may answer (no answer, a 5xx) is a failure."""
    return [
        Violation("unexpected status", f"a {op.kind} answered {op.status}", (op,))
        for op in history
        if op.status not in EXPECTED_STATUSES[op.kind]
    ]


def check(history: Sequence[Op], initial: Mapping[str, str]) -> list[Violation]:
    """Every violation of single-resource linearizability in `history`; `initial` maps each
    resource to the ETag it had before the history began."""
    violations = status_violations(history) + pairing_violations(history)
    for resource, etag in initial.items():
        chain, broken = build_chain(resource, history, etag)
        violations += broken + write_order_violations(chain)
        observations = [
            obs
            for op in history
            if op.resource == resource and (obs := observation_of(op, chain)) is not None
        ]
        violations += observation_violations(chain, observations)
    return violations


def last_states(history: Sequence[Op], initial: Mapping[str, str]) -> dict[str, State]:
    """The state each resource's chain of writes ends in."""
    return {r: build_chain(r, history, etag)[0].last for r, etag in initial.items()}


def report(violations: Sequence[Violation]) -> str:
    return f"{len(violations)} violations:\n" + "\n".join(map(str, violations))


# --- Hand-made histories ------------------------------------------------------------------

R = "tema"


def read(client: int, seq: int, invoke: float, complete: float, etag: str | None) -> Op:
    status, value = (404, None) if etag is None else (200, etag.lower())
    return Op(client, seq, R, "read", invoke, complete, status, etag, value)


def patch(
    client: int, seq: int, invoke: float, complete: float, if_match: str, etag: str | None
) -> Op:
    status, value = (412, "lost") if etag is None else (200, etag.lower())
    return Op(client, seq, R, "patch", invoke, complete, status, etag, value, if_match)


def delete(client: int, seq: int, invoke: float, complete: float, if_match: str) -> Op:
    return Op(client, seq, R, "delete", invoke, complete, 204, if_match=if_match)


def create(client: int, seq: int, invoke: float, complete: float, etag: str) -> Op:
    return Op(client, seq, R, "create", invoke, complete, 201, etag, etag.lower())


# A → B by client 1 over [2, 3]; client 2 reads around it.
WRITE_AB = patch(1, 1, 2, 3, "A", "B")

GOOD_HISTORIES = {
    "overlapping reads see either side": [
        read(1, 0, 0, 1, "A"),
        WRITE_AB,
        read(2, 0, 1.5, 2.5, "B"),
        read(3, 0, 2.6, 3.5, "B"),
        read(4, 0, 2.2, 4, "B"),
        read(2, 1, 3.5, 4, "B"),
    ],
    "an old state while the write is in flight": [
        read(1, 0, 0, 1, "A"),
        WRITE_AB,
        read(2, 0, 2.1, 2.9, "A"),
        read(2, 1, 3.1, 4, "B"),
    ],
    "a refusal that lost to a real write": [
        read(1, 0, 0, 1, "A"),
        read(2, 0, 0, 1, "A"),
        WRITE_AB,
        patch(2, 1, 2.5, 3.5, "A", None),
        read(2, 2, 4, 5, "B"),
    ],
    "delete and recreate": [
        read(1, 0, 0, 1, "A"),
        delete(1, 1, 2, 3, "A"),
        read(2, 0, 3.1, 4, None),
        create(1, 2, 3.2, 4.2, "C"),
        read(3, 0, 3.9, 5, None),
        read(2, 1, 4.5, 5, "C"),
        patch(2, 2, 5, 6, "C", "D"),
        delete(1, 3, 6.5, 7, "D"),
        read(2, 3, 7.5, 8, None),
    ],
}

BAD_HISTORIES = {
    "stale read": (
        [read(1, 0, 0, 1, "A"), WRITE_AB, read(2, 0, 4, 5, "A")],
        "stale",
    ),
    "read from the future": (
        [read(1, 0, 0, 1, "A"), read(2, 0, 1, 1.5, "B"), WRITE_AB],
        "from the future",
    ),
    "new-old inversion between two clients": (
        [
            read(1, 0, 0, 1, "A"),
            WRITE_AB,
            read(2, 0, 2.1, 2.4, "B"),
            read(3, 0, 2.5, 2.9, "A"),
        ],
        "went backwards",
    ),
    "non-monotonic reads by one client": (
        [
            read(1, 0, 0, 1, "A"),
            WRITE_AB,
            read(2, 0, 2.1, 2.4, "B"),
            read(2, 1, 2.5, 2.9, "A"),
        ],
        "went backwards",
    ),
    "lost update": (
        [read(1, 0, 0, 1, "A"), WRITE_AB, patch(2, 0, 2, 3, "A", "C")],
        "lost update",
    ),
    "a refusal with no rival write": (
        [read(1, 0, 0, 1, "A"), patch(1, 1, 2, 3, "A", None)],
        "unexplained",
    ),
    "a refusal before the rival write was sent": (
        [read(1, 0, 0, 1, "A"), patch(2, 0, 0.5, 1.5, "A", None), WRITE_AB],
        "from the future",
    ),
    "a read of a state no write made": (
        [read(1, 0, 0, 1, "A"), WRITE_AB, read(2, 0, 4, 5, "Z")],
        "unexplained",
    ),
    "absent after the recreate was acknowledged": (
        [
            read(1, 0, 0, 1, "A"),
            delete(1, 1, 2, 3, "A"),
            create(1, 2, 3, 4, "C"),
            read(2, 0, 5, 6, None),
        ],
        "stale",
    ),
    "a server error": (
        [read(1, 0, 0, 1, "A"), Op(2, 0, R, "patch", 2, 3, 503, if_match="A", value="x")],
        "unexpected status",
    ),
}


@pytest.mark.parametrize("history", GOOD_HISTORIES.values(), ids=GOOD_HISTORIES.keys())
def test_checker_accepts_linearizable_histories(history: list[Op]) -> None:
    violations = check(history, {R: "A"})
    assert not violations, report(violations)


@pytest.mark.parametrize(("history", "rule"), BAD_HISTORIES.values(), ids=BAD_HISTORIES.keys())
def test_checker_finds_violations(history: list[Op], rule: str) -> None:
    violations = check(history, {R: "A"})
    assert [v.rule for v in violations] == [rule], report(violations)
    assert rule in report(violations)


# --- Load ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    """What recreating a theme needs beyond its new description."""

    slug: str
    body: dict[str, Any]


@dataclass
class Client:
    """One client's connection, its record of what it did, and the last state it saw of
    each theme (ETag and value; None once it saw the theme absent)."""

    number: int
    http: httpx.Client
    key: str
    t0: float
    deadline: float
    ops: list[Op] = field(default_factory=list)
    known: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)

    def token(self) -> str:
        return f"cliente {self.number} operación {len(self.ops)} {uuid.uuid4().hex[:8]}"

    def send(
        self,
        kind: Kind,
        slug: str,
        method: str,
        url: str,
        *,
        write: str | None = None,
        if_match: str | None = None,
        **kwargs: Any,
    ) -> Op:
        """Send one request, record it as an operation, and remember the state it showed.

        Writes carry the key; reads do not, since the response cache keeps only answers
        to requests without credentials and it is the cache under test."""
        headers = {} if kind == "read" else bearer(self.key)
        if if_match is not None:
            headers["If-Match"] = if_match
        invoke = time.monotonic() - self.t0
        try:
            response: httpx.Response | None = self.http.request(
                method, url, headers=headers, **kwargs
            )
        except httpx.TransportError:
            response = None
        complete = time.monotonic() - self.t0
        status = 0 if response is None else response.status_code
        etag, value = answered_state(response, write)
        op = Op(
            self.number, len(self.ops), slug, kind, invoke, complete, status, etag, value, if_match
        )
        self.ops.append(op)
        if status in (200, 201) and etag is not None and value is not None:
            self.known[slug] = (etag, value)
        elif status in (204, 404):
            self.known[slug] = None
        return op


def answered_state(
    response: httpx.Response | None, token: str | None
) -> tuple[str | None, str | None]:
    """The ETag and description an answer shows, or, with none, the token a write sent."""
    if response is not None and response.status_code in (200, 201):
        return response.headers.get("etag"), response.json().get("description")
    return None, token


def read_theme(client: Client, theme: Theme) -> None:
    client.send("read", theme.slug, "GET", f"{THEMES}/{theme.slug}")


def patch_theme(client: Client, theme: Theme) -> None:
    """Compare-and-set from the last state this client saw: 412 if it moved on since."""
    seen = client.known.get(theme.slug)
    if seen is None:
        read_theme(client, theme)
        return
    token = client.token()
    client.send(
        "patch",
        theme.slug,
        "PATCH",
        f"{THEMES}/{theme.slug}",
        write=token,
        if_match=seen[0],
        json={"description": token},
    )


def delete_and_recreate(client: Client, theme: Theme) -> None:
    """Delete the theme from the state last seen and, once that succeeded, create it again
    with a new token: only this client does so for this theme, so recreates follow deletes."""
    seen = client.known.get(theme.slug)
    if seen is None:
        read_theme(client, theme)
        return
    url = f"{THEMES}/{theme.slug}"
    gone = client.send(
        "delete", theme.slug, "DELETE", url, if_match=seen[0], params={"cascade": "links"}
    )
    if gone.status == 204:
        token = client.token()
        client.send(
            "create",
            theme.slug,
            "POST",
            THEMES,
            write=token,
            json=theme.body | {"description": token},
        )


def drive(client: Client, themes: Sequence[Theme], own: Theme | None) -> list[Op]:
    """A bounded random mix of reads and compare-and-sets over the themes; the client that
    owns a theme also deletes and recreates it now and then."""
    while len(client.ops) < OPS_EACH and time.monotonic() < client.deadline:
        theme = own if own is not None and client.rng.random() < 0.4 else client.rng.choice(themes)
        roll = client.rng.random()
        if roll < 0.45:
            read_theme(client, theme)
        elif theme is own and roll > 0.88:
            delete_and_recreate(client, theme)
        else:
            patch_theme(client, theme)
    return client.ops


def pick_themes(base: str) -> list[Theme]:
    """The first few themes of the seed, with what recreating each needs."""
    listed = httpx.get(f"{base}{THEMES}", params={"limit": RESOURCES}, timeout=REQUEST_TIMEOUT_S)
    assert listed.status_code == 200, listed.text
    themes = []
    for item in listed.json()["items"]:
        english = httpx.get(
            f"{base}{THEMES}/{item['slug']}",
            headers={"Accept-Language": "en"},
            timeout=REQUEST_TIMEOUT_S,
        ).json()
        body = {
            "name": item["name"],
            "name_en": english["name"],
            "slug": item["slug"],
            "description_en": english["description"],
            "aliases": item["aliases"],
            "note": item["note"],
        }
        themes.append(Theme(item["slug"], body))
    return themes


def final_reads(base: str, themes: Sequence[Theme], t0: float) -> list[Op]:
    """One read of each theme once every client is done, recorded like any other."""
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as http:
        reader = Client(CLIENTS, http, "", t0, time.monotonic() + LOAD_SECONDS)
        for theme in themes:
            read_theme(reader, theme)
    return reader.ops


def run_load(
    base: str, key: str, themes: Sequence[Theme], seed: int
) -> tuple[list[Op], dict[str, str]]:
    """The history of CLIENTS concurrent clients, and each theme's ETag before it began."""
    initial = {}
    for theme in themes:
        before = httpx.get(f"{base}{THEMES}/{theme.slug}", timeout=REQUEST_TIMEOUT_S)
        assert before.status_code == 200, before.text
        initial[theme.slug] = before.headers["etag"]
    t0 = time.monotonic()
    # No kept-alive connections: each request is accepted afresh by whichever worker the
    # kernel picks, so one client's reads and writes cross between workers.
    limits = httpx.Limits(max_keepalive_connections=0)

    def one(number: int) -> list[Op]:
        with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S, limits=limits) as http:
            client = Client(
                number, http, key, t0, t0 + LOAD_SECONDS, rng=random.Random(seed + number)
            )
            own = themes[number] if number < len(themes) else None
            return drive(client, themes, own)

    with ThreadPoolExecutor(CLIENTS) as pool:
        histories = list(pool.map(one, range(CLIENTS)))
    history = [op for ops in histories for op in ops]
    return history + final_reads(base, themes, t0), initial


@pytest.fixture(params=[1, 2], ids=["1-worker", "2-workers"])
def workers(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture(params=[True, False], ids=["cache-on", "cache-off"])
def cache(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def server(writable_url: str, tmp_path: Path, workers: int, cache: bool) -> Iterator[str]:
    env = {} if cache else {"RESPONSE_CACHE_BYTES": "0"}
    with serving(writable_url, tmp_path / "server.log", workers=workers, env=env) as running:
        yield running.base


def test_concurrent_histories_are_linearizable(
    server: str, writable_url: str, workers: int, cache: bool
) -> None:
    key = make_key(writable_url, "write")
    themes = pick_themes(server)
    history, initial = run_load(server, key, themes, seed=workers * 10 + cache)
    violations = check(history, initial)
    assert not violations, report(violations)
    final = {op.resource: op.etag for op in history if op.client == CLIENTS}
    assert final == last_states(history, initial)
    print(f"\n{summary(history)}")  # noqa: T201


def summary(history: Sequence[Op]) -> str:
    """How many operations of each kind answered each status, to show what was exercised."""
    counts = Counter(f"{op.kind} {op.status}" for op in history)
    return f"{len(history)} ops checked: " + ", ".join(
        f"{name} x{n}" for name, n in sorted(counts.items())
    )
