"""Command line for curators: `python -m app seed|keys|import|export …`.

python -m app seed [--check] [SEED_DIR]                       # validate and load seed/
python -m app keys create --name alice --scope write     # prints the key once
python -m app keys list
python -m app keys revoke PREFIX
python -m app import article.txt                          # or a .jsonl file
python -m app export OUT_DIR                              # back to the seed format
"""

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.orm import Session
from tqdm import tqdm

from app.core.config import Settings, get_settings
from app.core.db import WRITE_OPTION, create_db_engine, create_sessionmaker
from app.core.kinds import PASSAGE_LINKS
from app.corpus import seed
from app.corpus.export import export_seed
from app.corpus.importer import Outcome, write_passages
from app.models import ApiKey, Scope
from app.models.base import utcnow
from app.repositories import curation as repo
from app.schemas.write import PassageCreate
from app.services.keys import generate_key

CLI_KEY_NAME = "command line import"


def keys_create(settings: Settings, name: str, scopes: Sequence[str]) -> int:
    new = generate_key()
    engine = create_db_engine(settings)
    try:
        with create_sessionmaker(engine).begin() as session:
            session.add(
                ApiKey(
                    name=name,
                    prefix=new.prefix,
                    secret_hash=new.secret_hash,
                    scopes=sorted(set(scopes)),
                )
            )
    finally:
        engine.dispose()
    print(f"Created key '{name}' ({', '.join(sorted(set(scopes)))}), prefix {new.prefix}.")
    print("It is shown this once; only its hash is stored:")
    print(new.key)
    return 0


def keys_list(settings: Settings) -> int:
    engine = create_db_engine(settings)
    try:
        with create_sessionmaker(engine)() as session:
            rows = repo.list_keys(session)
            print(f"{'prefix':<10} {'name':<24} {'scopes':<14} {'created':<20} status")
            for key in rows:
                state = "revoked" if key.revoked_at else "active"
                created = key.created_at.strftime("%Y-%m-%d %H:%M")
                scopes = ",".join(key.scopes)
                print(f"{key.prefix:<10} {key.name:<24} {scopes:<14} {created:<20} {state}")
    finally:
        engine.dispose()
    return 0


def keys_revoke(settings: Settings, prefix: str) -> int:
    engine = create_db_engine(settings)
    try:
        with create_sessionmaker(engine).begin() as session:
            key = repo.key_by_prefix(session, prefix)
            if key is None:
                print(f"No key has prefix {prefix}.", file=sys.stderr)
                return 1
            if key.revoked_at is None:
                key.revoked_at = utcnow()
    finally:
        engine.dispose()
    print(f"Revoked key {prefix}.")
    return 0


@dataclass
class ImportLine:
    number: int
    data: PassageCreate | None
    error: str | None = None


def read_import(path: Path, source: str) -> Iterator[ImportLine]:
    """Passages of a UTF-8 text file (one per line) or a JSON-lines file, validated."""
    jsonl = path.suffix in (".jsonl", ".ndjson")
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            try:
                if jsonl:
                    fields = json.loads(line)
                    if not isinstance(fields, dict):
                        raise ValueError("a line must be a JSON object")
                    fields.setdefault("source_file", source)
                    yield ImportLine(number, PassageCreate.model_validate(fields))
                else:
                    yield ImportLine(number, PassageCreate(text=line, source_file=source))
            except (ValueError, ValidationError) as exc:
                reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                yield ImportLine(number, None, reason)


