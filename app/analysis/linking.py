"""Auto-linking: find the known entities a passage mentions, and the years it concerns.

The rules, applied in order:

1. Names and aliases are matched word by word on Spanish Snowball stems of the folded
   words, so case, accents, gender and number do not matter ("soviéticos" matches the alias
   "soviético"), and longest first: where two names overlap the longer one wins, so
   "Pacto Ribbentrop-Mólotov" is the event and not the actors Ribbentrop and Mólotov. A
   span links every entity that has it as a name or alias ("Unión Soviética" is a state and
   a country).
2. Years: the four-digit years the text states ("en 1985", "entre 1930 y 1939").
3. Events not named: an event is linked when the passage names every person among its
   actors and states years that all fall within the event's dates ("Gorbachov sucedió a
   Chernenko … en 1985" is the 1985 succession).
4. A passage about an event concerns the event's themes and periods.
5. Years, when the text states none: those of the events it mentions; failing that, the
   years during which every actor it names was active, when they narrow the span.
6. Periods: those named, those of its events, and otherwise the most specific periods that
   span all its years. Of a period and its sub-period, only the sub-period is kept.
7. A passage with neither years nor a period: in an article read passage by passage (bulk
   import) it continues the previous one and takes that passage's periods; failing that, it
   takes the most specific periods spanning the years during which every actor it names was
   active (a passage on the Soviet Union's foreign policy is of the Soviet era, though that
   says too little to date it).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from app.analysis.text import fold
from app.core.kinds import PASSAGE_LINKS, Kind

# Years a passage states: four digits from 1000 to 2099, standing alone.
_YEAR = re.compile(r"(?<![\w-])(1\d{3}|20\d{2})(?![\w-])")


_WORD = re.compile(r"\w+")
_STEMMER = snowballstemmer.stemmer("spanish")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem of a lower-cased word, then folded (the stemmer wants the accents)."""
    return fold(_STEMMER.stemWord(word.lower()))


