"""Reputer stake, delegation, removal queues and their queries (PROTOCOL.md §3.4-§3.10, §4.5,
§5.8), including the Appendix D stake-removal lifecycle with invariants after every block."""

from __future__ import annotations

import pytest
from emissions_helpers import EmissionsChain, RewardSimulator
from foundation_helpers import FUNDS

from pyallora.chain.emissions.stake.state import (
    get_delegate_stake_placement,
    get_stake_removal_for_reputer_and_topic,
    get_stake_reputer_authority,
    get_topic_stake,
    get_total_stake,
)
from pyallora.core.dec import dec
from pyallora.proto.emissions.v5 import query_pb2, tx_pb2

REPUTER = 1
DELEGATOR = 2
OTHER_DELEGATOR = 3


def _chain(**kwargs: object) -> EmissionsChain:
    chain = EmissionsChain(**kwargs)  # type: ignore[arg-type]
    chain.create_topic(0)
    chain.register(REPUTER, 1, is_reputer=True)
    chain.register(4, 1, is_reputer=False)
    return chain


@pytest.fixture
def chain() -> EmissionsChain:
    return _chain()


def _add(
    chain: EmissionsChain, index: int, amount: str, topic_id: int = 1
) -> tx_pb2.AddStakeRequest:
    return tx_pb2.AddStakeRequest(sender=chain.address(index), topic_id=topic_id, amount=amount)


def _remove(chain: EmissionsChain, index: int, amount: int) -> tx_pb2.RemoveStakeRequest:
    return tx_pb2.RemoveStakeRequest(sender=chain.address(index), topic_id=1, amount=str(amount))


def _delegate(
    chain: EmissionsChain, index: int, amount: int, reputer: int = REPUTER
) -> tx_pb2.DelegateStakeRequest:
    return tx_pb2.DelegateStakeRequest(
        sender=chain.address(index), topic_id=1, reputer=chain.address(reputer), amount=str(amount)
    )


def _undelegate(
    chain: EmissionsChain, index: int, amount: int
) -> tx_pb2.RemoveDelegateStakeRequest:
    return tx_pb2.RemoveDelegateStakeRequest(
        sender=chain.address(index), reputer=chain.address(REPUTER), topic_id=1, amount=str(amount)
    )


def _claim(chain: EmissionsChain, index: int) -> tx_pb2.RewardDelegateStakeRequest:
    return tx_pb2.RewardDelegateStakeRequest(
        sender=chain.address(index), topic_id=1, reputer=chain.address(REPUTER)
    )


def _cancel_delegate(
    chain: EmissionsChain, index: int, delegator: str = ""
) -> tx_pb2.CancelRemoveDelegateStakeRequest:
    return tx_pb2.CancelRemoveDelegateStakeRequest(
        sender=chain.address(index),
        topic_id=1,
        delegator=delegator,
        reputer=chain.address(REPUTER),
    )


# ---------------------------------------------------------------------------------------------
# AddStake


def test_add_stake_moves_tokens_to_allorastaking(chain: EmissionsChain) -> None:
    chain.ok(REPUTER, _add(chain, REPUTER, "5000"))
    reputer = chain.address(REPUTER)
    assert chain.module_balance("allorastaking") == 5000
    assert chain.balance(REPUTER) == FUNDS - 200 - 5000
    assert get_stake_reputer_authority(chain.store, 1, reputer) == 5000
    assert (get_topic_stake(chain.store, 1), get_total_stake(chain.store)) == (5000, 5000)
    assert chain.query("GetTotalStake").amount == "5000"
    assert chain.query("GetTopicStake", query_pb2.GetTopicStakeRequest(topic_id=1)).amount == "5000"
    assert (
        chain.query(
            "GetReputerStakeInTopic",
            query_pb2.GetReputerStakeInTopicRequest(address=reputer, topic_id=1),
        ).amount
        == "5000"
    )
    assert (
        chain.query(
            "GetStakeFromReputerInTopicInSelf",
            query_pb2.GetStakeFromReputerInTopicInSelfRequest(reputer_address=reputer, topic_id=1),
        ).amount
        == "5000"
    )
    multi = chain.query(
        "GetMultiReputerStakeInTopic",
        query_pb2.GetMultiReputerStakeInTopicRequest(addresses=[reputer, "garbage"], topic_id=1),
    )
    assert [(info.reputer, info.amount) for info in multi.amounts] == [
        (reputer, "5000"),
        ("garbage", "0"),
    ]
    # The stake (with the registration fee as revenue) made the topic heavy enough to activate.
    assert chain.query("IsTopicActive", query_pb2.IsTopicActiveRequest(topic_id=1)).is_active


