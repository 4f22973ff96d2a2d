"""The floor: what answering each fixed question costs with Anales' own SQL and nothing else.

One plain `def` route per question (served by uvicorn like Anales: one worker, the same
pinning) runs the statements Anales' plain path ran for it, with their parameters, on one
sqlite3 connection per thread, and returns the rows as JSON: no middleware, no validation, no
ORM, no response models. Anales' CPU per request over the floor's is then what the app adds
to its SQL.

The statements are recorded, not respelled: `capture` asks Anales (in this process, cache
off) each question twice and keeps what reached the driver the second time, so the floor
follows whatever SQL the app runs today.

    .venv/bin/python -m bench.floor bench/.data/anales-15.db statements.json   # capture
    FLOOR_DATABASE=bench/.data/anales-15.db FLOOR_STATEMENTS=statements.json \\
        .venv/bin/uvicorn bench.floor:app
"""

import json
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from sqlalchemy import Engine, event

DATABASE_ENV = "FLOOR_DATABASE"
STATEMENTS_ENV = "FLOOR_STATEMENTS"

Statement = tuple[str, list[Any]]


def capture(database: Path, paths: dict[str, tuple[str, dict[str, str]]]) -> dict[str, Any]:
    """{key: {"status", "statements"}} for each `paths[key] = (path, headers)` asked of
    Anales on `database` with its response cache off; `{etag}` in a header value stands for
    the ETag of the path's plain answer."""
    from fastapi.testclient import TestClient

    from app.core.config import Settings
    from app.main import create_app

    settings = Settings(
        database_url=f"sqlite:///{database}", response_cache_bytes=0, log_level="WARNING"
    )
    seen: list[Statement] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, list(parameters or ())))

    captured: dict[str, Any] = {}
    with TestClient(create_app(settings)) as client:
        event.listen(Engine, "before_cursor_execute", record)
        try:
            for key, (path, headers) in paths.items():
                etag = client.get(path).headers.get("etag", "")
                asked = {name: value.replace("{etag}", etag) for name, value in headers.items()}
                client.get(path, headers=asked)  # a first answer may warm what the app keeps
                seen.clear()
                status = client.get(path, headers=asked).status_code
                captured[key] = {"status": status, "statements": list(seen)}
        finally:
            event.remove(Engine, "before_cursor_execute", record)
    return captured


_local = threading.local()


def _connection() -> sqlite3.Connection:
    """This thread's connection, opened like Anales' (autocommit driver, the SQL's BEGIN)."""
    db: sqlite3.Connection | None = getattr(_local, "db", None)
    if db is None:
        db = sqlite3.connect(os.environ[DATABASE_ENV], isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        _local.db = db
    return db


def run_statements(statements: Sequence[Statement]) -> list[list[dict[str, Any]]]:
    """Every statement's rows, as column → value objects."""
    db = _connection()
    results = []
    for sql, parameters in statements:
        cursor = db.execute(sql, parameters)
        if cursor.description:
            names = [column[0] for column in cursor.description]
            results.append([dict(zip(names, row, strict=True)) for row in cursor])
    if db.in_transaction:
        db.commit()
    return results


def _route(status: int, statements: Sequence[Statement]) -> Callable[[], Response]:
    def answer() -> Response:
        rows = run_statements(statements)
        if status == 304:
            return Response(status_code=304)
        return Response(json.dumps(rows).encode(), media_type="application/json")

    return answer


def create_floor(captured: dict[str, Any]) -> FastAPI:
    floor = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    floor.add_api_route("/healthz", lambda: Response(b"{}", media_type="application/json"))
    for key, recorded in captured.items():
        statements = [(sql, params) for sql, params in recorded["statements"]]
        floor.add_api_route(f"/{key}", _route(recorded["status"], statements))
    return floor


def _from_env() -> FastAPI:
    path = os.environ.get(STATEMENTS_ENV)
    return create_floor(json.loads(Path(path).read_text()) if path else {})


app = _from_env()


def main(argv: Sequence[str]) -> int:
    """Capture the fixed questions' statements on the file `argv[0]` into `argv[1]`."""
    from bench.questions import questions

    database, out = Path(argv[0]), Path(argv[1])
    paths = {
        q.key: (q.anales, {"If-None-Match": "{etag}"} if q.conditional else {})
        for q in questions(database.stem)
    }
    out.write_text(json.dumps(capture(database, paths)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
