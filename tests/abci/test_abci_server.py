"""The asyncio ABCI server (abci/server.py) against a fake CometBFT client over real sockets."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from abci_helpers import FakeCometClient, MemoryKVApp

from pyallora.abci.framing import encode_frame
from pyallora.abci.server import (
    AbciServer,
    AbciServerError,
    ApplicationFailedError,
    CommittedBlock,
    ListenAddress,
    parse_address,
    serve,
)
from pyallora.abci.translate import (
    APPLY_CHUNK_ABORT,
    OFFER_SNAPSHOT_REJECT,
    ApplySnapshotChunkRequest,
    ApplySnapshotChunkResponse,
    CheckTxRequest,
    CommitRequest,
    EchoRequest,
    EchoResponse,
    ExtendVoteRequest,
    ExtendVoteResponse,
    FlushRequest,
    FlushResponse,
    InfoRequest,
    ListSnapshotsRequest,
    ListSnapshotsResponse,
    LoadSnapshotChunkRequest,
    LoadSnapshotChunkResponse,
    OfferSnapshotRequest,
    OfferSnapshotResponse,
    PrepareProposalResponse,
    ProcessProposalResponse,
    RequestRecord,
    VerifyVoteExtensionRequest,
    VerifyVoteExtensionResponse,
    encode_request,
)
from pyallora.chain.abci_types import (
    CommitResult,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    InfoResult,
    InitChainRequest,
    InitChainResult,
    PrepareProposalRequest,
    ProcessProposalRequest,
    QueryRequest,
    QueryResult,
    TxResult,
)
from pyallora.core.encoding import encode_uvarint

T = TypeVar("T")
TEST_TIMEOUT = 30.0


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """Run one async scenario with a hard upper bound."""

    async def bounded() -> T:
        return await asyncio.wait_for(scenario(), TEST_TIMEOUT)

    return asyncio.run(bounded())


@pytest.fixture(params=["unix", "tcp"])
def address(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A listen address of each kind (TCP on a port the OS picks)."""
    if request.param == "unix":
        return f"unix://{tmp_path / 'app.sock'}"
    return "tcp://127.0.0.1:0"


def test_echo_info_and_flush(address: str) -> None:
    async def scenario() -> None:
        app = MemoryKVApp()
        async with AbciServer(app) as server:
            await server.start(address)
            client = await FakeCometClient.connect(server.address)
            await client.send(
                EchoRequest(message="ping"),
                FlushRequest(),
                InfoRequest(version="0.38.25", abci_version="2.0.0"),
                FlushRequest(),
            )
            assert await client.receive(4) == [
                EchoResponse(message="ping"),
                FlushResponse(),
                InfoResult(data="memkv", version="1"),
                FlushResponse(),
            ]
            await client.close()
        assert app.calls == ["info"]

    run(scenario)


def test_pipelined_check_tx_answers_in_request_order(address: str) -> None:
    txs = [f"k{i}=v{i}".encode() if i % 3 else f"bad{i}".encode() for i in range(300)]

    async def scenario() -> None:
        async with AbciServer(MemoryKVApp()) as server:
            await server.start(address)
            client = await FakeCometClient.connect(server.address)
            await client.send(*(CheckTxRequest(tx=tx) for tx in txs), FlushRequest())
            answers = await client.receive(len(txs) + 1)
            assert answers[-1] == FlushResponse()
            for tx, answer in zip(txs, answers[:-1], strict=True):
                assert isinstance(answer, TxResult)
                if MemoryKVApp.is_valid(tx):
                    assert (answer.code, answer.log) == (0, tx.decode())
                else:
                    assert (answer.code, answer.codespace) == (1, "memkv")
            # Exactly one answer per request: the next answer is the next request's.
            await client.send(EchoRequest(message="next"), FlushRequest())
            assert await client.receive(2) == [EchoResponse(message="next"), FlushResponse()]
            await client.close()

    run(scenario)


def test_requests_split_across_many_writes(tmp_path: Path) -> None:
    requests: list[RequestRecord] = [
        CheckTxRequest(tx=f"a{i}=b".encode(), recheck=i % 2 == 1) for i in range(40)
    ]
    stream = b"".join(encode_frame(encode_request(r)) for r in [*requests, FlushRequest()])

    async def scenario() -> None:
        app = MemoryKVApp()
        async with AbciServer(app) as server:
            await server.start(f"unix://{tmp_path / 'app.sock'}")
            client = await FakeCometClient.connect(server.address)
            position, size = 0, 1
            while position < len(stream):
                await client.send_raw(stream[position : position + size])
                position += size
                size = size % 7 + 1
            answers = await client.receive(len(requests) + 1)
            assert [a.code for a in answers[:-1] if isinstance(a, TxResult)] == [0] * 40
            assert answers[-1] == FlushResponse()
            await client.close()
        assert app.calls == ["check_tx", "recheck_tx"] * 20
        counts = {name: stats.count for name, stats in server.request_stats.items()}
        assert counts == {"check_tx": 20, "recheck_tx": 20, "flush": 1}

    run(scenario)


