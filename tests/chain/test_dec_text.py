"""Tests of the Dec text forms: the reference grammar, canonical protobuf text, JSON text.

Covers :mod:`pyallora.core.dectext` (shared with clients) and
:mod:`pyallora.chain.emissions.dec_text` (engine conversion) against PROTOCOL.md §1.3 and
§7.2.

The vector tables were produced by the reference decimal library itself: a small Go program
built on cockroachdb/apd v3.2.1 (the version the reference chain pins) that mimics the chain's
``math.Dec`` protobuf round trip: ``""`` → zero, ``"NaN"`` → NaN, anything else through
``Decimal.UnmarshalText``, then ``MarshalText`` (``Text('G')``) and ``Text('f')``. ``None``
means the reference fails to parse the text.
"""

from __future__ import annotations

import decimal
import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyallora.chain.emissions import dec_text as chain_dec_text
from pyallora.chain.emissions.dec_text import (
    dec_from_text,
    dec_to_field_text,
    is_finite_dec_text,
    is_nan_dec_text,
    validate_dec_text,
    validate_finite_dec_text,
)
from pyallora.core import dectext
from pyallora.core.dec import dec, dec_context, to_text
from pyallora.core.dectext import (
    MAX_EXPONENT,
    NAN_TEXT,
    canonical_dec_text,
    format_dec_text,
    is_dec_text,
    parse_dec_text,
    plain_dec_text,
)
from pyallora.core.errors import InvalidDecError

# (input, reference Text('G') = canonical protobuf text, reference Text('f') = JSON text);
# None: the reference cannot parse the input.
REFERENCE_VECTORS: list[tuple[str, str | None, str | None]] = [
    ("55000.0", "55000.0", "55000.0"),
    ("1E-7", "1E-7", "0.0000001"),
    ("1e-07", "1E-7", "0.0000001"),
    ("1e-05", "0.00001", "0.00001"),
    ("1.0E5", "1.0E+5", "100000"),
    ("-3.25", "-3.25", "-3.25"),
    ("0", "0", "0"),
    ("", "0", "0"),
    ("NaN", "NaN", "NaN"),
    ("0.0000000000", "0.0000000000", "0.0000000000"),
    ("0E-10", "0.0000000000", "0.0000000000"),
    ("-0", "-0", "-0"),
    ("-0.000", "-0.000", "-0.000"),
    ("+5", "5", "5"),
    ("5.", "5", "5"),
    (".5", "0.5", "0.5"),
    ("-.5e3", "-5E+2", "-500"),
    ("1_000", None, None),
    (" 1", None, None),
    ("1 ", None, None),
    ("\t1", None, None),
    ("\uff11", None, None),
    ("\u0663", None, None),
    ("0x10", None, None),
    ("1e", None, None),
    ("e5", None, None),
    (".", None, None),
    ("-", None, None),
    ("+", None, None),
    ("--1", None, None),
    ("+-1", None, None),
    ("1.2.3", None, None),
    ("1e5e6", None, None),
    ("1e+5", "1E+5", "100000"),
    ("1E+05", "1E+5", "100000"),
    ("1e-0", "1", "1"),
    ("0.000001", "0.000001", "0.000001"),
    ("0.0000001", "1E-7", "0.0000001"),
    ("0.00001234", "0.00001234", "0.00001234"),
    ("123456789012345678901234567890123456789",) * 3,
    ("1.2E+5", "1.2E+5", "120000"),
    ("120000", "120000", "120000"),
    ("1.20E+5", "1.20E+5", "120000"),
    ("12e3", "1.2E+4", "12000"),
    ("0E+3", "0E+3", "0000"),
    ("0E-6", "0.000000", "0.000000"),
    ("0E-7", "0.0000000", "0.0000000"),
    ("0.0", "0.0", "0.0"),
    ("00.10", "0.10", "0.10"),
    ("007", "7", "7"),
    ("1e100001", None, None),
    ("1e-100001", None, None),
    ("0.1e100001", None, None),
    ("0e-100001", None, None),
    ("0e100001", None, None),
    ("1e2147483647", None, None),
    ("1e2147483648", None, None),
    ("1e-2147483648", None, None),
    ("1e0000000005", "1E+5", "100000"),
    ("NaN ", None, None),
    ("1E-6", "0.000001", "0.000001"),
    ("10E-7", "0.0000010", "0.0000010"),
    ("-1E-7", "-1E-7", "-0.0000001"),
    ("1.5e-7", "1.5E-7", "0.00000015"),
    ("123.456e-10", "1.23456E-8", "0.0000000123456"),
    ("0e5", "0E+5", "000000"),
    ("0e-3", "0.000", "0.000"),
    ("0.000e2", "0.0", "0.0"),
    ("1e+0", "1", "1"),
    ("1E-0", "1", "1"),
    ("1e-", None, None),
    ("1e+", None, None),
    ("1.e5", "1E+5", "100000"),
    ("-0.0e-3", "-0.0000", "-0.0000"),
    ("+.5", "0.5", "0.5"),
    ("-5.", "-5", "-5"),
    ("1e05", "1E+5", "100000"),
    ("1e99999", "1E+99999", None),
    ("1e100000", "1E+100000", None),
    ("1e-100000", "1E-100000", None),
    ("12e99999", "1.2E+100000", None),
    ("12e-100000", "1.2E-99999", None),
    ("0.1e-99999", "1E-100000", None),
    ("1.0e100000", "1.0E+100000", None),
    ("0e100000", "0E+100000", None),
    ("9" * 50,) * 3,
    ("0E-2001", "0E-2001", None),
    ("-0E-2001", "-0E-2001", None),
    ("0E-2000", "0." + "0" * 2000, "0." + "0" * 2000),
    ("-0E-2000", "-0." + "0" * 2000, "-0." + "0" * 2000),
    ("0." + "0" * 100000, "0E-100000", "0." + "0" * 100000),
    ("0." + "0" * 100001, None, None),
    ("0." + "0" * 99999 + "1", "1E-100000", None),
]

