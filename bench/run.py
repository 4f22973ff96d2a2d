"""Benchmark Anales against Datasette on the same SQLite file: `make bench`.

For each size N (BENCH_SIZES, default 15,100000,1000000) it builds (or reuses) a database of N
passages, then serves it, one server at a time, with Anales (response cache on, as deployed,
then off), with Datasette and with the floor (bench/floor.py: Anales' own SQL in a bare
route), and loads each fixed question and each stream of novel ones (bench/novel.lua) with
wrk; then times `python -m app import` and, with BENCH_PG_URL, runs the mix on PostgreSQL.
See bench/README.md.

Environment:
  BENCH_SIZES=15,100000,1000000   passages per database
  BENCH_DURATION=10               seconds of load per request and server
  BENCH_CONNECTIONS=32, BENCH_THREADS=2, BENCH_TIMEOUT=30 (wrk's per-request timeout, s)
  BENCH_PG_URL                    also run the PostgreSQL multi-worker check ("1" = default
                                  postgresql+psycopg://postgres@127.0.0.1:5432/postgres)
  BENCH_MAX_RSS_MB=6144           abort a run whose server grows past this
  BENCH_DATASETTE_IMMUTABLE=0     1 opens the file in Datasette with --immutable
  BENCH_NO_CACHE=1                0 skips the Anales runs with the response cache off
  BENCH_IMPORT_LINES=100000       lines `python -m app import` is timed on (0 skips it)
  BENCH_PG_SIZES=15,100000        passages per PostgreSQL database (with BENCH_PG_URL)
"""

import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from app.schemas.base import COUNT_LIMIT
from bench.generate import BuildReport, cached_report, data_key
from bench.importing import import_rates, import_table
from bench.novel import SEED as NOVEL_SEED
from bench.novel import Pools, fill, read_pools, sample, write_data
from bench.questions import Question, novel_questions, questions

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
RESULTS_DIR = BENCH_DIR / "results"
APP_BIN = Path(sys.executable).parent
DATASETTE_VENV = BENCH_DIR / ".venv-datasette"
LUA = BENCH_DIR / "report.lua"
NOVEL_LUA = BENCH_DIR / "novel.lua"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "anales_bench"
# Anales and Datasette get the same limit on one query; Datasette's default is 1 s.
STATEMENT_TIMEOUT_MS = 10_000
DATASETTE_SETTINGS = {
    "sql_time_limit_ms": str(STATEMENT_TIMEOUT_MS),
    "max_returned_rows": "1000",
    # Anales has no facet suggestions; computing them is work the question did not ask for.
    "suggest_facets": "off",
}


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "").strip() or default)


def sizes_list(value: str) -> tuple[int, ...]:
    return tuple(int(s.replace("_", "")) for s in value.split(",") if s.strip())


@dataclass(frozen=True)
class Options:
    sizes: tuple[int, ...]
    duration: int
    connections: int
    threads: int
    timeout: int
    max_rss_mb: int
    pg_url: str | None
    immutable: bool
    no_cache: bool
    import_lines: int
    pg_sizes: tuple[int, ...]

    @classmethod
    def from_env(cls) -> "Options":
        sizes = os.environ.get("BENCH_SIZES", "15,100000,1000000")
        pg = os.environ.get("BENCH_PG_URL", "").strip()
        return cls(
            sizes=sizes_list(sizes),
            duration=env_int("BENCH_DURATION", 10),
            connections=env_int("BENCH_CONNECTIONS", 32),
            threads=env_int("BENCH_THREADS", 2),
            timeout=env_int("BENCH_TIMEOUT", 30),
            max_rss_mb=env_int("BENCH_MAX_RSS_MB", 6144),
            pg_url=(DEFAULT_PG_URL if pg in ("1", "default") else pg) or None,
            immutable=os.environ.get("BENCH_DATASETTE_IMMUTABLE", "0") == "1",
            no_cache=os.environ.get("BENCH_NO_CACHE", "1") != "0",
            import_lines=env_int("BENCH_IMPORT_LINES", 100_000),
            pg_sizes=sizes_list(os.environ.get("BENCH_PG_SIZES", "15,100000")),
        )


# --- processes ---------------------------------------------------------------------------


def can_pin() -> bool:
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


