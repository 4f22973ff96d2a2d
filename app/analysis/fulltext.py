"""Spanish full-text analysis: one tokenizer and stemmer for indexing, querying, ranking and
highlighting, whatever the database.

A word is folded (lower case; Latin and Greek letters and Cyrillic "ё" lose their accents,
as PostgreSQL's `unaccent` does), dropped if it is a Spanish stop word, and reduced to its
Snowball stem ("soviéticos" and "soviética" are both `soviet`). SQLite's FTS5 index is fed
these stems (its only stemmer is English); PostgreSQL's `anales_spanish` configuration does
the same with `unaccent` and its own Snowball `spanish_stem`. `snowballstemmer` is pinned to
the Snowball release PostgreSQL 15 ships, and a test checks that both stem every word of
the corpus alike, so both backends match the same passages.

Queries are parsed here, never handed to a full-text syntax: `"…"` quotes a phrase, every
other word must appear; each term reaches FTS5 as a quoted string and PostgreSQL as a bound
parameter of `plainto_tsquery`/`phraseto_tsquery`.
"""

import html
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from app.analysis.stopwords import SPANISH_STOP_WORDS

# Letters and digits; anything else (spaces, punctuation, hyphens, underscores) separates.
TOKEN = re.compile(r"[^\W_]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "„": '"'})
_FOLDED_SCRIPTS = ("LATIN", "GREEK")
_EXTRA_FOLDS = {"ё": "е", "Ё": "Е"}
_local = threading.local()
# Stands for a stop word in SQLite's index (see `positional_terms`); no Spanish word stems to it.
STOP_TERM = "0stop0"


def unaccent(text: str) -> str:
    """Lower-case `text` and strip the accents PostgreSQL's `unaccent` strips."""
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in _EXTRA_FOLDS:
            out.append(_EXTRA_FOLDS[ch])
        elif unicodedata.name(ch, "").startswith(_FOLDED_SCRIPTS):
            out.extend(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        else:
            out.append(ch)
    return "".join(out).lower()


def _stemmer() -> snowballstemmer.stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("spanish")
    return stemmer


@lru_cache(maxsize=65536)
def term(token: str) -> str | None:
    """The index term of one token: its Snowball stem, or None for a stop word."""
    folded = unaccent(token)
    if folded in SPANISH_STOP_WORDS:
        return None
    return str(_stemmer().stemWord(folded))


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    term: str | None


def tokens(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), term(m.group())) for m in TOKEN.finditer(text)]


def terms(text: str) -> list[str]:
    """The index terms of `text`, in order, stop words left out."""
    return [t.term for t in tokens(text) if t.term is not None]


def positional_terms(text: str) -> list[str]:
    """The terms of `text` with `STOP_TERM` holding each stop word's place.

    PostgreSQL drops stop words but keeps their positions, so "pacto con Hitler" matches the
    phrase "pacto con Hitler" (`pact <2> hitl`) but not "pacto Hitler" (`pact <-> hitl`);
    the placeholder gives FTS5 phrases the same gaps.
    """
    return [t.term if t.term is not None else STOP_TERM for t in tokens(text)]


class _IndexTerms(dict[str, str]):
    """The index terms of each whitespace-separated piece of text met (`STOP_TERM` for a
    stop word), space-separated; emptied when it holds `limit` pieces, so that it stays small
    however much text is indexed."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __missing__(self, piece: str) -> str:
        if len(self) >= self.limit:
            self.clear()
        found = self[piece] = " ".join(positional_terms(piece))
        return found


_index_terms = _IndexTerms(limit=65536)


def index_text(text: str) -> str:
    """What SQLite's FTS5 table stores for `text`: its positional terms, space-separated."""
    # Piece by piece: a token never spans whitespace.
    return " ".join(filter(None, map(_index_terms.__getitem__, text.split())))


# --- Queries --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Clause:
    """One thing every hit must contain: a word, or a phrase (its words in order)."""

    words: tuple[str, ...]  # the user's words, stop words inside a phrase included
    terms: tuple[str, ...]  # their index terms, STOP_TERM for those stop words
    phrase: bool

    def fts5(self) -> str:
        """This clause as an FTS5 string: always quoted, so never read as syntax."""
        return '"' + " ".join(self.terms).replace('"', '""') + '"'


