"""Soak test: one uvicorn worker on PostgreSQL under a steady request mix, checked for errors
and memory growth. `make soak`; SOAK_SECONDS (default 300) sets the length of the load.

1. Creates (or reuses) the database `anales_soak` on 127.0.0.1:5432, migrates and seeds it
   (`alembic upgrade head`, `python -m app seed`: both idempotent).
2. Starts `uvicorn app.main:app` (one worker) on a free loopback port.
3. Warms it up, reads the worker's RSS, drives the mix with wrk (32 connections) for
   SOAK_SECONDS, and reads the RSS again (sampled every 5 s in between).
4. Writes bench/results/soak.md and exits 1 if a bound fails: any response outside 2xx/3xx,
   any socket error (connect, read, write, timeout), RSS growth over 10 %, or an ERROR logged.

Everything stays on 127.0.0.1 and stops by itself. Environment:

| variable | default | meaning |
| --- | --- | --- |
| SOAK_SECONDS | 300 | seconds of measured load |
| SOAK_WARMUP | 20 | seconds of load before the first RSS reading |
| SOAK_CONNECTIONS, SOAK_THREADS | 32, 2 | wrk's -c and -t |
| SOAK_TIMEOUT | 5 | wrk's per-request timeout in seconds (slower answers count as errors) |
| SOAK_ADMIN_URL | postgres@127.0.0.1:5432/postgres (psycopg) | server to create the db on |
| SOAK_DATABASE | anales_soak | database name |
| SOAK_MAX_RSS_GROWTH | 0.10 | largest allowed RSS growth from start to end |
"""

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "bench" / "results" / "soak.md"
BIN = Path(sys.executable).parent

# The request mix: (weight, path, revalidate). A revalidating request sends If-None-Match
# with the ETag the path had before the load, so it is answered 304 while the data holds.
MIX: list[tuple[int, str, bool]] = [
    (3, "/api/v1/passages?theme=seguridad-colectiva&from=1930&to=1939", False),
    (2, "/api/v1/events?theme=espionaje&from=1940&to=1991", False),
    (3, "/api/v1/passages?era=guerra-fria&region=tercer-mundo", False),
    (1, "/api/v1/events?era=guerra-fria&region=europa", False),
    (2, "/api/v1/passages/6", False),
    (2, "/api/v1/actors/kgb", False),
    (3, "/api/v1/passages?q=litvinov", False),
    (1, "/api/v1/actors?q=gorbachev", False),
    (2, "/api/v1/timeline?era=guerra-fria", False),
    (3, "/api/v1/passages?theme=seguridad-colectiva&from=1930&to=1939", True),
    (2, "/api/v1/timeline?era=guerra-fria", True),
    (1, "/api/v1/actors/kgb", True),
]

LUA = """
local threads = {}
local requests = {}
local position = 0
counts = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for i, spec in ipairs(SPECS) do
    requests[i] = wrk.format("GET", spec[1], spec[2])
  end
  position = math.random(#requests)
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local statuses = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      statuses[tostring(status)] = (statuses[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(statuses) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  io.write(string.format(
    'SOAK-JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_ms": {"p50": %.3f, "p90": %.3f, "p99": %.3f, "max": %.3f, "mean": %.3f}, ' ..
    '"statuses": {%s}}\\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    table.concat(parts, ", ")))
end
"""


def say(message: str) -> None:
    sys.stderr.write(f"soak: {message}\n")
    sys.stderr.flush()


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Config:
    seconds: int = env_int("SOAK_SECONDS", 300)
    warmup: int = env_int("SOAK_WARMUP", 20)
    connections: int = env_int("SOAK_CONNECTIONS", 32)
    threads: int = env_int("SOAK_THREADS", 2)
    timeout: int = env_int("SOAK_TIMEOUT", 5)
    admin_url: str = os.environ.get(
        "SOAK_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    database: str = os.environ.get("SOAK_DATABASE", "anales_soak")
    max_growth: float = float(os.environ.get("SOAK_MAX_RSS_GROWTH", "0.10"))

    @property
    def database_url(self) -> str:
        url = make_url(self.admin_url).set(database=self.database)
        return url.render_as_string(hide_password=False)


_LEVEL = '"level": "'


@dataclass
class LogCounter:
    """Reads the server's log lines as they come and counts them by level."""

    levels: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)

    def feed(self, stream: Any) -> None:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            start = line.find(_LEVEL)
            if start < 0:
                level = "TEXT"
            else:
                start += len(_LEVEL)
                level = line[start : line.find('"', start)]
            self.levels[level] = self.levels.get(level, 0) + 1
            if level in ("WARNING", "ERROR", "CRITICAL", "TEXT") and len(self.samples) < 20:
                self.samples.append(line[:400])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    say("wrk is missing; installing Debian's package")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("soak: wrk could not be installed")
    return found


