"""The link aggregates (migration d2b7e4a9c6f1) stay exact: after every kind of write, through
the API, the seed loader or the bulk loader, the aggregate tables equal a recount from the
link tables, and the graph and the facets served from them equal what counting every link
of every document gives (`counted_graph`, `facet_counts`), on both backends."""

from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.orm import Session

from app.api.render.graph import vis
from app.core.kinds import Kind
from app.corpus.bulk import PassageRow, bulk_insert_passages
from app.corpus.seed import load_seed, read_seed
from app.models import Actor, Event, Passage, Period, Region, Theme
from app.models.aggregates import AGGREGATE_TABLES, paused_aggregates, rebuild_aggregates
from app.repositories import event as events_repo
from app.repositories import passage as passages_repo
from app.repositories.base import LinkTables
from app.repositories.facets import aggregated_facet_counts, facet_counts
from app.repositories.graph import build_graph, counted_graph
from app.schemas.facets import Facet, Facets
from app.schemas.graph import GraphFilter
from tests.conftest import SEED_DIR
from tests.keys import bearer, make_key
from tests.paths import path

SOURCES: dict[str, tuple[Any, LinkTables]] = {
    "passages": (Passage, passages_repo.LINKS),
    "events": (Event, events_repo.LINKS),
}


def _kept(connection: Connection) -> dict[str, set[tuple[Any, ...]]]:
    """Each aggregate's rows that count something (rows at zero are what a delete leaves)."""
    return {
        table: set(
            map(tuple, connection.execute(text(f"SELECT * FROM {table} WHERE documents > 0")))
        )
        for table in AGGREGATE_TABLES
    }


def _plain_facets(session: Session, source: str, language: str) -> Facets:
    model, links = SOURCES[source]
    return facet_counts(
        session,
        list(Facet),
        owners=select(model.id),
        owner_id=model.id,
        years=(model.start_year, model.end_year),
        links=links,
        language=language,
    )


