"""Write the database back in the seed format, so that edits made through the API can be
reviewed as a diff of seed/: `python -m app export OUT_DIR`.

OUT_DIR gets `annotations.toml` (every entity, and the links of the passages of the first
source) and that source's text, markers restored; passages of other sources (added through
the API or imported) go to `passages.jsonl`, in the format `python -m app import` reads.
Exporting a freshly loaded seed gives back seed/ byte for byte.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

import tomli_w
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.analysis.text import slugify
from app.core.config import Settings
from app.core.db import create_db_engine, create_sessionmaker
from app.corpus.seed import ANNOTATIONS
from app.models import Actor, Event, Passage, Period, Region, Theme
from app.models.base import EntityMixin

HEADER = """\
# Anales seed annotations: every entity of the corpus and every link of its passages.
#
# Edit by hand, then check with `python -m app seed --check` and load with `make seed`.
# - `slug` is optional: by default it is derived from `name` ("Guerra Fría" -> "guerra-fria").
#   Give one only to keep an existing slug stable when a name changes.
# - Links name slugs; an unknown slug stops the load with the entry named.
# - Dates of events are EDTF (https://www.loc.gov/standards/datetime/): "1939-08-23",
#   "1985-03", "1930/1939", "1917-11/1922-10".
# - Years are given only where they are known. Where a fact could not be verified it is left
#   out and `note` says why.
# - Passages are the lines of `source`; citation markers ("[1] " at the start, a note number
#   glued to the last sentence) are kept apart from the text as footnotes.
# - This file is also what `python -m app export` writes, so API edits show as a diff.
"""

SECTIONS = {
    "periods": "Periods: eras, and the phases inside them",
    "regions": "Regions",
    "actors": "Actors",
    "themes": "Themes",
    "events": "Events",
    "passages": "Passages: one entry per line of `source`",
}
LINKS = ("actors", "events", "periods", "regions", "themes")
Sections = dict[str, list[dict[str, Any]]]


def _entity(obj: EntityMixin, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": obj.name}
    if obj.name_en:
        entry["name_en"] = obj.name_en
    if obj.slug != slugify(obj.name):
        entry["slug"] = obj.slug
    entry |= {key: value for key, value in extra.items() if value not in (None, [])}
    if obj.aliases:
        entry["aliases"] = list(obj.aliases)
    if obj.description:
        entry["description"] = obj.description
    if obj.description_en:
        entry["description_en"] = obj.description_en
    if obj.note:
        entry["note"] = obj.note
    return entry


def _slugs(objs: list[Any]) -> list[str]:
    return [o.slug for o in objs]


def annotations(
    session: Session,
) -> tuple[dict[str, list[dict[str, Any]]], str | None, list[Passage]]:
    """The seed file's sections, its source name, and that source's passages."""
    periods = session.scalars(select(Period).options(joinedload(Period.parent)).order_by(Period.id))
    regions = session.scalars(select(Region).options(joinedload(Region.parent)).order_by(Region.id))
    events = session.scalars(
        select(Event)
        .options(
            *(selectinload(getattr(Event, k)) for k in ("actors", "periods", "regions", "themes"))
        )
        .order_by(Event.id)
    )
    sections: dict[str, list[dict[str, Any]]] = {
        "periods": [
            _entity(
                p,
                parent=p.parent.slug if p.parent else None,
                start_year=p.start_year,
                end_year=p.end_year,
            )
            for p in periods
        ],
        "regions": [
            _entity(r, kind=r.kind.value, parent=r.parent.slug if r.parent else None)
            for r in regions
        ],
        "actors": [
            _entity(
                a,
                kind=a.kind.value,
                role=a.role,
                start_year=a.start_year,
                end_year=a.end_year,
            )
            for a in session.scalars(select(Actor).order_by(Actor.id))
        ],
        "themes": [_entity(t) for t in session.scalars(select(Theme).order_by(Theme.id))],
        "events": [
            _entity(
                e,
                date=e.date,
                actors=_slugs(e.actors),
                regions=_slugs(e.regions),
                periods=_slugs(e.periods),
                themes=_slugs(e.themes),
            )
            for e in events
        ],
    }
    passages = list(
        session.scalars(
            select(Passage)
            .options(*(selectinload(getattr(Passage, k)) for k in LINKS))
            .order_by(Passage.position, Passage.id)
        )
    )
    source = passages[0].source_file if passages else None
    sections["passages"] = [_passage_entry(p) for p in passages if p.source_file == source]
    return sections, source, [p for p in passages if p.source_file != source]


def _passage_entry(p: Passage) -> dict[str, Any]:
    entry: dict[str, Any] = {"line": p.source_line}
    if p.start_year is not None:
        entry |= {"start_year": p.start_year, "end_year": p.end_year}
    for kind in LINKS:
        if slugs := _slugs(getattr(p, kind)):
            entry[kind] = slugs
    if p.text_en:
        entry["text_en"] = p.text_en
    if p.note:
        entry["note"] = p.note
    return entry


def source_line(p: Passage) -> str:
    """The passage as its source line, citation markers put back where they stood: of the
    places a marker can take ("[n] " first, a number glued to the end), the one whose
    SHA-256 is the checksum recorded when the line was read."""
    notes = list(p.footnotes)
    candidates = [p.text]
    if len(notes) == 1:
        candidates += [f"[{notes[0]}] {p.text}", p.text + notes[0]]
    elif len(notes) >= 2:
        candidates.append(f"[{notes[0]}] {p.text}{notes[1]}")
    for candidate in candidates:
        if hashlib.sha256(candidate.encode()).hexdigest() == p.checksum:
            return candidate
    return candidates[-1]


def render(sections: Sections, source: str | None) -> str:
    parts = [HEADER]
    if source is not None:
        parts.append(tomli_w.dumps({"source": source}))
    for name, title in SECTIONS.items():
        rule = "-" * max(3, 89 - len(title))
        parts.append(f"# --- {title} {rule}\n\n" + tomli_w.dumps({name: sections[name]}))
    return "\n".join(parts)


def export_seed(settings: Settings, out_dir: Path) -> int:
    engine = create_db_engine(settings)
    try:
        with create_sessionmaker(engine)() as session:
            sections, source, others = annotations(session)
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / ANNOTATIONS).write_text(render(sections, source), encoding="utf-8")
            if source is not None:
                seed_passages = session.scalars(
                    select(Passage)
                    .where(Passage.source_file == source)
                    .order_by(Passage.source_line)
                )
                lines = {p.source_line: source_line(p) for p in seed_passages}
                last = max(lines, default=0)
                text = "\n".join(lines.get(n, "") for n in range(1, last + 1))
                (out_dir / source).write_text(text, encoding="utf-8")
            with (out_dir / "passages.jsonl").open("w", encoding="utf-8") as handle:
                for p in others:
                    record = {
                        "text": p.text,
                        "source_file": p.source_file,
                        "start_year": p.start_year,
                        "end_year": p.end_year,
                        "links": {kind: _slugs(getattr(p, kind)) for kind in LINKS},
                    }
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        engine.dispose()
    print(f"Exported to {out_dir}: {ANNOTATIONS}, {source}, passages.jsonl ({len(others)}).")
    return 0
