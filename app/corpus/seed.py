"""Validate and load the curated seed: `python -m app seed [--check] [SEED_DIR]`.

The seed directory holds the source text (one passage per line) and `annotations.toml`,
which curates every entity and link. Every entry is validated by the write API's models
(`app.schemas.write`: an entity's entry is its POST body, and each source line with its entry
is checked as a passage body), so the seed refuses what the API refuses. Loading validates
everything first, then upserts by slug (and passages by source line) in one transaction: a
second load changes nothing, and an invalid file stops the load with the file and entry
named before anything is written.
"""

import argparse
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.analysis.text import checksum
from app.core.config import get_settings
from app.core.db import create_db_engine, create_sessionmaker
from app.core.kinds import HIERARCHICAL, LOAD_ORDER, PASSAGE_LINKS, Kind
from app.models import Passage
from app.models.base import EntityMixin
from app.registry import REGISTRY
from app.schemas.write import (
    BodyYear,
    EntityCreate,
    LongText,
    PassageCreate,
    PassageLinks,
    TranslatedText,
)

ANNOTATIONS = "annotations.toml"
_LEADING_MARKER = re.compile(r"^\[(\d+)\]\s*")
# A note number glued to the end of the last sentence: 'soviética.2' (but not the
# thousands of '20.000', where a digit stands before the point).
_TRAILING_MARKER = re.compile(r"(?<=[^\d\s][.!?\"»”])(\d{1,3})$")


class SeedError(Exception):
    """Why the seed cannot be loaded, naming the file and the entry."""


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PassageSpec(PassageLinks):
    """A passage's entry: its links, and the fields of a passage body the source line does
    not give, declared by the write API's types. The line's text and footnotes are then
    validated as a passage body too (`_check_texts`)."""

    line: int = Field(ge=1)
    text_en: TranslatedText | None = Field(default=None, description="An English translation.")
    start_year: BodyYear | None = None
    end_year: BodyYear | None = None
    note: LongText | None = None


class Annotations(Spec):
    """The annotations file: its source, its passages and (in `AnnotationFile`) one section
    per kind."""

    source: str = Field(description="The source text file, beside the annotations.")
    passages: list[PassageSpec] = Field(default_factory=list)

    def entries(self, kind: Kind) -> list[EntityCreate]:
        """The section of `kind`: the write API's bodies of that kind."""
        return list(getattr(self, kind))


# One section per kind, holding the write API's bodies of that kind, in the file's order.
_SECTIONS: dict[str, Any] = {
    kind.value: (list.__class_getitem__(REGISTRY[kind].create), Field(default_factory=list))
    for kind in LOAD_ORDER
}
AnnotationFile = create_model("AnnotationFile", __base__=Annotations, **_SECTIONS)


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
        lines.append(SourceLine(number, text, footnotes, checksum(raw)))
    return lines


@dataclass
class Seed:
    """A validated seed, ready to load."""

    annotations: Annotations
    source_name: str
    lines: list[SourceLine]


def _location(loc: Sequence[int | str]) -> str:
    label = ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in loc)
    return label.replace(".[", "[")


def _entry_label(data: dict[str, Any], loc: Sequence[int | str]) -> str:
    label = _location(loc)
    if len(loc) >= 2 and isinstance(loc[1], int):
        entry = data.get(str(loc[0]), [])
        if isinstance(entry, list) and loc[1] < len(entry) and isinstance(entry[loc[1]], dict):
            item = entry[loc[1]]
            name = item.get("slug") or item.get("name") or item.get("line")
            if name is not None:
                label += f" ({name!r})"
    return label


