"""The Spanish analysis behind search: folding, stop words, stems, query parsing, snippets; and
that PostgreSQL's `anales_spanish` configuration stems every word of the corpus as it does."""

import re
from collections.abc import Iterator

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

import app.analysis.fulltext as fulltext
from app.analysis.fulltext import (
    STOP_TERM,
    highlight,
    index_text,
    parse_query,
    positional_terms,
    term,
    terms,
    unaccent,
)
from tests.oracle import ANNOTATIONS, Corpus

CORPUS = Corpus()


class TestAnalysis:
    @pytest.mark.parametrize(
        ("left", "right"),
        [
            ("coexistencias", "coexistencia"),
            ("pacíficas", "pacífica"),
            ("soviéticos", "soviética"),
            ("SOVIÉTICOS", "sovietica"),
            ("Litvínov", "litvinov"),
            ("pactos", "pacto"),
        ],
    )
    def test_inflections_and_accents_share_a_term(self, left: str, right: str) -> None:
        assert term(left) == term(right)

    @pytest.mark.parametrize("word", ["de", "la", "con", "los", "y", "El"])
    def test_stop_words_have_no_term(self, word: str) -> None:
        assert term(word) is None

    def test_unaccent_keeps_other_scripts_but_yo(self) -> None:
        assert unaccent("Михаил Горбачёв ÁÉÍÓÚÑ") == "михаил горбачев aeioun"

    def test_terms_skip_punctuation_and_stop_words(self) -> None:
        assert terms("El KGB («Comité…»), la seguridad") == ["kgb", "comit", "segur"]


class TestIndexText:
    """What SQLite's index stores: the positional terms, whatever the text."""

    def test_stop_words_hold_their_place(self) -> None:
        assert index_text("El pacto con Hitler, 1939.") == f"{STOP_TERM} pact {STOP_TERM} hitl 1939"

    def test_every_corpus_line(self) -> None:
        for line in CORPUS.source_path.read_text(encoding="utf-8").splitlines():
            assert index_text(line) == " ".join(positional_terms(line))

    @given(st.text())
    @example("la\u00a0Unión\u2003Soviética\x1fde_la")
    @example("«pacto»—Hitler…  1939 ")
    def test_any_text(self, value: str) -> None:
        assert index_text(value) == " ".join(positional_terms(value))

    def test_same_terms_once_the_remembered_ones_are_dropped(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(fulltext, "_index_terms", fulltext._IndexTerms(limit=3))
        text = "La política exterior soviética, la coexistencia pacífica y el pacto."
        assert index_text(text) == " ".join(positional_terms(text))
        assert index_text(text) == " ".join(positional_terms(text))
        assert len(fulltext._index_terms) <= 3


class TestQueries:
    def test_words_and_phrases(self) -> None:
        query = parse_query('coexistencias "pacto con Hitler" de')
        assert [(c.terms, c.phrase) for c in query.clauses] == [
            (("coexistent",), False),
            (("pact", STOP_TERM, "hitl"), True),
        ]
        # A stop word inside a phrase is a gap of one word, as PostgreSQL counts it.
        assert query.clauses[1].words == ("pacto", "con", "Hitler")

    @pytest.mark.parametrize(
        "q", ['a" OR b', "NEAR(x y)", "col:umn", "x*", "'; DROP TABLE passages; --", '"""']
    )
    def test_fts5_syntax_is_always_quoted(self, q: str) -> None:
        match = parse_query(q).fts5()
        # Only quoted strings joined by AND: no operator, column filter or prefix survives.
        assert re.fullmatch(r'("[^"]*"( AND "[^"]*")*)?', match), match

    def test_stop_words_only_is_an_empty_query(self) -> None:
        assert not parse_query("de la y")

    def test_unclosed_quote_runs_to_the_end(self) -> None:
        assert parse_query('"guerra fría').clauses[0].phrase


class TestHighlight:
    def test_marks_matches_and_escapes_the_rest(self) -> None:
        snippet = highlight('El KGB ("Comité") & <b>', parse_query("kgb comité"))
        assert snippet == ("El <mark>KGB</mark> (&quot;<mark>Comité</mark>&quot;) &amp; &lt;b&gt;")

    def test_phrase_marks_only_where_it_stands(self) -> None:
        snippet = highlight(
            "Pacto de no agresión; el pacto con Hitler", parse_query('"pacto hitler"')
        )
        assert snippet is None
        snippet = highlight(
            "Pacto de no agresión; el pacto con Hitler", parse_query('"pacto con hitler"')
        )
        assert snippet == "Pacto de no agresión; el <mark>pacto</mark> con <mark>Hitler</mark>"

    def test_window_cuts_with_ellipses(self) -> None:
        words = (
            " ".join(f"w{i}" for i in range(60))
            + " Litvínov "
            + " ".join("x" * 3 for _ in range(60))
        )
        snippet = highlight(words, parse_query("litvinov"), max_tokens=10)
        assert snippet is not None
        assert snippet.startswith("…")
        assert snippet.endswith("…")
        assert "<mark>Litvínov</mark>" in snippet

    def test_no_match_is_none(self) -> None:
        assert highlight("Guerra Fría", parse_query("kgb")) is None


@pytest.fixture
def postgres_connection(seeded_url: str, backend: str) -> Iterator[object]:
    if backend != "postgresql":
        pytest.skip("compares Python's stems with PostgreSQL's")
    engine = create_engine(seeded_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def test_postgresql_stems_every_corpus_word_alike(postgres_connection: object) -> None:
    """Python's Snowball (SQLite's index) and PostgreSQL's `anales_spanish` agree word by word.

    If PostgreSQL's Snowball changes (a new major version), this names the words that differ;
    pin `snowballstemmer` to the matching release.
    """
    words = set(re.findall(r"[^\W_]+", CORPUS.source_path.read_text(encoding="utf-8")))
    words |= set(re.findall(r"[^\W_]+", ANNOTATIONS.read_text(encoding="utf-8")))
    words |= {"coexistencias", "pacíficas", "soviéticos", "federación", "naciones"}
    differ = []
    connection = postgres_connection
    for word in sorted(words):
        row = connection.execute(  # type: ignore[attr-defined]
            text("SELECT to_tsvector('anales_spanish', :word)::text"), {"word": word}
        ).scalar_one()
        theirs = re.findall(r"'([^']*)'", row)
        ours = [t for t in [term(word)] if t is not None]
        if theirs != ours:
            differ.append((word, ours, theirs))
    assert differ == []
