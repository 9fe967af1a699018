"""A small chain for the emissions part-2 tests: auth, bank, a test treasury and emissions.

* :class:`TreasuryModule` stands in for the mint (not wired yet): every begin block it mints
  ``emission`` uallo into ``allorarewards`` and records it as ``reward_current_block_emission``
  (PROTOCOL.md §5.2 step 3, the allora cut);
* :class:`Chain` builds the app from a genesis, signs transactions with the right sequences,
  runs blocks (checking the bank supply and every Appendix D invariant after each, the
  registration-history clause of D7 included), and answers queries;
* :class:`MintedChain` offers the same API over the standard modules (auth, bank, staking,
  distribution, slashing, the real mint, emissions) with three bonded genesis validators;
* payload builders sign worker and reputer bundles exactly as the Go node does (canonical
  encoding, low-s SHA-256 ECDSA).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from foundation_helpers import BLOCK_NS, CHAIN_ID, GENESIS_TIME_NS, make_key
from google.protobuf import json_format
from google.protobuf.message import Message
from test_standard_modules_support import Chain as StandardChain

from pyallora.chain.abci_types import (
    FinalizeBlockRequest,
    FinalizeBlockResult,
    QueryRequest,
    TxResult,
)
from pyallora.chain.app import App
from pyallora.chain.auth.module import AuthModule
from pyallora.chain.auth.state import ACCOUNTS, MODULE_ADDRESSES, get_account
from pyallora.chain.bank.module import BankModule
from pyallora.chain.bank.state import (
    BALANCES,
    SUPPLY,
    get_balance,
    mint_coins,
    send_coins_from_module_to_module,
    validate_supply_invariant,
)
from pyallora.chain.context import Context
from pyallora.chain.emissions.invariants import (
    RegistrationHistory,
    validate_emissions_invariants,
)
from pyallora.chain.emissions.module import EmissionsModule
from pyallora.chain.emissions.params import DEFAULT_PARAMS, params_to_proto
from pyallora.chain.emissions.rewards.state import set_reward_current_block_emission
from pyallora.chain.emissions.signatures import (
    MalformedBundleDecError,
    encode_inference_forecast_bundle,
    encode_value_bundle,
)
from pyallora.chain.genesis import build_genesis
from pyallora.chain.module import BaseModule
from pyallora.chain.store.kv import KVStore
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx
from pyallora.proto.emissions.v3 import types_pb2 as v3
from pyallora.proto.emissions.v5 import genesis_pb2
from pyallora.proto.emissions.v5 import tx_pb2 as tx
from pyallora.storage import MemoryCommittedStore

FUNDS = 10**24
"""Each test account's genesis balance (uallo)."""

EMISSION = 1_000_000
"""uallo minted into the rewards treasury per block by default."""

REWARDS = "allorarewards"
STAKING = "allorastaking"
PENDING = "allorapendingrewards"
ECOSYSTEM = "ecosystem"

TEST_PARAMS = dataclasses.replace(
    DEFAULT_PARAMS,
    min_epoch_length=1,
    create_topic_fee=0,
    registration_fee=0,
    remove_stake_delay_window=10,
)
"""Defaults with the §9 integration-test overrides (min epoch 1, removal delay 10) and free
topic creation and registration, so a topic's revenue (and weight) stays 0 until funded."""


class TreasuryModule(BaseModule):
    """Test stand-in for the mint's allora cut: ``emission`` uallo per block."""

    name = "testtreasury"

    def __init__(self, emission: int, recorded: int | None = None) -> None:
        self.emission = emission
        self.recorded = emission if recorded is None else recorded

    def begin_block(self, ctx: Context, store: KVStore) -> None:
        """Mint the cut into ``allorarewards`` and record it (``recorded`` overrides the
        recorded amount, to test the treasury cap)."""
        if self.emission > 0:
            mint_coins(ctx, store, "mint", self.emission)
            send_coins_from_module_to_module(ctx, store, "mint", REWARDS, self.emission)
        if self.recorded > 0:
            set_reward_current_block_emission(store, self.recorded)


