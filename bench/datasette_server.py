"""Serve one SQLite file with Datasette, as `datasette serve` does but without access logs.

Run by the Datasette venv's Python (bench/.venv-datasette), never by the app's:

    bench/.venv-datasette/bin/python bench/datasette_server.py FILE PORT [--immutable]
        [--setting NAME VALUE]...

`datasette serve` always runs uvicorn at log level "info", which writes an access log line
per request; Anales runs with `--no-access-log`, so this launcher makes the same Datasette
app (`Datasette(files, ...).app()`, the object `serve` hands to uvicorn) and runs it with
uvicorn's access log off.
"""

import argparse
import sys
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file")
    parser.add_argument("port", type=int)
    parser.add_argument("--immutable", action="store_true")
    parser.add_argument("--setting", nargs=2, action="append", default=[])
    args = parser.parse_args(argv)

    import uvicorn
    from datasette.app import Datasette  # type: ignore[import-not-found,unused-ignore]

    settings: dict[str, Any] = {}
    for name, value in args.setting:
        settings[name] = {"on": True, "off": False}.get(value, value)
        if isinstance(settings[name], str) and settings[name].isdigit():
            settings[name] = int(settings[name])
    files = [] if args.immutable else [args.file]
    immutables = [args.file] if args.immutable else []
    datasette = Datasette(files, immutables=immutables, settings=settings)
    uvicorn.run(
        datasette.app(),
        host="127.0.0.1",
        port=args.port,
        lifespan="on",
        access_log=False,
        log_level="warning",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
