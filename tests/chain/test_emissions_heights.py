"""Heights and block delays stay inside int64; bad query arguments are InvalidArgument
(``pyallora.chain.emissions.heights``, PROTOCOL.md §2.1, §2.2, §1.2, §4).

* the review's repro (a topic with E = G = 2^63 − 1 made the next activation check overflow
  the key encoding and raise out of ``check_tx``) is refused with a stable code;
* topic lengths and height-delay parameters are bounded by ``MAX_BLOCK_DELAY``;
* on a chain started near the top of int64, a sum that leaves int64 is a typed rejection
  (emissions 52) in a transaction and a deactivation at an epoch end, never an exception;
* every text field of every query request must be a bech32 address and every height ≥ 0
  (sdk 18), and the largest int64 height is answered.
"""

from __future__ import annotations

import dataclasses

import pytest
from emissions2_harness import (
    TEST_PARAMS,
    Chain,
    add_stake_msg,
    codes,
    create_topic_msg,
    fund_topic_msg,
    register_msg,
)
from foundation_helpers import make_key
from google.protobuf.descriptor import FieldDescriptor

from pyallora.chain.abci_types import QueryRequest
from pyallora.chain.emissions.errors import (
    InvalidValueError,
    ValidationMustBeGreaterthanZeroError,
)
from pyallora.chain.emissions.heights import (
    MAX_BLOCK_DELAY,
    MAX_INT64,
    MAX_SAFE_HEIGHT,
    compute_later_height,
)
from pyallora.chain.emissions.params import BLOCK_DELAY_PARAMS, DEFAULT_PARAMS, validate_params
from pyallora.chain.emissions.stake.state import get_stake_removal_for_reputer_and_topic
from pyallora.chain.emissions.topics.state import get_next_churning_block, get_topic
from pyallora.proto.emissions.v5 import genesis_pb2, params_pb2
from pyallora.proto.emissions.v5 import query_pb2 as q
from pyallora.proto.emissions.v5 import tx_pb2 as tx

E_MAX = 2**63 - 1
SDK_INVALID_REQUEST = ("sdk", 18)
SDK_NOT_FOUND = ("sdk", 38)


def test_the_reviewers_repro_is_refused_with_a_stable_code() -> None:
    c = Chain(accounts=2)
    a, b = c.keys
    created = c.run_tx(
        a,
        create_topic_msg(a, epoch_length=E_MAX, ground_truth_lag=E_MAX, worker_submission_window=1),
    )
    assert (created.codespace, created.code) == SDK_INVALID_REQUEST
    assert "epoch length" in created.log
    assert get_topic(c.store, 1) is None
    registered = c.run_tx(b, register_msg(b, 1, reputer=True))
    staked = c.run_tx(b, add_stake_msg(b, 1, 10**12))
    assert [(r.codespace, r.code) for r in (registered, staked)] == [("emissions", 23)] * 2
    checked = c.app.check_tx(c.sign(a, fund_topic_msg(a, 1, 10**15)))
    assert (checked.codespace, checked.code) == SDK_NOT_FOUND


@pytest.mark.parametrize(
    ("epoch", "lag", "expected"),
    [
        (MAX_BLOCK_DELAY, MAX_BLOCK_DELAY, ("", 0)),
        (MAX_BLOCK_DELAY + 1, MAX_BLOCK_DELAY + 1, SDK_INVALID_REQUEST),
        (10, MAX_BLOCK_DELAY + 1, SDK_INVALID_REQUEST),
        (10, E_MAX, SDK_INVALID_REQUEST),
    ],
)
def test_topic_lengths_are_bounded(epoch: int, lag: int, expected: tuple[str, int]) -> None:
    chain = Chain(accounts=2, params=dataclasses.replace(TEST_PARAMS, min_epoch_length=1))
    creator, reputer = chain.keys
    result = chain.run_tx(
        creator,
        create_topic_msg(
            creator, epoch_length=epoch, ground_truth_lag=lag, worker_submission_window=1
        ),
    )
    assert (result.codespace, result.code) == expected
    if expected != ("", 0):
        return
    # At the bound, the activation check schedules the first epoch end at h + 2^40.
    txs = [
        chain.sign(reputer, register_msg(reputer, 1, reputer=True)),
        chain.sign(reputer, add_stake_msg(reputer, 1, 10**12)),
        chain.sign(creator, fund_topic_msg(creator, 1, 10**15)),
    ]
    block = chain.run_block(txs)
    assert codes(block) == [("", 0)] * 3
    assert get_next_churning_block(chain.store, 1) == chain.height + MAX_BLOCK_DELAY


