"""The standard module list: order and wiring, export/import of every module's state, and a
run under the in-process block driver with the invariants checked after every block."""

from __future__ import annotations

import json

from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as staking_tx
from foundation_helpers import CHAIN_ID, dump_state, make_key
from test_standard_modules_support import (
    ALLO,
    Chain,
    check_invariants,
    make_validator_key,
    operator_of,
    standard_genesis,
)

from pyallora.chain.abci_types import FinalizeBlockRequest, InitChainRequest
from pyallora.chain.app import App
from pyallora.chain.auth.state import get_account
from pyallora.chain.emissions.params import get_params as get_emissions_params
from pyallora.chain.emissions.rewards.state import get_reward_current_block_emission
from pyallora.chain.genesis import encode_app_state
from pyallora.chain.mint.emissions_bridge import compute_share_text
from pyallora.chain.mint.params import DEFAULT_MINT_PARAMS
from pyallora.chain.modules import build_standard_modules
from pyallora.chain.staking.state import get_validator
from pyallora.chain.staking.types import BondStatus
from pyallora.client.tx import build_tx, pack_any
from pyallora.core.dec import dec, dec_context
from pyallora.node.solo import SoloNode
from pyallora.proto.mint.v2 import tx_pb2 as mint_tx
from pyallora.storage import MemoryCommittedStore


def coin(amount: int) -> coin_pb2.Coin:
    return coin_pb2.Coin(denom="uallo", amount=str(amount))


def test_module_order_is_the_lifecycle_order() -> None:
    modules = build_standard_modules()
    assert [module.name for module in modules] == [
        "auth",
        "bank",
        "distribution",
        "slashing",
        "staking",
        "mint",
    ]
    extra = build_standard_modules(extra=(modules[0].__class__(),))
    assert len(extra) == 7


def _active_chain() -> Chain:
    chain = Chain.start(staking_params={"unbonding_time": "20s"})
    chain.block()
    delegator = chain.keys[4]
    steps = [
        staking_tx.MsgDelegate(
            delegator_address=delegator.address,
            validator_address=operator_of(chain.keys[0]),
            amount=coin(40 * ALLO + 3),
        ),
        staking_tx.MsgUndelegate(
            delegator_address=delegator.address,
            validator_address=operator_of(chain.keys[0]),
            amount=coin(10 * ALLO),
        ),
        staking_tx.MsgBeginRedelegate(
            delegator_address=delegator.address,
            validator_src_address=operator_of(chain.keys[0]),
            validator_dst_address=operator_of(chain.keys[2]),
            amount=coin(5 * ALLO),
        ),
    ]
    for message in steps:
        result = chain.submit(delegator, message)
        assert result.code == 0, result.log
    chain.run(2)
    return chain


def test_export_then_import_reproduces_the_app_hash() -> None:
    chain = _active_chain()
    exported = chain.app.export_genesis()
    imported = App(MemoryCommittedStore(), modules=build_standard_modules())
    result = imported.init_chain(
        InitChainRequest(
            chain_id=CHAIN_ID,
            time_ns=0,
            initial_height=chain.height + 1,
            app_state_bytes=encode_app_state(exported),
        )
    )
    assert result.app_hash == chain.app.info().last_block_app_hash
    assert sorted(update.power for update in result.validators) == [1025, 2000, 3005]
    imported.finalize_block(
        FinalizeBlockRequest(height=chain.height + 1, time_ns=chain.time_of(chain.height + 1))
    )
    imported.commit()
    chain.block()
    assert dump_state(imported.committed_store) == dump_state(chain.store)
    assert imported.export_genesis() == chain.app.export_genesis()


def test_solo_node_run_keeps_every_invariant() -> None:
    modules = build_standard_modules()
    genesis = standard_genesis(
        modules, staking_params={"max_validators": "2", "unbonding_time": "4s"}
    )
    node = SoloNode.open(genesis, modules=modules)
    try:
        app = node.app
        assert isinstance(app, App)
        keys = [make_key(index) for index in range(6)]
        delegator = keys[4]
        for height in range(1, 16):
            if height == 3:
                account = get_account(app.committed_store, delegator.address)
                assert account is not None
                tx = build_tx(
                    [
                        pack_any(
                            staking_tx.MsgDelegate(
                                delegator_address=delegator.address,
                                validator_address=operator_of(keys[0]),
                                amount=coin(2500 * ALLO),
                            )
                        )
                    ],
                    private_key=delegator,
                    chain_id=CHAIN_ID,
                    account_number=account.account_number,
                    sequence=account.sequence,
                    fee_amount=0,
                    gas_limit=1_000_000,
                )
                assert node.submit(tx).code == 0
            result = node.produce_block()
            assert all(tx_result.code == 0 for tx_result in result.tx_results)
            check_invariants(app.committed_store)
            if height == 3:
                assert {(u.pub_key, u.power) for u in result.validator_updates} == {
                    (make_validator_key(0).public_key, 3500),
                    (make_validator_key(1).public_key, 0),
                }
        leaving = get_validator(app.committed_store, operator_of(keys[1]))
        assert leaving is not None and leaving.status == BondStatus.UNBONDED
    finally:
        node.close()


def test_with_the_emissions_module_mint_uses_its_admins_params_and_stores() -> None:
    admin = make_key(5).address
    chain = Chain.start(include_emissions=True, emissions={"core_team_addresses": [admin]})
    assert [module.name for module in chain.app.modules][-1] == "emissions"
    result = chain.block()
    [event] = [
        event for event in result.events if event.type == "mint.v3.EventRewardCurrentBlockEmission"
    ]
    allora_cut = int(json.loads(dict(event.attributes)["token_amount"]))
    assert allora_cut > 0
    assert get_reward_current_block_emission(chain.store) == allora_cut
    params = DEFAULT_MINT_PARAMS.to_proto()
    update = mint_tx.UpdateParamsRequest(
        sender=admin, params=params, recalculate_target_emission=False, blocks_per_month=777
    )
    assert chain.submit(chain.keys[5], update).code == 0
    assert get_emissions_params(chain.store).blocks_per_month == 777
    refused = chain.submit(
        chain.keys[4],
        mint_tx.RecalculateTargetEmissionRequest(sender=chain.keys[4].address),
    )
    assert (refused.codespace, refused.code) == ("mint", 8)
    assert "emissions_standin" not in chain.app.export_genesis()["mint"]


def test_emissions_share_text_for_the_c23_conversion() -> None:
    with dec_context():
        assert compute_share_text(dec("0.3")) == "0.300000000000000000"
        sampled = compute_share_text(dec(1) / dec(3))
    assert len(sampled.split(".")[1]) > 18
