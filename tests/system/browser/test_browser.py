"""Real consumers in a real browser: headless Chromium (Debian's `chromium`) renders the
TimelineJS3 timeline and the vis-network graph from a running Anales (uvicorn on 127.0.0.1),
and uses its /docs. Every asset is served locally (the npm packages pinned in
tests/system/browser/package-lock.json); requests leaving 127.0.0.1 are refused and reported.

Screenshots are kept in tests/system/browser/artifacts/<backend>/.
"""

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.config import PROJECT_ROOT

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = HERE / "artifacts"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which("node") is None,
    reason="needs Debian's chromium at /usr/bin/chromium and node (apt-get install chromium "
    "nodejs npm; .ci/run installs them)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """The pinned front-end packages and the Chromium driver, installed once."""
    target = HERE / "node_modules"
    if not (target / "playwright-core").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            check=True,
            timeout=300,
            env={**os.environ, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"},
        )
    return target


@pytest.fixture(scope="module")
def anales(seeded_url: str) -> Iterator[str]:
    """A real Anales server on a free port, on this backend's seeded database."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": seeded_url, "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                stderr = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"uvicorn did not start: {stderr[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture(scope="module")
def pages(node_modules: Path) -> Iterator[str]:
    """tests/system/browser served over HTTP: the pages and the packages they load."""
    handler = functools.partial(_QuietHandler, directory=str(HERE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def seen(anales: str, pages: str, backend: str) -> dict[str, Any]:
    """What Chromium saw on the three pages (see drive.mjs)."""
    artifacts = ARTIFACTS / backend
    artifacts.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(
        ["node", str(HERE / "drive.mjs"), anales, pages, str(artifacts)],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result: dict[str, Any] = json.loads(run.stdout)
    assert "failure" not in result, result.get("failure")
    return result


def test_everything_is_served_locally(seen: dict[str, Any]) -> None:
    assert seen["offsite"] == []
    assert seen["errors"] == []


def test_timeline_shows_the_pact_and_the_succession(seen: dict[str, Any]) -> None:
    timeline = seen["timeline"]
    assert timeline["error"] is None
    assert "Pacto Ribbentrop-Mólotov" in timeline["markers"]
    assert "Gorbachov sucede a Chernenko" in timeline["markers"]
    assert any("1939" in date for date in timeline["dates"])
    assert any("1985" in date for date in timeline["dates"])
    assert "Guerra Fría" in timeline["eras"]


def test_graph_has_the_kgb_node(seen: dict[str, Any]) -> None:
    graph = seen["graph"]
    assert graph["error"] is None
    assert "actors/kgb" in graph["nodes"]
    assert "KGB" in graph["labels"]
    assert graph["kgb"] is not None, "the KGB node was laid out"
    assert graph["edges"] > 0


def test_docs_list_every_endpoint_and_try_it_out_works(seen: dict[str, Any], anales: str) -> None:
    spec = httpx.get(f"{anales}/openapi.json").json()
    expected = {
        f"{method.upper()} {path}" for path, methods in spec["paths"].items() for method in methods
    }
    assert expected <= set(seen["docs"]["operations"])
    assert seen["docs"]["tryItOut"] == "200"
    assert json.loads(seen["docs"]["body"])["total"] == 15
