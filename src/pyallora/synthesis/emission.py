"""Token emission schedule: implements SYNTHESIS.md §15 (and PROTOCOL.md §6, which agrees).

Two profiles of the same schedule:

* **C, the chain** (§15.1, §15.2; PROTOCOL.md §6.3, §6.4): at heights ≡ 1 mod BlocksPerMonth
  :func:`compute_monthly_emission` derives the emission per staked token and the per-block
  emission (integers of base units) from the live supply state; in every block
  :func:`compute_block_emission_split` tops up the ecosystem account and splits the block
  emission between validators and the reward treasury.
* **S, the research simulator** (§15.3, ``tokenomics.csv``): :func:`compute_simulator_month`
  advances one month in whole tokens, with the simulator's behavioural assumption that 75 % of
  newly vested tokens are staked at once.

Both use :func:`compute_locked_vesting_fraction` (investors, pre-seed investors and team are
locked for 12 months, then (36 − m)/36 stays locked in month m, nothing after month 36) and the
same rate formulas:

    ê_target = f_e · (T_eco / N_staked) · (N_circ / N_total),
    ê_max    = ξ_max / (f_v + (1 − f_v)·r),
    ê        = min(ê_target, ê_max),
    e        = ema_{α_e}(ê, e_previous)   (e = ê in the first month).

Number types. The reference chain's mint computes in Cosmos ``LegacyDec``, an 18-decimal fixed
point whose multiplication and division round half-to-even at the 18th decimal (PROTOCOL.md
§1.3, §10), and stores e in that type. Profile C therefore computes its rates in
:class:`LegacyDec` (emulated exactly with integers): the results are the reference's for the
same inputs, e.g. a month-0 target of exactly 0.013930625. Dec parameters enter as the nearest
LegacyDec, which recovers every decimal parameter with at most 18 decimals (0.3595, 0.0095, …)
exactly from its 113-bit Dec (the fix of PROTOCOL.md quirk C23: no failure above 18 decimals).
Amounts are ints, rounded down, and the per-block split adds up exactly. Profile S reproduces a
double-precision simulator, so it computes in Dec, with ê_target rounded once from the exact
ratio of the supply amounts.

>>> [str(compute_locked_vesting_fraction(m)) for m in (11, 12, 13, 35, 36)]
['1', '2/3', '23/36', '1/36', '0']
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Final

import gmpy2
from gmpy2 import mpfr

from pyallora.core.dec import (
    ONE,
    ZERO,
    Dec,
    dec,
    dec_context,
    is_finite,
    with_dec_context,
)
from pyallora.core.errors import (
    NegativeValueError,
    NonFiniteValueError,
    ParameterError,
    SynthesisInputError,
)
from pyallora.core.legacy_dec import ONE as LEGACY_DEC_ONE
from pyallora.core.legacy_dec import compute_div_round_half_even, format_legacy_dec_json
from pyallora.synthesis.helpers import compute_ema

__all__ = [
    "SIMULATOR_EMISSION_PARAMS",
    "BlockEmissionSplit",
    "EmissionError",
    "LegacyDec",
    "MintParams",
    "MonthlyEmission",
    "MonthlyEmissionState",
    "SimulatorEmissionParams",
    "SimulatorMonth",
    "SimulatorMonthState",
    "compute_block_emission_split",
    "compute_ecosystem_mint_allowance",
    "compute_emission_rate_cap",
    "compute_locked_vesting_fraction",
    "compute_month_index",
    "compute_monthly_emission",
    "compute_simulator_month",
    "compute_vesting_unlock_fraction",
    "is_emission_recalculation_height",
    "to_legacy_dec",
]

CLIFF_MONTHS = 12
"""Months during which the vesting buckets are fully locked."""

VESTING_MONTHS = 36
"""Month from which nothing is locked any more."""

LEGACY_DEC_SCALE: Final = LEGACY_DEC_ONE
"""The mint's LegacyDec has 18 fractional decimal digits (:mod:`pyallora.core.legacy_dec`)."""


