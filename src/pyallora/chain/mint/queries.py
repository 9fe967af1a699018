"""Queries of the mint module (``mint.v1beta1.Query``, PROTOCOL.md §4.7).

LegacyDec fields are the integer text of units (protobuf form). ``EmissionInfo`` reports the
stored state together with a preview of what a recalculation at the current height would
compute (:func:`~pyallora.chain.mint.tokenomics.compute_emission_preview`); when that preview
cannot be computed (no stake yet), its fields are zero.
"""

from __future__ import annotations

from fractions import Fraction

from pyallora.chain.context import QueryContext
from pyallora.chain.mint.bridge import EmissionsBridge
from pyallora.chain.mint.state import (
    get_ecosystem_tokens_minted,
    get_params,
    get_previous_block_emission,
    get_previous_reward_emission,
)
from pyallora.chain.mint.tokenomics import (
    compute_emission_preview,
    get_ecosystem_balance,
    get_network_staked,
    read_mint_inputs,
    read_reputers_share,
)
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.core.errors import ConsensusError
from pyallora.core.legacy_dec import ONE, compute_div_round_half_even
from pyallora.proto.mint.v1beta1 import query_pb2 as mint_query
from pyallora.synthesis.emission import (
    compute_ecosystem_mint_allowance,
    compute_locked_vesting_fraction,
    compute_month_index,
    to_legacy_dec,
)

MONTHS_PER_YEAR = 12
"""Inflation is annualised from the per-block emission."""


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def compute_last_recalculation_height(height: int, blocks_per_month: int) -> int:
    """The last height ≤ ``height`` with ``h mod blocks_per_month = 1`` (1 at least)."""
    if height < 1:
        return 1
    return height - (height - 1) % blocks_per_month


def compute_locked_vesting(
    store: ReadableKVStore, bridge: EmissionsBridge, height: int
) -> tuple[int, int, int]:
    """Locked pre-seed, seed-investor and team tokens at ``height`` (uallo, truncated)."""
    params = get_params(store)
    inputs = read_mint_inputs(store, bridge)
    month = compute_month_index(height, inputs.params.blocks_per_month)
    locked = compute_locked_vesting_fraction(month)
    preseed, seed, team = (
        _floor(params.max_supply * to_legacy_dec(share) * locked)
        for share in (
            inputs.params.investors_preseed_percent_of_total_supply,
            inputs.params.investors_percent_of_total_supply,
            inputs.params.team_percent_of_total_supply,
        )
    )
    return preseed, seed, team


def compute_circulating_supply(store: ReadableKVStore, bridge: EmissionsBridge, height: int) -> int:
    """max supply − locked vesting − (ecosystem balance + remaining allowance), PROTOCOL §6.2."""
    params = get_params(store)
    inputs = read_mint_inputs(store, bridge)
    month = compute_month_index(height, inputs.params.blocks_per_month)
    share = (
        to_legacy_dec(inputs.params.investors_preseed_percent_of_total_supply)
        + to_legacy_dec(inputs.params.investors_percent_of_total_supply)
        + to_legacy_dec(inputs.params.team_percent_of_total_supply)
    )
    locked = params.max_supply * share * compute_locked_vesting_fraction(month)
    ecosystem = get_ecosystem_balance(store) + compute_ecosystem_mint_allowance(
        get_ecosystem_tokens_minted(store), inputs.params
    )
    return _floor(params.max_supply - locked - ecosystem)


def query_params(
    ctx: QueryContext, store: ReadableKVStore, request: mint_query.QueryParamsRequest
) -> mint_query.QueryParamsResponse:
    """``Params``."""
    return mint_query.QueryParamsResponse(params=get_params(store).to_proto())


def query_inflation(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: mint_query.QueryInflationRequest,
    *,
    bridge: EmissionsBridge,
) -> mint_query.QueryInflationResponse:
    """``Inflation``: B × blocks_per_month × 12 ÷ circulating × 100 (LegacyDec percent; 0 when
    the circulating supply is not positive)."""
    circulating = compute_circulating_supply(store, bridge, ctx.height)
    if circulating <= 0:
        return mint_query.QueryInflationResponse(inflation="0")
    yearly = (
        get_previous_block_emission(store) * bridge.get_blocks_per_month(store) * MONTHS_PER_YEAR
    )
    units = compute_div_round_half_even(yearly * 100 * ONE, circulating)
    return mint_query.QueryInflationResponse(inflation=str(units))


def query_emission_info(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: mint_query.QueryEmissionInfoRequest,
    *,
    bridge: EmissionsBridge,
) -> mint_query.QueryEmissionInfoResponse:
    """``EmissionInfo`` (module docstring)."""
    params = get_params(store)
    inputs = read_mint_inputs(store, bridge)
    blocks = inputs.params.blocks_per_month
    last = compute_last_recalculation_height(ctx.height, blocks)
    preseed, seed, team = compute_locked_vesting(store, bridge, ctx.height)
    balance = get_ecosystem_balance(store)
    remaining = compute_ecosystem_mint_allowance(get_ecosystem_tokens_minted(store), inputs.params)
    block_emission = get_previous_block_emission(store)
    validator_cut = block_emission * inputs.validators_share // ONE
    response = mint_query.QueryEmissionInfoResponse(
        params=params.to_proto(),
        ecosystem_balance=str(balance),
        previous_block_emission=str(block_emission),
        ecosystem_mint_supply_remaining=str(remaining),
        blocks_per_month=blocks,
        block_height_target_e_i_last_calculated=last,
        block_height_target_e_i_next_calculated=last + blocks,
        network_staked_tokens=str(get_network_staked(store, bridge)),
        locked_vesting_tokens_total=str(preseed + seed + team),
        locked_vesting_tokens_investors_preseed=str(preseed),
        locked_vesting_tokens_investors_seed=str(seed),
        locked_vesting_tokens_team=str(team),
        ecosystem_locked=str(balance + remaining),
        circulating_supply=str(compute_circulating_supply(store, bridge, ctx.height)),
        max_supply=str(params.max_supply),
        validators_percent=str(inputs.validators_share),
        block_emission=str(block_emission),
        validator_cut=str(validator_cut),
        allora_rewards_cut=str(block_emission - validator_cut),
        previous_reward_emission_per_unit_staked_token=str(get_previous_reward_emission(store)),
    )
    try:
        response.reputers_percent = str(read_reputers_share(store, bridge))
        preview = compute_emission_preview(store, bridge, ctx.height)
    except ConsensusError:
        return response
    response.target_emission_rate_per_unit_staked_token = str(preview.target.units)
    response.maximum_monthly_emission_per_unit_staked_token = str(preview.cap.units)
    response.target_reward_emission_per_unit_staked_token = str(preview.capped.units)
    response.emission_per_unit_staked_token = str(preview.emission_per_staked_token.units)
    response.emission_per_month = str(preview.monthly_emission)
    return response
