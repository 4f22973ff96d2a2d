"""Text rules shared by the loader, the models and the filters: folding and slugs."""

import re
import unicodedata

from slugify import slugify as _slugify

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG_RE = re.compile(SLUG_PATTERN)


class _FoldTable(dict[int, str | None]):
    """`str.translate` table, filled as characters are met: combining marks are dropped, and
    dashes (en, em…) become hyphens; other characters are left as they are."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        if unicodedata.combining(ch):
            folded = None
        elif unicodedata.category(ch) == "Pd":
            folded = "-"
        else:
            folded = ch
        self[code] = folded
        return folded


_MARKS_AND_DASHES = _FoldTable()
# Only characters outside ASCII can be marks or dashes other than the hyphen.
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_MARKS_AND_DASHES)


class _FoldedWords(dict[str, str]):
    """The fold of each word met, emptied when it holds `limit` words."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __missing__(self, word: str) -> str:
        if len(self) >= self.limit:
            self.clear()
        folded = self[word] = _fold_word(word)
        return folded


def _fold_word(text: str) -> str:
    stripped = _NON_ASCII.sub(_fold_run, unicodedata.normalize("NFKD", text))
    return " ".join(stripped.casefold().split())


_folded_words = _FoldedWords(limit=65536)


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced form of `text`, for matching.

    "Litvínov" and "LITVINOV" fold to the same string, "Nazi–Soviet" and "Nazi-Soviet" too;
    letters of other scripts (Cyrillic aliases) keep their base letters.
    """
    # Word by word: no step joins two words, since a space decomposes to a space and every
    # step but the decomposition (NFKD) goes character by character.
    return " ".join(filter(None, map(_folded_words.__getitem__, text.split())))


def slugify(name: str) -> str:
    """Lower-case ASCII slug with hyphens: "Maksim Litvínov" -> "maksim-litvinov"."""
    return str(_slugify(name))


def is_slug(value: str) -> bool:
    return _SLUG_RE.fullmatch(value) is not None
