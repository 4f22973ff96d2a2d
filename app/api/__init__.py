"""Every resource router, mounted under /api/v1."""

from fastapi import APIRouter, Depends

from app.api import (
    actor,
    audit,
    event,
    graph,
    passage,
    period,
    region,
    search,
    theme,
    timeline,
)
from app.api.deps import single_values
from app.core.i18n import negotiate_language

api_router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(negotiate_language), Depends(single_values)]
)
for module in (passage, event, actor, period, region, theme, timeline, search, graph):
    api_router.include_router(module.router)
# The writes after every read, so that the OpenAPI document lists a path's read first.
for router in (
    actor.write_router,
    event.write_router,
    period.write_router,
    region.write_router,
    theme.write_router,
    passage.write_router,
    audit.router,
):
    api_router.include_router(router)
