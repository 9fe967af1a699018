"""Topic rewards at an epoch end (PROTOCOL.md §5.7; SYNTHESIS.md §10-§14).

:func:`process_rewards` is §5.7 for the topics whose epoch ended in this block (the weight
map of §5.4 step 2):

1. the treasury T is the ``allorarewards`` balance; nothing happens when T = 0 or no topic
   ended its epoch;
2. the rewardable topics are the weight map sorted by weight descending (ties by topic id),
   truncated to ``max_active_topics_per_block``, zero weights left out;
3. Σ = ``total_sum_previous_topic_weights``; when Σ = 0 the block pays nothing (quirk C8; under
   ``reference_compat`` the reference's error is raised, which halts the chain);
4. reward_t = (w_t/Σ)·``reward_current_block_emission``·E_t, capped by T (a single topic
   takes all of T, several share it pro-rata to w_t·E_t), in whole uallo rounded down
   (:func:`~pyallora.synthesis.topic_weights.compute_topic_reward_amounts`);
5. each rewardable topic with a reward nonce N (:func:`pay_topic_rewards`): the engine's
   reward round on the reputer bundles and network losses archived at N
   (:func:`~pyallora.synthesis.epoch.compute_reward_round`) gives scores, EMAs, fractions
   and integer payouts that add up exactly to reward_t
   (:func:`~pyallora.synthesis.payouts.compute_payouts`); reputer payouts are split into a
   delegators' part d = ⌊r·delegated/authority⌋ (to ``allorapendingrewards``, reward per share
   += d/delegated) and the rest, re-staked as the reputer's self-stake (to ``allorastaking``);
   inferers and forecasters are paid to their balances and their inclusion counts grow;
   ``EventTopicRewardsSet`` lists the topics rewarded (those with a reward nonce whose round
   succeeded) and their reward_t. Then, always, the reward nonce is consumed and the
   archives older than O − ``min_epoch_length_record_limit``·E are pruned (O: oldest open
   reputer nonce, or N); by default so are the per-nonce score lists that no later round
   reads (:func:`~pyallora.chain.emissions.rewards.state.prune_scores`; the reference keeps
   them forever, and so does ``reference_compat``);
6. at h ≡ 0 mod ``blocks_per_month``: ``previous_percentage_reward_to_staked_reputers`` ←
   Σ reputer-task rewards (before the delegator split and the integer payouts) of the topics
   paid without error in this block / T (quirk C10, reproduced).

Failure policy: **drop** per topic. A topic's reward round runs in a branch; an engine error
(e.g. no usable reputer bundle at N) pays nothing for that topic (rolled back by default, kept
under ``reference_compat``) and the share stays in the treasury. An individual transfer that
fails is skipped and marks the topic as having a payout error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from pyallora.chain.auth.state import MODULE_ADDRESSES
from pyallora.chain.bank.state import (
    get_balance,
    send_coins_from_module_to_account,
    send_coins_from_module_to_module,
)
from pyallora.chain.context import Context
from pyallora.chain.emissions.errors import InvalidRewardError
from pyallora.chain.emissions.events import (
    ACTOR_TYPE_FORECASTER,
    ACTOR_TYPE_INFERER,
    ACTOR_TYPE_REPUTER,
    build_rewards_settled_event,
    build_topic_rewards_set_event,
)
from pyallora.chain.emissions.nonces.close import STEP_FAILURES, run_in_branch
from pyallora.chain.emissions.nonces.state import (
    delete_topic_reward_nonce,
    get_archived_loss_bundles,
    get_network_loss_bundle,
    get_topic_reward_nonce,
    get_unfulfilled_reputer_nonces,
    prune_archives,
)
from pyallora.chain.emissions.params import (
    EmissionsParams,
    compute_topic_weight_params,
    get_params,
    is_reference_compat,
)
from pyallora.chain.emissions.rewards.state import (
    get_reward_current_block_emission,
    prune_scores,
    set_previous_percentage_reward_to_staked_reputers,
)
from pyallora.chain.emissions.rewards.synthesis_state import (
    compute_synthesis_params,
    load_synthesis_state,
    save_reward_round,
)
from pyallora.chain.emissions.stake.accounting import (
    PENDING_REWARDS_MODULE,
    STAKING_MODULE,
    add_reputer_stake,
)
from pyallora.chain.emissions.stake.state import (
    get_delegate_reward_per_share,
    get_delegate_stake_upon_reputer,
    get_stake_reputer_authority,
    set_delegate_reward_per_share,
)
from pyallora.chain.emissions.submissions.bundles import value_bundle_to_engine
from pyallora.chain.emissions.topics.state import get_topic, get_total_sum_previous_topic_weights
from pyallora.chain.events import EventCollector
from pyallora.chain.store.kv import Branch, KVStore
from pyallora.core.dec import ZERO, Dec, dec, with_dec_context
from pyallora.core.ids import TopicId
from pyallora.synthesis.epoch import (
    ROLE_FORECASTER,
    ROLE_INFERER,
    ROLE_REPUTER,
    compute_reward_round,
)
from pyallora.synthesis.topic_weights import (
    TopicRewardRequest,
    compute_rewardable_topics,
    compute_topic_reward_amounts,
)
from pyallora.synthesis.types import ReputerReport

REWARDS_MODULE: Final = "allorarewards"
"""The rewards treasury module account."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicPayout:
    """What one topic's reward step paid."""

    topic_id: int
    nonce: int
    reward: int
    """reward_t in uallo."""
    paid: int
    """Σ of what was actually transferred (reward_t unless a payout failed or F+G+H = 0)."""
    reputation_reward: Dec
    """The reputer task's reward W (before the delegator split), for §5.7 step 6."""
    payout_error: bool
    """Whether an individual transfer failed."""


