"""Byte vectors captured from a real CometBFT v0.38.25 (tests/data/abci/, see its README).

The streams are what CometBFT wrote on its four ABCI connections (recorded by a proxy, see
``tests/integration/abci_capture_vectors.py``); the expectations come from the capture inputs in
``manifest.json`` and from INFRA.md §4, not from the code under test.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from abci_helpers import FakeCometClient, MemoryKVApp

from pyallora.abci.framing import FrameDecoder
from pyallora.abci.server import AbciServer
from pyallora.abci.translate import (
    CheckTxRequest,
    CommitRequest,
    FlushRequest,
    InfoRequest,
    RequestRecord,
    decode_request,
    encode_request,
    get_request_method,
    get_response_method,
)
from pyallora.chain.abci_types import (
    FinalizeBlockRequest,
    InitChainRequest,
    PrepareProposalRequest,
    ProcessProposalRequest,
    QueryRequest,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "abci"
MANIFEST: dict[str, Any] = json.loads((DATA / "manifest.json").read_text())

# Request oneof field numbers (INFRA.md §4.2) as the first byte(s) of a serialized Request:
# tag = field << 3 | 2 (length-delimited), itself a varint.
ONEOF_TAG = {
    "flush": bytes([2 << 3 | 2]),
    "info": bytes([3 << 3 | 2]),
    "init_chain": bytes([5 << 3 | 2]),
    "query": bytes([6 << 3 | 2]),
    "check_tx": bytes([8 << 3 | 2]),
    "commit": bytes([11 << 3 | 2]),
    "prepare_proposal": bytes([(16 << 3 | 2) & 0x7F | 0x80, (16 << 3 | 2) >> 7]),
    "process_proposal": bytes([(17 << 3 | 2) & 0x7F | 0x80, (17 << 3 | 2) >> 7]),
    "finalize_block": bytes([(20 << 3 | 2) & 0x7F | 0x80, (20 << 3 | 2) >> 7]),
}


def frames(name: str) -> list[bytes]:
    """The request bodies of one captured stream (the whole file must be consumed)."""
    decoder = FrameDecoder()
    bodies = decoder.feed((DATA / f"{name}.bin").read_bytes())
    assert decoder.pending == 0
    return bodies


def requests(name: str) -> list[RequestRecord]:
    return [decode_request(body) for body in frames(name)]


def test_manifest_names_the_pinned_version() -> None:
    assert MANIFEST["cometbft_version"] == "0.38.25"
    for name, size in MANIFEST["files"].items():
        assert (DATA / f"{name}.bin").stat().st_size == size


@pytest.mark.parametrize("name", ["query", "mempool", "consensus"])
def test_streams_are_unsigned_varint_frames_in_any_chunking(name: str) -> None:
    data = (DATA / f"{name}.bin").read_bytes()
    whole = frames(name)
    assert whole
    decoder = FrameDecoder()
    one_by_one = [body for byte in data for body in decoder.feed(bytes([byte]))]
    assert one_by_one == whole
    for body in whole:
        method = get_request_method(decode_request(body))
        assert body.startswith(ONEOF_TAG[method])


def test_info_carries_the_node_versions() -> None:
    infos = [r for r in requests("query") if isinstance(r, InfoRequest)]
    assert infos
    assert set(infos) == {
        InfoRequest(version="0.38.25", block_version=11, p2p_version=8, abci_version="2.0.0")
    }
    queries = [r for r in requests("query") if isinstance(r, QueryRequest)]
    assert queries == [QueryRequest(path="/key", data=b"greeting")]


def test_mempool_check_tx() -> None:
    checks = [r for r in requests("mempool") if isinstance(r, CheckTxRequest)]
    assert checks == [CheckTxRequest(tx=MANIFEST["tx"].encode(), recheck=False)]
    assert all(isinstance(r, CheckTxRequest | FlushRequest) for r in requests("mempool"))


def test_init_chain_from_genesis() -> None:
    first = requests("consensus")[0]
    assert isinstance(first, InitChainRequest)
    assert first.chain_id == MANIFEST["chain_id"]
    assert first.time_ns == MANIFEST["genesis_time_ns"]
    assert first.initial_height == 1
    assert json.loads(first.app_state_bytes) == MANIFEST["app_state"]
    (validator,) = first.validators
    assert (validator.pub_key_type, len(validator.pub_key), validator.power) == ("ed25519", 32, 10)


def test_consensus_connection_follows_the_v038_height_sequence() -> None:
    records = requests("consensus")
    methods = [get_request_method(r) for r in records]
    last = MANIFEST["last_height"]
    per_height = ["prepare_proposal", "process_proposal", "finalize_block", "commit"]
    expected = ["init_chain", "flush"]
    for _ in range(last):
        for method in per_height:
            expected += [method, "flush"]
    assert methods == expected
    blocks = [r for r in records if isinstance(r, FinalizeBlockRequest)]
    assert [b.height for b in blocks] == list(range(1, last + 1))
    prepared = [r for r in records if isinstance(r, PrepareProposalRequest)]
    processed = [r for r in records if isinstance(r, ProcessProposalRequest)]
    validator = records[0].validators[0] if isinstance(records[0], InitChainRequest) else None
    assert validator is not None
    for prepare, process, block in zip(prepared, processed, blocks, strict=True):
        assert prepare.height == process.height == block.height
        assert prepare.txs == process.txs == block.txs
        assert prepare.time_ns == process.time_ns == block.time_ns
        assert process.hash == block.hash and len(block.hash) == 32
        assert len(block.proposer_address) == 20
        assert len(block.next_validators_hash) == 32
        assert prepare.max_tx_bytes > 0
        if block.height > 1:  # the genesis validator signed the previous block
            (vote,) = block.decided_last_commit.votes
            assert vote.validator_address == block.proposer_address
            assert (vote.power, vote.block_id_flag) == (validator.power, 2)
    for block in blocks:
        expected_txs = (MANIFEST["tx"].encode(),) if block.height == MANIFEST["tx_height"] else ()
        assert block.txs == expected_txs
    assert blocks[0].time_ns == MANIFEST["genesis_time_ns"]
    assert all(a.time_ns < b.time_ns for a, b in itertools.pairwise(blocks))


@pytest.mark.parametrize("name", ["query", "mempool", "consensus"])
def test_fully_represented_requests_re_encode_byte_for_byte(name: str) -> None:
    exact = (
        FlushRequest,
        InfoRequest,
        QueryRequest,
        CheckTxRequest,
        CommitRequest,
        FinalizeBlockRequest,
    )
    checked = 0
    for body in frames(name):
        record = decode_request(body)
        if isinstance(record, exact):
            assert encode_request(record) == body
            checked += 1
        else:  # records drop consensus params / next_validators_hash: decoding is stable
            assert decode_request(encode_request(record)) == record
    assert checked > 0


def test_the_server_answers_the_captured_streams_one_for_one(tmp_path: Path) -> None:
    """Replay CometBFT's own bytes into the server: one answer of the same kind per request."""

    async def scenario() -> None:
        app = MemoryKVApp()
        async with AbciServer(app) as server:
            await server.start(f"unix://{tmp_path / 'app.sock'}")
            for name in ("consensus", "mempool", "query"):
                client = await FakeCometClient.connect(server.address)
                await client.send_raw((DATA / f"{name}.bin").read_bytes())
                sent = requests(name)
                answers = await client.receive(len(sent))
                assert [get_response_method(a) for a in answers] == [
                    get_request_method(r) for r in sent
                ]
                await client.close()
        assert app.height == MANIFEST["last_height"]
        assert app.state == {b"greeting": b"hello-abci"}

    asyncio.run(asyncio.wait_for(scenario(), 30))