@pytest.mark.parametrize(
    ("index", "amount", "topic_id", "codespace", "code"),
    [
        (4, "100", 1, "emissions", 10),  # a worker, not a reputer
        (REPUTER, "100", 2, "emissions", 23),
        (REPUTER, "0", 1, "sdk", 10),
        (REPUTER, "-3", 1, "sdk", 10),
        (REPUTER, "", 1, "sdk", 10),
        (REPUTER, str(FUNDS), 1, "sdk", 5),
        (REPUTER, "12.5", 1, "sdk", 2),
        (REPUTER, "1e3", 1, "sdk", 2),
    ],
)
def test_add_stake_rejections(
    chain: EmissionsChain, index: int, amount: str, topic_id: int, codespace: str, code: int
) -> None:
    chain.rejects(index, _add(chain, index, amount, topic_id), codespace, code)


def test_multi_reputer_query_is_bounded_by_max_page_limit() -> None:
    chain = _chain(params={"min_epoch_length": "1", "max_page_limit": "2"})
    request = query_pb2.GetMultiReputerStakeInTopicRequest(
        addresses=[chain.address(i) for i in range(3)], topic_id=1
    )
    result = chain.query_result("GetMultiReputerStakeInTopic", request)
    assert (result.codespace, result.code) == ("sdk", 18)


# ---------------------------------------------------------------------------------------------
# Self-stake removal lifecycle


def test_remove_stake_request_replace_cancel_and_mature(chain: EmissionsChain) -> None:
    reputer = chain.address(REPUTER)
    chain.ok(REPUTER, _add(chain, REPUTER, "10000"))
    chain.rejects(REPUTER, _remove(chain, REPUTER, 10001), "emissions", 14)
    chain.rejects(
        REPUTER,
        tx_pb2.RemoveStakeRequest(sender=reputer, topic_id=3, amount="1"),
        "emissions",
        23,
    )
    chain.rejects(REPUTER, _remove(chain, REPUTER, 0), "sdk", 10)
    # Request at r: completion r + 5; nothing is deducted yet.
    chain.ok(REPUTER, _remove(chain, REPUTER, 3000))
    first = chain.height
    removal = get_stake_removal_for_reputer_and_topic(chain.store, reputer, 1)
    assert removal is not None
    assert (removal.block_removal_started, removal.block_removal_completed) == (first, first + 5)
    assert get_stake_reputer_authority(chain.store, 1, reputer) == 10000
    # A new request replaces the pending one and restarts the delay.
    chain.block()
    chain.ok(REPUTER, _remove(chain, REPUTER, 4000))
    replaced = chain.height
    info = chain.query(
        "GetStakeRemovalInfo", query_pb2.GetStakeRemovalInfoRequest(topic_id=1, reputer=reputer)
    ).removal
    assert (info.amount, info.block_removal_completed) == ("4000", replaced + 5)
    pending = chain.query(
        "GetStakeRemovalsUpUntilBlock",
        query_pb2.GetStakeRemovalsUpUntilBlockRequest(block_height=replaced + 5),
    )
    assert [r.amount for r in pending.removals] == ["4000"]
    # The old completion height passes without a payout.
    chain.advance_to(first + 5)
    assert get_stake_reputer_authority(chain.store, 1, reputer) == 10000
    # Cancel, then nothing to cancel.
    cancel = tx_pb2.CancelRemoveStakeRequest(sender=reputer, topic_id=1)
    chain.ok(REPUTER, cancel)
    assert get_stake_removal_for_reputer_and_topic(chain.store, reputer, 1) is None
    chain.rejects(REPUTER, cancel, "emissions", 64)
    chain.rejects(
        REPUTER, tx_pb2.CancelRemoveStakeRequest(sender=reputer, topic_id=2), "emissions", 23
    )
    # A fresh request matures exactly at r + delay, at the end of that block.
    chain.ok(REPUTER, _remove(chain, REPUTER, 2500))
    requested = chain.height
    balance = chain.balance(REPUTER)
    chain.advance_to(requested + 4)
    assert chain.balance(REPUTER) == balance
    assert get_stake_reputer_authority(chain.store, 1, reputer) == 10000
    result = chain.block()
    assert chain.height == requested + 5
    assert chain.balance(REPUTER) == balance + 2500
    assert get_stake_reputer_authority(chain.store, 1, reputer) == 7500
    assert chain.module_balance("allorastaking") == 7500
    assert get_stake_removal_for_reputer_and_topic(chain.store, reputer, 1) is None
    paid = chain.events_of([result], "pyallora.emissions.EventStakeRemovalPaid")
    assert paid and paid[0]["amount"] == '"2500"' and paid[0]["mode"] == "EndBlock"
    gone = chain.query_result(
        "GetStakeRemovalInfo", query_pb2.GetStakeRemovalInfoRequest(topic_id=1, reputer=reputer)
    )
    assert (gone.codespace, gone.code) == ("sdk", 38)


