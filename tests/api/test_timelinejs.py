"""GET /api/v1/timeline?format=timelinejs: TimelineJS3's own JSON, filtered like the timeline."""

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.render.timelinejs import event_slide
from app.models import Event
from tests.helpers import query
from tests.oracle import Corpus
from tests.paths import path

CORPUS = Corpus()
PATH = path("get_timeline")


def feed(client: TestClient, params: dict[str, Any]) -> dict[str, Any]:
    response = client.get(PATH, params={**query(params), "format": "timelinejs"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def slides(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {slide["unique_id"]: slide for slide in body["events"]}


def test_shape_timelinejs_loads(client: TestClient) -> None:
    body = feed(client, {})
    assert set(body) == {"title", "events", "eras", "scale"}
    assert body["title"]["text"]["headline"]
    for slide in body["events"]:
        assert set(slide) <= {
            "start_date",
            "end_date",
            "text",
            "group",
            "display_date",
            "unique_id",
        }
        assert isinstance(slide["start_date"]["year"], int)
        assert set(slide["text"]) == {"headline", "text"}


def test_dates_keep_their_precision(client: TestClient) -> None:
    found = slides(feed(client, {}))
    assert found["pacto-ribbentrop-molotov"]["start_date"] == {"year": 1939, "month": 8, "day": 23}
    assert "end_date" not in found["pacto-ribbentrop-molotov"]
    assert found["gorbachov-sucede-a-chernenko"]["start_date"] == {
        "year": 1985,
        "month": 3,
        "day": 11,
    }
    assert found["mandato-de-litvinov"]["start_date"] == {"year": 1930, "month": 7}
    assert found["mandato-de-litvinov"]["end_date"] == {"year": 1939, "month": 5}


def test_every_event_and_period(client: TestClient) -> None:
    body = feed(client, {})
    events = CORPUS.entries("events")
    assert [s["unique_id"] for s in body["events"]] == CORPUS.chronological(events)
    periods = CORPUS.entries("periods")
    assert [e["text"]["headline"] for e in body["eras"]] == [
        periods[slug]["name"] for slug in CORPUS.period_slugs()
    ]
    headline = slides(body)["pacto-ribbentrop-molotov"]["text"]["headline"]
    assert headline == events["pacto-ribbentrop-molotov"]["name"]


@pytest.mark.parametrize(
    "params",
    [{"era": ["guerra-fria"]}, {"year_from": 1939, "year_to": 1939}, {"theme": ["espionaje"]}],
    ids=str,
)
def test_filters_apply(client: TestClient, params: dict[str, Any]) -> None:
    assert set(slides(feed(client, params))) == CORPUS.event_slugs(**params)


@pytest.mark.parametrize(("group", "kind"), [("theme", "themes"), ("region", "regions")])
def test_groups(client: TestClient, group: str, kind: str) -> None:
    found = slides(feed(client, {"group": group}))
    entities = CORPUS.entries(kind)
    for slug, event in CORPUS.entries("events").items():
        linked = sorted(event.get(kind, []))
        if linked:
            assert found[slug]["group"] == entities[linked[0]]["name"]
        else:
            assert found[slug]["group"].startswith("Sin ")


def test_english(client: TestClient) -> None:
    body = client.get(PATH, params={"format": "timelinejs", "lang": "en"}).json()
    assert slides(body)["pacto-ribbentrop-molotov"]["text"]["headline"] == "Molotov–Ribbentrop Pact"


def test_plain_format_unchanged(client: TestClient) -> None:
    assert set(client.get(PATH).json()) == {"periods", "events"}


@pytest.mark.parametrize(
    ("date", "shown"),
    [
        ("1939~", "hacia 1939"),
        ("1939-08?", "1939-08 (fecha incierta)"),
        ("1930~/1939", "hacia 1930 – 1939"),
    ],
)
def test_uncertain_and_approximate_dates_are_said(date: str, shown: str) -> None:
    event = Event(
        slug="x",
        name="X",
        description="",
        date=date,
        start_date=dt.date(1930, 1, 1),
        end_date=dt.date(1939, 12, 31),
    )
    slide = event_slide(event, None, "es")
    assert slide.display_date == shown
    assert slide.start_date.year in (1930, 1939)
