"""Register (PROTOCOL.md §3.2), RemoveRegistration (§3.3) and the §4.2 registration queries."""

from __future__ import annotations

import pytest
from emissions_helpers import EmissionsChain
from foundation_helpers import FUNDS

from pyallora.chain.emissions.registration.state import get_node_info, is_registered
from pyallora.chain.emissions.topics.state import get_topic_fee_revenue
from pyallora.proto.emissions.v5 import query_pb2, tx_pb2


@pytest.fixture
def chain() -> EmissionsChain:
    chain = EmissionsChain()
    chain.create_topic(0)
    return chain


def _register(
    chain: EmissionsChain, index: int, topic_id: int = 1, *, reputer: bool, owner: str | None = None
) -> tx_pb2.RegisterRequest:
    return tx_pb2.RegisterRequest(
        sender=chain.address(index),
        topic_id=topic_id,
        owner=chain.address(5) if owner is None else owner,
        is_reputer=reputer,
    )


def test_register_charges_the_fee_and_writes_node_info(chain: EmissionsChain) -> None:
    ecosystem = chain.module_balance("ecosystem")
    result = chain.ok(1, _register(chain, 1, reputer=False))
    assert chain.balance(1) == FUNDS - 200
    assert chain.module_balance("ecosystem") == ecosystem + 200
    assert get_topic_fee_revenue(chain.store, 1) == 75_200
    assert is_registered(chain.store, 1, chain.address(1), is_reputer=False)
    assert not is_registered(chain.store, 1, chain.address(1), is_reputer=True)
    info = get_node_info(chain.store, chain.address(1), is_reputer=False)
    assert info is not None
    assert (info.node_address, info.owner) == (chain.address(1), chain.address(5))
    assert any(event.type == "pyallora.emissions.EventRegistered" for event in result.events)
    # The same address may also register as reputer (a second message, a second fee).
    chain.ok(1, _register(chain, 1, reputer=True))
    assert chain.balance(1) == FUNDS - 400
    answer = chain.query(
        "IsWorkerRegisteredInTopicId",
        query_pb2.IsWorkerRegisteredInTopicIdRequest(topic_id=1, address=chain.address(1)),
    )
    assert answer.is_registered
    node = chain.query(
        "GetReputerNodeInfo", query_pb2.GetReputerNodeInfoRequest(address=chain.address(1))
    ).node_info
    assert (node.owner, node.node_address) == (chain.address(5), chain.address(1))


def test_register_rejections(chain: EmissionsChain) -> None:
    chain.ok(1, _register(chain, 1, reputer=True))
    chain.rejects(1, _register(chain, 1, reputer=True), "emissions", 8)
    chain.rejects(2, _register(chain, 2, 9, reputer=True), "emissions", 23)
    chain.rejects(2, _register(chain, 2, 0, reputer=True), "emissions", 23)
    chain.rejects(2, _register(chain, 2, reputer=True, owner="allo1xyz"), "sdk", 7)
    chain.rejects(2, _register(chain, 2, reputer=True, owner=""), "sdk", 7)


def test_register_without_funds_is_refused() -> None:
    chain = EmissionsChain(funds=100_000)
    chain.create_topic(0)
    chain.ok(1, tx_pb2.FundTopicRequest(sender=chain.address(1), topic_id=1, amount="99900"))
    chain.rejects(1, _register(chain, 1, reputer=False), "sdk", 5)


def test_remove_registration(chain: EmissionsChain) -> None:
    chain.ok(1, _register(chain, 1, reputer=False))
    remove = tx_pb2.RemoveRegistrationRequest(sender=chain.address(1), topic_id=1, is_reputer=True)
    chain.rejects(1, remove, "emissions", 10)
    remove.is_reputer = False
    balance = chain.balance(1)
    chain.ok(1, remove)
    assert not is_registered(chain.store, 1, chain.address(1), is_reputer=False)
    assert chain.balance(1) == balance  # nothing refunded
    assert get_node_info(chain.store, chain.address(1), is_reputer=False) is not None
    chain.rejects(1, remove, "emissions", 10)
    chain.rejects(
        1,
        tx_pb2.RemoveRegistrationRequest(sender=chain.address(1), topic_id=4, is_reputer=False),
        "emissions",
        23,
    )


def test_registration_queries(chain: EmissionsChain) -> None:
    missing = chain.query_result(
        "IsWorkerRegisteredInTopicId",
        query_pb2.IsWorkerRegisteredInTopicIdRequest(topic_id=3, address=chain.address(1)),
    )
    assert (missing.codespace, missing.code) == ("sdk", 38)
    unchecked = chain.query(
        "IsReputerRegisteredInTopicId",
        query_pb2.IsReputerRegisteredInTopicIdRequest(topic_id=3, address=chain.address(1)),
    )
    assert not unchecked.is_registered
    absent = chain.query_result(
        "GetWorkerNodeInfo", query_pb2.GetWorkerNodeInfoRequest(address=chain.address(1))
    )
    assert (absent.codespace, absent.code) == ("sdk", 38)
