"""Genesis: export at any height, import reproduces the app hash; validation of sections."""

from __future__ import annotations

import json

import pytest
from foundation_helpers import (
    CHAIN_ID,
    FUNDS,
    dump_state,
    make_funded_app,
    make_key,
    make_send,
    run_block,
)

from pyallora.chain.abci_types import InitChainRequest
from pyallora.chain.app import App, compute_default_modules
from pyallora.chain.auth.state import MODULE_ADDRESSES, get_account
from pyallora.chain.bank.state import validate_supply_invariant
from pyallora.chain.genesis import (
    GenesisDoc,
    GenesisValidator,
    build_genesis,
    encode_app_state,
    parse_app_state,
)
from pyallora.chain.module import GenesisError
from pyallora.storage import MemoryCommittedStore


def _import(app_state: dict[str, object], *, initial_height: int = 1) -> tuple[App, bytes]:
    app = App(MemoryCommittedStore())
    result = app.init_chain(
        InitChainRequest(
            chain_id=CHAIN_ID,
            time_ns=0,
            initial_height=initial_height,
            app_state_bytes=encode_app_state(app_state),
        )
    )
    return app, result.app_hash


@pytest.mark.parametrize("blocks", [0, 1, 4])
def test_export_then_import_reproduces_the_app_hash(blocks: int) -> None:
    app, keys = make_funded_app(3)
    newcomer = make_key(30).address
    for height in range(blocks):
        txs = [
            make_send(keys[0], newcomer, 10 + height, sequence=height, account_number=0, fee=2),
            make_send(keys[1], MODULE_ADDRESSES["ecosystem"], 5, sequence=height, account_number=1),
        ]
        assert all(r.code == 0 for r in run_block(app, txs).tx_results)
    exported = app.export_genesis()
    imported, genesis_hash = _import(exported, initial_height=app.last_height + 1)
    assert genesis_hash == app.info().last_block_app_hash
    # The imported chain continues: its first block (empty) commits the same state.
    block = run_block(imported, [])
    assert block.app_hash == genesis_hash
    assert dump_state(imported.committed_store) == dump_state(app.committed_store)
    assert imported.last_height == app.last_height + 1
    # Exporting the import gives the same document.
    assert imported.export_genesis() == exported
    # And the accounts keep their numbers and sequences: old txs stay replay-protected.
    stale = make_send(keys[0], newcomer, 1, sequence=0, account_number=0)
    expected = 0 if blocks == 0 else 32
    assert imported.check_tx(stale).code == expected


def test_exported_json_survives_a_text_roundtrip() -> None:
    app, _ = make_funded_app(2)
    text = json.dumps(app.export_genesis(), indent=2)
    _, genesis_hash = _import(json.loads(text), initial_height=2)
    assert genesis_hash == app.info().last_block_app_hash


def test_fresh_genesis_numbers_users_first_then_module_accounts() -> None:
    app, keys = make_funded_app(2)
    store = app.committed_store
    assert [get_account(store, k.address).account_number for k in keys] == [0, 1]  # type: ignore[union-attr]
    numbers = sorted(get_account(store, a).account_number for a in MODULE_ADDRESSES.values())  # type: ignore[union-attr]
    assert numbers == list(range(2, 12))
    validate_supply_invariant(store)


def test_genesis_doc_json_roundtrip_and_validation() -> None:
    doc = build_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=123,
        modules=compute_default_modules(),
        balances=[(make_key(0).address, 9)],
        validators=[GenesisValidator(pub_key=b"\x07" * 32, power=10, name="v0")],
    )
    again = GenesisDoc.from_bytes(doc.to_bytes())
    assert again == doc
    request = again.to_init_chain_request()
    assert request.validators[0].power == 10
    assert parse_app_state(request.app_state_bytes) == doc.app_state
    with pytest.raises(GenesisError):
        GenesisDoc.from_bytes(b'{"chain_id": "x"}')
    with pytest.raises(GenesisError):
        GenesisDoc.from_bytes(b'{"chain_id": "", "genesis_time_ns": "0"}')
    with pytest.raises(GenesisError):
        GenesisDoc.from_bytes(b'{"chain_id": "x", "genesis_time_ns": 1.5}')
    with pytest.raises(GenesisError):
        GenesisDoc.from_bytes(b'{"chain_id": "x", "genesis_time_ns": "0", "initial_height": "0"}')
    assert parse_app_state(b"") == {}


def _bank(*balances: tuple[str, str], supply: str | None = None) -> dict[str, object]:
    section: dict[str, object] = {
        "balances": [
            {"address": address, "coins": [{"denom": "uallo", "amount": amount}]}
            for address, amount in balances
        ]
    }
    if supply is not None:
        section["supply"] = [{"denom": "uallo", "amount": supply}]
    return section


A = make_key(0).address
B = make_key(1).address


@pytest.mark.parametrize(
    "app_state",
    [
        {"bank": _bank((A, "5"), (A, "6"))},
        {"bank": _bank((A, "5"), supply="6")},
        {"bank": _bank((A, "0"))},
        {"bank": _bank((A, "-1"))},
        {"bank": _bank(("allo1bad", "5"))},
        {"bank": _bank((A, str(10**27)), (B, "1"))},
        {"bank": {"balances": [{"address": A, "coins": [{"denom": "uatom", "amount": "1"}]}]}},
        {"auth": {"accounts": [{"address": A}, {"address": A}]}},
        {
            "auth": {
                "accounts": [
                    {"address": A, "account_number": "3"},
                    {"address": B, "account_number": "3"},
                ]
            }
        },
        {"auth": {"accounts": [{"address": MODULE_ADDRESSES["mint"]}]}},
        {"auth": {"accounts": [{"address": A, "module_name": "mint"}]}},
        {"auth": {"accounts": [{"address": A, "pub_key": "AAAA"}]}},
        {"auth": {"accounts": [{"address": A, "colour": "red"}]}},
        {"auth": {"accounts": [{"address": A, "account_number": "7"}], "next_account_number": "3"}},
        {"auth": {"params": {"max_memo_characters": "0"}}},
        {"auth": {"params": {"unknown": "1"}}},
    ],
)
def test_invalid_sections_are_refused(app_state: dict[str, object]) -> None:
    with pytest.raises(GenesisError):
        _import(app_state)


def test_supply_of_exactly_the_maximum_is_accepted() -> None:
    app, _ = _import({"bank": _bank((A, str(10**27 - 1)), (B, "1"), supply=str(10**27))})
    run_block(app, [])
    validate_supply_invariant(app.committed_store)


def test_explicit_numbers_and_keys_are_kept() -> None:
    key = make_key(5)
    import base64

    app_state = {
        "auth": {
            "accounts": [
                {
                    "address": key.address,
                    "account_number": "40",
                    "sequence": "3",
                    "pub_key": base64.b64encode(key.public_key).decode(),
                },
                {"address": A},
            ]
        },
        "bank": _bank((key.address, str(FUNDS))),
    }
    app, _ = _import(app_state)
    run_block(app, [])
    stored = get_account(app.committed_store, key.address)
    assert stored is not None
    assert (stored.account_number, stored.sequence, stored.public_key) == (40, 3, key.public_key)
    assert get_account(app.committed_store, A).account_number == 41  # type: ignore[union-attr]
    tx = make_send(key, A, 1, sequence=3, account_number=40)
    assert app.check_tx(tx).code == 0