class EmissionError(SynthesisInputError):
    """The emission cannot be computed from this state.

    The reference chain halts in these cases (a mint begin-block error): no staked tokens, a
    negative circulating supply or ecosystem balance, a zero stakers' share, or an ecosystem
    account that cannot cover the block emission even after minting.
    """


# ---------------------------------------------------------------------------------------------
# Parameters


def _check_fraction(value: object, name: str, *, upper: bool = True) -> None:
    if not isinstance(value, mpfr) or not is_finite(value):
        raise ParameterError(f"parameter {name} must be a finite Dec, got {value!r}")
    if value < 0 or (upper and value > 1):
        raise ParameterError(f"parameter {name} must be in [0, 1], got {value}")


def _check_positive_int(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"parameter {name} must be an int >= 1, got {value!r}")


_DEFAULT_F_EMISSION = dec("0.025")
_DEFAULT_SMOOTHING = dec("0.1")
_DEFAULT_ECOSYSTEM_SHARE = dec("0.3595")
_DEFAULT_FOUNDATION_SHARE = dec("0.10")
_DEFAULT_PARTICIPANTS_SHARE = dec("0.055")
_DEFAULT_INVESTORS_SHARE = dec("0.2605")
_DEFAULT_TEAM_SHARE = dec("0.175")
_DEFAULT_PRESEED_SHARE = dec("0.05")
_DEFAULT_MAX_MONTHLY_YIELD = dec("0.0095")
_DEFAULT_VALIDATORS_SHARE = dec("0.25")


@dataclass(frozen=True, slots=True, kw_only=True)
class MintParams:
    """Mint parameters (PROTOCOL.md §6.1; defaults SYNTHESIS.md §3.3) plus the two emissions
    parameters the mint reads (validators' share, blocks per month)."""

    max_supply: int = 10**27
    """MaxSupply in base units (10⁹ tokens)."""
    f_emission: Dec = _DEFAULT_F_EMISSION
    """FEmission f_e: target emission per month as a fraction."""
    one_month_smoothing_degree: Dec = _DEFAULT_SMOOTHING
    """α_e of the monthly EMA of the emission per staked token."""
    ecosystem_treasury_percent_of_total_supply: Dec = _DEFAULT_ECOSYSTEM_SHARE
    """The ecosystem's share of the supply, minted on demand."""
    foundation_treasury_percent_of_total_supply: Dec = _DEFAULT_FOUNDATION_SHARE
    """The foundation's share (unlocked from genesis)."""
    participants_percent_of_total_supply: Dec = _DEFAULT_PARTICIPANTS_SHARE
    """The participants' share (unlocked from genesis)."""
    investors_percent_of_total_supply: Dec = _DEFAULT_INVESTORS_SHARE
    """The investors' share (vesting)."""
    team_percent_of_total_supply: Dec = _DEFAULT_TEAM_SHARE
    """The team's share (vesting)."""
    investors_preseed_percent_of_total_supply: Dec = _DEFAULT_PRESEED_SHARE
    """The pre-seed investors' share (vesting)."""
    maximum_monthly_percentage_yield: Dec = _DEFAULT_MAX_MONTHLY_YIELD
    """ξ_max: the cap on the monthly yield of staked tokens."""
    validators_vs_allora_percent_reward: Dec = _DEFAULT_VALIDATORS_SHARE
    """f_v: validators' share of each block emission (an emissions parameter)."""
    blocks_per_month: int = 864_000
    """BlocksPerMonth (an emissions parameter)."""

    def __post_init__(self) -> None:
        _check_positive_int(self.max_supply, "max_supply")
        _check_positive_int(self.blocks_per_month, "blocks_per_month")
        for name in (
            "f_emission",
            "one_month_smoothing_degree",
            "ecosystem_treasury_percent_of_total_supply",
            "foundation_treasury_percent_of_total_supply",
            "participants_percent_of_total_supply",
            "investors_percent_of_total_supply",
            "team_percent_of_total_supply",
            "investors_preseed_percent_of_total_supply",
            "maximum_monthly_percentage_yield",
            "validators_vs_allora_percent_reward",
        ):
            _check_fraction(getattr(self, name), name)
        shares = (
            self.ecosystem_treasury_percent_of_total_supply,
            self.foundation_treasury_percent_of_total_supply,
            self.participants_percent_of_total_supply,
            self.investors_percent_of_total_supply,
            self.team_percent_of_total_supply,
            self.investors_preseed_percent_of_total_supply,
        )
        total = sum((LegacyDec.from_dec(share).to_fraction() for share in shares), Fraction(0))
        if total != 1:
            raise ParameterError(f"the six supply shares must add up to exactly 1, got {total}")