def test_removal_needs_no_registration_but_only_self_stake(chain: EmissionsChain) -> None:
    chain.ok(REPUTER, _add(chain, REPUTER, "1000"))
    chain.ok(DELEGATOR, _delegate(chain, DELEGATOR, 5000))
    chain.ok(
        REPUTER,
        tx_pb2.RemoveRegistrationRequest(
            sender=chain.address(REPUTER), topic_id=1, is_reputer=True
        ),
    )
    # Authority 6000 but self-stake 1000.
    chain.rejects(REPUTER, _remove(chain, REPUTER, 1001), "emissions", 14)
    chain.ok(REPUTER, _remove(chain, REPUTER, 1000))


def test_removal_queries_are_bounded_by_max_page_limit() -> None:
    chain = _chain(
        params={"min_epoch_length": "1", "remove_stake_delay_window": "50", "max_page_limit": "1"}
    )
    chain.register(2, 1, is_reputer=True)
    for index in (REPUTER, 2):
        chain.ok(index, _add(chain, index, "100"))
        chain.ok(index, _remove(chain, index, 50))
    request = query_pb2.GetStakeRemovalsUpUntilBlockRequest(block_height=chain.height + 50)
    result = chain.query_result("GetStakeRemovalsUpUntilBlock", request)
    assert (result.codespace, result.code) == ("sdk", 18)
    early = query_pb2.GetStakeRemovalsUpUntilBlockRequest(block_height=chain.height + 49)
    assert len(chain.query("GetStakeRemovalsUpUntilBlock", early).removals) == 1


# ---------------------------------------------------------------------------------------------
# Delegation


