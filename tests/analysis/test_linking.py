"""Auto-linking: the rules on small hand-made cases, and the measure on the curated seed."""

import pytest
from sqlalchemy.orm import Session

from app.analysis.linking import Entity, Linker
from app.core.kinds import PASSAGE_LINKS
from app.corpus.seed import load_seed, read_seed
from app.services.curation import build_linker
from tests.conftest import SEED_DIR
from tests.oracle import Corpus

ENTITIES = [
    Entity(
        "actors",
        "viacheslav-molotov",
        "Viacheslav Mólotov",
        ("Mólotov",),
        1939,
        1956,
        is_person=True,
    ),
    Entity(
        "actors",
        "joachim-von-ribbentrop",
        "Joachim von Ribbentrop",
        ("Ribbentrop",),
        1938,
        1945,
        is_person=True,
    ),
    Entity(
        "actors",
        "mijail-gorbachov",
        "Mijaíl Gorbachov",
        ("Gorbachov", "Gorbachev"),
        1985,
        1991,
        is_person=True,
    ),
    Entity(
        "actors",
        "konstantin-chernenko",
        "Konstantín Chernenko",
        ("Chernenko",),
        1984,
        1985,
        is_person=True,
    ),
    Entity("actors", "union-sovietica", "Unión Soviética", ("URSS", "soviético"), 1922, 1991),
    Entity("regions", "union-sovietica", "Unión Soviética", ("URSS",)),
    Entity("regions", "rusia", "Rusia", ()),
    Entity("periods", "periodo-sovietico", "Período soviético", (), 1917, 1991),
    Entity(
        "periods",
        "guerra-fria",
        "Guerra Fría",
        ("Cold War",),
        1947,
        1991,
        parent="periodo-sovietico",
    ),
    Entity("periods", "distension", "Distensión", ("détente",), 1969, 1979, parent="guerra-fria"),
    Entity("themes", "coexistencia-pacifica", "Coexistencia pacífica", ()),
    Entity(
        "events",
        "pacto-ribbentrop-molotov",
        "Pacto Ribbentrop-Mólotov",
        (),
        1939,
        1939,
        actors=("viacheslav-molotov", "joachim-von-ribbentrop", "union-sovietica"),
        periods=("periodo-sovietico",),
    ),
    Entity(
        "events",
        "gorbachov-sucede-a-chernenko",
        "Gorbachov sucede a Chernenko",
        (),
        1985,
        1985,
        actors=("mijail-gorbachov", "konstantin-chernenko"),
        periods=("guerra-fria",),
    ),
]
LINKER = Linker(ENTITIES)


def links(text: str) -> dict[str, list[str]]:
    result = LINKER.link(text)
    return {kind: result.slugs(kind) for kind in PASSAGE_LINKS if result.slugs(kind)}


class TestNames:
    def test_longest_match_wins(self) -> None:
        found = links("El PACTO RIBBENTROP-MOLOTOV sorprendió a Europa.")
        assert found["events"] == ["pacto-ribbentrop-molotov"]
        assert "actors" not in found

    def test_accents_case_and_inflection(self) -> None:
        found = links("la coexistencia PACIFICA de los soviéticos")
        assert found["themes"] == ["coexistencia-pacifica"]
        assert found["actors"] == ["union-sovietica"]

    def test_whole_words_only(self) -> None:
        assert "regions" not in links("la guerra civil rusa")
        assert links("en Rusia")["regions"] == ["rusia"]

    def test_one_span_names_every_entity_with_that_name(self) -> None:
        found = links("la URSS")
        assert found["actors"] == ["union-sovietica"]
        assert found["regions"] == ["union-sovietica"]

    def test_spans_point_into_the_text(self) -> None:
        text = "Según la Coexistencia Pacífica…"
        match = next(m for m in LINKER.link(text).matches if m.text is not None)
        assert match.start is not None
        assert text[match.start : match.end] == "Coexistencia Pacífica"


