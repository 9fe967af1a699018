"""H1: the number layer gives the same chain in any thread.

gmpy2 keeps its precision and rounding per thread, and the ABCI server may call the
application from a worker thread, whose context is gmpy2's default (53 bits, round to
nearest), not :data:`pyallora.core.dec.CONTEXT`. Every ABCI entry point of
:class:`~pyallora.chain.app.App` installs the Dec context, so a chain run in a thread whose
context was set to something hostile (20 bits, rounding up) must produce the app hash of the
main thread at every height.

Two chains with real Dec arithmetic (inference synthesis, scores, rewards): the emissions
part-2 harness (auth, bank, a treasury, emissions) and the standard modules with emissions
under the solo driver.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import gmpy2
from emissions2_harness import (
    TEST_PARAMS,
    Actors,
    add_stake_msg,
    build_emissions_section,
    codes,
    create_topic_msg,
    fund_topic_msg,
    register_msg,
)
from emissions2_harness import Chain as EmissionsChain
from foundation_helpers import CHAIN_ID, make_key
from google.protobuf.message import Message
from test_standard_modules_support import standard_genesis

from pyallora.chain.abci_types import FinalizeBlockResult, QueryRequest
from pyallora.chain.auth.state import get_account
from pyallora.chain.modules import build_standard_modules
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx, pack_any
from pyallora.core.dec import CONTEXT
from pyallora.node.solo import SoloNode

TOPIC = 1
EPOCH = 12
HOSTILE = gmpy2.context(precision=20, round=gmpy2.RoundUp)

Hashes = dict[int, bytes]


def _in_thread(run: Callable[[], Hashes]) -> Hashes:
    """``run()`` in a new thread whose gmpy2 context is :data:`HOSTILE`."""
    out: dict[str, Hashes] = {}
    errors: list[BaseException] = []

    def target() -> None:
        gmpy2.set_context(gmpy2.context(HOSTILE))
        try:
            out["hashes"] = run()
        except BaseException as exc:  # re-raised in the main thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="abci-worker")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return out["hashes"]


def _reward_events(result: FinalizeBlockResult) -> int:
    return sum(1 for event in result.events if event.type.endswith("EventTopicRewardsSet"))


class _Setup:
    """The topic's actors: creator, 4 inferers, 2 of them also forecasting, 3 reputers."""

    def __init__(self, keys: list[PrivateKey]) -> None:
        self.creator = keys[0]
        self.inferers = keys[1:5]
        self.forecasters = keys[3:5]
        self.reputers = keys[5:8]

    def messages(self) -> list[tuple[PrivateKey, Message]]:
        pairs: list[tuple[PrivateKey, Message]] = [
            (key, register_msg(key, TOPIC, reputer=False)) for key in self.inferers
        ]
        pairs += [(key, register_msg(key, TOPIC, reputer=True)) for key in self.reputers]
        pairs += [
            (key, add_stake_msg(key, TOPIC, 10**6 * (index + 1)))
            for index, key in enumerate(self.reputers)
        ]
        pairs.append((self.creator, fund_topic_msg(self.creator, TOPIC, 10**12)))
        return pairs


def _run_emissions_harness(blocks: int) -> Hashes:
    chain = EmissionsChain(accounts=9, check_invariants=False)
    setup = _Setup(chain.keys)
    topic = create_topic_msg(
        setup.creator, epoch_length=EPOCH, ground_truth_lag=EPOCH, worker_submission_window=6
    )
    assert chain.run_tx(setup.creator, topic).code == 0
    txs = [chain.sign(key, message) for key, message in setup.messages()]
    assert all(code == ("", 0) for code in codes(chain.run_block(txs)))
    actors = Actors(chain, TOPIC, setup.inferers, setup.forecasters, setup.reputers)
    rewarded = 0
    for _ in range(blocks):
        block = actors.step()
        assert all(code == ("", 0) for code in codes(block)), codes(block)
        rewarded += _reward_events(block)
    assert rewarded >= 2  # the run did reach reward computations
    return dict(chain.app_hashes)


class SoloChain:
    """What :class:`emissions2_harness.Actors` needs, over a solo node of the standard
    modules with emissions (mint pays the rewards)."""

    def __init__(self) -> None:
        modules = build_standard_modules(include_emissions=True)
        section = build_emissions_section(TEST_PARAMS)
        genesis = standard_genesis(modules, accounts=9, emissions=section)
        self.node = SoloNode.open(genesis, modules=modules)
        self.keys = [make_key(index) for index in range(9)]
        self.hashes: Hashes = {}
        self.rewarded = 0
        self._pending: dict[str, int] = {}

    @property
    def next_height(self) -> int:
        return self.node.height + 1

    def sign(self, key: PrivateKey, *messages: Message) -> bytes:
        account = get_account(self.node.app.committed_store, key.address)  # type: ignore[attr-defined]
        assert account is not None
        offset = self._pending.get(key.address, 0)
        self._pending[key.address] = offset + 1
        return build_tx(
            [pack_any(message) for message in messages],
            private_key=key,
            chain_id=CHAIN_ID,
            account_number=account.account_number,
            sequence=account.sequence + offset,
            fee_amount=0,
            gas_limit=10**9,
        )

    def run_block(self, txs: list[bytes]) -> FinalizeBlockResult:
        for tx in txs:
            checked = self.node.submit(tx)
            assert checked.code == 0, checked.log
        result = self.node.produce_block()
        self._pending.clear()
        assert all(tx.code == 0 for tx in result.tx_results), [tx.log for tx in result.tx_results]
        self.hashes[self.node.height] = self.node.app_hash
        self.rewarded += _reward_events(result)
        return result

    def query(self, method: str, request: Message, response_type: type[Message]) -> Any:
        result = self.node.app.query(
            QueryRequest(
                path=f"/emissions.v5.QueryService/{method}", data=request.SerializeToString()
            )
        )
        assert result.code == 0, result.log
        response = response_type()
        response.ParseFromString(result.value)
        return response


def _run_standard_modules(blocks: int) -> Hashes:
    chain = SoloChain()
    chain.run_block([])  # commits the genesis state
    setup = _Setup(chain.keys)
    topic = create_topic_msg(
        setup.creator, epoch_length=EPOCH, ground_truth_lag=EPOCH, worker_submission_window=6
    )
    chain.run_block([chain.sign(setup.creator, topic)])
    chain.run_block([chain.sign(key, message) for key, message in setup.messages()])
    actors = Actors(chain, TOPIC, setup.inferers, setup.forecasters, setup.reputers)  # type: ignore[arg-type]
    for _ in range(blocks):
        actors.step()
    assert chain.rewarded >= 2
    return chain.hashes


def test_the_hostile_context_would_change_unprotected_arithmetic() -> None:
    def third() -> Hashes:
        return {0: str(gmpy2.mpfr(1) / 3).encode()}

    with gmpy2.context(CONTEXT):
        expected = str(gmpy2.mpfr(1) / 3).encode()
    assert _in_thread(third)[0] != expected


def test_emissions_chain_in_a_worker_thread_matches_the_main_thread() -> None:
    main = _run_emissions_harness(5 * EPOCH)
    worker = _in_thread(lambda: _run_emissions_harness(5 * EPOCH))
    assert len(main) == 5 * EPOCH + 2
    assert worker == main


def test_standard_modules_chain_in_a_worker_thread_matches_the_main_thread() -> None:
    main = _run_standard_modules(4 * EPOCH)
    worker = _in_thread(lambda: _run_standard_modules(4 * EPOCH))
    assert len(main) == 4 * EPOCH + 3
    assert worker == main
