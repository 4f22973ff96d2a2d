"""Path parameters and load-or-404 dependencies shared by the routers."""

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Path
from sqlalchemy.orm import Session

from app.db import SessionDep
from app.errors import NotFound
from app.models import Actor, Event, Passage, Period, Region, Theme
from app.repositories import actor, event, passage, period, region, theme
from app.text import SLUG_PATTERN

M = TypeVar("M")

SlugPath = Annotated[
    str,
    Path(
        pattern=SLUG_PATTERN,
        max_length=120,
        description="Lower-case ASCII slug derived from the name.",
        examples=["maksim-litvinov"],
    ),
]
PassageIdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="Passage id.", examples=[6])]


def valid_passage(passage_id: PassageIdPath, session: SessionDep) -> Passage:
    found = passage.get_passage(session, passage_id)
    if found is None:
        raise NotFound(f"No passage has id {passage_id}.")
    return found


def _by_slug(get: Callable[[Session, str], M | None], kind: str) -> Callable[[str, Session], M]:
    def load(slug: SlugPath, session: SessionDep) -> M:
        found = get(session, slug)
        if found is None:
            raise NotFound(f"No {kind} has slug '{slug}'.")
        return found

    load.__name__ = f"valid_{kind}"
    return load


PassageDep = Annotated[Passage, Depends(valid_passage)]
EventDep = Annotated[Event, Depends(_by_slug(event.get_event, "event"))]
ActorDep = Annotated[Actor, Depends(_by_slug(actor.get_actor, "actor"))]
PeriodDep = Annotated[Period, Depends(_by_slug(period.get_period, "period"))]
RegionDep = Annotated[Region, Depends(_by_slug(region.get_region, "region"))]
ThemeDep = Annotated[Theme, Depends(_by_slug(theme.get_theme, "theme"))]
