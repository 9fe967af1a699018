"""Bank: MsgSend, module accounts, mint/burn, supply invariant, bank and auth queries."""

from __future__ import annotations

import json

import pytest
from cosmpy.protos.cosmos.auth.v1beta1 import auth_pb2
from cosmpy.protos.cosmos.auth.v1beta1 import query_pb2 as auth_query
from cosmpy.protos.cosmos.bank.v1beta1 import query_pb2 as bank_query
from cosmpy.protos.cosmos.base.abci.v1beta1 import abci_pb2
from cosmpy.protos.cosmos.crypto.secp256k1 import keys_pb2
from foundation_helpers import (
    CHAIN_ID,
    FUNDS,
    dump_state,
    make_funded_app,
    make_key,
    make_send,
    run_block,
)

from pyallora.chain.abci_types import QueryRequest
from pyallora.chain.auth.state import (
    ACCOUNTS,
    BLOCKED_ADDRESSES,
    MODULE_ADDRESSES,
    compute_module_address,
    get_account,
)
from pyallora.chain.bank.state import (
    BALANCES,
    InvariantError,
    burn_coins,
    get_balance,
    get_supply,
    mint_coins,
    send_coins_from_module_to_account,
    set_balance,
    validate_supply_invariant,
)
from pyallora.chain.context import BlockContext, Context, ExecMode
from pyallora.chain.store.kv import Branch
from pyallora.chain.tx.errors import InvalidCoinsError, UnauthorizedError
from pyallora.core.amounts import MAX_SUPPLY
from pyallora.core.crypto import sha256


def _query(app, path: str, request) -> bytes:  # type: ignore[no-untyped-def]
    result = app.query(QueryRequest(path=path, data=request.SerializeToString()))
    assert result.code == 0, result.log
    return result.value


def _balance(app, address: str) -> int:  # type: ignore[no-untyped-def]
    value = _query(
        app,
        "/cosmos.bank.v1beta1.Query/Balance",
        bank_query.QueryBalanceRequest(address=address, denom="uallo"),
    )
    return int(bank_query.QueryBalanceResponse.FromString(value).balance.amount)


def test_check_tx_answers_like_the_sdk_and_the_block_result_carries_the_rest() -> None:
    app, keys = make_funded_app(2)
    tx = make_send(keys[0], keys[1].address, 5, sequence=0, account_number=0, fee=3)
    checked = app.check_tx(tx)
    assert checked.code == 0, checked.log
    assert (checked.events, checked.data) == ((), b"")  # as the Cosmos SDK's CheckTx
    assert 0 < checked.gas_used <= checked.gas_wanted == 200_000
    assert app.check_tx(tx, recheck=True).code != 0  # the check state kept its sequence
    result = run_block(app, [tx]).tx_results[0]
    assert result.code == 0 and result.gas_used == checked.gas_used
    assert {event.type for event in result.events} >= {"message", "transfer"}
    assert abci_pb2.TxMsgData.FromString(result.data).msg_responses
    refused = app.check_tx(tx)  # replayed: refused with its code, still without events
    assert refused.code != 0 and refused.events == ()


def test_send_moves_funds_pays_fee_and_creates_the_recipient() -> None:
    app, keys = make_funded_app(2)
    newcomer = make_key(50).address
    tx = make_send(keys[0], newcomer, 1234, sequence=0, account_number=0, fee=77)
    result = run_block(app, [tx]).tx_results[0]
    assert result.code == 0, result.log
    assert 0 < result.gas_used <= result.gas_wanted == 200_000
    data = abci_pb2.TxMsgData.FromString(result.data)
    assert [any_.type_url for any_ in data.msg_responses] == [
        "/cosmos.bank.v1beta1.MsgSendResponse"
    ]
    assert _balance(app, keys[0].address) == FUNDS - 1234 - 77
    assert _balance(app, newcomer) == 1234
    assert _balance(app, MODULE_ADDRESSES["fee_collector"]) == 77
    account = get_account(app.committed_store, newcomer)
    assert account is not None
    # 2 genesis users, then 10 module accounts: the newcomer gets number 12.
    assert account.account_number == 12
    assert account.sequence == 0 and account.public_key == b""
    sender = get_account(app.committed_store, keys[0].address)
    assert sender is not None and sender.sequence == 1 and sender.public_key == keys[0].public_key
    validate_supply_invariant(app.committed_store)
    types = [event.type for event in result.events]
    assert types.count("transfer") == 2  # fee, then the send
    assert ("action", "/cosmos.bank.v1beta1.MsgSend") in next(
        e.attributes for e in result.events if e.type == "message"
    )


