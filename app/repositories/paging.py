"""Keyset cursors and the result of one page of a list, as repositories return it."""

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Generic, Protocol, TypeVar

from app.core.errors import BadCursor

CursorValue = int | str | dt.date
M = TypeVar("M")


def encode_cursor(values: Sequence[CursorValue]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.date) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, types: Sequence[type]) -> list[CursorValue]:
    """Decode a cursor made by `encode_cursor` for a sort key of `types`; `BadCursor`
    otherwise."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        plain = json.loads(raw)
        if not isinstance(plain, list) or len(plain) != len(types):
            raise ValueError("wrong length")
        return [_coerce(value, kind) for value, kind in zip(plain, types, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor("is not a cursor this list issued") from exc


def _coerce(value: object, kind: type) -> CursorValue:
    """A cursor value the sort column can hold, or an error: the ids and years are 32-bit
    integers, and text holds no NUL and no lone surrogate."""
    if kind is dt.date and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        if not -(2**31) <= value < 2**31:
            raise ValueError("out of range")
        return value
    if kind is str and isinstance(value, str):
        if "\x00" in value:
            raise ValueError("NUL in text")
        value.encode("utf-8")  # UnicodeEncodeError (a ValueError) for a lone surrogate
        return value
    raise TypeError(f"expected {kind.__name__}")


@dataclass
class PageResult(Generic[M]):
    """One page of a list and how it is counted: `count` gives (total, whether exact) and is
    run the first time `total` or `total_exact` is read, on the session that read the page,
    so a reader that shows no total (a CSV export, page after page) never pays for one."""

    items: list[M]
    next_cursor: str | None
    count: Callable[[], tuple[int, bool]]

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        return self.count()

    @property
    def total(self) -> int:
        return self._counted[0]

    @property
    def total_exact(self) -> bool:
        return self._counted[1]


def counted(total: int, exact: bool = True) -> Callable[[], tuple[int, bool]]:
    """The `count` of a page whose total is already known."""
    return lambda: (total, exact)


class PageRequest(Protocol):
    """Which page a list is asked for: every list's filter model is one (`PageParams`)."""

    @property
    def limit(self) -> int: ...

    @property
    def cursor(self) -> str | None: ...


@dataclass(frozen=True)
class PageAt:
    """A `PageRequest` for a list read without a filter model (the audit log)."""

    limit: int
    cursor: str | None
