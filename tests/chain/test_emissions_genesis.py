"""Emissions genesis (PROTOCOL.md §2.12): defaults, admins, topic id counter, validation, and
export/import reproducing the app hash."""

from __future__ import annotations

import json

import pytest
from emissions_helpers import EmissionsChain, RewardSimulator
from foundation_helpers import CHAIN_ID, run_block

from pyallora.chain.abci_types import InitChainRequest
from pyallora.chain.app import App, compute_default_modules
from pyallora.chain.emissions import stores
from pyallora.chain.emissions.admin.state import iterate_whitelist_admins
from pyallora.chain.emissions.genesis import FIELDS, init_genesis
from pyallora.chain.emissions.module import EmissionsModule
from pyallora.chain.emissions.params import is_reference_compat
from pyallora.chain.emissions.topics.state import get_next_topic_id
from pyallora.chain.genesis import encode_app_state
from pyallora.chain.module import GenesisError
from pyallora.chain.store.kv import Branch, EmptyStore
from pyallora.core.dec import dec
from pyallora.proto.emissions.v5 import genesis_pb2, tx_pb2
from pyallora.storage import MemoryCommittedStore


def _import(app_state: dict[str, object], initial_height: int) -> tuple[App, bytes]:
    app = App(
        MemoryCommittedStore(),
        modules=(*compute_default_modules(), EmissionsModule(), RewardSimulator()),
    )
    result = app.init_chain(
        InitChainRequest(
            chain_id=CHAIN_ID,
            time_ns=0,
            initial_height=initial_height,
            app_state_bytes=encode_app_state(app_state),
        )
    )
    return app, result.app_hash


def test_every_genesis_state_field_is_covered() -> None:
    covered = {spec.name for spec in FIELDS} | {
        "params",
        "core_team_addresses",
        "next_topic_id",
        "whitelist_admins",
        "total_sum_previous_topic_weights",
        "total_stake",
        "previous_percentage_reward_to_staked_reputers",
        "reward_current_block_emission",
    }
    assert sorted(covered) == sorted(genesis_pb2.GenesisState.DESCRIPTOR.fields_by_name)


def test_default_section_starts_ids_at_one_and_seeds_admins() -> None:
    store = Branch(EmptyStore())
    section = EmissionsModule().default_genesis()
    section["core_team_addresses"] = ["allo1g76vfh8emtfwu6vy8uxtg56088j0ugfes8zyqt"]
    init_genesis(store, section)
    assert get_next_topic_id(store) == 1
    assert list(iterate_whitelist_admins(store)) == section["core_team_addresses"]
    assert not is_reference_compat(store)
    assert stores.PREVIOUS_PERCENTAGE_REWARD_TO_STAKED_REPUTERS.get(store) == dec("0.3")
    kept = Branch(EmptyStore())
    init_genesis(
        kept,
        {
            "next_topic_id": "7",
            "previous_percentage_reward_to_staked_reputers": "0.5",
            "reference_compat": True,
        },
    )
    assert get_next_topic_id(kept) == 7
    assert stores.PREVIOUS_PERCENTAGE_REWARD_TO_STAKED_REPUTERS.get(kept) == dec("0.5")
    assert is_reference_compat(kept)


@pytest.mark.parametrize(
    "section",
    [
        {"core_team_addresses": ["allo1notvalid"]},
        {"whitelist_admins": [""]},
        {"params": {"version": ""}},
        {"params": {"learning_rate": "2"}},
        {"params": {"create_topic_fee": "1.5"}},
        {"params": {"beta_entropy": "x"}},
        {"reference_compat": "yes"},
        {"no_such_field": 1},
        {"total_stake": "-4"},
        {"topics": [{"topic_id": "1", "topic": {"id": "2"}}]},
        {"topics": [{"topic_id": "1", "topic": {"id": "1", "creator": "bad"}}]},
        {"previous_topic_weight": [{"topic_id": "1", "value": "NaN"}]},
    ],
)
def test_invalid_sections_are_refused(section: dict[str, object]) -> None:
    with pytest.raises(GenesisError):
        init_genesis(Branch(EmptyStore()), section)


@pytest.mark.parametrize("compat", [False, True])
def test_export_then_import_reproduces_the_app_hash(compat: bool) -> None:
    simulator = RewardSimulator()
    chain = EmissionsChain(reference_compat=compat, rewards=simulator)
    chain.create_topic(0)
    chain.create_topic(0, epoch_length=12, ground_truth_lag=24)
    chain.register(1, 1, is_reputer=True)
    chain.register(2, 1, is_reputer=False)
    chain.add_stake(1, 1, 5000)
    delegate = tx_pb2.DelegateStakeRequest(
        sender=chain.address(3), topic_id=1, reputer=chain.address(1), amount="3000"
    )
    chain.ok(3, delegate)
    simulator.schedule[chain.height + 1] = [(1, chain.address(1), 1000)]  # share 1/3
    chain.ok(1, tx_pb2.RemoveStakeRequest(sender=chain.address(1), topic_id=1, amount="10"))
    chain.ok(
        3,
        tx_pb2.RemoveDelegateStakeRequest(
            sender=chain.address(3), reputer=chain.address(1), topic_id=1, amount="7"
        ),
    )
    chain.ok(
        0, tx_pb2.AddToWhitelistAdminRequest(sender=chain.address(0), address=chain.address(5))
    )
    chain.advance_to(chain.height + 12)
    exported = chain.app.export_genesis()
    section = exported["emissions"]
    assert isinstance(section, dict) and section["reference_compat"] is compat
    assert section["delegated_stakes"] and section["previous_topic_weight"]
    text = json.dumps(exported)
    imported, genesis_hash = _import(json.loads(text), chain.height + 1)
    assert genesis_hash == chain.app.info().last_block_app_hash
    # Both chains then execute the same (epoch-ending) blocks identically.
    for _ in range(10):
        assert run_block(imported, []).app_hash == chain.block().app_hash
    assert imported.export_genesis() == chain.app.export_genesis()
