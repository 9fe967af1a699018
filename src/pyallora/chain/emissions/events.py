"""Typed events of the emissions module (PROTOCOL.md Appendix B), as builders.

Every builder returns a :class:`~pyallora.chain.abci_types.Event` (type = full event name,
one attribute per field whose value is the field's proto-JSON, :mod:`pyallora.chain.events`);
callers emit it with ``ctx.events.emit(...)``. The application adds ``mode=EndBlock`` to
events of the end blocker.

* B.1, the reference's events (``emissions.v4``): :func:`build_worker_last_commit_set_event`,
  :func:`build_reputer_last_commit_set_event`, :func:`build_network_loss_set_event`,
  :func:`build_scores_set_event`, :func:`build_ema_scores_set_event`,
  :func:`build_forecast_task_score_set_event`, :func:`build_rewards_settled_event`,
  :func:`build_topic_rewards_set_event`. Dec fields are given as their text.
* B.2, the submission-window events of later chains: the same fields as the ``emissions.v4``
  protos (``topic_id``, ``nonce_block_height``, ``window_end_block``) under the package the
  targeted clients subscribe to, :data:`WINDOW_EVENT_PACKAGE` (the Python SDK's
  ``emissions.v9``).
* B.2, additive events for explorers, which no Allora proto defines: they are typed-form
  events under :data:`EXTRA_EVENT_PACKAGE` (``pyallora.emissions``) so they cannot be confused
  with a reference event: topic created / funded / activated / deactivated, (un)registered,
  stake added, removal requested / cancelled / paid (self and delegated), delegator reward
  claimed, params updated, admin added / removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pyallora.chain.abci_types import Event
from pyallora.chain.events import make_event_from_proto, make_typed_event
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v4 import events_pb2

WINDOW_EVENT_PACKAGE: Final = "emissions.v9"
"""Package prefix of the submission-window events (what the Python SDK subscribes to)."""

EXTRA_EVENT_PACKAGE: Final = "pyallora.emissions"
"""Package prefix of pyallora's additive explorer events."""

ACTOR_TYPE_INFERER: Final = events_pb2.ACTOR_TYPE_INFERER_UNSPECIFIED
"""``actor_type`` 0."""

ACTOR_TYPE_FORECASTER: Final = events_pb2.ACTOR_TYPE_FORECASTER
"""``actor_type`` 1."""

ACTOR_TYPE_REPUTER: Final = events_pb2.ACTOR_TYPE_REPUTER
"""``actor_type`` 2."""


# ---------------------------------------------------------------------------------------------
# B.1: reference events


def build_worker_last_commit_set_event(topic_id: int, block_height: int, nonce: int) -> Event:
    """``EventWorkerLastCommitSet``: a worker nonce closed at ``block_height``."""
    return make_event_from_proto(
        events_pb2.EventWorkerLastCommitSet(
            topic_id=topic_id, block_height=block_height, nonce=types_pb2.Nonce(block_height=nonce)
        )
    )


def build_reputer_last_commit_set_event(topic_id: int, block_height: int, nonce: int) -> Event:
    """``EventReputerLastCommitSet``: a reputer nonce closed at ``block_height``."""
    return make_event_from_proto(
        events_pb2.EventReputerLastCommitSet(
            topic_id=topic_id, block_height=block_height, nonce=types_pb2.Nonce(block_height=nonce)
        )
    )


def build_network_loss_set_event(
    topic_id: int, block_height: int, value_bundle: types_pb2.ValueBundle
) -> Event:
    """``EventNetworkLossSet``: the network losses archived at nonce ``block_height``."""
    return make_event_from_proto(
        events_pb2.EventNetworkLossSet(
            topic_id=topic_id, block_height=block_height, value_bundle=value_bundle
        )
    )


