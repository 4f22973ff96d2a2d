"""Every resource router, mounted under /api/v1."""

from fastapi import APIRouter

from app.api import actor, event, passage, period, region, theme, timeline

api_router = APIRouter(prefix="/api/v1")
for module in (passage, event, actor, period, region, theme, timeline):
    api_router.include_router(module.router)