# Spellings the reference parses but this grammar rejects on purpose (module docstring of
# pyallora.core.dectext): every one is non-finite or an accident of apd's parser.
REFERENCE_ONLY = [
    ("nan", "NaN"),
    ("NAN", "NaN"),
    ("NaN1", "NaN"),
    ("nan12", "NaN"),
    ("+NaN", "NaN"),
    ("-NaN", "-NaN"),
    ("sNaN", "sNaN"),
    ("Infinity", "Infinity"),
    ("inf", "Infinity"),
    ("-Infinity", "-Infinity"),
    (".-5", "0.-5"),
    (".+5", "0.05"),
]

# Seeded random texts of the grammar (sign, leading zeros, optional point and fraction,
# optional exponent in either case with an optional sign), through the same Go program.
RANDOM_REFERENCE_VECTORS: list[tuple[str, str, str]] = [
    ("+9880.11967e07", "9.88011967E+10", "98801196700"),
    ("-00491956.5045", "-491956.5045", "-491956.5045"),
    ("1391.64", "1391.64", "1391.64"),
    ("-0031255.e-6", "-0.031255", "-0.031255"),
    (".083", "0.083", "0.083"),
    ("8538.72816", "8538.72816", "8538.72816"),
    ("07.0513104", "7.0513104", "7.0513104"),
    ("-3E-07", "-3E-7", "-0.0000003"),
    ("819.0734710E-5", "0.008190734710", "0.008190734710"),
    ("-1.7113E+5", "-1.7113E+5", "-171130"),
    ("00.00000000E+5", "0.000", "0.000"),
    ("00045042e07", "4.5042E+11", "450420000000"),
    ("6.228", "6.228", "6.228"),
    ("119213.596840", "119213.596840", "119213.596840"),
    ("-.336", "-0.336", "-0.336"),
    ("2657.88763", "2657.88763", "2657.88763"),
    ("0008504", "8504", "8504"),
    ("+0003631.000582510E-6", "0.003631000582510", "0.003631000582510"),
    ("-000961683.002E-1", "-96168.3002", "-96168.3002"),
    ("000015112.84747", "15112.84747", "15112.84747"),
    ("00.", "0", "0"),
    ("-68719.8726808e+5", "-6871987268.08", "-6871987268.08"),
    ("0.00000000e+7", "0.0", "0.0"),
    ("900", "900", "900"),
    ("+08.8500704", "8.8500704", "8.8500704"),
    ("5.004023", "5.004023", "5.004023"),
    ("081742", "81742", "81742"),
    ("6.25", "6.25", "6.25"),
    ("-.770525", "-0.770525", "-0.770525"),
    ("-825e+20", "-8.25E+22", "-82500000000000000000000"),
    ("566456.26E+5", "5.6645626E+10", "56645626000"),
    ("-0023632.00896864", "-23632.00896864", "-23632.00896864"),
    ("+000572138", "572138", "572138"),
    ("-0632.831", "-632.831", "-632.831"),
    ("299044.5819", "299044.5819", "299044.5819"),
    ("-04", "-4", "-4"),
    ("+30.838", "30.838", "30.838"),
    ("000249", "249", "249"),
    ("-31870", "-31870", "-31870"),
    ("+1.2315612e+20", "1.2315612E+20", "123156120000000000000"),
    ("+0e+6", "0E+6", "0000000"),
    ("530000.007219024E+07", "5300000072190.24", "5300000072190.24"),
    ("1288.5166428", "1288.5166428", "1288.5166428"),
    ("2528E+1", "2.528E+4", "25280"),
    ("0.042e20", "4.2E+18", "4200000000000000000"),
    ("20e-07", "0.0000020", "0.0000020"),
    ("+33.09876e-7", "0.000003309876", "0.000003309876"),
    ("2.13901", "2.13901", "2.13901"),
    ("-000.00000E07", "-0E+2", "-000"),
    ("00047.6E-6", "0.0000476", "0.0000476"),
    ("-1651.638", "-1651.638", "-1651.638"),
    ("0.00000000", "0.00000000", "0.00000000"),
    ("3630.2523E-5", "0.036302523", "0.036302523"),
    ("000.0000", "0.0000", "0.0000"),
    ("-46151.054", "-46151.054", "-46151.054"),
    ("+094", "94", "94"),
    ("1641.e12", "1.641E+15", "1641000000000000"),
    ("0039E+7", "3.9E+8", "390000000"),
    ("495e-7", "0.0000495", "0.0000495"),
    ("-.00074778e-1", "-0.000074778", "-0.000074778"),
    ("-5.80815", "-5.80815", "-5.80815"),
    ("-40672.e00", "-40672", "-40672"),
    ("+68.00707e-1", "6.800707", "6.800707"),
    ("-0294658.00082E-12", "-2.9465800082E-7", "-0.00000029465800082"),
    ("741571.48738e+6", "7.4157148738E+11", "741571487380"),
    ("+238819", "238819", "238819"),
    ("7758475", "7758475", "7758475"),
    ("003", "3", "3"),
    ("-39.47452", "-39.47452", "-39.47452"),
    ("233817", "233817", "233817"),
    ("-05568808E6", "-5.568808E+12", "-5568808000000"),
    ("-0.0", "-0.0", "-0.0"),
    (".4e12", "4E+11", "400000000000"),
    ("-0.000", "-0.000", "-0.000"),
    ("+.9254471e+5", "92544.71", "92544.71"),
    ("+00.000e5", "0E+2", "000"),
    ("+19E-12", "1.9E-11", "0.000000000019"),
    ("-026111.00826", "-26111.00826", "-26111.00826"),
    ("-277.38578", "-277.38578", "-277.38578"),
    ("707.6807802", "707.6807802", "707.6807802"),
    ("00.000", "0.000", "0.000"),
    ("+007239E12", "7.239E+15", "7239000000000000"),
    ("000647399e20", "6.47399E+25", "64739900000000000000000000"),
    ("+11051", "11051", "11051"),
    ("06.539", "6.539", "6.539"),
    ("00091.663742", "91.663742", "91.663742"),
    ("06759", "6759", "6759"),
    ("+0609985.0000E07", "6.099850000E+12", "6099850000000"),
    ("00.0", "0.0", "0.0"),
    ("+.009", "0.009", "0.009"),
    ("01e+1", "1E+1", "10"),
    ("-000779992", "-779992", "-779992"),
    ("-0048488e6", "-4.8488E+10", "-48488000000"),
    ("2680.0085377", "2680.0085377", "2680.0085377"),
    ("+000e07", "0E+7", "00000000"),
    ("392.e-7", "0.0000392", "0.0000392"),
    ("-4.527654", "-4.527654", "-4.527654"),
    ("-8.6427", "-8.6427", "-8.6427"),
    ("93.09", "93.09", "93.09"),
    ("0.000000e6", "0", "0"),
    ("895.31", "895.31", "895.31"),
    ("-24862.08", "-24862.08", "-24862.08"),
    ("+19840.05887480", "19840.05887480", "19840.05887480"),
    ("00095825.716", "95825.716", "95825.716"),
    ("0", "0", "0"),
    ("-1.5325179", "-1.5325179", "-1.5325179"),
    ("-00.0000000", "-0.0000000", "-0.0000000"),
    ("00", "0", "0"),
    ("0092147.00914", "92147.00914", "92147.00914"),
    ("90367E-1", "9036.7", "9036.7"),
    ("0009.11966", "9.11966", "9.11966"),
    ("006023959E5", "6.023959E+11", "602395900000"),
    ("-048.e+5", "-4.8E+6", "-4800000"),
    ("-0018.00192830E1", "-180.0192830", "-180.0192830"),
    ("00063.098123E7", "6.3098123E+8", "630981230"),
    ("+00.E+07", "0E+7", "00000000"),
    ("00E00", "0", "0"),
    ("+986.0008", "986.0008", "986.0008"),
    ("000622934E12", "6.22934E+17", "622934000000000000"),
    ("5", "5", "5"),
    ("+0E+20", "0E+20", "000000000000000000000"),
    ("-318.3e-12", "-3.183E-10", "-0.0000000003183"),
    ("3506", "3506", "3506"),
    ("+00744880.007010079", "744880.007010079", "744880.007010079"),
    ("649961.76e07", "6.4996176E+12", "6499617600000"),
    ("+809", "809", "809"),
    ("-7.0e+00", "-7.0", "-7.0"),
    ("8.93", "8.93", "8.93"),
    ("002429e00", "2429", "2429"),
    ("56013e0", "56013", "56013"),
    ("+.0681e+00", "0.0681", "0.0681"),
    ("+0007E-6", "0.000007", "0.000007"),
    ("-0031E+12", "-3.1E+13", "-31000000000000"),
    ("652.47181", "652.47181", "652.47181"),
    ("+7572e+07", "7.572E+10", "75720000000"),
    ("+05e-07", "5E-7", "0.0000005"),
    ("-576628e+5", "-5.76628E+10", "-57662800000"),
    ("+47", "47", "47"),
    ("-00899766.008e5", "-8.99766008E+10", "-89976600800"),
    ("-2645.1e-0", "-2645.1", "-2645.1"),
    ("000e-6", "0.000000", "0.000000"),
    ("+551570.", "551570", "551570"),
    ("+3.056e6", "3.056E+6", "3056000"),
    ("-0073e7", "-7.3E+8", "-730000000"),
    ("+867800.e+12", "8.67800E+17", "867800000000000000"),
    ("+872939.000459653e+07", "8729390004596.53", "8729390004596.53"),
    ("75.005501", "75.005501", "75.005501"),
    (".2307255e-00", "0.2307255", "0.2307255"),
    ("+0.", "0", "0"),
    ("934922.E+5", "9.34922E+10", "93492200000"),
    ("001744", "1744", "1744"),
    ("0089872E+0", "89872", "89872"),
    ("0.000000000E-12", "0.000000000000000000000", "0.000000000000000000000"),
    ("82e+12", "8.2E+13", "82000000000000"),
    ("22044", "22044", "22044"),
    ("52", "52", "52"),
    ("000.0000000", "0.0000000", "0.0000000"),
    ("+000.000000e+12", "0E+6", "0000000"),
]


