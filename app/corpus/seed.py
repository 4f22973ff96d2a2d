"""Validate and load the curated seed: `python -m app seed [--check] [SEED_DIR]`.

The seed directory holds the source text (one passage per line) and `annotations.toml`,
which curates every entity and link. Loading validates everything first, then upserts
by slug (and passages by source line) in one transaction: a second load changes nothing,
and an invalid file stops the load with the file and entry named before anything is written.
"""

import argparse
import hashlib
import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.analysis.dates import edtf_span
from app.core.config import get_settings
from app.core.db import create_db_engine, create_sessionmaker
from app.models import Actor, Event, Passage, Period, Region, Theme
from app.models.base import EntityMixin
from app.schemas.base import Slug, Year
from app.schemas.write import (
    ActorCreate,
    EntityCreate,
    EntityLinks,
    EventCreate,
    PeriodCreate,
    RegionCreate,
    ThemeCreate,
)

ANNOTATIONS = "annotations.toml"
LINK_KINDS = ("actors", "periods", "regions", "themes")
_LEADING_MARKER = re.compile(r"^\[(\d+)\]\s*")
# A note number glued to the end of the last sentence: 'soviética.2' (but not the
# thousands of '20.000', where a digit stands before the point).
_TRAILING_MARKER = re.compile(r"(?<=[^\d\s][.!?\"»”])(\d{1,3})$")


class SeedError(Exception):
    """Why the seed cannot be loaded, naming the file and the entry."""


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


# The entity entries of the file are the write API's bodies.
EntitySpec = EntityCreate
PeriodSpec = PeriodCreate
RegionSpec = RegionCreate
ActorSpec = ActorCreate
ThemeSpec = ThemeCreate
EventSpec = EventCreate


class PassageSpec(EntityLinks):
    line: int = Field(ge=1)
    text_en: str | None = Field(default=None, description="An English translation.")
    start_year: Year | None = None
    end_year: Year | None = None
    events: list[Slug] = Field(default_factory=list)
    note: str | None = None


class AnnotationFile(Spec):
    source: str = Field(description="The source text file, beside the annotations.")
    periods: list[PeriodSpec] = Field(default_factory=list)
    regions: list[RegionSpec] = Field(default_factory=list)
    actors: list[ActorSpec] = Field(default_factory=list)
    themes: list[ThemeSpec] = Field(default_factory=list)
    events: list[EventSpec] = Field(default_factory=list)
    passages: list[PassageSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class SourceLine:
    line: int
    text: str
    footnotes: list[str]
    checksum: str


def read_source(path: Path) -> list[SourceLine]:
    """Every non-blank line of a source file, with citation markers moved out of the text."""
    lines = []
    raw_text = path.read_text(encoding="utf-8")
    for number, raw in enumerate(raw_text.splitlines(), start=1):
        if not raw.strip():
            continue
        text, footnotes = raw, []
        if match := _LEADING_MARKER.match(text):
            footnotes.append(match.group(1))
            text = text[match.end() :]
        if match := _TRAILING_MARKER.search(text):
            footnotes.append(match.group(1))
            text = text[: match.start()]
        checksum = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        lines.append(SourceLine(number, text, footnotes, checksum))
    return lines


@dataclass
class Seed:
    """A validated seed, ready to load."""

    annotations: AnnotationFile
    source_name: str
    lines: list[SourceLine]


def _entry_label(data: dict[str, Any], loc: Sequence[int | str]) -> str:
    label = ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in loc)
    label = label.replace(".[", "[")
    if len(loc) >= 2 and isinstance(loc[1], int):
        entry = data.get(str(loc[0]), [])
        if isinstance(entry, list) and loc[1] < len(entry) and isinstance(entry[loc[1]], dict):
            item = entry[loc[1]]
            name = item.get("slug") or item.get("name") or item.get("line")
            if name is not None:
                label += f" ({name!r})"
    return label


