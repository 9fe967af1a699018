"""The Python SDK against a live solo node: typed queries, sending with automatic sequence
handling (concurrent senders, the mismatch retry), errors, async twin, event subscriptions."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.tx.v1beta1 import tx_pb2

from pyallora.client import (
    AsyncClient,
    Client,
    NodeApiError,
    NodeUnreachableError,
    NotFoundError,
    SequenceMismatchError,
    SubscriptionError,
    TxRejectedError,
    TxTimeoutError,
    Wallet,
)
from pyallora.client.errors import parse_sequence_mismatch
from pyallora.client.keyring import Keyring
from pyallora.client.keys import generate_mnemonic
from pyallora.client.wallet import SequenceManager, WalletError
from pyallora.node.cometbft import find_free_port
from pyallora.node.home import init_node_home
from pyallora.node.runner import BackgroundNode

CHAIN_ID = "sdk-test"
FUNDS = 10**22
BOB = "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv"
MNEMONIC = generate_mnemonic()


class Network:
    def __init__(self, node: BackgroundNode, home: Path) -> None:
        self.node = node
        self.url = node.api_url
        keyring = Keyring(home / "keyring", backend="test")
        self.alice = Wallet(keyring.export("alice", passphrase=None).private_key)
        self.carol = Wallet(keyring.export("carol", passphrase=None).private_key)
        self.home = home


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    home = tmp_path_factory.mktemp("sdk") / "home"
    dave = Wallet.from_mnemonic(MNEMONIC)
    init_node_home(
        home,
        chain_id=CHAIN_ID,
        engine="solo",
        accounts=[("alice", FUNDS), ("carol", FUNDS), (dave.address, FUNDS)],
    )
    node = BackgroundNode(home, block_time_ms=40)
    node.start()
    try:
        with Client(node.api_url) as client:
            client.wait_for_height(1, timeout=30)
        yield Network(node, home)
    finally:
        node.stop()


def _send(wallet: Wallet, to: str, amount: int) -> list[bank_tx.MsgSend]:
    return [
        bank_tx.MsgSend(
            from_address=wallet.address,
            to_address=to,
            amount=[coin_pb2.Coin(denom="uallo", amount=str(amount))],
        )
    ]


def _sequence_of(raw: bytes) -> int:
    auth_info = tx_pb2.AuthInfo.FromString(tx_pb2.TxRaw.FromString(raw).auth_info_bytes)
    return int(auth_info.signer_infos[0].sequence)


def test_typed_queries(network: Network) -> None:
    with Client(network.url) as client:
        status = client.status()
        assert (status.chain_id, status.engine, status.api) == (CHAIN_ID, "solo", network.url)
        assert client.chain_id() == CHAIN_ID
        account = client.account(network.carol.address)
        assert account.address == network.carol.address
        assert client.balance(network.carol.address) >= 0
        assert [coin.denom for coin in client.balances(network.carol.address)] == ["uallo"]
        block = client.block()
        assert block.height >= status.height
        assert client.block(block.height) == block
        assert client.blocks(limit=2)["latest_height"] >= block.height
        assert len(client.validators()["consensus"]) == 1
        assert client.params("auth")["params"]["tx_sig_limit"] == "7"
        total = client.query("/cosmos.bank.v1beta1.Query/TotalSupply")
        assert total["supply"][0]["denom"] == "uallo"
        with pytest.raises(NotFoundError) as missing:
            client.account(BOB)
        assert missing.value.status == 404
        with pytest.raises(NodeApiError) as bad:
            client.account("allo1broken")
        assert bad.value.status == 400 and "invalid address" in bad.value.detail
        with pytest.raises(TxTimeoutError):
            client.wait_for_tx("AB" * 32, timeout=0.2)


def test_send_tx_waits_for_the_block_and_advances_the_sequence(network: Network) -> None:
    wallet = Wallet(network.alice.private_key)
    with Client(network.url) as client:
        before = client.balance(BOB)
        start = client.account(wallet.address).sequence
        info = client.send_tx(_send(wallet, BOB, 777), wallet, memo="hello")
        assert info.result.code == 0 and info.height > 0
        assert info.sender == wallet.address
        assert client.tx(info.hash) == info
        assert tx_pb2.TxBody.FromString(tx_pb2.TxRaw.FromString(info.tx).body_bytes).memo == "hello"
        assert client.balance(BOB) == before + 777
        assert wallet.sequence.next_sequence == start + 1
        assert client.account(wallet.address).sequence == start + 1


def test_twenty_threads_share_one_wallet(network: Network) -> None:
    wallet = Wallet(network.carol.private_key)
    errors: list[BaseException] = []
    hashes: list[str] = []
    lock = threading.Lock()
    with Client(network.url) as client:
        before = client.balance(BOB)
        start = client.account(wallet.address).sequence

        def worker(amount: int) -> None:
            try:
                info = client.send_tx(_send(wallet, BOB, amount), wallet, timeout=60)
                with lock:
                    hashes.append(info.hash)
            except BaseException as exc:
                with lock:
                    errors.append(exc)

        threads = [threading.Thread(target=worker, args=(i + 1,)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors, errors
        assert len(set(hashes)) == 20
        sequences = sorted(_sequence_of(client.tx(h).tx) for h in hashes)
        assert sequences == list(range(start, start + 20))
        assert client.balance(BOB) == before + sum(range(1, 21))
        assert (
            client.account(wallet.address).sequence == start + 20 == wallet.sequence.next_sequence
        )


def test_a_stale_sequence_is_retried_once_with_the_expected_value(network: Network) -> None:
    posts: list[int] = []

    def count(request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path == "/v1/txs":
            posts.append(1)

    stale = Wallet(network.alice.private_key)
    other = Wallet(network.alice.private_key)  # same key, separate counter: another process
    with Client(network.url, event_hooks={"request": [count]}) as client:
        client.send_tx(_send(stale, BOB, 1), stale)
        client.send_tx(_send(other, BOB, 1), other)
        client.send_tx(_send(other, BOB, 1), other)
        expected = client.account(stale.address).sequence
        assert stale.sequence.next_sequence == expected - 2
        posts.clear()
        info = client.send_tx(_send(stale, BOB, 2), stale)
        assert len(posts) == 2  # the stale attempt, then the retry
        assert _sequence_of(info.tx) == expected
        assert stale.sequence.next_sequence == expected + 1
        assert info.result.code == 0


def test_refused_tx_raises_and_keeps_the_counter(network: Network) -> None:
    wallet = Wallet(network.alice.private_key)
    with Client(network.url) as client:
        with pytest.raises(TxRejectedError) as refused:
            client.submit_tx(_send(wallet, BOB, FUNDS * 10), wallet)
        error = refused.value
        assert (error.codespace, error.code) == ("sdk", 5)
        assert "insufficient funds" in error.log and len(error.tx_hash) == 64
        number = wallet.sequence.next_sequence
        assert number == client.account(wallet.address).sequence
        assert client.send_tx(_send(wallet, BOB, 3), wallet).result.code == 0


def test_sequence_manager_and_mismatch_parsing() -> None:
    manager = SequenceManager()
    assert not manager.is_synced
    with pytest.raises(WalletError):
        _ = manager.next_sequence
    manager.sync(4, 9)
    assert (manager.account_number, manager.next_sequence) == (4, 9)
    assert manager.advance() == 10
    manager.reset(3)
    assert manager.next_sequence == 3
    manager.invalidate()
    assert not manager.is_synced
    assert parse_sequence_mismatch("account sequence mismatch, expected 12, got 7") == (12, 7)
    assert parse_sequence_mismatch("insufficient fees") is None
    error = SequenceMismatchError(
        "refused",
        tx_hash="AA",
        code=32,
        codespace="sdk",
        log="account sequence mismatch, expected 2, got 1: incorrect account sequence",
    )
    assert (error.expected, error.got) == (2, 1)


def test_wallet_constructors(tmp_path: Path) -> None:
    from_words = Wallet.from_mnemonic(MNEMONIC)
    as_hex = Wallet.from_private_key(from_words.private_key.to_hex())
    as_bytes = Wallet.from_private_key(from_words.private_key.secret)
    assert from_words.address == as_hex.address == as_bytes.address
    keyring = Keyring(tmp_path, backend="file", scrypt_opslimit=2**10, scrypt_memlimit=2**20)
    keyring.add("dave", passphrase="correct horse", mnemonic=MNEMONIC)
    loaded = Wallet.from_keyring("dave", keyring_dir=tmp_path, passphrase="correct horse")
    assert loaded.address == from_words.address
    assert loaded.public_key == from_words.public_key


def test_unreachable_node_is_a_typed_error() -> None:
    with (
        Client(f"http://127.0.0.1:{find_free_port()}", timeout=2) as client,
        pytest.raises(NodeUnreachableError),
    ):
        client.status()


def test_subscription_resumes_after_a_dropped_connection(network: Network) -> None:
    with Client(network.url) as client:
        start = client.status().height
        subscription = client.subscribe(from_height=start, types=["block"])
        with subscription:
            first = [subscription.next_event(timeout=20) for _ in range(3)]
            subscription.drop_connection()
            second = [subscription.next_event(timeout=20) for _ in range(3)]
        heights = [event.height for event in first + second]
        assert heights == list(range(start, start + 6))
        assert all(event.type == "block" and event.seq == 0 for event in first + second)
        assert subscription.connections == 2
        for event in first:
            assert event.data["app_hash"] == client.block(event.height).app_hash


def test_subscription_refusal_is_a_typed_error(network: Network) -> None:
    with (
        Client(network.url) as client,
        client.subscribe(types=["nonsense"]) as subscription,
        pytest.raises(SubscriptionError, match="unknown event types"),
    ):
        subscription.next_event(timeout=20)


def test_async_client_sends_concurrently_and_streams(network: Network) -> None:
    dave = Wallet.from_mnemonic(MNEMONIC)

    async def main() -> None:
        async with AsyncClient(network.url) as client:
            status = await client.status()
            assert status.chain_id == CHAIN_ID
            before = await client.balance(BOB)
            start = (await client.account(dave.address)).sequence
            subscription = client.subscribe(types=["tx"])
            async with subscription:
                await subscription.connect()
                infos = await asyncio.gather(
                    *(client.send_tx(_send(dave, BOB, 10), dave, timeout=60) for _ in range(10))
                )
                assert all(info.result.code == 0 for info in infos)
                assert await client.balance(BOB) == before + 100
                assert (await client.account(dave.address)).sequence == start + 10
                wanted = {info.hash for info in infos}
                seen: set[str] = set()
                while not wanted <= seen:
                    event = await subscription.next_event(timeout=20)
                    assert event.type == "tx"
                    seen.add(str(event.data["hash"]))

    asyncio.run(main())


def test_unlimited_reconnect_backoff_stays_bounded() -> None:
    from pyallora.client.events import _BACKOFF_MAX, _Backoff

    backoff = _Backoff(None)
    delays = [backoff.next_delay("ws://127.0.0.1:1", "refused") for _ in range(2000)]
    assert delays[0] < delays[1] <= _BACKOFF_MAX
    assert delays[-1] == _BACKOFF_MAX
