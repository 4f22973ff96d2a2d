"""`/metrics`: request counts and timings, the pool, in Prometheus' text format."""

from prometheus_client.parser import text_string_to_metric_families

from app.core.config import Settings
from tests.core.support import serve


class TestMetrics:
    def test_request_counts_by_route_and_pool_gauges(self, seeded_url: str) -> None:
        with serve(Settings(database_url=seeded_url, pool_size=3)) as client:
            assert client.get("/api/v1/actors/kgb").status_code == 200
            assert client.get("/api/v1/actors/no-such-actor").status_code == 404
            response = client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        families = {f.name: f for f in text_string_to_metric_families(response.text)}
        requests = families["http_requests"]
        counted = {
            (s.labels["handler"], s.labels["method"], s.labels["status"]): s.value
            for s in requests.samples
            if s.name == "http_requests_total"
        }
        assert counted[("/api/v1/actors/{slug}", "GET", "200")] == 1
        assert counted[("/api/v1/actors/{slug}", "GET", "404")] == 1
        assert not any(handler == "/metrics" for handler, _, _ in counted)
        gauges = {
            name: families[name].samples[0].value
            for name in ("anales_db_pool_checked_out", "anales_db_pool_idle", "anales_db_pool_size")
        }
        assert gauges["anales_db_pool_size"] == 3
        assert gauges["anales_db_pool_checked_out"] == 0
        assert gauges["anales_db_pool_idle"] >= 1
