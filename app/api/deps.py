"""Path parameters, load-or-404 helpers and the repeated-parameter check shared by the
routers."""

from collections.abc import Iterator
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import APIRouter, Path, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.analysis.text import SLUG_PATTERN
from app.core.errors import InvalidParameter, NotFound
from app.core.kinds import Kind
from app.models import Passage
from app.repositories import passage
from app.services.curation import get_entity


def router_for(kind: Kind) -> APIRouter:
    """The router of a kind's routes: under `/<kind>`, tagged with it."""
    return APIRouter(prefix=f"/{kind.value}", tags=[kind.value])


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


def passage_or_404(session: Session, passage_id: int) -> Passage:
    """The passage as its detail shows it; a 404 problem when there is none."""
    found = passage.get_passage(session, passage_id)
    if found is None:
        raise NotFound(f"No passage has id {passage_id}.")
    return found


def entity_or_404(session: Session, kind: Kind, slug: str) -> Any:
    """The entity of `kind` as its detail shows it; a 404 problem when there is none. Read in
    the handler rather than in a dependency of its own, which FastAPI would run in a thread
    of its own."""
    found = get_entity(session, kind, slug)
    if found is None:
        raise NotFound(f"No {kind.singular} has slug '{slug}'.")
    return found


async def single_values(request: Request) -> None:
    """A parameter that takes one value, given twice (`to=1939&to=1950`), is a 422 rather
    than the last value silently winning; filters that take several values are lists."""
    params = request.query_params
    if len(params.multi_items()) == len(params):
        return
    route = request.scope.get("route")
    lists = list_parameters(route) if isinstance(route, APIRoute) else frozenset()
    for name in params:
        if len(params.getlist(name)) > 1 and name not in lists:
            raise InvalidParameter(name, "takes one value; it was given more than once")


def _is_list(annotation: Any) -> bool:
    """`list[...]`, or a union with one (`list[str] | None`)."""
    if get_origin(annotation) is list or annotation is list:
        return True
    return get_origin(annotation) in (Union, UnionType) and any(
        _is_list(arg) for arg in get_args(annotation)
    )


def _query_parameters(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    """(name, annotation) of every query parameter of `dependant` and its dependencies."""
    for field in dependant.query_params:
        yield field.alias, field.field_info.annotation
    for sub in dependant.dependencies:
        yield from _query_parameters(sub)


def list_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameters of `route` that take several values: the list fields of its
    filter models (by alias, as clients spell them) and its own list parameters. Read only
    for a request that repeats a parameter, so it is not cached."""
    names: set[str] = set()
    for alias, annotation in _query_parameters(route.dependant):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names.update(
                info.alias or name
                for name, info in annotation.model_fields.items()
                if _is_list(info.annotation)
            )
        elif _is_list(annotation):
            names.add(alias)
    return frozenset(names)
