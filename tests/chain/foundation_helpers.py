"""Helpers shared by the chain foundation tests (keys, genesis, signed sends, blocks)."""

from __future__ import annotations

from collections.abc import Sequence

from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2

from pyallora.chain.abci_types import FinalizeBlockRequest, FinalizeBlockResult
from pyallora.chain.app import App, compute_default_modules
from pyallora.chain.genesis import build_genesis
from pyallora.chain.module import Module
from pyallora.chain.store.committed import CommittedStore
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx
from pyallora.core.crypto import sha256
from pyallora.storage import MemoryCommittedStore

CHAIN_ID = "pyallora-test"
GENESIS_TIME_NS = 1_700_000_000 * 10**9
BLOCK_NS = 10**9
FUNDS = 10**24


def make_key(index: int) -> PrivateKey:
    """A deterministic test key."""
    return PrivateKey(secret=sha256(b"pyallora test key %d" % index))


def make_app(
    balances: Sequence[tuple[str, int]],
    *,
    store: CommittedStore | None = None,
    modules: Sequence[Module] | None = None,
    min_gas_price: int = 0,
    overrides: dict[str, object] | None = None,
    **app_kwargs: object,
) -> App:
    """An app after ``init_chain`` (nothing committed yet)."""
    modules = tuple(modules) if modules is not None else compute_default_modules()
    app = App(
        store if store is not None else MemoryCommittedStore(),
        modules=modules,
        min_gas_price=min_gas_price,
        **app_kwargs,  # type: ignore[arg-type]
    )
    genesis = build_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=GENESIS_TIME_NS,
        modules=modules,
        balances=balances,
        overrides=overrides,  # type: ignore[arg-type]
    )
    app.init_chain(genesis.to_init_chain_request())
    return app


def make_funded_app(count: int = 3, **kwargs: object) -> tuple[App, list[PrivateKey]]:
    """An app whose first ``count`` test keys hold :data:`FUNDS` each (account i = key i),
    with the genesis committed by an empty block 1."""
    keys = [make_key(index) for index in range(count)]
    app = make_app([(key.address, FUNDS) for key in keys], **kwargs)  # type: ignore[arg-type]
    run_block(app, ())
    return app, keys


def make_send(
    key: PrivateKey,
    to_address: str,
    amount: int | str,
    *,
    sequence: int,
    account_number: int,
    fee: int = 0,
    gas: int = 200_000,
    chain_id: str = CHAIN_ID,
    denom: str = "uallo",
    memo: str = "",
    from_address: str | None = None,
) -> bytes:
    """A signed ``MsgSend`` tx."""
    message = bank_tx.MsgSend(
        from_address=key.address if from_address is None else from_address,
        to_address=to_address,
        amount=[coin_pb2.Coin(denom=denom, amount=str(amount))],
    )
    return build_tx(
        [message],
        private_key=key,
        chain_id=chain_id,
        account_number=account_number,
        sequence=sequence,
        fee_amount=fee,
        gas_limit=gas,
        memo=memo,
    )


def run_block(app: App, txs: Sequence[bytes]) -> FinalizeBlockResult:
    """Finalize and commit the next block."""
    height = app.next_height
    result = app.finalize_block(
        FinalizeBlockRequest(
            height=height, time_ns=GENESIS_TIME_NS + height * BLOCK_NS, txs=tuple(txs)
        )
    )
    app.commit()
    return result


def dump_state(store: ReadableKVStore) -> list[tuple[bytes, bytes]]:
    """Every committed pair in key order."""
    return list(store.iterate())