def read_seed(seed_dir: Path) -> Seed:
    """Parse and validate the seed directory; raise SeedError naming what is wrong."""
    path = seed_dir / ANNOTATIONS
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SeedError(f"{path}: no such file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path}: {exc}") from exc
    try:
        annotations = AnnotationFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{path}: {_entry_label(data, err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
        raise SeedError("\n".join(problems)) from exc
    source = seed_dir / annotations.source
    if not source.is_file():
        raise SeedError(f"{path}: source: no file {source}")
    seed = Seed(annotations, annotations.source, read_source(source))
    problems = [f"{path}: {problem}" for problem in _check_references(seed)]
    if problems:
        raise SeedError("\n".join(problems))
    return seed


def _check_references(seed: Seed) -> Iterable[str]:
    a = seed.annotations
    specs: dict[str, Sequence[EntitySpec]] = {
        "periods": a.periods,
        "regions": a.regions,
        "actors": a.actors,
        "themes": a.themes,
        "events": a.events,
    }
    known: dict[str, set[str]] = {}
    for kind, entries in specs.items():
        known[kind] = set()
        for i, spec in enumerate(entries):
            if spec.key in known[kind]:
                yield f"{kind}[{i}] ({spec.key!r}): duplicate slug"
            known[kind].add(spec.key)

    def unknown(kind: str, slugs: Iterable[str], where: str) -> Iterable[str]:
        for slug in slugs:
            if slug not in known[kind]:
                yield f"{where}: unknown {kind[:-1]} slug {slug!r}"

    def links(spec: EntityLinks, where: str) -> Iterable[str]:
        for kind in LINK_KINDS:
            yield from unknown(kind, getattr(spec, kind), f"{where}: {kind}")

    hierarchies: dict[str, dict[str, str | None]] = {
        "periods": {p.key: p.parent for p in a.periods},
        "regions": {r.key: r.parent for r in a.regions},
    }
    for kind, parents in hierarchies.items():
        for i, (key, parent) in enumerate(parents.items()):
            where = f"{kind}[{i}] ({key!r})"
            yield from unknown(kind, [parent] if parent else [], f"{where}: parent")
            ancestor, steps = parent, 0
            while ancestor is not None and steps <= len(parents):
                if ancestor == key:
                    yield f"{where}: parent chain loops back to itself"
                    break
                ancestor, steps = parents.get(ancestor), steps + 1

    for i, event in enumerate(a.events):
        yield from links(event, f"events[{i}] ({event.key!r})")

    lines = {line.line for line in seed.lines}
    annotated: set[int] = set()
    for i, passage in enumerate(a.passages):
        where = f"passages[{i}] (line {passage.line})"
        if passage.line not in lines:
            yield f"{where}: {seed.source_name} has no passage on that line"
        if passage.line in annotated:
            yield f"{where}: line annotated twice"
        annotated.add(passage.line)
        yield from links(passage, where)
        yield from unknown("events", passage.events, f"{where}: events")
        years = (passage.start_year, passage.end_year)
        if (years[0] is None) != (years[1] is None):
            yield f"{where}: give both start_year and end_year, or neither"
        elif years[0] is not None and years[1] is not None and years[0] > years[1]:
            yield f"{where}: start_year is after end_year"


E = TypeVar("E", bound=EntityMixin)


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(
            f"{kind}: {self.total[kind]} ({self.created.get(kind, 0)} new)" for kind in self.total
        )


class _Loader:
    def __init__(self, session: Session, report: LoadReport) -> None:
        self.session = session
        self.report = report

    def upsert(
        self, model: type[E], spec: EntitySpec, options: Sequence[Any] = (), **values: Any
    ) -> E:
        kind = model.__name__.lower() + "s"
        obj = self.session.scalar(select(model).where(model.slug == spec.key).options(*options))
        if obj is None:
            obj = model()
            obj.slug = spec.key
            self.session.add(obj)
            self.report.created[kind] = self.report.created.get(kind, 0) + 1
        self.report.total[kind] = self.report.total.get(kind, 0) + 1
        fields = {
            "name": spec.name,
            "name_en": spec.name_en,
            "description": spec.description,
            "description_en": spec.description_en,
            "aliases": list(spec.aliases),
            "note": spec.note,
            **values,
        }
        for key, value in fields.items():
            if getattr(obj, key) != value:
                setattr(obj, key, value)
        return obj


def _set_if_changed(obj: Any, **values: Any) -> None:
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def load_seed(session: Session, seed: Seed) -> LoadReport:
    """Upsert a validated seed into `session`; the caller commits (or rolls back)."""
    a = seed.annotations
    report = LoadReport()
    loader = _Loader(session, report)

    periods = {
        p.key: loader.upsert(Period, p, start_year=p.start_year, end_year=p.end_year)
        for p in a.periods
    }
    regions = {r.key: loader.upsert(Region, r, kind=r.kind) for r in a.regions}
    session.flush()
    for p in a.periods:
        _set_if_changed(periods[p.key], parent_id=periods[p.parent].id if p.parent else None)
    for r in a.regions:
        _set_if_changed(regions[r.key], parent_id=regions[r.parent].id if r.parent else None)
    actors = {
        s.key: loader.upsert(
            Actor, s, kind=s.kind, role=s.role, start_year=s.start_year, end_year=s.end_year
        )
        for s in a.actors
    }
    themes = {t.key: loader.upsert(Theme, t) for t in a.themes}
    events = {}
    for e in a.events:
        start, end = edtf_span(e.date)
        event = loader.upsert(
            Event,
            e,
            [selectinload(getattr(Event, kind)) for kind in LINK_KINDS],
            date=e.date,
            start_date=start,
            end_date=end,
            start_year=start.year,
            end_year=end.year,
        )
        _link(event, e, actors=actors, periods=periods, regions=regions, themes=themes)
        events[e.key] = event

    specs = {p.line: p for p in a.passages}
    existing = {
        p.source_line: p
        for p in session.scalars(
            select(Passage)
            .where(Passage.source_file == seed.source_name)
            .options(*(selectinload(getattr(Passage, kind)) for kind in (*LINK_KINDS, "events")))
        )
    }
    for line in seed.lines:
        passage = existing.get(line.line)
        if passage is None:
            passage = Passage(source_file=seed.source_name, source_line=line.line)
            session.add(passage)
            report.created["passages"] = report.created.get("passages", 0) + 1
        report.total["passages"] = report.total.get("passages", 0) + 1
        spec = specs.get(line.line, PassageSpec(line=line.line))
        _set_if_changed(
            passage,
            position=line.line,
            text=line.text,
            text_en=spec.text_en,
            footnotes=line.footnotes,
            checksum=line.checksum,
            start_year=spec.start_year,
            end_year=spec.end_year,
            note=spec.note,
        )
        _link(passage, spec, actors=actors, periods=periods, regions=regions, themes=themes)
        _set_if_changed(passage, events=[events[slug] for slug in spec.events])
    session.flush()
    return report


def _link(obj: Any, spec: EntityLinks, **targets: dict[str, Any]) -> None:
    for kind, by_slug in targets.items():
        _set_if_changed(obj, **{kind: [by_slug[slug] for slug in getattr(spec, kind)]})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app seed", description=__doc__)
    parser.add_argument("seed_dir", nargs="?", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="validate only; write nothing")
    args = parser.parse_args(argv)
    settings = get_settings()
    seed_dir = args.seed_dir or settings.seed_dir
    try:
        seed = read_seed(seed_dir)
    except SeedError as exc:
        print(f"seed: invalid, nothing loaded:\n{exc}", file=sys.stderr)
        return 1
    if args.check:
        print(f"seed: {seed_dir} is valid ({len(seed.lines)} passages)")
        return 0
    engine = create_db_engine(settings)
    try:
        with create_sessionmaker(engine).begin() as session:
            report = load_seed(session, seed)
    finally:
        engine.dispose()
    print(f"seed: loaded {seed_dir}: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
