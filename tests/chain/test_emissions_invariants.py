"""The Appendix D checks themselves (PROTOCOL.md Appendix D; ``emissions.invariants``,
``emissions.invariants_part2``): every harness runs parts 1 and 2, and each check fails on a
state that breaks its relation, D7's registration-history clause included.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from emissions_helpers import EmissionsChain

from pyallora.chain.emissions.errors import EmissionsInvariantError
from pyallora.chain.emissions.invariants import (
    INVARIANT_CHECKS,
    RegistrationHistory,
    validate_emissions_invariants,
)
from pyallora.chain.emissions.invariants_part2 import (
    PART2_CHECKS,
    validate_nonce_invariants,
    validate_working_set_invariants,
)
from pyallora.chain.emissions.nonces.state import (
    set_archived_forecasts,
    set_archived_inferences,
    set_unfulfilled_worker_nonces,
)
from pyallora.chain.emissions.params import set_reference_compat
from pyallora.chain.emissions.registration.state import (
    NodeInfo,
    delete_registered,
    set_node_info,
    set_registered,
)
from pyallora.chain.store.kv import Branch, KVStore
from pyallora.proto.emissions.v3 import types_pb2


def test_the_checks_of_both_parts_run_in_appendix_d_order() -> None:
    assert all(check in INVARIANT_CHECKS for check in PART2_CHECKS)
    names = [check.__name__ for check in INVARIANT_CHECKS]
    assert names == [
        "validate_stake_invariants",  # 1-3
        "validate_removal_queue_invariants",  # 4
        "validate_topic_schedule_invariants",  # 5
        "validate_nonce_invariants",  # 6
        "validate_working_set_invariants",  # 7
        "validate_topic_weight_sum_invariant",  # 8
    ]


@pytest.fixture
def chain() -> EmissionsChain:
    chain = EmissionsChain(keys=4)
    topic = chain.create_topic(0)
    chain.register(1, topic, is_reputer=False)
    return chain


def _branch(chain: EmissionsChain, edit: Callable[[KVStore], None]) -> Branch:
    branch = Branch(chain.store)
    edit(branch)
    return branch


def test_nonce_lists_must_be_newest_first(chain: EmissionsChain) -> None:
    broken = _branch(chain, lambda s: set_unfulfilled_worker_nonces(s, 1, (10, 20)))
    with pytest.raises(EmissionsInvariantError, match="newest first"):
        validate_emissions_invariants(broken, chain.height)
    validate_nonce_invariants(
        _branch(chain, lambda s: set_unfulfilled_worker_nonces(s, 1, (20, 10))), chain.height
    )


def _inference(topic_id: int, nonce: int, inferer: str) -> types_pb2.Inference:
    return types_pb2.Inference(topic_id=topic_id, block_height=nonce, inferer=inferer, value="1")


def test_archived_workers_must_have_registered(chain: EmissionsChain) -> None:
    stranger = chain.address(3)
    registered = chain.address(1)
    ok = _branch(chain, lambda s: set_archived_inferences(s, 1, 5, (_inference(1, 5, registered),)))
    validate_working_set_invariants(ok, chain.height)
    broken = _branch(
        chain,
        lambda s: set_archived_inferences(
            s, 1, 5, (_inference(1, 5, registered), _inference(1, 5, stranger))
        ),
    )
    with pytest.raises(EmissionsInvariantError, match="never registered"):
        validate_working_set_invariants(broken, chain.height)


class History:
    """A registration history fed with hand-made states, one per "block"."""

    def __init__(self, chain: EmissionsChain) -> None:
        self.state = Branch(chain.store)
        self.history = RegistrationHistory()
        self.height = 100
        self.history.validate_and_record(self.state, self.height)

    def block(self, edit: Callable[[KVStore], None] = lambda _: None) -> None:
        edit(self.state)
        self.height += 1
        self.history.validate_and_record(self.state, self.height)


def _archive(
    nonce: int, inferers: tuple[str, ...], forecasters: tuple[str, ...] = ()
) -> Callable[[KVStore], None]:
    def edit(store: KVStore) -> None:
        set_archived_inferences(store, 1, nonce, tuple(_inference(1, nonce, i) for i in inferers))
        set_archived_forecasts(
            store,
            1,
            nonce,
            tuple(
                types_pb2.Forecast(topic_id=1, block_height=nonce, forecaster=f)
                for f in forecasters
            ),
        )

    return edit


def _register(address: str) -> Callable[[KVStore], None]:
    def edit(store: KVStore) -> None:
        set_registered(store, 1, address, is_reputer=False)
        set_node_info(
            store, address, NodeInfo(owner=address, node_address=address), is_reputer=False
        )

    return edit


def _unregister(address: str) -> Callable[[KVStore], None]:
    return lambda store: delete_registered(store, 1, address, is_reputer=False)


def test_history_accepts_workers_registered_in_their_window(chain: EmissionsChain) -> None:
    late, steady = chain.address(2), chain.address(1)
    run = History(chain)
    nonce = run.height + 1
    run.block()  # block `nonce` opens the window
    run.block(_register(late))  # registers (and submits) inside the window
    run.block(_unregister(late))  # leaves before the close: it was registered when it submitted
    run.block(_archive(nonce, (late, steady), (steady,)))


def test_history_refuses_a_worker_unregistered_before_the_window(chain: EmissionsChain) -> None:
    gone = chain.address(1)
    run = History(chain)
    run.block(_unregister(gone))
    run.block()
    nonce = run.height + 1
    run.block()
    run.block()
    with pytest.raises(EmissionsInvariantError, match="when it submitted"):
        run.block(_archive(nonce, (gone,)))


def test_history_refuses_an_archived_forecaster_never_registered(chain: EmissionsChain) -> None:
    stranger, steady = chain.address(3), chain.address(1)
    run = History(chain)
    nonce = run.height
    run.block()
    with pytest.raises(EmissionsInvariantError, match=stranger):
        run.block(_archive(nonce, (steady,), (stranger,)))


def test_history_under_reference_compat_looks_back_to_the_first_block(
    chain: EmissionsChain,
) -> None:
    gone = chain.address(1)
    run = History(chain)
    set_reference_compat(run.state, True)
    run.block(_unregister(gone))
    nonce = run.height + 5
    run.block()
    # A working set left over by a failed close (C22) may be archived at a later nonce.
    run.block(_archive(nonce, (gone,)))


def test_archives_present_when_the_history_starts_are_not_checked(chain: EmissionsChain) -> None:
    branch = _branch(chain, _archive(7, (chain.address(1),)))
    _unregister(chain.address(1))(branch)
    history = RegistrationHistory()
    history.validate_and_record(branch, 50)
    history.validate_and_record(branch, 51)
