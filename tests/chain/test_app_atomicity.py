"""Item 6: a tx is all-or-nothing across its messages, but a delivered tx's fee and sequence
stay used (PROTOCOL.md §1.5 item 4).

The tx sends twice: the first send succeeds, the second asks for more than the sender holds
(``InsufficientFunds`` 5, raised by the handler, after ``validate_basic`` passed). In a block,
the first send is undone, the fee stays with ``fee_collector`` and the sequence advances; in the
mempool nothing at all happens.
"""

from __future__ import annotations

from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from foundation_helpers import CHAIN_ID, FUNDS, dump_state, make_funded_app, make_send, run_block

from pyallora.chain.auth.state import FEE_COLLECTOR, get_account, get_module_address
from pyallora.chain.bank.state import get_balance, get_supply, validate_supply_invariant
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx

FEE = 1_234


def _send(key: PrivateKey, to: str, amount: int) -> bank_tx.MsgSend:
    return bank_tx.MsgSend(
        from_address=key.address,
        to_address=to,
        amount=[coin_pb2.Coin(denom="uallo", amount=str(amount))],
    )


def _two_sends(keys: list[PrivateKey], *, sequence: int = 0) -> bytes:
    return build_tx(
        [_send(keys[0], keys[1].address, 5), _send(keys[0], keys[2].address, FUNDS * 10)],
        private_key=keys[0],
        chain_id=CHAIN_ID,
        account_number=0,
        sequence=sequence,
        fee_amount=FEE,
        gas_limit=400_000,
    )


def test_second_message_fails_first_is_undone_fee_kept_sequence_advanced() -> None:
    app, keys = make_funded_app(3)
    store = app.committed_store
    supply = get_supply(store)
    (result,) = run_block(app, [_two_sends(keys)]).tx_results
    assert (result.codespace, result.code) == ("sdk", 5), result.log
    assert result.gas_used > 0
    # The first send was undone: the recipient has nothing more; only the fee left.
    assert get_balance(store, keys[1].address) == FUNDS
    assert get_balance(store, keys[2].address) == FUNDS
    assert get_balance(store, keys[0].address) == FUNDS - FEE
    assert get_balance(store, get_module_address(FEE_COLLECTOR)) == FEE
    account = get_account(store, keys[0].address)
    assert account is not None and account.sequence == 1
    assert get_supply(store) == supply
    validate_supply_invariant(store)
    # Only the ante's events survive (the fee's transfer, fee, sequence, signature): no
    # "message" event and no transfer of either send.
    assert all(event.type != "message" for event in result.events)
    transfers = [dict(event.attributes) for event in result.events if event.type == "transfer"]
    fee_collector = get_module_address(FEE_COLLECTOR)
    assert [(t["recipient"], t["amount"]) for t in transfers] == [(fee_collector, f"{FEE}uallo")]
    assert ("acc_seq", f"{keys[0].address}/0") in [
        pair for event in result.events if event.type == "tx" for pair in event.attributes
    ]
    # The sequence is used: the same tx again is a replay, and sequence 1 works.
    (replay,) = run_block(app, [_two_sends(keys)]).tx_results
    assert replay.code == 32
    ok = make_send(keys[0], keys[1].address, 5, sequence=1, account_number=0)
    (sent,) = run_block(app, [ok]).tx_results
    assert sent.code == 0
    assert get_balance(store, keys[1].address) == FUNDS + 5


def test_in_the_mempool_the_failed_tx_leaves_nothing() -> None:
    app, keys = make_funded_app(3)
    before = dump_state(app.committed_store)
    checked = app.check_tx(_two_sends(keys))
    assert (checked.codespace, checked.code) == ("sdk", 5)
    # Neither the fee nor the sequence was taken in the check state: sequence 0 still works.
    assert (
        app.check_tx(make_send(keys[0], keys[1].address, 5, sequence=0, account_number=0)).code == 0
    )
    assert dump_state(app.committed_store) == before


def test_both_messages_succeeding_apply_both() -> None:
    app, keys = make_funded_app(3)
    raw = build_tx(
        [_send(keys[0], keys[1].address, 5), _send(keys[0], keys[2].address, 7)],
        private_key=keys[0],
        chain_id=CHAIN_ID,
        account_number=0,
        sequence=0,
        fee_amount=FEE,
        gas_limit=400_000,
    )
    (result,) = run_block(app, [raw]).tx_results
    assert result.code == 0, result.log
    store = app.committed_store
    assert get_balance(store, keys[1].address) == FUNDS + 5
    assert get_balance(store, keys[2].address) == FUNDS + 7
    assert get_balance(store, keys[0].address) == FUNDS - 12 - FEE