def prepare_database(config: Config) -> None:
    admin = create_engine(config.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": config.database}
            )
            if not exists:
                say(f"creating database {config.database}")
                connection.execute(text(f'CREATE DATABASE "{config.database}"'))
    finally:
        admin.dispose()
    env = {**os.environ, "DATABASE_URL": config.database_url}
    subprocess.run([str(BIN / "alembic"), "upgrade", "head"], cwd=ROOT, env=env, check=True)
    subprocess.run([str(BIN / "python"), "-m", "app", "seed"], cwd=ROOT, env=env, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def wait_ready(base: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"soak: the server exited with {server.returncode}")
        try:
            if get(f"{base}/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("soak: the server did not become ready")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of `pid`: proof that the process measured is the one serving."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def lua_script(base: str, directory: Path) -> Path:
    specs = []
    for weight, path, revalidate in MIX:
        headers = {}
        if revalidate:
            status, response_headers = get(base + path)
            etag = response_headers.get("etag") or response_headers.get("ETag")
            if status != 200 or not etag:
                raise SystemExit(f"soak: {path} gave {status} without an ETag")
            headers["If-None-Match"] = etag
            if get(base + path, headers)[0] != 304:
                raise SystemExit(f"soak: {path} does not revalidate to 304")
        lua_headers = ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in headers.items())
        specs += [f"  {{{json.dumps(path)}, {{{lua_headers}}}}}"] * weight
    script = directory / "soak.lua"
    script.write_text("SPECS = {\n" + ",\n".join(specs) + "\n}\n" + LUA)
    return script


def run_wrk(wrk: str, config: Config, base: str, script: Path, seconds: int) -> dict[str, Any]:
    command = [wrk, "-t", str(config.threads), "-c", str(config.connections)]
    command += ["-d", f"{seconds}s", "--timeout", f"{config.timeout}s", "-s", str(script), base]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    for line in result.stdout.splitlines():
        if line.startswith("SOAK-JSON "):
            data: dict[str, Any] = json.loads(line.removeprefix("SOAK-JSON "))
            data["wrk_output"] = result.stdout
            return data
    raise SystemExit(f"soak: no summary from wrk:\n{result.stdout}\n{result.stderr}")


def socket_errors(result: dict[str, Any]) -> int:
    errors = result["errors"]
    return int(errors["connect"] + errors["read"] + errors["write"] + errors["timeout"])


def outside_2xx_3xx(result: dict[str, Any]) -> int:
    return sum(n for status, n in result["statuses"].items() if not 200 <= int(status) < 400)


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "app", "migrations"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def report(
    config: Config,
    result: dict[str, Any],
    rss: dict[str, int],
    cpu: dict[str, float],
    samples: list[tuple[float, int]],
    logs: LogCounter,
    checks: list[tuple[str, bool, str]],
) -> str:
    seconds = result["duration_us"] / 1e6
    latency = result["latency_ms"]
    statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(result["statuses"].items()))
    growth = (rss["end"] - rss["start"]) / rss["start"]
    lines = [
        "# Soak test",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {git_commit()}; `make soak` "
        f"(scripts/soak.py). One uvicorn worker on PostgreSQL (`{config.database}` on "
        f"127.0.0.1), wrk with {config.connections} connections and {config.threads} threads "
        f"for {config.seconds} s after a {config.warmup} s warm-up, {os.cpu_count()} CPUs.",
        "",
        "Mix (weights): filtered lists (theme + from/to, era + region), details, `q` search, "
        "the timeline, and If-None-Match revalidations answered 304:",
        "",
        *[
            f"- {weight} × `{path}`" + (" with If-None-Match" if revalidate else "")
            for weight, path, revalidate in MIX
        ],
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| requests | {result['requests']:,} in {seconds:.1f} s "
        f"({result['requests'] / seconds:,.0f}/s) |",
        f"| statuses | {statuses} |",
        f"| outside 2xx/3xx | {outside_2xx_3xx(result)} |",
        f"| socket errors (connect, read, write, timeout) | {result['errors']['connect']}, "
        f"{result['errors']['read']}, {result['errors']['write']}, "
        f"{result['errors']['timeout']} |",
        f"| latency p50 / p90 / p99 / max | {latency['p50']:.1f} / {latency['p90']:.1f} / "
        f"{latency['p99']:.1f} / {latency['max']:.1f} ms |",
        f"| worker RSS after warm-up | {rss['start'] / 1024:.1f} MiB |",
        f"| worker RSS at the end | {rss['end'] / 1024:.1f} MiB ({growth:+.1%}) |",
        f"| worker RSS highest sample; peak (VmHWM) | {max(v for _, v in samples) / 1024:.1f} MiB; "
        f"{rss['peak'] / 1024:.1f} MiB |",
        f"| worker CPU time during the load | {cpu['end'] - cpu['start']:.1f} s |",
        f"| server log lines by level | "
        f"{', '.join(f'{k}: {v:,}' for k, v in sorted(logs.levels.items()))} |",
        "",
        "| bound | result | |",
        "| --- | --- | --- |",
        *[f"| {name} | {'pass' if ok else '**FAIL**'} | {detail} |" for name, ok, detail in checks],
        "",
        "RSS samples (seconds into the measured load, MiB): "
        + ", ".join(f"{t:.0f}: {v / 1024:.1f}" for t, v in samples),
        "",
    ]
    if logs.samples:
        lines += ["Logged warnings and errors (first 20):", "", "```", *logs.samples, "```", ""]
    return "\n".join(lines)


