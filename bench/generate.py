"""Build a benchmark database of N passages: the real seed plus N-15 synthetic ones.

    .venv/bin/python -m bench.generate 100000 [PATH_OR_URL]
    .venv/bin/python -m bench.generate 100000 FILE.txt --import-text   # lines to import

Steps, all deterministic for a given N (seeded RNG):

1. run the Alembic migrations on a new database (SQLite file, or a PostgreSQL URL);
2. load the real seed with `app.corpus.seed` (`read_seed` + `load_seed`);
3. add N-15 synthetic passages through `app.corpus.bulk`, in the same transaction as the seed
   (on SQLite without disk syncs until it commits, `app.corpus.bulk.sqlite_bulk_load`). Their text
   recombines clauses of the real passages and of the curated entity descriptions with the
   names of the entities they link to, so text search has realistic hits; their links
   follow the seed's frequencies (1-4 actors, 1-2 periods, 0-3 regions, 1-3 themes), years
   lie inside the linked periods and ~30% are undated. The load is timed apart from the
   making up of the rows;
4. SQLite only: `ANALYZE`, an FTS5 table `passages_fts` (content=passages) for Datasette's
   `_search`, and a WAL checkpoint so that both servers read one settled file.
"""

import argparse
import hashlib
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Generic, TypeVar

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.core.config import PROJECT_ROOT, Settings
from app.core.db import create_db_engine, is_sqlite
from app.corpus.bulk import PassageRow, bulk_insert_passages, sqlite_bulk_load
from app.corpus.seed import Seed, load_seed, read_seed
from app.models import Actor, Event, Period, Region, Theme
from app.models.aggregates import paused_aggregates

# Bump when the generated data changes in a way `data_key` cannot see.
GENERATOR_VERSION = 1
RNG_SEED = 19171107
SYNTHETIC_SOURCE = "bench-synthetic.txt"
UNDATED_SHARE = 0.30

_CLAUSE_SPLIT = re.compile(r"(?<=[^\d])[,;:]\s+|\.\s+|\s+\(|\)\s*")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class PeriodInfo:
    id: int
    slug: str
    name: str
    start: int
    end: int
    parent: str | None


@dataclass(frozen=True, eq=False)
class Named:
    id: int
    name: str
    weight: float
    start: int = -9999
    end: int = 9999


T = TypeVar("T")


@dataclass
class BuildReport:
    """What a build did; saved beside a cached database as JSON.

    `seconds_synthetic` and `cpu_seconds_synthetic` time the load of the synthetic passages
    (`app.corpus.bulk`), without the time spent making them up, which `seconds_generating` and
    `cpu_seconds_generating` give.
    """

    data_key: str
    passages: int
    synthetic: int
    seconds_total: float
    seconds_synthetic: float
    load_rate: float
    cpu_seconds_synthetic: float
    links: dict[str, int]
    fts: bool
    built_at: str
    seconds_generating: float = 0.0
    cpu_seconds_generating: float = 0.0

    def describe(self) -> str:
        return (
            f"{self.passages:,} passages ({self.synthetic:,} synthetic) in "
            f"{self.seconds_total:.1f} s; synthetic passages with links loaded at "
            f"{self.load_rate:,.0f} passages/s ({self.seconds_synthetic:.1f} s, "
            f"{self.cpu_seconds_synthetic:.1f} s of CPU), made up in "
            f"{self.seconds_generating:.1f} s more"
        )


