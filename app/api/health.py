from fastapi import APIRouter, Request

from app.core.db import WriteHealth, migration_state
from app.core.errors import ServiceUnavailable, problem_responses
from app.repositories.health import unwritable_tables
from app.schemas.health import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness", description="The process is up; no database call.")
async def healthz() -> Health:
    return Health()


@router.get(
    "/readyz",
    summary="Readiness",
    description="The database answers, its schema is at the latest migration, and writes can "
    f"commit: the role holds its write privileges, and no commit failed in the last "
    f"{WriteHealth.FAILURE_MEMORY_S:.0f} s "
    "without a later one succeeding.",
    responses=problem_responses(503),
)
def readyz(request: Request) -> Readiness:
    try:
        current, head = migration_state(request.state.engine, request.state.settings.alembic_config)
    except Exception as exc:
        raise ServiceUnavailable("The database does not answer.") from exc
    if current != head:
        raise ServiceUnavailable(f"The database is at migration {current}, not {head}.")
    failed_commit = request.state.write_health.problem()
    if failed_commit is not None:
        raise ServiceUnavailable(f"Writes cannot commit: {failed_commit}")
    unwritable = unwritable_tables(request.state.engine)
    if unwritable:
        raise ServiceUnavailable(f"Writes cannot commit: no write privilege on {unwritable}.")
    return Readiness(database=request.state.engine.dialect.name, revision=head)
