"""Languages: Spanish (the corpus's) and English labels, picked per request.

`lang=en` or `Accept-Language: en` serves English names and descriptions, each falling back
to Spanish where no English one is curated; `lang` wins over the header. Every API response
says which language it served (`Content-Language`) and that it varies with `Accept` and
`Accept-Language` (`Vary`), so shared caches keep the versions apart. Passages keep their
Spanish `text`; `text_en` carries a curated translation where there is one.

The language is held in a context variable set by an async router dependency, so the
schemas' validators read it in the thread that builds the response.
"""

from contextvars import ContextVar
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Header, Query, Response
from sqlalchemy import inspect
from sqlalchemy.orm import DeclarativeBase

SPANISH = "es"
ENGLISH = "en"


class Language(StrEnum):
    ES = SPANISH
    EN = ENGLISH


SUPPORTED = (SPANISH, ENGLISH)
_current: ContextVar[str] = ContextVar("anales_language", default=SPANISH)
VARY = "Accept, Accept-Language"


def current_language() -> str:
    return _current.get()


def set_language(language: str) -> None:
    _current.set(language)


def parse_accept_language(header: str | None) -> str:
    """The supported language the header prefers most; Spanish when it names none.

    `en-GB;q=0.8, es;q=0.5` is English; `*` and unknown or malformed entries are skipped.
    """
    if not header:
        return SPANISH
    best, best_q = SPANISH, 0.0
    for position, entry in enumerate(header.split(",")):
        tag, _, params = entry.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        if primary not in SUPPORTED:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if not 0 < q <= 1:
            continue
        # Ties go to the first listed.
        if q > best_q or (q == best_q and position == 0):
            best, best_q = primary, q
    return best


def negotiated_headers(language: str) -> dict[str, str]:
    return {"Content-Language": language, "Vary": VARY}


async def negotiate_language(
    response: Response,
    lang: Annotated[
        Language | None,
        Query(
            description="Language of names and descriptions: `es` (the corpus's) or `en`, "
            "falling back to Spanish where no English is curated. Overrides "
            "`Accept-Language`. Passage text stays Spanish.",
            examples=["en"],
        ),
    ] = None,
    accept_language: Annotated[
        str | None,
        Header(
            description="`en` for English labels (see `lang`); the response's "
            "`Content-Language` says which language was served.",
            examples=["en"],
        ),
    ] = None,
) -> str:
    """Router dependency: pick the language and announce it on the response."""
    language = lang.value if lang is not None else parse_accept_language(accept_language)
    set_language(language)
    response.headers.update(negotiated_headers(language))
    return language


def localized(obj: Any, field: str) -> Any:
    """`obj.<field>_en` when English is served and it is set, else `obj.<field>`."""
    if current_language() == ENGLISH:
        english = getattr(obj, f"{field}_en", None)
        if english:
            return english
    return getattr(obj, field)


class OrmView:
    """How the schemas see an ORM object: in English, `name` and `description` come from
    their `_en` twins where those are set; a relationship that was not loaded (the list
    left it out of `include`) reads as None instead of raising; the rest is the object's."""

    __slots__ = ("_english", "_obj", "_state")
    LOCALIZED = frozenset({"name", "description"})

    def __init__(self, obj: Any) -> None:
        self._obj = obj
        self._state = inspect(obj)
        self._english = current_language() == ENGLISH

    def __getattr__(self, name: str) -> Any:
        if self._english and name in self.LOCALIZED:
            english = getattr(self._obj, f"{name}_en", None)
            if english:
                return english
        if name in self._state.mapper.relationships and name in self._state.unloaded:
            return None
        return getattr(self._obj, name)


def orm_view(data: Any) -> Any:
    """`data` as the schemas should read it: ORM objects through `OrmView`, the rest as is."""
    if isinstance(data, DeclarativeBase):
        return OrmView(data)
    return data
