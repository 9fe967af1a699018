"""Topic weight, activation, deactivation and churn (PROTOCOL.md §5.3, §5.4 step 2) and the
end-block pipeline; Appendix D scenarios with the invariants checked after every block."""

from __future__ import annotations

import pytest
from emissions_helpers import EmissionsChain, topic_request

from pyallora.chain.context import BlockContext, Context, ExecMode
from pyallora.chain.emissions.block.pipeline import (
    END_BLOCK_STAGES,
    UnknownStageError,
    get_stage_names,
    run_end_block_stage,
    run_end_block_to,
)
from pyallora.chain.emissions.dec_text import dec_to_field_text
from pyallora.chain.emissions.topics.activation import get_current_topic_weight
from pyallora.chain.emissions.topics.state import (
    get_active_topics_at_block,
    get_next_churning_block,
    get_previous_topic_weight,
    get_topic,
    get_topic_fee_revenue,
    get_total_sum_previous_topic_weights,
    is_legacy_active,
)
from pyallora.chain.store.kv import Branch
from pyallora.core.dec import dec, dec_context, sqrt
from pyallora.proto.emissions.v5 import query_pb2, tx_pb2


def _stake(chain: EmissionsChain, index: int, topic_id: int, amount: int) -> tx_pb2.AddStakeRequest:
    return tx_pb2.AddStakeRequest(
        sender=chain.address(index), topic_id=topic_id, amount=str(amount)
    )


def _fund(chain: EmissionsChain, index: int, topic_id: int, amount: int) -> tx_pb2.FundTopicRequest:
    return tx_pb2.FundTopicRequest(
        sender=chain.address(index), topic_id=topic_id, amount=str(amount)
    )


def _churn(chain: EmissionsChain, topic_id: int) -> int:
    return int(
        chain.query(
            "GetNextChurningBlockByTopicId",
            query_pb2.GetNextChurningBlockByTopicIdRequest(topic_id=topic_id),
        ).block_height
    )


def _active(chain: EmissionsChain, topic_id: int) -> bool:
    return bool(
        chain.query("IsTopicActive", query_pb2.IsTopicActiveRequest(topic_id=topic_id)).is_active
    )


def _two_topics(**kwargs: object) -> EmissionsChain:
    """Topics 1 and 2 (E = 10), reputers 1 (topic 1) and 2 (topic 2) registered, no stake."""
    chain = EmissionsChain(**kwargs)  # type: ignore[arg-type]
    chain.create_topic(0)
    chain.create_topic(0)
    chain.register(1, 1, is_reputer=True)
    chain.register(2, 2, is_reputer=True)
    return chain


def test_weight_matches_the_section_5_3_formula() -> None:
    chain = _two_topics()
    chain.ok(1, _stake(chain, 1, 1, 400))
    # S = 400, R = 75,200, E = 10: weight = √400 · √7,520 (no previous weight stored).
    with dec_context():
        expected = sqrt(dec(400)) * sqrt(dec(75_200) / 10)
    assert get_current_topic_weight(chain.store, 1) == expected
    assert get_previous_topic_weight(chain.store, 1) is None
    answer = chain.query("GetTopic", query_pb2.GetTopicRequest(topic_id=1))
    assert answer.weight == dec_to_field_text(expected)
    assert answer.weight.startswith("1734.3586710943")
    # Revenue but no stake: weight 0.
    assert get_current_topic_weight(chain.store, 2) == 0
    # Stake but no revenue (free topics and registrations): weight 0, so no activation.
    free = EmissionsChain(
        params={"min_epoch_length": "1", "create_topic_fee": "0", "registration_fee": "0"}
    )
    free.ok(0, topic_request(free.address(0)))
    free.register(1, 1, is_reputer=True)
    free.ok(1, _stake(free, 1, 1, 10**9))
    assert get_current_topic_weight(free.store, 1) == 0
    assert not _active(free, 1)


