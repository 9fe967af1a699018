"""Mint (PROTOCOL.md §5.2, §6; Appendix D): the height-1 recalculation, shortfall minting, the
25/75 split, the mint cap, the monthly EMA, invariant 9 after every block, C23 and the
``reference_compat`` halts, genesis allocations and the mint queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from foundation_helpers import make_key
from test_standard_modules_support import ALLO, Chain

from pyallora.chain.abci_types import FinalizeBlockRequest, FinalizeBlockResult, QueryRequest
from pyallora.chain.auth.state import get_module_address
from pyallora.chain.context import BlockContext, Context, ExecMode
from pyallora.chain.mint.bridge import StandaloneEmissionsBridge
from pyallora.chain.mint.errors import MintHaltError
from pyallora.chain.mint.genesis import AllocationAddresses, compute_allocation_balances
from pyallora.chain.mint.params import DEFAULT_MINT_PARAMS
from pyallora.chain.mint.state import (
    get_ecosystem_tokens_minted,
    get_previous_block_emission,
    get_previous_reward_emission,
)
from pyallora.chain.mint.tokenomics import recalculate_emission
from pyallora.chain.store.kv import Branch
from pyallora.core.legacy_dec import ONE
from pyallora.proto.mint.v1beta1 import query_pb2 as mint_query
from pyallora.proto.mint.v2 import tx_pb2 as mint_tx
from pyallora.synthesis.emission import LegacyDec, compute_emission_rate_cap

CAP = 10**27 * 3595 // 10_000
"""max_supply × 0.3595: what the ecosystem may ever mint."""

BONDED = 6000 * ALLO
"""The three genesis validators' self-bonds."""

MONTHLY = BONDED * 2 // 100
"""e = the cap 0.0095 / (0.25 + 0.75 × 0.3) = 0.02 while the target is above it."""

B = MONTHLY // 864_000
"""The per-block emission of the first month."""


def typed_events(result: FinalizeBlockResult, name: str) -> list[dict[str, Any]]:
    """Attributes of the typed events ``name`` of a block (values decoded from JSON)."""
    return [
        {key: json.loads(value) for key, value in event.attributes if key != "mode"}
        for event in result.events
        if event.type == name
    ]


def block_flows(chain: Chain, result: FinalizeBlockResult) -> tuple[int, int]:
    """The block's (validator cut, allora cut) from the reward event and the treasury."""
    [event] = typed_events(result, "mint.v3.EventRewardCurrentBlockEmission")
    assert int(event["block_height"]) == chain.height
    return chain.module_balance("fee_collector"), int(event["token_amount"])


