"""The seed loader: validation that names the file and entry, an idempotent upsert, and the
rules that keep citation markers out of the passage text."""

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import tomli_w
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.orm import Session

from app.analysis.text import slugify
from app.corpus.seed import Seed, SeedError, load_seed, main, read_seed, read_source
from app.models import Actor, Base, Event, Passage, Period, Region, Theme
from tests.conftest import SEED_DIR
from tests.oracle import Corpus

CORPUS = Corpus()
ENTITIES: dict[str, type[Any]] = {
    "periods": Period,
    "regions": Region,
    "actors": Actor,
    "themes": Theme,
    "events": Event,
}


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the schema, in primary-key order."""
    session.flush()
    rows = {}
    for table in Base.metadata.sorted_tables:
        stmt = select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(row) for row in session.execute(stmt)]
    return rows


@pytest.fixture(scope="module")
def seed() -> Seed:
    return read_seed(SEED_DIR)


@pytest.fixture
def seeded(seeded_url: str) -> Iterator[Session]:
    """A session on the database the suite seeded with `load_seed`, for read-only checks."""
    engine = create_engine(seeded_url)
    with Session(engine) as db:
        yield db
    engine.dispose()


class TestLoadSeed:
    def test_creates_every_passage_and_entity(self, session: Session, seed: Seed) -> None:
        report = load_seed(session, seed)
        assert session.scalar(select(func.count()).select_from(Passage)) == 15
        assert report.created["passages"] == report.total["passages"] == 15
        for kind, model in ENTITIES.items():
            expected = sorted(CORPUS.entries(kind))
            assert sorted(session.scalars(select(model.slug))) == expected, kind
            assert report.created[kind] == len(expected), kind

    def test_second_load_changes_nothing(self, session: Session, seed: Seed) -> None:
        load_seed(session, seed)
        before = snapshot(session)
        session.expire_all()
        writes: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if re.match(r"\s*(INSERT|UPDATE|DELETE)", statement, re.IGNORECASE):
                writes.append(statement)

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", record)
        try:
            report = load_seed(session, seed)
            session.flush()
        finally:
            event.remove(connection, "before_cursor_execute", record)
        assert snapshot(session) == before
        assert writes == []
        assert report.created == {}
        assert str(report).count("(0 new)") == len(report.total) == 6
        assert report.total["passages"] == 15

    def test_edited_annotation_is_updated_in_place(
        self, session: Session, seed: Seed, seed_copy: Path
    ) -> None:
        load_seed(session, seed)
        kgb_id = session.scalar(select(Actor.id).where(Actor.slug == "kgb"))
        new_role = "Policía secreta y servicio de inteligencia de la URSS"
        change(lambda d: entry(d, "actors", "kgb").update(role=new_role))(seed_copy)
        report = load_seed(session, read_seed(seed_copy))
        assert report.created == {}
        session.expire_all()
        kgb = session.scalar(select(Actor).where(Actor.slug == "kgb"))
        assert kgb is not None
        assert kgb.id == kgb_id
        assert kgb.role == new_role


class TestSeededDatabase:
    """What `load_seed` wrote into the database the API tests read."""

    def test_links_follow_the_annotations(self, seeded: Session) -> None:
        for line, curated in CORPUS.passages.items():
            passage = seeded.scalar(select(Passage).where(Passage.source_line == line))
            assert passage is not None
            for kind in ("actors", "periods", "regions", "themes", "events"):
                model = ENTITIES[kind]
                stmt = select(model.slug).join(model.passages).where(Passage.id == passage.id)
                assert sorted(seeded.scalars(stmt)) == sorted(curated.get(kind, [])), (line, kind)

    def test_footnote_marker_is_kept_apart(self, seeded: Session) -> None:
        line4 = seeded.scalar(select(Passage).where(Passage.source_line == 4))
        assert line4 is not None
        assert line4.footnotes == ["1"]
        assert line4.text.startswith("Es posible")
        others = seeded.scalars(select(Passage).where(Passage.source_line != 4)).all()
        assert len(others) == 14
        assert all(p.footnotes == [] for p in others)

    def test_checksum_is_sha256_of_the_raw_line(self, seeded: Session) -> None:
        raw_lines = CORPUS.source_path.read_text(encoding="utf-8").splitlines()
        passages = seeded.scalars(select(Passage)).all()
        assert len(passages) == 15
        for passage in passages:
            raw = raw_lines[passage.source_line - 1]
            assert passage.checksum == hashlib.sha256(raw.encode("utf-8")).hexdigest()
            assert passage.source_file == CORPUS.data["source"]
            assert passage.position == passage.source_line

    def test_event_dates_derive_from_edtf(self, seeded: Session) -> None:
        pact = seeded.scalar(select(Event).where(Event.slug == "pacto-ribbentrop-molotov"))
        assert pact is not None
        assert (pact.date, pact.start_date, pact.end_date) == (
            "1939-08-23",
            dt.date(1939, 8, 23),
            dt.date(1939, 8, 23),
        )
        war = seeded.scalar(select(Event).where(Event.slug == "guerra-civil-rusa"))
        assert war is not None
        assert (war.start_date, war.end_date) == (dt.date(1917, 11, 1), dt.date(1922, 10, 31))
        assert (war.start_year, war.end_year) == (1917, 1922)

    def test_search_text_is_folded(self, seeded: Session) -> None:
        litvinov = seeded.scalar(select(Actor).where(Actor.slug == "maksim-litvinov"))
        assert litvinov is not None
        assert "maksim litvinov" in litvinov.search_text
        assert "литвинов" in litvinov.search_text
        assert "í" not in litvinov.search_text


Annotations = dict[str, Any]
Breakage = Callable[[Path], None]


def change(mutate: Callable[[Annotations], None]) -> Breakage:
    """A breakage that edits the parsed annotations and writes them back as TOML."""

    def apply(seed_dir: Path) -> None:
        path = seed_dir / "annotations.toml"
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        mutate(data)
        path.write_text(tomli_w.dumps(data), encoding="utf-8")

    return apply


def append_text(extra: str) -> Breakage:
    """A breakage that appends raw text to the annotations."""

    def apply(seed_dir: Path) -> None:
        path = seed_dir / "annotations.toml"
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")

    return apply


def entry(data: Annotations, kind: str, key: str | int) -> dict[str, Any]:
    """The entry of `kind` with this slug (or, for passages, this line)."""
    for item in data[kind]:
        found = item["line"] if kind == "passages" else item.get("slug") or slugify(item["name"])
        if found == key:
            return cast(dict[str, Any], item)
    raise AssertionError(f"no {kind} entry {key!r} in the seed")


def at(kind: str, key: str | int) -> str:
    """How the loader names an entry of the curated file: `events[5]`."""
    keys: list[str | int] = (
        [item["line"] for item in CORPUS.data[kind]]
        if kind == "passages"
        else list(CORPUS.entries(kind))
    )
    return f"{kind}[{keys.index(key)}]"


def after(kind: str) -> str:
    """How the loader names an entry appended to the curated file."""
    return f"{kind}[{len(CORPUS.data[kind])}]"


# (how to break the seed, what the error must name: the entry and the reason)
INVALID: list[Any] = [
    pytest.param(
        change(lambda d: entry(d, "passages", 6)["actors"].append("iosif-stalin")),
        [at("passages", 6), "line 6", "unknown actor slug 'iosif-stalin'"],
        id="unknown-actor-in-passage",
    ),
    pytest.param(
        change(lambda d: entry(d, "events", "pacto-ribbentrop-molotov").update(date="1939-13-45")),
        [at("events", "pacto-ribbentrop-molotov"), "Pacto Ribbentrop-Mólotov", "1939-13-45"],
        id="malformed-edtf-date",
    ),
    pytest.param(
        change(lambda d: entry(d, "events", "creacion-del-kgb").update(date="13 marzo 1954")),
        [at("events", "creacion-del-kgb"), "Creación del KGB", "date"],
        id="date-in-words",
    ),
    pytest.param(
        change(lambda d: d["themes"].append({"name": "Espionaje"})),
        [after("themes"), "'espionaje'", "duplicate slug"],
        id="duplicate-derived-slug",
    ),
    pytest.param(
        change(
            lambda d: d["actors"].append(
                {"name": "Otro KGB", "slug": "kgb", "kind": "organization"}
            )
        ),
        [after("actors"), "'kgb'", "duplicate slug"],
        id="duplicate-explicit-slug",
    ),
    pytest.param(
        change(lambda d: entry(d, "periods", "periodo-sovietico").update(parent="guerra-fria")),
        [at("periods", "periodo-sovietico"), "'periodo-sovietico'", "loops"],
        id="parent-loop",
    ),
    pytest.param(
        change(lambda d: entry(d, "regions", "europa").update(parent="europa")),
        [at("regions", "europa"), "'europa'", "loops"],
        id="own-parent",
    ),
    pytest.param(
        change(lambda d: entry(d, "regions", "africa-subsahariana").update(parent="atlantida")),
        [
            at("regions", "africa-subsahariana"),
            "'africa-subsahariana'",
            "unknown region slug 'atlantida'",
        ],
        id="unknown-parent",
    ),
    pytest.param(
        change(lambda d: d["passages"].append({"line": 99})),
        [after("passages"), "line 99", "has no passage on that line"],
        id="line-not-in-source",
    ),
    pytest.param(
        change(lambda d: d["passages"].append({"line": 6})),
        [after("passages"), "line 6", "annotated twice"],
        id="line-annotated-twice",
    ),
    pytest.param(
        append_text("\n[[passages\nline = 1\n"),
        ["annotations.toml", "line"],
        id="invalid-toml",
    ),
    pytest.param(
        change(lambda d: entry(d, "actors", "kgb").update(colour="red")),
        [at("actors", "kgb"), "colour", "KGB"],
        id="unknown-field",
    ),
    pytest.param(
        change(lambda d: entry(d, "actors", "kgb").update(kind="secret society")),
        [at("actors", "kgb"), "kind"],
        id="unknown-actor-kind",
    ),
    pytest.param(
        change(lambda d: entry(d, "passages", 6).update(start_year=1939, end_year=1930)),
        [at("passages", 6), "line 6", "start_year is after end_year"],
        id="passage-years-reversed",
    ),
    pytest.param(
        change(lambda d: entry(d, "passages", 15).update(events=["glasnost"])),
        [at("passages", 15), "line 15", "unknown event slug 'glasnost'"],
        id="unknown-event-in-passage",
    ),
    pytest.param(
        change(lambda d: d.update(source="missing.txt")),
        ["source", "missing.txt"],
        id="missing-source",
    ),
    # The write API's rules, which the seed's entries are validated by.
    pytest.param(
        change(lambda d: entry(d, "actors", "kgb").update(name="KGB\x07")),
        [at("actors", "kgb"), "name", "must not contain control characters"],
        id="control-character-in-name",
    ),
    pytest.param(
        change(lambda d: entry(d, "actors", "kgb").update(name="K" * 201)),
        [at("actors", "kgb"), "name", "at most 200"],
        id="name-too-long",
    ),
    pytest.param(
        change(lambda d: entry(d, "actors", "kgb").update(role="r" * 201)),
        [at("actors", "kgb"), "'KGB'", "role", "at most 200"],
        id="role-too-long",
    ),
    pytest.param(
        change(lambda d: entry(d, "themes", "espionaje").update(aliases=["es\x00pías"])),
        [at("themes", "espionaje"), "aliases[0]", "must not contain control characters"],
        id="control-character-in-alias",
    ),
    pytest.param(
        change(lambda d: entry(d, "passages", 6).update(text_en="Hello\x1b[0m")),
        [at("passages", 6), "(6)", "text_en", "must not contain control characters"],
        id="control-character-in-passage-translation",
    ),
    pytest.param(
        change(lambda d: entry(d, "passages", 6).update(note="n" * 5001)),
        [at("passages", 6), "(6)", "note", "at most 5000"],
        id="passage-note-too-long",
    ),
]


def break_source_line(seed_dir: Path, number: int, text: str) -> Path:
    """Replace line `number` of the seed's source text; return the source's path."""
    annotations = tomllib.loads((seed_dir / "annotations.toml").read_text(encoding="utf-8"))
    source: Path = seed_dir / str(annotations["source"])
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = text
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


class TestInvalidSeed:
    @pytest.mark.parametrize(("breakage", "named"), INVALID)
    def test_refused_naming_file_and_entry(
        self, seed_copy: Path, breakage: Breakage, named: list[str]
    ) -> None:
        breakage(seed_copy)
        with pytest.raises(SeedError) as raised:
            read_seed(seed_copy)
        message = str(raised.value)
        assert str(seed_copy / "annotations.toml") in message
        for part in named:
            assert part in message, (part, message)

    def test_nothing_is_written_when_invalid(self, session: Session, seed_copy: Path) -> None:
        change(lambda d: d["passages"].append({"line": 99}))(seed_copy)
        with pytest.raises(SeedError):
            load_seed(session, read_seed(seed_copy))
        assert snapshot(session) == {table.name: [] for table in Base.metadata.sorted_tables}

    def test_every_problem_is_listed(self, seed_copy: Path) -> None:
        change(lambda d: d["passages"].extend([{"line": 98}, {"line": 99}]))(seed_copy)
        with pytest.raises(SeedError) as raised:
            read_seed(seed_copy)
        assert "line 98" in str(raised.value)
        assert "line 99" in str(raised.value)

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("Un texto con un carácter de control\x07 en medio.", "control characters"),
            ("Un texto larguísimo " + "x" * 20000, "at most 20000"),
            ("\u200b\u200b", "must not be blank"),
        ],
        ids=["control-character", "too-long", "invisible-only"],
    )
    def test_passage_text_is_refused_as_the_api_refuses_it(
        self, seed_copy: Path, text: str, reason: str
    ) -> None:
        """A source line is a passage's text: the seed refuses what POST /passages does,
        naming the source file and the line."""
        source = break_source_line(seed_copy, 6, text)
        with pytest.raises(SeedError) as raised:
            read_seed(seed_copy)
        message = str(raised.value)
        assert f"{source}: line 6: text:" in message, message
        assert reason in message, message


class TestSeedCommand:
    def test_check_valid_seed(self, seed_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main([str(seed_copy), "--check"]) == 0
        out, err = capsys.readouterr()
        assert "valid" in out
        assert "15 passages" in out
        assert err == ""

    def test_check_invalid_seed(self, seed_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
        pact = "pacto-ribbentrop-molotov"
        change(lambda d: entry(d, "events", pact).update(date="1939-13-45"))(seed_copy)
        assert main([str(seed_copy), "--check"]) == 1
        out, err = capsys.readouterr()
        assert "annotations.toml" in err
        assert at("events", "pacto-ribbentrop-molotov") in err
        assert "Pacto Ribbentrop-Mólotov" in err
        assert "valid (" not in out


class TestReadSource:
    @pytest.mark.parametrize(
        ("line", "text", "footnotes"),
        [
            ("la política exterior soviética.2", "la política exterior soviética.", ["2"]),
            ("la política exterior soviética.12", "la política exterior soviética.", ["12"]),
            ("[1] Es posible descubrir tres fases.", "Es posible descubrir tres fases.", ["1"]),
            ("[3] Con las dos marcas.4", "Con las dos marcas.", ["3", "4"]),
            ("secretario general en 1985.", "secretario general en 1985.", []),
            ("entre 1930 y 1939", "entre 1930 y 1939", []),
            ("el «pacto con Hitler».7", "el «pacto con Hitler».", ["7"]),
            ('"la coexistencia pacífica".3', '"la coexistencia pacífica".', ["3"]),
            ("¿Y después?5", "¿Y después?", ["5"]),
            ("Texto [1] en medio.", "Texto [1] en medio.", []),
            ("murieron unos 20.000", "murieron unos 20.000", []),
            ("un año, el 1939.", "un año, el 1939.", []),
        ],
    )
    def test_markers(self, tmp_path: Path, line: str, text: str, footnotes: list[str]) -> None:
        path = tmp_path / "source.txt"
        path.write_text(f"{line}\n", encoding="utf-8")
        (source_line,) = read_source(path)
        assert source_line.text == text
        assert source_line.footnotes == footnotes
        assert source_line.line == 1
        assert source_line.checksum == hashlib.sha256(line.encode("utf-8")).hexdigest()

    def test_blank_lines_are_skipped_but_counted(self, tmp_path: Path) -> None:
        path = tmp_path / "source.txt"
        path.write_text("Primera.\n\n   \nCuarta.1\n", encoding="utf-8")
        lines = read_source(path)
        assert [(s.line, s.text, s.footnotes) for s in lines] == [
            (1, "Primera.", []),
            (4, "Cuarta.", ["1"]),
        ]

    def test_the_corpus_source(self) -> None:
        lines = read_source(CORPUS.source_path)
        assert [s.line for s in lines] == list(range(1, 16))
        assert lines[3].footnotes == ["1"]
        assert lines[3].text.startswith("Es posible")
        assert lines[14].text.endswith("en la política exterior soviética.")