def import_passages(settings: Settings, path: Path, *, source: str | None, batch: int) -> int:
    """Import, auto-linking each passage as `POST /passages` does, through the bulk writer
    (`app.corpus.importer`); each batch is one transaction; a re-run skips the passages
    already in (same text checksum); bad lines are reported and skipped."""
    source = source or path.name
    engine = create_db_engine(settings)
    summary: Counter[str] = Counter()
    problems: list[str] = []
    lines = list(read_import(path, source))
    try:
        factory = create_sessionmaker(engine)
        key = _import_key(factory)
        progress = tqdm(total=len(lines), unit="passage", desc=f"importing {path.name}")
        for start in range(0, len(lines), batch):
            chunk = lines[start : start + batch]
            with factory() as session, session.begin():
                session.connection(execution_options={WRITE_OPTION: True})
                _import_batch(session, chunk, key.id, summary, problems)
            progress.update(len(chunk))
        progress.close()
    finally:
        engine.dispose()
    for problem in problems:
        print(problem, file=sys.stderr)
    print(
        f"Imported {summary['imported']} passages from {path} "
        f"({summary['skipped']} already in, {summary['invalid']} invalid lines)."
    )
    linked = ", ".join(f"{kind}: {summary[kind]}" for kind in PASSAGE_LINKS)
    print(f"Links made: {linked}.")
    return 1 if summary["invalid"] else 0


def _import_key(factory: object) -> ApiKey:
    """The key import writes are audited under: the command line's own, made once."""
    assert callable(factory)
    with factory() as session, session.begin():
        key = repo.key_by_prefix(session, "cli")
        if key is None:
            key = ApiKey(name=CLI_KEY_NAME, prefix="cli", secret_hash="-", scopes=[])
            key.revoked_at = utcnow()  # it authenticates nothing over HTTP
            session.add(key)
            session.flush()
        session.expunge(key)
        return key


def _import_batch(
    session: Session,
    chunk: Sequence[ImportLine],
    key_id: int,
    summary: Counter[str],
    problems: list[str],
) -> None:
    """Import one batch: the valid lines through the bulk writer, the others reported."""
    valid = [line for line in chunk if line.data is not None]
    for line in chunk:
        if line.data is None:
            _refused(line, line.error, summary, problems)
    items = [line.data for line in valid if line.data is not None]
    for line, written in zip(valid, write_passages(session, items, key_id=key_id), strict=True):
        summary[written.outcome] += 1
        if written.outcome is Outcome.INVALID:
            _refused(line, written.error, summary, problems, counted=True)
        elif written.plan is not None:
            for kind in PASSAGE_LINKS:
                summary[kind] += len(getattr(written.plan.links, kind))


def _refused(
    line: ImportLine,
    reason: str | None,
    summary: Counter[str],
    problems: list[str],
    *,
    counted: bool = False,
) -> None:
    if not counted:
        summary[Outcome.INVALID] += 1
    problems.append(f"line {line.number}: {reason}; skipped")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    keys = commands.add_parser("keys", help="create, list and revoke API keys")
    key_commands = keys.add_subparsers(dest="action", required=True)
    create = key_commands.add_parser("create", help="make a key and print it once")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--scope",
        action="append",
        choices=[s.value for s in Scope],
        default=None,
        help="repeat for several; default write",
    )
    key_commands.add_parser("list", help="list keys (never their secrets)")
    revoke = key_commands.add_parser("revoke", help="revoke a key by its prefix")
    revoke.add_argument("prefix")
    importer = commands.add_parser("import", help="import passages from a .txt or .jsonl file")
    importer.add_argument("path", type=Path)
    importer.add_argument("--source", help="source name to record (default: the file name)")
    importer.add_argument("--batch-size", type=int, default=500)
    exporter = commands.add_parser("export", help="write the database back in the seed format")
    exporter.add_argument("out_dir", type=Path)
    commands.add_parser(
        "seed", help="validate and load seed/ (python -m app seed --help)", add_help=False
    )
    args, rest = parser.parse_known_args(argv)
    if args.command == "seed":
        return seed.main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    settings = get_settings()
    if args.command == "keys":
        if args.action == "create":
            return keys_create(settings, args.name, args.scope or [Scope.WRITE.value])
        if args.action == "list":
            return keys_list(settings)
        return keys_revoke(settings, args.prefix)
    if args.command == "import":
        return import_passages(settings, args.path, source=args.source, batch=args.batch_size)
    return export_seed(settings, args.out_dir)


if __name__ == "__main__":
    sys.exit(main())
