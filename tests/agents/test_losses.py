"""Loss methods, log10 losses and the reputer's bundle losses (pyallora.agents.losses)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyallora.agents.context import NonFiniteOutputError, dec_to_float, format_dec_text
from pyallora.agents.losses import (
    DEFAULT_LOSS_FLOOR,
    LOSS_METHOD_NAMES,
    LossDomainError,
    LossMethod,
    UnknownLossMethodError,
    compute_bundle_log10_losses,
    compute_log10_loss,
    compute_loss,
    compute_loss_bundle,
    compute_mean_loss,
    compute_reported_loss,
    log10_loss,
    parse_loss_method,
)
from pyallora.core.dec import dec

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)

# --- vectors: (method text, value, truth, expected raw loss), expected worked out by hand

KNOWN = [
    ("mse", 3.0, 1.0, 4.0),
    ("mse", -0.5, 0.25, 0.5625),
    ("mae", 3.0, 1.0, 2.0),
    ("mae", -0.5, 0.25, 0.75),
    ("huber", 0.5, 0.0, 0.125),  # inside δ = 1: ½·0.25
    ("huber", 3.0, 0.0, 2.5),  # outside: 1·(3 − 0.5)
    ("huber(delta=2)", 5.0, 0.0, 8.0),  # 2·(5 − 1)
    ("log_space_mae", math.e, 1.0, 1.0),
    ("log_space_mae", 2.0, 8.0, math.log(4.0)),
    ("ztransformed_mae", 1.0, 0.0, (math.e**2 - 1) / (math.e**2 + 1)),  # tanh(1) − tanh(0)
    ("ztae(mean=10, std=2)", 12.0, 8.0, 2 * (math.e**2 - 1) / (math.e**2 + 1)),
]


@pytest.mark.parametrize(("method", "value", "truth", "expected"), KNOWN)
def test_known_losses(method: str, value: float, truth: float, expected: float) -> None:
    assert compute_loss(value, truth, method) == pytest.approx(expected, rel=1e-12)
    assert compute_log10_loss(value, truth, method) == pytest.approx(
        math.log10(expected), rel=1e-12
    )


def test_log10_loss_alias_and_floor() -> None:
    assert log10_loss is compute_log10_loss
    assert compute_log10_loss(2.0, 2.0, "mse") == math.log10(DEFAULT_LOSS_FLOOR)
    assert compute_log10_loss(2.0, 2.0, "mse(floor=0.01)") == -2.0
    # A loss just above the floor is not clipped.
    assert compute_log10_loss(2.2, 2.0, "mae(floor=0.01)") == pytest.approx(math.log10(0.2))


def test_reported_loss_follows_allow_negative() -> None:
    assert compute_reported_loss(3.0, 1.0, "mse") == pytest.approx(math.log10(4.0))
    assert compute_reported_loss(3.0, 1.0, "mse", allow_negative=True) == 4.0


# --- parsing


def test_parse_names_aliases_and_parameters() -> None:
    assert parse_loss_method("MSE") == LossMethod(name="mse")
    assert parse_loss_method(" ztae ( mean = 1 , std=0.5 ) ") == LossMethod(
        name="ztransformed_mae", mean=1.0, std=0.5
    )
    assert parse_loss_method("huber()") == LossMethod(name="huber")
    method = LossMethod(name="mae", floor=1e-3)
    assert parse_loss_method(method) is method
    assert set(LOSS_METHOD_NAMES) == {"mse", "mae", "huber", "log_space_mae", "ztransformed_mae"}


@pytest.mark.parametrize(
    "text",
    [
        "rmse",
        "",
        "mse(delta=1)",  # a parameter of another method
        "huber(delta=1, delta=2)",
        "huber(delta=abc)",
        "huber(delta)",
        "ztae(std=0)",
        "ztae(std=-1)",
        "huber(delta=0)",
        "mse(floor=0)",
        "mse(floor=nan)",
        "mse(",
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(UnknownLossMethodError):
        parse_loss_method(text)


def test_domain_and_finiteness_errors() -> None:
    with pytest.raises(LossDomainError):
        compute_loss(-1.0, 2.0, "log_space_mae")
    with pytest.raises(LossDomainError):
        compute_loss(1.0, 0.0, "log_space_mae")
    with pytest.raises(NonFiniteOutputError):
        compute_loss(math.nan, 1.0, "mse")
    with pytest.raises(NonFiniteOutputError):
        compute_loss(1.0, math.inf, "mae")
    with pytest.raises(NonFiniteOutputError):
        compute_loss(1e300, -1e300, "mse")  # the square overflows


# --- properties over every method


@pytest.mark.parametrize("method", LOSS_METHOD_NAMES)
@given(value=positive, truth=positive)
def test_losses_are_non_negative_zero_at_truth_and_symmetric(
    method: str, value: float, truth: float
) -> None:
    loss = compute_loss(value, truth, method)
    assert loss >= 0.0
    assert compute_loss(truth, truth, method) == 0.0
    assert compute_loss(truth, value, method) == pytest.approx(loss, rel=1e-12, abs=1e-300)
    assert compute_log10_loss(value, truth, method) >= math.log10(DEFAULT_LOSS_FLOOR)


@pytest.mark.parametrize("method", ["mse", "mae", "huber", "ztransformed_mae"])
@given(truth=finite, small=st.floats(0, 100), extra=st.floats(0.001, 100))
def test_log_loss_grows_with_the_error(
    method: str, truth: float, small: float, extra: float
) -> None:
    near = compute_log10_loss(truth + small, truth, method)
    far = compute_log10_loss(truth + small + extra, truth, method)
    assert far >= near


# --- the reputer's bundle


def test_bundle_losses_entry_by_entry() -> None:
    values = {("combined",): 1.5, ("naive",): 2.0, ("inferer", "a"): 1.0, ("inferer", "b"): 4.0}
    losses = compute_bundle_log10_losses(values, 2.0, "mse")
    assert list(losses) == list(values)
    for key, value in values.items():
        expected = math.log10(max((value - 2.0) ** 2, DEFAULT_LOSS_FLOOR))
        assert losses[key] == pytest.approx(expected)
    raw = compute_bundle_log10_losses(values, 2.0, "mae", allow_negative=True)
    assert raw[("inferer", "b")] == 2.0


def test_bundle_losses_undefined_entries() -> None:
    values = {"good": 2.0, "bad": -1.0}
    with pytest.raises(LossDomainError):
        compute_bundle_log10_losses(values, 1.0, "log_space_mae")
    kept = compute_bundle_log10_losses(values, 1.0, "log_space_mae", skip_undefined=True)
    assert list(kept) == ["good"]
    assert kept["good"] == pytest.approx(math.log10(math.log(2.0)))
    with pytest.raises(NonFiniteOutputError):
        compute_bundle_log10_losses(values, math.nan, "mse")


def test_mean_loss() -> None:
    assert compute_mean_loss([1.0, 2.0, 5.0], [1.0, 1.0, 1.0], "mse") == pytest.approx(17.0 / 3)
    with pytest.raises(LossDomainError):
        compute_mean_loss([], [], "mse")
    with pytest.raises(LossDomainError):
        compute_mean_loss([1.0], [1.0, 2.0], "mse")


# --- decimal text for the chain


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_dec_text_is_accepted_by_dec_and_exact(value: float) -> None:
    text = format_dec_text(value)
    dec(text)  # the chain's parser accepts it
    assert float(text) == value


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "1.0", None])
def test_format_dec_text_rejects_non_finite(value: object) -> None:
    with pytest.raises(NonFiniteOutputError):
        format_dec_text(value)  # type: ignore[arg-type]


def test_loss_bundle_of_a_value_bundle() -> None:
    from pyallora.synthesis.types import ValueBundle

    bundle = ValueBundle(
        combined=dec("1.5"),
        naive=dec("0"),
        inferers={"a": dec("1"), "b": dec("4")},
        one_out_inferers={"a": dec("3")},
    )
    losses = compute_loss_bundle(bundle, 2.0, "mse")
    reported = {key: dec_to_float(value) for key, value in losses.entries()}
    assert reported == pytest.approx(
        {
            ("combined",): math.log10(0.25),
            ("naive",): math.log10(4.0),
            ("inferer", "a"): 0.0,
            ("inferer", "b"): math.log10(4.0),
            ("one_out_inferer", "a"): 0.0,
        }
    )
    # the log-space loss of the bootstrap naive value 0 is undefined: the entry is left out
    skipped = compute_loss_bundle(bundle, 2.0, "log_space_mae", skip_undefined=True)
    assert ("naive",) not in dict(skipped.entries())
    assert len(skipped.entries()) == 4
    noisy = compute_loss_bundle(bundle, 2.0, "mse", perturb=lambda key, loss: loss + 1.0)
    assert noisy.combined is not None
    assert dec_to_float(noisy.combined) == pytest.approx(math.log10(0.25) + 1.0)
