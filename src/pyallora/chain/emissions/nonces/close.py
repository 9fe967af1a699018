"""Opening and closing worker and reputer nonces (PROTOCOL.md §5.4 step 3, §5.5, §5.6).

* :func:`open_worker_nonce` (§5.4 steps 3a-3c): at a topic's epoch end h, record
  ``epoch_last_ended = h``, open worker nonce h (front of the list, capped) and register the
  closing of its window at h + W;
* :func:`prune_nonces` (§5.4 step 3d): drop reputer nonces older than
  P = h − ((max_unfulfilled_reputer_requests + 1)·E + G) and worker nonces older than P − E;
* :func:`close_worker_nonce` (§5.5): archive the window's inferences and forecasts, move the
  nonce from the worker list to the reputer list, record the commit, clear the working sets;
* :func:`close_reputer_nonce` (§5.6): filter and archive the reputers' bundles, compute the
  network losses and update the regrets (the engine's loss round), set the reward nonce,
  record the commit, clear the reputer set.

A close either completes or raises; :func:`run_in_branch` runs it against a branch of the
block's store and applies the failure policy: by default ([REC] §10, quirk C22) a failed close
leaves nothing behind and the nonce is dropped with its working sets; under
``reference_compat`` what the close wrote before failing stays and the working sets carry
over (C22), as in the reference.

Quirk C21 (reputer bundles are per topic, not per nonce): under ``reference_compat`` a close
consumes every bundle of the active reputer set, whatever nonce it was signed for, filtered
against the workers archived at *that* nonce. By default a close takes only the bundles
signed for the nonce being closed, removes those (and bundles for nonces that can no longer
close) from the set, and leaves bundles for later nonces in place for their own close.

Quirk C5 (W = E): the worker-close precondition ``epoch_last_ended < h ≤ epoch_last_ended +
G`` is evaluated by default against ``epoch_last_ended`` as it was *before* this block (the
end-block stages pass it on), so a W = E window closes normally; under ``reference_compat``
the value just written by step 3a is used and the nonce is dropped.

B.2 window events: worker window opened when the nonce opens (end = nonce + W), closed
when it closes or is dropped; reputer window opened when the worker close opens the reputer
nonce (its end is the message-level bound N + 2G; submissions are accepted from N + G),
closed when it closes, is dropped or pruned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Final, TypeVar

from pyallora.chain.context import Context
from pyallora.chain.emissions.errors import (
    NonceStillUnfulfilledError,
    NoQualifiedInferersError,
    NoValidBundlesError,
    ReputerNonceWindowNotAvailableError,
    UnfulfilledNonceNotFoundError,
    WorkerNonceWindowNotAvailableError,
)
from pyallora.chain.emissions.events import (
    build_network_loss_set_event,
    build_reputer_last_commit_set_event,
    build_reputer_window_closed_event,
    build_reputer_window_opened_event,
    build_worker_last_commit_set_event,
    build_worker_window_closed_event,
    build_worker_window_opened_event,
)
from pyallora.chain.emissions.heights import compute_later_height
from pyallora.chain.emissions.nonces.state import (
    Commit,
    add_open_worker_window,
    add_reputer_nonce,
    add_worker_nonce,
    delete_reputer_nonce,
    delete_worker_nonce,
    get_archived_forecasts,
    get_archived_inferences,
    get_unfulfilled_reputer_nonces,
    get_unfulfilled_worker_nonces,
    set_archived_forecasts,
    set_archived_inferences,
    set_archived_loss_bundles,
    set_last_reputer_commit,
    set_last_worker_commit,
    set_network_loss_bundle,
    set_topic_reward_nonce,
    set_unfulfilled_reputer_nonces,
    set_unfulfilled_worker_nonces,
)
from pyallora.chain.emissions.params import EmissionsParams, get_params, is_reference_compat
from pyallora.chain.emissions.rewards.state import FORECASTER, INFERER, REPUTER
from pyallora.chain.emissions.rewards.synthesis_state import (
    compute_synthesis_params,
    load_synthesis_state,
    save_loss_round,
)
from pyallora.chain.emissions.stake.state import get_stake_reputer_authority
from pyallora.chain.emissions.submissions.bundles import (
    engine_to_value_bundle,
    filter_value_bundle,
    value_bundle_to_engine,
)
from pyallora.chain.emissions.submissions.state import (
    clear_reputer_members,
    clear_reputer_working_set,
    clear_worker_working_sets,
    get_active_set,
    get_latest_forecast,
    get_latest_inference,
    get_latest_loss_bundle,
)
from pyallora.chain.emissions.topics.state import Topic, get_topic, set_topic
from pyallora.chain.events import EventCollector
from pyallora.chain.store.kv import Branch, KVStore
from pyallora.core.dec import Dec, dec, with_dec_context
from pyallora.core.errors import ConsensusError, InvalidDecError, SynthesisInputError
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.synthesis.epoch import compute_loss_round
from pyallora.synthesis.types import (
    BundleKey,
    NetworkInferences,
    ReputerReport,
    ValueBundle,
)

STEP_FAILURES: Final = (ConsensusError, SynthesisInputError, InvalidDecError, ArithmeticError)
"""Exceptions that fail one end-block step (a nonce close, a topic's rewards) without halting:
typed rejections, engine input errors and arithmetic traps on extreme submitted values."""

_T = TypeVar("_T")


def run_in_branch(
    ctx: Context,
    store: KVStore,
    step: Callable[[Context, KVStore], _T],
    *,
    keep_partial: bool,
) -> tuple[bool, _T | None]:
    """Run ``step`` on a branch of ``store``; write it back on success.

    On a :data:`STEP_FAILURES` exception the branch (and its events) is dropped, unless
    ``keep_partial`` (``reference_compat``: the reference has no rollback there), in which
    case what the step wrote before failing is kept.

    Returns
    -------
    tuple
        ``(True, result)`` on success, ``(False, None)`` on failure.
    """
    branch = Branch(store)
    events = EventCollector()
    try:
        result = step(ctx.with_events(events), branch)
    except STEP_FAILURES:
        if keep_partial:
            branch.write()
            ctx.events.extend(events.events)
        return False, None
    branch.write()
    ctx.events.extend(events.events)
    return True, result


# ---------------------------------------------------------------------------------------------
# Opening (§5.4 steps 3a-3d)


def open_worker_nonce(ctx: Context, store: KVStore, topic: Topic, params: EmissionsParams) -> Topic:
    """Steps 3a-3c at the topic's epoch end h: ``epoch_last_ended = h``, open worker nonce h,
    register its window's closing at h + W. Returns the updated topic."""
    height = ctx.height
    # W ≤ E and the reschedule already checked h + E (stage 2), so this cannot fail.
    window_end = compute_later_height(
        height, topic.worker_submission_window, f"topic {topic.id} worker window"
    )
    updated = replace(topic, epoch_last_ended=height)
    set_topic(store, updated)
    add_worker_nonce(store, topic.id, height, params.max_unfulfilled_worker_requests)
    add_open_worker_window(store, window_end, topic.id)
    ctx.events.emit(build_worker_window_opened_event(topic.id, height, window_end))
    return updated


def prune_nonces(ctx: Context, store: KVStore, topic: Topic, params: EmissionsParams) -> None:
    """Step 3d: drop nonces too old to ever close (events for the dropped reputer nonces)."""
    epoch, lag = topic.epoch_length, topic.ground_truth_lag
    cutoff = ctx.height - ((params.max_unfulfilled_reputer_requests + 1) * epoch + lag)
    if cutoff <= 0:
        return
    reputer_nonces = get_unfulfilled_reputer_nonces(store, topic.id)
    kept = tuple(n for n in reputer_nonces if n >= cutoff)
    if kept != reputer_nonces:
        set_unfulfilled_reputer_nonces(store, topic.id, kept)
        for nonce in reputer_nonces:
            if nonce < cutoff:
                ctx.events.emit(build_reputer_window_closed_event(topic.id, nonce))
    if cutoff - epoch > 0:
        worker_nonces = get_unfulfilled_worker_nonces(store, topic.id)
        kept_workers = tuple(n for n in worker_nonces if n >= cutoff - epoch)
        if kept_workers != worker_nonces:
            set_unfulfilled_worker_nonces(store, topic.id, kept_workers)
            for nonce in worker_nonces:
                if nonce < cutoff - epoch:
                    ctx.events.emit(build_worker_window_closed_event(topic.id, nonce))


# ---------------------------------------------------------------------------------------------
# Worker close (§5.5)


def _require_topic(store: KVStore, topic_id: int) -> Topic:
    topic = get_topic(store, topic_id)
    if topic is None:
        raise UnfulfilledNonceNotFoundError(f"topic {topic_id} does not exist")
    return topic


def close_worker_nonce(
    ctx: Context, store: KVStore, topic_id: int, nonce: int, *, epoch_last_ended: int
) -> None:
    """Close worker nonce ``nonce`` at h (§5.5 steps 1-5).

    Parameters
    ----------
    epoch_last_ended
        The value the precondition is checked against (quirk C5, module docstring).

    Raises
    ------
    UnfulfilledNonceNotFoundError
        If the nonce is not open (75).
    WorkerNonceWindowNotAvailableError
        Unless ``epoch_last_ended < h ≤ epoch_last_ended + G`` (67).
    NoQualifiedInferersError
        If no inferer was admitted (80).
    """
    topic = _require_topic(store, topic_id)
    height = ctx.height
    if nonce not in get_unfulfilled_worker_nonces(store, topic_id):
        raise UnfulfilledNonceNotFoundError(f"worker nonce {nonce} of topic {topic_id}")
    if not epoch_last_ended < height <= epoch_last_ended + topic.ground_truth_lag:
        raise WorkerNonceWindowNotAvailableError(
            f"closing worker nonce {nonce} at {height} with epoch_last_ended {epoch_last_ended}"
        )
    inferers = get_active_set(store, INFERER, topic_id)
    inferences = tuple(
        stored
        for address in inferers
        if (stored := get_latest_inference(store, topic_id, address)) is not None
    )
    if not inferences:
        raise NoQualifiedInferersError(f"topic {topic_id}, worker nonce {nonce}")
    set_archived_inferences(store, topic_id, nonce, inferences)
    archived = frozenset(inference.inferer for inference in inferences)
    forecasts: list[types_pb2.Forecast] = []
    for address in get_active_set(store, FORECASTER, topic_id):
        forecast = get_latest_forecast(store, topic_id, address)
        if forecast is None or not forecast.forecaster:
            continue
        if forecast.topic_id != topic_id or forecast.block_height != nonce:
            continue
        elements = [e for e in forecast.forecast_elements if e.inferer in archived]
        if not elements:
            continue
        kept = types_pb2.Forecast()
        kept.CopyFrom(forecast)
        del kept.forecast_elements[:]
        kept.forecast_elements.extend(elements)
        forecasts.append(kept)
    set_archived_forecasts(store, topic_id, nonce, tuple(forecasts))
    params = get_params(store)
    delete_worker_nonce(store, topic_id, nonce)
    add_reputer_nonce(store, topic_id, nonce, params.max_unfulfilled_reputer_requests)
    set_last_worker_commit(store, topic_id, Commit(block_height=height, nonce=nonce))
    ctx.events.emit(build_worker_last_commit_set_event(topic_id, height, nonce))
    ctx.events.emit(build_worker_window_closed_event(topic_id, nonce))
    ctx.events.emit(
        build_reputer_window_opened_event(topic_id, nonce, nonce + 2 * topic.ground_truth_lag)
    )
    clear_worker_working_sets(store, topic_id)


def drop_worker_nonce(ctx: Context, store: KVStore, topic_id: int, nonce: int) -> None:
    """A failed close: remove the nonce; by default also clear the working sets (C22)."""
    if delete_worker_nonce(store, topic_id, nonce):
        ctx.events.emit(build_worker_window_closed_event(topic_id, nonce))
    if not is_reference_compat(store):
        clear_worker_working_sets(store, topic_id)


def process_worker_window_close(
    ctx: Context, store: KVStore, topic_id: int, nonce: int, *, epoch_last_ended: int
) -> bool:
    """Close a worker nonce under the failure policy (module docstring); True when closed."""
    closed, _ = run_in_branch(
        ctx,
        store,
        lambda c, s: close_worker_nonce(c, s, topic_id, nonce, epoch_last_ended=epoch_last_ended),
        keep_partial=is_reference_compat(store),
    )
    if not closed:
        drop_worker_nonce(ctx, store, topic_id, nonce)
    return closed


# ---------------------------------------------------------------------------------------------
# Reputer close (§5.6)


def _bundle_nonce(bundle: types_pb2.ReputerValueBundle) -> int:
    return bundle.value_bundle.reputer_request_nonce.reputer_nonce.block_height


def _archived_workers(
    store: KVStore, topic_id: int, nonce: int
) -> tuple[frozenset[str], frozenset[str]]:
    inferers = frozenset(i.inferer for i in get_archived_inferences(store, topic_id, nonce))
    forecasters = frozenset(f.forecaster for f in get_archived_forecasts(store, topic_id, nonce))
    return inferers, forecasters


def _reported_keys_bundle(reports: list[ReputerReport]) -> NetworkInferences:
    """A stand-in value bundle holding every key some reputer reported.

    The chain filters reputer bundles by the workers archived at the nonce (§5.6 step 1), not
    by the keys the network produced, so the engine's own key filter is made a no-op.
    """
    entries: dict[BundleKey, Dec] = {}
    for report in reports:
        for key, value in report.losses.entries():
            entries.setdefault(key, value)
    return NetworkInferences(
        bundle=ValueBundle.from_entries(entries),
        inferer_weights={},
        forecaster_weights={},
        forecasted_regrets={},
        error_bars=None,
        mode="chain_reported_keys",
    )


@with_dec_context
def close_reputer_nonce(ctx: Context, store: KVStore, topic_id: int, nonce: int) -> None:
    """Close reputer nonce ``nonce`` at h (§5.6 steps 1-5).

    Raises
    ------
    NonceStillUnfulfilledError
        If worker nonce ``nonce`` is still open (45).
    UnfulfilledNonceNotFoundError
        If reputer nonce ``nonce`` is not open (75).
    ReputerNonceWindowNotAvailableError
        If h < nonce + G (68).
    NoValidBundlesError
        If an active reputer has no stored bundle (55).
    EmptyInputError
        If no bundle of a reputer at or above the minimum stake survives (the reference's
        division by a zero stake sum).
    """
    topic = _require_topic(store, topic_id)
    height = ctx.height
    compat = is_reference_compat(store)
    if nonce in get_unfulfilled_worker_nonces(store, topic_id):
        raise NonceStillUnfulfilledError(f"worker nonce {nonce} of topic {topic_id} is open")
    if nonce not in get_unfulfilled_reputer_nonces(store, topic_id):
        raise UnfulfilledNonceNotFoundError(f"reputer nonce {nonce} of topic {topic_id}")
    if height < nonce + topic.ground_truth_lag:
        raise ReputerNonceWindowNotAvailableError(f"closing reputer nonce {nonce} at {height}")
    params = get_params(store)
    members = get_active_set(store, REPUTER, topic_id)
    kept: list[types_pb2.ReputerValueBundle] = []
    reports: list[ReputerReport] = []
    consumed: list[str] = []
    open_nonces = get_unfulfilled_reputer_nonces(store, topic_id)
    archived: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
    for address in members:
        stored = get_latest_loss_bundle(store, topic_id, address)
        if stored is None:
            raise NoValidBundlesError(f"active reputer {address} has no bundle")
        bundle_nonce = _bundle_nonce(stored)
        if not compat and bundle_nonce != nonce:
            if bundle_nonce not in open_nonces:
                consumed.append(address)
            continue
        consumed.append(address)
        authority = get_stake_reputer_authority(store, topic_id, address)
        if authority < params.required_minimum_stake:
            continue
        if bundle_nonce not in archived:
            archived[bundle_nonce] = _archived_workers(store, topic_id, bundle_nonce)
        inferers, forecasters = archived[bundle_nonce]
        filtered = types_pb2.ReputerValueBundle()
        filtered.CopyFrom(stored)
        filtered.value_bundle.CopyFrom(
            filter_value_bundle(stored.value_bundle, inferers=inferers, forecasters=forecasters)
        )
        kept.append(filtered)
        reports.append(
            ReputerReport(
                reputer=address,
                stake=dec(authority),
                losses=value_bundle_to_engine(filtered.value_bundle),
            )
        )
    set_archived_loss_bundles(store, topic_id, nonce, tuple(kept))
    synthesis_params = compute_synthesis_params(topic, params)
    before = load_synthesis_state(store, topic, params, nonce=nonce)
    loss_round = compute_loss_round(
        network_inferences=_reported_keys_bundle(reports),
        reports=reports,
        state=before,
        params=synthesis_params,
    )
    losses = engine_to_value_bundle(loss_round.network_losses, topic_id=topic_id, nonce=nonce)
    set_network_loss_bundle(store, topic_id, nonce, losses)
    ctx.events.emit(build_network_loss_set_event(topic_id, nonce, losses))
    save_loss_round(store, topic_id, nonce, before, loss_round)
    delete_reputer_nonce(store, topic_id, nonce)
    set_topic_reward_nonce(store, topic_id, nonce)
    set_last_reputer_commit(store, topic_id, Commit(block_height=height, nonce=nonce))
    ctx.events.emit(build_reputer_last_commit_set_event(topic_id, height, nonce))
    ctx.events.emit(build_reputer_window_closed_event(topic_id, nonce))
    if compat:
        clear_reputer_working_set(store, topic_id)
    else:
        clear_reputer_members(store, topic_id, tuple(consumed))


def drop_reputer_nonce(ctx: Context, store: KVStore, topic_id: int, nonce: int) -> None:
    """A failed close: remove the nonce; by default also clear the bundles for it (C22)."""
    if delete_reputer_nonce(store, topic_id, nonce):
        ctx.events.emit(build_reputer_window_closed_event(topic_id, nonce))
    if is_reference_compat(store):
        return
    doomed = tuple(
        address
        for address in get_active_set(store, REPUTER, topic_id)
        if (stored := get_latest_loss_bundle(store, topic_id, address)) is None
        or _bundle_nonce(stored) == nonce
    )
    clear_reputer_members(store, topic_id, doomed)


def process_reputer_nonce_close(ctx: Context, store: KVStore, topic_id: int, nonce: int) -> bool:
    """Close a reputer nonce under the failure policy (module docstring); True when closed."""
    closed, _ = run_in_branch(
        ctx,
        store,
        lambda c, s: close_reputer_nonce(c, s, topic_id, nonce),
        keep_partial=is_reference_compat(store),
    )
    if not closed:
        drop_reputer_nonce(ctx, store, topic_id, nonce)
    return closed


def process_topic_epoch_end(
    ctx: Context, store: KVStore, topic_id: int, params: EmissionsParams
) -> None:
    """§5.4 step 3 for one kept topic: open worker nonce h, prune, close due reputer nonces
    (newest first)."""
    topic = _require_topic(store, topic_id)
    topic = open_worker_nonce(ctx, store, topic, params)
    prune_nonces(ctx, store, topic, params)
    due = topic.ground_truth_lag + topic.epoch_length
    for nonce in get_unfulfilled_reputer_nonces(store, topic_id):
        if ctx.height >= nonce + due:
            process_reputer_nonce_close(ctx, store, topic_id, nonce)