def get_treasury(store: KVStore) -> int:
    """The ``allorarewards`` balance (uallo)."""
    return get_balance(store, MODULE_ADDRESSES[REWARDS_MODULE])


def _transfer(
    ctx: Context,
    store: KVStore,
    move: Callable[[Context, KVStore, str, str, int], None],
    source: str,
    recipient: str,
    amount: int,
) -> bool:
    """One payout transfer in its own branch; False (and nothing written) when it fails."""
    branch = Branch(store)
    events = EventCollector()
    try:
        move(ctx.with_events(events), branch, source, recipient, amount)
    except STEP_FAILURES:
        return False
    branch.write()
    ctx.events.extend(events.events)
    return True


@with_dec_context
def _pay_reputer(
    ctx: Context, store: KVStore, topic_id: int, reputer: str, amount: int
) -> tuple[int, bool]:
    """§5.7 step 5b for one reputer; returns (amount re-staked, success)."""
    authority = get_stake_reputer_authority(store, topic_id, reputer)
    delegated = get_delegate_stake_upon_reputer(store, topic_id, reputer)
    to_delegators = amount * delegated // authority if authority > 0 else 0
    if to_delegators > 0:
        if not _transfer(
            ctx,
            store,
            send_coins_from_module_to_module,
            REWARDS_MODULE,
            PENDING_REWARDS_MODULE,
            to_delegators,
        ):
            return 0, False
        share = get_delegate_reward_per_share(store, topic_id, reputer)
        set_delegate_reward_per_share(
            store, topic_id, reputer, share + dec(to_delegators) / dec(delegated)
        )
    restaked = amount - to_delegators
    if restaked > 0:
        if not _transfer(
            ctx, store, send_coins_from_module_to_module, REWARDS_MODULE, STAKING_MODULE, restaked
        ):
            return 0, False
        add_reputer_stake(store, topic_id, reputer, restaked)
    return restaked, True


@with_dec_context
def pay_topic_rewards(
    ctx: Context, store: KVStore, topic_id: int, nonce: int, reward: int, params: EmissionsParams
) -> TopicPayout:
    """§5.7 step 5a-5d for one topic and its reward nonce (module docstring).

    Raises
    ------
    SynthesisInputError
        If the archives at ``nonce`` hold no usable reputer bundle (the topic gets nothing).
    InvalidRewardError
        If the topic or the network losses at ``nonce`` are missing.
    """
    topic = get_topic(store, topic_id)
    losses = get_network_loss_bundle(store, topic_id, nonce)
    if topic is None or losses is None:
        raise InvalidRewardError(f"topic {topic_id}: no network losses at nonce {nonce}")
    reports = [
        ReputerReport(
            reputer=bundle.value_bundle.reputer,
            stake=dec(get_stake_reputer_authority(store, topic_id, bundle.value_bundle.reputer)),
            losses=value_bundle_to_engine(bundle.value_bundle),
        )
        for bundle in get_archived_loss_bundles(store, topic_id, nonce)
    ]
    before = load_synthesis_state(store, topic, params, nonce=nonce, with_regrets=False)
    result = compute_reward_round(
        network_losses=value_bundle_to_engine(losses),
        reports=reports,
        state=before,
        params=compute_synthesis_params(topic, params),
        topic_reward=reward,
    )
    save_reward_round(ctx, store, topic_id, nonce, before, result, params)
    payouts = result.payouts or {}
    paid = 0
    error = False
    settled: dict[str, list[tuple[str, int]]] = {
        ROLE_INFERER: [],
        ROLE_FORECASTER: [],
        ROLE_REPUTER: [],
    }
    for (role, address), amount in sorted(payouts.items()):
        if amount <= 0:
            continue
        if role == ROLE_REPUTER:
            restaked, ok = _pay_reputer(ctx, store, topic_id, address, amount)
            if ok:
                settled[role].append((address, restaked))
        else:
            ok = _transfer(
                ctx, store, send_coins_from_module_to_account, REWARDS_MODULE, address, amount
            )
            if ok:
                settled[role].append((address, amount))
        if ok:
            paid += amount
        else:
            error = True
    for role, actor_type in (
        (ROLE_REPUTER, ACTOR_TYPE_REPUTER),
        (ROLE_INFERER, ACTOR_TYPE_INFERER),
        (ROLE_FORECASTER, ACTOR_TYPE_FORECASTER),
    ):
        if settled[role]:
            ctx.events.emit(
                build_rewards_settled_event(
                    actor_type,
                    topic_id,
                    ctx.height,
                    [address for address, _ in settled[role]],
                    [str(amount) for _, amount in settled[role]],
                )
            )
    return TopicPayout(
        topic_id=topic_id,
        nonce=nonce,
        reward=reward,
        paid=paid,
        reputation_reward=result.reputation_reward,
        payout_error=error,
    )


