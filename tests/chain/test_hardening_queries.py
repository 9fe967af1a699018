"""B1: a request that cannot be turned into store keys is an error code, never a crash.

Anyone can send ``abci_query`` and anyone can put a message in a tx, so a NUL byte in an
address or a height at the end of int64 must not raise out of the application (the ABCI
server would stop, and inside a block every node would halt). The application maps
:class:`~pyallora.chain.store.collections.KeyEncodingError` to ``InvalidRequest`` (sdk 18) at
its boundary, and only that: a corrupt-state ``CodecError`` or any other exception is a bug and
still propagates.

The fuzz test sends every registered query path requests whose fields are drawn from extreme
values (NUL bytes, int64/uint64 bounds, empty and invalid bech32 strings, long strings), in the
protobuf and the JSON forms, against a chain holding a topic, registrations and stake.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from cosmpy.protos.cosmos.crisis.v1beta1 import tx_pb2 as crisis_tx
from foundation_helpers import CHAIN_ID, make_funded_app, run_block
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_standard_modules_support import Chain, operator_of

from pyallora.chain.abci_types import QueryRequest
from pyallora.chain.app import App, compute_default_modules
from pyallora.chain.context import Context
from pyallora.chain.module import BaseModule, MsgHandler, QueryHandler
from pyallora.chain.modules import build_standard_modules
from pyallora.chain.store.collections import STR_KEY, STR_VALUE, CodecError, Map
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.chain.store.schema import StorePrefix
from pyallora.client.tx import build_tx, pack_any
from pyallora.proto.emissions.v5 import query_pb2, tx_pb2
from pyallora.storage import MemoryCommittedStore

EMISSIONS_QUERY = "/emissions.v5.QueryService/"

# ---------------------------------------------------------------------------------------------
# The reviewer's reproductions


def test_whitelist_admin_query_with_a_nul_address_is_an_error_code() -> None:
    app = App(MemoryCommittedStore(), modules=build_standard_modules(include_emissions=True))
    request = query_pb2.IsWhitelistAdminRequest(address="\x00")
    result = app.query(
        QueryRequest(path=EMISSIONS_QUERY + "IsWhitelistAdmin", data=request.SerializeToString())
    )
    assert result.code != 0
    assert result.codespace in ("sdk", "emissions")
    assert result.log


def test_removals_up_until_the_last_int64_height_are_answered() -> None:
    # Before the fix the key of ``height + 1`` could not be encoded and the query raised.
    # What the answer is (empty, or an error) is the emissions module's business.
    app = App(MemoryCommittedStore(), modules=build_standard_modules(include_emissions=True))
    for method, request in (
        ("GetStakeRemovalsUpUntilBlock", query_pb2.GetStakeRemovalsUpUntilBlockRequest),
        (
            "GetDelegateStakeRemovalsUpUntilBlock",
            query_pb2.GetDelegateStakeRemovalsUpUntilBlockRequest,
        ),
    ):
        data = request(block_height=2**63 - 1).SerializeToString()
        result = app.query(QueryRequest(path=EMISSIONS_QUERY + method, data=data))
        assert result.code == 0 or result.codespace in ("sdk", "emissions"), method
        as_json = app.query(
            QueryRequest(
                path="/json" + EMISSIONS_QUERY + method,
                data=b'{"block_height":"9223372036854775807"}',
            )
        )
        assert (as_json.codespace, as_json.code) == (result.codespace, result.code), method


# ---------------------------------------------------------------------------------------------
# The boundary itself, with a probe module independent of any module's own validation

PROBE = Map(
    StorePrefix(module="probe", name="probe/values", prefix=b"\xee\x01", doc="test only"),
    STR_KEY,
    STR_VALUE,
)
PROBE_MSG = "/" + crisis_tx.MsgVerifyInvariant.DESCRIPTOR.full_name


def _probe_handle(ctx: Context, store: KVStore, msg: crisis_tx.MsgVerifyInvariant) -> Message:
    PROBE.set(store, "written-before-the-failure", "x")
    PROBE.get(store, msg.invariant_route)  # a NUL here cannot be encoded
    return crisis_tx.MsgVerifyInvariantResponse()


def _probe_query(
    ctx: Any, store: ReadableKVStore, request: crisis_tx.MsgVerifyInvariant
) -> Message:
    if request.invariant_module_name == "corrupt":
        raise CodecError("corrupt stored value")  # a bug: must not be hidden
    if request.invariant_module_name == "bug":
        raise ZeroDivisionError("a plain bug")
    PROBE.has(store, request.invariant_route)
    return crisis_tx.MsgVerifyInvariantResponse()


class ProbeModule(BaseModule):
    """One message and one query that look a request's string up as a store key."""

    name = "probe"

    def msg_handlers(self) -> tuple[MsgHandler[Any], ...]:
        return (
            MsgHandler(
                type_url=PROBE_MSG,
                decode=crisis_tx.MsgVerifyInvariant.FromString,
                validate_basic=lambda msg: None,
                get_signers=lambda msg: (msg.sender,),
                handle=_probe_handle,
            ),
        )

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        return (
            QueryHandler(
                path="/probe.Query/Get",
                request_type=crisis_tx.MsgVerifyInvariant,
                handle=_probe_query,
            ),
        )


