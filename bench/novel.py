"""Novel questions: the pools bench/novel.lua draws its requests from, read from the database
being benchmarked, and the sample of the same draws checked on both servers before timing.

A fixed URL asked again and again measures a response cache; these streams ask what nobody
asked before: a random theme with a random year range, a random era with a random region, a
random word of the passages' text (and now and then a word none holds).
"""

import random
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.analysis.text import fold
from bench.questions import Question

# The PRNG's seed; every wrk thread adds its own number to it (bench/novel.lua).
SEED = 19391939
# At most this many words of the text are drawn from, and one absent word to every nine.
WORDS = 180
ABSENT_SHARE = 0.1
# A year range is `from` and `from` plus 0 to SPAN years.
SPAN = 20
SAMPLE = 20
_PLAIN_WORD = re.compile(r"[a-z]{4,}")


@dataclass(frozen=True)
class Pools:
    """What each field of a novel question is drawn from."""

    themes: tuple[str, ...]
    eras: tuple[str, ...]
    regions: tuple[str, ...]
    words: tuple[str, ...]  # text words, then the absent ones
    absent: int  # how many of `words` no passage holds
    years: tuple[int, int]

    def distinct(self) -> dict[str, int]:
        """How many different questions each stream can ask."""
        low, high = self.years
        ranges = sum(min(SPAN, high - y) + 1 for y in range(low, high + 1))
        return {
            "n1": len(self.themes) * ranges,
            "n2": len(self.eras) * len(self.regions),
            "n3": len(self.words),
        }


def _terms(db: sqlite3.Connection) -> list[str]:
    """The FTS5 index's terms (folded like the app folds: lower case, no accents)."""
    db.execute("CREATE VIRTUAL TABLE temp.bench_vocab USING fts5vocab(main, 'passages_fts', 'row')")
    return [str(term) for (term,) in db.execute("SELECT term FROM temp.bench_vocab")]


def searchable_words(terms: list[str], rng: random.Random, count: int) -> list[str]:
    """Up to `count` plain words of the text that no other term contains, so that a
    substring search (Anales) and a token search (FTS5) find the same passages."""
    inside: set[str] = set()
    for term in terms:
        for i in range(len(term)):
            for j in range(i + 4, len(term) + (i > 0)):
                inside.add(term[i:j])
    plain = sorted(
        t for t in terms if _PLAIN_WORD.fullmatch(t) and fold(t) == t and t not in inside
    )
    return sorted(rng.sample(plain, min(count, len(plain))))


def absent_words(terms: list[str], rng: random.Random, count: int) -> list[str]:
    """`count` made-up words that no term holds, hence no passage's folded text either."""
    found: list[str] = []
    while len(found) < count:
        word = "".join(rng.choice("bcdfghjklmnpqrstvxz") for _ in range(6))
        if word not in found and not any(word in term for term in terms):
            found.append(word)
    return found


def read_pools(path: Path) -> Pools:
    """The slugs, years and words of the SQLite benchmark file at `path`."""
    rng = random.Random(SEED)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:

        def slugs(table: str) -> tuple[str, ...]:
            return tuple(s for (s,) in db.execute(f"SELECT slug FROM {table} ORDER BY slug"))

        low, high = db.execute(
            "SELECT min(start_year), max(end_year) FROM passages WHERE start_year IS NOT NULL"
        ).fetchone()
        terms = _terms(db)
        themes, eras, regions = slugs("themes"), slugs("periods"), slugs("regions")
    words = searchable_words(terms, rng, WORDS)
    absent = absent_words(terms, rng, max(1, round(len(words) * ABSENT_SHARE / 0.9)))
    return Pools(themes, eras, regions, (*words, *absent), len(absent), (int(low), int(high)))


def write_data(pools: Pools, streams: list[Question], path: Path) -> Path:
    """The data file bench/novel.lua reads: templates per side and stream, then the pools."""
    lines = [f"template\tanales\t{q.key}\t{q.anales}" for q in streams]
    lines += [f"template\tdatasette\t{q.key}\t{q.datasette}" for q in streams]
    lines += [f"years\t{pools.years[0]}\t{pools.years[1]}", f"span\t{SPAN}"]
    for field, values in (
        ("theme", pools.themes),
        ("era", pools.eras),
        ("region", pools.regions),
        ("word", pools.words),
    ):
        lines += [f"{field}\t{value}" for value in values]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def sample(pools: Pools, count: int = SAMPLE) -> list[dict[str, str]]:
    """`count` draws like bench/novel.lua's (same fields, same ranges), from Python's PRNG."""
    rng = random.Random(SEED)
    low, high = pools.years
    draws = []
    for _ in range(count):
        first = rng.randint(low, high)
        draws.append(
            {
                "theme": rng.choice(pools.themes),
                "from": str(first),
                "to": str(min(high, first + rng.randint(0, SPAN))),
                "era": rng.choice(pools.eras),
                "region": rng.choice(pools.regions),
                "word": rng.choice(pools.words),
            }
        )
    return draws


def fill(template: str, values: Mapping[str, str]) -> str:
    """`template` with its `{field}`s replaced, as bench/novel.lua's gsub does."""
    return re.sub(r"\{(\w+)\}", lambda m: values[m[1]], template)