def test_height_one_recalculation_and_the_25_75_split() -> None:
    chain = Chain.start()
    result = chain.block()
    [tokenomics] = typed_events(result, "mint.v3.EventTokenomicsSet")
    assert tokenomics == {
        "staked_token_amount": str(BONDED),
        "circulating_supply": str(10**27 - 10**27 * 4855 // 10_000 - CAP),
        "emissions_amount": str(MONTHLY),
    }
    assert get_previous_block_emission(chain.store) == B
    assert get_previous_reward_emission(chain.store) == ONE * 2 // 100
    [minted] = typed_events(result, "mint.v3.EventEcosystemTokenMintSet")
    assert minted == {"block_height": "1", "token_amount": str(B)}
    validator_cut, allora_cut = block_flows(chain, result)
    assert validator_cut == B // 4
    assert allora_cut == B - B // 4
    assert chain.module_balance("allorarewards") == allora_cut
    treasury = chain.module_balance("allorarewards")
    for _ in range(5):
        result = chain.block()
        validator_cut, allora_cut = block_flows(chain, result)
        assert (validator_cut, allora_cut) == (B // 4, B - B // 4)
        assert chain.module_balance("allorarewards") == treasury + allora_cut
        treasury += allora_cut
        assert not typed_events(result, "mint.v3.EventTokenomicsSet")


def test_fees_in_the_ecosystem_reduce_what_is_minted() -> None:
    chain = Chain.start()
    chain.block()
    minted = get_ecosystem_tokens_minted(chain.store)
    ecosystem = get_module_address("ecosystem")
    payer = chain.keys[4]
    result = chain.submit(
        payer,
        bank_tx.MsgSend(
            from_address=payer.address,
            to_address=ecosystem,
            amount=[coin_pb2.Coin(denom="uallo", amount=str(B // 3))],
        ),
    )
    assert result.code == 0, result.log
    assert get_ecosystem_tokens_minted(chain.store) == minted + B  # paid in after the mint
    assert chain.module_balance("ecosystem") == B // 3
    result = chain.block()
    [event] = typed_events(result, "mint.v3.EventEcosystemTokenMintSet")
    assert int(event["token_amount"]) == B - B // 3
    assert get_ecosystem_tokens_minted(chain.store) == minted + 2 * B - B // 3
    assert chain.module_balance("ecosystem") == 0
    chain.submit(
        payer,
        bank_tx.MsgSend(
            from_address=payer.address,
            to_address=ecosystem,
            amount=[coin_pb2.Coin(denom="uallo", amount=str(5 * B))],
        ),
    )
    # Paid in after that block's emission: the next block takes B of the 5 B and mints nothing.
    result = chain.block()
    assert typed_events(result, "mint.v3.EventEcosystemTokenMintSet") == []
    assert chain.module_balance("ecosystem") == 4 * B


def _update_params(chain: Chain, admin: int, **changes: int) -> Any:
    """An ``UpdateParamsRequest`` with the default params changed by ``changes`` (units)."""
    params = DEFAULT_MINT_PARAMS.to_proto()
    for name, units in changes.items():
        setattr(params, name, str(units))
    return mint_tx.UpdateParamsRequest(
        sender=chain.keys[admin].address,
        params=params,
        recalculate_target_emission=False,
        blocks_per_month=864_000,
    )


def _shrink_the_ecosystem_cap(chain: Chain, allowance: int) -> int:
    """Admin update moving ecosystem share to the foundation so that about ``allowance``
    remains to be minted (after this block's mint); returns the new cap."""
    minted = get_ecosystem_tokens_minted(chain.store) + B  # this block mints B first
    share = -(-(minted + allowance) * ONE // 10**27)
    moved = DEFAULT_MINT_PARAMS.ecosystem_treasury_percent_of_total_supply - share
    result = chain.submit(
        chain.keys[5],
        _update_params(
            chain,
            5,
            ecosystem_treasury_percent_of_total_supply=share,
            foundation_treasury_percent_of_total_supply=(
                DEFAULT_MINT_PARAMS.foundation_treasury_percent_of_total_supply + moved
            ),
        ),
    )
    assert result.code == 0, result.log
    return 10**27 * share // ONE


def test_mint_cap_is_never_exceeded_and_the_emission_tapers_to_what_is_left() -> None:
    chain = Chain.start(standin={"core_team_addresses": [make_key(5).address]})
    chain.block()
    cap = _shrink_the_ecosystem_cap(chain, 5 * B // 2)
    emitted: list[int] = []
    expected: list[int] = []
    for _ in range(5):
        allowance = cap - get_ecosystem_tokens_minted(chain.store)
        expected.append(min(B, allowance))
        result = chain.block()
        validator_cut, allora_cut = block_flows(chain, result)
        emitted.append(validator_cut + allora_cut)
        # Invariant 9: Σ minted ≤ cap; the two cuts add up to the block's emission.
        assert get_ecosystem_tokens_minted(chain.store) <= cap
        assert validator_cut == (validator_cut + allora_cut) // 4
    assert emitted == expected
    assert expected[:2] == [B, B] and 0 < expected[2] < B and expected[3:] == [0, 0]
    assert get_ecosystem_tokens_minted(chain.store) == cap
    payer = chain.keys[4]
    chain.submit(
        payer,
        bank_tx.MsgSend(
            from_address=payer.address,
            to_address=get_module_address("ecosystem"),
            amount=[coin_pb2.Coin(denom="uallo", amount=str(B // 5))],
        ),
    )
    result = chain.block()
    validator_cut, allora_cut = block_flows(chain, result)
    assert validator_cut + allora_cut == B // 5
    assert get_ecosystem_tokens_minted(chain.store) == cap


def test_mint_cap_exhaustion_halts_under_reference_compat() -> None:
    chain = Chain.start(
        standin={"core_team_addresses": [make_key(5).address], "reference_compat": True}
    )
    chain.block()
    _shrink_the_ecosystem_cap(chain, 5 * B // 2)
    chain.run(2)
    with pytest.raises(MintHaltError):
        chain.app.finalize_block(
            FinalizeBlockRequest(height=chain.height + 1, time_ns=chain.time_of(chain.height + 1))
        )


def test_monthly_recalculation_smooths_with_the_stored_previous_emission() -> None:
    chain = Chain.start(
        standin={"blocks_per_month": "5"},
        self_bonds=[10**8 * ALLO, 2000 * ALLO, 3000 * ALLO],
        funds=[2 * 10**8 * ALLO] + [10**6 * ALLO] * 5,
    )
    recalculated = []
    for _ in range(11):
        result = chain.block()
        if typed_events(result, "mint.v3.EventTokenomicsSet"):
            recalculated.append(chain.height)
        if chain.height == 5:
            previous = LegacyDec(units=get_previous_reward_emission(chain.store))
            preview = Branch(chain.store)
            ctx = Context(
                block=BlockContext(height=6, time_ns=chain.time_of(6), chain_id=chain.app.chain_id),
                mode=ExecMode.BEGIN_BLOCK,
            )
            expected = recalculate_emission(ctx, preview, StandaloneEmissionsBridge())
        if chain.height == 6:
            stored = get_previous_reward_emission(chain.store)
            assert stored == expected.emission_per_staked_token.units
            alpha = LegacyDec(units=ONE // 10)
            smoothed = alpha.mul(expected.capped).add(LegacyDec(units=ONE).sub(alpha).mul(previous))
            assert stored == smoothed.units
            assert expected.capped.units < ONE * 2 // 100  # the target, below the cap
            assert get_previous_block_emission(chain.store) == expected.block_emission
    assert recalculated == [1, 6, 11]


def test_c23_reputers_share_with_more_than_18_decimals() -> None:
    share = "0.333333333333333333333"
    chain = Chain.start(standin={"previous_percentage_reward_to_staked_reputers": share})
    chain.block()
    cap = compute_emission_rate_cap(
        LegacyDec(units=ONE * 95 // 10_000),
        LegacyDec(units=ONE // 4),
        LegacyDec(units=333_333_333_333_333_333),
    )
    assert get_previous_reward_emission(chain.store) == cap.units
    compat = Chain.start(
        standin={"previous_percentage_reward_to_staked_reputers": share, "reference_compat": True}
    )
    with pytest.raises(MintHaltError):
        compat.app.finalize_block(FinalizeBlockRequest(height=1, time_ns=compat.time_of(1)))


def _query(chain: Chain, method: str, request: Any, response_type: Any) -> Any:
    result = chain.app.query(
        QueryRequest(path=f"/mint.v1beta1.Query/{method}", data=request.SerializeToString())
    )
    assert result.code == 0, result.log
    return response_type.FromString(result.value)


def test_mint_queries() -> None:
    chain = Chain.start()
    chain.run(3)
    params = _query(
        chain, "Params", mint_query.QueryParamsRequest(), mint_query.QueryParamsResponse
    )
    assert params.params.f_emission == str(ONE * 25 // 1000)
    assert params.params.max_supply == str(10**27)
    info = _query(
        chain,
        "EmissionInfo",
        mint_query.QueryEmissionInfoRequest(),
        mint_query.QueryEmissionInfoResponse,
    )
    assert info.previous_block_emission == str(B)
    assert int(info.validator_cut) + int(info.allora_rewards_cut) == B
    assert info.blocks_per_month == 864_000
    assert info.block_height_target_e_i_last_calculated == 1
    assert info.block_height_target_e_i_next_calculated == 864_001
    assert info.network_staked_tokens == str(BONDED)
    assert info.ecosystem_mint_supply_remaining == str(CAP - 3 * B)
    assert info.locked_vesting_tokens_total == str(10**27 * 4855 // 10_000)
    assert info.maximum_monthly_emission_per_unit_staked_token == str(ONE * 2 // 100)
    assert info.reputers_percent == str(ONE * 3 // 10)
    circulating = int(info.circulating_supply)
    assert circulating == 10**27 - 10**27 * 4855 // 10_000 - (CAP - 3 * B)
    inflation = _query(
        chain, "Inflation", mint_query.QueryInflationRequest(), mint_query.QueryInflationResponse
    )
    exact = B * 864_000 * 12 * 100 * ONE / circulating
    assert abs(int(inflation.inflation) - exact) <= 1


def test_genesis_allocations_fund_the_non_ecosystem_buckets() -> None:
    addresses = AllocationAddresses(
        foundation="allo1" + "q" * 38,
        participants="allo1" + "p" * 38,
        investors="allo1" + "z" * 38,
        investors_preseed="allo1" + "r" * 38,
        team="allo1" + "y" * 38,
    )
    balances = dict(compute_allocation_balances(addresses, DEFAULT_MINT_PARAMS))
    assert balances[addresses.foundation] == 10**26
    assert balances[addresses.participants] == 55 * 10**24
    assert balances[addresses.investors] == 2605 * 10**23
    assert balances[addresses.investors_preseed] == 5 * 10**25
    assert balances[addresses.team] == 175 * 10**24
    assert sum(balances.values()) == 10**27 - CAP


def test_without_stake_the_recalculation_is_skipped_and_nothing_is_emitted() -> None:
    chain = Chain.start(validators=0)
    for _ in range(3):
        result = chain.block()
        assert typed_events(result, "mint.v3.EventTokenomicsSet") == []
        assert typed_events(result, "mint.v3.EventEcosystemTokenMintSet") == []
        [event] = typed_events(result, "mint.v3.EventRewardCurrentBlockEmission")
        assert event["token_amount"] == "0"
    assert get_ecosystem_tokens_minted(chain.store) == 0
    compat = Chain.start(validators=0, standin={"reference_compat": True})
    with pytest.raises(MintHaltError, match="network staked tokens are 0"):
        compat.app.finalize_block(FinalizeBlockRequest(height=1, time_ns=compat.time_of(1)))
