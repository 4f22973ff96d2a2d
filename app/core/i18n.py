"""Languages: Spanish (the corpus's) and English labels, picked per request.

`lang=en` or `Accept-Language: en` serves English names and descriptions, each falling back
to Spanish where no English one is curated; `lang` wins over the header. Every API response
says which language it served (`Content-Language`) and that it varies with `Accept` and
`Accept-Language` (`Vary`), so shared caches keep the versions apart. Passages keep their
Spanish `text`; `text_en` carries a curated translation where there is one.

The router dependency `negotiate_language` picks the language; a handler that needs it takes
`LanguageDep` and passes it on: to the schemas as validation context (`in_language`), to
`localized` and the renderers as an argument.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Response
from sqlalchemy import inspect
from sqlalchemy.orm import DeclarativeBase

SPANISH = "es"
ENGLISH = "en"


class Language(StrEnum):
    ES = SPANISH
    EN = ENGLISH


SUPPORTED = (SPANISH, ENGLISH)
VARY = "Accept, Accept-Language"


def in_language(language: str) -> dict[str, str]:
    """The validation context that makes the schemas read ORM objects in `language`:
    `Detail.model_validate(obj, context=in_language(language))`."""
    return {"language": language}


def context_language(context: Mapping[str, Any] | None) -> str:
    """The language a validation context names (see `in_language`); Spanish, the corpus's,
    when it names none."""
    if context is not None and "language" in context:
        return str(context["language"])
    return SPANISH


def weighted_values(header: str) -> list[tuple[str, float]]:
    """The comma-separated values of an `Accept` or `Accept-Language` header, lower-cased,
    with their `q`, in the header's order. A `q` that is not a number counts as 0 (the value
    is then refused); empty values are skipped."""
    values = []
    for part in header.split(","):
        value, *params = (piece.strip() for piece in part.split(";"))
        q = 1.0
        for param in params:
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(number)
                except ValueError:
                    q = 0.0
        if value:
            values.append((value.lower(), q))
    return values


def parse_accept_language(header: str | None) -> str:
    """The supported language the header prefers most; Spanish when it names none.

    `en-GB;q=0.8, es;q=0.5` is English; `*` and unknown or malformed entries are skipped;
    of equally weighted languages the first listed wins.
    """
    best, best_q = SPANISH, 0.0
    for tag, q in weighted_values(header or ""):
        primary = tag.split("-")[0]
        if primary in SUPPORTED and 0 < q <= 1 and q > best_q:
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
    response.headers.update(negotiated_headers(language))
    return language


LanguageDep = Annotated[str, Depends(negotiate_language)]
"""The request's language, as `negotiate_language` picked it."""


def localized(obj: Any, field: str, language: str) -> Any:
    """`obj.<field>_en` when `language` is English and it is set, else `obj.<field>`."""
    if language == ENGLISH:
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

    def __init__(self, obj: Any, language: str) -> None:
        self._obj = obj
        self._state = inspect(obj)
        self._english = language == ENGLISH

    def __getattr__(self, name: str) -> Any:
        if self._english and name in self.LOCALIZED:
            english = getattr(self._obj, f"{name}_en", None)
            if english:
                return english
        if name in self._state.mapper.relationships and name in self._state.unloaded:
            return None
        return getattr(self._obj, name)


def orm_view(data: Any, language: str) -> Any:
    """`data` as the schemas should read it in `language`: ORM objects through `OrmView`,
    the rest as is."""
    if isinstance(data, DeclarativeBase):
        return OrmView(data, language)
    return data
