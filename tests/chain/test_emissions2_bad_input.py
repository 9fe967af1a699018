"""Every user-triggerable rejection of InsertWorkerPayload and InsertReputerPayload (PROTOCOL.md
§3.14, §3.15, Appendix A), each inside a real transaction: the result code, and that the
rejected transaction changed nothing but its signer's sequence.

The chain: topic 1 with E = 5, W = 3, G = 5, activated in block 2, so worker nonce 7 opens at
the end of block 7 (window [7, 10)), closes at 10 and opens reputer nonce 7 (window
[12, 17]); worker nonce 12 opens at 12 (window [12, 15)). Block 13 has no epoch end and no
window close: a rejected transaction there leaves only the begin-block treasury mint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from emissions2_harness import (
    ECOSYSTEM,
    TEST_PARAMS,
    Chain,
    add_stake_msg,
    changed_keys,
    create_topic_msg,
    fund_topic_msg,
    register_msg,
    reputer_payload_msg,
    sign_worker_bundle,
    value_bundle,
    worker_payload_msg,
)
from google.protobuf.message import Message

from pyallora.chain.emissions.signatures import encode_value_bundle
from pyallora.client.keys import PrivateKey
from pyallora.core.crypto import SECP256K1_ORDER
from pyallora.proto.emissions.v3 import types_pb2 as v3
from pyallora.proto.emissions.v5 import tx_pb2 as tx

TOPIC = 1
WORKER_NONCE = 12
REPUTER_NONCE = 7
POOR = 5
"""Balance of the poor relayer: below the 10 uallo data fee."""

SDK = "sdk"
EMISSIONS = "emissions"
UNDEFINED = "undefined"


@dataclass
class Setup:
    chain: Chain
    keys: list[PrivateKey]

    @property
    def creator(self) -> PrivateKey:
        return self.keys[0]

    @property
    def workers(self) -> list[PrivateKey]:
        return self.keys[1:4]

    @property
    def reputers(self) -> list[PrivateKey]:
        return self.keys[4:6]

    @property
    def low_stake(self) -> PrivateKey:
        return self.keys[6]

    @property
    def outsider(self) -> PrivateKey:
        return self.keys[7]

    @property
    def poor(self) -> PrivateKey:
        return self.keys[8]


def build(until: int = 13, **params: object) -> Setup:
    """The chain of the module docstring, run until ``until`` is the next block."""
    chain = Chain(
        accounts=9,
        balances=[10**24] * 8 + [POOR],
        params=replace(TEST_PARAMS, **params),  # type: ignore[arg-type]
    )
    setup = Setup(chain=chain, keys=chain.keys)
    creator = setup.creator
    chain.run_tx(
        creator,
        create_topic_msg(creator, epoch_length=5, ground_truth_lag=5, worker_submission_window=3),
    )
    txs = [chain.sign(w, register_msg(w, TOPIC, reputer=False)) for w in setup.workers]
    txs += [
        chain.sign(reputer, register_msg(reputer, TOPIC, reputer=True))
        for reputer in (*setup.reputers, setup.low_stake)
    ]
    txs += [chain.sign(r, add_stake_msg(r, TOPIC, 10**6)) for r in setup.reputers]
    txs.append(chain.sign(setup.low_stake, add_stake_msg(setup.low_stake, TOPIC, 100)))
    txs.append(chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**9)))
    assert all(r.code == 0 for r in chain.run_block(txs).tx_results)
    chain.advance_to(8)
    submitted = chain.run_block(
        [
            chain.sign(w, worker_payload_msg(w, topic_id=TOPIC, nonce=7, value=str(90 + i)))
            for i, w in enumerate(setup.workers[:2])
        ]
    )
    assert all(r.code == 0 for r in submitted.tx_results)
    chain.advance_to(until)
    return setup


def losses(reputer: str, nonce: int = REPUTER_NONCE, **changes: object) -> v3.ValueBundle:
    fields: dict[str, object] = {"combined": "-1", "naive": "-0.5", "inferers": []}
    fields.update(changes)
    return value_bundle(reputer, topic_id=TOPIC, nonce=nonce, **fields)  # type: ignore[arg-type]


def assert_rejected(
    setup: Setup, signer: PrivateKey, message: Message, expected: tuple[str, int]
) -> None:
    """Run ``message`` in the next block: code ``expected`` and no state change but noise."""
    chain = setup.chain
    before = chain.snapshot()
    result = chain.run_tx(signer, message)
    assert (result.codespace, result.code) == expected, result.log
    changed = changed_keys(before, chain.snapshot())
    assert changed <= chain.block_noise_keys(signer), "a rejected tx changed state"


# ---------------------------------------------------------------------------------------------
# Worker payloads


def high_s(signature: bytes) -> bytes:
    s = int.from_bytes(signature[32:], "big")
    return signature[:32] + (SECP256K1_ORDER - s).to_bytes(32, "big")


def _with_bundle(
    message: tx.InsertWorkerPayloadRequest, edit: Callable[[v3.WorkerDataBundle], None]
) -> tx.InsertWorkerPayloadRequest:
    copy = tx.InsertWorkerPayloadRequest()
    copy.CopyFrom(message)
    edit(copy.worker_data_bundle)
    return copy


def worker_case(setup: Setup, name: str) -> tuple[PrivateKey, Message, tuple[str, int]]:
    worker = setup.workers[2]
    other = setup.outsider
    good = worker_payload_msg(worker, topic_id=TOPIC, nonce=WORKER_NONCE, value="101.5")
    if name == "wrong topic":
        bundle = v3.InferenceForecastBundle(
            inference=v3.Inference(
                topic_id=9, block_height=WORKER_NONCE, inferer=worker.address, value="1"
            )
        )
        data = sign_worker_bundle(worker, bundle)
        data.nonce.block_height = WORKER_NONCE
        data.topic_id = 9
        return (
            worker,
            tx.InsertWorkerPayloadRequest(sender=worker.address, worker_data_bundle=data),
            (
                EMISSIONS,
                6,
            ),
        )
    if name == "inner topic differs":
        bundle = v3.InferenceForecastBundle(
            inference=v3.Inference(
                topic_id=9, block_height=WORKER_NONCE, inferer=worker.address, value="1"
            )
        )
        data = sign_worker_bundle(worker, bundle)
        data.nonce.block_height = WORKER_NONCE
        data.topic_id = TOPIC
        return (
            worker,
            tx.InsertWorkerPayloadRequest(sender=worker.address, worker_data_bundle=data),
            (
                EMISSIONS,
                6,
            ),
        )
    if name == "unregistered worker":
        return other, worker_payload_msg(other, topic_id=TOPIC, nonce=WORKER_NONCE), (EMISSIONS, 13)
    if name == "closed nonce":
        return worker, worker_payload_msg(worker, topic_id=TOPIC, nonce=7), (EMISSIONS, 75)
    if name == "future nonce":
        return worker, worker_payload_msg(worker, topic_id=TOPIC, nonce=17), (EMISSIONS, 75)
    if name == "inner height is not the nonce (C3)":
        return (
            worker,
            worker_payload_msg(worker, topic_id=TOPIC, nonce=WORKER_NONCE, inner_height=7),
            (SDK, 18),
        )
    if name == "forged signature":
        forged = _with_bundle(
            good,
            lambda d: setattr(
                d,
                "inferences_forecasts_bundle_signature",
                other.sign(b"something else entirely"),
            ),
        )
        return worker, forged, (SDK, 4)
    if name == "high-s signature":
        return (
            worker,
            _with_bundle(
                good,
                lambda d: setattr(
                    d,
                    "inferences_forecasts_bundle_signature",
                    high_s(d.inferences_forecasts_bundle_signature),
                ),
            ),
            (SDK, 4),
        )
    if name == "public key of another account":
        return (
            worker,
            _with_bundle(good, lambda d: setattr(d, "pubkey", other.public_key.hex())),
            (
                SDK,
                4,
            ),
        )
    if name == "malformed public key":
        return worker, _with_bundle(good, lambda d: setattr(d, "pubkey", "02abc")), (SDK, 18)
    if name == "missing nonce":
        return worker, _with_bundle(good, lambda d: d.ClearField("nonce")), (SDK, 18)
    if name == "missing signature":
        return (
            worker,
            _with_bundle(good, lambda d: setattr(d, "inferences_forecasts_bundle_signature", b"")),
            (SDK, 18),
        )
    if name == "NaN value":
        return (
            worker,
            worker_payload_msg(worker, topic_id=TOPIC, nonce=WORKER_NONCE, value="NaN"),
            (
                SDK,
                29,
            ),
        )
    if name == "infinite value":
        return (
            worker,
            worker_payload_msg(worker, topic_id=TOPIC, nonce=WORKER_NONCE, value="Infinity"),
            (SDK, 2),
        )
    if name == "value outside the grammar":
        return (
            worker,
            worker_payload_msg(worker, topic_id=TOPIC, nonce=WORKER_NONCE, value=" 1"),
            (SDK, 2),
        )
    if name == "no forecast element":
        return (
            worker,
            worker_payload_msg(worker, topic_id=TOPIC, nonce=WORKER_NONCE, value=None, forecast=[]),
            (SDK, 18),
        )
    if name == "forecast element about a bad address":
        return (
            worker,
            worker_payload_msg(
                worker, topic_id=TOPIC, nonce=WORKER_NONCE, value=None, forecast=[("allo1xyz", "1")]
            ),
            (SDK, 7),
        )
    if name == "NaN forecast element":
        return (
            worker,
            worker_payload_msg(
                worker,
                topic_id=TOPIC,
                nonce=WORKER_NONCE,
                value=None,
                forecast=[(setup.workers[0].address, "NaN")],
            ),
            (SDK, 29),
        )
    if name == "oversized payload":
        bundle = v3.InferenceForecastBundle(
            inference=v3.Inference(
                topic_id=TOPIC,
                block_height=WORKER_NONCE,
                inferer=worker.address,
                value="1",
                extra_data=b"x" * 3000,
            )
        )
        data = sign_worker_bundle(worker, bundle)
        data.nonce.block_height = WORKER_NONCE
        data.topic_id = TOPIC
        return (
            worker,
            tx.InsertWorkerPayloadRequest(sender=worker.address, worker_data_bundle=data),
            (
                EMISSIONS,
                53,
            ),
        )
    if name == "insufficient balance for the fee":
        return (
            setup.poor,
            worker_payload_msg(
                worker, topic_id=TOPIC, nonce=WORKER_NONCE, sender=setup.poor.address
            ),
            (SDK, 5),
        )
    if name == "bad sender address":
        return (
            worker,
            worker_payload_msg(
                worker, topic_id=TOPIC, nonce=WORKER_NONCE, sender="allo1notanaddress"
            ),
            (SDK, 7),
        )
    raise AssertionError(name)


WORKER_CASES = (
    "wrong topic",
    "inner topic differs",
    "unregistered worker",
    "closed nonce",
    "future nonce",
    "inner height is not the nonce (C3)",
    "forged signature",
    "high-s signature",
    "public key of another account",
    "malformed public key",
    "missing nonce",
    "missing signature",
    "NaN value",
    "infinite value",
    "value outside the grammar",
    "no forecast element",
    "forecast element about a bad address",
    "NaN forecast element",
    "oversized payload",
    "insufficient balance for the fee",
    "bad sender address",
)


@pytest.mark.parametrize("name", WORKER_CASES)
def test_worker_payload_rejections(name: str) -> None:
    setup = build(max_serialized_msg_length=2000)
    signer, message, expected = worker_case(setup, name)
    assert_rejected(setup, signer, message, expected)


def test_the_accepted_payload_changes_state() -> None:
    """The control of the cases above: the same worker's valid payload is accepted and pays."""
    setup = build()
    chain = setup.chain
    worker = setup.workers[2]
    before = chain.snapshot()
    ecosystem = chain.module_balance(ECOSYSTEM)
    result = chain.run_tx(worker, worker_payload_msg(worker, topic_id=TOPIC, nonce=WORKER_NONCE))
    assert result.code == 0, result.log
    assert chain.module_balance(ECOSYSTEM) == ecosystem + TEST_PARAMS.data_sending_fee
    assert not changed_keys(before, chain.snapshot()) <= chain.block_noise_keys(worker)


