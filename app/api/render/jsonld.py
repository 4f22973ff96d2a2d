"""JSON-LD of any detail (`Accept: application/ld+json`): schema.org. Passages are
`CreativeWork`; each kind's type is `Kind.facts.json_ld_type` (events and periods `Event`,
regions `Place`, themes `DefinedTerm`, actors `Organization`), except people (`Person`) and
states (`Country`). Links are references (`@id`, `@type`, `name`). No `sameAs`: Wikidata
identifiers could not be verified here, and a guessed one is worse than none.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from app.api.render.negotiation import JSON_LD_MEDIA_TYPE
from app.core.i18n import localized, negotiated_headers
from app.core.kinds import Kind
from app.models import Passage

SCHEMA_ORG = "https://schema.org"
PASSAGES = "passages"
ACTOR_TYPES = {"person": "Person", "state": "Country"}
"""The schema.org type of an actor by its own kind; other actors are their kind's default."""


@dataclass(frozen=True)
class Refs:
    """How one document names what it links to: absolute URLs, in the served language."""

    base: str
    language: str

    def url(self, kind: str, obj: Any) -> str:
        key = obj.id if kind == PASSAGES else obj.slug
        return f"{self.base}/api/v1/{kind}/{key}"

    def ref(self, kind: Kind, obj: Any) -> dict[str, Any]:
        return {
            "@id": self.url(kind, obj),
            "@type": json_ld_type(kind, obj),
            "name": localized(obj, "name", self.language),
        }

    def passage(self, obj: Passage) -> dict[str, Any]:
        return {
            "@id": self.url(PASSAGES, obj),
            "@type": "CreativeWork",
            "name": f"Pasaje {obj.position}",
        }

    def many(self, kind: Kind, items: Any) -> list[dict[str, Any]]:
        return [self.ref(kind, item) for item in items]

    def passages(self, items: Any) -> list[dict[str, Any]]:
        return [self.passage(item) for item in items]


def json_ld_type(kind: Kind, obj: Any) -> str:
    if kind is Kind.ACTORS:
        return ACTOR_TYPES.get(str(obj.kind), kind.facts.json_ld_type)
    return kind.facts.json_ld_type


def _years(start: int | None, end: int | None) -> str | None:
    if start is None or end is None:
        return None
    return f"{start:04d}" if start == end else f"{start:04d}/{end:04d}"


def _actor(refs: Refs, obj: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if obj.role:
        doc["jobTitle" if obj.kind == "person" else "disambiguatingDescription"] = obj.role
    doc["subjectOf"] = [*refs.passages(obj.passages), *refs.many(Kind.EVENTS, obj.events)]
    return doc


def _event(refs: Refs, obj: Any) -> dict[str, Any]:
    return {
        "startDate": obj.start_date.isoformat(),
        "endDate": obj.end_date.isoformat(),
        "temporalCoverage": obj.date,
        "about": refs.many(Kind.THEMES, obj.themes),
        "location": refs.many(Kind.REGIONS, obj.regions),
        "superEvent": refs.many(Kind.PERIODS, obj.periods),
        "attendee": refs.many(Kind.ACTORS, obj.actors),
    }


def _period(refs: Refs, obj: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"startDate": f"{obj.start_year:04d}", "endDate": f"{obj.end_year:04d}"}
    if obj.parent is not None:
        doc["superEvent"] = refs.ref(Kind.PERIODS, obj.parent)
    doc["subEvent"] = [*refs.many(Kind.PERIODS, obj.children), *refs.many(Kind.EVENTS, obj.events)]
    return doc


def _region(refs: Refs, obj: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if obj.parent is not None:
        doc["containedInPlace"] = refs.ref(Kind.REGIONS, obj.parent)
    doc["containsPlace"] = refs.many(Kind.REGIONS, obj.children)
    doc["event"] = refs.many(Kind.EVENTS, obj.events)
    return doc


def _theme(refs: Refs, obj: Any) -> dict[str, Any]:
    return {"subjectOf": [*refs.passages(obj.passages), *refs.many(Kind.EVENTS, obj.events)]}


KIND_PROPERTIES: dict[Kind, Callable[[Refs, Any], dict[str, Any]]] = {
    Kind.ACTORS: _actor,
    Kind.EVENTS: _event,
    Kind.PERIODS: _period,
    Kind.REGIONS: _region,
    Kind.THEMES: _theme,
}
"""Each kind's own properties, after the ones every entity has (`entity_json_ld`)."""


def _compact(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in doc.items() if value not in (None, [])}


def entity_json_ld(refs: Refs, kind: Kind, obj: Any) -> dict[str, Any]:
    """The schema.org description of one entity, its links as references."""
    doc: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@id": refs.url(kind, obj),
        "@type": json_ld_type(kind, obj),
        "url": refs.url(kind, obj),
        "identifier": str(obj.slug),
        "name": localized(obj, "name", refs.language),
        "description": localized(obj, "description", refs.language) or None,
        "alternateName": list(obj.aliases),
        "subjectOf": refs.passages(obj.passages),
    }
    return _compact({**doc, **KIND_PROPERTIES[kind](refs, obj)})


def passage_json_ld(refs: Refs, obj: Passage) -> dict[str, Any]:
    """The schema.org `CreativeWork` of one passage, its links as references."""
    doc: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@id": refs.url(PASSAGES, obj),
        "@type": "CreativeWork",
        "url": refs.url(PASSAGES, obj),
        "identifier": str(obj.id),
        "name": f"Pasaje {obj.position}",
        "text": obj.text,
        "inLanguage": "es",
        "position": obj.position,
        "about": refs.many(Kind.THEMES, obj.themes),
        "mentions": [
            *refs.many(Kind.EVENTS, obj.events),
            *refs.many(Kind.ACTORS, obj.actors),
            *refs.many(Kind.REGIONS, obj.regions),
            *refs.many(Kind.PERIODS, obj.periods),
        ],
    }
    if obj.text_en:
        doc["workTranslation"] = {"@type": "CreativeWork", "text": obj.text_en, "inLanguage": "en"}
    coverage = _years(obj.start_year, obj.end_year)
    if coverage:
        doc["temporalCoverage"] = coverage
    return doc


def json_ld(request: Request, kind: Kind | None, obj: Any, language: str) -> dict[str, Any]:
    """The schema.org description of a passage (`kind` None) or of an entity of `kind`."""
    refs = Refs(str(request.base_url).rstrip("/"), language)
    return passage_json_ld(refs, obj) if kind is None else entity_json_ld(refs, kind, obj)


def json_ld_response(request: Request, kind: Kind | None, obj: Any, language: str) -> JSONResponse:
    return JSONResponse(
        json_ld(request, kind, obj, language),
        media_type=JSON_LD_MEDIA_TYPE,
        headers=negotiated_headers(language),
    )


def json_ld_openapi(example: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting a detail's JSON-LD form."""
    return {
        200: {
            "description": "The resource; as schema.org JSON-LD with "
            "`Accept: application/ld+json`.",
            "content": {JSON_LD_MEDIA_TYPE: {"schema": {"type": "object"}, "example": example}},
        }
    }
