"""Every emissions message with extreme integers and hostile text goes through ``check_tx`` and
``finalize_block`` without an exception escaping, and a rejected message leaves no trace
(PROTOCOL.md §3; STYLE.md §3.3: any exception other than a ``ConsensusError`` is a bug).

For each of the 16 messages, Hypothesis fills every field from pools of extreme values: int64
and uint64 bounds, heights past 2^40, NUL bytes and garbage in address, Dec and Int text,
empty and oversized strings, arbitrary bytes. Targeted strategies add what a generic one
cannot reach: signed worker and reputer payloads (so that the handlers run) with extreme
nonces, inner heights and values, and one-tx topic lifecycles (a removal delay, a topic with
extreme lengths but valid Dec knobs, registration, stake, funding, a stake removal).

Per example, on a chain with an active topic, a registered worker and reputer, stake, a
delegation and an open worker nonce:

* ``check_tx`` answers (never raises);
* if it refuses, the same tx delivered in the next block is refused with the same code, and
  the block's app hash equals that of a reference block whose only tx differs by a message
  that fails on a read (or of an empty block when the tx was refused before the ante): the
  refused message wrote nothing;
* if it accepts, the tx is delivered and committed (so later examples see the new state:
  topics created by earlier examples are funded, staked and scheduled by later ones).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from emissions2_harness import (
    Chain,
    add_stake_msg,
    create_topic_msg,
    delegate_msg,
    fund_topic_msg,
    register_msg,
    reputer_payload_msg,
    value_bundle,
    worker_payload_msg,
)
from foundation_helpers import make_key
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pyallora.chain.emissions.module import EmissionsModule
from pyallora.chain.emissions.topics.state import get_next_topic_id
from pyallora.client.keys import PrivateKey
from pyallora.proto.emissions.v5 import genesis_pb2, params_pb2
from pyallora.proto.emissions.v5 import query_pb2 as q
from pyallora.proto.emissions.v5 import tx_pb2 as tx

TOPIC = 1

INT64_EXTREMES = (-(2**63), -(2**62), -1, 0, 1, 2, 5, 10, 2**31, 2**40, 2**40 + 1, 2**62)
INT64_EXTREMES += (2**63 - 2**40, 2**63 - 2, 2**63 - 1)
INT64 = st.one_of(st.sampled_from(INT64_EXTREMES), st.integers(-(2**63), 2**63 - 1))
UINT64 = st.one_of(
    st.sampled_from((0, 1, 2, 3, 2**32, 2**63, 2**64 - 1)), st.integers(0, 2**64 - 1)
)
TEXT_EXTREMES = (
    "",
    "\x00",
    "allo1\x00",
    "x" * 300,
    "NaN",
    "-NaN",
    "Infinity",
    "-1",
    "0",
    "-0",
    "1",
    "10",
    "0.5",
    "3",
    "1E+2147483647",
    "1E-2147483648",
    "1e-7",
    "1_0",
    " 1",
    "\u0663",
    "9" * 90,
    "-" + "9" * 90,
    "mse",
)
SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=24
)  # no lone surrogates: protobuf could not encode them
BYTES = st.one_of(
    st.sampled_from((b"", b"\x00" * 64, b"\x02" + b"\x01" * 32)), st.binary(max_size=70)
)


def _texts(addresses: list[str]) -> st.SearchStrategy[str]:
    pool = [*addresses, *(a + "\x00" for a in addresses[:1]), *TEXT_EXTREMES]
    return st.one_of(st.sampled_from(pool), SAFE_TEXT)


def _message(
    descriptor: Descriptor, addresses: list[str], depth: int
) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments of a message of ``descriptor`` (fields optional)."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for field in descriptor.fields:
        fields[field.name] = _field(field, addresses, depth)
    return st.fixed_dictionaries({}, optional=fields)


def _field(field: FieldDescriptor, addresses: list[str], depth: int) -> st.SearchStrategy[Any]:
    single: st.SearchStrategy[Any]
    if field.type == FieldDescriptor.TYPE_STRING:
        single = _texts(addresses)
    elif field.type == FieldDescriptor.TYPE_INT64:
        single = INT64
    elif field.type == FieldDescriptor.TYPE_UINT64:
        single = UINT64
    elif field.type == FieldDescriptor.TYPE_BOOL:
        single = st.booleans()
    elif field.type == FieldDescriptor.TYPE_BYTES:
        single = BYTES
    elif field.type == FieldDescriptor.TYPE_ENUM:
        single = st.sampled_from([value.number for value in field.enum_type.values])
    elif field.type == FieldDescriptor.TYPE_MESSAGE and depth < 3:
        message_class = field.message_type._concrete_class
        single = _message(field.message_type, addresses, depth + 1).map(
            lambda kwargs, cls=message_class: cls(**kwargs)
        )
    else:
        return st.nothing()
    if field.label == FieldDescriptor.LABEL_REPEATED:
        return st.lists(single, max_size=2)
    return single


Example = tuple[PrivateKey, tuple[Message, ...]]
"""A signer and the messages of its tx."""

Strategy = Callable[[Chain], st.SearchStrategy[Example]]
"""Examples for a chain built by :func:`build_chain`."""


def _topic_ids(chain: Chain) -> st.SearchStrategy[int]:
    """The topic of the fixture, the topics the examples may have created, and extremes."""
    return st.one_of(st.sampled_from((TOPIC, TOPIC + 1, TOPIC + 2)), UINT64)


def _generic(message_class: type[Message]) -> Strategy:
    def build(chain: Chain) -> st.SearchStrategy[Example]:
        keys = chain.keys
        addresses = [key.address for key in keys]

        @st.composite
        def draw(data: st.DrawFn) -> Example:
            key = data(st.sampled_from(keys))
            kwargs = data(_message(message_class.DESCRIPTOR, addresses, 0))
            for name in ("sender", "creator"):
                if name in message_class.DESCRIPTOR.fields_by_name:
                    kwargs[name] = data(st.one_of(st.just(key.address), _texts(addresses)))
            if "topic_id" in message_class.DESCRIPTOR.fields_by_name:
                kwargs["topic_id"] = data(_topic_ids(chain))
            return key, (message_class(**kwargs),)

        return draw()

    return build


def _signed_worker(chain: Chain) -> st.SearchStrategy[Example]:
    keys = chain.keys
    addresses = [key.address for key in keys]

    @st.composite
    def draw(data: st.DrawFn) -> Example:
        key = data(st.sampled_from(keys))
        forecast = data(
            st.none() | st.lists(st.tuples(_texts(addresses), _texts(addresses)), max_size=3)
        )
        open_nonces = chain.query(
            "GetUnfulfilledWorkerNonces",
            q.GetUnfulfilledWorkerNoncesRequest(topic_id=TOPIC),
            q.GetUnfulfilledWorkerNoncesResponse,
        ).nonces.nonces
        nonces = [n.block_height for n in open_nonces]
        message = worker_payload_msg(
            key,
            topic_id=data(_topic_ids(chain)),
            nonce=data(st.one_of(st.sampled_from(nonces or [0]), INT64)),
            value=data(st.none() | _texts(addresses)),
            forecast=forecast,
            inner_height=data(st.none() | INT64),
        )
        return key, (message,)

    return draw()


def _signed_reputer(chain: Chain) -> st.SearchStrategy[Example]:
    keys = chain.keys
    addresses = [key.address for key in keys]
    pairs = st.lists(st.tuples(_texts(addresses), _texts(addresses)), max_size=3)

    @st.composite
    def draw(data: st.DrawFn) -> Example:
        key = data(st.sampled_from(keys))
        bundle = value_bundle(
            key.address,
            topic_id=data(_topic_ids(chain)),
            nonce=data(INT64),
            combined=data(_texts(addresses)),
            naive=data(_texts(addresses)),
            inferers=data(pairs),
            forecasters=data(pairs),
            one_out_inferers=data(pairs),
        )
        return key, (reputer_payload_msg(key, bundle),)

    return draw()


def lifecycle(
    chain: Chain, *, epoch: int, lag: int, window: int, delay: int | None
) -> tuple[Message, ...]:
    """The admin's one-tx topic lifecycle: maybe a new removal delay, a topic with the given
    lengths, then registration, stake, funding (the activation check) and a stake removal."""
    key = chain.keys[0]
    topic_id = get_next_topic_id(chain.store)
    messages: list[Message] = []
    if delay is not None:
        messages.append(
            tx.UpdateParamsRequest(
                sender=key.address,
                params=params_pb2.OptionalParams(remove_stake_delay_window=[delay]),
            )
        )
    return (
        *messages,
        create_topic_msg(
            key, epoch_length=epoch, ground_truth_lag=lag, worker_submission_window=window
        ),
        register_msg(key, topic_id, reputer=True),
        add_stake_msg(key, topic_id, 10**12),
        fund_topic_msg(key, topic_id, 10**15),
        tx.RemoveStakeRequest(sender=key.address, topic_id=topic_id, amount="1"),
    )


HIGH = (2**63 - 1, 2**63 - 2, 2**63 - 2**40, 2**40, 2**40 + 1)
"""Lengths and delays near the bounds (the first three overflow any height + them)."""


def _topic_lifecycle(chain: Chain) -> st.SearchStrategy[Example]:
    high = st.one_of(st.sampled_from(HIGH), INT64)

    @st.composite
    def draw(data: st.DrawFn) -> Example:
        epoch = data(high)
        messages = lifecycle(
            chain,
            epoch=epoch,
            lag=data(st.one_of(st.just(epoch), high)),
            window=data(st.one_of(st.just(1), INT64)),
            delay=data(st.none() | high),
        )
        return chain.keys[0], messages

    return draw()


def _pinned_lifecycles(chain: Chain) -> list[Example]:
    """The review's repro in one tx (E = G = 2^63 − 1), and a removal delay of 2^63 − 1."""
    return [
        (chain.keys[0], lifecycle(chain, epoch=2**63 - 1, lag=2**63 - 1, window=1, delay=None)),
        (chain.keys[0], lifecycle(chain, epoch=10, lag=20, window=5, delay=2**63 - 1)),
    ]