def test_send_to_ecosystem_is_allowed_but_other_module_accounts_are_blocked() -> None:
    app, keys = make_funded_app(1)
    ecosystem = MODULE_ADDRESSES["ecosystem"]
    assert ecosystem not in BLOCKED_ADDRESSES
    ok = make_send(keys[0], ecosystem, 10, sequence=0, account_number=0)
    assert run_block(app, [ok]).tx_results[0].code == 0
    assert _balance(app, ecosystem) == 10
    for name in ("allorarewards", "allorastaking", "fee_collector", "mint", "bonded_tokens_pool"):
        blocked = make_send(keys[0], MODULE_ADDRESSES[name], 10, sequence=1, account_number=0)
        checked = app.check_tx(blocked)
        assert (checked.codespace, checked.code) == ("sdk", 4)
        assert "is not allowed to receive funds" in checked.log


def _state_without(app, address: str) -> list[tuple[bytes, bytes]]:  # type: ignore[no-untyped-def]
    skip = ACCOUNTS.encode_key(address)
    return [pair for pair in dump_state(app.committed_store) if pair[0] != skip]


@pytest.mark.parametrize(
    ("target", "amount", "code"),
    [("blocked", 10, 4), ("peer", FUNDS + 1, 5)],
    ids=["blocked recipient", "insufficient funds"],
)
def test_failed_message_keeps_only_sequence_and_fee(target: str, amount: int, code: int) -> None:
    app, keys = make_funded_app(2)
    to = MODULE_ADDRESSES["allorastaking"] if target == "blocked" else keys[1].address
    tx = make_send(keys[0], to, amount, sequence=0, account_number=0, fee=0)
    checked = app.check_tx(tx)
    assert (checked.codespace, checked.code) == ("sdk", code)
    before = _state_without(app, keys[0].address)
    result = run_block(app, [tx]).tx_results[0]
    assert (result.codespace, result.code) == ("sdk", code)
    assert not [e for e in result.events if e.type == "message"]
    # Nothing but the signer's account record changed (its sequence went up).
    assert _state_without(app, keys[0].address) == before
    account = get_account(app.committed_store, keys[0].address)
    assert account is not None and account.sequence == 1


def test_fee_is_kept_when_the_message_fails() -> None:
    app, keys = make_funded_app(2)
    tx = make_send(keys[0], keys[1].address, FUNDS, sequence=0, account_number=0, fee=5)
    result = run_block(app, [tx]).tx_results[0]
    assert result.code == 5
    assert _balance(app, keys[0].address) == FUNDS - 5
    assert _balance(app, MODULE_ADDRESSES["fee_collector"]) == 5
    validate_supply_invariant(app.committed_store)


def test_out_of_gas_in_the_message_keeps_the_fee() -> None:
    app, keys = make_funded_app(2)
    probe = make_send(keys[0], keys[1].address, 1, sequence=0, account_number=0, fee=3)
    needed = app.check_tx(probe).gas_used
    tight = make_send(
        keys[0], keys[1].address, 1, sequence=0, account_number=0, fee=3, gas=needed - 1
    )
    result = run_block(app, [tight]).tx_results[0]
    assert (result.codespace, result.code) == ("sdk", 11)
    assert result.gas_used == result.gas_wanted == needed - 1
    assert _balance(app, keys[1].address) == FUNDS
    assert _balance(app, keys[0].address) == FUNDS - 3
    exact = make_send(keys[0], keys[1].address, 1, sequence=1, account_number=0, gas=needed)
    assert run_block(app, [exact]).tx_results[0].code == 0


def test_gas_is_deterministic_across_apps() -> None:
    first, keys = make_funded_app(2)
    second, _ = make_funded_app(2)
    txs = [
        make_send(keys[0], keys[1].address, 9, sequence=seq, account_number=0) for seq in range(3)
    ]
    one = run_block(first, txs)
    two = run_block(second, txs)
    assert [r.gas_used for r in one.tx_results] == [r.gas_used for r in two.tx_results]
    assert one.app_hash == two.app_hash