def module_address(name: str) -> str:
    """A module account's address."""
    return MODULE_ADDRESSES[name]


def build_emissions_section(
    params: Any = TEST_PARAMS, *, reference_compat: bool = False, extra: Message | None = None
) -> dict[str, Any]:
    """The emissions genesis section: params, the compat switch, extra stores."""
    message = genesis_pb2.GenesisState(params=params_to_proto(params))
    if extra is not None:
        message.MergeFrom(extra)
    section: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    section["reference_compat"] = reference_compat
    return section


class Chain:
    """An in-process chain (module docstring).

    Parameters
    ----------
    accounts
        How many funded test keys (key i = :func:`make_key` (i)).
    params
        Emissions parameters.
    reference_compat
        The Appendix C switch.
    emission
        Allora cut minted into the treasury per block.
    extra_genesis
        A ``GenesisState`` merged into the emissions section (EMAs, admins, ...).
    check_invariants
        Run the supply and every Appendix D invariant after each block.
    initial_height
        The genesis ``initial_height`` (block times count from it).
    """

    def __init__(
        self,
        *,
        accounts: int = 12,
        balances: Sequence[int] | None = None,
        params: Any = TEST_PARAMS,
        reference_compat: bool = False,
        emission: int = EMISSION,
        recorded_emission: int | None = None,
        extra_genesis: Message | None = None,
        check_invariants: bool = True,
        on_block: Callable[[Chain, FinalizeBlockResult], None] | None = None,
        initial_height: int = 1,
    ) -> None:
        self.keys = [make_key(index) for index in range(accounts)]
        self.initial_height = initial_height
        modules = (
            AuthModule(),
            BankModule(),
            TreasuryModule(emission, recorded_emission),
            EmissionsModule(),
        )
        self.app = App(MemoryCommittedStore(), modules=modules)
        genesis = build_genesis(
            chain_id=CHAIN_ID,
            genesis_time_ns=GENESIS_TIME_NS,
            modules=modules,
            initial_height=initial_height,
            balances=[
                (key.address, FUNDS if balances is None else balances[index])
                for index, key in enumerate(self.keys)
            ],
            overrides={
                "emissions": build_emissions_section(
                    params, reference_compat=reference_compat, extra=extra_genesis
                )
            },
        )
        self.app.init_chain(genesis.to_init_chain_request())
        self.check_invariants = check_invariants
        self.history = RegistrationHistory()
        self.on_block = on_block
        self._pending: dict[str, int] = {}
        self.results: dict[int, FinalizeBlockResult] = {}
        self.app_hashes: dict[int, bytes] = {}

    # --- state ------------------------------------------------------------------------------

    @property
    def store(self) -> Any:
        """The committed store."""
        return self.app.committed_store

    @property
    def height(self) -> int:
        """The last committed height."""
        return self.app.last_height

    @property
    def next_height(self) -> int:
        """The height of the next block."""
        return self.app.next_height

    def balance(self, address: str) -> int:
        """An account's committed uallo balance."""
        return get_balance(self.store, address)

    def module_balance(self, name: str) -> int:
        """A module account's committed balance."""
        return get_balance(self.store, module_address(name))

    def snapshot(self) -> dict[bytes, bytes]:
        """Every committed pair."""
        return dict(self.store.iterate())

    def block_noise_keys(self, *signers: PrivateKey) -> set[bytes]:
        """Keys any block changes regardless of its txs: the treasury mint (rewards balance,
        supply) and the signers' accounts (the ante's sequence)."""
        keys = {BALANCES.encode_key(module_address(REWARDS)), SUPPLY.prefix}
        keys |= {ACCOUNTS.encode_key(key.address) for key in signers}
        return keys

    # --- transactions -----------------------------------------------------------------------

    def sign(self, key: PrivateKey, *messages: Message, fee: int = 0, gas: int = 10**9) -> bytes:
        """A signed tx for the next block (sequences of txs built before it are counted)."""
        account = get_account(self.store, key.address)
        number = account.account_number if account is not None else 0
        base = account.sequence if account is not None else 0
        offset = self._pending.get(key.address, 0)
        self._pending[key.address] = offset + 1
        return build_tx(
            list(messages),
            private_key=key,
            chain_id=CHAIN_ID,
            account_number=number,
            sequence=base + offset,
            fee_amount=fee,
            gas_limit=gas,
        )

    def time_of(self, height: int) -> int:
        """The block time of ``height`` (one block interval per height since genesis)."""
        return GENESIS_TIME_NS + (height - self.initial_height + 1) * BLOCK_NS

    def finalize(self, txs: Sequence[bytes] = ()) -> FinalizeBlockResult:
        """Execute the next block without committing it (it may be executed again)."""
        height = self.next_height
        return self.app.finalize_block(
            FinalizeBlockRequest(height=height, time_ns=self.time_of(height), txs=tuple(txs))
        )

    def reset_pending(self) -> None:
        """Forget the txs signed for the next block (the next one reuses their sequences)."""
        self._pending.clear()

    def run_block(self, txs: Sequence[bytes] = ()) -> FinalizeBlockResult:
        """Finalize and commit the next block; check the invariants."""
        height = self.next_height
        result = self.finalize(txs)
        self.app.commit()
        self._pending.clear()
        self.results[height] = result
        self.app_hashes[height] = result.app_hash
        if self.check_invariants:
            validate_supply_invariant(self.store)
            validate_emissions_invariants(self.store, height, history=self.history)
        if self.on_block is not None:
            self.on_block(self, result)
        return result

    def run_tx(self, key: PrivateKey, *messages: Message, fee: int = 0) -> TxResult:
        """One block holding one tx; its result."""
        return self.run_block([self.sign(key, *messages, fee=fee)]).tx_results[0]

    def advance_to(self, height: int) -> None:
        """Empty blocks until ``height`` is the next block."""
        while self.next_height < height:
            self.run_block()

    # --- queries ----------------------------------------------------------------------------

    def query(self, method: str, request: Message, response_type: type[Message]) -> Any:
        """An ``emissions.v5.QueryService`` query; raises AssertionError on an error code."""
        result = self.app.query(
            QueryRequest(
                path=f"/emissions.v5.QueryService/{method}",
                data=request.SerializeToString(),
            )
        )
        assert result.code == 0, f"{method}: {result.log} ({result.codespace}:{result.code})"
        response = response_type()
        response.ParseFromString(result.value)
        return response

    def query_code(self, method: str, request: Message) -> tuple[str, int]:
        """The ``(codespace, code)`` a query answers (``("", 0)`` on success)."""
        result = self.app.query(
            QueryRequest(
                path=f"/emissions.v5.QueryService/{method}", data=request.SerializeToString()
            )
        )
        return result.codespace, result.code