def main() -> int:
    config = Config()
    wrk = ensure_wrk()
    say(f"preparing {config.database_url}")
    prepare_database(config)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": config.database_url, "LOG_LEVEL": "INFO"}
    command = [str(BIN / "python"), "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1", "--no-access-log"]
    say(f"starting {' '.join(command[2:])}")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE)
    logs = LogCounter()
    assert server.stderr is not None
    reader = threading.Thread(target=logs.feed, args=(server.stderr,), daemon=True)
    reader.start()
    try:
        wait_ready(base, server)
        with tempfile.TemporaryDirectory(prefix="anales-soak-") as tmp:
            script = lua_script(base, Path(tmp))
            say(f"warming up for {config.warmup} s")
            run_wrk(wrk, config, base, script, config.warmup)
            rss = {"start": rss_kib(server.pid)}
            cpu = {"start": cpu_seconds(server.pid)}
            samples: list[tuple[float, int]] = [(0.0, rss["start"])]
            stop = threading.Event()
            started = time.monotonic()

            def sample() -> None:
                while not stop.wait(5):
                    samples.append((time.monotonic() - started, rss_kib(server.pid)))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            say(f"loading for {config.seconds} s with {config.connections} connections")
            result = run_wrk(wrk, config, base, script, config.seconds)
            stop.set()
            sampler.join()
            rss["end"] = rss_kib(server.pid)
            rss["peak"] = peak_rss_kib(server.pid)
            cpu["end"] = cpu_seconds(server.pid)
            samples.append((time.monotonic() - started, rss["end"]))
            if server.poll() is not None:
                raise SystemExit(f"soak: the server died with {server.returncode}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        reader.join(5)

    growth = (rss["end"] - rss["start"]) / rss["start"]
    errors_logged = sum(logs.levels.get(level, 0) for level in ("ERROR", "CRITICAL"))
    checks = [
        ("no response outside 2xx/3xx", outside_2xx_3xx(result) == 0, ""),
        ("no socket errors", socket_errors(result) == 0, ""),
        (
            f"RSS growth ≤ {config.max_growth:.0%}",
            growth <= config.max_growth,
            f"{growth:+.1%}",
        ),
        ("no ERROR logged", errors_logged == 0, f"{errors_logged} logged"),
        ("revalidations answered 304", result["statuses"].get("304", 0) > 0, ""),
    ]
    markdown = report(config, result, rss, cpu, samples, logs, checks)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(markdown)
    sys.stdout.write(markdown)
    failed = [name for name, ok, _ in checks if not ok]
    if failed:
        say(f"FAILED: {', '.join(failed)}")
        return 1
    say(f"passed; wrote {RESULT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
