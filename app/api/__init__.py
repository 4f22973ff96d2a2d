"""Every resource router, mounted under /api/v1."""

from fastapi import APIRouter, Depends

from app.api import (
    actor,
    curation,
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
for router in curation.routers:
    api_router.include_router(router)