def pinned(cmd: Sequence[str], core: int | None) -> list[str]:
    if core is None or not can_pin():
        return list(cmd)
    return ["taskset", "-c", str(core), *cmd]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def proc_status(pid: int, key: str) -> int:
    """A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), in kB; 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(pids: Sequence[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


class Server:
    """A server process of ours, in its own process group, stopped by `stop`."""

    def __init__(
        self,
        name: str,
        cmd: Sequence[str],
        *,
        port: int,
        health: str,
        env: dict[str, str] | None = None,
        core: int | None = 0,
    ) -> None:
        self.name, self.port, self.health = name, port, health
        self.cmd = pinned(cmd, core)
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_rss_kb = 0
        self.restarts = 0
        self.log_path = DATA_DIR / "logs" / f"{name}.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 120) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(
                self.cmd, cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                self.stop()
                raise RuntimeError(f"{self.name} exited at start; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + self.health, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {self.health}; see {self.log_path}")

    def peak_rss(self) -> int:
        """Largest VmHWM seen of the server's processes (kB), over restarts too."""
        if self.alive():
            for pid in process_tree(self.pid):
                self.peak_rss_kb = max(self.peak_rss_kb, proc_status(pid, "VmHWM"))
        return self.peak_rss_kb

    def rss_kb(self) -> int:
        return sum(proc_status(pid, "VmRSS") for pid in process_tree(self.pid))

    def stop(self) -> None:
        """TERM, then KILL, to the server's process group (its workers included)."""
        if self.proc is None:
            return
        self.peak_rss()
        group = self.proc.pid
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=15)
        with suppress(ProcessLookupError):  # whatever of the group is left
            os.killpg(group, signal.SIGKILL)
        self.proc.wait(timeout=15)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until the server has finished what wrk left queued (< 5% of a core)."""
        tick = os.sysconf("SC_CLK_TCK")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.alive():
            pids = process_tree(self.pid)
            before = cpu_ticks(pids)
            time.sleep(0.5)
            if (cpu_ticks(pids) - before) / tick < 0.025:
                return True
        return False


@contextmanager
def serving(server: Server) -> Iterator[Server]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def anales(
    database_url: str,
    *,
    cache: bool,
    workers: int = 1,
    core: int | None = 0,
    name: str = "anales",
) -> Server:
    port = free_port()
    env = {
        "DATABASE_URL": database_url,
        # The app writes its own JSON access log line per request at INFO; off, like
        # uvicorn's (--no-access-log) and Datasette's.
        "LOG_LEVEL": "WARNING",
        "STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS),
    }
    if not cache:
        env["RESPONSE_CACHE_BYTES"] = "0"
    cmd = [
        str(APP_BIN / "uvicorn"),
        "app.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
    ]
    return Server(name, cmd, port=port, health="/healthz", env=env, core=core)


def datasette(path: Path, *, immutable: bool) -> Server:
    port = free_port()
    cmd = [str(DATASETTE_VENV / "bin" / "python"), str(BENCH_DIR / "datasette_server.py")]
    cmd += [str(path), str(port)]
    if immutable:
        cmd.append("--immutable")
    for name, value in DATASETTE_SETTINGS.items():
        cmd += ["--setting", name, value]
    return Server("datasette", cmd, port=port, health="/-/versions.json")


def ceiling_server() -> Server:
    port = free_port()
    cmd = [str(APP_BIN / "uvicorn"), "bench.ceiling:app", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", "1", "--no-access-log"]
    return Server("ceiling", cmd, port=port, health="/healthz")


def floor_server(path: Path, statements: Path) -> Server:
    port = free_port()
    cmd = [str(APP_BIN / "uvicorn"), "bench.floor:app", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", "1", "--no-access-log"]
    env = {"FLOOR_DATABASE": str(path), "FLOOR_STATEMENTS": str(statements)}
    return Server("floor", cmd, port=port, health="/healthz", env=env)


def worker_pids(server: Server) -> list[int]:
    """The processes answering requests: uvicorn itself with one worker, else its workers
    (multiprocessing's resource tracker, if any, left out)."""
    tree = process_tree(server.pid)
    if len(tree) == 1:
        return tree
    workers = []
    for pid in tree[1:]:
        with suppress(OSError):
            if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                workers.append(pid)
    return workers


# --- tools -------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("installing wrk (apt-get install -y wrk)")
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and could not be installed")
    return found


def ensure_datasette() -> None:
    """Datasette in its own venv, with the same uvicorn (and uvloop, httptools) as the app's."""
    python = DATASETTE_VENV / "bin" / "python"
    probe = [str(python), "-c", "import datasette, uvloop, httptools"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return
    log(f"creating {DATASETTE_VENV} with datasette")
    subprocess.run(["python3", "-m", "venv", str(DATASETTE_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "datasette", f"uvicorn[standard]=={version('uvicorn')}"], check=True)


def datasette_version() -> str:
    python = DATASETTE_VENV / "bin" / "python"
    script = "import datasette.version as v, sqlite3; print(v.__version__, sqlite3.sqlite_version)"
    out = subprocess.run([str(python), "-c", script], capture_output=True, text=True, check=True)
    ds, sqlite = out.stdout.split()
    return f"Datasette {ds} (SQLite {sqlite})"


# --- measuring ---------------------------------------------------------------------------


@dataclass
class Measure:
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    failed: str | None = None  # why there is no number
    duration_s: float = 0.0
    cpu_ms: float | None = None  # server CPU per completed request during the run
    single_ms: float | None = None  # one request at a time: median latency

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 120) -> Reply:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, dict(exc.headers.items()), exc.read())


def single_latency(
    server: Server, path: str, headers: dict[str, str] | None, budget_s: float = 30
) -> float:
    """Median latency (ms) of up to 5 requests sent one at a time, within `budget_s`."""
    times: list[float] = []
    deadline = time.monotonic() + budget_s
    while len(times) < 5 and (not times or time.monotonic() < deadline):
        started = time.perf_counter()
        fetch(server.base + path, headers, timeout=max(budget_s, 120))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


_BENCH_LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)


