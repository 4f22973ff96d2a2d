"""Fixtures of the tests of app/core."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.support import seed_database
from tests.databases import throwaway_database


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A seeded database of this test's own, to write to or lock. A new SQLite file is in the
    default rollback-journal mode until an app opens it (the app switches it to WAL)."""
    with throwaway_database(backend, tmp_path) as url:
        seed_database(url)
        yield url
