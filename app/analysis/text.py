"""Text rules shared by the loader, the models and the filters: folding, invisible
characters, slugs and checksums."""

import hashlib
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


def is_invisible(ch: str) -> bool:
    """A format character (Unicode category Cf): zero-width spaces and joiners, the soft
    hyphen, bidi controls, the byte-order mark. It draws nothing, so a reader cannot see it,
    a text made of nothing else looks blank, and one inside a word hides the word from a
    search for it."""
    return unicodedata.category(ch) == "Cf"


def visible(text: str) -> str:
    """`text` without its format characters: what a reader sees, and what `q` is matched
    as by every list and by /search alike."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if not is_invisible(ch))


def _escaped_ranges(codes: list[int]) -> str:
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        f"\\u{first:04x}" + (f"-\\u{last:04x}" if last > first else "") for first, last in ranges
    )


# The format characters of the Basic Multilingual Plane as the inside of a regular-expression
# class, for JSON Schema patterns: their `\u` escapes name no character beyond that plane.
# The few format characters beyond it (tags, musical and hieroglyph controls) go
# undocumented there but are judged by `visible` all the same.
INVISIBLE_CLASS = _escaped_ranges([code for code in range(0x10000) if is_invisible(chr(code))])


def slugify(name: str) -> str:
    """Lower-case ASCII slug with hyphens: "Maksim Litvínov" -> "maksim-litvinov"."""
    return str(_slugify(name))


def is_slug(value: str) -> bool:
    return _SLUG_RE.fullmatch(value) is not None


def checksum(text: str) -> str:
    """The SHA-256 hex digest of a text's UTF-8 bytes: a passage's `checksum`, taken of its
    source line as read (citation markers included) or of the text given through the API."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