def build_scores_set_event(
    actor_type: int,
    topic_id: int,
    block_height: int,
    addresses: Sequence[str],
    scores: Sequence[str],
) -> Event:
    """``EventScoresSet``: instant scores of one actor type at a nonce."""
    return make_event_from_proto(
        events_pb2.EventScoresSet(
            actor_type=actor_type,  # type: ignore[arg-type]
            topic_id=topic_id,
            block_height=block_height,
            addresses=list(addresses),
            scores=list(scores),
        )
    )


def build_ema_scores_set_event(
    actor_type: int,
    topic_id: int,
    nonce: int,
    addresses: Sequence[str],
    scores: Sequence[str],
    is_active: Sequence[bool],
) -> Event:
    """``EventEMAScoresSet``: EMA updates (active at rewards, passive in contests)."""
    return make_event_from_proto(
        events_pb2.EventEMAScoresSet(
            actor_type=actor_type,  # type: ignore[arg-type]
            topic_id=topic_id,
            nonce=nonce,
            addresses=list(addresses),
            scores=list(scores),
            is_active=list(is_active),
        )
    )


def build_forecast_task_score_set_event(topic_id: int, score: str) -> Event:
    """``EventForecastTaskScoreSet``."""
    return make_event_from_proto(
        events_pb2.EventForecastTaskScoreSet(topic_id=topic_id, score=score)
    )


def build_rewards_settled_event(
    actor_type: int,
    topic_id: int,
    block_height: int,
    addresses: Sequence[str],
    rewards: Sequence[str],
) -> Event:
    """``EventRewardsSettled``: rewards paid to one actor type at ``block_height``."""
    return make_event_from_proto(
        events_pb2.EventRewardsSettled(
            actor_type=actor_type,  # type: ignore[arg-type]
            topic_id=topic_id,
            block_height=block_height,
            addresses=list(addresses),
            rewards=list(rewards),
        )
    )


def build_topic_rewards_set_event(topic_ids: Sequence[int], rewards: Sequence[str]) -> Event:
    """``EventTopicRewardsSet``: the per-topic rewards of a block."""
    return make_event_from_proto(
        events_pb2.EventTopicRewardsSet(topic_ids=list(topic_ids), rewards=list(rewards))
    )


# ---------------------------------------------------------------------------------------------
# B.2: submission windows


def build_worker_window_opened_event(topic_id: int, nonce: int, window_end_block: int) -> Event:
    """``EventWorkerSubmissionWindowOpened`` (window end = nonce + W)."""
    return make_typed_event(
        f"{WINDOW_EVENT_PACKAGE}.EventWorkerSubmissionWindowOpened",
        {
            "topic_id": str(topic_id),
            "nonce_block_height": str(nonce),
            "window_end_block": str(window_end_block),
        },
    )


def build_worker_window_closed_event(topic_id: int, nonce: int) -> Event:
    """``EventWorkerSubmissionWindowClosed``."""
    return make_typed_event(
        f"{WINDOW_EVENT_PACKAGE}.EventWorkerSubmissionWindowClosed",
        {"topic_id": str(topic_id), "nonce_block_height": str(nonce)},
    )


def build_reputer_window_opened_event(topic_id: int, nonce: int, window_end_block: int) -> Event:
    """``EventReputerSubmissionWindowOpened``."""
    return make_typed_event(
        f"{WINDOW_EVENT_PACKAGE}.EventReputerSubmissionWindowOpened",
        {
            "topic_id": str(topic_id),
            "nonce_block_height": str(nonce),
            "window_end_block": str(window_end_block),
        },
    )


def build_reputer_window_closed_event(topic_id: int, nonce: int) -> Event:
    """``EventReputerSubmissionWindowClosed``."""
    return make_typed_event(
        f"{WINDOW_EVENT_PACKAGE}.EventReputerSubmissionWindowClosed",
        {"topic_id": str(topic_id), "nonce_block_height": str(nonce)},
    )


# ---------------------------------------------------------------------------------------------
# B.2: explorer events (pyallora)