class Stopwatch:
    """Wall and CPU seconds added up over the blocks it times."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    def time(self, rows: Iterable[T], chunk: int) -> Iterator[T]:
        """`rows`, made `chunk` at a time under this stopwatch."""
        iterator = iter(rows)
        while True:
            started, cpu_started = time.perf_counter(), time.process_time()
            made = list(islice(iterator, chunk))
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.process_time() - cpu_started
            if not made:
                return
            yield from made


@dataclass(frozen=True)
class Weighted(Generic[T]):
    """Items drawn in proportion to integer weights: each repeated `weight` times in a table,
    so that one draw costs one `random()` call."""

    table: tuple[T, ...]
    size: int  # how many distinct items

    @classmethod
    def of(cls, items: Sequence[T], weights: Sequence[float]) -> "Weighted[T]":
        pairs = zip(items, weights, strict=True)
        table = tuple(item for item, weight in pairs for _ in range(int(weight)))
        return cls(table, len({id(item) for item in table}))

    def one(self, random: Callable[[], float]) -> T:
        return self.table[int(random() * len(self.table))]

    def distinct(self, random: Callable[[], float], k: int) -> list[T]:
        """`k` distinct items (at most as many as there are), drawn by weight."""
        table, n = self.table, len(self.table)
        k = min(k, self.size)
        chosen: list[T] = []
        while len(chosen) < k:
            item = table[int(random() * n)]
            if item not in chosen:
                chosen.append(item)
        return chosen


class Corpus:
    """The seed's text and entities, and the weighted choices the synthetic rows draw from."""

    def __init__(self, seed: Seed, connection: Connection) -> None:
        a = seed.annotations
        usage: Counter[tuple[str, str]] = Counter()
        for spec in a.passages:
            for kind in ("actors", "periods", "regions", "themes"):
                for slug in getattr(spec, kind):
                    usage[(kind, slug)] += 1

        def ids(model: Any) -> dict[str, int]:
            rows = connection.execute(select(model.slug, model.id)).all()
            return {str(slug): int(id_) for slug, id_ in rows}

        period_ids, actor_ids = ids(Period), ids(Actor)
        region_ids, theme_ids = ids(Region), ids(Theme)

        self.periods = [
            PeriodInfo(period_ids[p.key], p.key, p.name, p.start_year, p.end_year, p.parent)
            for p in a.periods
        ]
        self.period_by_slug = {p.slug: p for p in self.periods}
        # A second period is the first one's era or one of its phases.
        self.related: dict[str, list[PeriodInfo]] = {p.slug: [] for p in self.periods}
        for p in self.periods:
            if p.parent:
                self.related[p.parent].append(p)
                self.related[p.slug].append(self.period_by_slug[p.parent])
        # One more than the seed's count, so that every entity gets some passages.
        self.period_weights = [usage[("periods", p.slug)] + 1.0 for p in self.periods]
        self.actors = [
            Named(
                actor_ids[s.key],
                s.name,
                usage[("actors", s.key)] + 1.0,
                s.start_year if s.start_year is not None else -9999,
                s.end_year if s.end_year is not None else 9999,
            )
            for s in a.actors
        ]
        self.regions = [
            Named(region_ids[r.key], r.name, usage[("regions", r.key)] + 1.0) for r in a.regions
        ]
        self.themes = [
            Named(theme_ids[t.key], t.name, usage[("themes", t.key)] + 1.0) for t in a.themes
        ]
        self.events: list[tuple[int, int, int]] = []  # (id, start year, end year)
        for row in connection.execute(select(Event.id, Event.start_year, Event.end_year)):
            self.events.append((row.id, row.start_year, row.end_year))

        texts = [line.text for line in seed.lines]
        for specs in (a.periods, a.regions, a.actors, a.themes, a.events):
            texts += [spec.description for spec in specs if spec.description]
        # Words written capitalised inside a sentence are names: they keep their capital
        # when their clause moves to the middle of a synthetic passage.
        names = {
            word
            for t in texts
            for sentence in re.split(r"[.!?]\s+", t)
            for word in _WORD.findall(sentence)[1:]
            if word[0].isupper()
        }
        clauses: list[str] = []
        for t in texts:
            for raw in _CLAUSE_SPLIT.split(t):
                clause = raw.strip(" \"'«»“”.")
                if len(clause.split()) < 3:
                    continue
                first = _WORD.findall(clause)[0]
                if first not in names:
                    clause = clause[0].lower() + clause[1:]
                clauses.append(clause)
        self.clauses = clauses

        self._actors_by_span: dict[tuple[int, int], Weighted[Named]] = {}
        self.period_choice = Weighted.of(self.periods, self.period_weights)
        self.theme_choice = Weighted.of(self.themes, [t.weight for t in self.themes])
        self.region_choice = Weighted.of(self.regions, [r.weight for r in self.regions])

    def actors_for(self, start: int, end: int) -> "Weighted[Named]":
        """Actors active in [start, end], weighted; all actors when fewer than four are."""
        key = (start, end)
        found = self._actors_by_span.get(key)
        if found is None:
            active = [x for x in self.actors if x.start <= end and x.end >= start]
            pool = active if len(active) >= 4 else self.actors
            found = self._actors_by_span[key] = Weighted.of(pool, [x.weight for x in pool])
        return found


# How many regions (0-3) and themes (1-3) a passage links to: mostly one, as in the seed.
REGION_COUNTS = (0, 1, 1, 1, 2, 2, 3)
THEME_COUNTS = (1, 1, 2, 2, 3)
_ACTOR_FORMS = ("{}", "según {}", "con {}", "por parte de {}", "{} y sus aliados")
_THEME_FORMS = ("en torno a la {}", "con la {} como fin", "a favor de la {}", "{}")
_REGION_FORMS = ("en {}", "hacia {}", "en relación con {}")
_PERIOD_FORMS = ("durante la {}", "en la {}", "en tiempos de la {}")