def test_one_height_on_four_connections(address: str) -> None:
    committed: list[CommittedBlock] = []

    async def scenario() -> None:
        app = MemoryKVApp()
        async with AbciServer(app, on_commit=committed.append) as server:
            await server.start(address)
            query, snapshot, mempool, consensus = [
                await FakeCometClient.connect(server.address) for _ in range(4)
            ]
            await query.send(InfoRequest(), FlushRequest())
            assert (await query.receive(2))[0] == InfoResult(data="memkv", version="1")
            await consensus.send(InitChainRequest(chain_id="c", time_ns=5), FlushRequest())
            (init, _) = await consensus.receive(2)
            assert init == InitChainResult(app_hash=MemoryKVApp.compute_hash({}, 0))
            await mempool.send(CheckTxRequest(tx=b"x=1"), CheckTxRequest(tx=b"y"), FlushRequest())
            assert [getattr(a, "code", None) for a in await mempool.receive(3)] == [0, 1, None]
            block = (b"x=1", b"oops", b"y=2")
            await consensus.send(
                PrepareProposalRequest(txs=block, max_tx_bytes=1000, height=1, time_ns=9),
                FlushRequest(),
                ProcessProposalRequest(txs=(b"x=1", b"y=2"), height=1, time_ns=9),
                FlushRequest(),
                FinalizeBlockRequest(height=1, time_ns=9, txs=(b"x=1", b"y=2")),
                FlushRequest(),
                CommitRequest(),
                FlushRequest(),
            )
            prepared, _, processed, _, finalized, _, commit, _ = await consensus.receive(8)
            assert prepared == PrepareProposalResponse(txs=(b"x=1", b"y=2"))
            assert processed == ProcessProposalResponse(accept=True)
            assert isinstance(finalized, FinalizeBlockResult)
            expected_hash = MemoryKVApp.compute_hash({b"x": b"1", b"y": b"2"}, 1)
            assert finalized.app_hash == expected_hash
            assert [r.code for r in finalized.tx_results] == [0, 0]
            assert commit == CommitResult()
            await query.send(InfoRequest(), QueryRequest(path="/get", data=b"y"), FlushRequest())
            info, value, _ = await query.receive(3)
            assert info == InfoResult(
                data="memkv", version="1", last_block_height=1, last_block_app_hash=expected_hash
            )
            assert value == QueryResult(value=b"2", key=b"y", height=1)
            await snapshot.send(ListSnapshotsRequest(), FlushRequest())
            assert (await snapshot.receive(2))[0] == ListSnapshotsResponse()
            assert server.connection_count == 4
            stats = server.request_stats
            assert {name: entry.count for name, entry in stats.items()} == {
                "check_tx": 2,
                "commit": 1,
                "finalize_block": 1,
                "flush": 9,
                "info": 2,
                "init_chain": 1,
                "list_snapshots": 1,
                "on_commit": 1,
                "prepare_proposal": 1,
                "process_proposal": 1,
                "query": 1,
            }
            assert all(entry.seconds >= 0 for entry in stats.values())
            assert stats["flush"].seconds == 0
            for client in (query, snapshot, mempool, consensus):
                await client.close()
        assert [(b.height, b.result.app_hash, b.commit) for b in committed] == [
            (1, expected_hash, CommitResult())
        ]
        assert committed[0].request.txs == (b"x=1", b"y=2")

    run(scenario)