def _amounts(chain: Chain) -> st.SearchStrategy[Example]:
    keys = chain.keys
    amount = st.one_of(st.sampled_from(TEXT_EXTREMES), st.integers(-(2**300), 2**300).map(str))

    @st.composite
    def draw(data: st.DrawFn) -> Example:
        key = data(st.sampled_from(keys))
        kind = data(st.sampled_from(["fund", "stake", "remove", "delegate", "undelegate"]))
        topic_id = data(_topic_ids(chain))
        value = data(amount)
        reputer = keys[2].address
        message: Message
        if kind == "fund":
            message = tx.FundTopicRequest(sender=key.address, topic_id=topic_id, amount=value)
        elif kind == "stake":
            message = tx.AddStakeRequest(sender=key.address, topic_id=topic_id, amount=value)
        elif kind == "remove":
            message = tx.RemoveStakeRequest(sender=key.address, topic_id=topic_id, amount=value)
        elif kind == "delegate":
            message = tx.DelegateStakeRequest(
                sender=key.address, topic_id=topic_id, reputer=reputer, amount=value
            )
        else:
            message = tx.RemoveDelegateStakeRequest(
                sender=key.address, topic_id=topic_id, reputer=reputer, amount=value
            )
        return key, (message,)

    return draw()


TYPE_URLS = [route.type_url for route in EmissionsModule().msg_handlers()]
STRATEGIES: dict[str, Strategy] = {
    url: _generic(getattr(tx, url.rsplit(".", 1)[1])) for url in TYPE_URLS
}
STRATEGIES["signed worker payload"] = _signed_worker
STRATEGIES["signed reputer payload"] = _signed_reputer
STRATEGIES["topic lifecycle"] = _topic_lifecycle
STRATEGIES["amounts"] = _amounts

