"""An independent reading of seed/annotations.toml: what each filter should return,
computed in plain Python from the curated file rather than from the database."""

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from app.analysis.dates import edtf_span
from app.analysis.text import slugify
from app.core.config import PROJECT_ROOT

ANNOTATIONS = PROJECT_ROOT / "seed" / "annotations.toml"
# Parsing EDTF is slow; the oracle asks for the same few dates over and over.
_span = cache(edtf_span)


def _key(entry: dict[str, Any]) -> str:
    return str(entry.get("slug") or slugify(entry["name"]))


@dataclass
class Corpus:
    data: dict[str, Any] = field(
        default_factory=lambda: tomllib.loads(ANNOTATIONS.read_text(encoding="utf-8"))
    )

    def entries(self, kind: str) -> dict[str, dict[str, Any]]:
        return {_key(e): e for e in self.data.get(kind, [])}

    @property
    def source_path(self) -> Path:
        return ANNOTATIONS.parent / str(self.data["source"])

    @cached_property
    def passages(self) -> dict[int, dict[str, Any]]:
        return {p["line"]: p for p in self.data["passages"]}

    def descendants(self, kind: str, slugs: Iterable[str]) -> set[str]:
        found = set(slugs)
        entries = self.entries(kind)
        changed = True
        while changed:
            before = len(found)
            found |= {slug for slug, e in entries.items() if e.get("parent") in found}
            changed = len(found) != before
        return found

    def _matches(
        self,
        item: dict[str, Any],
        *,
        era: Sequence[str],
        theme: Sequence[str],
        actor: Sequence[str],
        region: Sequence[str],
        year_from: int | None,
        year_to: int | None,
    ) -> bool:
        def any_of(kind: str, wanted: set[str]) -> bool:
            return bool(wanted & set(item.get(kind, [])))

        if era and not any_of("periods", self.descendants("periods", era)):
            return False
        if theme and not any_of("themes", set(theme)):
            return False
        if actor and not any_of("actors", set(actor)):
            return False
        if region and not any_of("regions", self.descendants("regions", region)):
            return False
        if year_from is not None or year_to is not None:
            start, end = item.get("start_year"), item.get("end_year")
            if start is None or end is None:
                return False
            if year_to is not None and start > year_to:
                return False
            if year_from is not None and end < year_from:
                return False
        return True

    def passage_lines(
        self,
        *,
        era: Sequence[str] = (),
        theme: Sequence[str] = (),
        actor: Sequence[str] = (),
        region: Sequence[str] = (),
        event: Sequence[str] = (),
        year_from: int | None = None,
        year_to: int | None = None,
    ) -> list[int]:
        lines = []
        for line, p in sorted(self.passages.items()):
            if event and not set(event) & set(p.get("events", [])):
                continue
            if self._matches(
                p,
                era=era,
                theme=theme,
                actor=actor,
                region=region,
                year_from=year_from,
                year_to=year_to,
            ):
                lines.append(line)
        return lines

    def event_slugs(
        self,
        *,
        era: Sequence[str] = (),
        theme: Sequence[str] = (),
        actor: Sequence[str] = (),
        region: Sequence[str] = (),
        year_from: int | None = None,
        year_to: int | None = None,
    ) -> set[str]:
        found = set()
        for slug, e in self.entries("events").items():
            start, end = _span(e["date"])
            item = {**e, "start_year": start.year, "end_year": end.year}
            if self._matches(
                item,
                era=era,
                theme=theme,
                actor=actor,
                region=region,
                year_from=year_from,
                year_to=year_to,
            ):
                found.add(slug)
        return found

    # --- Orders and the other resources' filters --------------------------------------------

    def chronological(self, slugs: Iterable[str]) -> list[str]:
        """Event slugs by their EDTF span, as the curated dates put them."""
        events = self.entries("events")
        return sorted(slugs, key=lambda slug: _span(events[slug]["date"]))

    def lines_linking(self, kind: str, slug: str) -> list[int]:
        """Lines of the passages whose `kind` links name `slug` (kind may be "events")."""
        return [line for line, p in sorted(self.passages.items()) if slug in p.get(kind, [])]

    def events_linking(self, kind: str, slug: str) -> list[str]:
        """Events whose `kind` links name `slug`, chronologically."""
        return self.chronological(
            s for s, e in self.entries("events").items() if slug in e.get(kind, [])
        )

    def period_slugs(
        self,
        *,
        year: int | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        era: Sequence[str] = (),
    ) -> list[str]:
        """Periods in chronological order (start year, then end year), optionally filtered."""
        periods = self.entries("periods")
        wanted = self.descendants("periods", era) if era else set(periods)
        if year is not None:
            year_from = year_to = year
        found = []
        for slug, p in periods.items():
            if slug not in wanted:
                continue
            if year_to is not None and p["start_year"] > year_to:
                continue
            if year_from is not None and p["end_year"] < year_from:
                continue
            found.append(slug)
        return sorted(found, key=lambda s: (periods[s]["start_year"], periods[s]["end_year"]))

    def actor_slugs(
        self,
        *,
        kind: Sequence[str] = (),
        era: Sequence[str] = (),
        year_from: int | None = None,
        year_to: int | None = None,
    ) -> list[str]:
        """Actors by slug whose active years overlap the eras and the years asked for.

        An actor with no end year is still active; one with no start year has unknown years
        and is left out of any year or era filter.
        """
        periods = self.entries("periods")
        spans = [
            (periods[s]["start_year"], periods[s]["end_year"])
            for s in self.descendants("periods", era)
        ]
        found = []
        for slug, a in self.entries("actors").items():
            if kind and a["kind"] not in kind:
                continue
            start, end = a.get("start_year"), a.get("end_year", 9999)
            if start is None:
                if not era and year_from is None and year_to is None:
                    found.append(slug)
                continue
            if era and not any(start <= e and end >= s for s, e in spans):
                continue
            if year_to is not None and start > year_to:
                continue
            if year_from is not None and end < year_from:
                continue
            found.append(slug)
        return sorted(found)

    def children(self, kind: str, slug: str) -> list[str]:
        return [s for s, e in self.entries(kind).items() if e.get("parent") == slug]
