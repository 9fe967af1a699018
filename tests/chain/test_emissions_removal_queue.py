"""Stake-removal maturation limits (PROTOCOL.md §5.8) and quirks C1 and C2 in both modes."""

from __future__ import annotations

import pytest
from emissions_helpers import EmissionsChain

from pyallora.chain.emissions.stake.state import (
    get_delegate_stake_removal_for_delegator,
    get_stake_removal_for_reputer_and_topic,
    get_stake_reputer_authority,
)
from pyallora.proto.emissions.v5 import tx_pb2

REPUTERS = (1, 2)


def _setup(compat: bool) -> EmissionsChain:
    chain = EmissionsChain(
        reference_compat=compat,
        params={
            "min_epoch_length": "1",
            "remove_stake_delay_window": "3",
            "half_max_process_stake_removals_end_block": "1",
        },
    )
    chain.create_topic(0)
    for index in REPUTERS:
        chain.register(index, 1, is_reputer=True)
        chain.add_stake(index, 1, 1000)
    return chain


def _request_both(chain: EmissionsChain) -> int:
    chain.block(
        *[
            chain.tx(
                index,
                tx_pb2.RemoveStakeRequest(sender=chain.address(index), topic_id=1, amount="100"),
            )
            for index in REPUTERS
        ]
    )
    return chain.height + 3


def _pending(chain: EmissionsChain) -> list[int]:
    return [
        index
        for index in REPUTERS
        if get_stake_removal_for_reputer_and_topic(chain.store, chain.address(index), 1)
    ]


def test_fixed_queue_pays_the_first_due_entries_each_block() -> None:
    chain = _setup(compat=False)
    completes = _request_both(chain)
    order = sorted(REPUTERS, key=chain.address)  # key order: (height, topic, reputer)
    chain.advance_to(completes)
    assert _pending(chain) == [order[1]]
    assert get_stake_reputer_authority(chain.store, 1, chain.address(order[0])) == 900
    # C2 fixed: the overdue entry is paid one block late, by its own completion height.
    chain.block()
    assert _pending(chain) == []
    assert get_stake_reputer_authority(chain.store, 1, chain.address(order[1])) == 900


def test_reference_queue_sticks_when_more_than_the_limit_are_due() -> None:
    chain = _setup(compat=True)
    completes = _request_both(chain)
    chain.advance_to(completes + 2)
    # C1: two due, limit one: nothing is processed, block after block.
    assert sorted(_pending(chain)) == sorted(REPUTERS)
    balances = [chain.balance(index) for index in REPUTERS]
    # One owner cancels; the other overdue entry still cannot be paid (C2: deletion keyed
    # by the current height misses it).
    chain.ok(1, tx_pb2.CancelRemoveStakeRequest(sender=chain.address(1), topic_id=1))
    chain.advance_to(chain.height + 3)
    assert _pending(chain) == [2]
    assert chain.balance(2) == balances[1]
    assert get_stake_reputer_authority(chain.store, 1, chain.address(2)) == 1000


def test_reference_queue_pays_on_time_within_the_limit() -> None:
    chain = _setup(compat=True)
    chain.ok(1, tx_pb2.RemoveStakeRequest(sender=chain.address(1), topic_id=1, amount="100"))
    completes = chain.height + 3
    balance = chain.balance(1)
    chain.advance_to(completes)
    assert _pending(chain) == []
    assert chain.balance(1) == balance + 100


@pytest.mark.parametrize("compat", [False, True])
def test_delegated_queue_limit(compat: bool) -> None:
    chain = _setup(compat=compat)
    delegators = (3, 4)
    for index in delegators:
        chain.ok(
            index,
            tx_pb2.DelegateStakeRequest(
                sender=chain.address(index), topic_id=1, reputer=chain.address(1), amount="50"
            ),
        )
    chain.block(
        *[
            chain.tx(
                index,
                tx_pb2.RemoveDelegateStakeRequest(
                    sender=chain.address(index), reputer=chain.address(1), topic_id=1, amount="50"
                ),
            )
            for index in delegators
        ]
    )
    completes = chain.height + 3
    chain.advance_to(completes + 1)

    def pending() -> list[int]:
        return [
            index
            for index in delegators
            if get_delegate_stake_removal_for_delegator(
                chain.store, chain.address(index), chain.address(1), 1
            )
        ]

    if compat:
        assert pending() == list(delegators)  # C1: stuck
    else:
        assert pending() == []  # one per block, the delegated path keys by its own height
        assert get_stake_reputer_authority(chain.store, 1, chain.address(1)) == 1000