@pytest.mark.parametrize("name", BLOCK_DELAY_PARAMS)
def test_height_delay_parameters_are_bounded(name: str) -> None:
    validate_params(dataclasses.replace(DEFAULT_PARAMS, **{name: MAX_BLOCK_DELAY}))
    for value in (MAX_BLOCK_DELAY + 1, E_MAX):
        with pytest.raises(ValidationMustBeGreaterthanZeroError):
            validate_params(dataclasses.replace(DEFAULT_PARAMS, **{name: value}))


def test_an_admin_cannot_set_a_removal_delay_that_overflows() -> None:
    admin = make_key(0)
    chain = Chain(
        accounts=2,
        extra_genesis=genesis_pb2.GenesisState(core_team_addresses=[admin.address]),
    )
    update = tx.UpdateParamsRequest(
        sender=admin.address,
        params=params_pb2.OptionalParams(remove_stake_delay_window=[E_MAX - 5]),
    )
    result = chain.run_tx(admin, update)
    assert (result.codespace, result.code) == ("emissions", 62)
    ok = chain.run_tx(
        admin,
        tx.UpdateParamsRequest(
            sender=admin.address, params=params_pb2.OptionalParams(remove_stake_delay_window=[123])
        ),
    )
    assert ok.code == 0


def test_checked_height_arithmetic() -> None:
    assert compute_later_height(MAX_INT64 - 3, 3, "x") == MAX_INT64
    assert compute_later_height(MAX_SAFE_HEIGHT, 3 * MAX_BLOCK_DELAY, "x") < MAX_INT64
    for height, delay in ((MAX_INT64 - 3, 4), (0, MAX_INT64 + 1), (5, -1)):
        with pytest.raises(InvalidValueError) as caught:
            compute_later_height(height, delay, "slot")
        assert (caught.value.codespace, caught.value.code) == ("emissions", 52)


# ---------------------------------------------------------------------------------------------
# A chain near the top of int64


TOP = MAX_INT64 - 100
"""Genesis ``initial_height`` of the chains below: 100 blocks below the largest height."""


def _near_the_top(remove_delay: int = 10) -> Chain:
    params = dataclasses.replace(TEST_PARAMS, remove_stake_delay_window=remove_delay)
    return Chain(accounts=3, params=params, initial_height=TOP)


def test_a_sum_past_int64_is_a_typed_rejection_in_a_transaction() -> None:
    chain = _near_the_top(remove_delay=1000)
    creator, reputer, _ = chain.keys
    topic = create_topic_msg(creator, epoch_length=200, ground_truth_lag=200)
    assert chain.run_tx(creator, topic).code == 0
    txs = [
        chain.sign(reputer, register_msg(reputer, 1, reputer=True)),
        chain.sign(reputer, add_stake_msg(reputer, 1, 10**12)),
    ]
    assert codes(chain.run_block(txs)) == [("", 0)] * 2
    fund = chain.sign(creator, fund_topic_msg(creator, 1, 10**15))
    checked = chain.app.check_tx(fund)
    assert (checked.codespace, checked.code) == ("emissions", 52)
    delivered = chain.run_block([fund]).tx_results[0]
    assert (delivered.codespace, delivered.code) == ("emissions", 52)
    assert get_next_churning_block(chain.store, 1) is None
    removal = tx.RemoveStakeRequest(sender=reputer.address, topic_id=1, amount="5")
    result = chain.run_tx(reputer, removal)
    assert (result.codespace, result.code) == ("emissions", 52)
    assert get_stake_removal_for_reputer_and_topic(chain.store, reputer.address, 1) is None


def test_a_reschedule_past_int64_deactivates_the_topic() -> None:
    chain = _near_the_top()
    creator, reputer, _ = chain.keys
    topic = create_topic_msg(creator, epoch_length=60, ground_truth_lag=60)
    assert chain.run_tx(creator, topic).code == 0
    txs = [
        chain.sign(reputer, register_msg(reputer, 1, reputer=True)),
        chain.sign(reputer, add_stake_msg(reputer, 1, 10**12)),
        chain.sign(creator, fund_topic_msg(creator, 1, 10**15)),
    ]
    assert codes(chain.run_block(txs)) == [("", 0)] * 3
    epoch_end = get_next_churning_block(chain.store, 1)
    assert epoch_end == chain.height + 60 and epoch_end + 60 > MAX_INT64
    chain.advance_to(epoch_end)
    result = chain.run_block()
    deactivated = [
        dict(event.attributes)
        for event in result.events
        if event.type == "pyallora.emissions.EventTopicDeactivated"
    ]
    assert deactivated == [{"topic_id": '"1"', "reason": '"height_overflow"', "mode": "EndBlock"}]
    assert get_next_churning_block(chain.store, 1) is None
    topic_after = get_topic(chain.store, 1)
    assert topic_after is not None and topic_after.epoch_last_ended == 0, "no nonce opened"


# ---------------------------------------------------------------------------------------------
# Query arguments


def _query_methods() -> list[str]:
    return [m.name for m in q.DESCRIPTOR.services_by_name["QueryService"].methods]