def synthetic_rows(
    corpus: Corpus, count: int, rng: random.Random, *, first_position: int
) -> Iterator[PassageRow]:
    """`count` passages, each recombining real clauses with its linked entities' names."""
    clauses, events = corpus.clauses, corpus.events
    r = rng.random

    def pick(options: Sequence[T]) -> T:
        return options[int(r() * len(options))]

    for i in range(count):
        period = corpus.period_choice.one(r)
        linked = [period]
        related = corpus.related[period.slug]
        if related and r() < 0.35:
            linked.append(pick(related))
        # Years fall inside the narrowest linked period (a phase lies inside its era).
        narrow = max(linked, key=lambda p: p.start)
        if r() < UNDATED_SHARE:
            start_year = end_year = None
            span = (narrow.start, narrow.end)
        else:
            start_year = narrow.start + int(r() * (narrow.end - narrow.start + 1))
            length = 0 if r() < 0.4 else int(rng.expovariate(1 / 4))
            end_year = min(narrow.end, start_year + length)
            span = (start_year, end_year)
        actors = corpus.actors_for(*span).distinct(r, 1 + int(r() * 4))
        regions = corpus.region_choice.distinct(r, pick(REGION_COUNTS))
        themes = corpus.theme_choice.distinct(r, pick(THEME_COUNTS))
        linked_events = [e for e, s, t in events if s <= span[1] and t >= span[0] and r() < 0.3]

        parts = [pick(clauses)]
        while len(parts) < 2 or (len(parts) < 3 and r() < 0.5):
            clause = pick(clauses)
            if clause not in parts:
                parts.append(clause)
        parts.append(pick(_ACTOR_FORMS).format(actors[0].name))
        if r() < 0.6:
            parts.append(pick(_THEME_FORMS).format(themes[0].name.lower()))
        if regions and r() < 0.5:
            parts.append(pick(_REGION_FORMS).format(regions[0].name))
        if r() < 0.3:
            parts.append(pick(_PERIOD_FORMS).format(period.name))
        if start_year is not None and r() < 0.5:
            parts.append(
                f"en {start_year}" if start_year == end_year else f"entre {start_year} y {end_year}"
            )
        rng.shuffle(parts)
        body = ", ".join(parts)
        yield PassageRow(
            text=body[0].upper() + body[1:] + ".",
            source_file=SYNTHETIC_SOURCE,
            source_line=i + 1,
            position=first_position + i,
            start_year=start_year,
            end_year=end_year,
            actors=[a.id for a in actors],
            periods=[p.id for p in linked],
            regions=[x.id for x in regions],
            themes=[t.id for t in themes],
            events=linked_events,
        )


def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = Config(str(PROJECT_ROOT / "alembic.ini"))
            config.set_main_option("sqlalchemy.url", url)
            config.attributes["configure_logger"] = False
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise ValueError(f"{url}: not a SQLite file")
    return Path(database)


