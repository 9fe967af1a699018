"""Helpers of the emissions tests: an app with the emissions module, signed txs, queries,
the invariants after every block, and a reward simulator standing in for part 2's reward step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cosmpy.protos.cosmos.base.abci.v1beta1 import abci_pb2
from foundation_helpers import BLOCK_NS, CHAIN_ID, FUNDS, GENESIS_TIME_NS, make_app, make_key
from google.protobuf.message import Message

from pyallora.chain.abci_types import (
    FinalizeBlockRequest,
    FinalizeBlockResult,
    QueryRequest,
    QueryResult,
    TxResult,
    ValidatorUpdate,
)
from pyallora.chain.app import App, compute_default_modules
from pyallora.chain.auth.state import get_account, get_module_address
from pyallora.chain.bank.state import (
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
from pyallora.chain.emissions.stake.state import (
    get_delegate_reward_per_share,
    get_delegate_stake_upon_reputer,
    set_delegate_reward_per_share,
)
from pyallora.chain.module import BaseModule
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.client.tx import build_tx
from pyallora.core.dec import dec, dec_context
from pyallora.proto.emissions.v5 import query_pb2, tx_pb2

GAS = 20_000_000
"""Gas limit of every test tx."""

QUERY_PREFIX = "/emissions.v5.QueryService/"

AUTH_NAMESPACE = b"\x01"
"""Key prefix of the auth module (sequences change even when a tx fails)."""

TEST_PARAMS: dict[str, str] = {
    "min_epoch_length": "1",
    "remove_stake_delay_window": "5",
}
"""Parameter overrides of most tests (short epochs and removal delay)."""


def topic_request(creator: str, **overrides: Any) -> tx_pb2.CreateNewTopicRequest:
    """A valid CreateNewTopic request (E = 10, G = 20, W = 5) with overrides."""
    fields: dict[str, Any] = {
        "creator": creator,
        "metadata": "ETH 10min",
        "loss_method": "mse",
        "epoch_length": 10,
        "ground_truth_lag": 20,
        "p_norm": "3",
        "alpha_regret": "0.1",
        "allow_negative": False,
        "epsilon": "0.01",
        "worker_submission_window": 5,
        "merit_sortition_alpha": "0.1",
        "active_inferer_quantile": "0.2",
        "active_forecaster_quantile": "0.2",
        "active_reputer_quantile": "0.2",
    }
    fields.update(overrides)
    return tx_pb2.CreateNewTopicRequest(**fields)


@dataclass
class RewardSimulator(BaseModule):
    """A test module that plays part 2's delegator payout (§5.7 step 5b) in begin block.

    At each scheduled height it mints ``amount`` into ``allorapendingrewards`` and raises
    the reward per share of (topic, reputer) by amount / delegated-upon, as the reward step
    does for the delegators' part of a reputer's reward.
    """

    name: str = "reward_simulator"
    schedule: dict[int, list[tuple[int, str, int]]] = field(default_factory=dict)

    def begin_block(self, ctx: Context, store: KVStore) -> None:
        for topic_id, reputer, amount in self.schedule.get(ctx.height, []):
            credit_delegator_reward(ctx, store, topic_id, reputer, amount)

    def end_block(self, ctx: Context, store: KVStore) -> tuple[ValidatorUpdate, ...]:
        return ()


def credit_delegator_reward(
    ctx: Context, store: KVStore, topic_id: int, reputer: str, amount: int
) -> None:
    """Move ``amount`` new uallo to ``allorapendingrewards`` for the reputer's delegators."""
    delegated = get_delegate_stake_upon_reputer(store, topic_id, reputer)
    assert delegated > 0
    mint_coins(ctx, store, "mint", amount)
    send_coins_from_module_to_module(ctx, store, "mint", "allorapendingrewards", amount)
    with dec_context():
        share = get_delegate_reward_per_share(store, topic_id, reputer) + dec(amount) / delegated
    set_delegate_reward_per_share(store, topic_id, reputer, share)


