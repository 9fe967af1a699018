"""CometBFT tooling without the binary (node/cometbft.py): config patching, genesis time,
binary discovery, process stop policy, and the JSON-RPC client against answers recorded from a
real v0.38.25 node (tests/data/abci/rpc_v0.38.25.json)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import socket
import stat
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from pyallora.chain.abci_types import Event
from pyallora.node import cometbft
from pyallora.node.cometbft import (
    AsyncCometRpc,
    CometBftError,
    CometBftNotFoundError,
    CometBftProcess,
    CometRpc,
    CometRpcError,
    find_cometbft,
    find_free_port,
    format_genesis_time,
    patch_config_toml,
)

RECORDED: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "data" / "abci" / "rpc_v0.38.25.json").read_text()
)
CAPTURED_TX = b"greeting=hello-abci"

TEMPLATE = """# top comment
proxy_app = "tcp://127.0.0.1:26658"
moniker = "vm"

[rpc]
# the listen address
laddr = "tcp://127.0.0.1:26657"
cors_allowed_origins = []

[p2p]
laddr = "tcp://0.0.0.0:26656"
pex = true

[consensus]
timeout_commit = "1s"
"""


def test_patch_config_keeps_layout_and_changes_only_the_named_keys() -> None:
    patched = patch_config_toml(
        TEMPLATE,
        {
            "": {"proxy_app": "unix:///x/app.sock"},
            "rpc": {"laddr": "tcp://127.0.0.1:5000", "cors_allowed_origins": ["*"]},
            "p2p": {"pex": False, "laddr": "tcp://127.0.0.1:5001"},
            "consensus": {"timeout_commit": "500ms"},
        },
    )
    parsed = tomllib.loads(patched)
    assert parsed["proxy_app"] == "unix:///x/app.sock"
    assert parsed["moniker"] == "vm"
    assert parsed["rpc"] == {"laddr": "tcp://127.0.0.1:5000", "cors_allowed_origins": ["*"]}
    assert parsed["p2p"] == {"laddr": "tcp://127.0.0.1:5001", "pex": False}
    assert parsed["consensus"] == {"timeout_commit": "500ms"}
    assert "# the listen address" in patched
    assert len(patched.splitlines()) == len(TEMPLATE.splitlines())


def test_patch_config_refuses_unknown_keys() -> None:
    with pytest.raises(CometBftError, match=r"\[p2p\] seeds_mode"):
        patch_config_toml(TEMPLATE, {"p2p": {"seeds_mode": True}})
    with pytest.raises(CometBftError):
        patch_config_toml(TEMPLATE, {"mempool": {"size": 1}})


def test_patch_config_escapes_strings() -> None:
    patched = patch_config_toml(TEMPLATE, {"": {"moniker": 'a "quoted" \\ name'}})
    assert tomllib.loads(patched)["moniker"] == 'a "quoted" \\ name'


@pytest.mark.parametrize(
    "time_ns",
    [0, 1, 1_000_000_000, 1_767_225_600_000_000_000, 1_700_000_000_123_456_789, 999_999_999],
)
def test_genesis_time_is_rfc3339_nano(time_ns: int) -> None:
    text = format_genesis_time(time_ns)
    assert text.endswith("Z")
    whole, _, fraction = text[:-1].partition(".")
    assert not fraction.endswith("0")
    parsed = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    seconds = int(parsed.timestamp())
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    assert seconds * 1_000_000_000 + nanos == time_ns


def test_genesis_time_known_values() -> None:
    assert format_genesis_time(0) == "1970-01-01T00:00:00Z"
    assert format_genesis_time(1_767_225_600_000_000_000) == "2026-01-01T00:00:00Z"
    assert format_genesis_time(1_700_000_000_123_456_789) == "2023-11-14T22:13:20.123456789Z"


def make_script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_find_cometbft_explicit_path(tmp_path: Path) -> None:
    binary = make_script(tmp_path / "cometbft", "echo 0.38.25\n")
    assert find_cometbft(binary) == binary
    with pytest.raises(CometBftNotFoundError):
        find_cometbft(tmp_path / "missing")
    plain = tmp_path / "not-executable"
    plain.write_text("")
    with pytest.raises(CometBftNotFoundError):
        find_cometbft(plain)


def test_find_cometbft_tells_how_to_build_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cometbft, "REPO_ROOT", tmp_path / "repo")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(CometBftNotFoundError, match="make cometbft"):
        find_cometbft()
    (tmp_path / "empty-bin").mkdir()
    on_path = make_script(tmp_path / "empty-bin" / "cometbft", "")
    assert find_cometbft() == on_path
    local = tmp_path / ".bin"
    local.mkdir()
    in_cwd = make_script(local / "cometbft", "")
    assert find_cometbft() == in_cwd  # .bin/ beats PATH


def test_find_free_port_is_bindable() -> None:
    port = find_free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_process_start_logs_and_stops_with_sigterm(tmp_path: Path) -> None:
    binary = make_script(tmp_path / "fake", 'echo "args: $*"\nexec sleep 60\n')
    process = CometBftProcess(tmp_path, binary=binary, extra_args=("--proxy_app=kvstore",))
    expected = f"args: start --home {tmp_path} --proxy_app=kvstore"
    with process:
        assert process.is_running()
        assert process.pid is not None
        deadline = time.monotonic() + 10
        while expected not in process.read_log() and time.monotonic() < deadline:
            time.sleep(0.01)
    assert process.returncode == -15  # SIGTERM was enough
    assert expected in process.read_log()


def test_process_stop_escalates_to_sigkill(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    binary = make_script(
        tmp_path / "stubborn", f"trap '' TERM\ntouch {ready}\nwhile true; do sleep 1; done\n"
    )
    process = CometBftProcess(tmp_path, binary=binary)
    process.start()
    try:
        for _ in range(500):
            if ready.exists():
                break
            time.sleep(0.01)
        assert process.stop(timeout=0.5) == -9
    finally:
        process.kill()


def recorded_transport(calls: list[dict[str, Any]]) -> httpx.MockTransport:
    """Answers each JSON-RPC request with the recorded answer to the same request."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        calls.append(body)
        for entry in RECORDED.values():
            recorded = entry["request"]
            if recorded["method"] != body["method"]:
                continue
            # The recorded (node-accepted) parameters must be sent exactly like this.
            if all(body["params"].get(k) == v for k, v in recorded["params"].items()):
                return httpx.Response(200, json={**entry["response"], "id": body["id"]})
        return httpx.Response(
            200,
            json={
                "jsonrpc": "2.0",
                "id": body["id"],
                "error": {"code": -32603, "message": "no recording", "data": json.dumps(body)},
            },
        )

    return httpx.MockTransport(handler)