class MintedChain:
    """:class:`Chain`'s API over the standard modules and the real mint (module docstring).

    The allora cut the mint sends to ``allorarewards`` in every begin block is what the
    emissions end blocker pays out. After every block the standard modules' invariants
    (bank supply, staking, distribution, the mint cap) and every Appendix D invariant are
    checked. The genesis block is not committed yet: the first :meth:`run_block` commits
    height 1.
    """

    def __init__(
        self,
        *,
        accounts: int = 12,
        params: Any = TEST_PARAMS,
        reference_compat: bool = False,
        on_block: Callable[[MintedChain, FinalizeBlockResult], None] | None = None,
    ) -> None:
        self.chain = StandardChain.start(
            include_emissions=True,
            accounts=accounts,
            emissions=build_emissions_section(params, reference_compat=reference_compat),
        )
        self.app = self.chain.app
        self.keys = self.chain.keys
        self.on_block = on_block
        self.history = RegistrationHistory()
        self._pending: dict[str, int] = {}
        self.results: dict[int, FinalizeBlockResult] = {}
        self.app_hashes: dict[int, bytes] = {}

    @property
    def store(self) -> Any:
        """The committed store."""
        return self.app.committed_store

    @property
    def height(self) -> int:
        """The last committed height."""
        return self.app.last_height

    @property
    def next_height(self) -> int:
        """The height of the next block."""
        return self.app.next_height

    def balance(self, address: str) -> int:
        """An account's committed uallo balance."""
        return get_balance(self.store, address)

    def module_balance(self, name: str) -> int:
        """A module account's committed balance."""
        return get_balance(self.store, module_address(name))

    def snapshot(self) -> dict[bytes, bytes]:
        """Every committed pair."""
        return dict(self.store.iterate())

    def sign(self, key: PrivateKey, *messages: Message) -> bytes:
        """A signed tx for the next block (sequences of txs built before it are counted)."""
        offset = self._pending.get(key.address, 0)
        self._pending[key.address] = offset + 1
        return self.chain.sign(key, messages, sequence_offset=offset)

    def run_block(self, txs: Sequence[bytes] = ()) -> FinalizeBlockResult:
        """Finalize and commit the next block; check every invariant."""
        result = self.chain.block(txs)
        self._pending.clear()
        height = self.height
        self.results[height] = result
        self.app_hashes[height] = result.app_hash
        validate_emissions_invariants(self.store, height, history=self.history)
        if self.on_block is not None:
            self.on_block(self, result)
        return result

    def run_tx(self, key: PrivateKey, *messages: Message) -> TxResult:
        """One block holding one tx; its result."""
        return self.run_block([self.sign(key, *messages)]).tx_results[0]

    def query(self, method: str, request: Message, response_type: type[Message]) -> Any:
        """An ``emissions.v5.QueryService`` query; raises AssertionError on an error code."""
        result = self.app.query(
            QueryRequest(
                path=f"/emissions.v5.QueryService/{method}", data=request.SerializeToString()
            )
        )
        assert result.code == 0, f"{method}: {result.log} ({result.codespace}:{result.code})"
        response = response_type()
        response.ParseFromString(result.value)
        return response