# ---------------------------------------------------------------------------------------------
# Shared pieces


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class LegacyDec:
    """The mint's 18-decimal fixed-point number (Cosmos ``LegacyDec``): ``units`` × 10⁻¹⁸.

    Addition and subtraction are exact; :meth:`mul` rounds the exact product half-to-even at
    the 18th decimal; :meth:`quo` truncates the quotient at the 36th decimal, then rounds
    half-to-even at the 18th; :meth:`mul_int_truncate` multiplies by an integer exactly and
    truncates toward zero.

    >>> a = LegacyDec.from_dec(dec("0.0095"))
    >>> str(a.quo(LegacyDec.from_dec(dec("0.475"))))
    '0.020000000000000000'
    """

    units: int
    """The value times 10¹⁸."""

    @classmethod
    def from_int(cls, value: int) -> LegacyDec:
        """An integer, exactly."""
        return cls(units=value * LEGACY_DEC_SCALE)

    @classmethod
    def from_fraction(cls, value: Fraction) -> LegacyDec:
        """The nearest LegacyDec (ties to even)."""
        return cls(
            units=compute_div_round_half_even(value.numerator * LEGACY_DEC_SCALE, value.denominator)
        )

    @classmethod
    def from_dec(cls, value: Dec) -> LegacyDec:
        """The nearest LegacyDec to a Dec (ties to even).

        Raises
        ------
        NonFiniteValueError
            For NaN or an infinity.
        """
        if not is_finite(value):
            raise NonFiniteValueError(f"not a finite number: {value}")
        numerator, denominator = (int(part) for part in value.as_integer_ratio())
        return cls.from_fraction(Fraction(numerator, denominator))

    def add(self, other: LegacyDec) -> LegacyDec:
        """Exact sum."""
        return LegacyDec(units=self.units + other.units)

    def sub(self, other: LegacyDec) -> LegacyDec:
        """Exact difference."""
        return LegacyDec(units=self.units - other.units)

    def mul(self, other: LegacyDec) -> LegacyDec:
        """Product rounded half-to-even at the 18th decimal."""
        return LegacyDec(
            units=compute_div_round_half_even(self.units * other.units, LEGACY_DEC_SCALE)
        )

    def quo(self, other: LegacyDec) -> LegacyDec:
        """Quotient truncated at 36 decimals, then rounded half-to-even at 18.

        Raises
        ------
        EmissionError
            For a zero divisor.
        """
        if other.units == 0:
            raise EmissionError("division by a zero LegacyDec")
        scaled = self.units * LEGACY_DEC_SCALE * LEGACY_DEC_SCALE
        truncated = abs(scaled) // abs(other.units)
        if (scaled < 0) != (other.units < 0):
            truncated = -truncated
        return LegacyDec(units=compute_div_round_half_even(truncated, LEGACY_DEC_SCALE))

    def mul_int_truncate(self, value: int) -> int:
        """⌊self · value⌋ toward zero: the exact product truncated to an integer."""
        product = self.units * value
        magnitude = abs(product) // LEGACY_DEC_SCALE
        return magnitude if product >= 0 else -magnitude

    def to_fraction(self) -> Fraction:
        """The exact value."""
        return Fraction(self.units, LEGACY_DEC_SCALE)

    def to_dec(self) -> Dec:
        """The value as a Dec (rounded toward zero; exact when it fits 113 bits)."""
        return _to_dec_toward_zero(self.to_fraction())

    def __str__(self) -> str:
        return format_legacy_dec_json(self.units)


