"""The write API's rules: create, replace, patch and delete every resource, auto-link new
passages, and record every change in the audit log.

Every write runs in one transaction (the request's write session). The API refuses a stale
or blind edit (`If-Match`, app/api/preconditions.py) before it calls these.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from app.analysis.linking import Linker, Linking, Match
from app.analysis.text import checksum
from app.core.errors import AppError, InvalidParam, InvalidParameter
from app.core.kinds import EVENT_LINKS, HIERARCHICAL, PASSAGE_LINKS, Kind
from app.models import ApiKey, AuditEntry, Event, Passage
from app.registry import REGISTRY, KindSpec
from app.repositories import actor, event, passage, period, region, theme
from app.repositories import curation as repo
from app.schemas.write import EntityCreate, PassageCreate, PassageLinks


class Conflict(AppError):
    status_code = 409
    type = "/problems/conflict"
    title = "Conflict"


# How each kind's detail is read: with the collections its detail shows.
GETTERS: dict[Kind, Callable[[Session, str], Any]] = {
    Kind.ACTORS: actor.get_actor,
    Kind.EVENTS: event.get_event,
    Kind.PERIODS: period.get_period,
    Kind.REGIONS: region.get_region,
    Kind.THEMES: theme.get_theme,
}


def get_entity(session: Session, kind: Kind, slug: str) -> Any:
    """The entity of `kind` with `slug` as its detail shows it, or None."""
    return GETTERS[kind](session, slug)


# --- Audit --------------------------------------------------------------------------------


def audit(
    session: Session,
    key: ApiKey,
    action: str,
    kind: str,
    identifier: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    session.add(
        AuditEntry(
            key_id=key.id,
            action=action,
            resource=kind,
            identifier=identifier,
            before=before,
            after=after,
        )
    )


# --- Entities -----------------------------------------------------------------------------


def state_of(spec: KindSpec, obj: Any) -> dict[str, Any]:
    """The entity as a create body (JSON values): what PATCH merges into and audit records."""
    state: dict[str, Any] = {}
    for name in spec.create.model_fields:
        if name in EVENT_LINKS:
            state[name] = [linked.slug for linked in getattr(obj, name)]
        elif name == "parent":
            state[name] = obj.parent.slug if obj.parent is not None else None
        else:
            state[name] = getattr(obj, name)
    return spec.create.model_validate(state).model_dump(mode="json")


def _body_error(name: str, reason: str) -> InvalidParameter:
    return InvalidParameter(name, reason, location="body")


def _resolve_links(
    session: Session, data: BaseModel, kinds: Sequence[Kind]
) -> dict[str, list[Any]]:
    resolved: dict[str, list[Any]] = {}
    for kind in kinds:
        slugs = list(dict.fromkeys(getattr(data, kind)))
        found = repo.resolve(session, REGISTRY[kind].model, slugs)
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise _body_error(kind, unknown_links(kind, missing))
        resolved[kind] = [found[slug] for slug in slugs]
    return resolved


def _apply(session: Session, spec: KindSpec, obj: Any, data: EntityCreate) -> None:
    """Store the body: its own fields as they are (`columns`), its links and parent by slug."""
    values = data.columns()
    values |= _resolve_links(session, data, spec.links)
    if spec.kind in HIERARCHICAL:
        values["parent_id"] = _parent_id(session, spec, obj, getattr(data, "parent", None))
    for name, value in values.items():
        if getattr(obj, name, None) != value:
            setattr(obj, name, value)


def _parent_id(session: Session, spec: KindSpec, obj: Any, parent: str | None) -> int | None:
    if parent is None:
        return None
    model = spec.model
    found = repo.resolve(session, model, [parent]).get(parent)
    if found is None:
        raise _body_error("parent", f"unknown {spec.singular} '{parent}'")
    ancestor: Any = found
    while ancestor is not None:
        if obj.id is not None and ancestor.id == obj.id:
            raise _body_error("parent", "would make the hierarchy loop back to itself")
        ancestor = session.get(model, ancestor.parent_id) if ancestor.parent_id else None
    return int(found.id)


def create_entity(session: Session, spec: KindSpec, data: EntityCreate, key: ApiKey) -> Any:
    if repo.slug_taken(session, spec.model, data.key):
        raise Conflict(f"A {spec.singular} with slug '{data.key}' exists already.")
    obj = spec.model()
    for kind in spec.links:
        setattr(obj, kind, [])
    with session.no_autoflush:
        _apply(session, spec, obj, data)
    session.add(obj)
    session.flush()
    created = reload(session, spec, data.key)
    audit(session, key, "create", spec.kind, data.key, None, state_of(spec, created))
    return created


def reload(session: Session, spec: KindSpec, slug: str) -> Any:
    """The entity as its detail shows it, read afresh after a change."""
    session.flush()
    session.expire_all()
    return get_entity(session, spec.kind, slug)


def replace_entity(
    session: Session, spec: KindSpec, obj: Any, data: EntityCreate, key: ApiKey
) -> Any:
    before = state_of(spec, obj)
    if data.slug is None:
        data = data.model_copy(update={"slug": obj.slug})
    if data.key != obj.slug and repo.slug_taken(session, spec.model, data.key):
        raise Conflict(f"A {spec.singular} with slug '{data.key}' exists already.")
    _apply(session, spec, obj, data)
    updated = reload(session, spec, data.key)
    after = state_of(spec, updated)
    if after != before:
        audit(session, key, "update", spec.kind, data.key, before, after)
    return updated


def merge_patch(create: type[BaseModel], current: dict[str, Any], patch: BaseModel) -> Any:
    """Apply a JSON merge patch (RFC 7396): the fields sent replace the current ones, and a
    field sent as null is removed, so that it takes its default."""
    merged = {**current, **patch.model_dump(exclude_unset=True)}
    for name in patch.model_fields_set:
        if getattr(patch, name) is None:
            merged.pop(name, None)
    try:
        return create.model_validate(merged)
    except ValidationError as exc:
        params = [
            InvalidParam(
                name=".".join(str(part) for part in err["loc"]) or "body",
                location="body",
                reason=err["msg"],
            )
            for err in exc.errors()
        ]
        raise _invalid_body(params) from exc


def _invalid_body(params: list[InvalidParam]) -> AppError:
    error = InvalidParameter(params[0].name, params[0].reason, location="body")
    error.invalid_params = params
    error.detail = "; ".join(f"'{p.name}' (body): {p.reason}" for p in params)
    return error


def delete_entity(
    session: Session, spec: KindSpec, obj: Any, *, cascade: bool, key: ApiKey
) -> None:
    links = repo.link_count(session, spec.kind, obj.id)
    children = (
        repo.children_count(session, spec.model, obj.id)  # type: ignore[arg-type]
        if spec.kind in HIERARCHICAL
        else 0
    )
    if (links or children) and not cascade:
        raise Conflict(
            f"{links} passage or event links and {children} sub-{spec.kind} point at "
            f"'{obj.slug}'; send `cascade=links` to drop the links (passages are kept)."
        )
    before = state_of(spec, obj)
    dependents = _dependents(session, spec, obj)
    states = {name: read() for name, (_, read) in dependents.items()}
    # The detail loaded every collection that links here; emptying them drops the links.
    obj.passages = []
    if not isinstance(obj, Event):
        obj.events = []
    if children:
        for child in obj.children:
            child.parent_id = None
    session.flush()
    # Every row the cascade changed is in the log, before the deletion that caused it, so
    # that replaying the log in order rebuilds the same data.
    for (kind, identifier), (row, read) in dependents.items():
        session.expire(row)
        after = read()
        if after != states[kind, identifier]:
            audit(session, key, "update", kind, identifier, states[kind, identifier], after)
    session.delete(obj)
    audit(session, key, "delete", spec.kind, obj.slug, before, None)


StateReader = tuple[Any, Callable[[], dict[str, Any]]]


def _dependents(session: Session, spec: KindSpec, obj: Any) -> dict[tuple[str, str], StateReader]:
    """The rows a deletion of `obj` changes besides itself (the passages and events linked to
    it, its sub-entities), each with a function that reads its state afresh."""
    events = REGISTRY[Kind.EVENTS]
    found: dict[tuple[str, str], StateReader] = {
        ("passages", str(linked.id)): (linked, _passage_reader(session, linked.id))
        for linked in obj.passages
    }
    if not isinstance(obj, Event):
        for linked in obj.events:
            found[events.kind, linked.slug] = (linked, _entity_reader(session, events, linked.slug))
    if spec.kind in HIERARCHICAL:
        for child in obj.children:
            found[spec.kind, child.slug] = (child, _entity_reader(session, spec, child.slug))
    return found


def _passage_reader(session: Session, passage_id: int) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        found = passage.get_passage(session, passage_id)
        assert found is not None
        return passage_state(found)

    return read


def _entity_reader(session: Session, spec: KindSpec, slug: str) -> Callable[[], dict[str, Any]]:
    return lambda: state_of(spec, get_entity(session, spec.kind, slug))


# --- Passages -----------------------------------------------------------------------------


def build_linker(session: Session) -> Linker:
    return Linker(repo.linker_entities(session))


@dataclass
class PassagePlan:
    """What a new passage will be: its years and links, and why (auto-linking)."""

    data: PassageCreate
    links: PassageLinks
    start_year: int | None
    end_year: int | None
    matches: list[Match] = field(default_factory=list)
    years_reason: str | None = None
    linking: Linking | None = None


def plan_passage(
    session: Session,
    data: PassageCreate,
    *,
    linker: Linker | None = None,
    previous: Linking | None = None,
) -> PassagePlan:
    """The passage's links and years: those given, or auto-linking's. `previous` is the
    linking of the passage before it in an article being imported."""
    if data.links is not None:
        return PassagePlan(data, data.links, data.start_year, data.end_year)
    linking: Linking = (linker or build_linker(session)).link(data.text, previous)
    links = PassageLinks.model_validate({kind: linking.slugs(kind) for kind in PASSAGE_LINKS})
    given = data.start_year is not None
    return PassagePlan(
        data,
        links,
        data.start_year if given else linking.start_year,
        data.end_year if given else linking.end_year,
        linking.matches,
        "given" if given else linking.years_reason,
        linking,
    )


def source_context(session: Session, source_file: str, line: int | None = None) -> Linking | None:
    """What auto-linking reads as the passage before one in `source_file` (before `line`,
    or after the last when it is new): the periods of that passage as stored, so that a
    curator adding an article through the API gets the links its import would. Passages
    added without a source (the default) are not an article: they have no context."""
    if source_file == PassageCreate.model_fields["source_file"].default:
        return None
    before = repo.passage_before(session, source_file, line)
    if before is None:
        return None
    periods = [(p.slug, p.name) for p in before.periods]
    return stored_context(periods, before.start_year, before.end_year)


def stored_context(
    periods: Sequence[tuple[str, str]], start_year: int | None, end_year: int | None
) -> Linking:
    """A stored passage as the context of the next one: its periods (slug, name) and years.
    `source_context` reads them from the database; a bulk import, from what it just wrote."""
    matches = [Match(Kind.PERIODS, slug, name, "stored link") for slug, name in periods]
    return Linking(matches, start_year, end_year)


def passage_state(obj: Passage) -> dict[str, Any]:
    return PassageCreate(
        text=obj.text,
        text_en=obj.text_en,
        start_year=obj.start_year,
        end_year=obj.end_year,
        footnotes=list(obj.footnotes),
        note=obj.note,
        source_file=obj.source_file,
        links=PassageLinks.model_validate(
            {kind: [linked.slug for linked in getattr(obj, kind)] for kind in PASSAGE_LINKS}
        ),
    ).model_dump(mode="json")


def planned_state(plan: PassagePlan) -> dict[str, Any]:
    """What `passage_state` reads back once `plan` is stored, without reading it: the links
    as the models order them (by slug), each once."""
    # The body is valid already: copied, not validated again (the text checks cost most).
    links = {kind.value: sorted(set(getattr(plan.links, kind))) for kind in PASSAGE_LINKS}
    stored = plan.data.model_copy(
        update={
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "links": PassageLinks.model_validate(links),
        }
    )
    return stored.model_dump(mode="json")


def unknown_links(kind: Kind, missing: Sequence[str]) -> str:
    """Why a body naming entities that do not exist is refused."""
    listed = ", ".join(f"'{slug}'" for slug in missing)
    return f"unknown {kind.singular} {listed}"


def _apply_passage(session: Session, obj: Passage, plan: PassagePlan) -> None:
    data = plan.data
    # The body's own fields (the source is set once, on creation), the years and links
    # planned, and the checksum of the text.
    values = data.model_dump(include={"text", "text_en", "footnotes", "note"})
    values |= {"start_year": plan.start_year, "end_year": plan.end_year}
    values |= {"checksum": checksum(data.text)}
    values |= _resolve_links(session, plan.links, PASSAGE_LINKS)
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


PASSAGE_RESOURCE = "passages"
"""What the audit log names passages' rows by."""
CREATE = "create"