def test_delegate_stake_updates_every_sum(chain: EmissionsChain) -> None:
    reputer = chain.address(REPUTER)
    delegator = chain.address(DELEGATOR)
    chain.ok(REPUTER, _add(chain, REPUTER, "1000"))
    chain.ok(DELEGATOR, _delegate(chain, DELEGATOR, 3000))
    assert chain.balance(DELEGATOR) == FUNDS - 3000
    assert chain.module_balance("allorastaking") == 4000
    assert get_stake_reputer_authority(chain.store, 1, reputer) == 4000
    assert (
        chain.query(
            "GetDelegateStakeInTopicInReputer",
            query_pb2.GetDelegateStakeInTopicInReputerRequest(reputer_address=reputer, topic_id=1),
        ).amount
        == "3000"
    )
    assert (
        chain.query(
            "GetStakeFromReputerInTopicInSelf",
            query_pb2.GetStakeFromReputerInTopicInSelfRequest(reputer_address=reputer, topic_id=1),
        ).amount
        == "1000"
    )
    assert (
        chain.query(
            "GetStakeFromDelegatorInTopicInReputer",
            query_pb2.GetStakeFromDelegatorInTopicInReputerRequest(
                delegator_address=delegator, reputer_address=reputer, topic_id=1
            ),
        ).amount
        == "3000"
    )
    assert (
        chain.query(
            "GetStakeFromDelegatorInTopic",
            query_pb2.GetStakeFromDelegatorInTopicRequest(delegator_address=delegator, topic_id=1),
        ).amount
        == "3000"
    )
    assert (
        chain.query(
            "GetDelegateStakeUponReputer",
            query_pb2.GetDelegateStakeUponReputerRequest(topic_id=1, target=reputer),
        ).stake
        == "3000"
    )
    assert (
        chain.query(
            "GetStakeReputerAuthority",
            query_pb2.GetStakeReputerAuthorityRequest(topic_id=1, reputer=reputer),
        ).authority
        == "4000"
    )
    info = chain.query(
        "GetDelegateStakePlacement",
        query_pb2.GetDelegateStakePlacementRequest(topic_id=1, delegator=delegator, target=reputer),
    ).delegator_info
    assert (info.amount, info.reward_debt) == ("3000.0", "0")


@pytest.mark.parametrize(
    ("message_args", "codespace", "code"),
    [
        ({"reputer": DELEGATOR}, "sdk", 18),  # self-delegation
        ({"amount": "0"}, "sdk", 10),
        ({"reputer": 4}, "emissions", 10),  # a worker, not a reputer
        ({"topic_id": 5}, "emissions", 23),
        ({"amount": str(FUNDS + 1)}, "sdk", 5),
    ],
)
def test_delegate_stake_rejections(
    chain: EmissionsChain, message_args: dict[str, object], codespace: str, code: int
) -> None:
    message = _delegate(chain, DELEGATOR, 100)
    if "reputer" in message_args:
        message.reputer = chain.address(int(message_args["reputer"]))  # type: ignore[arg-type]
    if "amount" in message_args:
        message.amount = str(message_args["amount"])
    if "topic_id" in message_args:
        message.topic_id = int(message_args["topic_id"])  # type: ignore[arg-type]
    chain.rejects(DELEGATOR, message, codespace, code)


