"""Shared helpers of the staking, distribution, slashing and mint tests (no tests here).

Two ways to drive the standard modules:

* :class:`Chain` — the real :class:`~pyallora.chain.app.App` with signed transactions
  (``client.tx``), block by block. ``finalize_block`` does not hand the last commit or the
  evidence to the modules yet, so distribution allocates by the stored active set there;
* :class:`ModuleHarness` — the same module objects driven hook by hook on a branch of a
  genesis state, with a :class:`CommitBlockContext` that carries ``decided_last_commit`` and
  ``misbehavior`` (the fields the modules read through ``staking.block_info``), for
  downtime and double-sign scenarios.

:func:`check_invariants` runs every module invariant (bank supply, staking pools and shares,
distribution accounting, mint invariant 9's cap) on a store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from foundation_helpers import BLOCK_NS, CHAIN_ID, GENESIS_TIME_NS, make_key
from google.protobuf.message import Message

from pyallora.chain.abci_types import (
    CommitInfo,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    Misbehavior,
    TxResult,
)
from pyallora.chain.app import App
from pyallora.chain.auth.state import ACCOUNTS, FEE_COLLECTOR, get_account, get_module_address
from pyallora.chain.bank.state import get_balance, validate_supply_invariant
from pyallora.chain.context import BlockContext, Context, ExecMode
from pyallora.chain.distribution.rewards import validate_distribution_invariants
from pyallora.chain.events import EventCollector
from pyallora.chain.genesis import GenesisDoc, build_genesis
from pyallora.chain.mint.bridge import StandaloneEmissionsBridge
from pyallora.chain.mint.params import DEFAULT_MINT_PARAMS
from pyallora.chain.mint.state import get_ecosystem_tokens_minted, get_previous_block_emission
from pyallora.chain.mint.state import get_params as get_mint_params
from pyallora.chain.module import JSONObject, Module
from pyallora.chain.modules import build_standard_modules
from pyallora.chain.staking.genesis import compute_gentx
from pyallora.chain.staking.invariants import validate_staking_invariants
from pyallora.chain.staking.state import compute_operator_address
from pyallora.chain.store.kv import Branch, KVStore, ReadableKVStore
from pyallora.client.keys import PrivateKey, ValidatorKey
from pyallora.client.tx import build_tx, pack_any
from pyallora.core.crypto import sha256
from pyallora.core.errors import ConsensusError
from pyallora.core.legacy_dec import ONE, parse_legacy_dec_json
from pyallora.storage import MemoryCommittedStore

ALLO = 10**18
"""uallo per ALLO."""

FUNDS = 10**6 * ALLO
"""Genesis balance of every test account."""


def make_validator_key(index: int) -> ValidatorKey:
    """A deterministic ed25519 consensus key."""
    return ValidatorKey(seed=sha256(b"pyallora test consensus key %d" % index))


def operator_of(key: PrivateKey) -> str:
    """The ``allovaloper`` address of an account key."""
    return compute_operator_address(key.address)


def check_invariants(store: ReadableKVStore) -> None:
    """Every invariant of bank, staking, distribution, and mint's cap (invariant 9)."""
    validate_supply_invariant(store)
    validate_staking_invariants(store)
    validate_distribution_invariants(store)
    params = get_mint_params(store)
    cap = params.max_supply * params.ecosystem_treasury_percent_of_total_supply // ONE
    assert get_ecosystem_tokens_minted(store) <= cap


def check_block_emission(
    store: ReadableKVStore, result: FinalizeBlockResult, emission_before: int
) -> None:
    """Invariant 9, per block: the validator cut (what ``fee_collector`` holds after the block;
    the tests pay no tx fees) and the allora cut (``EventRewardCurrentBlockEmission``) add up
    to the block's emission, split by v, and never exceed B."""
    [event] = [
        event for event in result.events if event.type == "mint.v3.EventRewardCurrentBlockEmission"
    ]
    allora_cut = int(json.loads(dict(event.attributes)["token_amount"]))
    validator_cut = get_balance(store, get_module_address(FEE_COLLECTOR))
    total = validator_cut + allora_cut
    share = parse_legacy_dec_json(StandaloneEmissionsBridge().get_validators_share_text(store))
    assert validator_cut == total * share // ONE
    assert total <= max(emission_before, get_previous_block_emission(store))