def run_wrk(
    server: Server,
    path: str,
    options: Options,
    headers: dict[str, str] | None = None,
    *,
    script: Path = LUA,
    script_args: Sequence[str] = (),
) -> Measure:
    cmd = ["wrk", f"-t{options.threads}", f"-c{options.connections}", f"-d{options.duration}s"]
    cmd += [f"--timeout={options.timeout}s", "-s", str(script)]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(server.base + path)
    if script_args:
        cmd += ["--", *script_args]
    tree = process_tree(server.pid)
    cpu_before = cpu_ticks(tree)
    wrk = subprocess.Popen(
        pinned(cmd, 1), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    limit_kb = options.max_rss_mb * 1024
    aborted = None
    while wrk.poll() is None:
        time.sleep(0.25)
        if not server.alive():
            aborted = "server exited"
        elif server.rss_kb() > limit_kb:
            aborted = f"server RSS over {options.max_rss_mb} MB"
        if aborted:
            wrk.kill()
            break
    output, _ = wrk.communicate()
    cpu_s = (cpu_ticks(tree) - cpu_before) / os.sysconf("SC_CLK_TCK")
    server.peak_rss()
    if aborted:
        server.restart()
        return Measure(failed=f"aborted: {aborted}")
    match = _BENCH_LINE.search(output or "")
    if not match:
        return Measure(failed=f"wrk printed no result: {output.strip()[-200:]!r}")
    values = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    seconds = values["duration_us"] / 1e6
    errors = {k: values[k] for k in ("connect", "read", "write", "status", "timeout") if values[k]}
    completed = values["requests"]
    measure = Measure(
        rps=completed / seconds if seconds else 0.0,
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        requests=completed,
        errors=errors,
        duration_s=seconds,
        cpu_ms=cpu_s * 1000 / completed if completed else None,
    )
    if not server.wait_idle(timeout=max(60, 4 * options.duration)):
        log(f"{server.name} still busy after {path}; restarting it")
        server.restart()
    return measure


# --- one size ----------------------------------------------------------------------------


@dataclass
class ServerRun:
    """One server's answers and numbers for the question mix."""

    label: str
    measures: dict[str, Measure] = field(default_factory=dict)
    replies: dict[str, Reply] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    peak_rss_kb: int = 0
    samples: dict[str, list[Reply]] = field(default_factory=dict)  # novel questions' checks
    workers_rss_kb: list[tuple[int, int]] = field(default_factory=list)  # VmHWM before, after


@dataclass(frozen=True)
class NovelSet:
    """The novel streams of one database: their pools and bench/novel.lua's data file."""

    pools: Pools
    data: Path
    streams: list[Question]


@dataclass
class SizeResult:
    passages: int
    report: BuildReport
    built_now: bool
    seconds_build: float
    runs: dict[str, ServerRun] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ceiling: Measure = field(default_factory=Measure)
    load: tuple[str, str] = ("", "")  # load average before and after
    novel: NovelSet | None = None


def run_novel(
    server: Server, run: ServerRun, q: Question, options: Options, *, side: str, ns: NovelSet
) -> None:
    """A stream of novel questions: the checked sample asked one at a time (its median
    latency is the *alone* figure), then wrk drawing new ones for the run."""
    template = q.anales if side == "anales" else q.datasette
    replies, times = [], []
    for values in sample(ns.pools):
        started = time.perf_counter()
        replies.append(fetch(server.base + fill(template, values)))
        times.append((time.perf_counter() - started) * 1000)
    run.samples[q.key] = replies
    bad = [r for r in replies if r.status != 200]
    if bad:
        run.measures[q.key] = Measure(failed=f"failed: HTTP {bad[0].status}")
        run.notes.append(f"{q.label}: HTTP {bad[0].status}: {bad[0].body[:300]!r}")
        return
    log(f"  {run.label}: {q.label}")
    args = [str(ns.data), q.key, side, str(NOVEL_SEED)]
    first = fill(template, sample(ns.pools, 1)[0])  # wrk's URL; novel.lua replaces each path
    measure = run_wrk(server, first, options, script=NOVEL_LUA, script_args=args)
    measure.single_ms = statistics.median(times)
    run.measures[q.key] = measure


def _conditional_headers(server: Server, path: str, first: Reply) -> dict[str, str] | str:
    """The If-None-Match headers that revalidate `first`, or why there are none."""
    etag = first.headers.get("ETag") or first.headers.get("etag")
    if first.status != 200 or not etag:
        return "n/a (no ETag)"
    headers = {"If-None-Match": etag}
    check = fetch(server.base + path, headers)
    return headers if check.status == 304 else f"n/a ({check.status}, not 304)"


def run_questions(
    server: Server,
    label: str,
    mix: list[Question],
    options: Options,
    *,
    side: str,
    ns: NovelSet | None = None,
) -> ServerRun:
    """Each question asked once (it must answer), then loaded; `side` is "anales",
    "datasette" or "floor" (which answers each fixed question at `/<key>`, revalidation
    included, and has no novel streams)."""
    run = ServerRun(label)
    for q in mix:
        if q.novel:
            if ns is not None and side != "floor":
                run_novel(server, run, q, options, side=side, ns=ns)
            continue
        if q.conditional and side == "datasette":
            continue  # Datasette has no ETags: its row reuses plain (a)
        path = {"anales": q.anales, "datasette": q.datasette}.get(side, f"/{q.key}")
        first = fetch(server.base + path)
        run.replies[q.key] = first
        headers = None
        if q.conditional and side == "anales":
            found = _conditional_headers(server, path, first)
            if isinstance(found, str):
                run.measures[q.key] = Measure(failed=found)
                continue
            headers = found
        elif first.status not in ((200, 304) if side == "floor" else (200,)):
            run.measures[q.key] = Measure(failed=f"failed: HTTP {first.status}")
            run.notes.append(f"{q.label}: HTTP {first.status}: {first.body[:300]!r}")
            continue
        log(f"  {label}: {q.label}")
        single = single_latency(server, path, headers)
        run.measures[q.key] = run_wrk(server, path, options, headers)
        run.measures[q.key].single_ms = single
    run.peak_rss_kb = server.peak_rss()
    return run


def _ids(reply: Reply, side: str) -> tuple[list[int], str]:
    """The page's passage ids and its total as both state it ("1,000+" past the bound)."""
    data = reply.json()
    if side == "anales":
        plus = "" if data.get("total_exact", True) else "+"
        return [item["id"] for item in data["items"]], f"{data.get('total'):,}{plus}"
    rows = data[:20]
    total = data[0]["total"] if data else 0
    said = f"{COUNT_LIMIT:,}+" if total > COUNT_LIMIT else f"{total:,}"
    return [row["id"] for row in rows], said


def compare(result: SizeResult, mix: list[Question]) -> None:
    """Warn where Anales and Datasette disagree; note how their answers differ."""
    ours, theirs = result.runs.get("anales"), result.runs.get("datasette")
    if ours is None or theirs is None:
        return
    for q in mix:
        a, d = ours.replies.get(q.key), theirs.replies.get(q.key)
        if a is None or d is None or a.status != 200 or d.status != 200:
            continue
        try:
            if q.compare_ids:
                (a_ids, a_total), (d_ids, d_total) = _ids(a, "anales"), _ids(d, "datasette")
                if a_ids != d_ids or a_total != d_total:
                    result.warnings.append(
                        f"WARNING {q.label}: Anales and Datasette differ: ids {a_ids[:5]}… "
                        f"(total {a_total}) vs {d_ids[:5]}… (total {d_total})"
                    )
                else:
                    result.notes.append(
                        f"{q.label}: same {len(a_ids)} passage ids and total ({a_total}) on both."
                    )
            elif q.key == "c":
                a_data, d_data = a.json(), d.json()[0]
                a_n, d_n = len(a_data["passages"]), len(d_data["passages"])
                a_of = a_data.get("passages_total", a_n)
                d_of = d_data.get("passages_total", d_n)
                a_ids = [p["id"] for p in a_data["passages"]]
                d_ids = [p["id"] for p in d_data["passages"]]
                if a_ids != d_ids or a_of != d_of:
                    result.warnings.append(
                        f"WARNING {q.label}: Anales embeds {a_n:,} of {a_of:,} passages, "
                        f"Datasette {d_n:,} of {d_of:,} (or other ids)"
                    )
                result.notes.append(
                    f"{q.label}: Anales embeds {a_n:,} of {a_of:,} passages "
                    f"({len(a.body):,} bytes), Datasette {d_n:,} of {d_of:,} ({len(d.body):,} "
                    "bytes)."
                )
            elif q.key in ("d", "g"):
                _, a_total = _ids(a, "anales")
                d_total = d.json().get("filtered_table_rows_count")
                result.notes.append(
                    f"{q.label}: Anales (substring match of folded words) finds {a_total}, "
                    f"Datasette (FTS5 tokens, counting every match) {d_total:,}."
                    if isinstance(d_total, int)
                    else f"{q.label}: Anales finds {a_total}; Datasette gave no count."
                )
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            result.warnings.append(f"WARNING {q.label}: could not compare answers: {exc!r}")


def compare_novel(result: SizeResult) -> None:
    """The novel streams' checked samples: every Anales run against Datasette, question by
    question, same passage ids and total, or a WARNING naming the first that differs."""
    theirs, ns = result.runs.get("datasette"), result.novel
    if theirs is None or ns is None:
        return
    asked = sample(ns.pools)
    for key, ours in result.runs.items():
        if key not in ("anales", "anales_nocache"):
            continue
        for q in ns.streams:
            pairs = list(
                zip(ours.samples.get(q.key, []), theirs.samples.get(q.key, []), strict=False)
            )
            if not pairs:
                continue
            differ, empty = [], 0
            for i, (a, d) in enumerate(pairs):
                try:
                    a_ids, a_total = _ids(a, "anales")
                    d_ids, d_total = _ids(d, "datasette")
                except (ValueError, KeyError, IndexError, TypeError) as exc:
                    differ.append(f"{fill(q.anales, asked[i])}: could not compare ({exc!r})")
                    continue
                empty += not a_ids
                if a_ids != d_ids or a_total != d_total:
                    differ.append(
                        f"{fill(q.anales, asked[i])}: ids {a_ids[:5]} (total {a_total}) vs "
                        f"{d_ids[:5]} (total {d_total})"
                    )
            if differ:
                result.warnings.append(
                    f"WARNING {ours.label} {q.label}: {len(differ)} of {len(pairs)} sample "
                    f"questions differ from Datasette's answers, first {differ[0]}"
                )
            elif key == "anales":
                result.notes.append(
                    f"{q.label}: the {len(pairs)} sample questions have the same passage ids "
                    f"and totals on both ({empty} with no match); "
                    f"{ns.pools.distinct()[q.key]:,} different questions possible."
                )


def database_path(passages: int) -> Path:
    return DATA_DIR / f"anales-{passages}.db"


def ensure_database(passages: int) -> tuple[BuildReport, bool, float]:
    path = database_path(passages)
    report = cached_report(path)
    if report is not None and report.passages == passages:
        log(f"N={passages:,}: reusing {path.relative_to(ROOT)}")
        return report, False, 0.0
    log(f"N={passages:,}: generating {path.relative_to(ROOT)}")
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "bench.generate", str(passages), str(path)]
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=sys.stderr)
    report = cached_report(path)
    if report is None:
        raise RuntimeError(f"{path}: the generator left no report")
    return report, True, time.perf_counter() - started