def prune_after_rewards(store: KVStore, topic_id: int, nonce: int, params: EmissionsParams) -> None:
    """§5.7 step 5e: consume the reward nonce; prune archives ≤ O − limit·E (floored at 0),
    and (outside ``reference_compat``) the score lists there that no later round reads."""
    delete_topic_reward_nonce(store, topic_id)
    topic = get_topic(store, topic_id)
    if topic is None:
        return
    open_nonces = get_unfulfilled_reputer_nonces(store, topic_id)
    oldest = open_nonces[-1] if open_nonces else nonce
    cutoff = max(0, oldest - params.min_epoch_length_record_limit * topic.epoch_length)
    prune_archives(store, topic_id, cutoff)
    if not is_reference_compat(store):
        prune_scores(store, topic_id, cutoff, params.max_samples_to_scale_scores)


def _make_reward_step(
    topic_id: int, nonce: int, amount: int, params: EmissionsParams
) -> Callable[[Context, KVStore], TopicPayout]:
    def step(ctx: Context, store: KVStore) -> TopicPayout:
        return pay_topic_rewards(ctx, store, topic_id, nonce, amount, params)

    return step


@with_dec_context
def process_rewards(
    ctx: Context, store: KVStore, topic_weights: tuple[tuple[int, Dec], ...]
) -> tuple[TopicPayout, ...]:
    """§5.7 for the block's weight map ``(topic id, weight)`` (module docstring).

    Returns
    -------
    tuple
        What each topic with a reward nonce was paid.

    Raises
    ------
    InvalidRewardError
        Under ``reference_compat`` only, when Σ previous weights is 0 (quirk C8: halts).
    """
    if not topic_weights:
        return ()
    treasury = get_treasury(store)
    if treasury == 0:
        return ()
    params = get_params(store)
    if params.max_active_topics_per_block == 0:
        return ()
    kept = compute_rewardable_topics(
        [(TopicId(topic_id), weight) for topic_id, weight in topic_weights],
        compute_topic_weight_params(params),
    )
    total_weight = get_total_sum_previous_topic_weights(store)
    if total_weight == 0:
        if is_reference_compat(store):
            raise InvalidRewardError("total sum of previous topic weights is zero")
        return ()
    weights = dict(topic_weights)
    requests = []
    for topic_id in kept:
        topic = get_topic(store, topic_id)
        if topic is None:
            continue
        requests.append(
            TopicRewardRequest(
                topic_id=topic_id, weight=weights[topic_id], epoch_length=topic.epoch_length
            )
        )
    amounts = compute_topic_reward_amounts(
        requests,
        total_weight=total_weight,
        block_emission=get_reward_current_block_emission(store),
        treasury=treasury,
    )
    compat = is_reference_compat(store)
    payouts: list[TopicPayout] = []
    for request, amount in zip(requests, amounts, strict=True):
        nonce = get_topic_reward_nonce(store, request.topic_id)
        if nonce == 0:
            continue
        ok, payout = run_in_branch(
            ctx,
            store,
            _make_reward_step(request.topic_id, nonce, amount, params),
            keep_partial=compat,
        )
        if ok and payout is not None:
            payouts.append(payout)
        prune_after_rewards(store, request.topic_id, nonce, params)
    if payouts:
        ctx.events.emit(
            build_topic_rewards_set_event(
                [payout.topic_id for payout in payouts], [str(payout.reward) for payout in payouts]
            )
        )
    if ctx.height % params.blocks_per_month == 0:
        reputers: Dec = ZERO
        for payout in payouts:
            if not payout.payout_error:
                reputers = reputers + payout.reputation_reward
        set_previous_percentage_reward_to_staked_reputers(store, reputers / dec(treasury))
    return tuple(payouts)