def assert_exact(url: str) -> None:
    """The aggregates equal a recount, and what they serve equals counting every link."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection, connection.begin():
            kept = _kept(connection)
            with connection.begin_nested() as recount:
                rebuild_aggregates(connection)
                assert _kept(connection) == kept
                recount.rollback()
            session = Session(bind=connection)
            for sources in ([], ["passages"], ["events"]):
                filters = GraphFilter.model_validate({"source": sources})
                served, counted = build_graph(session, filters), counted_graph(session, filters)
                assert +served.weights == +counted.weights
                assert +served.edges == +counted.edges
                assert vis(served, "es") == vis(counted, "es")
            for source in SOURCES:
                for language in ("es", "en"):
                    served_facets = aggregated_facet_counts(
                        session, list(Facet), source=source, language=language
                    )
                    assert served_facets == _plain_facets(session, source, language)
    finally:
        engine.dispose()


@pytest.fixture
def writer(writable_url: str) -> dict[str, str]:
    return bearer(make_key(writable_url, "write"))


def _etag(client: TestClient, where: str) -> str:
    response = client.get(where)
    assert response.status_code == 200, response.text
    return str(response.headers["etag"])


def _sent(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return {} if status == 204 else dict(response.json())


TEXT = "En 1955 la Unión Soviética defendió la coexistencia pacífica ante el Tercer Mundo."


class TestTheSeed:
    def test_aggregates_equal_the_counts(self, seeded_url: str) -> None:
        engine = create_engine(seeded_url)
        with engine.connect() as connection:
            assert all(_kept(connection).values())
        engine.dispose()
        assert_exact(seeded_url)

    def test_the_api_serves_them(self, client: TestClient, seeded_url: str) -> None:
        graph = client.get(path("get_graph"))
        facets = client.get(path("list_passages"), params={"facets": "theme,era,region,actor"})
        assert graph.status_code == facets.status_code == 200
        engine = create_engine(seeded_url)
        with Session(engine) as session:
            counted = counted_graph(session, GraphFilter.model_validate({}))
            assert graph.json() == vis(counted, "es").model_dump(mode="json", by_alias=True)
            plain = _plain_facets(session, "passages", "es")
        engine.dispose()
        assert facets.json()["facets"] == plain.model_dump(mode="json")


class TestPassageWrites:
    def test_post_put_patch_delete(
        self, writable_client: TestClient, writable_url: str, writer: dict[str, str]
    ) -> None:
        created = _sent(
            writable_client.post(path("create_passage"), json={"text": TEXT}, headers=writer),
            201,
        )
        assert all(created[kind] for kind in ("actors", "periods", "regions", "themes"))
        assert_exact(writable_url)
        where = path("get_passage", passage_id=created["id"])
        body = {
            "text": TEXT,
            "start_year": 1930,
            "end_year": 1945,
            "links": {
                "actors": ["komintern", "union-sovietica"],
                "periods": ["frente-unico", "periodo-de-entreguerras"],
                "regions": ["tercer-mundo"],
                "themes": ["espionaje", "coexistencia-pacifica"],
            },
        }
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        _sent(writable_client.put(where, json=body, headers=headers))
        assert_exact(writable_url)
        patch = {"start_year": None, "end_year": None, "links": {"themes": ["espionaje"]}}
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        _sent(writable_client.patch(where, json=patch, headers=headers))
        assert_exact(writable_url)
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        _sent(writable_client.patch(where, json={"links": None}, headers=headers))
        assert_exact(writable_url)
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        _sent(writable_client.delete(where, headers=headers), 204)
        assert_exact(writable_url)

    def test_delete_a_seed_passage(
        self, writable_client: TestClient, writable_url: str, writer: dict[str, str]
    ) -> None:
        where = path("get_passage", passage_id=8)
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        _sent(writable_client.delete(where, headers=headers), 204)
        assert_exact(writable_url)


class TestEventWrites:
    def test_post_put_patch_delete(
        self, writable_client: TestClient, writable_url: str, writer: dict[str, str]
    ) -> None:
        body = {
            "name": "Conferencia de prueba",
            "date": "1955/1956",
            "description": "Una conferencia.",
            "actors": ["komintern", "union-sovietica"],
            "periods": ["guerra-fria"],
            "regions": ["tercer-mundo"],
            "themes": ["coexistencia-pacifica"],
        }
        created = writable_client.post(path("create_event"), json=body, headers=writer)
        _sent(created, 201)
        where = created.headers["location"]
        assert_exact(writable_url)
        body |= {"date": "1961", "themes": ["espionaje", "coexistencia-pacifica"]}
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        _sent(writable_client.put(where, json=body, headers=headers))
        assert_exact(writable_url)
        patch = {"date": "1939-08-23", "actors": [], "periods": ["distension", "guerra-fria"]}
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        _sent(writable_client.patch(where, json=patch, headers=headers))
        assert_exact(writable_url)
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        _sent(writable_client.delete(where, params={"cascade": "links"}, headers=headers), 204)
        assert_exact(writable_url)


class TestEntityWrites:
    @pytest.mark.parametrize(
        "kind",
        [Kind.THEMES, Kind.ACTORS, Kind.PERIODS, Kind.REGIONS],
    )
    def test_deleting_a_linked_entity(
        self, writable_client: TestClient, writable_url: str, writer: dict[str, str], kind: Kind
    ) -> None:
        """The most linked entity of the kind goes, its links with it (and a period's or a
        region's children are left without a parent)."""
        plural = kind.value
        items = writable_client.get(f"/api/v1/{plural}", params={"limit": 100}).json()["items"]
        counts = {}
        for item in items:
            detail = writable_client.get(f"/api/v1/{plural}/{item['slug']}").json()
            counts[item["slug"]] = detail.get("passages_total", len(detail.get("passages", [])))
        slug = max(counts, key=lambda s: (counts[s], s))
        where = f"/api/v1/{plural}/{slug}"
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        _sent(writable_client.delete(where, params={"cascade": "links"}, headers=headers), 204)
        assert_exact(writable_url)

    def test_moving_a_period_under_another(
        self, writable_client: TestClient, writable_url: str, writer: dict[str, str]
    ) -> None:
        where = path("get_period", slug="distension")
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        moved = {"parent": "periodo-de-entreguerras"}
        _sent(writable_client.patch(where, json=moved, headers=headers))
        assert_exact(writable_url)

    def test_alias_then_relink(
        self, writable_client: TestClient, writable_url: str, writer: dict[str, str]
    ) -> None:
        where = path("get_actor", slug="komintern")
        aliases = writable_client.get(where).json()["aliases"]
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        body = {"aliases": [*aliases, "Frentes Populares"]}
        _sent(writable_client.patch(where, json=body, headers=headers))
        done = _sent(writable_client.post(f"{where}/relink", headers=writer))
        assert done["linked"]
        assert_exact(writable_url)


class TestLoaders:
    def test_seed_reload_after_writes(
        self, writable_client: TestClient, writable_url: str, writer: dict[str, str]
    ) -> None:
        where = path("get_passage", passage_id=5)
        headers = {**writer, "If-Match": _etag(writable_client, where)}
        _sent(writable_client.patch(where, json={"links": {}}, headers=headers))
        engine = create_engine(writable_url)
        with Session(engine) as session, session.begin():
            load_seed(session, read_seed(SEED_DIR))
        engine.dispose()
        assert_exact(writable_url)

    @pytest.mark.parametrize("paused", [False, True])
    def test_bulk_insert(self, writable_url: str, paused: bool) -> None:
        engine = create_engine(writable_url)
        with engine.begin() as connection:
            loading = paused_aggregates(connection) if paused else nullcontext()
            with loading:
                bulk_insert_passages(connection, _rows(connection), batch_size=7)
        engine.dispose()
        assert_exact(writable_url)


def _rows(connection: Connection) -> Iterator[PassageRow]:
    """Passages linking overlapping sets of every kind (an era with its phases too)."""
    ids = {
        model: list(connection.scalars(select(model.id).order_by(model.id)))
        for model in (Actor, Period, Region, Theme, Event)
    }

    def some(model: Any, line: int, many: int) -> list[int]:
        pool = ids[model]
        return [pool[(line * (k + 3)) % len(pool)] for k in range(line % many)]

    for line in range(1, 41):
        dated = line % 3 != 0
        yield PassageRow(
            text=f"Pasaje de carga {line}.",
            source_file="carga.txt",
            source_line=line,
            position=10_000 + line,
            start_year=1900 + line if dated else None,
            end_year=1905 + 2 * line if dated else None,
            actors=some(Actor, line, 5),
            periods=some(Period, line, 4),
            regions=some(Region, line, 4),
            themes=some(Theme, line, 4),
            events=some(Event, line, 2),
        )