LABELS = {"anales_nocache": "Anales, cache off", "floor": "Floor"}


def novel_set(passages: int, stem: str) -> NovelSet:
    """The novel streams for the SQLite file of `passages` (also what the PostgreSQL
    database of that size holds: the same generator made both)."""
    pools = read_pools(database_path(passages))
    streams = novel_questions(stem)
    data = write_data(pools, streams, DATA_DIR / f"novel-{passages}.tsv")
    return NovelSet(pools, data, streams)


def capture_floor(path: Path) -> Path:
    """Anales' statements for each fixed question on `path`, recorded for the floor."""
    out = DATA_DIR / f"floor-{path.stem}.json"
    cmd = [sys.executable, "-m", "bench.floor", str(path), str(out)]
    log_path = DATA_DIR / "logs" / "floor-capture.log"
    with log_path.open("ab") as log_file:
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=log_file, stderr=log_file)
    return out


def bench_size(passages: int, options: Options) -> SizeResult:
    report, built, seconds = ensure_database(passages)
    path = database_path(passages)
    url = f"sqlite:///{path}"
    mix = questions(path.stem)
    result = SizeResult(passages, report, built, seconds)
    result.novel = novel_set(passages, path.stem)
    mix += result.novel.streams
    before = loadavg()
    # Measured at each size: other work on the machine changes what the ceiling is.
    with serving(ceiling_server()) as server:
        log("  ceiling")
        result.ceiling = run_wrk(server, "/", options)
    configs: list[tuple[str, Callable[[], Server], str]] = [
        ("anales", lambda: anales(url, cache=True), "anales"),
    ]
    if options.no_cache:
        configs.append(("anales_nocache", lambda: anales(url, cache=False), "anales"))
    configs.append(("datasette", lambda: datasette(path, immutable=options.immutable), "datasette"))
    configs.append(("floor", lambda: floor_server(path, capture_floor(path)), "floor"))
    for key, make, side in configs:
        with serving(make()) as server:
            label = LABELS.get(key, key.capitalize())
            run = run_questions(server, label, mix, options, side=side, ns=result.novel)
            if server.restarts:
                run.notes.append(f"{label}: the server was restarted {server.restarts} time(s)")
            result.runs[key] = run
    compare(result, mix)
    compare_novel(result)
    result.load = (before, loadavg())
    return result