def test_process_proposal_rejects_an_invalid_block(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with AbciServer(MemoryKVApp()) as server:
            await server.start(f"unix://{tmp_path / 'app.sock'}")
            client = await FakeCometClient.connect(server.address)
            await client.send(
                ProcessProposalRequest(txs=(b"a=1", b"nonsense"), height=3, time_ns=1),
                FlushRequest(),
            )
            assert (await client.receive(2))[0] == ProcessProposalResponse(accept=False)
            await client.close()

    run(scenario)


def test_state_sync_is_declined_and_vote_extensions_are_empty(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = MemoryKVApp()
        async with AbciServer(app) as server:
            await server.start(f"unix://{tmp_path / 'app.sock'}")
            client = await FakeCometClient.connect(server.address)
            await client.send(
                ListSnapshotsRequest(),
                OfferSnapshotRequest(height=10, format=1, chunks=2, hash=b"h", app_hash=b"a"),
                LoadSnapshotChunkRequest(height=10, format=1, chunk=0),
                ApplySnapshotChunkRequest(index=0, chunk=b"c", sender="peer"),
                ExtendVoteRequest(height=4, hash=b"h"),
                VerifyVoteExtensionRequest(height=4, validator_address=b"v"),
                VerifyVoteExtensionRequest(height=4, validator_address=b"v", vote_extension=b"x"),
                FlushRequest(),
            )
            assert await client.receive(8) == [
                ListSnapshotsResponse(),
                OfferSnapshotResponse(result=OFFER_SNAPSHOT_REJECT),
                LoadSnapshotChunkResponse(chunk=b""),
                ApplySnapshotChunkResponse(result=APPLY_CHUNK_ABORT),
                ExtendVoteResponse(vote_extension=b""),
                VerifyVoteExtensionResponse(accept=True),
                VerifyVoteExtensionResponse(accept=False),
                FlushResponse(),
            ]
            await client.close()
        assert app.calls == []

    run(scenario)


@pytest.mark.parametrize(
    ("app_options", "method"),
    [
        ({"fail_in": "finalize_block"}, "finalize_block"),
        ({"return_short_results": True}, "finalize_block"),
    ],
)
def test_application_failure_stops_the_server_without_answering(
    tmp_path: Path, app_options: dict[str, Any], method: str
) -> None:
    async def scenario() -> ApplicationFailedError:
        async with AbciServer(MemoryKVApp(**app_options)) as server:
            await server.start(f"unix://{tmp_path / 'app.sock'}")
            mempool = await FakeCometClient.connect(server.address)
            consensus = await FakeCometClient.connect(server.address)
            await consensus.send(
                EchoRequest(message="before"),
                FinalizeBlockRequest(height=1, time_ns=1, txs=(b"a=1", b"b=2")),
                FlushRequest(),
            )
            # Nothing at all comes back from the batch: no answer, no ResponseException.
            assert await consensus.is_closed_by_server()
            assert consensus.received == []
            assert await mempool.is_closed_by_server()
            with pytest.raises(ApplicationFailedError) as info:
                await asyncio.wait_for(server.wait(), 10)
            assert not (tmp_path / "app.sock").exists()
            return info.value

    failure = run(scenario)
    assert failure.method == method


def test_executor_mode_serialises_calls_across_connections(tmp_path: Path) -> None:
    async def scenario() -> MemoryKVApp:
        app = MemoryKVApp(call_delay=0.002)
        with ThreadPoolExecutor(max_workers=4) as executor:
            async with AbciServer(app, executor=executor) as server:
                await server.start(f"unix://{tmp_path / 'app.sock'}")
                clients = [await FakeCometClient.connect(server.address) for _ in range(3)]

                async def drive(client: FakeCometClient, index: int) -> None:
                    requests: list[list[RequestRecord]] = [
                        [CheckTxRequest(tx=f"k{i}=v".encode()) for i in range(15)],
                        [QueryRequest(path="/get", data=b"k") for _ in range(15)],
                        [InfoRequest() for _ in range(15)],
                    ]
                    await client.send(*requests[index], FlushRequest())
                    answers = await client.receive(16)
                    kinds = {0: TxResult, 1: QueryResult, 2: InfoResult}
                    assert all(isinstance(a, kinds[index]) for a in answers[:-1])
                    if index == 0:
                        logs = [a.log for a in answers[:-1] if isinstance(a, TxResult)]
                        assert logs == [f"k{i}=v" for i in range(15)]

                await asyncio.gather(*(drive(c, i) for i, c in enumerate(clients)))
                assert await server.run_exclusive(lambda: len(app.calls)) == 45
                for client in clients:
                    await client.close()
        return app

    app = run(scenario)
    assert app.overlaps == 0
    assert sorted(set(app.calls)) == ["check_tx", "info", "query"]


def test_a_protocol_error_closes_only_that_connection(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with AbciServer(MemoryKVApp(), max_frame_length=1000) as server:
            await server.start(f"unix://{tmp_path / 'app.sock'}")
            good = await FakeCometClient.connect(server.address)
            garbage = await FakeCometClient.connect(server.address)
            oversize = await FakeCometClient.connect(server.address)
            not_a_request = await FakeCometClient.connect(server.address)
            await garbage.send_raw(b"\xff" * 11)
            await oversize.send_raw(encode_uvarint(5000))
            await not_a_request.send_raw(encode_frame(b"\x22\x00"))  # removed SetOption
            for client in (garbage, oversize, not_a_request):
                assert await client.is_closed_by_server()
            await good.send(EchoRequest(message="still here"), FlushRequest())
            assert (await good.receive(2))[0] == EchoResponse(message="still here")
            await good.close()

    run(scenario)


def test_on_commit_observer_errors_do_not_stop_consensus(tmp_path: Path) -> None:
    def observer(block: CommittedBlock) -> None:
        raise RuntimeError(f"observer broken at {block.height}")

    async def scenario() -> None:
        app = MemoryKVApp()
        async with AbciServer(app, on_commit=observer) as server:
            await server.start(f"unix://{tmp_path / 'app.sock'}")
            client = await FakeCometClient.connect(server.address)
            for height in (1, 2):
                await client.send(
                    FinalizeBlockRequest(height=height, time_ns=height),
                    CommitRequest(),
                    FlushRequest(),
                )
                assert (await client.receive(3))[1] == CommitResult()
            await client.close()
        assert app.height == 2

    run(scenario)


def test_cancelling_serve_is_a_clean_stop(tmp_path: Path) -> None:
    socket_path = tmp_path / "app.sock"

    async def scenario() -> None:
        ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(
            serve(MemoryKVApp(), f"unix://{socket_path}", on_ready=ready.set_result)
        )
        address = await asyncio.wait_for(ready, 10)
        client = await FakeCometClient.connect(address)
        await client.send(EchoRequest(message="x"), FlushRequest())
        await client.receive(2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await client.is_closed_by_server()
        assert not socket_path.exists()

    run(scenario)


def test_a_stale_socket_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "app.sock"
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()  # leaves the file behind, as a killed process does
    assert path.is_socket()

    async def scenario() -> None:
        async with AbciServer(MemoryKVApp()) as server:
            await server.start(f"unix://{path}")
            client = await FakeCometClient.connect(server.address)
            await client.send(EchoRequest(message="ok"), FlushRequest())
            assert (await client.receive(2))[0] == EchoResponse(message="ok")
            await client.close()

    run(scenario)


def test_a_busy_tcp_port_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        async def scenario() -> None:
            async with AbciServer(MemoryKVApp()) as server:
                with pytest.raises(AbciServerError, match="cannot listen"):
                    await server.start(f"tcp://127.0.0.1:{port}")

        run(scenario)


def test_parse_address() -> None:
    assert parse_address("unix:///tmp/a.sock") == ListenAddress(scheme="unix", path="/tmp/a.sock")
    assert parse_address("tcp://127.0.0.1:26658") == ListenAddress(
        scheme="tcp", host="127.0.0.1", port=26658
    )
    assert parse_address("tcp://[::1]:80") == ListenAddress(scheme="tcp", host="::1", port=80)
    assert str(parse_address("tcp://[::1]:80")) == "tcp://[::1]:80"
    for bad in ("127.0.0.1:26658", "grpc://x:1", "tcp://host", "tcp://h:99999", "unix://"):
        with pytest.raises(AbciServerError):
            parse_address(bad)


SERVER_SCRIPT = textwrap.dedent(
    """
    import sys
    from pyallora.abci.server import run_abci_server
    from pyallora.chain.abci_types import InfoResult

    class App:
        def info(self):
            if sys.argv[2] == "fail":
                raise KeyError("state file is corrupt")
            return InfoResult(data="ok")

    run_abci_server(App(), sys.argv[1])
    print("clean exit")
    """
)


def _start_server_process(tmp_path: Path, mode: str) -> tuple[subprocess.Popen[str], Path]:
    path = tmp_path / "app.sock"
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT, f"unix://{path}", mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 20
    while not path.is_socket():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = process.communicate()[0]
            pytest.fail(f"the server process did not start: {output}")
        time.sleep(0.02)
    return process, path


def _info_exchange(path: Path) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(10)
        conn.connect(str(path))
        conn.sendall(
            encode_frame(encode_request(InfoRequest()))
            + encode_frame(encode_request(FlushRequest()))
        )
        received = b""
        while chunk := conn.recv(4096):
            received += chunk
            if received.endswith(encode_frame(b"\x1a\x00")):  # the ResponseFlush frame
                break
        return received


def test_run_abci_server_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    process, path = _start_server_process(tmp_path, "ok")
    try:
        assert _info_exchange(path).endswith(encode_frame(b"\x1a\x00"))
        os.kill(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert "clean exit" in output
    assert not path.exists()


def test_run_abci_server_exits_non_zero_when_the_application_fails(tmp_path: Path) -> None:
    process, path = _start_server_process(tmp_path, "fail")
    try:
        assert _info_exchange(path) == b""  # closed without any answer
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 1
    assert "state file is corrupt" in output
    assert "clean exit" not in output
