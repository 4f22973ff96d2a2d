"""Path parameters and load-or-404 dependencies shared by the routers."""

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from app.analysis.text import SLUG_PATTERN
from app.core.db import SessionDep
from app.core.errors import InvalidParameter, NotFound
from app.models import Actor, Event, Passage, Period, Region, Theme
from app.repositories import actor, event, passage, period, region, theme

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


async def single_values(request: Request) -> None:
    """A parameter that takes one value, given twice (`to=1939&to=1950`), is a 422 rather
    than the last value silently winning; filters that take several values are lists."""
    params = request.query_params
    if len(params.multi_items()) == len(params):
        return
    lists = _match_operation(request)
    for name in params:
        if len(params.getlist(name)) > 1 and name not in lists:
            raise InvalidParameter(name, "takes one value; it was given more than once")


@lru_cache(maxsize=8)
def _operations(app: Any) -> list[tuple[re.Pattern[str], str, frozenset[str]]]:
    """Every operation of the OpenAPI document: path pattern, method, list parameters."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in operations.items():
            names = frozenset(
                p["name"]
                for p in operation.get("parameters", [])
                if any(o.get("type") == "array" for o in p["schema"].get("anyOf", [p["schema"]]))
            )
            found.append((pattern, method.upper(), names))
    return found


def _match_operation(request: Request) -> frozenset[str]:
    for pattern, method, names in _operations(request.app):
        if method == request.method and pattern.match(request.url.path):
            return names
    return frozenset()