def test_delegate_removal_rejections_and_cancel(chain: EmissionsChain) -> None:
    chain.ok(DELEGATOR, _delegate(chain, DELEGATOR, 1000))
    chain.rejects(DELEGATOR, _undelegate(chain, DELEGATOR, 1001), "emissions", 49)
    chain.rejects(OTHER_DELEGATOR, _undelegate(chain, OTHER_DELEGATOR, 1), "emissions", 49)
    chain.rejects(DELEGATOR, _undelegate(chain, DELEGATOR, 0), "sdk", 10)
    wrong_topic = _undelegate(chain, DELEGATOR, 10)
    wrong_topic.topic_id = 2
    chain.rejects(DELEGATOR, wrong_topic, "emissions", 23)
    chain.rejects(DELEGATOR, _cancel_delegate(chain, DELEGATOR), "emissions", 64)
    missing_topic = _cancel_delegate(chain, DELEGATOR)
    missing_topic.topic_id = 9
    chain.rejects(DELEGATOR, missing_topic, "emissions", 23)
    claim_elsewhere = _claim(chain, DELEGATOR)
    claim_elsewhere.topic_id = 9
    chain.rejects(DELEGATOR, claim_elsewhere, "emissions", 23)
    bad_reputer = _claim(chain, DELEGATOR)
    bad_reputer.reputer = "allo1nope"
    chain.rejects(DELEGATOR, bad_reputer, "sdk", 7)
    chain.ok(DELEGATOR, _undelegate(chain, DELEGATOR, 400))
    requested = chain.height
    chain.block()
    chain.ok(DELEGATOR, _undelegate(chain, DELEGATOR, 600))  # replaces, restarts the delay
    replaced = chain.height
    delegator = chain.address(DELEGATOR)
    reputer = chain.address(REPUTER)
    info = chain.query(
        "GetDelegateStakeRemovalInfo",
        query_pb2.GetDelegateStakeRemovalInfoRequest(
            topic_id=1, delegator=delegator, reputer=reputer
        ),
    ).removal
    assert (info.amount, info.block_removal_completed) == ("600", replaced + 5)
    exact = chain.query(
        "GetDelegateStakeRemoval",
        query_pb2.GetDelegateStakeRemovalRequest(
            block_height=replaced + 5, topic_id=1, delegator=delegator, reputer=reputer
        ),
    ).stake_removal_info
    assert exact.amount == "600"
    stale = chain.query_result(
        "GetDelegateStakeRemoval",
        query_pb2.GetDelegateStakeRemovalRequest(
            block_height=requested + 5, topic_id=1, delegator=delegator, reputer=reputer
        ),
    )
    assert (stale.codespace, stale.code) == ("sdk", 38)
    listed = chain.query(
        "GetDelegateStakeRemovalsUpUntilBlock",
        query_pb2.GetDelegateStakeRemovalsUpUntilBlockRequest(block_height=replaced + 5),
    )
    assert [r.delegator for r in listed.removals] == [delegator]
    # C12: the delegator field is ignored; the sender's removal is cancelled.
    chain.ok(DELEGATOR, _cancel_delegate(chain, DELEGATOR, delegator=chain.address(5)))
    chain.rejects(DELEGATOR, _cancel_delegate(chain, DELEGATOR), "emissions", 64)
    missing = chain.query_result(
        "GetDelegateStakeRemovalInfo",
        query_pb2.GetDelegateStakeRemovalInfoRequest(
            topic_id=1, delegator=delegator, reputer=reputer
        ),
    )
    assert (missing.codespace, missing.code) == ("sdk", 38)


def test_delegator_rewards_claim_autoclaim_and_maturity() -> None:
    """Appendix D: delegator auto-claim on additional delegation and at maturity; claim via
    RewardDelegateStake. Rewards come from the simulator at heights 8 and 12."""
    simulator = RewardSimulator()
    chain = _chain(rewards=simulator)
    reputer = chain.address(REPUTER)
    chain.ok(DELEGATOR, _delegate(chain, DELEGATOR, 1000))
    chain.ok(OTHER_DELEGATOR, _delegate(chain, OTHER_DELEGATOR, 3000))
    base = chain.height
    simulator.schedule[base + 2] = [(1, reputer, 500)]  # share 500 / 4000 = 0.125
    simulator.schedule[base + 6] = [(1, reputer, 1250)]  # share += 1250 / 5000 = 0.25
    chain.advance_to(base + 2)
    assert chain.module_balance("allorapendingrewards") == 500
    share = chain.query(
        "GetDelegateRewardPerShare",
        query_pb2.GetDelegateRewardPerShareRequest(topic_id=1, reputer=reputer),
    ).reward_per_share
    assert share == "0.125"
    # Claim: 1000 × 0.125 = 125; a second claim pays nothing and still succeeds.
    balance = chain.balance(DELEGATOR)
    chain.ok(DELEGATOR, _claim(chain, DELEGATOR))
    assert chain.balance(DELEGATOR) == balance + 125
    chain.ok(DELEGATOR, _claim(chain, DELEGATOR))
    assert chain.balance(DELEGATOR) == balance + 125
    # Additional delegation auto-claims first: 3000 × 0.125 = 375 paid, then +1000 placed.
    balance = chain.balance(OTHER_DELEGATOR)
    chain.ok(OTHER_DELEGATOR, _delegate(chain, OTHER_DELEGATOR, 1000))
    assert chain.balance(OTHER_DELEGATOR) == balance + 375 - 1000
    placement = get_delegate_stake_placement(
        chain.store, 1, chain.address(OTHER_DELEGATOR), reputer
    )
    assert placement.amount == dec(4000) and placement.reward_debt == dec(500)
    assert chain.module_balance("allorapendingrewards") == 0
    # A removal requested now matures after the second reward: the delegator gets its
    # pending reward (1000 × 0.375 − 125 = 250) with the principal, in the maturity block.
    chain.ok(DELEGATOR, _undelegate(chain, DELEGATOR, 1000))
    completes = chain.height + 5
    assert completes > base + 6
    balance = chain.balance(DELEGATOR)
    chain.advance_to(completes - 1)
    assert chain.balance(DELEGATOR) == balance
    result = chain.block()
    assert chain.balance(DELEGATOR) == balance + 250 + 1000
    claimed = chain.events_of([result], "pyallora.emissions.EventDelegateRewardClaimed")
    assert [event["amount"] for event in claimed] == ['"250"']
    assert (
        get_delegate_stake_placement(chain.store, 1, chain.address(DELEGATOR), reputer).amount == 0
    )
    assert get_stake_reputer_authority(chain.store, 1, reputer) == 4000
    # The other delegator's 4000 × 0.375 − 500 = 1000 is still owed and claimable.
    assert chain.module_balance("allorapendingrewards") == 1000
    balance = chain.balance(OTHER_DELEGATOR)
    chain.ok(OTHER_DELEGATOR, _claim(chain, OTHER_DELEGATOR))
    assert chain.balance(OTHER_DELEGATOR) == balance + 1000