def standard_genesis(
    modules: Sequence[Module],
    *,
    validators: int = 3,
    accounts: int = 6,
    self_bonds: Sequence[int] | None = None,
    staking_params: JSONObject | None = None,
    distribution_params: JSONObject | None = None,
    slashing_params: JSONObject | None = None,
    mint: JSONObject | None = None,
    standin: JSONObject | None = None,
    extra_balances: Sequence[tuple[str, int]] = (),
    commission_rates: Sequence[str] | None = None,
    funds: Sequence[int] | None = None,
    emissions: JSONObject | None = None,
) -> GenesisDoc:
    """A genesis: ``accounts`` funded test keys, the first ``validators`` bonded by gentx.

    Validator ``i`` self-bonds ``self_bonds[i]`` (default ``(i + 1) × 1000`` ALLO); account
    ``i`` holds ``funds[i]`` (default :data:`FUNDS`).
    """
    keys = [make_key(index) for index in range(accounts)]
    bonds = (
        list(self_bonds)
        if self_bonds is not None
        else [(index + 1) * 1000 * ALLO for index in range(validators)]
    )
    rates = list(commission_rates) if commission_rates is not None else ["0.10"] * validators
    by_name = {module.name: module for module in modules}
    staking = dict(by_name["staking"].default_genesis())
    if staking_params is not None:
        staking["params"] = {**staking["params"], **staking_params}
    staking["gentxs"] = [
        compute_gentx(
            operator_account=keys[index].address,
            consensus_pubkey=make_validator_key(index).public_key,
            self_bond=bonds[index],
            moniker=f"validator-{index}",
            commission_rate=rates[index],
            commission_max_rate="0.50",
            commission_max_change_rate="0.05",
        )
        for index in range(validators)
    ]
    overrides: dict[str, Any] = {"staking": staking}
    if distribution_params is not None:
        section = dict(by_name["distribution"].default_genesis())
        section["params"] = {**section["params"], **distribution_params}
        overrides["distribution"] = section
    if slashing_params is not None:
        section = dict(by_name["slashing"].default_genesis())
        section["params"] = {**section["params"], **slashing_params}
        overrides["slashing"] = section
    mint_section = dict(by_name["mint"].default_genesis())
    if mint is not None:
        mint_section.update(mint)
    if standin is not None:
        mint_section["emissions_standin"] = {**mint_section["emissions_standin"], **standin}
    overrides["mint"] = mint_section
    if emissions is not None:
        overrides["emissions"] = {**by_name["emissions"].default_genesis(), **emissions}
    amounts = list(funds) if funds is not None else [FUNDS] * accounts
    balances = [(key.address, amount) for key, amount in zip(keys, amounts, strict=True)]
    balances += list(extra_balances)
    return build_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=GENESIS_TIME_NS,
        modules=modules,
        balances=balances,
        overrides=overrides,
    )


@dataclass
class Chain:
    """An :class:`App` of the standard modules, its keys and a signed-tx helper."""

    app: App
    keys: list[PrivateKey]
    genesis: GenesisDoc
    init_validators: tuple[Any, ...] = ()
    results: list[FinalizeBlockResult] = field(default_factory=list)

    @classmethod
    def start(cls, *, include_emissions: bool = False, **genesis_kwargs: Any) -> Chain:
        """Init a fresh chain (nothing committed yet)."""
        modules = build_standard_modules(include_emissions=include_emissions)
        genesis = standard_genesis(modules, **genesis_kwargs)
        app = App(MemoryCommittedStore(), modules=modules)
        result = app.init_chain(genesis.to_init_chain_request())
        accounts = genesis_kwargs.get("accounts", 6)
        keys = [make_key(index) for index in range(accounts)]
        return cls(app=app, keys=keys, genesis=genesis, init_validators=result.validators)

    @property
    def store(self) -> ReadableKVStore:
        """The committed state."""
        return self.app.committed_store

    @property
    def height(self) -> int:
        """Last committed height."""
        return self.app.last_height

    def time_of(self, height: int) -> int:
        """Block time of ``height``."""
        return GENESIS_TIME_NS + height * BLOCK_NS

    def block(self, txs: Sequence[bytes] = ()) -> FinalizeBlockResult:
        """Finalize and commit the next block; check every invariant."""
        height = self.app.last_height + 1
        before = get_previous_block_emission(self.store)
        result = self.app.finalize_block(
            FinalizeBlockRequest(height=height, time_ns=self.time_of(height), txs=tuple(txs))
        )
        self.app.commit()
        self.results.append(result)
        check_invariants(self.store)
        check_block_emission(self.store, result, before)
        return result

    def run(self, blocks: int) -> None:
        """Run ``blocks`` empty blocks."""
        for _ in range(blocks):
            self.block()

    def sign(
        self, key: PrivateKey, messages: Sequence[Message], *, sequence_offset: int = 0
    ) -> bytes:
        """A signed tx of ``messages`` by ``key`` at its committed account number/sequence."""
        account = get_account(self.store, key.address)
        assert account is not None, f"no account for {key.address}"
        return build_tx(
            [pack_any(message) for message in messages],
            private_key=key,
            chain_id=CHAIN_ID,
            account_number=account.account_number,
            sequence=account.sequence + sequence_offset,
            fee_amount=0,
            gas_limit=2_000_000,
        )

    def submit(self, key: PrivateKey, *messages: Message) -> TxResult:
        """Sign ``messages``, deliver them in the next block, return the tx result."""
        result = self.block([self.sign(key, messages)])
        return result.tx_results[0]

    def balance(self, address: str) -> int:
        """Committed uallo balance."""
        return get_balance(self.store, address)

    def module_balance(self, name: str) -> int:
        """Committed uallo balance of a module account."""
        return get_balance(self.store, get_module_address(name))


