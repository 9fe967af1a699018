"""SYNTHESIS.md §9 (regrets, initial regret) and §10 (worker scores)."""

from __future__ import annotations

from pyallora.core.dec import ONE, ZERO, dec, dec_context
from pyallora.synthesis.regrets import (
    compute_experienced_regrets,
    compute_initial_regret,
    compute_updated_regrets,
    is_experienced,
)
from pyallora.synthesis.scores import (
    compute_forecaster_scores,
    compute_inferer_scores,
    compute_score_emas,
)
from pyallora.synthesis.types import RegretState, ValueBundle

UNIT_REGRETS = (
    "0.6445506208021189",
    "1.0216386898413485",
    "0.6092049398135028",
    "0.6971588004566455",
    "0.9030751421888253",
    "0.8219035038858344",
)

LOSSES = ValueBundle(
    combined=dec(-4),
    naive=dec(-3),
    inferers={"a": dec(-2), "b": dec(-5)},
    forecasters={"f": dec("-4.5"), "g": dec("-3.5")},
    one_out_inferer_forecasters={("f", "a"): dec("-4.25")},
    one_out_inferers={"a": dec("-3.75"), "b": dec("-3.5")},
    one_out_forecasters={"f": dec("-3.9"), "g": dec("-4.1")},
    one_in_forecasters={"f": dec("-3.2"), "g": dec("-2.8")},
)


def test_initial_regret_unit_example() -> None:
    with dec_context():
        r0 = compute_initial_regret(
            [dec(v) for v in UNIT_REGRETS],
            quantile=dec("0.25"),
            p_norm=dec(3),
            c_norm=dec("0.75"),
            p_norm_safe_div=dec("8.25"),
            epsilon=dec("1e-4"),
        )
        want = dec("0.3354820760526412")
        assert abs(r0 - want) <= abs(want) * dec("1e-15")


def test_every_family_is_updated_with_its_reference() -> None:
    alpha, r0 = dec("0.1"), dec(-1)
    previous = RegretState(inferer={"a": dec("0.5")})
    with dec_context():
        new = compute_updated_regrets(previous, LOSSES, initial_regret=r0, alpha_regret=alpha)

        def ema(reference: str, own: str, prior: object = r0) -> object:
            return alpha * (dec(reference) - dec(own)) + (ONE - alpha) * prior  # type: ignore[operator]

        assert new.inferer["a"] == ema("-4", "-2", dec("0.5"))
        assert new.inferer["b"] == ema("-4", "-5")  # a newcomer starts from R₀
        assert new.forecaster["g"] == ema("-4", "-3.5")
        assert new.naive_inferer["b"] == ema("-3", "-5")
        assert new.one_out_inferer_inferer[("a", "a")] == ema("-3.75", "-2")
        assert new.one_out_inferer_inferer[("b", "a")] == ema("-3.5", "-2")
        assert new.one_out_inferer_forecaster[("a", "f")] == ema("-3.75", "-4.25")
        # No one-out value of g without a: that regret is not created.
        assert ("a", "g") not in new.one_out_inferer_forecaster
        assert new.one_out_forecaster_inferer[("f", "b")] == ema("-3.9", "-5")
        assert new.one_out_forecaster_forecaster[("g", "g")] == ema("-4.1", "-3.5")
        assert new.one_in_forecaster_inferer[("g", "a")] == ema("-2.8", "-2")
        assert new.one_in_forecaster_self["f"] == ema("-3.2", "-4.5")


def test_absent_participants_keep_their_regrets() -> None:
    previous = RegretState(inferer={"gone": dec("0.7")}, one_in_forecaster_self={"h": dec(2)})
    with dec_context():
        new = compute_updated_regrets(
            previous, LOSSES, initial_regret=ZERO, alpha_regret=dec("0.1")
        )
    assert new.inferer["gone"] == dec("0.7")
    assert new.one_in_forecaster_self["h"] == dec(2)


def test_experience_needs_a_stored_regret_and_enough_inclusions() -> None:
    alpha = dec("0.1")
    assert is_experienced(True, 10, alpha)
    assert not is_experienced(True, 9, alpha)
    assert not is_experienced(False, 100, alpha)
    assert is_experienced(True, 4, dec("0.3"))
    assert not is_experienced(True, 3, dec("0.3"))
    previous = RegretState(inferer={"a": dec(0)}, forecaster={"f": dec(0)})
    with dec_context():
        new = compute_updated_regrets(previous, LOSSES, initial_regret=ZERO, alpha_regret=alpha)
        got = compute_experienced_regrets(
            previous,
            new,
            LOSSES,
            inferer_inclusions={"a": 10, "b": 50},
            forecaster_inclusions={"f": 10, "g": 10},
            alpha_regret=alpha,
        )
    # b and g had no stored regret before: not experienced.
    assert got == [new.inferer["a"], new.forecaster["f"]]


def test_worker_scores() -> None:
    with dec_context():
        inferer = compute_inferer_scores(LOSSES)
        assert dict(inferer) == {"a": dec("0.25"), "b": dec("0.5")}
        forecaster = compute_forecaster_scores(LOSSES)
        f = dec("0.5")  # two forecasters with one-out losses: 1/2^(2-1)
        assert forecaster["f"] == f * (dec(-3) - dec("-3.2")) + (ONE - f) * (dec("-3.9") - dec(-4))
        assert forecaster["g"] == f * (dec(-3) - dec("-2.8")) + (ONE - f) * (dec("-4.1") - dec(-4))


def test_single_worker_scores_zero() -> None:
    losses = ValueBundle(
        combined=dec(-4), naive=dec(-3), inferers={"a": dec(-2)}, forecasters={"f": dec(-1)}
    )
    assert dict(compute_inferer_scores(losses)) == {"a": ZERO}
    assert dict(compute_forecaster_scores(losses)) == {"f": ZERO}


def test_score_emas_start_at_the_first_score() -> None:
    with dec_context():
        emas = compute_score_emas({"a": dec(1)}, {"a": dec(2), "b": dec(3)}, dec("0.1"))
    assert emas["b"] == dec(3)
    assert emas["a"] == dec("0.1") * 2 + (ONE - dec("0.1")) * 1