def test_second_submission_in_a_window_is_refused() -> None:
    setup = build()
    worker = setup.workers[2]
    first = setup.chain.run_tx(worker, worker_payload_msg(worker, topic_id=TOPIC, nonce=12))
    assert first.code == 0
    second = worker_payload_msg(worker, topic_id=TOPIC, nonce=WORKER_NONCE, value="2")
    assert_rejected(setup, worker, second, (UNDEFINED, 1))
    assert (
        setup.chain.results[setup.chain.height]
        .tx_results[0]
        .log.startswith("inference already submitted")
    )


def test_submission_after_the_window_gets_67() -> None:
    """Block 15's transactions run before the end blocker closes nonce 12: the nonce is still
    open but its window [12, 15) is over. No fee is taken."""
    setup = build(until=15)
    chain = setup.chain
    worker = setup.workers[2]
    balance, ecosystem = chain.balance(worker.address), chain.module_balance(ECOSYSTEM)
    result = chain.run_tx(worker, worker_payload_msg(worker, topic_id=TOPIC, nonce=WORKER_NONCE))
    assert (result.codespace, result.code) == (EMISSIONS, 67)
    assert chain.balance(worker.address) == balance
    assert chain.module_balance(ECOSYSTEM) == ecosystem


def test_too_many_forecast_elements_keep_the_top_ones() -> None:
    """More elements than ``max_elements_per_forecast`` is not an error: the forecast keeps the
    elements about the top inferers (ties by address, quirk C19)."""
    setup = build(max_elements_per_forecast=2)
    chain = setup.chain
    worker = setup.workers[2]
    elements = [(w.address, "0.5") for w in setup.workers]
    result = chain.run_tx(
        worker,
        worker_payload_msg(
            worker, topic_id=TOPIC, nonce=WORKER_NONCE, value=None, forecast=elements
        ),
    )
    assert result.code == 0, result.log
    from pyallora.chain.emissions.submissions.state import get_latest_forecast

    stored = get_latest_forecast(chain.store, TOPIC, worker.address)
    assert stored is not None
    kept = [e.inferer for e in stored.forecast_elements]
    assert kept == [a for a, _ in elements if a in sorted(a for a, _ in elements)[:2]]


