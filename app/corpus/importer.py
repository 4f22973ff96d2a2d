"""Many new passages at once, stored as `POST /passages` stores each, through the bulk path.

The API's path (`app.services.curation.create_passage`) writes one passage with the ORM and
reads it back; this one plans a whole batch with the same pure rules and hands it to
`app.corpus.bulk`. Every effect of `POST /passages` is reproduced:

* validation: the items are `PassageCreate` bodies; links given by slug must exist (the same
  reason as the API's 422);
* auto-linking by `curation.plan_passage`, with the passage before it in the same source as
  its context (`curation.source_context` for the first of a source in a batch, then the one
  just planned, as `curation.stored_context` turns it into what a read would give);
* position (one past the largest) and source line (one past the source's largest);
* the passage row, its links, and the search and trigram entries (`app.corpus.bulk`);
* one audit row per passage, `create` with its state (`curation.planned_state`);
* the data version: SQLite's changes with the commit; on PostgreSQL the statement triggers
  advance the generation for `COPY` as for any insert.

Unlike one POST, a text already stored (same checksum), or met earlier in the batch, is
skipped rather than stored twice: an import can be run again after it stopped.

The caller owns the transaction (one per batch, begun as a write):

    with factory() as session, session.begin():
        session.connection(execution_options={WRITE_OPTION: True})
        results = write_passages(session, items, key_id=key.id)
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from app.analysis.linking import Linker, Linking
from app.analysis.text import checksum
from app.core.kinds import PASSAGE_LINKS, Kind
from app.corpus.bulk import PassageRow, insert_passages
from app.models import AuditEntry
from app.registry import REGISTRY
from app.repositories import curation as repo
from app.schemas.write import PassageCreate
from app.services import curation
from app.services.curation import PassagePlan

AUDIT = cast(Table, AuditEntry.__table__)
NO_SOURCE = PassageCreate.model_fields["source_file"].default
# Checksums asked for in one query (well under every backend's limit on parameters).
CHECKSUMS_PER_QUERY = 500


class Outcome(StrEnum):
    IMPORTED = "imported"
    SKIPPED = "skipped"
    """Its text is stored already, or came earlier in the same batch."""
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Written:
    """What became of one item: its plan and new id once imported, or why it was not."""

    outcome: Outcome
    plan: PassagePlan | None = None
    passage_id: int | None = None
    error: str | None = None


@dataclass
class _Batch:
    """What planning a batch keeps track of: where each source stands and what is seen."""

    session: Session
    linker: Linker
    seen: set[str]
    position: int | None = None
    lines: dict[str, int] = field(default_factory=dict)
    contexts: dict[str, Linking | None] = field(default_factory=dict)

    def place(self, source: str) -> tuple[int, int]:
        """The next (position, source line), as `repo.next_position` gives them one at a time."""
        if source not in self.lines or self.position is None:
            position, line = repo.next_position(self.session, source)
            self.position = max(position, self.position or 0)
            self.lines.setdefault(source, line)
        placed = (self.position, self.lines[source])
        self.position += 1
        self.lines[source] += 1
        return placed

    def context(self, source: str) -> Linking | None:
        if source not in self.contexts:
            self.contexts[source] = curation.source_context(self.session, source)
        return self.contexts[source]

    def stored(self, plan: PassagePlan) -> None:
        """`plan` is now the last passage of its source: the context of the next."""
        source = plan.data.source_file
        if source == NO_SOURCE:
            return
        periods = [
            (slug, self._name(Kind.PERIODS, slug)) for slug in sorted(set(plan.links.periods))
        ]
        self.contexts[source] = curation.stored_context(periods, plan.start_year, plan.end_year)

    def _name(self, kind: Kind, slug: str) -> str:
        entity = self.linker.entities.get((kind, slug))
        return entity.name if entity is not None else slug


def write_passages(
    session: Session, items: Sequence[PassageCreate], *, key_id: int | None
) -> list[Written]:
    """Store `items` as one batch in the caller's transaction; say what became of each, in
    order. `key_id` is the API key the audit log names (None: none)."""
    batch = _Batch(session, curation.build_linker(session), _stored_checksums(session, items))
    given = _resolve(session, [item.links for item in items if item.links is not None])
    results: list[Written] = []
    places: list[tuple[int, int]] = []
    for item in items:
        result = _plan(batch, item, given)
        if result.plan is not None:
            places.append(batch.place(item.source_file))
        results.append(result)
    planned = [r.plan for r in results if r.plan is not None]
    ids = _store(session, planned, places)
    _audit(session, planned, ids, key_id)
    found = iter(ids)
    return [
        Written(r.outcome, r.plan, next(found)) if r.outcome is Outcome.IMPORTED else r
        for r in results
    ]


def _stored_checksums(session: Session, items: Sequence[PassageCreate]) -> set[str]:
    digests = list(dict.fromkeys(checksum(item.text) for item in items))
    present: set[str] = set()
    for start in range(0, len(digests), CHECKSUMS_PER_QUERY):
        present |= repo.passage_checksums(session, digests[start : start + CHECKSUMS_PER_QUERY])
    return present


def _plan(batch: _Batch, item: PassageCreate, given: dict[Kind, dict[str, int]]) -> Written:
    digest = checksum(item.text)
    if digest in batch.seen:
        return Written(Outcome.SKIPPED)
    if item.links is not None:
        for kind in PASSAGE_LINKS:
            slugs = list(dict.fromkeys(getattr(item.links, kind)))
            if missing := [slug for slug in slugs if slug not in given[kind]]:
                reason = curation.unknown_links(kind, missing)
                return Written(Outcome.INVALID, error=f"{kind}: {reason}")
    plan = curation.plan_passage(
        batch.session, item, linker=batch.linker, previous=batch.context(item.source_file)
    )
    batch.seen.add(digest)
    batch.stored(plan)
    return Written(Outcome.IMPORTED, plan)


def _resolve(session: Session, links: Sequence[Any]) -> dict[Kind, dict[str, int]]:
    """slug -> id, per kind, of the entities `links` (PassageLinks) name that exist."""
    resolved: dict[Kind, dict[str, int]] = {}
    for kind in PASSAGE_LINKS:
        slugs = list(dict.fromkeys(slug for each in links for slug in getattr(each, kind)))
        found = repo.resolve(session, REGISTRY[kind].model, slugs) if slugs else {}
        resolved[kind] = {slug: int(obj.id) for slug, obj in found.items()}
    return resolved


def _store(
    session: Session, plans: Sequence[PassagePlan], places: Sequence[tuple[int, int]]
) -> list[int]:
    ids = _resolve(session, [plan.links for plan in plans])
    rows = [_row(plan, ids, *place) for plan, place in zip(plans, places, strict=True)]
    return insert_passages(session.connection(), rows, batch_size=max(len(rows), 1))


def _row(
    plan: PassagePlan, ids: dict[Kind, dict[str, int]], position: int, line: int
) -> PassageRow:
    data = plan.data
    links: dict[str, Any] = {
        kind.value: [ids[kind][s] for s in getattr(plan.links, kind)] for kind in PASSAGE_LINKS
    }
    return PassageRow(
        text=data.text,
        source_file=data.source_file,
        source_line=line,
        position=position,
        start_year=plan.start_year,
        end_year=plan.end_year,
        footnotes=data.footnotes,
        note=data.note,
        extra={"text_en": data.text_en} if data.text_en is not None else {},
        **links,
    )


def _audit(
    session: Session, plans: Sequence[PassagePlan], ids: Sequence[int], key_id: int | None
) -> None:
    """One `create` row per passage, as `curation.create_passage` writes it."""
    if not plans:
        return
    rows = [
        {
            "key_id": key_id,
            "action": curation.CREATE,
            "resource": curation.PASSAGE_RESOURCE,
            "identifier": str(passage_id),
            "before": None,
            "after": curation.planned_state(plan),
        }
        for plan, passage_id in zip(plans, ids, strict=True)
    ]
    session.connection().execute(insert(AUDIT), rows)