# ---------------------------------------------------------------------------------------------
# Messages


def create_topic_msg(
    creator: PrivateKey,
    *,
    epoch_length: int = 10,
    ground_truth_lag: int = 20,
    worker_submission_window: int = 5,
    merit_sortition_alpha: str = "0.1",
    quantile: str = "0.25",
) -> tx.CreateNewTopicRequest:
    """A CreateNewTopic with the reference tests' knobs (p 3, α_R 0.1, ε 0.01)."""
    return tx.CreateNewTopicRequest(
        creator=creator.address,
        metadata="test topic",
        loss_method="mse",
        epoch_length=epoch_length,
        ground_truth_lag=ground_truth_lag,
        p_norm="3",
        alpha_regret="0.1",
        allow_negative=True,
        epsilon="0.01",
        worker_submission_window=worker_submission_window,
        merit_sortition_alpha=merit_sortition_alpha,
        active_inferer_quantile=quantile,
        active_forecaster_quantile=quantile,
        active_reputer_quantile=quantile,
    )


def register_msg(key: PrivateKey, topic_id: int, *, reputer: bool) -> tx.RegisterRequest:
    """Register ``key`` in the topic."""
    return tx.RegisterRequest(
        sender=key.address, topic_id=topic_id, owner=key.address, is_reputer=reputer
    )


def add_stake_msg(key: PrivateKey, topic_id: int, amount: int) -> tx.AddStakeRequest:
    """Self-stake."""
    return tx.AddStakeRequest(sender=key.address, topic_id=topic_id, amount=str(amount))