# ---------------------------------------------------------------------------------------------
# Reputer payloads


def _with_reputer_bundle(
    message: tx.InsertReputerPayloadRequest, edit: Callable[[v3.ReputerValueBundle], None]
) -> tx.InsertReputerPayloadRequest:
    copy = tx.InsertReputerPayloadRequest()
    copy.CopyFrom(message)
    edit(copy.reputer_value_bundle)
    return copy


def reputer_case(setup: Setup, name: str) -> tuple[PrivateKey, Message, tuple[str, int]]:
    reputer = setup.reputers[0]
    other = setup.outsider
    good = reputer_payload_msg(reputer, losses(reputer.address))
    if name == "wrong topic":
        bundle = losses(reputer.address)
        bundle.topic_id = 9
        return reputer, reputer_payload_msg(reputer, bundle), (EMISSIONS, 6)
    if name == "worker nonce still open":
        return (
            reputer,
            reputer_payload_msg(reputer, losses(reputer.address, WORKER_NONCE)),
            (
                EMISSIONS,
                45,
            ),
        )
    if name == "nonce never opened":
        return reputer, reputer_payload_msg(reputer, losses(reputer.address, 3)), (EMISSIONS, 75)
    if name == "unregistered reputer":
        return other, reputer_payload_msg(other, losses(other.address)), (EMISSIONS, 13)
    if name == "stake below the minimum":
        low = setup.low_stake
        return low, reputer_payload_msg(low, losses(low.address)), (EMISSIONS, 11)
    if name == "forged signature":
        return (
            reputer,
            _with_reputer_bundle(
                good, lambda b: setattr(b, "signature", reputer.sign(b"another payload"))
            ),
            (SDK, 18),
        )
    if name == "high-s signature":
        return (
            reputer,
            _with_reputer_bundle(good, lambda b: setattr(b, "signature", high_s(b.signature))),
            (SDK, 18),
        )
    if name == "public key of another account":
        return (
            reputer,
            _with_reputer_bundle(good, lambda b: setattr(b, "pubkey", other.public_key.hex())),
            (SDK, 4),
        )
    if name == "missing value bundle":
        return (
            reputer,
            _with_reputer_bundle(good, lambda b: b.ClearField("value_bundle")),
            (
                SDK,
                18,
            ),
        )
    if name == "missing reputer nonce (C15)":
        bundle = losses(reputer.address)
        bundle.reputer_request_nonce.ClearField("reputer_nonce")
        return reputer, reputer_payload_msg(reputer, bundle), (SDK, 18)
    if name == "NaN combined value":
        return (
            reputer,
            reputer_payload_msg(reputer, losses(reputer.address, combined="NaN")),
            (
                SDK,
                29,
            ),
        )
    if name == "NaN inferer value":
        return (
            reputer,
            reputer_payload_msg(
                reputer, losses(reputer.address, inferers=[(setup.workers[0].address, "NaN")])
            ),
            (SDK, 29),
        )
    if name == "infinite value":
        return (
            reputer,
            reputer_payload_msg(reputer, losses(reputer.address, naive="-Infinity")),
            (SDK, 2),
        )
    if name == "bad worker address":
        return (
            reputer,
            reputer_payload_msg(reputer, losses(reputer.address, inferers=[("allo1bad", "1")])),
            (SDK, 7),
        )
    if name == "empty one-out list":
        return (
            reputer,
            reputer_payload_msg(
                reputer,
                losses(
                    reputer.address, one_out_inferer_forecasters=[(setup.workers[0].address, [])]
                ),
            ),
            (SDK, 29),
        )
    if name == "oversized payload":
        bundle = losses(reputer.address)
        bundle.extra_data = b"y" * 3000
        return reputer, reputer_payload_msg(reputer, bundle), (EMISSIONS, 53)
    if name == "insufficient balance for the fee":
        return (
            setup.poor,
            reputer_payload_msg(reputer, losses(reputer.address), sender=setup.poor.address),
            (SDK, 5),
        )
    raise AssertionError(name)