def _probe_app() -> tuple[App, Any]:
    app, keys = make_funded_app(2, modules=(*compute_default_modules(), ProbeModule()))
    return app, keys


def _probe_query_result(app: App, module_name: str, route: str) -> Any:
    data = crisis_tx.MsgVerifyInvariant(
        invariant_module_name=module_name, invariant_route=route
    ).SerializeToString()
    return app.query(QueryRequest(path="/probe.Query/Get", data=data))


def test_a_key_encoding_error_in_a_query_is_invalid_request() -> None:
    app, _ = _probe_app()
    ok = _probe_query_result(app, "", "fine")
    assert ok.code == 0
    bad = _probe_query_result(app, "", "a\x00b")
    assert (bad.codespace, bad.code) == ("sdk", 18)
    assert "NUL" in bad.log
    assert bad.height == app.last_height


def test_other_errors_in_a_query_are_bugs_and_propagate() -> None:
    app, _ = _probe_app()
    with pytest.raises(CodecError, match="corrupt"):
        _probe_query_result(app, "corrupt", "x")
    with pytest.raises(ZeroDivisionError):
        _probe_query_result(app, "bug", "x")


def _probe_tx(key: Any, route: str, sequence: int) -> bytes:
    message = crisis_tx.MsgVerifyInvariant(
        sender=key.address, invariant_module_name="m", invariant_route=route
    )
    return build_tx(
        [pack_any(message)],
        private_key=key,
        chain_id=CHAIN_ID,
        account_number=0,
        sequence=sequence,
        fee_amount=7,
        gas_limit=200_000,
    )


def test_a_key_encoding_error_in_a_message_fails_the_tx_not_the_node() -> None:
    app, keys = _probe_app()
    bad = _probe_tx(keys[0], "\x00", 0)
    checked = app.check_tx(bad)
    assert (checked.codespace, checked.code) == ("sdk", 18)
    result = run_block(app, [bad, _probe_tx(keys[0], "fine", 1)])
    assert [(r.codespace, r.code) for r in result.tx_results] == [("sdk", 18), ("", 0)]
    # The failed message's own write is gone; the next tx of the block ran normally.
    assert PROBE.get(app.committed_store, "written-before-the-failure") == "x"
    assert app.last_height == 2


def test_a_nul_in_an_emissions_message_fails_the_tx_not_the_node() -> None:
    chain = Chain.start(include_emissions=True)
    chain.block()
    key = chain.keys[3]
    messages: list[Message] = [
        tx_pb2.CancelRemoveDelegateStakeRequest(
            sender=key.address,
            topic_id=1,
            reputer=chain.keys[4].address + "\x00",
            delegator=key.address,
        ),
        tx_pb2.RemoveDelegateStakeRequest(
            sender=key.address, topic_id=1, reputer="\x00", amount="1"
        ),
    ]
    for message in messages:
        checked = chain.app.check_tx(chain.sign(key, [message]))
        assert checked.code != 0, message
        result = chain.submit(key, message)
        assert result.code != 0 and result.codespace in ("sdk", "emissions"), result.log
    chain.block()  # the chain goes on


# ---------------------------------------------------------------------------------------------
# Fuzzing every registered query path

STRINGS = (
    "",
    "\x00",
    "allo1\x00",
    "a\x00b",
    "allo1invalid",
    "allo1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
    "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu",
    "allovaloper1xyz",
    "ALLO1QYPQXPQ9QCRSSZG2PVXQ6RS0ZQG3YYC5Z2T7N4",
    "x" * 600,
    "é\u2028",
    "-1",
    "1e400",
    "NaN",
    "0.5",
    "99999999999999999999999999999999999999999999999999",
    "uallo",
)
INT64 = (0, 1, -1, 2**63 - 1, -(2**63), 2**62)
UINT64 = (0, 1, 2**63 - 1, 2**63, 2**64 - 1)
INT32 = (0, 1, -1, 2**31 - 1, -(2**31))
UINT32 = (0, 1, 2**32 - 1)
BYTES = (b"", b"\x00", b"\xff" * 300, b"\x00" * 20)


def _scalar(field: FieldDescriptor, addresses: tuple[str, ...]) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        return st.sampled_from(STRINGS + addresses) | st.text(max_size=12)
    if kind in (
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_SFIXED64,
    ):
        return st.sampled_from(INT64) | st.integers(-(2**63), 2**63 - 1)
    if kind in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return st.sampled_from(UINT64) | st.integers(0, 2**64 - 1)
    if kind in (
        FieldDescriptor.TYPE_INT32,
        FieldDescriptor.TYPE_SINT32,
        FieldDescriptor.TYPE_SFIXED32,
    ):
        return st.sampled_from(INT32)
    if kind in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return st.sampled_from(UINT32)
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.sampled_from(BYTES) | st.binary(max_size=40)
    if kind == FieldDescriptor.TYPE_ENUM:
        return st.integers(-1, 4)
    return st.nothing()


