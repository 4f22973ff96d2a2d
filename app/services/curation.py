"""The write API's rules: create, replace, patch and delete every resource, auto-link new
passages, refuse stale or blind edits, and record every change in the audit log.

Every write runs in one transaction (the request's write session). An `If-Match` header
names the `ETag` of the resource's default JSON representation (what a plain GET of it
returns); PUT, PATCH and DELETE need one, and a stale one is refused with 412, so two
curators editing the same resource cannot silently overwrite each other.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from app.analysis.dates import edtf_span
from app.analysis.linking import LINK_KINDS, Linker, Linking, Match
from app.core.cache import etag_for
from app.core.errors import AppError, InvalidParam, InvalidParameter
from app.core.i18n import SUPPORTED, current_language, set_language
from app.models import Actor, ApiKey, AuditEntry, Event, Passage, Period, Region, Theme
from app.models.base import EntityMixin
from app.repositories import actor, event, passage, period, region, theme
from app.repositories import curation as repo
from app.schemas.actor import ActorDetail
from app.schemas.event import EventDetail
from app.schemas.period import PeriodDetail
from app.schemas.region import RegionDetail
from app.schemas.theme import ThemeDetail
from app.schemas.write import (
    ActorCreate,
    EntityCreate,
    EventCreate,
    PassageCreate,
    PassageLinks,
    PeriodCreate,
    RegionCreate,
    ThemeCreate,
)


class Conflict(AppError):
    status_code = 409
    type = "/problems/conflict"
    title = "Conflict"


class PreconditionFailed(AppError):
    status_code = 412
    type = "/problems/precondition-failed"
    title = "Precondition Failed"


class PreconditionRequired(AppError):
    status_code = 428
    type = "/problems/precondition-required"
    title = "Precondition Required"


@dataclass(frozen=True)
class Resource:
    kind: str
    model: type[EntityMixin]
    create: type[EntityCreate]
    detail: type[BaseModel]
    get: Callable[[Session, str], Any]

    @property
    def singular(self) -> str:
        return self.kind[:-1]


RESOURCES = {
    r.kind: r
    for r in (
        Resource("actors", Actor, ActorCreate, ActorDetail, actor.get_actor),
        Resource("events", Event, EventCreate, EventDetail, event.get_event),
        Resource("periods", Period, PeriodCreate, PeriodDetail, period.get_period),
        Resource("regions", Region, RegionCreate, RegionDetail, region.get_region),
        Resource("themes", Theme, ThemeCreate, ThemeDetail, theme.get_theme),
    )
}
MODELS: dict[str, type[EntityMixin]] = {
    "actors": Actor,
    "events": Event,
    "periods": Period,
    "regions": Region,
    "themes": Theme,
}


# --- Preconditions ------------------------------------------------------------------------


def representation_etag(detail: type[BaseModel], obj: Any) -> str:
    """The ETag a GET of `obj` answers with in the request's language (the hash of its body)."""
    body = detail.model_validate(obj).model_dump_json(by_alias=True).encode()
    return etag_for(body).decode()


def current_etags(detail: type[BaseModel], obj: Any) -> list[str]:
    """The ETags of the resource's JSON in every language: `If-Match` may name any of them,
    since a curator may have read it in English."""
    language = current_language()
    try:
        tags = []
        for candidate in SUPPORTED:
            set_language(candidate)
            tags.append(representation_etag(detail, obj))
        return tags
    finally:
        set_language(language)


def check_if_match(if_match: str | None, detail: type[BaseModel], obj: Any) -> None:
    """428 without `If-Match` or with `*`, 412 unless it names a current ETag of the resource.

    `*` matches whatever version is stored, so it would guard against nothing: an edit sent
    with it overwrites one made since the curator read the resource, which is the lost
    update the header is required to prevent."""
    if if_match is None:
        raise PreconditionRequired(
            "Send `If-Match` with the ETag from a GET of this resource, so that no one "
            "else's edit is overwritten."
        )
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        raise PreconditionRequired(
            "`If-Match: *` matches any version, so it cannot keep a concurrent edit from being "
            "lost; send the ETag from a GET of this resource."
        )
    if set(tags) & set(current_etags(detail, obj)):
        return
    raise PreconditionFailed(
        f"The resource changed since that ETag was read; its ETag is now "
        f"{representation_etag(detail, obj)}."
    )


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


