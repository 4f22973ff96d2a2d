from enum import StrEnum

from pydantic import Field

from app.core.kinds import Kind
from app.schemas.base import LinkFilter, Schema


class GraphFormat(StrEnum):
    VIS = "vis"
    CYTOSCAPE = "cytoscape"


class GraphSource(StrEnum):
    PASSAGES = "passages"
    EVENTS = Kind.EVENTS.value


class GraphFilter(LinkFilter):
    """The passage and event filters choose the documents whose links make the graph."""

    source: list[GraphSource] = Field(
        default_factory=list,
        max_length=len(GraphSource),
        description="Count links made by passages, events, or both (the default).",
        examples=[["passages"]],
    )
    format: GraphFormat = Field(
        default=GraphFormat.VIS,
        description="`vis`: `{nodes, edges}` for vis-network's `new vis.Network(el, data)`; "
        "`cytoscape`: `{elements: {nodes, edges}}` for Cytoscape.js's `cytoscape({elements})`.",
        examples=["cytoscape"],
    )


class GraphNode(Schema):
    id: str = Field(description="`<kind>/<slug>`.", examples=["actors/kgb"])
    label: str = Field(description="Name in the served language.", examples=["KGB"])
    group: str = Field(description="Kind: actors, regions, themes or periods.")
    value: int = Field(description="Passages and events linked to it.")
    title: str = Field(description="Tooltip text.")


class GraphEdge(Schema):
    id: str
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    value: int = Field(description="Passages and events linking both nodes.")
    title: str = Field(description="Tooltip text.")


class VisGraph(Schema):
    """vis-network's data: `new vis.Network(container, {nodes, edges}, options)`."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]


class CytoscapeNodeData(Schema):
    id: str
    label: str
    group: str
    weight: int


class CytoscapeEdgeData(Schema):
    id: str
    source: str
    target: str
    weight: int


class CytoscapeNode(Schema):
    data: CytoscapeNodeData


class CytoscapeEdge(Schema):
    data: CytoscapeEdgeData


class CytoscapeElements(Schema):
    nodes: list[CytoscapeNode]
    edges: list[CytoscapeEdge]


class CytoscapeGraph(Schema):
    """Cytoscape.js's data: `cytoscape({container, elements})`."""

    elements: CytoscapeElements