REPUTER_CASES = (
    "wrong topic",
    "worker nonce still open",
    "nonce never opened",
    "unregistered reputer",
    "stake below the minimum",
    "forged signature",
    "high-s signature",
    "public key of another account",
    "missing value bundle",
    "missing reputer nonce (C15)",
    "NaN combined value",
    "NaN inferer value",
    "infinite value",
    "bad worker address",
    "empty one-out list",
    "oversized payload",
    "insufficient balance for the fee",
)


@pytest.mark.parametrize("name", REPUTER_CASES)
def test_reputer_payload_rejections(name: str) -> None:
    setup = build(max_serialized_msg_length=2000)
    signer, message, expected = reputer_case(setup, name)
    assert_rejected(setup, signer, message, expected)


def test_reputer_payload_before_its_window_gets_68() -> None:
    setup = build(until=11)
    reputer = setup.reputers[0]
    assert_rejected(
        setup, reputer, reputer_payload_msg(reputer, losses(reputer.address)), (EMISSIONS, 68)
    )


def test_second_reputer_bundle_is_refused() -> None:
    setup = build()
    reputer = setup.reputers[0]
    assert (
        setup.chain.run_tx(reputer, reputer_payload_msg(reputer, losses(reputer.address))).code == 0
    )
    assert_rejected(
        setup,
        reputer,
        reputer_payload_msg(reputer, losses(reputer.address, combined="-2")),
        (UNDEFINED, 1),
    )


def test_reputer_signature_binds_the_value_bundle() -> None:
    """A signature over other bytes than the canonical value bundle is refused (18); the same
    bundle signed properly is accepted."""
    setup = build()
    reputer = setup.reputers[0]
    bundle = losses(reputer.address)
    assert reputer.sign(encode_value_bundle(bundle))
    wrong = reputer_payload_msg(reputer, losses(reputer.address, combined="-1.5"))
    wrong.reputer_value_bundle.value_bundle.CopyFrom(bundle)
    assert_rejected(setup, reputer, wrong, (SDK, 18))
    assert setup.chain.run_tx(reputer, reputer_payload_msg(reputer, bundle)).code == 0
