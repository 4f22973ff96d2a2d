"""The kinds of named entity a passage links to, spelled once.

A kind's value is its plural, as paths (`/api/v1/actors`), `include=` and link lists spell
it; `singular`, `filter` and `section` are the other names it goes by. What binds each kind
to its model and schemas is `app.registry`; this module is pure so every layer can read it.
"""

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class KindFacts:
    singular: str
    filter: str
    """The list parameter that filters by it (`era=` for periods, `event=` on passages)."""
    section: str
    """Its heading in seed/annotations.toml."""
    hierarchical: bool
    """Entities of this kind may sit inside another of the same kind (`parent`)."""
    json_ld_type: str
    """Its schema.org type (an actor's depends on its own kind; this is the default)."""


class Kind(StrEnum):
    ACTORS = "actors"
    EVENTS = "events"
    PERIODS = "periods"
    REGIONS = "regions"
    THEMES = "themes"

    @property
    def facts(self) -> KindFacts:
        return FACTS[self]

    @property
    def singular(self) -> str:
        return FACTS[self].singular


FACTS: dict[Kind, KindFacts] = {
    Kind.ACTORS: KindFacts("actor", "actor", "Actors", False, "Organization"),
    Kind.EVENTS: KindFacts("event", "event", "Events", False, "Event"),
    Kind.PERIODS: KindFacts(
        "period", "era", "Periods: eras, and the phases inside them", True, "Event"
    ),
    Kind.REGIONS: KindFacts("region", "region", "Regions", True, "Place"),
    Kind.THEMES: KindFacts("theme", "theme", "Themes", False, "DefinedTerm"),
}

PASSAGE_LINKS: tuple[Kind, ...] = tuple(Kind)
"""What a passage links to: every kind."""
EVENT_LINKS: tuple[Kind, ...] = (Kind.ACTORS, Kind.PERIODS, Kind.REGIONS, Kind.THEMES)
"""What an event links to: every kind but events."""
LOAD_ORDER: tuple[Kind, ...] = (Kind.PERIODS, Kind.REGIONS, Kind.ACTORS, Kind.THEMES, Kind.EVENTS)
"""The order a corpus is written in: an event names entities of the kinds before it."""
HIERARCHICAL: tuple[Kind, ...] = tuple(kind for kind in Kind if FACTS[kind].hierarchical)