def _extra(name: str, fields: dict[str, object]) -> Event:
    return make_typed_event(f"{EXTRA_EVENT_PACKAGE}.{name}", fields)


def build_topic_created_event(topic_id: int, creator: str, fee: int) -> Event:
    """A topic was created (the creation fee was paid)."""
    return _extra(
        "EventTopicCreated", {"topic_id": str(topic_id), "creator": creator, "fee": str(fee)}
    )


def build_topic_funded_event(topic_id: int, sender: str, amount: int) -> Event:
    """FundTopic paid ``amount`` into the topic's revenue."""
    return _extra(
        "EventTopicFunded", {"topic_id": str(topic_id), "sender": sender, "amount": str(amount)}
    )


def build_topic_activated_event(topic_id: int, epoch_end: int) -> Event:
    """A topic was scheduled (activation or reschedule lands in slot ``epoch_end``)."""
    return _extra("EventTopicActivated", {"topic_id": str(topic_id), "epoch_end": str(epoch_end)})


def build_topic_deactivated_event(topic_id: int, reason: str) -> Event:
    """A topic lost its schedule: ``evicted``, ``below_min_weight`` or ``lost_slot``."""
    return _extra("EventTopicDeactivated", {"topic_id": str(topic_id), "reason": reason})


def build_registered_event(topic_id: int, address: str, owner: str, *, is_reputer: bool) -> Event:
    """A worker or reputer registered in a topic."""
    return _extra(
        "EventRegistered",
        {"topic_id": str(topic_id), "address": address, "owner": owner, "is_reputer": is_reputer},
    )


def build_unregistered_event(topic_id: int, address: str, *, is_reputer: bool) -> Event:
    """A worker or reputer left a topic."""
    return _extra(
        "EventUnregistered",
        {"topic_id": str(topic_id), "address": address, "is_reputer": is_reputer},
    )


def build_stake_added_event(topic_id: int, reputer: str, amount: int) -> Event:
    """A reputer added self-stake."""
    return _extra(
        "EventStakeAdded", {"topic_id": str(topic_id), "reputer": reputer, "amount": str(amount)}
    )


def build_delegate_stake_added_event(
    topic_id: int, delegator: str, reputer: str, amount: int
) -> Event:
    """A delegator placed stake on a reputer."""
    return _extra(
        "EventDelegateStakeAdded",
        {
            "topic_id": str(topic_id),
            "delegator": delegator,
            "reputer": reputer,
            "amount": str(amount),
        },
    )


def build_stake_removal_event(
    kind: str,
    *,
    topic_id: int,
    reputer: str,
    amount: int,
    completion: int,
    delegator: str = "",
) -> Event:
    """A removal was ``Requested``, ``Cancelled`` or ``Paid``; delegated when ``delegator``."""
    fields: dict[str, object] = {
        "topic_id": str(topic_id),
        "reputer": reputer,
        "amount": str(amount),
        "block_removal_completed": str(completion),
    }
    if delegator:
        fields["delegator"] = delegator
        return _extra(f"EventDelegateStakeRemoval{kind}", fields)
    return _extra(f"EventStakeRemoval{kind}", fields)


def build_delegate_reward_claimed_event(
    topic_id: int, delegator: str, reputer: str, amount: int
) -> Event:
    """A delegator received its pending reward (claim, re-delegation or maturity)."""
    return _extra(
        "EventDelegateRewardClaimed",
        {
            "topic_id": str(topic_id),
            "delegator": delegator,
            "reputer": reputer,
            "amount": str(amount),
        },
    )


def build_params_updated_event(sender: str, names: Sequence[str]) -> Event:
    """UpdateParams changed the listed parameters."""
    return _extra("EventParamsUpdated", {"sender": sender, "params": list(names)})


def build_whitelist_admin_event(kind: str, sender: str, address: str) -> Event:
    """An admin was ``Added`` or ``Removed``."""
    return _extra(f"EventWhitelistAdmin{kind}", {"sender": sender, "address": address})
