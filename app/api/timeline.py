from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.examples import TIMELINEJS_EXAMPLE
from app.api.render.negotiation import TIMELINE_OFFERS, TIMELINEJS, negotiate
from app.api.render.shapes import ReadingDep, json_answer, json_example
from app.api.render.timelinejs import timelinejs
from app.core.errors import problem_responses
from app.core.i18n import in_language
from app.core.kinds import Kind
from app.repositories import event, period
from app.schemas.event import EventItem
from app.schemas.period import PeriodItem
from app.schemas.timeline import (
    Timeline,
    TimelineFeedFilter,
    TimelineGroup,
    TimelineJS,
)

router = APIRouter(prefix="/timeline", tags=["timeline"])


@router.get(
    "",
    summary="Timeline of periods and events",
    description="Every period and event in chronological order, unpaged. The event filters "
    "apply to the events; `era`, `from` and `to` also narrow the periods. "
    "`format=timelinejs` answers the JSON TimelineJS3 loads as it is "
    "(`new TL.Timeline('timeline', url)`): events as slides whose `start_date`/`end_date` "
    "keep the EDTF date's precision, uncertain or approximate dates said in `display_date`, "
    "periods as `eras`, and with `group=theme|region` one row per theme or region.",
    response_model=Timeline | TimelineJS,
    responses={**json_example(TIMELINEJS_EXAMPLE), **problem_responses(422)},
)
def get_timeline(read: ReadingDep, filters: Annotated[TimelineFeedFilter, Query()]) -> Response:
    session, language = read.session, read.language
    periods = period.timeline_periods(session, filters)
    if negotiate(None, TIMELINE_OFFERS, filters.format.value) is TIMELINEJS:
        group = filters.group
        links = {TimelineGroup.THEME: [Kind.THEMES], TimelineGroup.REGION: [Kind.REGIONS]}
        events = event.all_events(session, filters, links.get(group, []) if group else [])
        return read.answer(json_answer(read, timelinejs(periods, events, group, language)))
    context = in_language(language)
    events = event.all_events(session, filters)
    timeline = Timeline(
        periods=[PeriodItem.model_validate(p, context=context) for p in periods],
        events=[EventItem.model_validate(e, context=context) for e in events],
    )
    return read.answer(json_answer(read, timeline))
