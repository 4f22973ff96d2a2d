"""What the app does around its answers: security headers on every kind of response, CORS,
request ids in the access log, body size and rate limits, methods and bodies, the last-resort
500."""

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient

from app.core.config import Settings
from tests.core.support import REQUEST_ID, assert_security_headers, json_logs, raising_route, serve
from tests.helpers import assert_problem


class TestSecurityHeaders:
    def test_on_every_kind_of_response(self, seeded_url: str) -> None:
        with serve(Settings(database_url=seeded_url), raising_route) as client:
            ok = client.get("/api/v1/passages")
            assert ok.status_code == 200
            not_modified = client.get(
                "/api/v1/passages", headers={"If-None-Match": ok.headers["etag"]}
            )
            assert not_modified.status_code == 304
            responses = {
                200: ok,
                304: not_modified,
                404: client.get("/api/v1/passages/999999"),
                422: client.get("/api/v1/passages", params={"limit": 0}),
                500: client.get("/boom"),
            }
            for status, response in responses.items():
                assert response.status_code == status, response.text
                assert_security_headers(response)
            for status in (404, 422, 500):
                assert_problem(responses[status], status)

    def test_a_response_keeps_its_own_policy(self, seeded_url: str) -> None:
        def sandboxed_route(app: FastAPI) -> None:
            @app.get("/sandboxed", include_in_schema=False)
            def sandboxed() -> Response:
                return Response("x", headers={"Content-Security-Policy": "sandbox"})

        with serve(Settings(database_url=seeded_url), sandboxed_route) as client:
            response = client.get("/sandboxed")
        assert response.headers.get_list("content-security-policy") == ["sandbox"]
        assert response.headers.get_list("x-content-type-options") == ["nosniff"]

    def test_docs_load_only_same_origin_scripts(self, client: TestClient) -> None:
        class Assets(HTMLParser):
            def __init__(self) -> None:
                super().__init__()
                self.scripts: list[str | None] = []
                self.links: list[str | None] = []

            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                if tag == "script":
                    self.scripts.append(dict(attrs).get("src"))
                elif tag == "link":
                    self.links.append(dict(attrs).get("href"))

        for page in ("/docs", "/redoc"):
            response = client.get(page)
            assert response.status_code == 200
            assert_security_headers(response)
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp
            assets = Assets()
            assets.feed(response.text)
            sources = [src for src in assets.scripts + assets.links if src is not None]
            assert any(src.endswith(".js") for src in sources), response.text
            for src in sources:
                assert src.startswith("/"), src
                assert not src.startswith("//"), src
                asset = client.get(src)
                assert asset.status_code == 200, src
                assert_security_headers(asset)


class TestCors:
    def test_any_origin_may_read_without_credentials(self, client: TestClient) -> None:
        response = client.get("/api/v1/themes", headers={"Origin": "https://example.org"})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
        exposed = response.headers["access-control-expose-headers"].lower()
        assert {"etag", "link", "x-request-id"} <= {h.strip() for h in exposed.split(",")}

    def test_preflight(self, client: TestClient) -> None:
        response = client.options(
            "/api/v1/passages",
            headers={
                "Origin": "https://example.org",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "If-None-Match, X-Request-ID",
            },
        )
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == "*"
        assert "GET" in response.headers["access-control-allow-methods"]
        allowed = response.headers["access-control-allow-headers"].lower()
        assert "if-none-match" in allowed
        assert "access-control-allow-credentials" not in response.headers
        assert_security_headers(response)

    def test_configured_origins_only(self, seeded_url: str) -> None:
        settings = Settings(database_url=seeded_url, cors_allow_origins=["https://a.example"])
        with serve(settings) as client:
            allowed = client.get("/api/v1/themes", headers={"Origin": "https://a.example"})
            assert allowed.headers["access-control-allow-origin"] == "https://a.example"
            other = client.get("/api/v1/themes", headers={"Origin": "https://b.example"})
            assert other.status_code == 200
            assert "access-control-allow-origin" not in other.headers
            preflight = client.options(
                "/api/v1/themes",
                headers={"Origin": "https://b.example", "Access-Control-Request-Method": "GET"},
            )
            assert preflight.status_code == 400
            assert "access-control-allow-origin" not in preflight.headers


class TestRequestId:
    def test_echoed_and_logged(self, client: TestClient) -> None:
        with json_logs() as logs:
            response = client.get("/api/v1/themes", headers={"X-Request-ID": "client-id.42:a_b"})
        assert response.headers["x-request-id"] == "client-id.42:a_b"
        (line,) = logs.find(logger="anales.access", request_id="client-id.42:a_b")
        assert line["path"] == "/api/v1/themes"
        assert line["status"] == 200
        assert line["method"] == "GET"
        assert line["level"] == "INFO"
        assert isinstance(line["duration_ms"], float)

    def test_generated_per_request_and_logged(self, client: TestClient) -> None:
        with json_logs() as logs:
            first = client.get("/api/v1/themes", params={"q": "guerra"})
            second = client.get("/api/v1/themes", params={"q": "guerra"})
        ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
        assert all(REQUEST_ID.fullmatch(i) for i in ids), ids
        assert ids[0] != ids[1]
        for request_id in ids:
            (line,) = logs.find(logger="anales.access", request_id=request_id)
            assert line["query"] == "q=guerra"

    @pytest.mark.parametrize(
        "bad",
        [
            pytest.param("x" * 129, id="too-long"),
            pytest.param("two words", id="space"),
            pytest.param("id\tx", id="tab"),
            pytest.param("<script>", id="markup"),
            pytest.param("ñandú", id="non-ascii"),
        ],
    )
    def test_unsafe_ids_are_replaced(self, client: TestClient, bad: str) -> None:
        with json_logs() as logs:
            response = client.get("/healthz", headers={"X-Request-ID": bad.encode()})
        assert response.status_code == 200
        replaced = response.headers["x-request-id"]
        assert replaced != bad
        assert REQUEST_ID.fullmatch(replaced)
        (line,) = logs.find(logger="anales.access", path="/healthz")
        assert line["request_id"] == replaced

    def test_newlines_are_replaced(self, client: TestClient) -> None:
        """A raw request, since HTTP clients refuse to send a newline in a header."""
        transport = client._transport
        request = httpx.Request(
            "GET", "http://testserver/healthz", headers=[(b"X-Request-ID", b"a\nforged-line")]
        )
        response = transport.handle_request(request)
        response.read()
        replaced = response.headers["x-request-id"]
        assert REQUEST_ID.fullmatch(replaced), replaced


