"""The OpenAPI document is valid and complete, and the docs pages work offline."""

from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

PROBLEM_REF = "#/components/schemas/Problem"
RESOURCES = ("passages", "events", "actors", "periods", "regions", "themes")
LIST_PATHS = [f"/api/v1/{resource}" for resource in RESOURCES]
DETAIL_PATHS = ["/api/v1/passages/{passage_id}"] + [
    f"/api/v1/{resource}/{{slug}}" for resource in RESOURCES[1:]
]
# Every documented error of every operation: lists and the timeline refuse parameters,
# details also find nothing, and readiness reports an unready database.
DOCUMENTED_ERRORS: dict[str, set[str]] = {
    **{path: {"422"} for path in LIST_PATHS},
    **{path: {"404", "422"} for path in DETAIL_PATHS},
    "/api/v1/timeline": {"422"},
    "/readyz": {"503"},
}


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]


class _Assets(HTMLParser):
    """The URLs a page loads: script sources, stylesheets and icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(str(found["src"]))
        if tag == "link" and found.get("href"):
            self.urls.append(str(found["href"]))


class TestOpenAPIDocument:
    def test_is_valid_openapi(self, spec: dict[str, Any]) -> None:
        validate(spec)
        assert spec["info"]["title"] == "Anales"

    def test_documents_every_endpoint(self, spec: dict[str, Any]) -> None:
        expected = {*LIST_PATHS, *DETAIL_PATHS, "/api/v1/timeline", "/healthz", "/readyz"}
        assert expected <= set(spec["paths"])
        for path in expected:
            assert "get" in spec["paths"][path], path

    def test_every_operation_has_summary_and_description(self, spec: dict[str, Any]) -> None:
        missing = [
            f"{method.upper()} {path}"
            for path, method, operation in operations(spec)
            if not operation.get("summary", "").strip()
            or not operation.get("description", "").strip()
        ]
        assert missing == []

    def test_errors_are_documented_as_problem_json(self, spec: dict[str, Any]) -> None:
        wrong = []
        for path, codes in DOCUMENTED_ERRORS.items():
            responses = spec["paths"][path]["get"]["responses"]
            for code in codes:
                content = responses.get(code, {}).get("content", {})
                if "application/problem+json" not in content:
                    wrong.append(f"{path} {code}")
        assert wrong == []

    def test_problem_json_carries_the_problem_schema(self, spec: dict[str, Any]) -> None:
        """A client generated from the document must learn the shape of the errors it gets."""
        wrong = []
        for path, codes in DOCUMENTED_ERRORS.items():
            responses = spec["paths"][path]["get"]["responses"]
            for code in codes:
                media = responses.get(code, {}).get("content", {}).get("application/problem+json")
                if (media or {}).get("schema", {}).get("$ref") != PROBLEM_REF:
                    wrong.append(f"{path} {code}: {media}")
        assert wrong == []

    def test_problem_schema_names_invalid_params(self, spec: dict[str, Any]) -> None:
        problem = spec["components"]["schemas"]["Problem"]
        assert {"type", "title", "status", "detail", "instance", "invalid_params"} <= set(
            problem["properties"]
        )

    def test_list_parameters_are_documented(self, spec: dict[str, Any]) -> None:
        params = {p["name"] for p in spec["paths"]["/api/v1/passages"]["get"]["parameters"]}
        expected = {"era", "from", "to", "theme", "actor", "region", "event", "q", "limit"}
        assert expected | {"cursor"} <= params


class TestDocsPages:
    @pytest.mark.parametrize("page", ["/docs", "/redoc"])
    def test_assets_are_served_locally(self, client: TestClient, page: str) -> None:
        response = client.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assets = _Assets()
        assets.feed(response.text)
        scripts = [url for url in assets.urls if url.endswith(".js")]
        assert scripts, "the page loads no script"
        for url in assets.urls:
            assert url.startswith("/static/"), url
            asset = client.get(url)
            assert asset.status_code == 200, url
            assert asset.content, url
        assert "http://" not in response.text
        assert "https://" not in response.text

    @pytest.mark.parametrize(
        ("page", "kind"), [("/docs", "text/css"), ("/docs", "javascript"), ("/redoc", "javascript")]
    )
    def test_asset_types(self, client: TestClient, page: str, kind: str) -> None:
        assets = _Assets()
        assets.feed(client.get(page).text)
        types = {client.get(url).headers["content-type"] for url in assets.urls}
        assert any(kind in content_type for content_type in types), types