def _parse(path: Path) -> Annotations:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SeedError(f"{path}: no such file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path}: {exc}") from exc
    try:
        return AnnotationFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{path}: {_entry_label(data, err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
        raise SeedError("\n".join(problems)) from exc


def read_seed(seed_dir: Path) -> Seed:
    """Parse and validate the seed directory; raise SeedError naming what is wrong."""
    path = seed_dir / ANNOTATIONS
    annotations = _parse(path)
    source = seed_dir / annotations.source
    if not source.is_file():
        raise SeedError(f"{path}: source: no file {source}")
    seed = Seed(annotations, annotations.source, read_source(source))
    problems = [f"{path}: {problem}" for problem in _check_references(seed)]
    problems += [f"{source}: {problem}" for problem in _check_texts(seed)]
    if problems:
        raise SeedError("\n".join(problems))
    return seed


def _check_texts(seed: Seed) -> Iterable[str]:
    """Each passage as the write API would take it: its text and footnotes from the source
    line, the rest from its entry. The API refuses what this refuses."""
    specs = {spec.line: spec for spec in seed.annotations.passages}
    for line in seed.lines:
        spec = specs.get(line.line)
        body = {"text": line.text, "footnotes": line.footnotes, "source_file": seed.source_name}
        if spec is not None:
            body |= spec.model_dump(include={"text_en", "note"}, exclude_none=True)
        try:
            PassageCreate.model_validate(body)
        except ValidationError as exc:
            for err in exc.errors():
                yield f"line {line.line}: {_location(err['loc'])}: {err['msg']}"


def _check_unique(seed: Seed) -> tuple[dict[Kind, set[str]], list[str]]:
    known: dict[Kind, set[str]] = {}
    problems = []
    for kind in LOAD_ORDER:
        known[kind] = set()
        for i, spec in enumerate(seed.annotations.entries(kind)):
            if spec.key in known[kind]:
                problems.append(f"{kind}[{i}] ({spec.key!r}): duplicate slug")
            known[kind].add(spec.key)
    return known, problems


def _parent(entry: EntityCreate) -> str | None:
    """The slug of the entity enclosing this one (of a kind in `HIERARCHICAL`)."""
    return cast(str | None, getattr(entry, "parent", None))


def _check_hierarchies(seed: Seed, unknown: "Unknown") -> Iterable[str]:
    for kind in HIERARCHICAL:
        parents = {e.key: _parent(e) for e in seed.annotations.entries(kind)}
        for i, (key, parent) in enumerate(parents.items()):
            where = f"{kind}[{i}] ({key!r})"
            yield from unknown(kind, [parent] if parent else [], f"{where}: parent")
            ancestor, steps = parent, 0
            while ancestor is not None and steps <= len(parents):
                if ancestor == key:
                    yield f"{where}: parent chain loops back to itself"
                    break
                ancestor, steps = parents.get(ancestor), steps + 1


class Unknown:
    """The problems of the slugs an entry names that the file does not define."""

    def __init__(self, known: Mapping[Kind, set[str]]) -> None:
        self.known = known

    def __call__(self, kind: Kind, slugs: Iterable[str], where: str) -> Iterable[str]:
        for slug in slugs:
            if slug not in self.known[kind]:
                yield f"{where}: unknown {kind.singular} slug {slug!r}"

    def links(self, entry: BaseModel, kinds: Iterable[Kind], where: str) -> Iterable[str]:
        for kind in kinds:
            yield from self(kind, getattr(entry, kind), f"{where}: {kind}")


def _check_references(seed: Seed) -> Iterable[str]:
    known, problems = _check_unique(seed)
    yield from problems
    unknown = Unknown(known)
    yield from _check_hierarchies(seed, unknown)
    for kind in LOAD_ORDER:
        for i, entry in enumerate(seed.annotations.entries(kind)):
            yield from unknown.links(entry, REGISTRY[kind].links, f"{kind}[{i}] ({entry.key!r})")
    lines = {line.line for line in seed.lines}
    annotated: set[int] = set()
    for i, passage in enumerate(seed.annotations.passages):
        where = f"passages[{i}] (line {passage.line})"
        if passage.line not in lines:
            yield f"{where}: {seed.source_name} has no passage on that line"
        if passage.line in annotated:
            yield f"{where}: line annotated twice"
        annotated.add(passage.line)
        yield from unknown.links(passage, PASSAGE_LINKS, where)
        years = (passage.start_year, passage.end_year)
        if (years[0] is None) != (years[1] is None):
            yield f"{where}: give both start_year and end_year, or neither"
        elif years[0] is not None and years[1] is not None and years[0] > years[1]:
            yield f"{where}: start_year is after end_year"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, new: bool) -> None:
        self.total[kind] = self.total.get(kind, 0) + 1
        if new:
            self.created[kind] = self.created.get(kind, 0) + 1

    def __str__(self) -> str:
        return ", ".join(
            f"{kind}: {self.total[kind]} ({self.created.get(kind, 0)} new)" for kind in self.total
        )


BySlug = dict[Kind, dict[str, Any]]


def _set_if_changed(obj: Any, **values: Any) -> None:
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def _link(obj: Any, entry: BaseModel, kinds: Iterable[Kind], by_slug: BySlug) -> None:
    for kind in kinds:
        _set_if_changed(obj, **{kind: [by_slug[kind][slug] for slug in getattr(entry, kind)]})


class _Loader:
    def __init__(self, session: Session, report: LoadReport) -> None:
        self.session = session
        self.report = report
        self.by_slug: BySlug = {}

    def upsert(self, kind: Kind, entry: EntityCreate, links: Sequence[Kind]) -> EntityMixin:
        """The entity of the entry, created or updated from the entry's own fields (what the
        write API stores of a body) and its links."""
        model = REGISTRY[kind].model
        options = [selectinload(getattr(model, k)) for k in links]
        obj = self.session.scalar(select(model).where(model.slug == entry.key).options(*options))
        self.report.count(kind, new=obj is None)
        if obj is None:
            obj = model()
            obj.slug = entry.key
            self.session.add(obj)
        _set_if_changed(obj, **entry.columns())
        _link(obj, entry, links, self.by_slug)
        return obj

    def entities(self, kind: Kind, entries: Sequence[EntityCreate]) -> None:
        links = REGISTRY[kind].links
        objs = self.by_slug[kind] = {e.key: self.upsert(kind, e, links) for e in entries}
        if kind in HIERARCHICAL:
            self.session.flush()  # the parents' ids
            for e in entries:
                parent = _parent(e)
                _set_if_changed(objs[e.key], parent_id=objs[parent].id if parent else None)

    def passages(self, seed: Seed) -> None:
        specs = {p.line: p for p in seed.annotations.passages}
        existing = {
            p.source_line: p
            for p in self.session.scalars(
                select(Passage)
                .where(Passage.source_file == seed.source_name)
                .options(*(selectinload(getattr(Passage, kind)) for kind in PASSAGE_LINKS))
            )
        }
        for line in seed.lines:
            passage = existing.get(line.line)
            self.report.count("passages", new=passage is None)
            if passage is None:
                passage = Passage(source_file=seed.source_name, source_line=line.line)
                self.session.add(passage)
            spec = specs.get(line.line, PassageSpec(line=line.line))
            _set_if_changed(
                passage,
                position=line.line,
                text=line.text,
                footnotes=line.footnotes,
                checksum=line.checksum,
                **spec.model_dump(include={"text_en", "start_year", "end_year", "note"}),
            )
            _link(passage, spec, PASSAGE_LINKS, self.by_slug)


def load_seed(session: Session, seed: Seed) -> LoadReport:
    """Upsert a validated seed into `session`; the caller commits (or rolls back)."""
    report = LoadReport()
    loader = _Loader(session, report)
    for kind in LOAD_ORDER:
        loader.entities(kind, seed.annotations.entries(kind))
    loader.passages(seed)
    session.flush()
    return report


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
