from fastapi import APIRouter, Request

from app.db import migration_state
from app.errors import ServiceUnavailable, problem_responses
from app.schemas.health import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness", description="The process is up; no database call.")
async def healthz() -> Health:
    return Health()


@router.get(
    "/readyz",
    summary="Readiness",
    description="The database answers and its schema is at the latest migration.",
    responses=problem_responses(503),
)
def readyz(request: Request) -> Readiness:
    try:
        current, head = migration_state(request.state.engine, request.state.settings.alembic_config)
    except Exception as exc:
        raise ServiceUnavailable("The database does not answer.") from exc
    if current != head:
        raise ServiceUnavailable(f"The database is at migration {current}, not {head}.")
    return Readiness(database=request.state.engine.dialect.name, revision=head)