def test_module_address_derivation() -> None:
    assert compute_module_address("fee_collector").startswith(
        "allo17xpfvakm2amg962yls6f84z3kell8c5l"
    )
    for name, address in MODULE_ADDRESSES.items():
        assert address == compute_module_address(name)
    from pyallora.core.crypto import decode_address

    assert decode_address(MODULE_ADDRESSES["ecosystem"]) == sha256(b"ecosystem")[:20]


def _ctx() -> Context:
    return Context(
        block=BlockContext(height=1, time_ns=0, chain_id=CHAIN_ID), mode=ExecMode.GENESIS
    )


def test_mint_and_burn_permissions_and_max_supply() -> None:
    app, keys = make_funded_app(1)
    state = Branch(app.committed_store)
    ctx = _ctx()
    supply = get_supply(state)
    mint_coins(ctx, state, "mint", 500)
    assert get_supply(state) == supply + 500
    assert get_balance(state, MODULE_ADDRESSES["mint"]) == 500
    with pytest.raises(UnauthorizedError):
        mint_coins(ctx, state, "ecosystem", 1)
    with pytest.raises(UnauthorizedError):
        burn_coins(ctx, state, "mint", 1)
    with pytest.raises(InvalidCoinsError):
        mint_coins(ctx, state, "mint", MAX_SUPPLY - get_supply(state) + 1)
    mint_coins(ctx, state, "mint", MAX_SUPPLY - get_supply(state))
    assert get_supply(state) == MAX_SUPPLY
    validate_supply_invariant(state)
    send_coins_from_module_to_account(ctx, state, "mint", keys[0].address, 100)
    with pytest.raises(UnauthorizedError):
        send_coins_from_module_to_account(ctx, state, "mint", MODULE_ADDRESSES["allorarewards"], 1)
    assert [e.type for e in ctx.events.events].count("coinbase") == 2


def test_supply_invariant_detects_drift() -> None:
    app, keys = make_funded_app(1)
    state = Branch(app.committed_store)
    validate_supply_invariant(state)
    set_balance(state, keys[0].address, FUNDS + 1)
    with pytest.raises(InvariantError):
        validate_supply_invariant(state)
    BALANCES.set(state, keys[0].address, 0)
    with pytest.raises(InvariantError):
        validate_supply_invariant(state)


