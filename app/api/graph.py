from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.examples import GRAPH_EXAMPLE
from app.api.render.graph import cytoscape, vis
from app.api.render.negotiation import CYTOSCAPE, GRAPH_OFFERS, negotiate
from app.api.render.shapes import ReadingDep, json_answer, json_example
from app.core.errors import problem_responses
from app.repositories.graph import build_graph
from app.schemas.graph import CytoscapeGraph, GraphFilter, VisGraph

router = APIRouter(prefix="/graph", tags=["graph"])


@router.get(
    "",
    summary="Graph of actors, regions, themes and periods",
    description="Nodes are the actors, regions, themes and periods linked to the matching "
    "passages and events (`value`: how many); an edge joins two nodes linked by the same "
    "passage or event (`value`: by how many). The list filters choose the documents "
    "(`era`, `from`, `to`, `theme`, `actor`, `region`, `q`; `source` picks passages, events "
    "or both). `format=vis` (default) is vis-network's `{nodes, edges}` as "
    "`new vis.Network(el, data)` takes it; `format=cytoscape` is `{elements: {nodes, "
    "edges}}` for `cytoscape({elements})`. Node ids are `<kind>/<slug>`.",
    response_model=VisGraph | CytoscapeGraph,
    responses={**json_example(GRAPH_EXAMPLE), **problem_responses(422)},
)
def get_graph(read: ReadingDep, filters: Annotated[GraphFilter, Query()]) -> Response:
    graph = build_graph(read.session, filters)
    if negotiate(None, GRAPH_OFFERS, filters.format.value) is CYTOSCAPE:
        return read.answer(json_answer(read, cytoscape(graph, read.language)))
    return read.answer(json_answer(read, vis(graph, read.language)))
