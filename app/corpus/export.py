"""Write the database back in the seed format, so that edits made through the API can be
reviewed as a diff of seed/: `python -m app export OUT_DIR`.

OUT_DIR gets `annotations.toml` (every entity, and the links of the passages of the first
source) and that source's text, markers restored; passages of other sources (added through
the API or imported) go to `passages.jsonl`, in the format `python -m app import` reads.
Exporting a freshly loaded seed gives back seed/ byte for byte.
"""

import json
from enum import Enum
from pathlib import Path
from typing import Any

import tomli_w
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.analysis.text import checksum, slugify
from app.core.config import Settings
from app.core.db import create_db_engine, create_sessionmaker
from app.core.kinds import EVENT_LINKS, HIERARCHICAL, LOAD_ORDER, PASSAGE_LINKS, Kind
from app.corpus.seed import ANNOTATIONS
from app.models import Passage
from app.models.base import EntityMixin
from app.registry import REGISTRY, KindSpec

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
    **{kind.value: kind.facts.section for kind in LOAD_ORDER},
    "passages": "Passages: one entry per line of `source`",
}
# Where each field of an entry stands in the file: the write body's fields (what an entry
# holds) laid out as a curator reads them. A field not listed comes last.
FIELD_ORDER = (
    "name",
    "name_en",
    "slug",
    "kind",
    "date",
    "parent",
    "role",
    "start_year",
    "end_year",
    Kind.ACTORS,
    Kind.REGIONS,
    Kind.PERIODS,
    Kind.THEMES,
    "aliases",
    "description",
    "description_en",
    "note",
)
Sections = dict[str, list[dict[str, Any]]]
PARENT = "parent"
"""The field (and relationship) naming the entity that encloses one of a hierarchical kind."""


def _value(obj: EntityMixin, name: str) -> Any:
    if name in EVENT_LINKS:
        return _slugs(getattr(obj, name))
    if name == PARENT:
        parent = getattr(obj, PARENT)
        return parent.slug if parent is not None else None
    value = getattr(obj, name)
    return value.value if isinstance(value, Enum) else value


def _entity(spec: KindSpec, obj: EntityMixin) -> dict[str, Any]:
    """The entity as its entry: every field of its write body that holds something, the
    slug only when it is not the one derived from the name."""
    entry: dict[str, Any] = {}
    for name in sorted(spec.create.model_fields, key=_field_position):
        if name == "slug":
            value = obj.slug if obj.slug != slugify(obj.name) else None
        else:
            value = _value(obj, name)
        if value not in (None, [], ""):
            entry[name] = value
    return entry


def _field_position(name: str) -> int:
    return FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER)


def _slugs(objs: list[Any]) -> list[str]:
    return [o.slug for o in objs]


def _entities(session: Session, spec: KindSpec) -> list[dict[str, Any]]:
    model = spec.model
    options = [
        *(selectinload(getattr(model, kind)) for kind in spec.links),
        *([joinedload(getattr(model, PARENT))] if spec.kind in HIERARCHICAL else []),
    ]
    rows = session.scalars(select(model).options(*options).order_by(model.id))
    return [_entity(spec, obj) for obj in rows]


def annotations(
    session: Session,
) -> tuple[dict[str, list[dict[str, Any]]], str | None, list[Passage]]:
    """The seed file's sections, its source name, and that source's passages."""
    sections = {kind.value: _entities(session, REGISTRY[kind]) for kind in LOAD_ORDER}
    passages = list(
        session.scalars(
            select(Passage)
            .options(*(selectinload(getattr(Passage, k)) for k in PASSAGE_LINKS))
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
    for kind in PASSAGE_LINKS:
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
        if checksum(candidate) == p.checksum:
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
                        "links": {kind.value: _slugs(getattr(p, kind)) for kind in PASSAGE_LINKS},
                    }
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        engine.dispose()
    print(f"Exported to {out_dir}: {ANNOTATIONS}, {source}, passages.jsonl ({len(others)}).")
    return 0