def test_invariant_holds_after_every_block_of_random_sends() -> None:
    import random

    rnd = random.Random(7)
    app, keys = make_funded_app(4)
    sequences = [0, 0, 0, 0]
    for _ in range(5):
        txs = []
        for _ in range(6):
            sender = rnd.randrange(4)
            recipient = rnd.choice([*(k.address for k in keys), MODULE_ADDRESSES["ecosystem"]])
            amount = rnd.choice([1, 10**18, FUNDS // 3, FUNDS * 2])
            txs.append(
                make_send(
                    keys[sender],
                    recipient,
                    amount,
                    sequence=sequences[sender],
                    account_number=sender,
                    fee=rnd.choice([0, 7]),
                )
            )
            sequences[sender] += 1
        run_block(app, txs)
        validate_supply_invariant(app.committed_store)
        assert get_supply(app.committed_store) == 4 * FUNDS


def test_bank_queries_protobuf_and_json() -> None:
    app, keys = make_funded_app(2)
    value = _query(
        app,
        "/cosmos.bank.v1beta1.Query/AllBalances",
        bank_query.QueryAllBalancesRequest(address=keys[0].address),
    )
    balances = bank_query.QueryAllBalancesResponse.FromString(value).balances
    assert [(c.denom, c.amount) for c in balances] == [("uallo", str(FUNDS))]
    empty = _query(
        app,
        "/cosmos.bank.v1beta1.Query/AllBalances",
        bank_query.QueryAllBalancesRequest(address=make_key(40).address),
    )
    assert list(bank_query.QueryAllBalancesResponse.FromString(empty).balances) == []
    supply = bank_query.QueryTotalSupplyResponse.FromString(
        _query(app, "/cosmos.bank.v1beta1.Query/TotalSupply", bank_query.QueryTotalSupplyRequest())
    )
    assert [(c.denom, c.amount) for c in supply.supply] == [("uallo", str(2 * FUNDS))]
    other_denom = bank_query.QueryBalanceResponse.FromString(
        _query(
            app,
            "/cosmos.bank.v1beta1.Query/Balance",
            bank_query.QueryBalanceRequest(address=keys[0].address, denom="uatom"),
        )
    )
    assert (other_denom.balance.denom, other_denom.balance.amount) == ("uatom", "0")
    as_json = app.query(
        QueryRequest(
            path="/json/cosmos.bank.v1beta1.Query/Balance",
            data=json.dumps({"address": keys[1].address, "denom": "uallo"}).encode(),
        )
    )
    assert json.loads(as_json.value) == {"balance": {"denom": "uallo", "amount": str(FUNDS)}}
    assert as_json.height == app.last_height


@pytest.mark.parametrize(
    ("path", "data", "code"),
    [
        ("/cosmos.bank.v1beta1.Query/Nope", b"", 6),
        ("/nothing", b"", 6),
        ("/cosmos.bank.v1beta1.Query/Balance", b"\xff\xff", 18),
        ("/json/cosmos.bank.v1beta1.Query/Balance", b"{not json", 18),
        ("/json/cosmos.bank.v1beta1.Query/Balance", b'{"address":"allo1xyz","denom":"uallo"}', 18),
        ("/json/cosmos.bank.v1beta1.Query/Balance", b'{"address":"","denom":"uallo"}', 18),
        ("/json/cosmos.auth.v1beta1.Query/Account", b'{"address":"allo1"}', 18),
    ],
)
def test_query_errors(path: str, data: bytes, code: int) -> None:
    app, _ = make_funded_app(1)
    result = app.query(QueryRequest(path=path, data=data))
    assert (result.codespace, result.code) == ("sdk", code), result.log


def test_query_at_another_height_is_refused() -> None:
    app, keys = make_funded_app(1)
    result = app.query(
        QueryRequest(path="/cosmos.bank.v1beta1.Query/TotalSupply", height=app.last_height + 5)
    )
    assert result.code == 18


def test_queries_read_committed_state_only() -> None:
    app, keys = make_funded_app(2)
    tx = make_send(keys[0], keys[1].address, 5, sequence=0, account_number=0)
    assert app.check_tx(tx).code == 0
    from pyallora.chain.abci_types import FinalizeBlockRequest

    app.finalize_block(FinalizeBlockRequest(height=app.last_height + 1, time_ns=5, txs=(tx,)))
    assert _balance(app, keys[1].address) == FUNDS  # finalized, not committed
    app.commit()
    assert _balance(app, keys[1].address) == FUNDS + 5


def test_auth_queries() -> None:
    app, keys = make_funded_app(2)
    run_block(app, [make_send(keys[0], keys[1].address, 1, sequence=0, account_number=0)])
    account_any = auth_query.QueryAccountResponse.FromString(
        _query(
            app,
            "/cosmos.auth.v1beta1.Query/Account",
            auth_query.QueryAccountRequest(address=keys[0].address),
        )
    ).account
    assert account_any.type_url == "/cosmos.auth.v1beta1.BaseAccount"
    base = auth_pb2.BaseAccount.FromString(account_any.value)
    assert (base.address, base.account_number, base.sequence) == (keys[0].address, 0, 1)
    assert base.pub_key.type_url == "/cosmos.crypto.secp256k1.PubKey"
    assert keys_pb2.PubKey.FromString(base.pub_key.value).key == keys[0].public_key
    info = auth_query.QueryAccountInfoResponse.FromString(
        _query(
            app,
            "/cosmos.auth.v1beta1.Query/AccountInfo",
            auth_query.QueryAccountInfoRequest(address=keys[1].address),
        )
    ).info
    assert (info.account_number, info.sequence) == (1, 0)
    module = auth_query.QueryModuleAccountByNameResponse.FromString(
        _query(
            app,
            "/cosmos.auth.v1beta1.Query/ModuleAccountByName",
            auth_query.QueryModuleAccountByNameRequest(name="mint"),
        )
    ).account
    assert module.type_url == "/cosmos.auth.v1beta1.ModuleAccount"
    assert list(auth_pb2.ModuleAccount.FromString(module.value).permissions) == ["minter"]
    missing = app.query(
        QueryRequest(
            path="/cosmos.auth.v1beta1.Query/Account",
            data=auth_query.QueryAccountRequest(address=make_key(77).address).SerializeToString(),
        )
    )
    assert (missing.codespace, missing.code) == ("sdk", 22)
    params = auth_query.QueryParamsResponse.FromString(
        _query(app, "/cosmos.auth.v1beta1.Query/Params", auth_query.QueryParamsRequest())
    ).params
    assert params.max_memo_characters == 256