class TestBodyLimit:
    @pytest.fixture
    def small(self, seeded_url: str) -> Iterator[TestClient]:
        with serve(Settings(database_url=seeded_url, max_body_bytes=100)) as client:
            yield client

    @pytest.mark.parametrize("path", ["/api/v1/passages", "/no/such/path", "/healthz"])
    def test_declared_length_over_the_limit_is_413(self, small: TestClient, path: str) -> None:
        response = small.post(path, content=b"x" * 101)
        assert "content-length" in response.request.headers
        body = assert_problem(response, 413)
        assert "100 bytes" in body["detail"]
        assert_security_headers(response)

    @pytest.mark.parametrize("path", ["/api/v1/passages", "/no/such/path", "/healthz"])
    def test_chunked_body_over_the_limit_is_413(self, small: TestClient, path: str) -> None:
        response = small.post(path, content=iter([b"x" * 60, b"x" * 60]))
        assert response.request.headers["transfer-encoding"] == "chunked"
        assert_problem(response, 413)

    def test_bodies_within_the_limit_reach_routing(self, small: TestClient) -> None:
        assert small.post("/healthz", content=b"x" * 100).status_code == 405
        chunked = small.post("/no/such/path", content=iter([b"x" * 50, b"x" * 50]))
        assert chunked.status_code == 404
        assert small.get("/api/v1/passages").status_code == 200


class TestRateLimit:
    def test_fourth_request_in_a_minute_is_429(self, seeded_url: str) -> None:
        with serve(Settings(database_url=seeded_url, rate_limit="3/minute")) as client:
            for _ in range(3):
                assert client.get("/api/v1/themes").status_code == 200
            response = client.get("/api/v1/passages", headers={"Origin": "https://example.org"})
            body = assert_problem(response, 429)
            # A browser may read the refusal and when to retry.
            assert response.headers["access-control-allow-origin"] == "*"
            assert "retry-after" in response.headers["access-control-expose-headers"].lower()
            assert body["type"] == "/problems/rate-limited"
            assert 1 <= int(response.headers["retry-after"]) <= 60
            assert_security_headers(response)
            for _ in range(5):
                assert client.get("/healthz").status_code == 200
                assert client.get("/readyz").status_code == 200
            assert client.get("/api/v1/themes").status_code == 429


class TestMethodsAndBodies:
    def test_405_allows_every_documented_method_of_the_path(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        for path, operations in paths.items():
            documented = {
                m.upper() for m in operations if m in ("get", "post", "put", "patch", "delete")
            }
            url = re.sub(r"\{[^}]+\}", "kgb", path).replace("/passages/kgb", "/passages/6")
            response = client.request("OPTIONS", url)
            assert_problem(response, 405)
            allowed = {m.strip() for m in response.headers["allow"].split(",")}
            assert allowed - {"HEAD"} == documented, (path, response.headers["allow"])

    def test_a_body_that_is_not_utf8_json_is_422_naming_the_body(self, client: TestClient) -> None:
        for body in (b"\xff\xfe{", b'{"name": "\xe9"}'):
            response = client.post(
                "/api/v1/themes", content=body, headers={"Content-Type": "application/json"}
            )
            problem = assert_problem(response, 422, "body")
            assert problem["invalid_params"][0]["location"] == "body"

    def test_a_json_syntax_error_is_422_naming_the_body(self, client: TestClient) -> None:
        response = client.post(
            "/api/v1/themes", content=b'{"name": ', headers={"Content-Type": "application/json"}
        )
        problem = assert_problem(response, 422, "body")
        assert "JSON" in problem["invalid_params"][0]["reason"]


class TestUnexpectedError:
    def test_500_problem_with_a_logged_error_id_and_nothing_else(self, seeded_url: str) -> None:
        with serve(Settings(database_url=seeded_url), raising_route) as client, json_logs() as logs:
            response = client.get("/boom", headers={"X-Request-ID": "trace-me"})
        body = assert_problem(response, 500)
        error_id = body["error_id"]
        assert REQUEST_ID.fullmatch(error_id)
        for leak in ("secret-internal-detail-8d1f", "RuntimeError", "Traceback", "boom()"):
            assert leak not in response.text
        (record,) = logs.find(level="ERROR")
        assert record["error_id"] == error_id
        assert error_id in record["message"]
        assert record["request_id"] == "trace-me"
        assert "secret-internal-detail-8d1f" in record["exc_info"]
        assert "Traceback" in record["exc_info"]
        (access,) = logs.find(logger="anales.access", path="/boom")
        assert access["status"] == 500
        assert access["request_id"] == "trace-me"
