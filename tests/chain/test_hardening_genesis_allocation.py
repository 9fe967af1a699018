"""Item 8: a genesis whose supply is the mint's allocation buckets (PROTOCOL.md §6.2).

:func:`~pyallora.chain.genesis.build_allocated_genesis` funds real accounts (the foundation and
team keys also run the validators, their self-bonds taken from their buckets): at genesis the
supply is exactly 64.05 % of the 10^9 ALLO max supply, nothing of the ecosystem's share exists
yet, and block by block the supply grows only by what the mint mints for the ecosystem, within
its cap, with every invariant holding.
"""

from __future__ import annotations

import pytest
from foundation_helpers import BLOCK_NS, CHAIN_ID, GENESIS_TIME_NS, make_key
from test_standard_modules_support import ALLO, check_invariants, make_validator_key

from pyallora.chain.abci_types import FinalizeBlockRequest
from pyallora.chain.app import App
from pyallora.chain.auth.state import (
    ECOSYSTEM,
    MODULE_ADDRESSES,
    get_account,
    get_module_address,
)
from pyallora.chain.bank.state import BALANCES, get_balance, get_supply
from pyallora.chain.genesis import GenesisDoc, build_allocated_genesis
from pyallora.chain.mint.genesis import AllocationAddresses
from pyallora.chain.mint.params import DEFAULT_MINT_PARAMS
from pyallora.chain.mint.state import get_ecosystem_tokens_minted
from pyallora.chain.module import GenesisError
from pyallora.chain.modules import build_standard_modules
from pyallora.chain.staking.genesis import compute_gentx
from pyallora.core.legacy_dec import ONE
from pyallora.storage import MemoryCommittedStore

MAX_SUPPLY = 10**9 * ALLO
GENESIS_SUPPLY = MAX_SUPPLY * 6405 // 10_000
ECOSYSTEM_CAP = MAX_SUPPLY * 3595 // 10_000
BUCKETS = ("foundation", "participants", "investors", "investors_preseed", "team")
KEYS = {name: make_key(40 + index) for index, name in enumerate(BUCKETS)}
ALLOCATION = AllocationAddresses(**{name: key.address for name, key in KEYS.items()})
EXPECTED = {
    "foundation": MAX_SUPPLY // 10,
    "participants": MAX_SUPPLY * 55 // 1000,
    "investors": MAX_SUPPLY * 2605 // 10_000,
    "investors_preseed": MAX_SUPPLY // 20,
    "team": MAX_SUPPLY * 175 // 1000,
}
SELF_BONDS = {"foundation": 2_000_000 * ALLO, "team": 1_000_000 * ALLO}


def _genesis() -> GenesisDoc:
    modules = build_standard_modules(include_emissions=True)
    [staking_module] = [module for module in modules if module.name == "staking"]
    staking = dict(staking_module.default_genesis())
    staking["gentxs"] = [
        compute_gentx(
            operator_account=KEYS[name].address,
            consensus_pubkey=make_validator_key(index).public_key,
            self_bond=SELF_BONDS[name],
            moniker=name,
        )
        for index, name in enumerate(SELF_BONDS)
    ]
    return build_allocated_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=GENESIS_TIME_NS,
        modules=modules,
        allocation=ALLOCATION,
        overrides={"staking": staking},
    )


def _start() -> App:
    app = App(MemoryCommittedStore(), modules=build_standard_modules(include_emissions=True))
    result = app.init_chain(_genesis().to_init_chain_request())
    assert len(result.validators) == len(SELF_BONDS)
    return app


def _block(app: App) -> None:
    height = app.next_height
    app.finalize_block(
        FinalizeBlockRequest(height=height, time_ns=GENESIS_TIME_NS + height * BLOCK_NS)
    )
    app.commit()


def test_the_shares_add_up_to_64_05_percent() -> None:
    assert DEFAULT_MINT_PARAMS.max_supply == MAX_SUPPLY
    assert sum(EXPECTED.values()) == GENESIS_SUPPLY == MAX_SUPPLY - ECOSYSTEM_CAP
    params = DEFAULT_MINT_PARAMS
    assert params.max_supply * params.ecosystem_treasury_percent_of_total_supply // ONE == (
        ECOSYSTEM_CAP
    )