def raw(name: str) -> dict[str, Any]:
    result: dict[str, Any] = RECORDED[name]["response"]["result"]
    return result


def test_rpc_client_encodes_parameters_and_decodes_answers() -> None:
    calls: list[dict[str, Any]] = []
    tx_hash = hashlib.sha256(CAPTURED_TX).hexdigest().upper()
    height = int(raw("tx")["height"])
    with CometRpc("http://127.0.0.1:1", transport=recorded_transport(calls)) as rpc:
        status = rpc.status()
        assert (status.network, status.version) == ("pyallora-capture", "0.38.25")
        assert status.latest_block_height == int(raw("status")["sync_info"]["latest_block_height"])
        assert len(status.latest_app_hash) == 32

        info = rpc.abci_info()
        assert (info.data, info.version, info.app_version) == ("kvstore-app", "1", 1)
        assert len(info.last_block_app_hash) == 32

        query = rpc.abci_query("/key", b"greeting")
        assert (query.code, query.key, query.value) == (0, b"greeting", b"hello-abci")
        missing = rpc.abci_query("/key", b"nothing")
        assert (missing.code, missing.log, missing.value) == (3, "not found", b"")

        accepted = rpc.broadcast_tx_sync(b"second=tx")
        assert (accepted.code, accepted.data) == (0, b"")
        assert accepted.hash == hashlib.sha256(b"second=tx").hexdigest().upper()
        rejected = rpc.broadcast_tx_sync(b"no-equals-sign")
        assert (rejected.code, rejected.codespace, rejected.log) == (
            1,
            "kvstore",
            "expected key=value",
        )

        lookup = rpc.tx(tx_hash)
        assert (lookup.hash, lookup.tx, lookup.index) == (tx_hash, CAPTURED_TX, 0)
        assert lookup.tx_result.events == (
            Event(type="kv.set", attributes=(("key", "greeting"), ("value", "hello-abci"))),
        )
        assert rpc.tx(bytes.fromhex(tx_hash)).height == height  # raw digest works too

        block = rpc.block(height)
        assert (block.height, block.txs) == (height, (CAPTURED_TX,))
        assert len(block.hash) == 32 and len(block.proposer_address) == 20
        results = rpc.block_results(height)
        assert results.height == height
        assert results.tx_results == (lookup.tx_result,)
        assert results.events == ()
        # FinalizeBlock's app hash at h is in the header of h+1 (INFRA.md §4.6).
        assert rpc.block(height + 1).app_hash == results.app_hash
        assert len(results.app_hash) == 32

        committed = rpc.broadcast_tx_commit(b"third=tx")
        assert committed.check_tx.code == 0
        assert committed.tx_result.events[0].attributes == (("key", "third"), ("value", "tx"))
        assert committed.height > height

        with pytest.raises(CometRpcError) as error:
            rpc.block(height + 10_000)
        assert error.value.code == -32603
        assert "must be less than or equal" in error.value.data

    sent = {c["method"]: c["params"] for c in calls}
    assert sent["broadcast_tx_sync"]["tx"] == base64.b64encode(b"no-equals-sign").decode()
    assert sent["abci_query"]["height"] == "0"  # int64 travels as a string