def words(text: str) -> list[tuple[str, int, int]]:
    """(stem, start, end) of every word of `text`, offsets into `text`."""
    return [(stem(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(text)]


@dataclass(frozen=True)
class Entity:
    """What the linker needs to know of one entity."""

    kind: str
    slug: str
    name: str
    phrases: tuple[str, ...]
    start_year: int | None = None
    end_year: int | None = None
    parent: str | None = None
    is_person: bool = False
    actors: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()

    def covers(self, start: int, end: int) -> bool:
        """Whether the entity's own years span [start, end]."""
        if self.start_year is None or self.end_year is None:
            return False
        return self.start_year <= start and end <= self.end_year


@dataclass(frozen=True)
class Match:
    kind: str
    slug: str
    name: str
    reason: str
    text: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass
class Linking:
    matches: list[Match] = field(default_factory=list)
    start_year: int | None = None
    end_year: int | None = None
    years_reason: str | None = None

    def slugs(self, kind: str) -> list[str]:
        return list(dict.fromkeys(m.slug for m in self.matches if m.kind == kind))

    def has(self, kind: str, slug: str) -> bool:
        return any(m.kind == kind and m.slug == slug for m in self.matches)


class Linker:
    """Built once from the known entities; `link(text)` is pure and cheap."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities = {(e.kind, e.slug): e for e in entities}
        # Phrases as stem tuples, indexed by their first stem.
        self.phrases: dict[str, dict[tuple[str, ...], list[Entity]]] = {}
        for entity in self.entities.values():
            for phrase in (entity.name, *entity.phrases):
                stems = tuple(s for s, _, _ in words(phrase))
                if not stems or len("".join(stems)) < 2:
                    continue
                bucket = self.phrases.setdefault(stems[0], {}).setdefault(stems, [])
                if entity not in bucket:
                    bucket.append(entity)

    def _of(self, kind: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.kind == kind]

    def link(self, text: str, previous: Linking | None = None) -> Linking:
        """Link one passage; `previous` is the passage before it in the same source, if any."""
        result = Linking()
        self._names(text, result)
        stated = [int(y) for y in _YEAR.findall(text)]
        if stated:
            result.start_year, result.end_year = min(stated), max(stated)
            result.years_reason = "years stated in the text"
        self._events_by_actors(result)
        self._from_events(result)
        if result.start_year is None:
            self._years_from_entities(result)
        if result.start_year is not None and result.end_year is not None:
            years = (result.start_year, result.end_year)
            self._periods_spanning(result, *years, reason=_years_reason(*years))
        self._most_specific_periods(result)
        if result.start_year is None and not result.slugs(Kind.PERIODS):
            if previous is not None:
                for match in previous.matches:
                    if match.kind == Kind.PERIODS:
                        entity = self.entities[(Kind.PERIODS, match.slug)]
                        self._add(result, entity, "continues the previous passage")
            if not result.slugs(Kind.PERIODS) and (span := self._actors_span(result)) is not None:
                reason = "the years every actor it names was active fall within"
                self._periods_spanning(result, *span, reason=reason)
        return result

    def _add(
        self,
        result: Linking,
        entity: Entity,
        reason: str,
        *,
        text: str | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> None:
        """Record a link, once per entity unless it is a new span of the text."""
        if text is not None or not result.has(entity.kind, entity.slug):
            match = Match(entity.kind, entity.slug, entity.name, reason, text, start, end)
            result.matches.append(match)

    def _names(self, text: str, result: Linking) -> None:
        tokens = words(text)
        stems = [s for s, _, _ in tokens]
        candidates: list[tuple[int, int, list[Entity]]] = []  # (first word, last + 1, …)
        for i, head in enumerate(stems):
            for phrase, entities in self.phrases.get(head, {}).items():
                if tuple(stems[i : i + len(phrase)]) == phrase:
                    candidates.append((i, i + len(phrase), entities))
        # Longest first; a shorter name inside or across a longer one is not a mention.
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))  # longest, then leftmost
        taken = [False] * len(tokens)
        chosen = []
        for first, last, entities in candidates:
            if any(taken[first:last]):
                continue
            taken[first:last] = [True] * (last - first)
            chosen.append((first, last, entities))
        for first, last, entities in sorted(chosen, key=lambda c: c[0]):
            start, end = tokens[first][1], tokens[last - 1][2]
            for entity in entities:
                self._add(
                    result, entity, "name or alias", text=text[start:end], start=start, end=end
                )

    def _events_by_actors(self, result: Linking) -> None:
        if result.start_year is None or result.end_year is None:
            return
        named_actors = set(result.slugs(Kind.ACTORS))
        for event in self._of(Kind.EVENTS):
            persons = [
                a
                for a in event.actors
                if (e := self.entities.get((Kind.ACTORS, a))) and e.is_person
            ]
            if not persons or result.has(Kind.EVENTS, event.slug):
                continue
            if event.start_year is None or event.end_year is None:
                continue
            within = event.start_year <= result.start_year and result.end_year <= event.end_year
            if within and set(persons) <= named_actors:
                self._add(result, event, "names its people and falls within its dates")

    def _from_events(self, result: Linking) -> None:
        for slug in result.slugs(Kind.EVENTS):
            event = self.entities[(Kind.EVENTS, slug)]
            for kind, slugs in ((Kind.THEMES, event.themes), (Kind.PERIODS, event.periods)):
                for target in slugs:
                    entity = self.entities.get((kind, target))
                    if entity is not None and not result.has(kind, target):
                        self._add(result, entity, f"a {kind[:-1]} of the event {event.name}")

    def _actors_span(self, result: Linking) -> tuple[int, int] | None:
        """The years during which every actor the passage names was active, when known."""
        actors = [self.entities[(Kind.ACTORS, s)] for s in result.slugs(Kind.ACTORS)]
        starts = [a.start_year for a in actors]
        ends = [a.end_year for a in actors if a.end_year is not None]
        if not actors or None in starts or not ends:
            return None
        start, end = max(s for s in starts if s is not None), min(ends)
        return (start, end) if start <= end else None

    def _years_from_entities(self, result: Linking) -> None:
        events = [self.entities[(Kind.EVENTS, s)] for s in result.slugs(Kind.EVENTS)]
        spans = [(e.start_year, e.end_year) for e in events]
        if not spans:
            span = self._actors_span(result)
            if span is None or self._spans_a_root_period(*span):
                return
            result.start_year, result.end_year = span
            result.years_reason = "the years every actor it names was active"
            return
        reason = "the dates of the events it mentions"
        starts = [s for s, _ in spans if s is not None]
        ends = [e for _, e in spans if e is not None]
        if starts and ends:
            result.start_year, result.end_year = min(starts), max(ends)
            result.years_reason = reason

    def _spans_a_root_period(self, start: int, end: int) -> bool:
        """True when [start, end] says no more than a top-level era does."""
        for period in self._of(Kind.PERIODS):
            if period.parent is None and period.start_year is not None:
                assert period.end_year is not None
                if start <= period.start_year + 5 and period.end_year - 5 <= end:
                    return True
        return False

    def _periods_spanning(self, result: Linking, start: int, end: int, *, reason: str) -> None:
        """Add the most specific periods spanning [start, end], unless a period the passage
        is already linked to spans them."""
        linked = [self.entities[(Kind.PERIODS, slug)] for slug in result.slugs(Kind.PERIODS)]
        if any(p.covers(start, end) for p in linked):
            return
        containing = [p for p in self._of(Kind.PERIODS) if p.covers(start, end)]
        parents = {p.parent for p in containing}
        for period in containing:
            if period.slug not in parents:
                span = f"{period.start_year}–{period.end_year}"
                self._add(result, period, f"{reason} {span}")

    def _most_specific_periods(self, result: Linking) -> None:
        """Drop a period taken from an event when a sub-period of it that is linked too
        spans the passage's years (or the passage has none)."""
        start, end = result.start_year, result.end_year

        def covers(slug: str) -> bool:
            if start is None or end is None:
                return True
            return self.entities[(Kind.PERIODS, slug)].covers(start, end)

        redundant: set[str] = set()
        for slug in result.slugs(Kind.PERIODS):
            if not covers(slug):
                continue
            parent = self.entities[(Kind.PERIODS, slug)].parent
            while parent is not None:
                redundant.add(parent)
                parent = self.entities[(Kind.PERIODS, parent)].parent
        result.matches = [
            m
            for m in result.matches
            if not (
                m.kind == Kind.PERIODS and m.slug in redundant and m.reason.startswith("a period")
            )
        ]


def _years_reason(start: int, end: int) -> str:
    return (
        f"its year {start} falls within" if start == end else f"its years {start}–{end} fall within"
    )


def linked_slugs(linking: Linking) -> dict[str, list[str]]:
    return {kind: linking.slugs(kind) for kind in PASSAGE_LINKS}
