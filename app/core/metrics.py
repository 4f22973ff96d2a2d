"""Prometheus metrics at /metrics: request counts and latency by route, and pool usage."""

from collections.abc import Iterable

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool


class PoolCollector(Collector):
    """Connections of the app's SQLAlchemy pool: checked out, idle, and the configured size."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def collect(self) -> Iterable[GaugeMetricFamily]:
        pool = self.engine.pool if self.engine is not None else None
        if not isinstance(pool, QueuePool):
            return
        in_use = GaugeMetricFamily("anales_db_pool_checked_out", "Connections in use.")
        in_use.add_metric([], pool.checkedout())
        idle = GaugeMetricFamily("anales_db_pool_idle", "Idle connections in the pool.")
        idle.add_metric([], pool.checkedin())
        size = GaugeMetricFamily("anales_db_pool_size", "Configured pool size.")
        size.add_metric([], pool.size())
        yield from (in_use, idle, size)


def instrument(app: FastAPI) -> PoolCollector:
    """Count and time every request by route template; return the pool collector to bind."""
    registry = CollectorRegistry()
    pool = PoolCollector()
    registry.register(pool)
    Instrumentator(
        registry=registry,
        should_group_status_codes=False,
        excluded_handlers=["/metrics"],
    ).instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)
    return pool