def _fields(
    descriptor: Descriptor, addresses: tuple[str, ...], depth: int
) -> st.SearchStrategy[dict[str, Any]]:
    """Optional values for every field (nested messages as dicts, two levels deep)."""
    strategies: dict[str, st.SearchStrategy[Any]] = {}
    for field in descriptor.fields:
        inner: st.SearchStrategy[Any]
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth >= 2 or field.message_type.GetOptions().map_entry:
                continue
            inner = _fields(field.message_type, addresses, depth + 1)
        elif field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            continue
        else:
            inner = _scalar(field, addresses)
        if field.label == FieldDescriptor.LABEL_REPEATED:
            inner = st.lists(inner, max_size=3)
        strategies[field.name] = inner
    return st.fixed_dictionaries({}, optional=strategies)


def _fill(message: Message, values: dict[str, Any]) -> None:
    for name, value in values.items():
        field = message.DESCRIPTOR.fields_by_name[name]
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if field.label == FieldDescriptor.LABEL_REPEATED:
                for entry in value:
                    _fill(getattr(message, name).add(), entry)
            else:
                getattr(message, name).SetInParent()
                _fill(getattr(message, name), value)
        elif field.label == FieldDescriptor.LABEL_REPEATED:
            getattr(message, name).extend(value)
        else:
            setattr(message, name, value)


@functools.cache
def _populated_chain() -> Chain:
    """Standard modules and emissions, one topic with a worker, a reputer and stake."""
    chain = Chain.start(include_emissions=True)
    chain.block()
    creator, worker, reputer = chain.keys[0], chain.keys[1], chain.keys[2]
    steps: list[tuple[Any, Message]] = [
        (
            creator,
            tx_pb2.CreateNewTopicRequest(
                creator=creator.address,
                metadata="fuzz",
                loss_method="mse",
                epoch_length=12,
                ground_truth_lag=12,
                p_norm="3",
                alpha_regret="0.1",
                epsilon="0.01",
                worker_submission_window=5,
                merit_sortition_alpha="0.1",
                active_inferer_quantile="0.25",
                active_forecaster_quantile="0.25",
                active_reputer_quantile="0.25",
            ),
        ),
        (worker, tx_pb2.RegisterRequest(sender=worker.address, topic_id=1, owner=worker.address)),
        (
            reputer,
            tx_pb2.RegisterRequest(
                sender=reputer.address, topic_id=1, owner=reputer.address, is_reputer=True
            ),
        ),
        (reputer, tx_pb2.AddStakeRequest(sender=reputer.address, topic_id=1, amount="1000")),
    ]
    for key, message in steps:
        result = chain.submit(key, message)
        assert result.code == 0, result.log
    chain.run(3)
    return chain


def _query_paths() -> list[tuple[str, type[Message]]]:
    return sorted(
        (query.path, query.request_type)
        for module in build_standard_modules(include_emissions=True)
        for query in module.query_handlers()
    )


def _check_answer(app: App, path: str, data: bytes) -> None:
    result = app.query(QueryRequest(path=path, data=data))
    if result.code != 0:
        assert result.codespace, (path, result.log)
        assert result.log, path


def _fuzz(path: str, request_type: type[Message]) -> Callable[[], None]:
    chain = _populated_chain()
    addresses = (*(key.address for key in chain.keys[:3]), operator_of(chain.keys[0]))

    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(values=_fields(request_type.DESCRIPTOR, addresses, 0))
    def run(values: dict[str, Any]) -> None:
        message = request_type()
        _fill(message, values)
        _check_answer(chain.app, path, message.SerializeToString())
        as_json = json_format.MessageToJson(message, preserving_proto_field_name=True)
        _check_answer(chain.app, "/json" + path, as_json.encode("utf-8"))

    return run


@pytest.mark.parametrize(("path", "request_type"), _query_paths(), ids=lambda value: str(value))
def test_no_query_request_escapes_the_application(path: str, request_type: type[Message]) -> None:
    _fuzz(path, request_type)()


def test_the_fuzz_covers_every_path_of_a_populated_chain() -> None:
    paths = [path for path, _ in _query_paths()]
    assert len(paths) == len(set(paths)) > 100
    assert any(path.startswith(EMISSIONS_QUERY) for path in paths)
    # The handlers get past "not found": the topic, the registrations and the stake exist.
    chain = _populated_chain()
    for method, request in (
        ("GetTopic", query_pb2.GetTopicRequest(topic_id=1)),
        (
            "GetReputerStakeInTopic",
            query_pb2.GetReputerStakeInTopicRequest(topic_id=1, address=chain.keys[2].address),
        ),
    ):
        result = chain.app.query(
            QueryRequest(path=EMISSIONS_QUERY + method, data=request.SerializeToString())
        )
        assert result.code == 0 and result.value, method