def test_activation_schedules_at_h_plus_e_and_epoch_end_reschedules() -> None:
    chain = _two_topics()
    chain.ok(1, _stake(chain, 1, 1, 100))
    activated = chain.height
    assert _active(chain, 1)
    assert _churn(chain, 1) == activated + 10
    assert is_legacy_active(chain.store, 1)
    slot = chain.query(
        "GetActiveTopicsAtBlock",
        query_pb2.GetActiveTopicsAtBlockRequest(block_height=activated + 10),
    )
    assert [topic.id for topic in slot.topics] == [1]
    revenue = get_topic_fee_revenue(chain.store, 1)
    weight_before = get_current_topic_weight(chain.store, 1)
    results = chain.advance_to(activated + 10)
    # At the epoch end: weight stored, revenue dripped, rescheduled at h + E.
    assert get_previous_topic_weight(chain.store, 1) == weight_before
    assert get_topic_fee_revenue(chain.store, 1) < revenue
    assert _churn(chain, 1) == activated + 20
    assert get_active_topics_at_block(chain.store, activated + 10) == ()
    assert get_total_sum_previous_topic_weights(chain.store) == weight_before
    events = chain.events_of(results, "pyallora.emissions.EventTopicActivated")
    assert events[-1]["epoch_end"] == f'"{activated + 20}"'
    # A second activation check on an active topic changes nothing.
    chain.ok(3, _fund(chain, 3, 1, 10))
    assert _churn(chain, 1) == activated + 20


def test_slot_contest_heavier_evicts_lighter_which_reenters_later() -> None:
    """Appendix D: two topics activated in the same block, max_active_topics_per_block = 1."""
    chain = _two_topics()
    lighter = chain.tx(1, _stake(chain, 1, 1, 100))
    heavier = chain.tx(2, _stake(chain, 2, 2, 10_000))
    result = chain.block(lighter, heavier)
    assert [r.code for r in result.tx_results] == [0, 0]
    contest = chain.height
    assert get_active_topics_at_block(chain.store, contest + 10) == (2,)
    assert (_active(chain, 1), _active(chain, 2)) == (False, True)
    assert not is_legacy_active(chain.store, 1)
    evicted = [
        dict(event.attributes)
        for event in result.tx_results[1].events
        if event.type == "pyallora.emissions.EventTopicDeactivated"
    ]
    assert evicted == [{"topic_id": '"1"', "reason": '"evicted"'}]
    # Any later activation check re-enters the lighter topic, in the next free slot.
    chain.ok(1, _fund(chain, 1, 1, 0))
    reentry = chain.height
    assert _churn(chain, 1) == reentry + 10
    assert get_active_topics_at_block(chain.store, reentry + 10) == (1,)
    chain.advance_to(contest + 25)
    assert (_active(chain, 1), _active(chain, 2)) == (True, True)
    assert _churn(chain, 2) == contest + 30 and _churn(chain, 1) == reentry + 30


def test_lighter_topic_is_refused_a_full_slot() -> None:
    chain = _two_topics()
    heavier = chain.tx(2, _stake(chain, 2, 2, 10_000))
    lighter = chain.tx(1, _stake(chain, 1, 1, 100))
    chain.block(heavier, lighter)
    assert get_active_topics_at_block(chain.store, chain.height + 10) == (2,)
    assert not _active(chain, 1) and not is_legacy_active(chain.store, 1)
    assert get_total_sum_previous_topic_weights(chain.store) == 0


def test_two_topics_share_a_block_when_the_cap_allows() -> None:
    chain = _two_topics(params={"min_epoch_length": "1", "max_active_topics_per_block": "2"})
    chain.block(chain.tx(1, _stake(chain, 1, 1, 100)), chain.tx(2, _stake(chain, 2, 2, 10_000)))
    assert get_active_topics_at_block(chain.store, chain.height + 10) == (1, 2)


def test_weight_decay_deactivates_and_fund_topic_reactivates() -> None:
    """Appendix D: weight below 100 (revenue decays, stake removed) → deactivated at the epoch
    end → FundTopic reactivates at h + E."""
    chain = EmissionsChain(
        params={
            "min_epoch_length": "1",
            "remove_stake_delay_window": "5",
            "create_topic_fee": "1000",
            "blocks_per_month": "87",
        }
    )
    chain.create_topic(0)
    chain.register(1, 1, is_reputer=True)
    chain.ok(1, _stake(chain, 1, 1, 100))  # √100 · √(1200 / 10) ≈ 109.5 ≥ 100
    activated = chain.height
    assert _churn(chain, 1) == activated + 10
    chain.advance_to(activated + 10)
    assert _active(chain, 1)
    assert get_topic_fee_revenue(chain.store, 1) < 1200  # ≈ halved: 20 blocks a week
    chain.ok(1, tx_pb2.RemoveStakeRequest(sender=chain.address(1), topic_id=1, amount="100"))
    results = chain.advance_to(activated + 20)
    # Stake gone: target 0, weight = ½ · previous < 100 → deactivated at the epoch end.
    assert not _active(chain, 1) and _churn(chain, 1) == 0
    assert chain.events_of(results, "pyallora.emissions.EventTopicDeactivated") == [
        {"topic_id": '"1"', "reason": '"below_min_weight"', "mode": "EndBlock"}
    ]
    assert get_total_sum_previous_topic_weights(chain.store) == 0
    # A small stake is not enough on its own.
    chain.ok(1, _stake(chain, 1, 1, 100))
    assert not _active(chain, 1)
    # FundTopic raises the revenue and reactivates at h + E.
    chain.ok(2, _fund(chain, 2, 1, 10_000))
    funded = chain.height
    assert _active(chain, 1) and _churn(chain, 1) == funded + 10
    chain.advance_to(funded + 10)
    assert _churn(chain, 1) == funded + 20


