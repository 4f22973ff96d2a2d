"""Application factory: `create_app(settings)`; `app` is the instance uvicorn serves."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import TypedDict

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.api import api_router
from app.api.health import router as health_router
from app.api.writes import link_writes
from app.core.cache import ResponseCacheMiddleware
from app.core.config import Settings, get_settings
from app.core.data_version import DataVersion, data_version_for
from app.core.db import WriteHealth, create_db_engine, create_sessionmaker
from app.core.errors import problem_openapi, register_exception_handlers
from app.core.logging import configure_logging
from app.core.metrics import instrument
from app.core.middleware import (
    EnvelopeMiddleware,
    HeadAsGetMiddleware,
    RateLimitMiddleware,
    RequestBodyMiddleware,
    UnhandledErrorMiddleware,
    valid_request_id,
)

DESCRIPTION = """
Anales serves a curated historical corpus as typed JSON: passages on Soviet foreign policy
(1917–1991) with the events, actors, periods (eras), regions and themes they concern.

* Lists take filters (`era`, `from`, `to`, `theme`, `actor`, `region`, `q`), are paged with
  `limit` and an opaque `cursor`, and answer `{items, total, total_exact, limit, next}` plus
  a `Link: rel="next"` header. The passage list counts up to 1,000 matches (`total_exact`
  false beyond; `count=exact` counts them all).
* Details embed the linked resources as summaries, so one call answers "everything about X".
* Every error is an RFC 9457 `application/problem+json` body naming the parameter at fault.
"""


class State(TypedDict):
    engine: Engine
    sessionmaker: sessionmaker[Session]
    settings: Settings
    data_version: DataVersion
    write_health: WriteHealth


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    configure_logging(settings)
    data_version = data_version_for(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[State]:
        engine = create_db_engine(settings)
        pool_metrics.engine = engine
        try:
            yield {
                "engine": engine,
                "sessionmaker": create_sessionmaker(engine),
                "settings": settings,
                "data_version": data_version,
                "write_health": WriteHealth(),
            }
        finally:
            await data_version.stop()
            engine.dispose()

    app: FastAPI = FastAPIOffline(
        title="Anales",
        version=version("anales"),
        summary="A curated corpus on Soviet foreign policy as a typed REST API.",
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url="/static/docs",
        # Requests are counted and timed for Prometheus at /metrics; FastAPI's OpenTelemetry
        # bridge would otherwise look for configured providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    register_exception_handlers(app)
    problem_openapi(app, link_writes)
    app.include_router(api_router)
    app.include_router(health_router)
    pool_metrics = instrument(app)

    add_middleware(app, settings, data_version)
    return app


def add_middleware(app: FastAPI, settings: Settings, data_version: DataVersion) -> None:
    """The middleware stack, in the order a request passes it (see below)."""
    # Added innermost first. A request passes the request id and the envelope (security
    # headers and access log) and CORS layers, so every answer, a preflight or a 429 too,
    # carries their headers; then the rate limit, the HEAD-as-GET layer (so the cache inside
    # it sees a GET), the response cache (so kept responses still get the per-request
    # headers) and the request-body guard, and reaches the app; unhandled errors are caught
    # innermost, so even a 500 carries the headers.
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(RequestBodyMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        ResponseCacheMiddleware, version=data_version, max_bytes=settings.response_cache_bytes
    )
    app.add_middleware(HeadAsGetMiddleware)
    if settings.rate_limit:
        app.add_middleware(
            RateLimitMiddleware, limit=settings.rate_limit, exempt=("/healthz", "/readyz")
        )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_allow_origins,
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Link", "X-Request-ID", "Content-Language", "Retry-After"],
    )
    app.add_middleware(EnvelopeMiddleware)
    app.add_middleware(
        CorrelationIdMiddleware, header_name="X-Request-ID", validator=valid_request_id
    )


app = create_app()
