"""No lost edits: concurrent curators against a real server with two worker processes.

Each writer reads the resource, adds its own alias and writes it back with `If-Match`,
retrying on 412. At the end every alias that was acknowledged must be there: a lost update
would drop one. Writers without `If-Match` are refused.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.keys import bearer, make_key
from tests.paths import path
from tests.servers import serving

WRITERS = 6
EDITS_EACH = 4
PATH = path("get_actor", slug="kgb")


@pytest.fixture
def server(writable_url: str, tmp_path: Path) -> Iterator[str]:
    with serving(writable_url, tmp_path / "server.log", workers=2) as running:
        yield running.base


def edit(base: str, key: str, writer: int) -> tuple[list[str], int]:
    """Add EDITS_EACH aliases one by one; return those acknowledged and the 412s met."""
    acknowledged: list[str] = []
    conflicts = 0
    with httpx.Client(base_url=base, headers=bearer(key), timeout=30) as client:
        for n in range(EDITS_EACH):
            alias = f"escritor {writer} edición {n}"
            while True:
                current = client.get(PATH)
                assert current.status_code == 200
                aliases = [*current.json()["aliases"], alias]
                response = client.patch(
                    PATH, json={"aliases": aliases}, headers={"If-Match": current.headers["etag"]}
                )
                if response.status_code == 412:
                    conflicts += 1
                    continue
                assert response.status_code == 200, response.text
                acknowledged.append(alias)
                break
    return acknowledged, conflicts


def test_concurrent_edits_lose_nothing(server: str, writable_url: str) -> None:
    key = make_key(writable_url, "write")
    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(lambda w: edit(server, key, w), range(WRITERS)))
    acknowledged = [alias for done, _ in results for alias in done]
    assert len(acknowledged) == WRITERS * EDITS_EACH
    final = httpx.get(f"{server}{PATH}").json()["aliases"]
    assert sorted(a for a in final if a.startswith("escritor")) == sorted(acknowledged)
    conflicts = sum(c for _, c in results)
    print(f"\n{len(acknowledged)} edits by {WRITERS} writers, {conflicts} stale ETags refused")  # noqa: T201


def test_blind_concurrent_writes_are_refused(server: str, writable_url: str) -> None:
    key = make_key(writable_url, "write")

    def blind(n: int) -> int:
        response = httpx.patch(
            f"{server}{PATH}", json={"note": f"ciega {n}"}, headers=bearer(key), timeout=30
        )
        return response.status_code

    with ThreadPoolExecutor(WRITERS) as pool:
        statuses = list(pool.map(blind, range(WRITERS)))
    assert statuses == [428] * WRITERS
    assert httpx.get(f"{server}{PATH}").json()["note"] is None
