"""The import rate: `python -m app import FILE` of generated plain-text lines, timed.

Each target is fresh: a new SQLite file, or a PostgreSQL database the benchmark owns
(`anales_bench_import`, dropped and made again), migrated with `alembic upgrade head` and
seeded with `python -m app seed`, as a curator's would be; then the command line imports the
file (one passage a line, auto-linked) and the wall time of that command alone is reported.
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.generate import write_import_text

IMPORT_DATABASE = "anales_bench_import"


@dataclass(frozen=True)
class ImportRun:
    target: str  # "SQLite" or "PostgreSQL"
    lines: int
    seconds: float
    passages: int  # passages the import added
    returncode: int
    log: Path

    @property
    def rate(self) -> float:
        return self.passages / self.seconds if self.seconds else 0.0


def _app(args: list[str], url: str, log: Path, root: Path) -> int:
    """`python -m app …` (or alembic) on `url`, its output appended to `log`."""
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    with log.open("ab") as out:
        done = subprocess.run(args, cwd=root, env=env, stdout=out, stderr=out, check=False)
    return done.returncode


def _passages(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(text("SELECT count(*) FROM passages")) or 0)
    finally:
        engine.dispose()


def time_import(url: str, target: str, source: Path, lines: int, root: Path) -> ImportRun:
    """Migrate and seed the empty database at `url`, then time the import of `source`."""
    python = str(Path(sys.executable))
    log = source.with_name(f"import-{target.lower()}.log")
    log.unlink(missing_ok=True)
    for step in (
        [str(Path(sys.executable).parent / "alembic"), "upgrade", "head"],
        [python, "-m", "app", "seed"],
    ):
        if _app(step, url, log, root) != 0:
            raise RuntimeError(f"{' '.join(step[-2:])} failed on {target}; see {log}")
    before = _passages(url)
    started = time.perf_counter()
    code = _app([python, "-m", "app", "import", str(source)], url, log, root)
    seconds = time.perf_counter() - started
    return ImportRun(target, lines, seconds, _passages(url) - before, code, log)


def fresh_sqlite(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_postgres(server_url: str) -> str:
    """The benchmark's own import database on that server, empty (only it is dropped)."""
    server = make_url(server_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{IMPORT_DATABASE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{IMPORT_DATABASE}"'))
    finally:
        admin.dispose()
    return server.set(database=IMPORT_DATABASE).render_as_string(hide_password=False)


def import_rates(lines: int, data_dir: Path, root: Path, pg_url: str | None) -> list[ImportRun]:
    """The import of `lines` generated lines into fresh SQLite and (with `pg_url`) PostgreSQL."""
    source = data_dir / f"import-{lines}.txt"
    if not source.is_file() or sum(1 for _ in source.open(encoding="utf-8")) != lines:
        write_import_text(source, lines)
    runs = [time_import(fresh_sqlite(data_dir / "import.db"), "SQLite", source, lines, root)]
    if pg_url:
        runs.append(time_import(fresh_postgres(pg_url), "PostgreSQL", source, lines, root))
    return runs


def import_table(runs: list[ImportRun]) -> list[str]:
    lines = [
        "### Import rate: `python -m app import FILE`",
        "",
        "Generated plain-text lines (one passage a line, bench/generate.py's text) into a fresh "
        "migrated and seeded database; the wall time of the import command alone.",
        "",
        "| database | lines | passages added | seconds | passages/s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        failed = f" (exit {run.returncode}, see {run.log.name})" if run.returncode else ""
        lines.append(
            f"| {run.target}{failed} | {run.lines:,} | {run.passages:,} | {run.seconds:,.1f} "
            f"| {run.rate:,.0f} |"
        )
    return [*lines, ""]