def assert_rejected_without_effect(
    genesis_kwargs: dict[str, Any],
    prepare: Sequence[tuple[int, Sequence[Message]]],
    signer: int,
    bad: Sequence[Message],
    *,
    codespace: str,
    code: int,
) -> TxResult:
    """Deliver ``bad`` on one of two identical chains and nothing on the other; check the code
    and that the two states differ only in the signer's account record (its sequence).

    ``prepare`` lists ``(key index, messages)`` txs delivered on both chains first, one block
    each, each of which must succeed.
    """
    chains = [Chain.start(**genesis_kwargs), Chain.start(**genesis_kwargs)]
    for chain in chains:
        chain.block()
        for index, messages in prepare:
            result = chain.submit(chain.keys[index], *messages)
            assert result.code == 0, result.log
    rejected, clean = chains
    result = rejected.submit(rejected.keys[signer], *bad)
    clean.block()
    assert (result.codespace, result.code) == (codespace, code), result.log
    check = rejected.app.check_tx(rejected.sign(rejected.keys[signer], bad))
    assert (check.codespace, check.code) == (codespace, code), check.log
    dirty = dict(rejected.store.iterate())
    pristine = dict(clean.store.iterate())
    differing = sorted(
        key for key in set(dirty) | set(pristine) if dirty.get(key) != pristine.get(key)
    )
    # A message refused by validate_basic never reaches the ante handler (nothing changes);
    # one refused by its handler leaves the ante's sequence increment only.
    account_key = ACCOUNTS.encode_key(rejected.keys[signer].address)
    assert differing in ([], [account_key]), differing
    return result


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitBlockContext(BlockContext):
    """A block context that also carries the last commit and the evidence."""

    decided_last_commit: CommitInfo = field(default_factory=CommitInfo)
    misbehavior: tuple[Misbehavior, ...] = ()


class ModuleHarness:
    """The standard modules driven hook by hook on a branch of a genesis state."""

    def __init__(self, **genesis_kwargs: Any) -> None:
        self.modules = build_standard_modules()
        self.by_name = {module.name: module for module in self.modules}
        self.genesis = standard_genesis(self.modules, **genesis_kwargs)
        self.store: KVStore = Branch(MemoryCommittedStore())
        genesis_ctx = Context(
            block=BlockContext(height=1, time_ns=GENESIS_TIME_NS, chain_id=CHAIN_ID),
            mode=ExecMode.GENESIS,
        )
        self.init_validators: tuple[Any, ...] = ()
        for module in self.modules:
            returned = module.init_genesis(
                genesis_ctx, self.store, self.genesis.app_state[module.name]
            )
            self.init_validators = returned or self.init_validators
        self.height = 0
        self.last_updates: tuple[Any, ...] = ()
        self.keys = [make_key(index) for index in range(genesis_kwargs.get("accounts", 6))]
        self.events = EventCollector()

    def time_of(self, height: int) -> int:
        """Block time of ``height``."""
        return GENESIS_TIME_NS + height * BLOCK_NS

    def context(
        self,
        *,
        commit: CommitInfo | None = None,
        evidence: tuple[Misbehavior, ...] = (),
        mode: ExecMode = ExecMode.FINALIZE,
    ) -> Context:
        """A context of the current height."""
        return Context(
            block=CommitBlockContext(
                height=self.height,
                time_ns=self.time_of(self.height),
                chain_id=CHAIN_ID,
                decided_last_commit=commit or CommitInfo(),
                misbehavior=evidence,
            ),
            mode=mode,
            events=self.events,
        )

    def block(
        self,
        *,
        commit: CommitInfo | None = None,
        evidence: tuple[Misbehavior, ...] = (),
        messages: Sequence[tuple[str, Any]] = (),
    ) -> tuple[Any, ...]:
        """Run one block: begin blocks, decoded messages (type URL, protobuf) each in its own
        branch, end blocks. Returns, per message, the response or the ``ConsensusError``."""
        self.height += 1
        ctx = self.context(commit=commit, evidence=evidence)
        for module in self.modules:
            module.begin_block(ctx, self.store)
        routes = {
            route.type_url: route for module in self.modules for route in module.msg_handlers()
        }
        outcomes: list[Any] = []
        for type_url, proto in messages:
            route = routes[type_url]
            branch = Branch(self.store)
            try:
                msg = route.decode(proto.SerializeToString())
                route.validate_basic(msg)
                outcomes.append(route.handle(ctx, branch, msg))
                branch.write()
            except ConsensusError as exc:
                outcomes.append(exc)
        updates: tuple[Any, ...] = ()
        for module in self.modules:
            returned = module.end_block(ctx, self.store)
            if returned:
                updates = returned
        check_invariants(self.store)
        self.last_updates = updates
        return tuple(outcomes)


__all__ = [
    "ALLO",
    "DEFAULT_MINT_PARAMS",
    "FUNDS",
    "Chain",
    "CommitBlockContext",
    "ModuleHarness",
    "assert_rejected_without_effect",
    "check_invariants",
    "make_validator_key",
    "operator_of",
    "standard_genesis",
]