def create_passage(session: Session, plan: PassagePlan, key: ApiKey) -> Passage:
    position, line = repo.next_position(session, plan.data.source_file)
    obj = Passage(
        position=position,
        source_file=plan.data.source_file,
        source_line=line,
        **{kind.value: [] for kind in PASSAGE_LINKS},
    )
    with session.no_autoflush:
        _apply_passage(session, obj, plan)
    session.add(obj)
    created = reload_passage(session, obj)
    audit(session, key, CREATE, PASSAGE_RESOURCE, str(created.id), None, passage_state(created))
    return created


def reload_passage(session: Session, obj: Passage) -> Passage:
    session.flush()
    passage_id = obj.id
    session.expire_all()
    found = passage.get_passage(session, passage_id)
    assert found is not None
    return found


def replace_passage(session: Session, obj: Passage, plan: PassagePlan, key: ApiKey) -> Passage:
    before = passage_state(obj)
    _apply_passage(session, obj, plan)
    updated = reload_passage(session, obj)
    after = passage_state(updated)
    if after != before:
        audit(session, key, "update", "passages", str(updated.id), before, after)
    return updated


def delete_passage(session: Session, obj: Passage, key: ApiKey) -> None:
    before = passage_state(obj)
    audit(session, key, "delete", "passages", str(obj.id), before, None)
    session.delete(obj)


# --- Relinking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Relinked:
    passage_id: int
    match: Match


def relink(
    session: Session, spec: KindSpec, obj: Any, *, dry_run: bool, key: ApiKey
) -> list[Relinked]:
    """Link the entity to every passage that mentions one of its names and is not yet
    linked to it (after an alias was added, say)."""
    linker = build_linker(session)
    found: list[Relinked] = []
    phrases = [obj.name, *([obj.name_en] if obj.name_en else []), *obj.aliases]
    for candidate in repo.passages_mentioning(session, phrases):
        if obj in getattr(candidate, spec.kind):
            continue
        matches = [
            m
            for m in linker.link(candidate.text).matches
            if m.kind == spec.kind and m.slug == obj.slug and m.text is not None
        ]
        if not matches:
            continue
        found.append(Relinked(candidate.id, matches[0]))
        if not dry_run:
            before = passage_state(candidate)
            getattr(candidate, spec.kind).append(obj)
            after = passage_state(candidate)
            audit(session, key, "update", "passages", str(candidate.id), before, after)
    if found and not dry_run:
        audit(
            session,
            key,
            "relink",
            spec.kind,
            obj.slug,
            None,
            {"passages": [r.passage_id for r in found]},
        )
    return found