def test_a_chain_starts_with_the_buckets_funded_and_only_them() -> None:
    app = _start()
    _block(app)  # commits the genesis state
    store = app.committed_store
    for name in BUCKETS:
        account = get_account(store, KEYS[name].address)
        assert account is not None, name
        assert account.account_number == BUCKETS.index(name)
        spendable = get_balance(store, KEYS[name].address)
        assert spendable == EXPECTED[name] - SELF_BONDS.get(name, 0), name
    assert get_balance(store, get_module_address(ECOSYSTEM)) <= get_ecosystem_tokens_minted(store)
    # Nobody else holds anything but module accounts (bonded pool, fee collector, ...).
    holders = {address for address, _ in BALANCES.iterate(store)}
    buckets = {key.address for key in KEYS.values()}
    assert holders - buckets <= set(MODULE_ADDRESSES.values())


def test_supply_is_64_05_percent_at_genesis_and_grows_only_by_ecosystem_mints() -> None:
    doc = _genesis()
    bank = doc.app_state["bank"]["balances"]
    funded = {entry["address"]: int(entry["coins"][0]["amount"]) for entry in bank}
    assert funded == {getattr(ALLOCATION, name): EXPECTED[name] for name in BUCKETS}
    assert sum(funded.values()) == GENESIS_SUPPLY
    app = _start()
    minted_before = 0
    for _ in range(5):
        _block(app)
        store = app.committed_store
        minted = get_ecosystem_tokens_minted(store)
        assert minted >= minted_before
        assert get_supply(store) == GENESIS_SUPPLY + minted
        assert get_supply(store) <= MAX_SUPPLY
        assert minted <= ECOSYSTEM_CAP
        check_invariants(store)
        minted_before = minted
    assert minted_before > 0  # the mint did mint the ecosystem's share on demand


def test_invalid_or_repeated_bucket_addresses_are_refused() -> None:
    modules = build_standard_modules()
    placeholder = AllocationAddresses(
        foundation="allo1" + "q" * 38,
        participants=ALLOCATION.participants,
        investors=ALLOCATION.investors,
        investors_preseed=ALLOCATION.investors_preseed,
        team=ALLOCATION.team,
    )
    with pytest.raises(GenesisError, match="not an account address"):
        build_allocated_genesis(
            chain_id=CHAIN_ID, genesis_time_ns=0, modules=modules, allocation=placeholder
        )
    repeated = AllocationAddresses(
        foundation=ALLOCATION.team,
        participants=ALLOCATION.participants,
        investors=ALLOCATION.investors,
        investors_preseed=ALLOCATION.investors_preseed,
        team=ALLOCATION.team,
    )
    with pytest.raises(GenesisError, match="funded twice"):
        build_allocated_genesis(
            chain_id=CHAIN_ID, genesis_time_ns=0, modules=modules, allocation=repeated
        )
    with pytest.raises(GenesisError, match="funded twice"):
        build_allocated_genesis(
            chain_id=CHAIN_ID,
            genesis_time_ns=0,
            modules=modules,
            allocation=ALLOCATION,
            balances=[(ALLOCATION.investors, 1)],
        )


def test_the_buckets_follow_the_mint_params_of_the_genesis() -> None:
    modules = build_standard_modules()
    [mint] = [module for module in modules if module.name == "mint"]
    section = dict(mint.default_genesis())
    section["params"] = {**section["params"], "max_supply": str(2 * MAX_SUPPLY)}
    doc = build_allocated_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=0,
        modules=modules,
        allocation=ALLOCATION,
        overrides={"mint": section},
    )
    funded = {
        entry["address"]: int(entry["coins"][0]["amount"])
        for entry in doc.app_state["bank"]["balances"]
    }
    assert funded[ALLOCATION.foundation] == 2 * EXPECTED["foundation"]
    assert sum(funded.values()) == 2 * GENESIS_SUPPLY