def state_of(resource: Resource, obj: Any) -> dict[str, Any]:
    """The entity as a create body (JSON values): what PATCH merges into and audit records."""
    fields = resource.create.model_fields
    state: dict[str, Any] = {}
    for name in fields:
        if name in ("actors", "periods", "regions", "themes"):
            state[name] = [linked.slug for linked in getattr(obj, name)]
        elif name == "parent":
            state[name] = obj.parent.slug if obj.parent is not None else None
        else:
            state[name] = getattr(obj, name)
    return resource.create.model_validate(state).model_dump(mode="json")


def _body_error(name: str, reason: str) -> InvalidParameter:
    return InvalidParameter(name, reason, location="body")


def _resolve_links(session: Session, data: BaseModel, kinds: Sequence[str]) -> dict[str, list[Any]]:
    resolved: dict[str, list[Any]] = {}
    for kind in kinds:
        slugs = list(dict.fromkeys(getattr(data, kind)))
        found = repo.resolve(session, MODELS[kind], slugs)
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            listed = ", ".join(f"'{slug}'" for slug in missing)
            raise _body_error(kind, f"unknown {kind[:-1]} {listed}")
        resolved[kind] = [found[slug] for slug in slugs]
    return resolved


def _apply(session: Session, resource: Resource, obj: Any, data: EntityCreate) -> None:
    values: dict[str, Any] = {
        "slug": data.key,
        "name": data.name,
        "name_en": data.name_en,
        "description": data.description,
        "description_en": data.description_en,
        "aliases": list(data.aliases),
        "note": data.note,
    }
    if isinstance(data, ActorCreate):
        values |= {
            "kind": data.kind,
            "role": data.role,
            "start_year": data.start_year,
            "end_year": data.end_year,
        }
    elif isinstance(data, PeriodCreate):
        values |= {"start_year": data.start_year, "end_year": data.end_year}
    elif isinstance(data, RegionCreate):
        values |= {"kind": data.kind}
    elif isinstance(data, EventCreate):
        start, end = edtf_span(data.date)
        values |= {
            "date": data.date,
            "start_date": start,
            "end_date": end,
            "start_year": start.year,
            "end_year": end.year,
        }
        values |= _resolve_links(session, data, ("actors", "periods", "regions", "themes"))
    if isinstance(data, PeriodCreate | RegionCreate):
        values["parent_id"] = _parent_id(session, resource, obj, data.parent)
    for name, value in values.items():
        if getattr(obj, name, None) != value:
            setattr(obj, name, value)


def _parent_id(session: Session, resource: Resource, obj: Any, parent: str | None) -> int | None:
    if parent is None:
        return None
    model = resource.model
    found = repo.resolve(session, model, [parent]).get(parent)
    if found is None:
        raise _body_error("parent", f"unknown {resource.singular} '{parent}'")
    ancestor: Any = found
    while ancestor is not None:
        if obj.id is not None and ancestor.id == obj.id:
            raise _body_error("parent", "would make the hierarchy loop back to itself")
        ancestor = session.get(model, ancestor.parent_id) if ancestor.parent_id else None
    return int(found.id)


def create_entity(session: Session, resource: Resource, data: EntityCreate, key: ApiKey) -> Any:
    if repo.slug_taken(session, resource.model, data.key):
        raise Conflict(f"A {resource.singular} with slug '{data.key}' exists already.")
    obj = resource.model()
    if isinstance(obj, Event):
        obj.actors, obj.periods, obj.regions, obj.themes = [], [], [], []
    with session.no_autoflush:
        _apply(session, resource, obj, data)
    session.add(obj)
    session.flush()
    created = reload(session, resource, data.key)
    audit(session, key, "create", resource.kind, data.key, None, state_of(resource, created))
    return created


def reload(session: Session, resource: Resource, slug: str) -> Any:
    """The entity as its detail shows it, read afresh after a change."""
    session.flush()
    session.expire_all()
    return resource.get(session, slug)


