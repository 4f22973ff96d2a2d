"""The output formats the API answers in, and the one rule that picks one per request.

A list answers JSON or CSV, a detail JSON or JSON-LD, the timeline JSON or TimelineJS, the
graph vis-network or Cytoscape. The `format` parameter, where an endpoint has one, wins;
otherwise `Accept` chooses among the endpoint's offers: the highest `q`, then the most
specific range (`text/csv` over `text/*` over `*/*`), then the endpoint's first offer. A
range with `q=0`, or that names none of the offers, chooses nothing, and a request that
accepts none of the offers gets the first one (never a 406).

`Accept` is read by the same parser as `Accept-Language` (`app.core.i18n.weighted_values`).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.i18n import weighted_values

JSON_MEDIA_TYPE = "application/json"
CSV_MEDIA_TYPE = "text/csv"
JSON_LD_MEDIA_TYPE = "application/ld+json"


@dataclass(frozen=True)
class OutputFormat:
    name: str
    """What the `format` parameter calls it."""
    media_type: str
    """What `Accept` calls it."""


JSON = OutputFormat("json", JSON_MEDIA_TYPE)
CSV = OutputFormat("csv", CSV_MEDIA_TYPE)
JSON_LD = OutputFormat("jsonld", JSON_LD_MEDIA_TYPE)
TIMELINEJS = OutputFormat("timelinejs", JSON_MEDIA_TYPE)
VIS = OutputFormat("vis", JSON_MEDIA_TYPE)
CYTOSCAPE = OutputFormat("cytoscape", JSON_MEDIA_TYPE)

FORMATS: dict[str, OutputFormat] = {
    output.name: output for output in (JSON, CSV, JSON_LD, TIMELINEJS, VIS, CYTOSCAPE)
}
"""Every output format, by name; the renderer of each is the module of the same name
(`csv`, `jsonld`, `timelinejs`, `graph` for vis and Cytoscape; JSON is the schemas')."""

LIST_OFFERS = (JSON, CSV)
DETAIL_OFFERS = (JSON, JSON_LD)
TIMELINE_OFFERS = (JSON, TIMELINEJS)
GRAPH_OFFERS = (VIS, CYTOSCAPE)


def _specificity(media: str, offer: str) -> int | None:
    """How closely the range `media` names `offer` (2 exactly, 1 `type/*`, 0 `*/*`)."""
    if media == offer:
        return 2
    if media == f"{offer.split('/')[0]}/*":
        return 1
    if media == "*/*":
        return 0
    return None


def preferred(accept: str | None, offers: Sequence[str]) -> str:
    """The offer `accept` ranks highest (the first offer by default, and on ties)."""
    if not accept:
        return offers[0]
    ranges = weighted_values(accept)
    best, best_key = offers[0], (0.0, 0, 0)
    for offer_index, offer in enumerate(offers):
        for media, q in ranges:
            specificity = _specificity(media, offer)
            if specificity is None:
                continue
            key = (q, specificity, -offer_index)
            if q > 0 and key > best_key:
                best, best_key = offer, key
    return best


def negotiate(
    accept: str | None, offers: Sequence[OutputFormat], requested: str | None = None
) -> OutputFormat:
    """The format to answer in: the one `requested` by the `format` parameter (one of
    `offers`; `plain` is JSON's other name), else the offer `accept` prefers."""
    if requested is not None:
        name = JSON.name if requested == "plain" else requested
        return next(offer for offer in offers if offer.name == name)
    media_type = preferred(accept, [offer.media_type for offer in offers])
    return next(offer for offer in offers if offer.media_type == media_type)