def _request(method: str, *, text: str, height: int) -> tuple[object, bool, bool]:
    """A request with every text field ``text`` and every height ``height``; whether it has
    text fields and height fields."""
    request = getattr(q, method + "Request")()
    has_text = has_height = False
    for field in request.DESCRIPTOR.fields:
        repeated = field.label == FieldDescriptor.LABEL_REPEATED
        if field.type == FieldDescriptor.TYPE_STRING:
            has_text = True
            if repeated:
                getattr(request, field.name).append(text)
            else:
                setattr(request, field.name, text)
        elif field.type == FieldDescriptor.TYPE_INT64:
            has_height = True
            setattr(request, field.name, height)
        elif field.type == FieldDescriptor.TYPE_UINT64:
            setattr(request, field.name, 1)
    return request, has_text, has_height


ADDRESS_FIELDS = frozenset(
    {
        "address",
        "addresses",
        "worker_address",
        "reputer_address",
        "delegator_address",
        "reputer",
        "delegator",
        "target",
        "inferer",
        "forecaster",
        "worker",
        "actor_id",
        "one_out_inferer",
        "one_out_forecaster",
    }
)


def test_every_text_field_of_a_query_request_is_an_address() -> None:
    for method in _query_methods():
        descriptor = getattr(q, method + "Request").DESCRIPTOR
        for field in descriptor.fields:
            if field.type == FieldDescriptor.TYPE_STRING:
                assert field.name in ADDRESS_FIELDS, (method, field.name)
            if field.type == FieldDescriptor.TYPE_INT64:
                assert "height" in field.name, (method, field.name)


@pytest.fixture(scope="module")
def busy_chain() -> Chain:
    chain = Chain(accounts=3)
    creator, worker, reputer = chain.keys
    assert chain.run_tx(creator, create_topic_msg(creator)).code == 0
    txs = [
        chain.sign(worker, register_msg(worker, 1, reputer=False)),
        chain.sign(reputer, register_msg(reputer, 1, reputer=True)),
        chain.sign(reputer, add_stake_msg(reputer, 1, 10**12)),
        chain.sign(creator, fund_topic_msg(creator, 1, 10**15)),
    ]
    assert codes(chain.run_block(txs)) == [("", 0)] * 4
    return chain


@pytest.mark.parametrize(
    "text", ["", "allo1\x00", "\x00", "x" * 500, "not-an-address", "cosmos1qqqqqqqqqqqqqqqqqq"]
)
def test_garbage_addresses_are_invalid_arguments(busy_chain: Chain, text: str) -> None:
    for method in _query_methods():
        request, has_text, _ = _request(method, text=text, height=1)
        if not has_text:
            continue
        code = busy_chain.query_code(method, request)  # type: ignore[arg-type]
        if method == "GetMultiReputerStakeInTopic":
            assert code == ("", 0), method  # §4.5: invalid addresses read as stake 0
        else:
            assert code == SDK_INVALID_REQUEST, (method, code)
    multi = busy_chain.query(
        "GetMultiReputerStakeInTopic",
        q.GetMultiReputerStakeInTopicRequest(
            topic_id=1, addresses=[text, busy_chain.keys[2].address]
        ),
        q.GetMultiReputerStakeInTopicResponse,
    )
    assert [(s.reputer, s.amount) for s in multi.amounts] == [
        (text, "0"),
        (busy_chain.keys[2].address, str(10**12)),
    ]


def test_heights_are_bounded(busy_chain: Chain) -> None:
    address = busy_chain.keys[2].address
    answered = 0
    for method in _query_methods():
        request, _, has_height = _request(method, text=address, height=-1)
        if not has_height:
            continue
        assert busy_chain.query_code(method, request) == SDK_INVALID_REQUEST, method  # type: ignore[arg-type]
        for height in (0, MAX_INT64 - 1, MAX_INT64):
            request, _, _ = _request(method, text=address, height=height)
            codespace, code = busy_chain.query_code(method, request)  # type: ignore[arg-type]
            assert (codespace, code) in (("", 0), SDK_NOT_FOUND), (method, height, code)
            answered += code == 0
    assert answered > 20


def test_window_queries_refuse_garbage_arguments(busy_chain: Chain) -> None:
    for body in (
        b'{"topic_id": "1", "address": "allo1\\u0000"}',
        b'{"topic_id": "1", "address": ""}',
        b'{"topic_id": "99999999999999999999", "address": "x"}',
        '{"topic_id": "\u0663", "address": "x"}'.encode(),
    ):
        result = busy_chain.app.query(
            QueryRequest(
                path="/json/pyallora.emissions.v1.QueryService/CanSubmitWorkerPayload", data=body
            )
        )
        assert (result.codespace, result.code) == SDK_INVALID_REQUEST, body