class TestYearsAndPeriods:
    @pytest.mark.parametrize(
        ("text", "years"),
        [
            ("Cuando cayó en 1985.", (1985, 1985)),
            ("entre 1930 y 1939", (1930, 1939)),
            ("el pacto de 1939", (1939, 1939)),
            ("el artículo 12 y la página 345", (None, None)),
            ("la ruta A-1939-B", (None, None)),
        ],
    )
    def test_years_stated(self, text: str, years: tuple[int | None, int | None]) -> None:
        result = LINKER.link(text)
        assert (result.start_year, result.end_year) == years

    def test_most_specific_period_spanning_the_years(self) -> None:
        assert links("en 1955")["periods"] == ["guerra-fria"]
        assert links("en 1972")["periods"] == ["distension"]
        assert links("entre 1960 y 1975")["periods"] == ["guerra-fria"]
        assert links("en 1930")["periods"] == ["periodo-sovietico"]

    def test_undated_passage_takes_the_era_its_actors_span(self) -> None:
        result = LINKER.link("la política exterior soviética")
        assert result.slugs("periods") == ["periodo-sovietico"]
        assert (result.start_year, result.end_year) == (None, None)  # too broad to date it
        assert "periods" not in links("la coexistencia pacífica")  # no actor, no era

    def test_previous_passage_comes_before_the_actors_era(self) -> None:
        previous = LINKER.link("En 1972 llegó la détente.")
        following = LINKER.link("La URSS firmó tratados.", previous)
        assert following.slugs("periods") == ["distension"]

    def test_named_period_is_kept_with_its_phase(self) -> None:
        assert links("la Guerra Fría llevó a la détente")["periods"] == [
            "guerra-fria",
            "distension",
        ]

    def test_event_by_its_name_inflected(self) -> None:
        found = links("Gorbachov sucedió a Chernenko.")
        assert found["events"] == ["gorbachov-sucede-a-chernenko"]

    def test_event_by_its_people_and_date(self) -> None:
        found = links("En 1985 Mijaíl Gorbachov tomó el relevo de Konstantín Chernenko.")
        assert found["events"] == ["gorbachov-sucede-a-chernenko"]
        assert found["periods"] == ["guerra-fria"]
        assert "events" not in links("En 1990 Gorbachov recordó a Chernenko.")
        assert "events" not in links("En 1985 Gorbachov habló.")

    def test_years_from_the_actors(self) -> None:
        result = LINKER.link("Gorbachov y Chernenko")
        assert (result.start_year, result.end_year) == (1985, 1985)
        # The Soviet Union alone spans the whole Soviet era: no years are made up.
        bare = LINKER.link("la URSS")
        assert (bare.start_year, bare.end_year) == (None, None)


def test_seed_precision_and_recall(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    """Auto-linking alone against every curated passage link of the seed: passage by passage
    (as POST /passages does) and as one article (as the import command reads a file)."""
    load_seed(session, read_seed(SEED_DIR))
    linker = build_linker(session)
    corpus = Corpus()
    source = corpus.source_path.read_text(encoding="utf-8").splitlines()
    scores = {}
    for mode in ("passage by passage", "as an article"):
        found = correct = curated = 0
        previous = None
        for line, entry in sorted(corpus.passages.items()):
            text = source[line - 1].removeprefix("[1] ")
            result = linker.link(text, previous if mode == "as an article" else None)
            previous = result
            for kind in PASSAGE_LINKS:
                expected, got = set(entry.get(kind, [])), set(result.slugs(kind))
                found += len(got)
                correct += len(got & expected)
                curated += len(expected)
        scores[mode] = (correct / found, correct / curated)
        with capsys.disabled():
            print(  # noqa: T201
                f"\nauto-linking the seed {mode}: precision {correct / found:.1%} "
                f"({correct}/{found}), recall {correct / curated:.1%} ({correct}/{curated})"
            )
    # Measured: 91.7% / 76.7% passage by passage, 94.6% / 81.4% as an article. Read alone,
    # a passage such as "Ambas políticas…" (line 2) cannot be placed; read in order, it
    # continues the one before. The links still missed are implicit references (an event
    # named for its actors, "influir en la política" for influence operations), which the
    # curation records and no name matching can find.
    assert scores["passage by passage"][0] >= 0.90
    assert scores["passage by passage"][1] >= 0.75
    assert scores["as an article"][0] >= 0.90
    assert scores["as an article"][1] >= 0.80
