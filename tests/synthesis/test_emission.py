"""SYNTHESIS.md §15 / PROTOCOL.md §6: the emission schedule (chain profile C, simulator S).

Known values derived by hand from the spec, properties of the per-block split, must-raise
inputs. The simulator profile is also checked month by month against ``tokenomics.csv`` in
``test_vectors_tokenomics.py``.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyallora.core.dec import dec, dec_context
from pyallora.core.errors import NegativeValueError, NonFiniteValueError, ParameterError
from pyallora.synthesis.emission import (
    SIMULATOR_EMISSION_PARAMS,
    EmissionError,
    LegacyDec,
    MintParams,
    MonthlyEmissionState,
    SimulatorMonthState,
    compute_block_emission_split,
    compute_ecosystem_mint_allowance,
    compute_emission_rate_cap,
    compute_locked_vesting_fraction,
    compute_monthly_emission,
    compute_simulator_month,
    compute_vesting_unlock_fraction,
    is_emission_recalculation_height,
)

PARAMS = MintParams()
BPM = PARAMS.blocks_per_month
ALLO = 10**18
UNITS = 10**18  # LegacyDec units per 1


def legacy(text: str) -> LegacyDec:
    return LegacyDec.from_fraction(Fraction(text))


def state(**changes: object) -> MonthlyEmissionState:
    fields: dict[str, object] = {
        "height": 1,
        "validators_bonded": 100_000_000 * ALLO,
        "reputers_stake": 0,
        "ecosystem_balance": 0,
        "ecosystem_minted": 0,
        "previous_emission_per_staked_token": None,
        "previous_reputers_share": dec("0.3"),
    }
    fields.update(changes)
    return MonthlyEmissionState(**fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Vesting


def test_vesting_schedule() -> None:
    assert [compute_locked_vesting_fraction(m) for m in (0, 11, 12, 13, 24, 35, 36, 60)] == [
        1,
        1,
        Fraction(2, 3),
        Fraction(23, 36),
        Fraction(1, 3),
        Fraction(1, 36),
        0,
        0,
    ]
    unlocks = [compute_vesting_unlock_fraction(m) for m in range(0, 61)]
    assert unlocks[12] == Fraction(1, 3)  # the 12-month cliff
    assert all(unlocks[m] == Fraction(1, 36) for m in range(13, 37))
    assert all(unlocks[m] == 0 for m in (*range(0, 12), *range(37, 61)))
    assert sum(unlocks) == 1


def test_recalculation_heights() -> None:
    assert [is_emission_recalculation_height(h, BPM) for h in (1, BPM + 1, 2 * BPM + 1)] == [
        True
    ] * 3
    assert not any(is_emission_recalculation_height(h, BPM) for h in (0, 2, BPM, BPM + 2))


# ---------------------------------------------------------------------------------------------
# LegacyDec


def test_legacy_dec_rounds_half_to_even_at_18_decimals() -> None:
    half = legacy("0.5")
    assert LegacyDec(units=1).mul(half).units == 0  # 0.5e-18 → 0 (even)
    assert LegacyDec(units=3).mul(half).units == 2  # 1.5e-18 → 2 (even)
    assert LegacyDec(units=-3).mul(half).units == -2  # symmetric in the sign
    one, three = LegacyDec.from_int(1), LegacyDec.from_int(3)
    assert str(one.quo(three)) == "0.333333333333333333"
    assert str(LegacyDec.from_int(2).quo(three)) == "0.666666666666666667"
    assert str(LegacyDec.from_int(-2).quo(three)) == "-0.666666666666666667"
    assert legacy("0.013930625").mul_int_truncate(10**26 + 7) == 1393062500000000000000000
    assert LegacyDec.from_dec(dec("0.3595")) == legacy("0.3595")
    assert LegacyDec.from_dec(dec("0.0095")).to_dec() == dec("0.0095")
    with pytest.raises(EmissionError):
        one.quo(LegacyDec(units=0))


def test_rate_cap_at_genesis_is_two_percent() -> None:
    cap = compute_emission_rate_cap(legacy("0.0095"), legacy("0.25"), legacy("0.3"))
    assert cap == legacy("0.02")  # 0.0095 / (0.25 + 0.75 · 0.3) (PROTOCOL.md §6.3)


# ---------------------------------------------------------------------------------------------
# Monthly recalculation (C)


def test_genesis_month_by_hand() -> None:
    # 10% of the supply bonded by validators, nothing minted yet:
    # locked = 48.55 % of the supply, T_eco = 35.95 %, N_circ = 15.5 %;
    # ê_target = 0.025 · 3.595 · 0.155 = 0.013930625 < ê_max = 0.02; e = ê (first month).
    result = compute_monthly_emission(state(), PARAMS)
    assert result.month == 0
    assert result.staked == 100_000_000 * ALLO
    assert result.locked_vesting == 485_500_000 * ALLO
    assert result.ecosystem_locked == 359_500_000 * ALLO
    assert result.circulating == 155_000_000 * ALLO
    assert result.target == legacy("0.013930625")
    assert result.cap == legacy("0.02")
    assert result.capped == result.target
    assert result.emission_per_staked_token == legacy("0.013930625")
    assert result.monthly_emission == 13_930_625 * 10**17
    assert result.block_emission == 13_930_625 * 10**17 // 864_000


def test_second_month_smooths_with_the_previous_value() -> None:
    # Staked doubled: ê_target = 0.025 · 1.7975 · 0.155 = 0.0069653125;
    # e = 0.1 · 0.0069653125 + 0.9 · 0.013930625 = 0.01323409375.
    result = compute_monthly_emission(
        state(
            height=BPM + 1,
            validators_bonded=200_000_000 * ALLO,
            previous_emission_per_staked_token=legacy("0.013930625"),
        ),
        PARAMS,
    )
    assert result.month == 1
    assert result.target == legacy("0.0069653125")
    assert result.emission_per_staked_token == legacy("0.01323409375")
    assert result.monthly_emission == 264_681_875 * 10**16


def test_any_recalculation_in_the_first_month_ignores_the_stored_value() -> None:
    result = compute_monthly_emission(
        state(height=BPM - 1, previous_emission_per_staked_token=legacy("0.5")), PARAMS
    )
    assert result.emission_per_staked_token == result.capped


def test_cap_binds_with_little_stake() -> None:
    result = compute_monthly_emission(state(validators_bonded=10_000_000 * ALLO), PARAMS)
    assert result.target > legacy("0.02")
    assert result.capped == legacy("0.02")
    assert result.monthly_emission == 200_000 * ALLO


def test_vesting_cliff_enters_the_circulating_supply() -> None:
    before = compute_monthly_emission(
        state(height=11 * BPM + 1, previous_emission_per_staked_token=legacy("0.01")), PARAMS
    )
    after = compute_monthly_emission(
        state(height=12 * BPM + 1, previous_emission_per_staked_token=legacy("0.01")), PARAMS
    )
    unlocked = after.circulating - before.circulating
    assert unlocked == 485_500_000 * ALLO // 3 + (1 if 485_500_000 * ALLO % 3 else 0)
    assert after.locked_vesting == 485_500_000 * ALLO * 2 // 3


def test_minted_tokens_reduce_the_mint_allowance() -> None:
    assert compute_ecosystem_mint_allowance(0, PARAMS) == 359_500_000 * ALLO
    assert compute_ecosystem_mint_allowance(5 * ALLO, PARAMS) == 359_499_995 * ALLO
    assert compute_ecosystem_mint_allowance(400_000_000 * ALLO, PARAMS) == 0


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"validators_bonded": 0}, EmissionError),  # nothing staked
        ({"ecosystem_balance": 10**27}, EmissionError),  # negative circulating supply
        ({"height": 2 * BPM + 1}, EmissionError),  # no stored e after the first month
        ({"validators_bonded": -1}, NegativeValueError),
        ({"reputers_stake": 1.5}, ParameterError),
        ({"previous_reputers_share": "0.3"}, ParameterError),
    ],
)
def test_monthly_emission_rejects(changes: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        compute_monthly_emission(state(**changes), PARAMS)


def test_zero_stakers_share_is_rejected() -> None:
    params = MintParams(validators_vs_allora_percent_reward=dec(0))
    with pytest.raises(EmissionError):
        compute_monthly_emission(state(previous_reputers_share=dec(0)), params)


def test_non_finite_reputers_share_is_rejected() -> None:
    import gmpy2

    with gmpy2.context(precision=113, trap_invalid=False):
        nan = gmpy2.mpfr("nan")
    with pytest.raises(NonFiniteValueError):
        compute_monthly_emission(state(previous_reputers_share=nan), PARAMS)


def test_mint_params_are_validated() -> None:
    with pytest.raises(ParameterError):
        MintParams(team_percent_of_total_supply=dec("0.18"))  # shares no longer add up to 1
    with pytest.raises(ParameterError):
        MintParams(f_emission=dec("1.5"))
    with pytest.raises(ParameterError):
        MintParams(blocks_per_month=0)


# ---------------------------------------------------------------------------------------------
# Per-block split (§15.2)


def test_block_split_mints_only_the_shortfall() -> None:
    split = compute_block_emission_split(
        block_emission=1000, ecosystem_balance=300, ecosystem_minted=0, params=PARAMS
    )
    assert (split.minted, split.validator_cut, split.allora_cut) == (700, 250, 750)
    rich = compute_block_emission_split(
        block_emission=1000, ecosystem_balance=5000, ecosystem_minted=0, params=PARAMS
    )
    assert rich.minted == 0


def test_block_split_fails_when_the_allowance_is_exhausted() -> None:
    exhausted = 359_500_000 * ALLO
    with pytest.raises(EmissionError):
        compute_block_emission_split(
            block_emission=1000, ecosystem_balance=10, ecosystem_minted=exhausted, params=PARAMS
        )
    split = compute_block_emission_split(
        block_emission=1000, ecosystem_balance=10, ecosystem_minted=exhausted - 990, params=PARAMS
    )
    assert split.minted == 990


_amount = st.integers(min_value=0, max_value=10**30)
_share = st.integers(min_value=0, max_value=10**18).map(lambda u: LegacyDec(units=u))


@given(_amount, _amount, st.integers(min_value=0, max_value=400_000_000 * ALLO), _share)
def test_block_split_adds_up_exactly(
    emission: int, balance: int, minted: int, share: LegacyDec
) -> None:
    with dec_context():
        params = MintParams(validators_vs_allora_percent_reward=share.to_dec())
    allowance = compute_ecosystem_mint_allowance(minted, params)
    try:
        split = compute_block_emission_split(
            block_emission=emission, ecosystem_balance=balance, ecosystem_minted=minted,
            params=params,
        )  # fmt: skip
    except EmissionError:
        assert balance + allowance < emission
        return
    assert split.validator_cut + split.allora_cut == emission
    assert 0 <= split.validator_cut <= emission
    assert 0 <= split.minted <= allowance
    assert balance + split.minted >= emission
    assert split.minted == max(0, emission - balance)


@given(
    st.integers(min_value=1, max_value=600_000_000),
    st.integers(min_value=0, max_value=150_000_000),
    st.integers(min_value=1, max_value=100),
    st.integers(min_value=0, max_value=10**8),
)
def test_monthly_emission_properties(bonded: int, balance: int, month: int, e_prev: int) -> None:
    previous = LegacyDec(units=e_prev * 10**8)
    result = compute_monthly_emission(
        state(
            height=month * BPM + 1,
            validators_bonded=bonded * ALLO,
            ecosystem_balance=balance * ALLO,
            previous_emission_per_staked_token=previous,
        ),
        PARAMS,
    )
    assert result.capped == min(result.target, result.cap)
    low, high = sorted((result.capped, previous))
    assert low.units - 1 <= result.emission_per_staked_token.units <= high.units + 1
    exact = result.emission_per_staked_token.to_fraction() * result.staked
    assert result.monthly_emission <= exact < result.monthly_emission + 1
    assert result.block_emission * BPM <= result.monthly_emission


# ---------------------------------------------------------------------------------------------
# Simulator profile (§15.3)


def test_simulator_cap_and_first_month() -> None:
    month = compute_simulator_month(
        SimulatorMonthState(
            month=1,
            circulating=dec(155_000_000),
            staked=dec(47_000_000),
            ecosystem_total=dec(359_500_000),
            previous_emission_per_staked_token=None,
        )
    )
    with dec_context():
        # README §4.3 quotes the simulator's double 0.01897758586916609 (7e-15 relative off).
        assert abs(month.cap - dec("0.01897758586916609")) < dec("2e-16")
        # ê_target = 0.025 · (359.5/47) · 0.155 exactly, rounded once.
        exact = Fraction(25, 1000) * Fraction(3595, 470) * Fraction(155, 1000)
        numerator, denominator = (int(x) for x in month.target.as_integer_ratio())
        assert abs(Fraction(numerator, denominator) - exact) < exact * Fraction(1, 10**33)
        assert month.emission_per_staked_token == month.cap  # capped, and e = ê in month 1
        assert month.validator_rewards + month.topics_rewards == month.emission
        assert month.ecosystem_total == dec(359_500_000) - month.emission


def test_simulator_cliff_unlocks_a_third() -> None:
    month = compute_simulator_month(
        SimulatorMonthState(
            month=12,
            circulating=dec(160_000_000),
            staked=dec(50_000_000),
            ecosystem_total=dec(350_000_000),
            previous_emission_per_staked_token=dec("0.0189"),
        )
    )
    with dec_context():
        third = SIMULATOR_EMISSION_PARAMS.investors_seed_allocation / 3
        assert abs(month.investors_seed_unlock - third) < dec("1e-25")
        unlocked = month.investors_preseed_unlock + month.investors_seed_unlock + month.team_unlock
        assert month.circulating == dec(160_000_000) + unlocked
        assert month.staked == dec(50_000_000) + dec("0.75") * unlocked


def test_simulator_rejects_no_stake() -> None:
    with pytest.raises(EmissionError):
        compute_simulator_month(
            SimulatorMonthState(
                month=2,
                circulating=dec(1),
                staked=dec(0),
                ecosystem_total=dec(1),
                previous_emission_per_staked_token=dec("0.01"),
            )
        )
    with pytest.raises(ParameterError):
        compute_simulator_month(
            SimulatorMonthState(
                month=0,
                circulating=dec(1),
                staked=dec(1),
                ecosystem_total=dec(1),
                previous_emission_per_staked_token=None,
            )
        )
