"""Folding, slugs and EDTF dates, checked against hand-made answers."""

import datetime as dt
import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.analysis.dates import edtf_span
from app.analysis.text import fold, is_slug, slugify
from tests.oracle import Corpus

D = dt.date


class TestFold:
    @pytest.mark.parametrize(
        ("text", "folded"),
        [
            ("Litvínov", "litvinov"),
            ("LITVÍNOV", "litvinov"),
            ("Maksim  Litvínov", "maksim litvinov"),
            ("  Guerra\tFría\n", "guerra fria"),
            ("Mólotov", "molotov"),
            ("Mijaíl Gorbachov", "mijail gorbachov"),
            ("Konstantín Chernenko", "konstantin chernenko"),
            ("África subsahariana", "africa subsahariana"),
            ("Unión Soviética", "union sovietica"),
            ("España", "espana"),
            ("Straße", "strasse"),
            ("Михаил Горбачёв", "михаил горбачев"),
            ("КГБ", "кгб"),
            ("Nazi–Soviet Pact", "nazi-soviet pact"),
            ("Hitler—Stalin", "hitler-stalin"),
            ("", ""),
        ],
    )
    def test_fold(self, text: str, folded: str) -> None:
        assert fold(text) == folded

    @pytest.mark.parametrize(
        ("a", "b"),
        [("Litvínov", "LITVINOV"), ("détente", "DETENTE"), ("Nazi–Soviet", "Nazi-Soviet")],
    )
    def test_spellings_meet(self, a: str, b: str) -> None:
        assert fold(a) == fold(b)

    def test_idempotent(self) -> None:
        for text in ("Mólotov", "Михаил Горбачёв", "  A  b "):
            assert fold(fold(text)) == fold(text)


def fold_by_definition(text: str) -> str:
    """What `fold` means, a character at a time: NFKD, combining marks dropped, dashes made
    hyphens, case folded, whitespace runs made one space, ends stripped."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(
        "-" if unicodedata.category(ch) == "Pd" else ch
        for ch in decomposed
        if not unicodedata.combining(ch)
    )
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


class TestFoldByDefinition:
    def test_every_assigned_plane(self) -> None:
        # Planes 0-3 and 14; 4-13 are unassigned, 15-16 private use.
        for start in (*range(0, 0x40000, 4096), 0xE0000):
            block = "".join(map(chr, range(start, start + 4096)))
            # Side by side, and each after a space (a mark with no letter to sit on).
            for text in (block, " ".join(block)):
                assert fold(text) == fold_by_definition(text), hex(start)

    @given(st.text())
    @example("a \u0301 b")
    @example("x´y ¨ Σ ΣΑΣ İ ﬁ\u00a0\u2003\x1f")
    @example("Nazi–Soviet — «Mólotov»")
    def test_any_text(self, value: str) -> None:
        assert fold(value) == fold_by_definition(value)


class TestSlugify:
    @pytest.mark.parametrize(
        ("name", "slug"),
        [
            ("Maksim Litvínov", "maksim-litvinov"),
            ("Guerra Fría", "guerra-fria"),
            ("Pacto Ribbentrop-Mólotov", "pacto-ribbentrop-molotov"),
            ("Período de entreguerras", "periodo-de-entreguerras"),
            ("Movimiento de Países No Alineados", "movimiento-de-paises-no-alineados"),
            ("VII Congreso de la Komintern", "vii-congreso-de-la-komintern"),
            ("Océano Índico", "oceano-indico"),
            ("KGB", "kgb"),
            ("  Tercer   Mundo  ", "tercer-mundo"),
        ],
    )
    def test_slugify(self, name: str, slug: str) -> None:
        assert slugify(name) == slug
        assert is_slug(slug)

    def test_every_curated_slug_is_a_slug(self) -> None:
        corpus = Corpus()
        for kind in ("periods", "regions", "actors", "themes", "events"):
            for slug in corpus.entries(kind):
                assert is_slug(slug), (kind, slug)


class TestIsSlug:
    @pytest.mark.parametrize(
        "value", ["kgb", "guerra-fria", "pacto-ribbentrop-molotov", "vii-congreso", "a", "1939"]
    )
    def test_valid(self, value: str) -> None:
        assert is_slug(value)

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "Bad Slug",
            "KGB",
            "guerra_fria",
            "guerra--fria",
            "-guerra",
            "guerra-",
            "guerra fria",
            "guerra-fría",
            "guerra-fria\n",
            "ɡuerra",
        ],
    )
    def test_invalid(self, value: str) -> None:
        assert not is_slug(value)


class TestEdtfSpan:
    @pytest.mark.parametrize(
        ("value", "span"),
        [
            ("1939-08-23", (D(1939, 8, 23), D(1939, 8, 23))),
            ("1985-03-11", (D(1985, 3, 11), D(1985, 3, 11))),
            ("1985-03", (D(1985, 3, 1), D(1985, 3, 31))),
            ("1984-02", (D(1984, 2, 1), D(1984, 2, 29))),
            ("1939", (D(1939, 1, 1), D(1939, 12, 31))),
            ("1930/1939", (D(1930, 1, 1), D(1939, 12, 31))),
            ("1917-11/1922-10", (D(1917, 11, 1), D(1922, 10, 31))),
            ("1930-07/1939-05", (D(1930, 7, 1), D(1939, 5, 31))),
            ("1935-07-25/1935-08-20", (D(1935, 7, 25), D(1935, 8, 20))),
            ("1939?", (D(1939, 1, 1), D(1939, 12, 31))),
            ("1939~", (D(1939, 1, 1), D(1939, 12, 31))),
        ],
    )
    def test_span(self, value: str, span: tuple[D, D]) -> None:
        assert edtf_span(value) == span

    @pytest.mark.parametrize(
        "value",
        ["1939-13-45", "not a date", "", "1939-02-29", "23/08/1939", "1939-8-23", "1939/1930"],
    )
    def test_not_edtf(self, value: str) -> None:
        with pytest.raises(ValueError, match=value or "EDTF"):
            edtf_span(value)