@pytest.mark.parametrize(("text", "canonical", "plain"), REFERENCE_VECTORS)
def test_reference_vectors(text: str, canonical: str | None, plain: str | None) -> None:
    if canonical is None:
        assert not is_dec_text(text)
        with pytest.raises(InvalidDecError):
            canonical_dec_text(text)
        with pytest.raises(InvalidDecError):
            validate_dec_text(text)
        return
    assert canonical_dec_text(text) == canonical
    if plain is not None:
        assert plain_dec_text(text) == plain


@pytest.mark.parametrize(("text", "canonical", "plain"), RANDOM_REFERENCE_VECTORS)
def test_random_reference_vectors(text: str, canonical: str, plain: str) -> None:
    assert canonical_dec_text(text) == canonical
    assert plain_dec_text(text) == plain


@pytest.mark.parametrize(("text", "reference_text"), REFERENCE_ONLY)
def test_reference_only_spellings_are_rejected(text: str, reference_text: str) -> None:
    assert reference_text != canonical_dec_text("1")  # the reference does accept them
    assert not is_dec_text(text)
    with pytest.raises(InvalidDecError):
        parse_dec_text(text)


# PROTOCOL.md §1.3 accept/reject table.
ACCEPTED = ["0", "-0", "1", "+1", "-1.5", "1.", ".1", "1e5", "1E5", "1e-5", "1e+5", "", "NaN"]
REJECTED = [
    " 1",
    "1 ",
    "1\n",
    "\n1",
    "1\u00a0",
    "1_000",
    "1_0.5",
    "\uff11",  # full-width one
    "\u0661",  # Arabic-Indic one
    "\U0001d7cf",  # mathematical bold one
    "Infinity",
    "-Infinity",
    "inf",
    "nan",
    "1,5",
    "1e5.5",
    "e",
    "1e1e1",
    "0b1",
    "1/2",
    "\u00bd",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_grammar_accepts(text: str) -> None:
    assert is_dec_text(text)
    validate_dec_text(text)


@pytest.mark.parametrize("text", REJECTED)
def test_grammar_rejects(text: str) -> None:
    assert not is_dec_text(text)
    with pytest.raises(InvalidDecError):
        validate_dec_text(text)
    with pytest.raises(InvalidDecError):
        dec_from_text(text)


@pytest.mark.parametrize("text", REJECTED)
def test_python_decimal_is_more_permissive_for_some(text: str) -> None:
    # Documents why the grammar check must come first: where Python parses the text, the
    # reference does not (§1.3), and this module rejects it too.
    try:
        decimal.Decimal(text)
    except decimal.InvalidOperation:
        return
    assert not is_dec_text(text)


def test_non_text_is_rejected() -> None:
    with pytest.raises(InvalidDecError):
        parse_dec_text(5)  # type: ignore[arg-type]
    with pytest.raises(InvalidDecError):
        parse_dec_text(b"5")  # type: ignore[arg-type]


def test_nan_is_recognised_but_not_finite() -> None:
    assert is_dec_text(NAN_TEXT)
    assert is_nan_dec_text(NAN_TEXT)
    assert not is_finite_dec_text(NAN_TEXT)
    assert canonical_dec_text(NAN_TEXT) == "NaN"
    assert plain_dec_text(NAN_TEXT) == "NaN"
    with pytest.raises(InvalidDecError):
        validate_finite_dec_text(NAN_TEXT)
    with pytest.raises(InvalidDecError):
        dec_from_text(NAN_TEXT)


def test_empty_string_is_zero() -> None:
    assert is_finite_dec_text("")
    assert parse_dec_text("") == 0
    assert canonical_dec_text("") == "0"
    assert plain_dec_text("") == "0"
    with dec_context():
        assert dec_from_text("") == 0


def test_huge_written_exponent_is_rejected_without_int_conversion_limits() -> None:
    with pytest.raises(InvalidDecError):
        parse_dec_text("1e" + "9" * 5000)
    assert canonical_dec_text("1e" + "0" * 5000 + "7") == "1E+7"


def test_exponent_limits_are_the_references() -> None:
    assert canonical_dec_text(f"1e{MAX_EXPONENT}") == f"1E+{MAX_EXPONENT}"
    assert canonical_dec_text(f"1e-{MAX_EXPONENT}") == f"1E-{MAX_EXPONENT}"
    for text in (f"10e{MAX_EXPONENT}", f"1e{MAX_EXPONENT + 1}", f"1e-{MAX_EXPONENT + 1}"):
        with pytest.raises(InvalidDecError):
            parse_dec_text(text)


def test_format_refuses_infinities_and_signalling_nans() -> None:
    for value in ("Infinity", "-Infinity", "sNaN"):
        with pytest.raises(InvalidDecError):
            format_dec_text(decimal.Decimal(value))
    assert format_dec_text(decimal.Decimal("-NaN")) == "-NaN"


# ---------------------------------------------------------------------------------------
# Properties

_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=25)


