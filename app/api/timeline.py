from typing import Annotated

from fastapi import APIRouter, Query

from app.db import SessionDep
from app.errors import problem_responses
from app.repositories import event, period
from app.schemas.event import EventItem
from app.schemas.period import PeriodItem
from app.schemas.timeline import Timeline, TimelineFilter

router = APIRouter(prefix="/timeline", tags=["timeline"])


@router.get(
    "",
    summary="Timeline of periods and events",
    description="Every period and event in chronological order, unpaged. The event filters "
    "apply to the events; `era`, `from` and `to` also narrow the periods.",
    responses=problem_responses(422),
)
def get_timeline(session: SessionDep, filters: Annotated[TimelineFilter, Query()]) -> Timeline:
    return Timeline(
        periods=[PeriodItem.model_validate(p) for p in period.timeline_periods(session, filters)],
        events=[EventItem.model_validate(e) for e in event.all_events(session, filters)],
    )