# --- PostgreSQL --------------------------------------------------------------------------


def pg_database(admin: Engine, server_url: URL, passages: int) -> str:
    """The URL of the benchmark's PostgreSQL database of `passages`, built when missing or
    built from other data (a comment on the database records what it holds)."""
    name = f"{PG_DATABASE}_{passages}"
    url = server_url.set(database=name).render_as_string(hide_password=False)
    key = f"anales-bench {data_key()} N={passages}"
    with admin.connect() as conn:
        comment = conn.scalar(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = :name"
            ),
            {"name": name},
        )
        if comment == key:
            log(f"PostgreSQL: reusing {name}")
            return url
        log(f"PostgreSQL: building {name} with {passages:,} passages")
        # Only the benchmark's own databases are ever dropped.
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        cmd = [sys.executable, "-m", "bench.generate", str(passages), url]
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=sys.stderr)
        conn.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{key}'"))
    return url


def pg_run(
    url: str, mix: list[Question], options: Options, *, cache: bool, workers: int, ns: NovelSet
) -> ServerRun:
    """One Anales server on PostgreSQL through `mix`, with each worker's VmHWM at the start
    and after the runs (a worker whose peak keeps climbing holds state per request)."""
    core = 0 if workers == 1 else None
    server = anales(url, cache=cache, workers=workers, core=core, name=f"pg-{workers}")
    label = f"PostgreSQL, {workers} worker(s), cache {'on' if cache else 'off'}"
    with serving(server):
        pids = worker_pids(server)
        before = [proc_status(pid, "VmHWM") for pid in pids]
        run = run_questions(server, label, mix, options, side="anales", ns=ns)
        after = [proc_status(pid, "VmHWM") for pid in pids]
        run.workers_rss_kb = list(zip(before, after, strict=True))
        if server.restarts:
            run.notes.append(f"{label}: the server was restarted {server.restarts} time(s)")
    return run