@pytest.mark.parametrize("compat", [False, True])
def test_weight_sum_after_lost_contests(compat: bool) -> None:
    """C11: a topic that loses its reschedule contest leaves the weight sum (fixed) or stays
    in it (reference); each refused activation adds its weight again under the reference."""
    chain = EmissionsChain(reference_compat=compat)
    for epoch in (10, 10, 11):
        chain.create_topic(0, epoch_length=epoch)
    for topic_id in (1, 2, 3):
        chain.register(topic_id, topic_id, is_reputer=True)
    chain.ok(1, _stake(chain, 1, 1, 100))
    first_end = _churn(chain, 1)
    chain.advance_to(first_end - 1)
    # In topic 1's epoch-end block the heavier topic 2 takes slot first_end + 10 before the
    # end blocker reschedules topic 1 there: topic 1 loses and becomes inactive.
    result = chain.block(chain.tx(2, _stake(chain, 2, 2, 10_000)))
    assert get_active_topics_at_block(chain.store, first_end + 10) == (2,)
    assert not _active(chain, 1)
    lost = chain.events_of([result], "pyallora.emissions.EventTopicDeactivated")
    assert {"topic_id": '"1"', "reason": '"lost_slot"', "mode": "EndBlock"} in lost
    weight = get_previous_topic_weight(chain.store, 1)
    assert weight is not None and weight > 0
    assert get_total_sum_previous_topic_weights(chain.store) == (weight if compat else 0)
    assert is_legacy_active(chain.store, 1) is compat
    # Topic 3 (E = 11) fills slot h + 11; next block, two activation attempts of topic 1
    # target that same slot and are refused (topic 1 is lighter).
    chain.ok(3, _stake(chain, 3, 3, 10_000))
    full_slot = chain.height + 11
    chain.block(chain.tx(4, _fund(chain, 4, 1, 0)), chain.tx(5, _fund(chain, 5, 1, 0)))
    assert chain.height + 10 == full_slot
    assert get_active_topics_at_block(chain.store, full_slot) == (3,)
    assert not _active(chain, 1)
    with dec_context():
        tripled = weight + weight + weight
    assert get_total_sum_previous_topic_weights(chain.store) == (tripled if compat else 0)


def test_pipeline_order_and_partial_runs() -> None:
    # §5.4: stake removals (step 1) come first, then the weights (step 2); the nonce,
    # reward and window stages of steps 3-5 follow.
    assert get_stage_names()[:3] == (
        "process_stake_removals",
        "process_delegate_stake_removals",
        "process_topic_weights",
    )
    assert len(END_BLOCK_STAGES) == len(set(get_stage_names()))
    chain = _two_topics()
    chain.ok(1, _stake(chain, 1, 1, 100))
    end = _churn(chain, 1)
    chain.advance_to(end - 1)
    branch = Branch(chain.store)
    ctx = Context(
        block=BlockContext(height=end, time_ns=0, chain_id="test"), mode=ExecMode.END_BLOCK
    )
    state = run_end_block_to(ctx, branch, "process_topic_weights")
    assert state.topic_weights == ()
    assert get_next_churning_block(branch, 1) == end
    state = run_end_block_stage(ctx, branch, "process_topic_weights", state)
    assert [entry.topic_id for entry in state.topic_weights] == [1]
    assert state.total_weight == state.topic_weights[0].weight
    assert state.total_revenue == 75_200
    assert get_next_churning_block(branch, 1) == end + 10
    assert get_topic(branch, 1) is not None
    with pytest.raises(UnknownStageError):
        run_end_block_to(ctx, branch, "no_such_stage")
    with pytest.raises(UnknownStageError):
        run_end_block_stage(ctx, branch, "no_such_stage", state)
