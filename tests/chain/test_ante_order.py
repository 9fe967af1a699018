"""Item 5: the checks run in the issue's order, so with two faults the earlier check's code wins.

Order (``pyallora.chain.app`` module docstring): decodes (2); size limit (21); messages known
and ``validate_basic`` (2 / the message's code); signer matches (8, 9); signature valid and
low-s (4); account number and sequence (4 for the number, whose signature cannot verify; 32
for the sequence); fee ≥ minimum gas price × gas wanted (13, mempool only).

Each adjacent pair is a tx with both faults; the single-fault txs show that each fault alone
has its own code, so each pair really pins which check comes first.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cosmpy.protos.cosmos.tx.v1beta1 import tx_pb2
from foundation_helpers import CHAIN_ID, make_funded_app, make_key, make_send, run_block

from pyallora.chain.params import AuthParams
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx

MAX_TX_BYTES = AuthParams().max_tx_bytes
MIN_GAS_PRICE = 2
GAS = 200_000
ENOUGH_FEE = MIN_GAS_PRICE * GAS

Build = Callable[[list[PrivateKey]], bytes]


def _send(keys: list[PrivateKey], **kwargs: object) -> bytes:
    fields: dict[str, object] = {"sequence": 0, "account_number": 0, "fee": ENOUGH_FEE}
    fields.update(kwargs)
    return make_send(keys[0], keys[1].address, 5, gas=GAS, **fields)  # type: ignore[arg-type]


def _zero_signature(raw: bytes) -> bytes:
    tx = tx_pb2.TxRaw.FromString(raw)
    tx.signatures[0] = bytes(64)
    return tx.SerializeToString()


def _undecodable_of(size: int) -> bytes:
    """``size`` bytes that are not a ``TxRaw``."""
    return b"\xff" * size


def _oversized_send(keys: list[PrivateKey]) -> bytes:
    """A correct send padded past the size limit with an invalid recipient."""
    return make_send(
        keys[0],
        "allo1" + "x" * (MAX_TX_BYTES + 10),
        5,
        sequence=0,
        account_number=0,
        fee=ENOUGH_FEE,
        gas=GAS,
    )


def _oversized_unknown_message(keys: list[PrivateKey]) -> bytes:
    return build_tx(
        [tx_pb2.TxRaw(body_bytes=b"x" * (MAX_TX_BYTES + 10))],
        private_key=keys[0],
        chain_id=CHAIN_ID,
        account_number=0,
        sequence=0,
        fee_amount=ENOUGH_FEE,
        gas_limit=GAS,
    )


# (id, builder, expected (codespace, code))
SINGLE: list[tuple[str, Build, int]] = [
    ("undecodable", lambda keys: b"\x0a\x05garbage-not-a-tx", 2),
    ("oversized", _oversized_send, 21),
    (
        "unknown message",
        lambda keys: build_tx(
            [tx_pb2.TxRaw()],
            private_key=keys[0],
            chain_id=CHAIN_ID,
            account_number=0,
            sequence=0,
            fee_amount=ENOUGH_FEE,
            gas_limit=GAS,
        ),
        2,
    ),
    (
        "invalid message",
        lambda keys: make_send(
            keys[0], keys[1].address, 0, sequence=0, account_number=0, fee=ENOUGH_FEE
        ),
        10,
    ),
    ("signer mismatch", lambda keys: _send(keys, from_address=keys[2].address), 8),
    (
        "unknown account",
        lambda keys: make_send(
            make_key(77), keys[1].address, 5, sequence=0, account_number=0, fee=ENOUGH_FEE
        ),
        9,
    ),
    ("bad signature", lambda keys: _zero_signature(_send(keys)), 4),
    ("wrong account number", lambda keys: _send(keys, account_number=2), 4),
    ("wrong sequence", lambda keys: _send(keys, sequence=5), 32),
    ("fee below the minimum", lambda keys: _send(keys, fee=ENOUGH_FEE - 1), 13),
]

# Two faults: the earlier check of each adjacent pair decides.
PAIRS: list[tuple[str, Build, int]] = [
    ("decode before size", lambda keys: _undecodable_of(MAX_TX_BYTES + 100), 2),
    ("size before messages", _oversized_unknown_message, 21),
    (
        "messages before signer",
        lambda keys: make_send(
            keys[0],
            keys[1].address,
            0,
            sequence=0,
            account_number=0,
            fee=ENOUGH_FEE,
            from_address=keys[2].address,
        ),
        10,
    ),
    (
        "signer before signature",
        lambda keys: _zero_signature(_send(keys, from_address=keys[2].address)),
        8,
    ),
    (
        "unknown account before signature",
        lambda keys: _zero_signature(
            make_send(make_key(77), keys[1].address, 5, sequence=0, account_number=0)
        ),
        9,
    ),
    ("signature before sequence", lambda keys: _zero_signature(_send(keys, sequence=5)), 4),
    ("account number before sequence", lambda keys: _send(keys, account_number=2, sequence=5), 4),
    ("sequence before fee", lambda keys: _send(keys, sequence=5, fee=ENOUGH_FEE - 1), 32),
]


def _ids(cases: list[tuple[str, Build, int]]) -> list[str]:
    return [case[0] for case in cases]


@pytest.mark.parametrize(("name", "build", "code"), SINGLE, ids=_ids(SINGLE))
def test_each_fault_alone_has_its_code(name: str, build: Build, code: int) -> None:
    app, keys = make_funded_app(3, min_gas_price=MIN_GAS_PRICE)
    result = app.check_tx(build(keys))
    assert (result.codespace, result.code) == ("sdk", code), result.log


@pytest.mark.parametrize(("name", "build", "code"), PAIRS, ids=_ids(PAIRS))
def test_with_two_faults_the_earlier_check_wins(name: str, build: Build, code: int) -> None:
    app, keys = make_funded_app(3, min_gas_price=MIN_GAS_PRICE)
    raw = build(keys)
    checked = app.check_tx(raw)
    assert (checked.codespace, checked.code) == ("sdk", code), checked.log
    # Block execution applies the same order (the minimum fee is a mempool policy only).
    if name != "sequence before fee":
        (delivered,) = run_block(app, [raw]).tx_results
        assert (delivered.codespace, delivered.code) == ("sdk", code), delivered.log


def test_a_block_does_not_apply_the_minimum_fee_so_the_sequence_alone_decides() -> None:
    app, keys = make_funded_app(3, min_gas_price=MIN_GAS_PRICE)
    (result,) = run_block(app, [_send(keys, sequence=5, fee=1)]).tx_results
    assert (result.codespace, result.code) == ("sdk", 32)
    (cheap,) = run_block(app, [_send(keys, fee=1)]).tx_results
    assert cheap.code == 0


def test_process_proposal_refuses_an_oversized_or_undecodable_tx() -> None:
    from pyallora.chain.abci_types import ProcessProposalRequest

    app, keys = make_funded_app(2)
    ok = ProcessProposalRequest(txs=(_send(keys, fee=0),), height=2, time_ns=0)
    assert app.process_proposal(ok)
    for raw in (_oversized_send(keys), _undecodable_of(64)):
        assert not app.process_proposal(ProcessProposalRequest(txs=(raw,), height=2, time_ns=0))
