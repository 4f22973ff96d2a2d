from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.examples import SEARCH_EXAMPLE
from app.api.render.shapes import ReadingDep, json_answer, json_example
from app.core.errors import problem_responses
from app.schemas.search import SearchParams, SearchResults
from app.services import search as service

router = APIRouter(prefix="/search", tags=["search"])


@router.get(
    "",
    summary="Search everything",
    description="Full-text search over passages and every entity kind (names, English "
    "names, aliases, descriptions, roles), ranked by relevance and grouped by kind. "
    "Spanish-aware: case and accents are folded and words are reduced to their Spanish "
    'stems, so `coexistencias pacíficas` finds “coexistencia pacífica”; `"…"` quotes a '
    "phrase. Each hit carries an HTML `snippet` with the matched words in `<mark>`. "
    "SQLite (FTS5) and PostgreSQL (`tsvector`, `spanish` + `unaccent`) give the same hits, "
    "order and snippets.",
    response_model=SearchResults,
    responses={**json_example(SEARCH_EXAMPLE), **problem_responses(422)},
)
def search(read: ReadingDep, params: Annotated[SearchParams, Query()]) -> Response:
    return read.answer(json_answer(read, service.search(read.session, params, read.language)))
