"""Application factory: `create_app(settings)`; `app` is the instance uvicorn serves."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import TypedDict

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.api import api_router
from app.api.health import router as health_router
from app.config import Settings, get_settings
from app.db import create_db_engine, create_sessionmaker
from app.errors import register_exception_handlers

DESCRIPTION = """
Anales serves a curated historical corpus as typed JSON: passages on Soviet foreign policy
(1917–1991) with the events, actors, periods (eras), regions and themes they concern.

* Lists take filters (`era`, `from`, `to`, `theme`, `actor`, `region`, `q`), are paged with
  `limit` and an opaque `cursor`, and answer `{items, total, limit, next}` plus a
  `Link: rel="next"` header.
* Details embed the linked resources as summaries, so one call answers "everything about X".
* Every error is an RFC 9457 `application/problem+json` body naming the parameter at fault.
"""


class State(TypedDict):
    engine: Engine
    sessionmaker: sessionmaker[Session]
    settings: Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[State]:
        engine = create_db_engine(settings)
        try:
            yield {
                "engine": engine,
                "sessionmaker": create_sessionmaker(engine),
                "settings": settings,
            }
        finally:
            engine.dispose()

    app: FastAPI = FastAPIOffline(
        title="Anales",
        version=version("anales"),
        summary="A curated corpus on Soviet foreign policy as a typed REST API.",
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url="/static/docs",
    )
    register_exception_handlers(app)
    app.include_router(api_router)
    app.include_router(health_router)
    return app


app = create_app()