def fund_topic_msg(key: PrivateKey, topic_id: int, amount: int) -> tx.FundTopicRequest:
    """FundTopic."""
    return tx.FundTopicRequest(sender=key.address, topic_id=topic_id, amount=str(amount))


def delegate_msg(
    key: PrivateKey, topic_id: int, reputer: str, amount: int
) -> tx.DelegateStakeRequest:
    """DelegateStake."""
    return tx.DelegateStakeRequest(
        sender=key.address, topic_id=topic_id, reputer=reputer, amount=str(amount)
    )


def sign_worker_bundle(
    key: PrivateKey, bundle: v3.InferenceForecastBundle, *, worker: str | None = None
) -> v3.WorkerDataBundle:
    """Wrap and sign an inner bundle (``worker`` overrides the worker field)."""
    try:
        signed = encode_inference_forecast_bundle(bundle)
    except MalformedBundleDecError:  # text outside the grammar: the chain cannot decode it
        signed = bundle.SerializeToString()
    return v3.WorkerDataBundle(
        worker=key.address if worker is None else worker,
        inference_forecasts_bundle=bundle,
        inferences_forecasts_bundle_signature=key.sign(signed),
        pubkey=key.public_key.hex(),
    )


def worker_payload_msg(
    key: PrivateKey,
    *,
    topic_id: int,
    nonce: int,
    value: str | None = "1",
    forecast: Sequence[tuple[str, str]] | None = None,
    sender: str | None = None,
    inner_height: int | None = None,
) -> tx.InsertWorkerPayloadRequest:
    """A signed InsertWorkerPayload (inference ``value`` and/or forecast elements)."""
    height = nonce if inner_height is None else inner_height
    bundle = v3.InferenceForecastBundle()
    if value is not None:
        bundle.inference.CopyFrom(
            v3.Inference(topic_id=topic_id, block_height=height, inferer=key.address, value=value)
        )
    if forecast is not None:
        bundle.forecast.CopyFrom(
            v3.Forecast(
                topic_id=topic_id,
                block_height=height,
                forecaster=key.address,
                forecast_elements=[v3.ForecastElement(inferer=j, value=v) for j, v in forecast],
            )
        )
    data = sign_worker_bundle(key, bundle)
    data.nonce.CopyFrom(v3.Nonce(block_height=nonce))
    data.topic_id = topic_id
    return tx.InsertWorkerPayloadRequest(
        sender=key.address if sender is None else sender, worker_data_bundle=data
    )


def value_bundle(
    reputer: str,
    *,
    topic_id: int,
    nonce: int,
    combined: str,
    naive: str,
    inferers: Sequence[tuple[str, str]] = (),
    forecasters: Sequence[tuple[str, str]] = (),
    one_out_inferers: Sequence[tuple[str, str]] = (),
    one_out_forecasters: Sequence[tuple[str, str]] = (),
    one_in_forecasters: Sequence[tuple[str, str]] = (),
    one_out_inferer_forecasters: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
) -> v3.ValueBundle:
    """A reputer's loss bundle."""
    return v3.ValueBundle(
        topic_id=topic_id,
        reputer_request_nonce=v3.ReputerRequestNonce(reputer_nonce=v3.Nonce(block_height=nonce)),
        reputer=reputer,
        combined_value=combined,
        naive_value=naive,
        inferer_values=[v3.WorkerAttributedValue(worker=w, value=v) for w, v in inferers],
        forecaster_values=[v3.WorkerAttributedValue(worker=w, value=v) for w, v in forecasters],
        one_out_inferer_values=[
            v3.WithheldWorkerAttributedValue(worker=w, value=v) for w, v in one_out_inferers
        ],
        one_out_forecaster_values=[
            v3.WithheldWorkerAttributedValue(worker=w, value=v) for w, v in one_out_forecasters
        ],
        one_in_forecaster_values=[
            v3.WorkerAttributedValue(worker=w, value=v) for w, v in one_in_forecasters
        ],
        one_out_inferer_forecaster_values=[
            v3.OneOutInfererForecasterValues(
                forecaster=k,
                one_out_inferer_values=[
                    v3.WithheldWorkerAttributedValue(worker=w, value=v) for w, v in values
                ],
            )
            for k, values in one_out_inferer_forecasters
        ],
    )


