"""Text rules shared by the loader, the models and the filters: folding and slugs."""

import re
import unicodedata

from slugify import slugify as _slugify

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG_RE = re.compile(SLUG_PATTERN)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced form of `text`, for matching.

    "Litvínov" and "LITVINOV" fold to the same string, "Nazi–Soviet" and "Nazi-Soviet" too;
    letters of other scripts (Cyrillic aliases) keep their base letters.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(
        "-" if unicodedata.category(ch) == "Pd" else ch  # en and em dashes are hyphens
        for ch in decomposed
        if not unicodedata.combining(ch)
    )
    return _SPACES.sub(" ", stripped.casefold()).strip()


def slugify(name: str) -> str:
    """Lower-case ASCII slug with hyphens: "Maksim Litvínov" -> "maksim-litvinov"."""
    return str(_slugify(name))


def is_slug(value: str) -> bool:
    return _SLUG_RE.fullmatch(value) is not None
