"""The graph as the two network libraries load it: vis-network's `{nodes, edges}` and
Cytoscape.js's `{elements: {nodes, edges}}`. Node ids are `<kind>/<slug>`; nodes and edges
come sorted by id, so the same corpus always draws the same document."""

from app.core.i18n import localized
from app.repositories.graph import Graph
from app.schemas.graph import (
    CytoscapeEdge,
    CytoscapeEdgeData,
    CytoscapeElements,
    CytoscapeGraph,
    CytoscapeNode,
    CytoscapeNodeData,
    GraphEdge,
    GraphNode,
    VisGraph,
)

DOCUMENTS = {"es": "pasajes y acontecimientos", "en": "passages and events"}


def _node_id(key: tuple[str, int], graph: Graph) -> str:
    kind, _ = key
    return f"{kind}/{graph.entities[key].slug}"


def _nodes(graph: Graph, language: str) -> list[GraphNode]:
    documents = DOCUMENTS[language]
    nodes = []
    for key in sorted(graph.entities, key=lambda key: _node_id(key, graph)):
        name = localized(graph.entities[key], "name", language)
        weight = graph.weights[key]
        nodes.append(
            GraphNode(
                id=_node_id(key, graph),
                label=name,
                group=key[0],
                value=weight,
                title=f"{name} ({documents}: {weight})",
            )
        )
    return nodes


def _edges(graph: Graph, language: str) -> list[GraphEdge]:
    documents = DOCUMENTS[language]
    edges = []
    for (left, right), weight in graph.edges.items():
        source, target = sorted((_node_id(left, graph), _node_id(right, graph)))
        edge = {
            "id": f"{source}--{target}",
            "from": source,
            "to": target,
            "value": weight,
            "title": f"{documents}: {weight}",
        }
        edges.append(GraphEdge.model_validate(edge))
    return sorted(edges, key=lambda edge: edge.id)


def vis(graph: Graph, language: str) -> VisGraph:
    """vis-network's `{nodes, edges}`, labels in `language`."""
    return VisGraph(nodes=_nodes(graph, language), edges=_edges(graph, language))


def cytoscape(graph: Graph, language: str) -> CytoscapeGraph:
    """Cytoscape.js's `{elements: {nodes, edges}}`: the vis document's nodes and edges."""
    drawn = vis(graph, language)
    nodes = [
        CytoscapeNode(
            data=CytoscapeNodeData(
                id=node.id, label=node.label, group=node.group, weight=node.value
            )
        )
        for node in drawn.nodes
    ]
    edges = [
        CytoscapeEdge(
            data=CytoscapeEdgeData(id=edge.id, source=edge.from_, target=edge.to, weight=edge.value)
        )
        for edge in drawn.edges
    ]
    return CytoscapeGraph(elements=CytoscapeElements(nodes=nodes, edges=edges))