def reputer_payload_msg(
    key: PrivateKey, bundle: v3.ValueBundle, *, sender: str | None = None
) -> tx.InsertReputerPayloadRequest:
    """A signed InsertReputerPayload."""
    try:
        signed = encode_value_bundle(bundle)
    except MalformedBundleDecError:  # text outside the grammar: the chain cannot decode it
        signed = bundle.SerializeToString()
    return tx.InsertReputerPayloadRequest(
        sender=key.address if sender is None else sender,
        reputer_value_bundle=v3.ReputerValueBundle(
            value_bundle=bundle,
            signature=key.sign(signed),
            pubkey=key.public_key.hex(),
        ),
    )


def losses_for(network: v3.ValueBundle, truth: float, reputer: str, nonce: int) -> v3.ValueBundle:
    """A reputer's log10 absolute-error losses of every value of a network bundle."""
    import math

    def loss(text: str) -> str:
        return f"{math.log10(abs(float(text) - truth) + 0.001):.9f}"

    return value_bundle(
        reputer,
        topic_id=network.topic_id,
        nonce=nonce,
        combined=loss(network.combined_value),
        naive=loss(network.naive_value),
        inferers=[(v.worker, loss(v.value)) for v in network.inferer_values],
        forecasters=[(v.worker, loss(v.value)) for v in network.forecaster_values],
        one_out_inferers=[(v.worker, loss(v.value)) for v in network.one_out_inferer_values],
        one_out_forecasters=[(v.worker, loss(v.value)) for v in network.one_out_forecaster_values],
        one_in_forecasters=[(v.worker, loss(v.value)) for v in network.one_in_forecaster_values],
        one_out_inferer_forecasters=[
            (entry.forecaster, [(v.worker, loss(v.value)) for v in entry.one_out_inferer_values])
            for entry in network.one_out_inferer_forecaster_values
        ],
    )


def codes(result: FinalizeBlockResult) -> list[tuple[str, int]]:
    """``(codespace, code)`` of every tx of a block."""
    return [(r.codespace, r.code) for r in result.tx_results]


# ---------------------------------------------------------------------------------------------
# Synthetic actors


def synthetic_truth(nonce: int) -> float:
    """The ground truth of epoch ``nonce`` (a deterministic wave)."""
    import math

    return 100.0 + 10.0 * math.sin(nonce / 37.0)


def synthetic_noise(seed: str, scale: float) -> float:
    """A deterministic pseudo-random number in [-scale, scale] from ``seed``."""
    from pyallora.core.crypto import sha256

    digest = int.from_bytes(sha256(seed.encode())[:8], "big")
    return (digest / 2**64 * 2.0 - 1.0) * scale


