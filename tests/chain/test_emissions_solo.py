"""The emissions module driven by the in-process node (node/solo.py): mempool admission,
block production and query routing by gRPC method path, protobuf and JSON forms."""

from __future__ import annotations

import json

from emissions_helpers import GAS, topic_request
from foundation_helpers import CHAIN_ID, FUNDS, GENESIS_TIME_NS, make_key

from pyallora.chain.abci_types import QueryRequest
from pyallora.chain.app import compute_default_modules
from pyallora.chain.emissions.invariants import validate_emissions_invariants
from pyallora.chain.emissions.module import EmissionsModule
from pyallora.chain.genesis import build_genesis
from pyallora.client.tx import build_tx
from pyallora.core.crypto import sha256
from pyallora.node.solo import SoloNode
from pyallora.proto.emissions.v5 import query_pb2, tx_pb2


def test_solo_node_creates_funds_and_activates_a_topic() -> None:
    keys = [make_key(index) for index in range(2)]
    modules = (*compute_default_modules(), EmissionsModule())
    params = EmissionsModule().default_genesis()["params"]
    params["min_epoch_length"] = "1"
    genesis = build_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=GENESIS_TIME_NS,
        modules=modules,
        balances=[(key.address, FUNDS) for key in keys],
        overrides={"emissions": {"params": params, "core_team_addresses": [keys[0].address]}},
    )
    node = SoloNode.open(genesis, modules=modules)
    try:
        creator, reputer = keys
        first = build_tx(
            [topic_request(creator.address)],
            private_key=creator,
            chain_id=CHAIN_ID,
            account_number=0,
            sequence=0,
            fee_amount=0,
            gas_limit=GAS,
        )
        second = build_tx(
            [
                tx_pb2.RegisterRequest(
                    sender=reputer.address, topic_id=1, owner=reputer.address, is_reputer=True
                ),
                tx_pb2.AddStakeRequest(sender=reputer.address, topic_id=1, amount="10000"),
            ],
            private_key=reputer,
            chain_id=CHAIN_ID,
            account_number=1,
            sequence=0,
            fee_amount=0,
            gas_limit=GAS,
        )
        assert node.submit(first).code == 0
        assert node.submit(second).code == 0
        node.produce_block()
        for tx in (first, second):
            indexed = node.get_tx_result(sha256(tx))
            assert indexed is not None and indexed.result.code == 0, indexed
        validate_emissions_invariants(node.app.committed_store, node.height)  # type: ignore[attr-defined]
        raw = node.app.query(
            QueryRequest(
                path="/emissions.v5.QueryService/GetNextChurningBlockByTopicId",
                data=query_pb2.GetNextChurningBlockByTopicIdRequest(topic_id=1).SerializeToString(),
            )
        )
        assert query_pb2.GetNextChurningBlockByTopicIdResponse.FromString(
            raw.value
        ).block_height == (node.height + 10)
        as_json = node.app.query(
            QueryRequest(
                path="/json/emissions.v5.QueryService/GetTopicStake", data=b'{"topic_id": "1"}'
            )
        )
        assert json.loads(as_json.value) == {"amount": "10000"}
        for _ in range(10):  # an epoch end included; invariants after every block
            node.produce_block()
            validate_emissions_invariants(node.app.committed_store, node.height)  # type: ignore[attr-defined]
    finally:
        node.close()
