"""A detail embeds its links without growing with the corpus: the first 100, and a count."""

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from app.corpus.bulk import PassageRow, bulk_insert_passages
from app.models import Theme

EXTRA = 130


def add_linked_passages(url: str, theme_slug: str) -> int:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            theme_id = connection.scalar(select(Theme.id).where(Theme.slug == theme_slug))
            assert theme_id is not None
            rows = [
                PassageRow(
                    text=f"Un pasaje más sobre espionaje, el {n}.",
                    source_file="embedding-test",
                    source_line=n,
                    position=1000 + n,
                    themes=[theme_id],
                )
                for n in range(1, EXTRA + 1)
            ]
            return bulk_insert_passages(connection, rows)
    finally:
        engine.dispose()


def test_detail_embeds_the_first_hundred(writable_url: str, writable_client: TestClient) -> None:
    before = writable_client.get("/api/v1/themes/espionaje").json()
    curated = [p["id"] for p in before["passages"]]
    assert before["passages_total"] == len(curated)
    assert add_linked_passages(writable_url, "espionaje") == EXTRA
    detail = writable_client.get("/api/v1/themes/espionaje").json()
    assert detail["passages_total"] == len(curated) + EXTRA
    assert len(detail["passages"]) == 100
    # Source order: the curated passages first, then the new ones by position.
    assert [p["id"] for p in detail["passages"]][: len(curated)] == curated
    listed = writable_client.get("/api/v1/passages", params={"theme": "espionaje"}).json()
    assert listed["total"] == detail["passages_total"]


def test_totals_match_short_lists(client: TestClient) -> None:
    for path in ("/api/v1/actors/kgb", "/api/v1/periods/guerra-fria", "/api/v1/regions/europa"):
        detail = client.get(path).json()
        assert detail["passages_total"] == len(detail["passages"])
        assert detail["events_total"] == len(detail["events"])
    event = client.get("/api/v1/events/pacto-ribbentrop-molotov").json()
    assert event["passages_total"] == len(event["passages"]) == 2