class Actors:
    """Workers, forecasters and reputers of one topic that submit whenever they can.

    Inferer i predicts ``truth + bias_i + noise``; forecaster k predicts each inferer's loss
    as its last network loss plus noise; reputers report log10 absolute errors with a small
    reputer-specific noise (their private view of the ground truth).
    """

    def __init__(
        self,
        chain: Chain | MintedChain,
        topic_id: int,
        inferers: Sequence[PrivateKey],
        forecasters: Sequence[PrivateKey],
        reputers: Sequence[PrivateKey],
    ) -> None:
        self.chain = chain
        self.topic_id = topic_id
        self.inferers = list(inferers)
        self.forecasters = list(forecasters)
        self.reputers = list(reputers)
        self.done_worker: set[int] = set()
        self.done_reputer: set[int] = set()

    def worker_txs(self) -> list[bytes]:
        """Payloads for the open worker nonce whose window contains the next block."""
        from pyallora.proto.emissions.v5 import query_pb2 as q

        chain = self.chain
        nonces = chain.query(
            "GetUnfulfilledWorkerNonces",
            q.GetUnfulfilledWorkerNoncesRequest(topic_id=self.topic_id),
            q.GetUnfulfilledWorkerNoncesResponse,
        ).nonces.nonces
        if not nonces:
            return []
        nonce = nonces[0].block_height
        if nonce in self.done_worker or nonce >= chain.next_height + 1:
            return []
        self.done_worker.add(nonce)
        truth = synthetic_truth(nonce)
        txs = []
        inferer_addresses = [key.address for key in self.inferers]
        for index, key in enumerate(self.inferers):
            value = truth + (index - 2) * 0.7 + synthetic_noise(f"i{index}:{nonce}", 1.5)
            forecast = None
            if key in self.forecasters:
                forecast = self._forecast(key, nonce, inferer_addresses)
            txs.append(
                chain.sign(
                    key,
                    worker_payload_msg(
                        key,
                        topic_id=self.topic_id,
                        nonce=nonce,
                        value=f"{value:.6f}",
                        forecast=forecast,
                    ),
                )
            )
        for key in self.forecasters:
            if key in self.inferers:
                continue
            txs.append(
                chain.sign(
                    key,
                    worker_payload_msg(
                        key,
                        topic_id=self.topic_id,
                        nonce=nonce,
                        value=None,
                        forecast=self._forecast(key, nonce, inferer_addresses),
                    ),
                )
            )
        return txs

    def _forecast(self, key: PrivateKey, nonce: int, inferers: list[str]) -> list[tuple[str, str]]:
        return [
            (address, f"{0.2 + synthetic_noise(f'f{key.address}:{address}:{nonce}', 0.3):.6f}")
            for address in inferers
        ]

    def reputer_txs(self) -> list[bytes]:
        """Loss bundles for the oldest open reputer nonce whose window contains the next
        block (as the Go node does)."""
        from pyallora.proto.emissions.v5 import query_pb2 as q

        chain = self.chain
        nonces = chain.query(
            "GetUnfulfilledReputerNonces",
            q.GetUnfulfilledReputerNoncesRequest(topic_id=self.topic_id),
            q.GetUnfulfilledReputerNoncesResponse,
        ).nonces.nonces
        if not nonces:
            return []
        nonce = nonces[-1].reputer_nonce.block_height
        topic = chain.query(
            "GetTopic", q.GetTopicRequest(topic_id=self.topic_id), q.GetTopicResponse
        ).topic
        height = chain.next_height
        if nonce in self.done_reputer or not (
            nonce + topic.ground_truth_lag <= height <= nonce + 2 * topic.ground_truth_lag
        ):
            return []
        self.done_reputer.add(nonce)
        network = chain.query(
            "GetNetworkInferencesAtBlock",
            q.GetNetworkInferencesAtBlockRequest(
                topic_id=self.topic_id, block_height_last_inference=nonce
            ),
            q.GetNetworkInferencesAtBlockResponse,
        ).network_inferences
        txs = []
        for index, key in enumerate(self.reputers):
            view = synthetic_truth(nonce) + synthetic_noise(f"r{index}:{nonce}", 0.05)
            txs.append(
                chain.sign(
                    key, reputer_payload_msg(key, losses_for(network, view, key.address, nonce))
                )
            )
        return txs

    def step(self) -> FinalizeBlockResult:
        """One block with every submission the actors can make in it."""
        return self.chain.run_block(self.worker_txs() + self.reputer_txs())


def changed_keys(before: dict[bytes, bytes], after: dict[bytes, bytes]) -> set[bytes]:
    """Keys added, removed or modified between two snapshots."""
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