def build_database(url: str, passages: int, *, batch_size: int = 5000) -> BuildReport:
    """Create the benchmark data in the empty database at `url` (migrating it first)."""
    started = time.perf_counter()
    seed = read_seed(Settings().seed_dir)
    key = data_key()
    if passages < len(seed.lines):
        raise ValueError(f"at least {len(seed.lines)} passages (the real seed)")
    _migrate(url)
    # The app's engine (foreign keys on, WAL), without its per-statement time limit.
    engine = create_db_engine(Settings(database_url=url, statement_timeout_ms=0))
    generating = Stopwatch()
    try:
        with engine.connect() as connection:
            with sqlite_bulk_load(connection), connection.begin():
                with Session(bind=connection) as session:
                    load_seed(session, seed)
                corpus = Corpus(seed, connection)
                synthetic = passages - len(seed.lines)
                rows = synthetic_rows(
                    corpus,
                    synthetic,
                    random.Random(RNG_SEED),
                    first_position=max(line.line for line in seed.lines) + 1,
                )
                load_started, cpu_started = time.perf_counter(), time.process_time()
                timed_rows = generating.time(rows, batch_size)
                # The link aggregates' triggers paused for the load and recounted once at
                # its end (inside the timed part: the rate includes the recount).
                with paused_aggregates(connection):
                    bulk_insert_passages(connection, timed_rows, batch_size=batch_size)
                seconds_synthetic = time.perf_counter() - load_started - generating.seconds
                cpu_synthetic = time.process_time() - cpu_started - generating.cpu_seconds
                links = {
                    table: int(connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
                    for table in (
                        "passage_actors",
                        "passage_periods",
                        "passage_regions",
                        "passage_themes",
                        "passage_events",
                    )
                }
            fts = is_sqlite(url)
            if fts:
                _sqlite_finish(connection)
            else:
                # Statistics and a visibility map now, as autovacuum would give them later:
                # the planner reads the first and index-only scans the second.
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
    finally:
        engine.dispose()
    return BuildReport(
        data_key=key,
        passages=passages,
        synthetic=synthetic,
        seconds_total=time.perf_counter() - started,
        seconds_synthetic=seconds_synthetic,
        load_rate=synthetic / seconds_synthetic if synthetic else 0.0,
        cpu_seconds_synthetic=cpu_synthetic,
        links=links,
        fts=fts,
        built_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        seconds_generating=generating.seconds,
        cpu_seconds_generating=generating.cpu_seconds,
    )


def _sqlite_finish(connection: Connection) -> None:
    """Statistics, the FTS5 index Datasette searches, and a settled WAL."""
    with connection.begin():
        connection.execute(text("ANALYZE"))
        # Datasette finds the FTS table of `passages` by `content="passages"` in its SQL.
        # remove_diacritics folds accents like the app's `fold` does.
        connection.execute(
            text(
                'CREATE VIRTUAL TABLE passages_fts USING fts5(text, content="passages", '
                "content_rowid=\"id\", tokenize='unicode61 remove_diacritics 2')"
            )
        )
        connection.execute(text("INSERT INTO passages_fts(passages_fts) VALUES ('rebuild')"))
    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def build_sqlite(path: Path, passages: int) -> BuildReport:
    """A fresh SQLite file at `path` (replaced if present), with its report beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for stale in (partial, *(partial.with_name(partial.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    report = build_database(f"sqlite:///{partial}", passages)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    Path(f"{partial}-wal").unlink(missing_ok=True)
    Path(f"{partial}-shm").unlink(missing_ok=True)
    os.replace(partial, path)
    report_path(path).write_text(json.dumps(asdict(report), indent=2) + "\n")
    return report


def write_import_text(path: Path, lines: int) -> Path:
    """A plain-text file for `python -m app import`: `lines` synthetic passages, one a line.

    The text comes from the generator above, with its own seed, so that the lines are not the
    benchmark databases' passages; the entities it names are the seed's, which the importer's
    auto-linking finds. The seed is loaded into a scratch SQLite file only for the ids the
    generator draws with.
    """
    seed = read_seed(Settings().seed_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'seed.db'}"
        _migrate(url)
        engine = create_db_engine(Settings(database_url=url, statement_timeout_ms=0))
        try:
            with engine.connect() as connection, connection.begin():
                with Session(bind=connection) as session:
                    load_seed(session, seed)
                corpus = Corpus(seed, connection)
        finally:
            engine.dispose()
    rows = synthetic_rows(corpus, lines, random.Random(RNG_SEED + 1), first_position=1)
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(row.text + "\n")
    return path


def data_key() -> str:
    """Changes whenever the data built would: the generator, the bulk path, the seed, the
    migrations' head."""
    digest = hashlib.sha256(f"v{GENERATOR_VERSION}".encode())
    script = ScriptDirectory.from_config(Config(str(PROJECT_ROOT / "alembic.ini")))
    digest.update(" ".join(sorted(script.get_heads())).encode())
    seed_dir = Settings().seed_dir
    sources = [Path(__file__), PROJECT_ROOT / "app" / "bulk.py", *sorted(seed_dir.iterdir())]
    for source in sources:
        if source.is_file():
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:16]


def report_path(path: Path) -> Path:
    return path.with_suffix(".json")


def cached_report(path: Path) -> BuildReport | None:
    """The report of a cached database built by this generator version, if there is one."""
    meta = report_path(path)
    if not path.is_file() or not meta.is_file():
        return None
    try:
        report = BuildReport(**json.loads(meta.read_text()))
    except (ValueError, TypeError):
        return None
    return report if report.data_key == data_key() else None


def ensure_sqlite(path: Path, passages: int) -> tuple[BuildReport, bool]:
    """(report, built now?) for a database of `passages` at `path`, built when missing."""
    report = cached_report(path)
    if report is not None and report.passages == passages:
        return report, False
    return build_sqlite(path, passages), True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("passages", type=int)
    parser.add_argument(
        "target",
        nargs="?",
        help="SQLite file or a database URL (default bench/.data/anales-N.db)",
    )
    parser.add_argument(
        "--import-text",
        action="store_true",
        help="write N synthetic passages, one a line, to the target text file instead",
    )
    args = parser.parse_args(argv)
    if args.import_text:
        if not args.target:
            parser.error("--import-text needs a target file")
        write_import_text(Path(args.target), args.passages)
        print(f"bench.generate: {args.target}: {args.passages:,} lines")
        return 0
    target: str = args.target or str(Path(__file__).parent / ".data" / f"anales-{args.passages}.db")
    if "://" in target:
        report = build_database(target, args.passages)
    else:
        report = build_sqlite(Path(target), args.passages)
    print(f"bench.generate: {target}: {report.describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