def to_legacy_dec(value: Dec) -> Fraction:
    """``value`` as the nearest multiple of 10⁻¹⁸ (ties to even), as an exact Fraction.

    >>> to_legacy_dec(dec("0.3595"))
    Fraction(719, 2000)
    """
    return LegacyDec.from_dec(value).to_fraction()


def _exact(value: int | Dec) -> Fraction:
    if isinstance(value, int):
        return Fraction(value)
    numerator, denominator = value.as_integer_ratio()
    return Fraction(int(numerator), int(denominator))


def _to_dec_toward_zero(value: Fraction) -> Dec:
    if value == 0:
        return ZERO
    magnitude = abs(value)
    numerator, denominator = magnitude.numerator, magnitude.denominator
    shift = max(0, 120 + denominator.bit_length() - numerator.bit_length())
    # The integer quotient has ≥ 119 bits, so truncating it to 113 bits truncates the ratio.
    scaled: Dec = mpfr((numerator << shift) // denominator)
    result: Dec = scaled / mpfr(2) ** shift
    return result if value > 0 else -result


def compute_locked_vesting_fraction(month: int) -> Fraction:
    """Locked fraction of the vesting buckets in month m (§15.1): 1, (36 − m)/36, then 0."""
    if month < CLIFF_MONTHS:
        return Fraction(1)
    if month < VESTING_MONTHS:
        return Fraction(VESTING_MONTHS - month, VESTING_MONTHS)
    return Fraction(0)


def compute_vesting_unlock_fraction(month: int) -> Fraction:
    """Fraction of a vesting bucket unlocked in month m: 1/3 at 12, 1/36 in 13–36, else 0."""
    if month <= 0:
        return Fraction(0)
    return compute_locked_vesting_fraction(month - 1) - compute_locked_vesting_fraction(month)


def compute_month_index(height: int, blocks_per_month: int) -> int:
    """m = ⌊height / BlocksPerMonth⌋ (§15.1)."""
    return height // blocks_per_month


def is_emission_recalculation_height(height: int, blocks_per_month: int) -> bool:
    """True at heights 1, 1 + M, 1 + 2M, … (h mod BlocksPerMonth = 1; PROTOCOL.md §6.3)."""
    return height % blocks_per_month == 1 % blocks_per_month


def _check_supply(t_eco: Fraction, n_staked: Fraction, n_circ: Fraction) -> None:
    if n_staked <= 0:
        raise EmissionError("no staked tokens: the emission per staked token is undefined")
    if n_circ < 0:
        raise EmissionError(f"negative circulating supply: {n_circ}")
    if t_eco < 0:
        raise EmissionError(f"negative ecosystem tokens: {t_eco}")


def _check_amount(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(f"{name} must be an int of base units, got {value!r}")
    if value < 0:
        raise NegativeValueError(f"{name} is negative: {value}")
    return value


def _check_dec(value: object, name: str) -> Dec:
    if not isinstance(value, mpfr):
        raise ParameterError(f"{name} must be a Dec, got {type(value).__name__}")
    if not is_finite(value):
        raise NonFiniteValueError(f"{name} is not finite: {value}")
    return value


# ---------------------------------------------------------------------------------------------
# Profile C: the chain


def compute_emission_rate_cap(
    maximum_monthly_percentage_yield: LegacyDec,
    validators_share: LegacyDec,
    reputers_share: LegacyDec,
) -> LegacyDec:
    """ê_max = ξ_max / f_stakers with f_stakers = f_v + (1 − f_v)·r (§15.1).

    With the defaults and r = 0.3 at genesis: 0.0095 / 0.475 = 0.02 (PROTOCOL.md §6.3).

    Raises
    ------
    EmissionError
        When f_stakers is not positive.
    """
    one = LegacyDec.from_int(1)
    stakers = validators_share.add(one.sub(validators_share).mul(reputers_share))
    if stakers.units <= 0:
        raise EmissionError("the stakers' share f_v + (1 − f_v)·r is not positive")
    return maximum_monthly_percentage_yield.quo(stakers)


def compute_ecosystem_mint_allowance(minted: int, params: MintParams) -> int:
    """Tokens the ecosystem may still mint: ⌊MaxSupply · 35.95 %⌋ − minted (at least 0)."""
    share = LegacyDec.from_dec(params.ecosystem_treasury_percent_of_total_supply)
    return max(0, share.mul_int_truncate(params.max_supply) - minted)


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyEmissionState:
    """The live state read by the monthly recalculation (PROTOCOL.md §6.3), base units."""

    height: int
    """Block height of the recalculation (≡ 1 mod BlocksPerMonth, or an admin request)."""
    validators_bonded: int
    """Cosmos validators' bonded tokens."""
    reputers_stake: int
    """All reputer stake (the emissions module's total stake)."""
    ecosystem_balance: int
    """Balance of the ``ecosystem`` account."""
    ecosystem_minted: int
    """Tokens minted into ``ecosystem`` so far."""
    previous_emission_per_staked_token: LegacyDec | None
    """The stored e of the previous month (None: never stored); not read in the first month."""
    previous_reputers_share: Dec
    """r: fraction of the reward treasury paid to reputers (0.3 at genesis), an emissions Dec."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyEmission:
    """Result of the monthly recalculation (§15.1)."""

    month: int
    """m = ⌊height / BlocksPerMonth⌋."""
    staked: int
    """N_staked = validators' bonded tokens + reputer stake."""
    locked_vesting: int
    """Locked investor, pre-seed and team tokens (rounded down)."""
    ecosystem_locked: int
    """T_eco = ecosystem balance + tokens the ecosystem may still mint."""
    circulating: int
    """N_circ = MaxSupply − locked vesting − T_eco."""
    target: LegacyDec
    """ê_target."""
    cap: LegacyDec
    """ê_max."""
    capped: LegacyDec
    """ê = min(ê_target, ê_max)."""
    emission_per_staked_token: LegacyDec
    """e: the new stored EMA state (emission per staked token per month)."""
    monthly_emission: int
    """⌊e · N_staked⌋."""
    block_emission: int
    """⌊monthly emission / BlocksPerMonth⌋: the per-block emission B until the next month."""


def compute_monthly_emission(state: MonthlyEmissionState, params: MintParams) -> MonthlyEmission:
    """The monthly emission recalculation of the chain (SYNTHESIS.md §15.1, PROTOCOL.md §6.3).

    ê_target = f_e · (T_eco / N_staked) · (N_circ / N_total), ê_max = ξ_max / f_stakers,
    ê = min of the two, e = α_e·ê + (1 − α_e)·e_previous with e_previous := ê at heights
    below BlocksPerMonth (any recalculation in the first month), all in LegacyDec; then the
    monthly emission ⌊e · N_staked⌋ and the block emission ⌊monthly / BlocksPerMonth⌋.

    Parameters
    ----------
    state
        The live supply and staking state and the stored EMA.
    params
        Mint parameters.

    Returns
    -------
    MonthlyEmission
        Every intermediate quantity, the new EMA state e and the per-block emission.

    Raises
    ------
    EmissionError
        No staked tokens, a negative circulating supply, a zero stakers' share, or no stored
        e after the first month.
    NegativeValueError, NonFiniteValueError, ParameterError
        Malformed state.
    """
    height = _check_amount(state.height, "height")
    bonded = _check_amount(state.validators_bonded, "validators' bonded tokens")
    reputers = _check_amount(state.reputers_stake, "reputer stake")
    balance = _check_amount(state.ecosystem_balance, "ecosystem balance")
    minted = _check_amount(state.ecosystem_minted, "ecosystem minted")
    share = LegacyDec.from_dec(_check_dec(state.previous_reputers_share, "reputers' share"))
    first_month = height < params.blocks_per_month
    previous = state.previous_emission_per_staked_token
    if previous is None and not first_month:
        raise EmissionError("no stored emission per staked token after the first month")

    month = compute_month_index(height, params.blocks_per_month)
    staked = bonded + reputers
    vesting_share = (
        LegacyDec.from_dec(params.investors_percent_of_total_supply)
        .add(LegacyDec.from_dec(params.investors_preseed_percent_of_total_supply))
        .add(LegacyDec.from_dec(params.team_percent_of_total_supply))
    )
    locked_exact = (
        vesting_share.to_fraction() * params.max_supply * compute_locked_vesting_fraction(month)
    )
    locked = int(locked_exact)  # ⌊·⌋ of a non-negative rational
    ecosystem_locked = balance + compute_ecosystem_mint_allowance(minted, params)
    circulating = params.max_supply - locked - ecosystem_locked
    _check_supply(Fraction(ecosystem_locked), Fraction(staked), Fraction(circulating))

    ratio_circulating = LegacyDec.from_int(circulating).quo(LegacyDec.from_int(params.max_supply))
    ratio_ecosystem = LegacyDec.from_int(ecosystem_locked).quo(LegacyDec.from_int(staked))
    target = LegacyDec.from_dec(params.f_emission).mul(ratio_ecosystem).mul(ratio_circulating)
    cap = compute_emission_rate_cap(
        LegacyDec.from_dec(params.maximum_monthly_percentage_yield),
        LegacyDec.from_dec(params.validators_vs_allora_percent_reward),
        share,
    )
    capped = min(target, cap)
    alpha = LegacyDec.from_dec(params.one_month_smoothing_degree)
    previous_e = capped if first_month or previous is None else previous
    e = alpha.mul(capped).add(LegacyDec.from_int(1).sub(alpha).mul(previous_e))
    monthly = e.mul_int_truncate(staked)
    return MonthlyEmission(
        month=month,
        staked=staked,
        locked_vesting=locked,
        ecosystem_locked=ecosystem_locked,
        circulating=circulating,
        target=target,
        cap=cap,
        capped=capped,
        emission_per_staked_token=e,
        monthly_emission=monthly,
        block_emission=monthly // params.blocks_per_month,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockEmissionSplit:
    """One block's emission flows (§15.2, PROTOCOL.md §6.4), base units."""

    minted: int
    """Minted into ``ecosystem`` to cover the block emission."""
    validator_cut: int
    """⌊f_v · B⌋ to ``fee_collector``."""
    allora_cut: int
    """B − validator cut to the reward treasury (``allorarewards``): e_block of §14.4."""


def compute_block_emission_split(
    *,
    block_emission: int,
    ecosystem_balance: int,
    ecosystem_minted: int,
    params: MintParams,
) -> BlockEmissionSplit:
    """Mint the ecosystem's shortfall and split the block emission B (§15.2).

    minted = min(max(0, B − balance), remaining allowance); validators get ⌊f_v · B⌋ and the
    treasury the rest, so the two cuts add up to B exactly.

    Raises
    ------
    EmissionError
        When the ecosystem still holds less than B after minting (the reference halts).
    NegativeValueError, ParameterError
        For amounts that are negative or not ints.
    """
    emission = _check_amount(block_emission, "block emission")
    balance = _check_amount(ecosystem_balance, "ecosystem balance")
    minted_so_far = _check_amount(ecosystem_minted, "ecosystem minted")
    shortfall = max(0, emission - balance)
    minted = min(shortfall, compute_ecosystem_mint_allowance(minted_so_far, params))
    if balance + minted < emission:
        raise EmissionError(
            f"the ecosystem holds {balance + minted} after minting, less than the block "
            f"emission {emission}"
        )
    share = LegacyDec.from_dec(params.validators_vs_allora_percent_reward)
    validator_cut = share.mul_int_truncate(emission)
    return BlockEmissionSplit(
        minted=minted, validator_cut=validator_cut, allora_cut=emission - validator_cut
    )


# ---------------------------------------------------------------------------------------------
# Profile S: the simulator's monthly schedule


with dec_context():
    _SIM_MAX_SUPPLY = dec(1_000_000_000)
    _SIM_F_EMISSION = dec("0.025")
    _SIM_SMOOTHING_ALPHA = dec("0.1")
    _SIM_VALIDATORS_SHARE = dec("0.25")
    _SIM_MAX_MONTHLY_YIELD = dec("1.12") ** (ONE / 12) - 1
    _SIM_REPUTERS_SHARE = ONE / 3
    _SIM_STAKED_OF_UNLOCKS = dec("0.75")
    _SIM_PRESEED_ALLOCATION = dec(50_000_000)
    _SIM_SEED_ALLOCATION = dec(260_500_000)
    _SIM_TEAM_ALLOCATION = dec(175_000_000)


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorEmissionParams:
    """The profile that produced ``tokenomics.csv`` (vectors README §4.3), whole tokens."""

    max_supply: Dec = _SIM_MAX_SUPPLY
    """N_total."""
    f_emission: Dec = _SIM_F_EMISSION
    """f_e."""
    smoothing_alpha: Dec = _SIM_SMOOTHING_ALPHA
    """α_e."""
    validators_share: Dec = _SIM_VALIDATORS_SHARE
    """f_v."""
    maximum_monthly_percentage_yield: Dec = _SIM_MAX_MONTHLY_YIELD
    """ξ_max = 1.12^{1/12} − 1."""
    reputers_share: Dec = _SIM_REPUTERS_SHARE
    """r, fixed at 1/3 (so f_stakers = 0.5)."""
    staked_fraction_of_unlocks: Dec = _SIM_STAKED_OF_UNLOCKS
    """Share of newly vested tokens the simulator stakes at once (behaviour, not protocol)."""
    investors_preseed_allocation: Dec = _SIM_PRESEED_ALLOCATION
    """Pre-seed investors' vesting bucket."""
    investors_seed_allocation: Dec = _SIM_SEED_ALLOCATION
    """Seed investors' vesting bucket."""
    team_allocation: Dec = _SIM_TEAM_ALLOCATION
    """Team's vesting bucket."""

    def __post_init__(self) -> None:
        for name in (
            "f_emission",
            "smoothing_alpha",
            "validators_share",
            "maximum_monthly_percentage_yield",
            "reputers_share",
            "staked_fraction_of_unlocks",
        ):
            _check_fraction(getattr(self, name), name)
        for name in (
            "max_supply",
            "investors_preseed_allocation",
            "investors_seed_allocation",
            "team_allocation",
        ):
            _check_fraction(getattr(self, name), name, upper=False)


SIMULATOR_EMISSION_PARAMS = SimulatorEmissionParams()
"""The tokenomics table's parameters."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorMonthState:
    """End-of-month-(i−1) state read by month i (vectors README §4.2), whole tokens."""

    month: int
    """i, the month being computed (1 = the first month after genesis)."""
    circulating: Dec
    """``network_tokens_circulating`` of month i − 1."""
    staked: Dec
    """``network_tokens_staked`` of month i − 1."""
    ecosystem_total: Dec
    """``ecosystem_tokens_total`` of month i − 1 (T_eco)."""
    previous_emission_per_staked_token: Dec | None
    """``e_i`` of month i − 1; None in the first month (then e = ê)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorMonth:
    """Month i of the simulator's schedule (§15.3), whole tokens."""

    investors_preseed_unlock: Dec
    """Pre-seed vesting unlocked this month."""
    investors_seed_unlock: Dec
    """Seed-investor vesting unlocked this month."""
    team_unlock: Dec
    """Team vesting unlocked this month."""
    circulating: Dec
    """N_circ = circulating(i−1) + unlocked."""
    staked: Dec
    """N_staked = staked(i−1) + 0.75 · unlocked."""
    target: Dec
    """``ehat_target_i``."""
    cap: Dec
    """``ehat_max_i``."""
    capped: Dec
    """``ehat_i``."""
    emission_per_staked_token: Dec
    """``e_i``."""
    emission: Dec
    """``ecosystem_tokens_emission`` = e_i · N_staked."""
    ecosystem_total: Dec
    """``ecosystem_tokens_total`` = T_eco − emission."""
    validator_rewards: Dec
    """f_v · emission."""
    topics_rewards: Dec
    """(1 − f_v) · emission."""


@with_dec_context
def compute_simulator_month(
    state: SimulatorMonthState, params: SimulatorEmissionParams = SIMULATOR_EMISSION_PARAMS
) -> SimulatorMonth:
    """One month of the simulator's emission schedule (SYNTHESIS.md §15.3).

    Month i uses the end-of-month-(i−1) state after month i's vesting unlock: N_circ =
    circulating + unlocked, N_staked = staked + 0.75·unlocked, T_eco = the ecosystem's
    remaining allocation.

    Raises
    ------
    EmissionError
        When N_staked is not positive or N_circ or T_eco is negative.
    NonFiniteValueError, ParameterError
        Malformed state.
    """
    if isinstance(state.month, bool) or not isinstance(state.month, int) or state.month < 1:
        raise ParameterError(f"month must be an int >= 1, got {state.month!r}")
    circulating_before = _check_dec(state.circulating, "circulating supply")
    staked_before = _check_dec(state.staked, "staked supply")
    t_eco = _check_dec(state.ecosystem_total, "ecosystem total")
    previous = state.previous_emission_per_staked_token
    if previous is not None:
        previous = _check_dec(previous, "previous emission per staked token")

    unlock = compute_vesting_unlock_fraction(state.month)
    unlocks = [
        _to_dec_toward_zero(_exact(allocation) * unlock)
        for allocation in (
            params.investors_preseed_allocation,
            params.investors_seed_allocation,
            params.team_allocation,
        )
    ]
    unlocked: Dec = gmpy2.fsum(unlocks)
    circulating: Dec = circulating_before + unlocked
    staked: Dec = staked_before + params.staked_fraction_of_unlocks * unlocked
    _check_supply(_exact(t_eco), _exact(staked), _exact(circulating))
    target = _to_dec_toward_zero(
        _exact(params.f_emission)
        * (_exact(t_eco) / _exact(staked))
        * (_exact(circulating) / _exact(params.max_supply))
    )
    stakers: Dec = params.validators_share + (ONE - params.validators_share) * params.reputers_share
    if stakers <= 0:
        raise EmissionError("the stakers' share f_v + (1 − f_v)·r is not positive")
    cap: Dec = params.maximum_monthly_percentage_yield / stakers
    capped = target if target < cap else cap
    # First month: e_previous := ê, so e = ê exactly (no rounding of α·ê + (1 − α)·ê).
    e = capped if previous is None else compute_ema(params.smoothing_alpha, capped, previous)
    emission: Dec = e * staked
    return SimulatorMonth(
        investors_preseed_unlock=unlocks[0],
        investors_seed_unlock=unlocks[1],
        team_unlock=unlocks[2],
        circulating=circulating,
        staked=staked,
        target=target,
        cap=cap,
        capped=capped,
        emission_per_staked_token=e,
        emission=emission,
        ecosystem_total=t_eco - emission,
        validator_rewards=params.validators_share * emission,
        topics_rewards=(ONE - params.validators_share) * emission,
    )