@st.composite
def dec_texts(draw: st.DrawFn) -> str:
    """Finite texts of the grammar, with every optional part."""
    sign = draw(st.sampled_from(["", "+", "-"]))
    whole = draw(st.one_of(st.just(""), _DIGITS))
    fraction = draw(st.one_of(st.none(), st.just(""), _DIGITS))
    if not whole and not fraction:
        whole = draw(_DIGITS)
    body = whole if fraction is None else f"{whole}.{fraction}"
    exponent = draw(
        st.one_of(
            st.just(""),
            st.builds(
                lambda e, s, n: f"{e}{s}{n}",
                st.sampled_from("eE"),
                st.sampled_from(["", "+", "-"]),
                st.integers(0, 3000).map(str),
            ),
        )
    )
    return sign + body + exponent


@given(dec_texts())
def test_canonical_text_is_str_of_decimal_except_small_zeros(text: str) -> None:
    value = decimal.Decimal(text)
    canonical = canonical_dec_text(text)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if value.is_zero() and -2000 <= exponent < 0:
        sign = "-" if value.is_signed() else ""
        assert canonical == sign + "0." + "0" * -exponent
    else:
        assert canonical == str(value)


@given(dec_texts())
def test_canonical_text_keeps_value_and_exponent(text: str) -> None:
    original = parse_dec_text(text)
    canonical = canonical_dec_text(text)
    reparsed = parse_dec_text(canonical)
    assert reparsed.as_tuple() == original.as_tuple()
    assert canonical_dec_text(canonical) == canonical


@given(dec_texts())
def test_plain_text_is_positional_format_of_decimal(text: str) -> None:
    plain = plain_dec_text(text)
    value = decimal.Decimal(text)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if value.is_zero() and exponent > 0:
        # apd writes the zeros of the exponent ("0E+3" -> "0000", see the vectors); Python
        # prints a single "0".
        assert plain == ("-" if value.is_signed() else "") + "0" * (exponent + 1)
    else:
        assert plain == format(value, "f")
    assert "E" not in plain and "e" not in plain
    assert parse_dec_text(plain) == parse_dec_text(text)


@given(dec_texts())
def test_engine_value_is_the_engine_parse_of_the_text(text: str) -> None:
    with dec_context():
        assert dec_from_text(text) == dec(text)


@given(dec_texts())
def test_field_text_of_engine_value_is_canonical(text: str) -> None:
    with dec_context():
        value = dec_from_text(text)
        field = dec_to_field_text(value)
        assert canonical_dec_text(field) == field
        assert field == canonical_dec_text(to_text(value))


def test_doctests() -> None:
    for module in (dectext, chain_dec_text):
        failures, tests = doctest.testmod(module)
        assert tests > 0
        assert failures == 0
