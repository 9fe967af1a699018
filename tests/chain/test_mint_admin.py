"""The admin-only mint messages (PROTOCOL.md §3.16-§3.17): authority first (mint 8), then
parameter validation (``sdk`` 18); a rejected message changes nothing."""

from __future__ import annotations

from typing import Any

from foundation_helpers import make_key
from test_mint_emission import BONDED, typed_events
from test_standard_modules_support import Chain, assert_rejected_without_effect

from pyallora.chain.mint.bridge import StandaloneEmissionsBridge
from pyallora.chain.mint.params import DEFAULT_MINT_PARAMS
from pyallora.chain.mint.state import get_params, get_previous_block_emission
from pyallora.core.legacy_dec import ONE
from pyallora.proto.mint.v2 import tx_pb2 as mint_tx

ADMIN = 5
GENESIS: dict[str, Any] = {"standin": {"core_team_addresses": [make_key(ADMIN).address]}}


def update(
    sender: int, *, blocks_per_month: int = 864_000, recalculate: bool = False, **units: int
):
    params = DEFAULT_MINT_PARAMS.to_proto()
    for name, value in units.items():
        setattr(params, name, str(value))
    return mint_tx.UpdateParamsRequest(
        sender=make_key(sender).address,
        params=params,
        recalculate_target_emission=recalculate,
        blocks_per_month=blocks_per_month,
    )


def test_non_admin_update_params_is_unauthorized_and_changes_nothing() -> None:
    result = assert_rejected_without_effect(
        GENESIS, [], 4, [update(4, f_emission=ONE // 10)], codespace="mint", code=8
    )
    assert "not a whitelist admin" in result.log


def test_non_admin_recalculation_is_unauthorized_and_changes_nothing() -> None:
    assert_rejected_without_effect(
        GENESIS,
        [],
        4,
        [mint_tx.RecalculateTargetEmissionRequest(sender=make_key(4).address)],
        codespace="mint",
        code=8,
    )


def test_authority_is_checked_before_the_params() -> None:
    assert_rejected_without_effect(
        GENESIS, [], 3, [update(3, f_emission=2 * ONE)], codespace="mint", code=8
    )


def test_allocation_fractions_must_sum_to_exactly_one() -> None:
    result = assert_rejected_without_effect(
        GENESIS,
        [],
        ADMIN,
        [
            update(
                ADMIN,
                team_percent_of_total_supply=DEFAULT_MINT_PARAMS.team_percent_of_total_supply + 1,
            )
        ],
        codespace="sdk",
        code=18,
    )
    assert "sum to exactly 1" in result.log


def test_blocks_per_month_must_be_positive() -> None:
    assert_rejected_without_effect(
        GENESIS, [], ADMIN, [update(ADMIN, blocks_per_month=0)], codespace="sdk", code=18
    )


def test_invalid_sender_address() -> None:
    assert_rejected_without_effect(
        GENESIS,
        [],
        ADMIN,
        [mint_tx.RecalculateTargetEmissionRequest(sender="allo1notanaddress")],
        codespace="sdk",
        code=7,
    )


def test_admin_update_with_recalculation_applies_at_once() -> None:
    chain = Chain.start(**GENESIS)
    chain.block()
    tx = chain.sign(chain.keys[ADMIN], [update(ADMIN, blocks_per_month=100, recalculate=True)])
    result = chain.block([tx])
    [tx_result] = result.tx_results
    assert tx_result.code == 0, tx_result.log
    assert [event.type for event in tx_result.events].count("mint.v3.EventTokenomicsSet") == 1
    # Still the first month at height 2 (< 100): e = the cap 0.02 again, over 100 blocks.
    assert get_previous_block_emission(chain.store) == BONDED * 2 // 100 // 100
    assert StandaloneEmissionsBridge().get_blocks_per_month(chain.store) == 100
    assert get_params(chain.store) == DEFAULT_MINT_PARAMS
    result = chain.block()
    [event] = typed_events(result, "mint.v3.EventRewardCurrentBlockEmission")
    block_emission = BONDED * 2 // 100 // 100
    assert int(event["token_amount"]) == block_emission - block_emission // 4


def test_admin_recalculation() -> None:
    chain = Chain.start(**GENESIS)
    chain.run(2)
    result = chain.submit(
        chain.keys[ADMIN],
        mint_tx.RecalculateTargetEmissionRequest(sender=chain.keys[ADMIN].address),
    )
    assert result.code == 0, result.log
    assert any(event.type == "mint.v3.EventTokenomicsSet" for event in result.events)