PINNED: dict[str, Callable[[Chain], list[Example]]] = {"topic lifecycle": _pinned_lifecycles}
"""Examples every run tries first (regressions)."""


def build_chain() -> Chain:
    """Admin, worker, reputer (staked, with a delegator) of an active topic whose worker
    nonce is open."""
    admin = make_key(0)
    chain = Chain(
        accounts=4,
        extra_genesis=genesis_pb2.GenesisState(core_team_addresses=[admin.address]),
    )
    creator, worker, reputer, delegator = chain.keys
    assert chain.run_tx(creator, create_topic_msg(creator)).code == 0
    txs = [
        chain.sign(worker, register_msg(worker, TOPIC, reputer=False)),
        chain.sign(reputer, register_msg(reputer, TOPIC, reputer=True)),
        chain.sign(reputer, add_stake_msg(reputer, TOPIC, 10**12)),
        chain.sign(delegator, delegate_msg(delegator, TOPIC, reputer.address, 10**6)),
        chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**15)),
    ]
    assert all(r.code == 0 for r in chain.run_block(txs).tx_results)
    chain.advance_to(chain.height + 11)  # the first epoch end opened worker nonce
    return chain


def check_messages(chain: Chain, key: PrivateKey, messages: tuple[Message, ...]) -> None:
    """The per-example property (module docstring)."""
    chain.reset_pending()
    raw = chain.sign(key, *messages)
    chain.reset_pending()
    checked = chain.app.check_tx(raw)
    if checked.code == 0:
        chain.run_block([raw])
        return
    delivered = chain.finalize([raw])
    result = delivered.tx_results[0]
    assert (result.codespace, result.code) == (checked.codespace, checked.code), result.log
    if result.gas_used == 0:
        reference: list[bytes] = []
    else:
        probe = tx.CancelRemoveStakeRequest(sender=key.address, topic_id=2**63)
        reference = [chain.sign(key, probe)]
        chain.reset_pending()
        assert chain.finalize(reference).tx_results[0].code != 0
    assert (
        chain.finalize(reference).app_hash == delivered.app_hash
    ), f"the refused message left a trace: {result.log}"


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_extreme_fields_never_escape_check_tx(name: str) -> None:
    chain = build_chain()
    strategy = STRATEGIES[name](chain)
    outcomes: dict[str, int] = {"refused": 0, "accepted": 0}

    def run(example: Example) -> None:
        key, messages = example
        height = chain.height
        check_messages(chain, key, messages)
        outcomes["accepted" if chain.height > height else "refused"] += 1

    test = given(example=strategy)(run)
    for pinned in PINNED.get(name, lambda _: [])(chain):
        test = example(example=pinned)(test)
    settings(max_examples=40, deadline=None, database=None)(test)()
    assert outcomes["refused"] > 0, outcomes
