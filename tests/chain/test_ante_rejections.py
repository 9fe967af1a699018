"""Bad input: each rejection has its stable code and leaves the state (app hash) unchanged.

Every case runs twice: through ``check_tx`` (nothing enters the check state) and inside a
block (``finalize_block`` + ``commit``): a tx rejected before its fee is taken changes nothing,
so the block's app hash equals the previous one.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cosmpy.protos.cosmos.tx.v1beta1 import tx_pb2
from foundation_helpers import (
    CHAIN_ID,
    FUNDS,
    dump_state,
    make_funded_app,
    make_key,
    make_send,
    run_block,
)

from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx

Case = Callable[[list[PrivateKey]], bytes]


def _resign(raw: bytes, key: PrivateKey, mutate: Callable[[tx_pb2.TxRaw], None]) -> bytes:
    tx = tx_pb2.TxRaw.FromString(raw)
    mutate(tx)
    return tx.SerializeToString()


def _bad_bech32(keys: list[PrivateKey]) -> bytes:
    good = keys[1].address
    broken = good[:-1] + ("q" if good[-1] != "q" else "p")
    return make_send(keys[0], broken, 5, sequence=0, account_number=0)


# (case id, builder, expected codespace, expected code)
CASES: list[tuple[str, Case, str, int]] = [
    ("malformed protobuf", lambda keys: b"\x0a\x05garbage-not-a-tx", "sdk", 2),
    ("empty tx", lambda keys: b"", "sdk", 2),
    (
        "truncated tx",
        lambda keys: make_send(keys[0], keys[1].address, 5, sequence=0, account_number=0)[:-7],
        "sdk",
        2,
    ),
    (
        "wrong chain id",
        lambda keys: make_send(
            keys[0], keys[1].address, 5, sequence=0, account_number=0, chain_id="other-chain"
        ),
        "sdk",
        4,
    ),
    (
        "wrong account number",
        lambda keys: make_send(keys[0], keys[1].address, 5, sequence=0, account_number=1),
        "sdk",
        4,
    ),
    (
        "wrong sequence",
        lambda keys: make_send(keys[0], keys[1].address, 5, sequence=3, account_number=0),
        "sdk",
        32,
    ),
    ("bad bech32 recipient", _bad_bech32, "sdk", 7),
    (
        "recipient with another prefix",
        lambda keys: make_send(
            keys[0], "cosmos1" + keys[1].address[5:], 5, sequence=0, account_number=0
        ),
        "sdk",
        7,
    ),
    (
        "zero amount",
        lambda keys: make_send(keys[0], keys[1].address, 0, sequence=0, account_number=0),
        "sdk",
        10,
    ),
    (
        "negative amount",
        lambda keys: make_send(keys[0], keys[1].address, "-5", sequence=0, account_number=0),
        "sdk",
        10,
    ),
    (
        "amount beyond 2^256",
        lambda keys: make_send(keys[0], keys[1].address, 2**256, sequence=0, account_number=0),
        "sdk",
        2,
    ),
    (
        "non-numeric amount",
        lambda keys: make_send(keys[0], keys[1].address, "12abc", sequence=0, account_number=0),
        "sdk",
        2,
    ),
    (
        "unknown denomination",
        lambda keys: make_send(
            keys[0], keys[1].address, 5, sequence=0, account_number=0, denom="uatom"
        ),
        "sdk",
        10,
    ),
    (
        "sender is not the signer",
        lambda keys: make_send(
            keys[0],
            keys[1].address,
            5,
            sequence=0,
            account_number=0,
            from_address=keys[2].address,
        ),
        "sdk",
        8,
    ),
    (
        "unknown signer account",
        lambda keys: make_send(make_key(99), keys[1].address, 5, sequence=0, account_number=0),
        "sdk",
        9,
    ),
    (
        "fee above the balance",
        lambda keys: make_send(
            keys[0], keys[1].address, 5, sequence=0, account_number=0, fee=FUNDS + 1
        ),
        "sdk",
        5,
    ),
    (
        "tampered body",
        lambda keys: _resign(
            make_send(keys[0], keys[1].address, 5, sequence=0, account_number=0),
            keys[0],
            lambda tx: setattr(tx, "body_bytes", tx.body_bytes + b"\x12\x01x"),
        ),
        "sdk",
        4,
    ),
    (
        "unknown message type",
        lambda keys: build_tx(
            [tx_pb2.TxRaw()],
            private_key=keys[0],
            chain_id=CHAIN_ID,
            account_number=0,
            sequence=0,
            fee_amount=0,
            gas_limit=100_000,
        ),
        "sdk",
        2,
    ),
    (
        "gas limit below the ante cost",
        lambda keys: make_send(keys[0], keys[1].address, 5, sequence=0, account_number=0, gas=10),
        "sdk",
        11,
    ),
    (
        "memo too long",
        lambda keys: make_send(
            keys[0], keys[1].address, 5, sequence=0, account_number=0, memo="m" * 257
        ),
        "sdk",
        12,
    ),
]


@pytest.mark.parametrize(
    ("builder", "codespace", "code"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_rejection_codes_and_unchanged_state(builder: Case, codespace: str, code: int) -> None:
    app, keys = make_funded_app(3)
    raw = builder(keys)
    checked = app.check_tx(raw)
    assert (checked.codespace, checked.code) == (codespace, code), checked.log
    # The check state was not touched: the valid tx with sequence 0 still passes.
    ok = make_send(keys[0], keys[1].address, 5, sequence=0, account_number=0)
    assert app.check_tx(ok).code == 0

    before_hash = app.info().last_block_app_hash
    before_state = dump_state(app.committed_store)
    result = run_block(app, [raw])
    (tx_result,) = result.tx_results
    assert (tx_result.codespace, tx_result.code) == (codespace, code), tx_result.log
    assert result.app_hash == before_hash
    assert dump_state(app.committed_store) == before_state


def test_replay_of_a_committed_tx_is_refused() -> None:
    app, keys = make_funded_app(2)
    tx = make_send(keys[0], keys[1].address, 5, sequence=0, account_number=0)
    assert run_block(app, [tx]).tx_results[0].code == 0
    before = app.info().last_block_app_hash
    assert app.check_tx(tx).code == 32
    result = run_block(app, [tx])
    assert result.tx_results[0].code == 32
    assert "account sequence mismatch, expected 1, got 0" in result.tx_results[0].log
    assert result.app_hash == before


def test_same_tx_twice_in_a_block_only_first_counts() -> None:
    app, keys = make_funded_app(2)
    tx = make_send(keys[0], keys[1].address, 5, sequence=0, account_number=0)
    codes = [r.code for r in run_block(app, [tx, tx]).tx_results]
    assert codes == [0, 32]


def test_min_gas_price_is_a_mempool_policy_only() -> None:
    app, keys = make_funded_app(2, min_gas_price=2)
    cheap = make_send(keys[0], keys[1].address, 5, sequence=0, account_number=0, fee=1)
    checked = app.check_tx(cheap)
    assert (checked.codespace, checked.code) == ("sdk", 13)
    assert "insufficient fees" in checked.log
    # A block may still carry it: validators do not re-apply their own minimum.
    assert run_block(app, [cheap]).tx_results[0].code == 0
    enough = make_send(keys[0], keys[1].address, 5, sequence=1, account_number=0, fee=400_000)
    assert app.check_tx(enough).code == 0


def test_timeout_height_in_the_past_is_refused() -> None:
    app, keys = make_funded_app(2)
    run_block(app, [])
    from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
    from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2

    msg = bank_tx.MsgSend(
        from_address=keys[0].address,
        to_address=keys[1].address,
        amount=[coin_pb2.Coin(denom="uallo", amount="1")],
    )
    raw = build_tx(
        [msg],
        private_key=keys[0],
        chain_id=CHAIN_ID,
        account_number=0,
        sequence=0,
        fee_amount=0,
        gas_limit=200_000,
        timeout_height=2,
    )
    assert app.check_tx(raw).code == 30


def test_recheck_skips_signature_but_not_sequence() -> None:
    app, keys = make_funded_app(2)
    tx = make_send(keys[0], keys[1].address, 5, sequence=0, account_number=0)
    assert app.check_tx(tx).code == 0
    run_block(app, [tx])
    # After the commit the mempool's copy is stale: recheck drops it by sequence.
    assert app.check_tx(tx, recheck=True).code == 32
    # A recheck does not verify signatures (the SDK's behaviour): a tx with a bad signature
    # but the right sequence passes recheck, and is still refused by a normal check.
    forged = _resign(
        make_send(keys[0], keys[1].address, 5, sequence=1, account_number=0),
        keys[0],
        lambda raw: raw.signatures.__setitem__(0, bytes(64)),
    )
    assert app.check_tx(forged).code == 4
    assert app.check_tx(forged, recheck=True).code == 0