def test_async_rpc_client_is_the_same_client() -> None:
    async def scenario() -> None:
        calls: list[dict[str, Any]] = []
        transport = recorded_transport(calls)

        async def handle(request: httpx.Request) -> httpx.Response:
            return transport.handle_request(request)

        async with AsyncCometRpc(
            "http://127.0.0.1:1", transport=httpx.MockTransport(handle)
        ) as rpc:
            assert (await rpc.abci_query("/key", b"greeting")).value == b"hello-abci"
            height = int(raw("tx")["height"])
            assert (await rpc.block(height)).txs == (CAPTURED_TX,)
            assert (await rpc.tx(hashlib.sha256(CAPTURED_TX).hexdigest())).height == height
            assert (await rpc.status()).network == "pyallora-capture"
            assert (await rpc.broadcast_tx_sync(b"second=tx")).code == 0
            with pytest.raises(CometRpcError):
                await rpc.block_results(height + 10_000)

    asyncio.run(scenario())


def test_rpc_errors_for_non_json_answers() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, text="bad gateway"))
    with (
        CometRpc("http://127.0.0.1:1", transport=transport) as rpc,
        pytest.raises(CometRpcError, match="not a JSON answer"),
    ):
        rpc.status()


def test_wait_for_height_is_bounded() -> None:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, json=RECORDED["status"]["response"])
    )
    reached = int(raw("status")["sync_info"]["latest_block_height"])
    with CometRpc("http://127.0.0.1:1", transport=transport) as rpc:
        assert rpc.wait_for_height(reached, timeout=1).latest_block_height == reached
        with pytest.raises(cometbft.CometBftTimeoutError, match=f"at height {reached}"):
            rpc.wait_for_height(reached + 1, timeout=0.2)


def test_broadcast_tx_sync_data_is_hex() -> None:
    from pyallora.node.cometbft import _parse_broadcast

    result = _parse_broadcast({"hash": "AB", "code": 0, "data": "0A0B", "log": ""})
    assert result.data == bytes.fromhex("0A0B")