def replace_entity(
    session: Session, resource: Resource, obj: Any, data: EntityCreate, key: ApiKey
) -> Any:
    before = state_of(resource, obj)
    if data.slug is None:
        data = data.model_copy(update={"slug": obj.slug})
    if data.key != obj.slug and repo.slug_taken(session, resource.model, data.key):
        raise Conflict(f"A {resource.singular} with slug '{data.key}' exists already.")
    _apply(session, resource, obj, data)
    updated = reload(session, resource, data.key)
    after = state_of(resource, updated)
    if after != before:
        audit(session, key, "update", resource.kind, data.key, before, after)
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
    session: Session, resource: Resource, obj: Any, *, cascade: bool, key: ApiKey
) -> None:
    links = repo.link_count(session, resource.kind, obj.id)
    children = (
        repo.children_count(session, resource.model, obj.id)  # type: ignore[arg-type]
        if resource.kind in ("periods", "regions")
        else 0
    )
    if (links or children) and not cascade:
        raise Conflict(
            f"{links} passage or event links and {children} sub-{resource.kind} point at "
            f"'{obj.slug}'; send `cascade=links` to drop the links (passages are kept)."
        )
    before = state_of(resource, obj)
    dependents = _dependents(session, resource, obj)
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
    audit(session, key, "delete", resource.kind, obj.slug, before, None)


StateReader = tuple[Any, Callable[[], dict[str, Any]]]


def _dependents(
    session: Session, resource: Resource, obj: Any
) -> dict[tuple[str, str], StateReader]:
    """The rows a deletion of `obj` changes besides itself (the passages and events linked to
    it, its sub-entities), each with a function that reads its state afresh."""
    events = RESOURCES["events"]
    found: dict[tuple[str, str], StateReader] = {
        ("passages", str(linked.id)): (linked, _passage_reader(session, linked.id))
        for linked in obj.passages
    }
    if not isinstance(obj, Event):
        for linked in obj.events:
            found["events", linked.slug] = (linked, _entity_reader(session, events, linked.slug))
    if resource.kind in ("periods", "regions"):
        for child in obj.children:
            found[resource.kind, child.slug] = (
                child,
                _entity_reader(session, resource, child.slug),
            )
    return found


def _passage_reader(session: Session, passage_id: int) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        found = passage.get_passage(session, passage_id)
        assert found is not None
        return passage_state(found)

    return read


def _entity_reader(session: Session, resource: Resource, slug: str) -> Callable[[], dict[str, Any]]:
    return lambda: state_of(resource, resource.get(session, slug))


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
    links = PassageLinks.model_validate({kind: linking.slugs(kind) for kind in LINK_KINDS})
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
    periods = [Match("periods", p.slug, p.name, "stored link") for p in before.periods]
    return Linking(periods, before.start_year, before.end_year)


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
            {kind: [linked.slug for linked in getattr(obj, kind)] for kind in LINK_KINDS}
        ),
    ).model_dump(mode="json")


def _apply_passage(session: Session, obj: Passage, plan: PassagePlan) -> None:
    data = plan.data
    values: dict[str, Any] = {
        "text": data.text,
        "text_en": data.text_en,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "footnotes": list(data.footnotes),
        "note": data.note,
        "checksum": hashlib.sha256(data.text.encode()).hexdigest(),
    }
    values |= _resolve_links(session, plan.links, LINK_KINDS)
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def create_passage(session: Session, plan: PassagePlan, key: ApiKey) -> Passage:
    position, line = repo.next_position(session, plan.data.source_file)
    obj = Passage(
        position=position,
        source_file=plan.data.source_file,
        source_line=line,
        events=[],
        actors=[],
        periods=[],
        regions=[],
        themes=[],
    )
    with session.no_autoflush:
        _apply_passage(session, obj, plan)
    session.add(obj)
    created = reload_passage(session, obj)
    audit(session, key, "create", "passages", str(created.id), None, passage_state(created))
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
    session: Session, resource: Resource, obj: Any, *, dry_run: bool, key: ApiKey
) -> list[Relinked]:
    """Link the entity to every passage that mentions one of its names and is not yet
    linked to it (after an alias was added, say)."""
    linker = build_linker(session)
    found: list[Relinked] = []
    phrases = [obj.name, *([obj.name_en] if obj.name_en else []), *obj.aliases]
    for candidate in repo.passages_mentioning(session, phrases):
        if obj in getattr(candidate, resource.kind):
            continue
        matches = [
            m
            for m in linker.link(candidate.text).matches
            if m.kind == resource.kind and m.slug == obj.slug and m.text is not None
        ]
        if not matches:
            continue
        found.append(Relinked(candidate.id, matches[0]))
        if not dry_run:
            before = passage_state(candidate)
            getattr(candidate, resource.kind).append(obj)
            after = passage_state(candidate)
            audit(session, key, "update", "passages", str(candidate.id), before, after)
    if found and not dry_run:
        audit(
            session,
            key,
            "relink",
            resource.kind,
            obj.slug,
            None,
            {"passages": [r.passage_id for r in found]},
        )
    return found