def test_inexact_shares_never_overpay() -> None:
    simulator = RewardSimulator()
    chain = _chain(rewards=simulator)
    reputer = chain.address(REPUTER)
    chain.ok(DELEGATOR, _delegate(chain, DELEGATOR, 1000))
    chain.ok(OTHER_DELEGATOR, _delegate(chain, OTHER_DELEGATOR, 2000))
    simulator.schedule[chain.height + 1] = [(1, reputer, 1000)]  # share 1/3
    chain.block()
    for index in (DELEGATOR, OTHER_DELEGATOR):
        before = chain.balance(index)
        chain.ok(index, _claim(chain, index))
        paid = chain.balance(index) - before
        assert paid in ((333, 666)[index - DELEGATOR], (332, 665)[index - DELEGATOR])
    assert chain.module_balance("allorapendingrewards") >= 0


@pytest.mark.parametrize("compat", [False, True])
def test_delegators_of_an_unregistered_reputer(compat: bool) -> None:
    """C9: fixed by default (claims and removals keep working); reproduced under compat."""
    chain = _chain(reference_compat=compat)
    chain.ok(DELEGATOR, _delegate(chain, DELEGATOR, 1000))
    chain.ok(DELEGATOR, _undelegate(chain, DELEGATOR, 100))
    chain.ok(
        REPUTER,
        tx_pb2.RemoveRegistrationRequest(
            sender=chain.address(REPUTER), topic_id=1, is_reputer=True
        ),
    )
    if compat:
        chain.rejects(DELEGATOR, _claim(chain, DELEGATOR), "emissions", 10)
        chain.rejects(DELEGATOR, _undelegate(chain, DELEGATOR, 200), "emissions", 10)
        chain.rejects(DELEGATOR, _cancel_delegate(chain, DELEGATOR), "emissions", 10)
    else:
        chain.ok(DELEGATOR, _claim(chain, DELEGATOR))
        chain.ok(DELEGATOR, _undelegate(chain, DELEGATOR, 200))
        chain.ok(DELEGATOR, _cancel_delegate(chain, DELEGATOR))
    # New delegations always need a registered reputer.
    chain.rejects(OTHER_DELEGATOR, _delegate(chain, OTHER_DELEGATOR, 5), "emissions", 10)