@dataclass(frozen=True, slots=True)
class Query:
    clauses: tuple[Clause, ...]

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(t for clause in self.clauses for t in clause.terms if t != STOP_TERM)

    def fts5(self) -> str:
        return " AND ".join(clause.fts5() for clause in self.clauses)

    def __bool__(self) -> bool:
        return bool(self.clauses)


def parse_query(q: str) -> Query:
    """Words and `"quoted phrases"` of a search box; an unclosed quote runs to the end.

    Words are deduplicated and stop words dropped; a phrase keeps the stop words inside it,
    as gaps."""
    clauses: list[Clause] = []
    seen: set[tuple[str, ...]] = set()
    for i, part in enumerate(q.translate(_QUOTES).split('"')):
        words = [m.group() for m in TOKEN.finditer(part)]
        groups = [words] if i % 2 == 1 else [[w] for w in words]
        for group in groups:
            # Stop words at either end of a phrase do not count (PostgreSQL drops them).
            kept = [j for j, word in enumerate(group) if term(word) is not None]
            if not kept:
                continue
            inner = tuple(group[kept[0] : kept[-1] + 1])
            found = tuple(term(word) or STOP_TERM for word in inner)
            if found in seen:
                continue
            seen.add(found)
            clauses.append(Clause(words=inner, terms=found, phrase=len(found) > 1))
    return Query(tuple(clauses))


# --- Ranking and highlighting ---------------------------------------------------------------


def _occurrences(haystack: Sequence[str], needle: Sequence[str]) -> int:
    n = len(needle)
    return sum(1 for i in range(len(haystack) - n + 1) if tuple(haystack[i : i + n]) == needle)


def score(query: Query, fields: Iterable[tuple[float, str]]) -> float:
    """Relevance of a document whose `fields` are (weight, text): for each clause, the best
    weighted, log-damped count of its occurrences over the fields, summed; shorter fields
    weigh a little more. The same number on every backend."""
    analysed = [(weight, positional_terms(text)) for weight, text in fields]
    total = 0.0
    for clause in query.clauses:
        best = 0.0
        for weight, field_terms in analysed:
            count = _occurrences(field_terms, clause.terms)
            if count:
                length = 1 + sum(1 for t in field_terms if t != STOP_TERM) / 50
                best = max(best, weight * (1 + math.log(count)) / length)
        total += best
    return round(total, 6)


def _marked(found: Sequence[Token], query: Query) -> list[int]:
    """Indexes of the tokens a query matches: a word anywhere, a phrase only where its
    words stand in order (stop words between them aside)."""
    sequence = [t.term or STOP_TERM for t in found]
    marked: set[int] = set()
    for clause in query.clauses:
        n = len(clause.terms)
        for start in range(len(sequence) - n + 1):
            if tuple(sequence[start : start + n]) == clause.terms:
                marked.update(i for i in range(start, start + n) if found[i].term is not None)
    return sorted(marked)


def coverage(text: str, query: Query) -> int:
    """How many of the query's clauses `text` contains."""
    sequence = positional_terms(text)
    return sum(1 for clause in query.clauses if _occurrences(sequence, clause.terms))


def highlight(text: str, query: Query, *, max_tokens: int | None = None) -> str | None:
    """`text` HTML-escaped with every matched word in `<mark>…</mark>`; None if none match.

    With `max_tokens`, only the window of that many words holding the most matches is kept,
    with "…" where the text was cut.
    """
    found = tokens(text)
    hits = _marked(found, query)
    if not hits:
        return None
    first, last = 0, len(found) - 1
    if max_tokens is not None and len(found) > max_tokens:
        best_start, best_count = 0, -1
        for start in range(0, len(found) - max_tokens + 1):
            count = sum(1 for i in hits if start <= i < start + max_tokens)
            if count > best_count:
                best_start, best_count = start, count
        # Start a little before the first hit in the window, for context.
        first_hit = next(i for i in hits if i >= best_start)
        first = max(0, min(best_start, first_hit - 3))
        last = min(len(found) - 1, first + max_tokens - 1)
    begin = found[first].start if first > 0 else 0
    end = found[last].end if last < len(found) - 1 else len(text)
    parts: list[str] = ["…"] if first > 0 else []
    cursor = begin
    for i in hits:
        if not first <= i <= last:
            continue
        token = found[i]
        parts.append(html.escape(text[cursor : token.start]))
        parts.append(f"<mark>{html.escape(text[token.start : token.end])}</mark>")
        cursor = token.end
    parts.append(html.escape(text[cursor:end]))
    if last < len(found) - 1:
        parts.append("…")
    return "".join(parts)
