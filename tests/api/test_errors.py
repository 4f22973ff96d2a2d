"""Every error is an RFC 9457 problem (`application/problem+json`) naming what is at fault."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem

LISTS = [
    "/api/v1/passages",
    "/api/v1/events",
    "/api/v1/actors",
    "/api/v1/periods",
    "/api/v1/regions",
    "/api/v1/themes",
]
DETAILS = [
    "/api/v1/events/{}",
    "/api/v1/actors/{}",
    "/api/v1/periods/{}",
    "/api/v1/regions/{}",
    "/api/v1/themes/{}",
]
BIG = 2**63
TOO_MANY = [f"slug-{i}" for i in range(21)]


def case(path: str, params: dict[str, Any] | None, status: int, name: str | None, id_: str) -> Any:
    return pytest.param("GET", path, params or {}, status, name, id=id_)


NOT_FOUND = [
    case("/nope", None, 404, None, "unknown-route"),
    case("/api/v2/passages", None, 404, None, "unknown-version"),
    case("/api/v1/passages/999999", None, 404, None, "unknown-passage-id"),
    *(case(d.format("no-such-thing"), None, 404, None, f"unknown-slug{d[7:-3]}") for d in DETAILS),
]

# Routes that are read-only whatever else the API learns to write.
METHOD_NOT_ALLOWED = [
    pytest.param("POST", "/api/v1/timeline", {}, 405, None, id="post-timeline"),
    pytest.param("PATCH", "/api/v1/timeline", {}, 405, None, id="patch-timeline"),
    pytest.param("DELETE", "/api/v1/timeline", {}, 405, None, id="delete-timeline"),
    pytest.param("POST", "/healthz", {}, 405, None, id="post-healthz"),
    pytest.param("DELETE", "/readyz", {}, 405, None, id="delete-readyz"),
    pytest.param("PUT", "/openapi.json", {}, 405, None, id="put-openapi"),
]

INVALID = [
    # Values of the wrong type.
    case("/api/v1/events", {"limit": "abc"}, 422, "limit", "limit-not-int"),
    case("/api/v1/events", {"from": "1939a"}, 422, "from", "from-not-int"),
    case("/api/v1/passages", {"to": "1.5"}, 422, "to", "to-float"),
    case("/api/v1/periods", {"year": "mil"}, 422, "year", "year-not-int"),
    case("/api/v1/actors", {"kind": "wizard"}, 422, "kind", "actor-kind"),
    case("/api/v1/regions", {"kind": "planet"}, 422, "kind", "region-kind"),
    case("/api/v1/passages", {"limit": ""}, 422, "limit", "limit-empty"),
    case("/api/v1/events", {"era": ""}, 422, "era", "era-empty"),
    case("/api/v1/events", {"cursor": ""}, 422, "cursor", "cursor-empty"),
    case("/api/v1/passages/abc", None, 422, "passage_id", "passage-id-not-int"),
    case("/api/v1/passages/0", None, 422, "passage_id", "passage-id-zero"),
    # Unknown parameters are refused, not ignored.
    case("/api/v1/events", {"thme": "espionaje"}, 422, "thme", "typo-thme"),
    case("/api/v1/passages", {"evnt": "x"}, 422, "evnt", "typo-evnt"),
    case("/api/v1/themes", {"era": "guerra-fria"}, 422, "era", "themes-have-no-era"),
    case("/api/v1/periods", {"from": 1939}, 422, "from", "periods-take-year"),
    case("/api/v1/timeline", {"limit": 5}, 422, "limit", "timeline-unpaged"),
    # Well-formed slugs that name nothing.
    case("/api/v1/events", {"era": "deshielo"}, 422, "era", "unknown-era"),
    case("/api/v1/passages", {"theme": "glasnost"}, 422, "theme", "unknown-theme"),
    case("/api/v1/passages", {"actor": "iosif-stalin"}, 422, "actor", "unknown-actor"),
    case("/api/v1/events", {"region": "oceania"}, 422, "region", "unknown-region"),
    case("/api/v1/passages", {"event": "yalta"}, 422, "event", "unknown-event"),
    case("/api/v1/actors", {"era": "deshielo"}, 422, "era", "actors-unknown-era"),
    case("/api/v1/timeline", {"era": "deshielo"}, 422, "era", "timeline-unknown-era"),
    # Malformed slugs.
    case("/api/v1/events/Bad Slug", None, 422, "slug", "bad-slug-path"),
    case("/api/v1/events", {"era": "Guerra Fría"}, 422, "era", "bad-slug-query"),
    case("/api/v1/passages", {"actor": "a" * 121}, 422, "actor", "slug-too-long"),
    # Ranges.
    case("/api/v1/events", {"from": 1940, "to": 1939}, 422, "to", "events-from-after-to"),
    case("/api/v1/passages", {"from": 1940, "to": 1939}, 422, "to", "passages-from-after-to"),
    case("/api/v1/actors", {"from": 1940, "to": 1939}, 422, "to", "actors-from-after-to"),
    case("/api/v1/timeline", {"from": 1940, "to": 1939}, 422, "to", "timeline-from-after-to"),
    case("/api/v1/events", {"from": 10000}, 422, "from", "year-past-9999"),
    *(case(p, {"limit": 0}, 422, "limit", f"limit-0{p[7:]}") for p in LISTS),
    *(case(p, {"limit": 101}, 422, "limit", f"limit-101{p[7:]}") for p in LISTS),
    case("/api/v1/events", {"limit": -1}, 422, "limit", "limit-negative"),
    # Cursors the API did not issue.
    case("/api/v1/passages", {"cursor": "not a cursor"}, 422, "cursor", "cursor-garbage"),
    case("/api/v1/events", {"cursor": "WzEsMl0"}, 422, "cursor", "cursor-other-list"),
    case("/api/v1/actors", {"cursor": "x" * 501}, 422, "cursor", "cursor-too-long"),
    # Text that no search needs.
    case("/api/v1/events", {"q": "pacto\x00"}, 422, "q", "q-nul"),
    case("/api/v1/passages", {"q": "a\x00b"}, 422, "q", "passages-q-nul"),
    case("/api/v1/actors", {"q": "\x1b[31m"}, 422, "q", "q-escape"),
    case("/api/v1/themes", {"q": "a" * 201}, 422, "q", "q-201-chars"),
    case("/api/v1/regions", {"q": "á" * 201}, 422, "q", "q-201-accented"),
    # More than 20 values of one filter.
    case("/api/v1/passages", {"era": TOO_MANY}, 422, "era", "21-eras"),
    case("/api/v1/events", {"theme": TOO_MANY}, 422, "theme", "21-themes"),
    case("/api/v1/passages", {"event": TOO_MANY}, 422, "event", "21-events"),
    case("/api/v1/actors", {"kind": ["person"] * 21}, 422, "kind", "21-kinds"),
    case("/api/v1/timeline", {"region": TOO_MANY}, 422, "region", "timeline-21-regions"),
    # Integers at and past 2**63 (and below -2**63).
    case("/api/v1/events", {"from": BIG}, 422, "from", "from-2**63"),
    case("/api/v1/events", {"to": -BIG - 1}, 422, "to", "to-below-int64"),
    case("/api/v1/passages", {"limit": BIG}, 422, "limit", "limit-2**63"),
    case("/api/v1/periods", {"year": BIG * 2}, 422, "year", "year-2**64"),
    case(f"/api/v1/passages/{BIG}", None, 422, "passage_id", "passage-id-2**63"),
    case(f"/api/v1/passages/{BIG - 1}", None, 422, "passage_id", "passage-id-2**63-1"),
    case(
        "/api/v1/passages",
        {"cursor": "WzEsOTIyMzM3MjAzNjg1NDc3NTgwOF0"},
        422,
        "cursor",
        "cursor-2**63",
    ),
    # A parameter that takes one value, given twice, is not silently resolved.
    case("/api/v1/passages", {"to": [1939, 1950]}, 422, "to", "to-twice"),
    case("/api/v1/events", {"limit": [1, 200]}, 422, "limit", "limit-twice"),
    case("/api/v1/actors/kgb", {"lang": ["en", "es"]}, 422, "lang", "lang-twice"),
    case("/api/v1/timeline", {"q": ["pacto", "guerra"]}, 422, "q", "q-twice"),
]


class TestErrorShape:
    @pytest.mark.parametrize(
        ("method", "path", "params", "status", "name"),
        NOT_FOUND + METHOD_NOT_ALLOWED + INVALID,
    )
    def test_problem_details(
        self,
        client: TestClient,
        method: str,
        path: str,
        params: dict[str, Any],
        status: int,
        name: str | None,
    ) -> None:
        response = client.request(method, path, params=params)
        body = assert_problem(response, status, name)
        if status == 422:
            assert body["type"] == "/problems/invalid-parameter"
            for param in body["invalid_params"]:
                assert param["location"] in ("query", "path")
                assert param["reason"]
            assert name in body["detail"]
        else:
            assert body.get("invalid_params", []) == []

    @pytest.mark.parametrize(
        ("path", "slug"),
        [
            ("/api/v1/events?era=deshielo", "deshielo"),
            ("/api/v1/passages?actor=kgb&actor=iosif-stalin", "iosif-stalin"),
            ("/api/v1/passages?region=tercer-mundo&region=oceania", "oceania"),
        ],
    )
    def test_unknown_slug_is_named(self, client: TestClient, path: str, slug: str) -> None:
        body = assert_problem(client.get(path), 422)
        (param,) = body["invalid_params"]
        assert slug in param["reason"]
        assert slug in body["detail"]
        # Known slugs given alongside are not blamed.
        assert "kgb" not in param["reason"]
        assert "tercer-mundo" not in param["reason"]

    @pytest.mark.parametrize("detail", DETAILS)
    def test_not_found_names_the_slug(self, client: TestClient, detail: str) -> None:
        body = assert_problem(client.get(detail.format("no-such-thing")), 404)
        assert body["type"] == "/problems/not-found"
        assert "no-such-thing" in body["detail"]

    def test_every_bad_parameter_is_listed(self, client: TestClient) -> None:
        response = client.get("/api/v1/events", params={"limit": 0, "thme": "x", "from": "y"})
        body = assert_problem(response, 422)
        assert {p["name"] for p in body["invalid_params"]} == {"limit", "thme", "from"}

    def test_method_not_allowed_says_what_is(self, client: TestClient) -> None:
        response = client.post("/api/v1/timeline")
        assert_problem(response, 405)
        assert "GET" in response.headers["allow"]

    def test_instance_is_the_path_not_the_query(self, client: TestClient) -> None:
        body = assert_problem(client.get("/api/v1/events", params={"limit": 0}), 422)
        assert body["instance"] == "/api/v1/events"