class EmissionsChain:
    """An in-process chain (auth, bank, emissions [, reward simulator]) driven block by block.

    Key ``i`` holds :data:`FUNDS` uallo and account number ``i``; key 0 is a whitelist admin.
    After every block the bank supply invariant and every emissions invariant (Appendix D,
    parts 1 and 2, with the registration history of D7) are checked.
    """

    def __init__(
        self,
        *,
        keys: int = 6,
        params: Mapping[str, str] | None = None,
        reference_compat: bool = False,
        admins: Sequence[int] = (0,),
        rewards: RewardSimulator | None = None,
        funds: int = FUNDS,
    ) -> None:
        self.keys = [make_key(index) for index in range(keys)]
        modules: list[Any] = [*compute_default_modules(), EmissionsModule()]
        if rewards is not None:
            modules.append(rewards)
        param_section = EmissionsModule().default_genesis()["params"]
        param_section.update(TEST_PARAMS if params is None else params)
        self.app: App = make_app(
            [(key.address, funds) for key in self.keys],
            modules=modules,
            overrides={
                "emissions": {
                    "params": param_section,
                    "core_team_addresses": [self.keys[index].address for index in admins],
                    "reference_compat": reference_compat,
                }
            },
        )
        self._pending: dict[int, int] = {}
        self.history = RegistrationHistory()
        self.block()

    # --- addresses and state ------------------------------------------------------------------

    def address(self, index: int) -> str:
        return self.keys[index].address

    @property
    def store(self) -> ReadableKVStore:
        return self.app.committed_store

    @property
    def height(self) -> int:
        return self.app.last_height

    def balance(self, index_or_address: int | str) -> int:
        address = (
            self.address(index_or_address)
            if isinstance(index_or_address, int)
            else index_or_address
        )
        return get_balance(self.store, address)

    def module_balance(self, name: str) -> int:
        return get_balance(self.store, get_module_address(name))

    def dump(self) -> list[tuple[bytes, bytes]]:
        """Every committed pair except auth's (sequences move even for failed txs)."""
        return [pair for pair in self.store.iterate() if not pair[0].startswith(AUTH_NAMESPACE)]

    # --- transactions -------------------------------------------------------------------------

    def _sequence(self, index: int) -> int:
        account = get_account(self.store, self.keys[index].address)
        return (account.sequence if account else 0) + self._pending.get(index, 0)

    def _sign(self, index: int, sequence: int, messages: Sequence[Message], fee: int = 0) -> bytes:
        return build_tx(
            list(messages),
            private_key=self.keys[index],
            chain_id=CHAIN_ID,
            account_number=index,
            sequence=sequence,
            fee_amount=fee,
            gas_limit=GAS,
        )

    def tx(self, index: int, *messages: Message, fee: int = 0) -> bytes:
        """A signed tx of key ``index`` (sequence = committed + pending in this block)."""
        sequence = self._sequence(index)
        self._pending[index] = self._pending.get(index, 0) + 1
        return self._sign(index, sequence, messages, fee)

    def _finalize(self, txs: Sequence[bytes]) -> FinalizeBlockResult:
        """Execute the next block without committing it (it may be re-executed)."""
        height = self.app.next_height
        return self.app.finalize_block(
            FinalizeBlockRequest(
                height=height, time_ns=GENESIS_TIME_NS + height * BLOCK_NS, txs=tuple(txs)
            )
        )

    def block(self, *txs: bytes) -> FinalizeBlockResult:
        """Finalize and commit the next block, then check every invariant."""
        result = self._finalize(txs)
        self.app.commit()
        self._pending = {}
        validate_supply_invariant(self.store)
        validate_emissions_invariants(self.store, self.height, history=self.history)
        return result

    def run(self, index: int, *messages: Message) -> TxResult:
        """One tx of key ``index`` alone in a block; its result."""
        return self.block(self.tx(index, *messages)).tx_results[0]

    def ok(self, index: int, *messages: Message) -> TxResult:
        """:meth:`run`, asserting success."""
        result = self.run(index, *messages)
        assert result.code == 0, result.log
        return result

    def rejects(self, index: int, message: Message, codespace: str, code: int) -> TxResult:
        """Run a tx that must fail with ``(codespace, code)`` and leave no trace.

        The block is executed twice from the same state: with the tx, and with a reference
        that differs only in what the tx's message could have written: an empty block when
        the tx was refused before the ante (decoding, ``validate_basic``), else a tx of the
        same signer and sequence whose message fails on a read (a missing topic). Their app
        hashes must be equal; the block with the tx is then committed.
        """
        sequence = self._sequence(index)
        real = self._sign(index, sequence, [message])
        result = self._finalize([real]).tx_results[0]
        assert (result.codespace, result.code) == (codespace, code), result.log
        if result.gas_used == 0:
            reference: list[bytes] = []
        else:
            probe = tx_pb2.CancelRemoveStakeRequest(sender=self.address(index), topic_id=2**63)
            reference = [self._sign(index, sequence, [probe])]
        expected = self._finalize(reference).app_hash
        committed = self.block(real)
        assert committed.app_hash == expected, "the rejected tx left a trace in the state"
        return result

    def advance_to(self, height: int) -> list[FinalizeBlockResult]:
        """Produce empty blocks until ``height`` is committed."""
        results = []
        while self.height < height:
            results.append(self.block())
        return results

    # --- queries ------------------------------------------------------------------------------

    def query_result(self, method: str, request: Message) -> QueryResult:
        return self.app.query(
            QueryRequest(path=QUERY_PREFIX + method, data=request.SerializeToString())
        )

    def query(self, method: str, request: Message | None = None) -> Any:
        """Answer of ``/emissions.v5.QueryService/<method>`` (asserting success)."""
        if request is None:
            request = getattr(query_pb2, method + "Request")()
        result = self.query_result(method, request)
        assert result.code == 0, result.log
        response = getattr(query_pb2, method + "Response")()
        response.ParseFromString(result.value)
        return response

    # --- common flows -------------------------------------------------------------------------

    def create_topic(self, index: int = 0, **overrides: Any) -> int:
        result = self.ok(index, topic_request(self.address(index), **overrides))
        data = abci_pb2.TxMsgData.FromString(result.data)
        return tx_pb2.CreateNewTopicResponse.FromString(data.msg_responses[0].value).topic_id

    def register(self, index: int, topic_id: int, *, is_reputer: bool) -> None:
        self.ok(
            index,
            tx_pb2.RegisterRequest(
                sender=self.address(index),
                topic_id=topic_id,
                owner=self.address(index),
                is_reputer=is_reputer,
            ),
        )

    def add_stake(self, index: int, topic_id: int, amount: int) -> None:
        self.ok(
            index,
            tx_pb2.AddStakeRequest(
                sender=self.address(index), topic_id=topic_id, amount=str(amount)
            ),
        )

    def events_of(self, results: Iterable[FinalizeBlockResult], type_name: str) -> list[Any]:
        return [
            dict(event.attributes)
            for result in results
            for event in result.events
            if event.type == type_name
        ]
