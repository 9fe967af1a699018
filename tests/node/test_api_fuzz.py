"""Schema-driven fuzzing of the HTTP API: no request built from the OpenAPI description,
valid or not, gets a 5xx.

schemathesis generates requests for every operation of ``/openapi.json`` (a bounded,
derandomized number per operation) against a live solo node holding a chain with blocks,
transactions and a topic. The node caps inclusion waits at 50 ms, so long-poll parameters
cannot stall the run.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import schemathesis
from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from pyallora.client.keyring import Keyring
from pyallora.client.wallet import Wallet
from pyallora.node.config import load_node_config, save_node_config
from pyallora.node.home import compute_node_modules, init_node_home
from pyallora.node.runner import BackgroundNode
from pyallora.proto.emissions.v5 import tx_pb2 as emissions_tx

CHAIN_ID = "fuzz-test"
EXAMPLES_PER_OPERATION = 20
HAS_EMISSIONS = any(module.name == "emissions" for module in compute_node_modules())


@pytest.fixture(scope="module")
def fuzz_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundNode]:
    home = tmp_path_factory.mktemp("fuzz") / "home"
    init_node_home(home, chain_id=CHAIN_ID, engine="solo", accounts=[("alice", 10**21)])
    save_node_config(home, replace(load_node_config(home), max_page_size=20, max_wait_ms=50))
    node = BackgroundNode(home, block_time_ms=0)
    node.start()
    try:
        node.produce_block()
        alice = Wallet(
            Keyring(home / "keyring", backend="test").export("alice", passphrase=None).private_key
        )
        messages: list[Message] = [
            bank_tx.MsgSend(
                from_address=alice.address,
                to_address=alice.address,
                amount=[coin_pb2.Coin(denom="uallo", amount="1")],
            )
        ]
        if HAS_EMISSIONS:
            messages.append(
                emissions_tx.CreateNewTopicRequest(
                    creator=alice.address,
                    metadata="fuzz",
                    loss_method="mse",
                    epoch_length=3,
                    ground_truth_lag=3,
                    p_norm="3",
                    alpha_regret="0.1",
                    epsilon="0.01",
                    worker_submission_window=2,
                    merit_sortition_alpha="0.1",
                    active_inferer_quantile="0.25",
                    active_forecaster_quantile="0.25",
                    active_reputer_quantile="0.25",
                )
            )
            messages.append(
                emissions_tx.RegisterRequest(sender=alice.address, topic_id=1, owner=alice.address)
            )
        with httpx.Client(base_url=node.api_url) as http:
            account = http.get(f"/v1/accounts/{alice.address}").json()
            raw = alice.sign_tx(
                messages,
                chain_id=CHAIN_ID,
                account_number=account["account_number"],
                sequence=account["sequence"],
                gas=2_000_000,
            )
            posted = http.post("/v1/txs", json={"tx_bytes": base64.b64encode(raw).decode()})
            assert posted.json()["code"] == 0, posted.text
        for _ in range(8):
            node.produce_block()
        yield node
    finally:
        node.stop()


def _operations(url: str) -> list[Any]:
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        operations.append(operation)
    return operations


def _fuzz_operation(operation: Any, mode: Any, calls: dict[str, int], statuses: set[int]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(timeout=30)
        calls[label] = calls.get(label, 0) + 1
        statuses.add(response.status_code)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} {case.query} {case.body!r:.300} -> "
            f"{response.status_code}: {response.text[:500]}"
        )

    try:
        run()
    except Unsatisfiable:
        # negative mode cannot break an operation that takes no input at all
        raw = operation.definition.raw
        assert not raw.get("parameters") and not raw.get("requestBody"), label
        calls[label] = calls.get(label, 0)


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=lambda m: m.value)
def test_no_request_gets_a_server_error(fuzz_node: BackgroundNode, mode: Any) -> None:
    operations = _operations(fuzz_node.api_url)
    assert len(operations) >= 30
    calls: dict[str, int] = {}
    statuses: set[int] = set()
    for operation in operations:
        _fuzz_operation(operation, mode, calls, statuses)
    assert set(calls) == {f"{op.method.upper()} {op.path}" for op in operations}
    assert any(400 <= status < 500 for status in statuses)
