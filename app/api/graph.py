from typing import Annotated

from fastapi import APIRouter, Query

from app.api.examples import GRAPH_EXAMPLE
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.i18n import current_language, localized
from app.repositories.graph import Graph, build_graph
from app.schemas.graph import (
    CytoscapeEdge,
    CytoscapeEdgeData,
    CytoscapeElements,
    CytoscapeGraph,
    CytoscapeNode,
    CytoscapeNodeData,
    GraphEdge,
    GraphFilter,
    GraphFormat,
    GraphNode,
    VisGraph,
)

router = APIRouter(prefix="/graph", tags=["graph"])

DOCUMENTS = {"es": "pasajes y acontecimientos", "en": "passages and events"}


def _node_id(key: tuple[str, int], graph: Graph) -> str:
    kind, _ = key
    return f"{kind}/{graph.entities[key].slug}"


def _vis(graph: Graph) -> VisGraph:
    documents = DOCUMENTS[current_language()]
    order = sorted(graph.entities, key=lambda key: _node_id(key, graph))
    nodes = [
        GraphNode(
            id=_node_id(key, graph),
            label=localized(graph.entities[key], "name"),
            group=key[0],
            value=graph.weights[key],
            title=f"{localized(graph.entities[key], 'name')} ({documents}: {graph.weights[key]})",
        )
        for key in order
    ]
    edges = []
    for (left, right), weight in graph.edges.items():
        source, target = sorted((_node_id(left, graph), _node_id(right, graph)))
        edges.append(
            GraphEdge.model_validate(
                {
                    "id": f"{source}--{target}",
                    "from": source,
                    "to": target,
                    "value": weight,
                    "title": f"{documents}: {weight}",
                }
            )
        )
    edges.sort(key=lambda edge: edge.id)
    return VisGraph(nodes=nodes, edges=edges)


def _cytoscape(graph: VisGraph) -> CytoscapeGraph:
    return CytoscapeGraph(
        elements=CytoscapeElements(
            nodes=[
                CytoscapeNode(
                    data=CytoscapeNodeData(
                        id=node.id, label=node.label, group=node.group, weight=node.value
                    )
                )
                for node in graph.nodes
            ],
            edges=[
                CytoscapeEdge(
                    data=CytoscapeEdgeData(
                        id=edge.id, source=edge.from_, target=edge.to, weight=edge.value
                    )
                )
                for edge in graph.edges
            ],
        )
    )


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
    responses={
        200: {"content": {"application/json": {"example": GRAPH_EXAMPLE}}},
        **problem_responses(422),
    },
)
def get_graph(
    session: SessionDep, filters: Annotated[GraphFilter, Query()]
) -> VisGraph | CytoscapeGraph:
    graph = _vis(build_graph(session, filters))
    if filters.format is GraphFormat.CYTOSCAPE:
        return _cytoscape(graph)
    return graph