def pg_mix_table(runs: dict[int, ServerRun], mixes: dict[int, list[Question]]) -> list[str]:
    """The whole mix, fixed and novel, against one worker with the cache off."""
    lines = [
        "### PostgreSQL, cache off, one worker",
        "",
        "Anales on PostgreSQL (the same data as the SQLite files of that size, built by the "
        "same generator), RESPONSE_CACHE_BYTES=0, one worker pinned to core 0; PostgreSQL "
        "itself runs unpinned on the same two cores.",
        "",
        "| passages | request | req/s | p50 ms | p99 ms | errors | alone ms | CPU ms/req |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for passages, run in runs.items():
        for q in mixes[passages]:
            m = run.measures.get(q.key)
            alone = fmt_ms(m.single_ms) if m and not m.failed and m.single_ms else "—"
            row = [f"{passages:,}", q.label, *cols(m), _errors(m), alone, _cpu(m)]
            lines.append("| " + " | ".join(row) + " |")
    for run in runs.values():
        lines += [f"- {note}" for note in run.notes]
    return [*lines, ""]


def pg_check(options: Options) -> list[str]:
    """On PostgreSQL: the whole mix against one worker with the cache off, then the filtered
    lists, (a) and (b), against one and two workers, cache off and on: on the seed, where
    the work is the app's own, and on 100,000 passages, where it is mostly the database's."""
    assert options.pg_url is not None
    server_url = make_url(options.pg_url)
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        urls = {n: pg_database(admin, server_url, n) for n in options.pg_sizes}
    finally:
        admin.dispose()

    filtered = [q for q in questions("unused") if q.key in ("a", "b")]
    full: dict[int, ServerRun] = {}
    mixes: dict[int, list[Question]] = {}
    rows: list[str] = []
    rss: list[str] = []
    for passages, bench_url in urls.items():
        ensure_database(passages)  # the SQLite twin the novel questions' pools come from
        ns = novel_set(passages, database_path(passages).stem)
        mixes[passages] = [*questions("unused"), *ns.streams]
        for cache in (False, True):
            numbers: dict[int, ServerRun] = {}
            for workers in (1, 2):
                if not cache and workers == 1:
                    run = pg_run(bench_url, mixes[passages], options, cache=False, workers=1, ns=ns)
                    full[passages] = run
                else:
                    run = pg_run(bench_url, filtered, options, cache=cache, workers=workers, ns=ns)
                numbers[workers] = run
                peaks = ", ".join(
                    f"{b / 1024:,.0f} → {a / 1024:,.0f} MiB" for b, a in run.workers_rss_kb
                )
                rss.append(f"- {passages:,} passages, {run.label}: worker VmHWM {peaks}.")
            for q in filtered:
                one, two = numbers[1].measures[q.key], numbers[2].measures[q.key]
                ratio_ = f"{two.rps / one.rps:.2f}×" if one.rps and two.rps else "—"
                rows.append(
                    f"| {passages:,} | {q.label}, cache {'on' if cache else 'off'} "
                    f"| {cell(one)} | {_cpu(one)} | {cell(two)} | {_cpu(two)} | {ratio_} |"
                )
    return [
        *pg_mix_table(full, mixes),
        "### PostgreSQL: one worker vs two",
        "",
        "One worker is pinned to core 0 as above; two workers are pinned to nothing (they "
        "share both cores with wrk, which stays on core 1, and with PostgreSQL). CPU ms/req "
        "is the Anales processes' CPU (all workers) per completed request; PostgreSQL's own "
        "is not in it.",
        "",
        "| passages | request | 1 worker req/s (p50 / p99 ms) | CPU ms/req "
        "| 2 workers req/s (p50 / p99 ms) | CPU ms/req | 2 / 1 |",
        "| ---: | --- | --- | ---: | --- | ---: | --- |",
        *rows,
        "",
        "Peak RSS (VmHWM) of each worker process when it had started and after its runs:",
        "",
        *rss,
        "",
    ]


# --- report ------------------------------------------------------------------------------


def fmt_ms(ms: float) -> str:
    if ms >= 1000:
        return f"{ms:,.0f}"
    return f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def cell(m: Measure) -> str:
    if m.failed:
        return m.failed
    if not m.requests:
        return f"none in {m.duration_s:.0f} s"
    flag = " ⚠" if m.error_count else ""
    return f"{m.rps:,.0f}{flag} ({fmt_ms(m.p50_ms)} / {fmt_ms(m.p99_ms)})"


def cols(m: Measure | None) -> list[str]:
    if m is None:
        return ["—", "—", "—"]
    if m.failed:
        return [m.failed, "—", "—"]
    if not m.requests:
        return [f"none in {m.duration_s:.0f} s", "—", "—"]
    flag = " ⚠" if m.error_count else ""
    return [f"{m.rps:,.0f}{flag}", fmt_ms(m.p50_ms), fmt_ms(m.p99_ms)]


def ratio(a: Measure | None, d: Measure | None) -> str:
    if a is None or d is None or a.failed or d.failed or not d.rps or not a.rps:
        return "—"
    return f"{a.rps / d.rps:.2f}"


def full_mix(result: SizeResult) -> list[Question]:
    """The fixed questions, then the novel streams."""
    streams = result.novel.streams if result.novel else []
    return [*questions(database_path(result.passages).stem), *streams]


def cpu_ratio(a: Measure | None, f: Measure | None) -> str:
    """Anales' CPU per request over the floor's (the target is ≤ 1.5)."""
    if a is None or f is None or a.failed or f.failed or not a.cpu_ms or not f.cpu_ms:
        return "—"
    return f"{a.cpu_ms / f.cpu_ms:.2f}"


def floor_cols(result: SizeResult, q: Question) -> list[str]:
    """Floor req/s, its CPU ms per request, and Anales (cache off) CPU ÷ floor CPU."""
    floor = result.runs.get("floor")
    f = floor.measures.get(q.key) if floor else None
    if f is None or f.failed or not f.requests:
        return ["—" if f is None else cols(f)[0], "—", "—"]
    nocache = result.runs.get("anales_nocache")
    n = nocache.measures.get(q.key) if nocache else None
    cpu = fmt_ms(f.cpu_ms) if f.cpu_ms is not None else "—"
    return [cols(f)[0], cpu, cpu_ratio(n, f)]


def size_table(result: SizeResult, options: Options) -> list[str]:
    ceiling = result.ceiling
    mix = full_mix(result)
    ours = result.runs["anales"]
    nocache = result.runs.get("anales_nocache")
    theirs = result.runs["datasette"]
    head = (
        "| request | Anales req/s | p50 ms | p99 ms | Datasette req/s | p50 ms | p99 ms | ratio |"
    )
    rule = "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    if nocache:
        head += " Anales, cache off req/s | p50 ms | p99 ms | ratio, cache off |"
        rule += " ---: | ---: | ---: | ---: |"
    head += " floor req/s | floor CPU ms/req | cache off CPU ÷ floor CPU |"
    rule += " ---: | ---: | ---: |"
    lines = [f"### {result.passages:,} passages", "", head, rule]
    for q in mix:
        a = ours.measures.get(q.key)
        d = theirs.measures.get("a" if q.conditional else q.key)
        row = [q.label, *cols(a), *cols(d), ratio(a, d)]
        if nocache:
            n = nocache.measures.get(q.key)
            row += [*cols(n), ratio(n, d)]
        row += floor_cols(result, q)
        lines.append("| " + " | ".join(row) + " |")
    ceiling_row = ["ceiling: bare Starlette, constant bytes", *cols(ceiling), "—", "—", "—", "—"]
    if nocache:
        ceiling_row += ["—", "—", "—", "—"]
    ceiling_row += ["—", "—", "—"]
    lines += ["| " + " | ".join(ceiling_row) + " |", ""]
    lines += cost_table(result, mix, options)

    r = result.report
    built = "built now" if result.built_now else f"cached, built {r.built_at}"
    if r.synthetic:
        lines.append(
            f"- Load: {r.synthetic:,} synthetic passages with their links in "
            f"{r.seconds_synthetic:.1f} s = **{r.load_rate:,.0f} passages/s** "
            f"({r.cpu_seconds_synthetic:.1f} s of CPU, "
            f"{r.synthetic / r.cpu_seconds_synthetic:,.0f} passages per CPU-second); "
            f"whole build {r.seconds_total:.1f} s ({built})."
        )
    else:
        lines.append(f"- Load: the real seed alone; whole build {r.seconds_total:.1f} s ({built}).")
    links = ", ".join(f"{k.removeprefix('passage_')} {v:,}" for k, v in r.links.items())
    lines.append(f"- Links: {links}.")
    size = database_path(result.passages).stat().st_size
    lines.append(f"- Database file: {size / 2**20:,.1f} MiB.")
    lines.append(f"- Load average while measuring: {result.load[0]} → {result.load[1]}.")
    rss = [f"Anales {ours.peak_rss_kb / 1024:,.0f} MiB"]
    if nocache:
        rss.append(f"Anales, cache off {nocache.peak_rss_kb / 1024:,.0f} MiB")
    rss.append(f"Datasette {theirs.peak_rss_kb / 1024:,.0f} MiB")
    if "floor" in result.runs:
        rss.append(f"floor {result.runs['floor'].peak_rss_kb / 1024:,.0f} MiB")
    lines.append(f"- Peak RSS (VmHWM) after the runs: {', '.join(rss)}.")
    lines.append(
        "- (f) on Datasette: it sends no ETag, so its columns repeat its plain (a) numbers."
    )
    slow = [
        f"{run.label} {q.label}"
        for run in result.runs.values()
        for q in mix
        if (m := run.measures.get(q.key)) is not None
        and not m.failed
        and m.requests < options.connections
    ]
    if slow:
        lines.append(
            f"- Fewer answers than connections ({options.connections}) within the run, so "
            "their req/s says little; read the cost table: " + "; ".join(slow) + "."
        )
    for run in result.runs.values():
        for q in mix:
            m = run.measures.get(q.key)
            if m is not None and m.error_count:
                lines.append(
                    f"- ⚠ {run.label} {q.label}: {m.error_count:,} errors of "
                    f"{m.requests:,} requests {m.errors} (timeout = no answer in "
                    f"{options.timeout} s; status = HTTP 4xx/5xx)."
                )
        lines += [f"- {note}" for note in run.notes]
    lines += [f"- {note}" for note in result.notes]
    lines += [f"- **{warning}**" for warning in result.warnings]
    lines.append("")
    return lines


def _cpu(m: Measure | None) -> str:
    return fmt_ms(m.cpu_ms) if m is not None and not m.failed and m.cpu_ms is not None else "—"


def _errors(m: Measure | None) -> str:
    return "—" if m is None or m.failed else f"{m.error_count:,}"


def summary_table(results: list[SizeResult]) -> list[str]:
    """The lead table: what answering costs when the answer is not in memory (novel
    questions first, then the fixed ones, with the cache off) against Datasette and the
    floor; the cached answer beside."""
    lines = [
        "## Summary: uncached answers",
        "",
        "Anales with its response cache off (every answer computed) against Datasette on the "
        "same file, and against the floor (Anales' own SQL in a bare route); the novel "
        "questions (n1–n3) are drawn at random per request, so no cache could have seen "
        "them. *Cached answer* is Anales as deployed, its response cache on: repeated URLs "
        "are answered from memory.",
        "",
        "| passages | request | Anales, cache off req/s (p50 / p99 ms) | errors | CPU ms/req "
        "| Datasette req/s (p50 / p99 ms) | errors | CPU ms/req | cache off ÷ Datasette "
        "| floor req/s | cache off CPU ÷ floor CPU | cached answer req/s | cached ÷ Datasette |",
        "| ---: | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        mix = full_mix(result)
        ordered = [q for q in mix if q.novel] + [q for q in mix if not q.novel]
        runs = result.runs
        for q in ordered:
            n = runs["anales_nocache"].measures.get(q.key) if "anales_nocache" in runs else None
            c = runs["anales"].measures.get(q.key)
            d = runs["datasette"].measures.get("a" if q.conditional else q.key)
            floor_rps, _, floor_ratio = floor_cols(result, q)
            row = [f"{result.passages:,}", q.label]
            row += [cell(n) if n else "—", _errors(n), _cpu(n)]
            row += [cell(d) if d else "—", _errors(d), _cpu(d), ratio(n, d)]
            row += [floor_rps, floor_ratio, cols(c)[0], ratio(c, d)]
            lines.append("| " + " | ".join(row) + " |")
    return [*lines, ""]


def cost_table(result: SizeResult, mix: list[Question], options: Options) -> list[str]:
    """One request at a time, and the servers' CPU per request under load: numbers that
    other work on the machine moves much less than req/s."""
    keys = ("anales", "anales_nocache", "datasette", "floor")
    runs = [r for k, r in result.runs.items() if k in keys]
    head = "| request | " + " | ".join(f"{r.label}: alone ms | CPU ms/req" for r in runs) + " |"
    lines = [
        "Cost per request: median latency of requests sent one at a time (*alone*), and the "
        "server's CPU time per completed request during the loaded run (~ where fewer than "
        f"{4 * options.connections} requests completed: the work on requests still running "
        "when the run ended is counted too, so it overstates; read *alone* there).",
        "",
        head,
        "| --- |" + " ---: | ---: |" * len(runs),
    ]
    for q in mix:
        row = [q.label]
        for r in runs:
            m = r.measures.get("a" if q.conditional and r.label == "Datasette" else q.key)
            if m is None or m.failed:
                row += ["—", "—"]
                continue
            row.append(fmt_ms(m.single_ms) if m.single_ms is not None else "—")
            rough = "~" if m.requests < 4 * options.connections else ""
            row.append(rough + fmt_ms(m.cpu_ms) if m.cpu_ms is not None else "—")
        lines.append("| " + " | ".join(row) + " |")
    c = result.ceiling
    if c.cpu_ms is not None:
        lines.append(f"| ceiling | — | {fmt_ms(c.cpu_ms)} |" + " — | — |" * (len(runs) - 1))
    return [*lines, ""]


def machine() -> list[str]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    git = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return [
        f"- Date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"- Machine: {os.cpu_count()} CPUs (nproc), {model}, {platform.platform()}",
        f"- Code: git {git or 'unknown'}",
        f"- Anales: Python {platform.python_version()} (SQLite {sqlite3.sqlite_version}), "
        f"uvicorn {version('uvicorn')}, FastAPI {version('fastapi')}, "
        f"SQLAlchemy {version('sqlalchemy')}; {datasette_version()}",
        f"- Load generator: {wrk.split(' Copyright')[0].strip()}",
    ]


def settings_lines(options: Options) -> list[str]:
    pin = (
        "each server pinned to core 0 and wrk to core 1 (taskset)"
        if can_pin()
        else "nothing pinned (no taskset or a single core)"
    )
    mode = "--immutable" if options.immutable else "read-only, not immutable (mode=ro)"
    return [
        f"- Load: wrk, {options.threads} threads, {options.connections} connections, "
        f"{options.duration} s per request and server, {options.timeout} s timeout; {pin}; "
        "one server at a time, one uvicorn worker each, access logs off on all servers.",
        f"- Anales: `uvicorn app.main:app --workers 1 --no-access-log`, LOG_LEVEL=WARNING, "
        f"STATEMENT_TIMEOUT_MS={STATEMENT_TIMEOUT_MS}; response cache as configured "
        '(32 MiB) and, in the "cache off" columns, RESPONSE_CACHE_BYTES=0.',
        f"- Datasette: the same file, {mode}; "
        + ", ".join(f"{k}={v}" for k, v in DATASETTE_SETTINGS.items())
        + "; uvicorn with uvloop and httptools as Anales'.",
        "- Columns: requests/s over the run (⚠ = some requests failed, see the notes), "
        "median and 99th-percentile latency in ms; ratio = Anales req/s ÷ Datasette req/s.",
        f"- Novel questions (n1–n3): bench/novel.lua draws each request from math.random "
        f"seeded with {NOVEL_SEED} plus the wrk thread's number; the floor is bench/floor.py "
        "replaying Anales' recorded SQL in a bare route (see bench/README.md).",
    ]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    options = Options.from_env()
    os.chdir(ROOT)
    ensure_wrk()
    ensure_datasette()
    load_before = loadavg()
    log(f"sizes {options.sizes}, {options.duration} s per run; load average {load_before}")
    sections: list[str] = []
    results: list[SizeResult] = []
    for passages in options.sizes:
        result = bench_size(passages, options)
        results.append(result)
        table = size_table(result, options)
        print("\n".join(table), file=sys.stderr)
        sections += table
    if options.import_lines:
        log(f"import rate: {options.import_lines:,} lines")
        runs = import_rates(options.import_lines, DATA_DIR, ROOT, options.pg_url)
        sections += import_table(runs)
    if options.pg_url:
        try:
            sections += pg_check(options)
        except Exception as exc:  # the SQLite results still stand
            sections += [f"PostgreSQL check failed: {exc!r}"]
    else:
        sections.append(
            f"PostgreSQL check skipped: set BENCH_PG_URL (1 for {DEFAULT_PG_URL}) to run it."
        )
    lines = [
        "# Anales vs Datasette",
        "",
        *summary_table(results),
        "## Setup",
        "",
        *machine(),
        f"- Load average (1, 5, 15 min): {load_before} before, {loadavg()} after "
        "(other work on the machine skews the numbers).",
        *settings_lines(options),
        "",
        *sections,
        "",
    ]
    markdown = "\n".join(lines)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "latest.md").write_text(markdown)
    (RESULTS_DIR / time.strftime("%Y-%m-%d-%H%M%S.md")).write_text(markdown)
    print(markdown)
    log(f"written to {(RESULTS_DIR / 'latest.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
