"""The epoch pipeline of the synthesis engine (SYNTHESIS.md §1): the API the chain calls.

Two entry points, each a pure function of frozen records:

* :func:`compute_network_inferences` (§1 step 2): accepted inferences and forecasts + the
  stored :class:`~pyallora.synthesis.types.SynthesisState` → the value bundle with every §7
  member, the §7.1 weights and the confidence band
  (:class:`~pyallora.synthesis.types.NetworkInferences`).
* :func:`compute_epoch_outcome` (§1 steps 4–8): that value bundle, the reputers' loss bundles
  and stakes, the stored state and the topic reward → network losses, regrets, initial regret,
  scores, reputer consensus, reward fractions, entropies, χ and τ, U/V/W, per-participant
  rewards and the new state (:class:`~pyallora.synthesis.types.EpochOutcome`).

:data:`EPOCH_STAGES` names the stages of the second call in order. Inputs are validated once
here (the ``_check_*`` functions) and trusted below; bad input raises a
:class:`~pyallora.core.errors.SynthesisInputError` subclass naming the participant. Forecast
elements about inferers without an accepted inference are dropped (§1 step 1), and so are
loss-bundle entries that are not in the value bundle (the chain filters reputer bundles the
same way, PROTOCOL.md §5.6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import gmpy2

from pyallora.core.dec import ONE, ZERO, Dec, dec, is_finite, with_dec_context
from pyallora.core.errors import (
    DuplicateParticipantError,
    EmptyInputError,
    NegativeValueError,
    NonFiniteValueError,
    SynthesisInputError,
    UnknownParticipantError,
)
from pyallora.synthesis.losses import compute_stake_weighted_losses
from pyallora.synthesis.network_inference import compute_network_inference_family
from pyallora.synthesis.params import SynthesisParams
from pyallora.synthesis.payouts import compute_payouts
from pyallora.synthesis.regrets import (
    compute_experienced_regrets,
    compute_initial_regret,
    compute_updated_regrets,
)
from pyallora.synthesis.reputer_consensus import (
    ReputerConsensusParams,
    compute_reputer_consensus,
)
from pyallora.synthesis.rewards import (
    compute_forecasting_utility,
    compute_participant_rewards,
    compute_reputer_fractions,
    compute_score_history,
    compute_score_sample,
    compute_task_fractions,
    compute_task_rewards,
    compute_worker_fractions,
)
from pyallora.synthesis.scores import (
    compute_forecaster_scores,
    compute_inferer_scores,
    compute_score_emas,
    compute_score_quantile,
)
from pyallora.synthesis.types import (
    BundleKey,
    EpochOutcome,
    Forecast,
    Inference,
    NetworkInferences,
    RegretState,
    ReputerReport,
    SynthesisState,
    TaskFractions,
    ValueBundle,
    freeze_map,
)

EPOCH_STAGES: tuple[tuple[str, str], ...] = (
    ("network_losses", "§8 stake-weighted network log-losses"),
    ("regrets", "§9.1 regret EMAs"),
    ("initial_regret", "§9.3 topic initial regret"),
    ("worker_scores", "§10 inferer and forecaster scores"),
    ("reputer_consensus", "§11 reputer scores and listening coefficients"),
    ("reward_fractions", "§12.1–12.2 instantaneous fractions"),
    ("smoothing_entropy", "§12.3 smoothing and entropies"),
    ("forecasting_utility", "§13.1 χ and the ratio EMA"),
    ("task_rewards", "§13.2 U, V, W"),
    ("payouts", "§13.3 per-participant rewards"),
    ("state", "§4 the state stored for the next epoch"),
)
"""The stages of :func:`compute_epoch_outcome`, in order (name, spec section)."""

ROLE_INFERER = "inferer"
"""Role name in payout keys."""
ROLE_FORECASTER = "forecaster"
"""Role name in payout keys."""
ROLE_REPUTER = "reputer"
"""Role name in payout keys."""

_DEC_TYPE = type(ZERO)


@dataclass(frozen=True, slots=True, kw_only=True)
class GivenFractions:
    """Instantaneous worker fractions supplied instead of computed (§12.1).

    Only for replaying a record whose score history does not reach back far enough for the
    σ of §12.1 (the simulator tables' conditional inputs, vectors README §2); the chain never
    passes them. Keys must be exactly the participants scored in the task this epoch.
    """

    inferers: Mapping[str, Dec] | None = None
    forecasters: Mapping[str, Dec] | None = None


# ---------------------------------------------------------------------------------------------
# Validation


def _check_number(value: object, what: str) -> Dec:
    if not isinstance(value, _DEC_TYPE):
        raise SynthesisInputError(f"{what} must be a Dec, got {type(value).__name__}")
    if not is_finite(value):
        raise NonFiniteValueError(f"{what} is not finite: {value}")
    return value


def _check_id(value: object, role: str) -> str:
    if not isinstance(value, str) or not value:
        raise SynthesisInputError(f"{role} id must be a non-empty string, got {value!r}")
    return value


def _check_inferences(inferences: Sequence[Inference]) -> dict[str, Dec]:
    if not inferences:
        raise EmptyInputError("no accepted inference: the network inference needs at least one")
    out: dict[str, Dec] = {}
    for inference in inferences:
        j = _check_id(inference.inferer, "inferer")
        if j in out:
            raise DuplicateParticipantError(f"inferer {j!r} submitted more than one inference")
        out[j] = _check_number(inference.value, f"inference of inferer {j!r}")
    return dict(sorted(out.items()))


def _check_forecasts(
    forecasts: Sequence[Forecast], inferences: Mapping[str, Dec]
) -> tuple[Forecast, ...]:
    seen: set[str] = set()
    kept: list[Forecast] = []
    for forecast in forecasts:
        k = _check_id(forecast.forecaster, "forecaster")
        if k in seen:
            raise DuplicateParticipantError(f"forecaster {k!r} submitted more than one forecast")
        seen.add(k)
        about: set[str] = set()
        for element in forecast.elements:
            if element.inferer in about:
                raise DuplicateParticipantError(
                    f"forecast of {k!r} has two elements about inferer {element.inferer!r}"
                )
            about.add(element.inferer)
            _check_number(element.value, f"forecasted loss of {element.inferer!r} by {k!r}")
        if any(element.inferer in inferences for element in forecast.elements):
            kept.append(forecast)
    kept.sort(key=lambda f: f.forecaster)
    return tuple(kept)


def _check_state(state: SynthesisState) -> None:
    if state.previous_network_loss is not None:
        _check_number(state.previous_network_loss, "previous network loss")
    _check_number(state.initial_regret, "topic initial regret")


def _bundle_keys(bundle: ValueBundle) -> set[BundleKey]:
    return {key for key, _ in bundle.entries()}


def _are_finite_decs(values: Sequence[object]) -> bool:
    """True when every value is a finite Dec (one C-level sum instead of a check per value)."""
    if not all(type(value) is _DEC_TYPE for value in values):
        return False
    try:
        return not values or is_finite(gmpy2.fsum(values))  # type: ignore[arg-type]
    except ArithmeticError:  # NaN operands trap under the Dec context
        return False


@dataclass(frozen=True, slots=True, kw_only=True)
class _Report:
    """A validated loss bundle: the reputer, its stake and its losses by bundle key."""

    reputer: str
    stake: Dec
    losses: dict[BundleKey, Dec]


def _check_reports(
    reports: Sequence[ReputerReport], allowed: set[BundleKey] | None
) -> list[_Report]:
    if not reports:
        raise EmptyInputError("no reputer loss bundle: the loss round needs at least one")
    seen: set[str] = set()
    out: list[_Report] = []
    for report in reports:
        m = _check_id(report.reputer, "reputer")
        if m in seen:
            raise DuplicateParticipantError(f"reputer {m!r} submitted more than one loss bundle")
        seen.add(m)
        stake = _check_number(report.stake, f"stake of reputer {m!r}")
        if stake < 0:
            raise NegativeValueError(f"stake of reputer {m!r} is negative: {stake}")
        entries = report.losses.entries()
        # Fast path: every value a finite Dec (fsum of finite values is finite); otherwise
        # find the offender for the message.
        if not _are_finite_decs([loss for _, loss in entries]):
            for key, loss in entries:
                _check_number(loss, f"loss {'/'.join(key)} reported by {m!r}")
        out.append(
            _Report(
                reputer=m,
                stake=stake,
                losses=(
                    dict(entries)
                    if allowed is None
                    else {key: loss for key, loss in entries if key in allowed}
                ),
            )
        )
    out.sort(key=lambda r: r.reputer)
    return out


def _check_given(
    given: Mapping[str, Dec] | None, scored: Mapping[str, Dec], task: str
) -> Mapping[str, Dec] | None:
    if given is None:
        return None
    for x in sorted(given):
        if x not in scored:
            raise UnknownParticipantError(f"given {task} fraction for {x!r}, who was not scored")
        value = _check_number(given[x], f"given {task} fraction of {x!r}")
        if value < 0:
            raise NegativeValueError(f"given {task} fraction of {x!r} is negative: {value}")
    for x in scored:
        if x not in given:
            raise UnknownParticipantError(f"no given {task} fraction for scored {x!r}")
    return freeze_map(given)


# ---------------------------------------------------------------------------------------------
# Step 2: network inferences


@with_dec_context
def compute_network_inferences(
    *,
    inferences: Sequence[Inference],
    forecasts: Sequence[Forecast],
    state: SynthesisState,
    params: SynthesisParams,
) -> NetworkInferences:
    """The value bundle of an epoch (SYNTHESIS.md §6, §7, §17).

    Parameters
    ----------
    inferences
        The accepted inferences (one per inferer).
    forecasts
        The accepted forecasts (one per forecaster, one element per inferer each); elements
        about inferers without an inference are dropped, and so is a forecast left empty.
    state
        The topic's stored state: regrets, initial regret, last network loss.
    params
        Synthesis parameters.

    Returns
    -------
    NetworkInferences
        The value bundle (§7.7), the normalised §7.1 weights, the forecasted regrets and the
        confidence band (§7.6).

    Raises
    ------
    EmptyInputError
        Without any inference.
    DuplicateParticipantError
        Two inferences of one inferer, two forecasts of one forecaster, or two elements of one
        forecast about the same inferer.
    NonFiniteValueError
        A NaN or infinite inference, forecasted loss or state value.
    SynthesisInputError
        A value that is not a Dec.
    """
    values = _check_inferences(inferences)
    kept = _check_forecasts(forecasts, values)
    _check_state(state)
    return compute_network_inference_family(
        freeze_map(values),
        kept,
        state.regrets,
        state.initial_regret,
        state.previous_network_loss,
        params,
    )


# ---------------------------------------------------------------------------------------------
# Steps 4-8: the loss round (§8-§9) and the reward round (§10-§13)


def get_reputer_consensus_params(params: SynthesisParams) -> ReputerConsensusParams:
    """The §11 parameters of a :class:`SynthesisParams`."""
    return ReputerConsensusParams(
        learning_rate=params.learning_rate,
        max_iterations=params.gradient_descent_max_iters,
        max_gradient_threshold=params.max_gradient_threshold,
        min_stake_fraction=params.min_stake_fraction,
        epsilon_reputer=params.epsilon_reputer,
        epsilon_safe_div=params.epsilon_safe_div,
    )


def _merge(previous: Mapping[str, Dec], new: Mapping[str, Dec]) -> Mapping[str, Dec]:
    merged = dict(previous)
    merged.update(new)
    return freeze_map(merged)


def _check_topic_reward(topic_reward: int | Dec) -> Dec:
    if isinstance(topic_reward, bool):
        raise SynthesisInputError("the topic reward must be an int or a Dec, not a boolean")
    if isinstance(topic_reward, int):
        if topic_reward < 0:
            raise NegativeValueError(f"negative topic reward: {topic_reward}")
        return dec(topic_reward)
    reward = _check_number(topic_reward, "topic reward")
    if reward < 0:
        raise NegativeValueError(f"negative topic reward: {reward}")
    return reward


def _counted_reports(
    reports: Sequence[ReputerReport], allowed: set[BundleKey] | None, params: SynthesisParams
) -> list[_Report]:
    checked = _check_reports(reports, allowed)
    counted = [r for r in checked if r.stake >= params.required_minimum_stake]
    if not any(r.stake > 0 for r in counted):
        raise EmptyInputError(
            "no reputer with a positive stake at or above the required minimum reported"
        )
    return counted


@dataclass(frozen=True, slots=True, kw_only=True)
class LossRound:
    """Result of the loss round (§1 steps 4–5, PROTOCOL.md §5.6)."""

    network_losses: ValueBundle
    """Stake-weighted network log-losses (§8)."""
    regrets: RegretState
    """Regrets after the update (§9.1)."""
    initial_regret: Dec
    """Topic initial regret after §9.3."""
    state: SynthesisState
    """``state`` with the new regrets, initial regret and L_{i−1}."""


@with_dec_context
def compute_loss_round(
    *,
    network_inferences: NetworkInferences,
    reports: Sequence[ReputerReport],
    state: SynthesisState,
    params: SynthesisParams,
) -> LossRound:
    """Network losses and the regret update of one epoch (§8, §9; §1 steps 4–5).

    Parameters and errors as :func:`compute_epoch_outcome` (without the reward).
    """
    _check_state(state)
    counted = _counted_reports(reports, _bundle_keys(network_inferences.bundle), params)
    return _run_loss_round(counted, state, params)


def _run_loss_round(
    counted: list[_Report], state: SynthesisState, params: SynthesisParams
) -> LossRound:
    losses = ValueBundle.from_entries(
        compute_stake_weighted_losses([(r.stake, r.losses) for r in counted])
    )
    regrets = compute_updated_regrets(
        state.regrets,
        losses,
        initial_regret=state.initial_regret,
        alpha_regret=params.alpha_regret,
    )
    experienced = compute_experienced_regrets(
        state.regrets,
        regrets,
        losses,
        inferer_inclusions=state.inferer_inclusions,
        forecaster_inclusions=state.forecaster_inclusions,
        alpha_regret=params.alpha_regret,
    )
    initial_regret = state.initial_regret
    if experienced:
        initial_regret = compute_initial_regret(
            experienced,
            quantile=params.initial_regret_quantile,
            p_norm=params.p_norm,
            c_norm=params.c_norm,
            p_norm_safe_div=params.p_norm_safe_div,
            epsilon=params.epsilon,
        )
    return LossRound(
        network_losses=losses,
        regrets=regrets,
        initial_regret=initial_regret,
        state=replace(
            state,
            previous_network_loss=(
                losses.combined if losses.combined is not None else state.previous_network_loss
            ),
            regrets=regrets,
            initial_regret=initial_regret,
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RewardRound:
    """Result of the reward round (§1 steps 6–8, PROTOCOL.md §5.7)."""

    inferer_scores: Mapping[str, Dec]
    forecaster_scores: Mapping[str, Dec]
    reputer_scores: Mapping[str, Dec]
    listening_coefficients: Mapping[str, Dec]
    adjusted_stakes: Mapping[str, Dec]
    consensus_iterations: int
    inferers: TaskFractions
    forecasters: TaskFractions
    reputers: TaskFractions
    forecaster_task_score: Dec | None
    forecaster_score_ratio: Dec
    forecasting_utility: Dec
    inference_reward: Dec
    forecasting_reward: Dec
    reputation_reward: Dec
    inferer_rewards: Mapping[str, Dec]
    forecaster_rewards: Mapping[str, Dec]
    reputer_rewards: Mapping[str, Dec]
    payouts: Mapping[tuple[str, str], int] | None
    state: SynthesisState
    """``state`` with the new coefficients, fractions, ratio, scores, EMAs and inclusions."""


@with_dec_context
def compute_reward_round(
    *,
    network_losses: ValueBundle,
    reports: Sequence[ReputerReport],
    state: SynthesisState,
    params: SynthesisParams,
    topic_reward: int | Dec,
    given_fractions: GivenFractions | None = None,
) -> RewardRound:
    """Scores, reputer consensus, fractions, entropies and rewards of one epoch (§10–§13;
    §1 steps 6–8), from the network losses of its loss round and the reputers' bundles.

    Parameters and errors as :func:`compute_epoch_outcome`; the loss bundles are used as
    given (entries the network losses lack are left out of the consensus).
    """
    _check_state(state)
    _check_topic_reward(topic_reward)
    counted = _counted_reports(reports, None, params)
    return _run_reward_round(counted, network_losses, state, params, topic_reward, given_fractions)


def _run_reward_round(
    counted: list[_Report],
    network_losses: ValueBundle,
    state: SynthesisState,
    params: SynthesisParams,
    topic_reward: int | Dec,
    given_fractions: GivenFractions | None,
) -> RewardRound:
    reward = _check_topic_reward(topic_reward)
    losses = network_losses

    # --- §10 worker scores
    inferer_scores = compute_inferer_scores(losses)
    forecaster_scores = compute_forecaster_scores(losses)

    # --- §11 reputer consensus (layout: the network-loss entries, §11 order)
    layout = [key for key, _ in losses.entries()]
    reputer_ids = [r.reputer for r in counted]
    stakes = {r.reputer: r.stake for r in counted}
    loss_rows: list[list[Dec | None]] = [
        [report.losses.get(key) for key in layout] for report in counted
    ]
    consensus = compute_reputer_consensus(
        loss_rows,
        [stakes[m] for m in reputer_ids],
        [state.listening_coefficients.get(m, ONE) for m in reputer_ids],
        get_reputer_consensus_params(params),
    )
    reputer_scores = freeze_map(zip(reputer_ids, consensus.scores, strict=True))

    # --- §12.1–12.2 instantaneous fractions
    samples = params.max_samples_to_scale_scores
    given = given_fractions or GivenFractions()
    inferer_fractions = _check_given(given.inferers, inferer_scores, "inferer")
    if inferer_fractions is None:
        inferer_fractions = compute_worker_fractions(
            inferer_scores,
            compute_score_sample(
                list(inferer_scores.values()), state.recent_inferer_scores, samples
            ),
            p=params.p_reward_inference,
            c=params.c_reward_inference,
            epsilon=params.epsilon,
        )
    forecaster_fractions = _check_given(given.forecasters, forecaster_scores, "forecaster")
    if forecaster_fractions is None:
        forecaster_fractions = compute_worker_fractions(
            forecaster_scores,
            compute_score_sample(
                list(forecaster_scores.values()), state.recent_forecaster_scores, samples
            ),
            p=params.p_reward_forecast,
            c=params.c_reward_forecast,
            epsilon=params.epsilon,
        )
    reputer_fractions = compute_reputer_fractions(
        stakes, reputer_scores, p_reward_reputer=params.p_reward_reputer
    )

    # --- §12.3 smoothing and entropies
    alpha, beta = params.task_reward_alpha, params.beta_entropy
    inferers = compute_task_fractions(
        inferer_fractions, state.inferer_smoothed_fractions, alpha=alpha, beta=beta
    )
    forecasters = compute_task_fractions(
        forecaster_fractions, state.forecaster_smoothed_fractions, alpha=alpha, beta=beta
    )
    reputers = compute_task_fractions(
        reputer_fractions, state.reputer_smoothed_fractions, alpha=alpha, beta=beta
    )
    if not forecaster_fractions or len(losses.inferers) <= 1:
        # G = 0 without forecasters or with at most one inferer (§12.3).
        forecasters = replace(forecasters, entropy=ZERO)

    # --- §13.1 forecasting utility
    task_score: Dec | None = None
    if losses.naive is not None and losses.combined is not None:
        task_score = losses.naive - losses.combined
    utility, ratio = compute_forecasting_utility(
        task_score,
        list(inferer_scores.values()),
        previous_ratio=state.forecaster_score_ratio,
        alpha=alpha,
    )

    # --- §13.2 task rewards, §13.3 per participant
    split = compute_task_rewards(
        inferers.entropy,
        forecasters.entropy,
        reputers.entropy,
        utility=utility,
        topic_reward=reward,
    )
    inferer_rewards = compute_participant_rewards(inferer_fractions, split.inference)
    forecaster_rewards = compute_participant_rewards(forecaster_fractions, split.forecasting)
    reputer_rewards = compute_participant_rewards(reputer_fractions, split.reputation)
    payouts: Mapping[tuple[str, str], int] | None = None
    if isinstance(topic_reward, int):
        amounts: dict[tuple[str, str], Dec] = {}
        for role, rewards in (
            (ROLE_INFERER, inferer_rewards),
            (ROLE_FORECASTER, forecaster_rewards),
            (ROLE_REPUTER, reputer_rewards),
        ):
            for x, amount in rewards.items():
                amounts[(role, x)] = amount
        payouts = freeze_map(compute_payouts(topic_reward, amounts))

    # --- the new state (§4)
    def is_paid(role: str, x: str, amount: Dec) -> bool:
        if payouts is not None:
            return payouts.get((role, x), 0) > 0
        return bool(amount > 0)

    inferer_inclusions = dict(state.inferer_inclusions)
    for j, amount in inferer_rewards.items():
        if is_paid(ROLE_INFERER, j, amount):
            inferer_inclusions[j] = inferer_inclusions.get(j, 0) + 1
    forecaster_inclusions = dict(state.forecaster_inclusions)
    for k, amount in forecaster_rewards.items():
        if is_paid(ROLE_FORECASTER, k, amount):
            forecaster_inclusions[k] = forecaster_inclusions.get(k, 0) + 1
    coefficients = freeze_map(zip(reputer_ids, consensus.coefficients, strict=True))
    merit = params.merit_sortition_alpha
    new_state = replace(
        state,
        inferer_inclusions=freeze_map(inferer_inclusions),
        forecaster_inclusions=freeze_map(forecaster_inclusions),
        listening_coefficients=_merge(state.listening_coefficients, coefficients),
        inferer_smoothed_fractions=_merge(state.inferer_smoothed_fractions, inferers.smoothed),
        forecaster_smoothed_fractions=_merge(
            state.forecaster_smoothed_fractions, forecasters.smoothed
        ),
        reputer_smoothed_fractions=_merge(state.reputer_smoothed_fractions, reputers.smoothed),
        forecaster_score_ratio=ratio,
        recent_inferer_scores=compute_score_history(
            list(inferer_scores.values()), state.recent_inferer_scores, samples
        ),
        recent_forecaster_scores=compute_score_history(
            list(forecaster_scores.values()), state.recent_forecaster_scores, samples
        ),
        inferer_score_emas=compute_score_emas(state.inferer_score_emas, inferer_scores, merit),
        forecaster_score_emas=compute_score_emas(
            state.forecaster_score_emas, forecaster_scores, merit
        ),
        reputer_score_emas=compute_score_emas(state.reputer_score_emas, reputer_scores, merit),
        inferer_score_quantile=_quantile_or(
            inferer_scores, params.active_inferer_quantile, state.inferer_score_quantile
        ),
        forecaster_score_quantile=_quantile_or(
            forecaster_scores, params.active_forecaster_quantile, state.forecaster_score_quantile
        ),
        reputer_score_quantile=_quantile_or(
            reputer_scores, params.active_reputer_quantile, state.reputer_score_quantile
        ),
    )
    return RewardRound(
        inferer_scores=inferer_scores,
        forecaster_scores=forecaster_scores,
        reputer_scores=reputer_scores,
        listening_coefficients=coefficients,
        adjusted_stakes=freeze_map(zip(reputer_ids, consensus.adjusted_stakes, strict=True)),
        consensus_iterations=consensus.iterations,
        inferers=inferers,
        forecasters=forecasters,
        reputers=reputers,
        forecaster_task_score=task_score,
        forecaster_score_ratio=ratio,
        forecasting_utility=utility,
        inference_reward=split.inference,
        forecasting_reward=split.forecasting,
        reputation_reward=split.reputation,
        inferer_rewards=inferer_rewards,
        forecaster_rewards=forecaster_rewards,
        reputer_rewards=reputer_rewards,
        payouts=payouts,
        state=new_state,
    )


@with_dec_context
def compute_epoch_outcome(
    *,
    network_inferences: NetworkInferences,
    reports: Sequence[ReputerReport],
    state: SynthesisState,
    params: SynthesisParams,
    topic_reward: int | Dec,
    given_fractions: GivenFractions | None = None,
) -> EpochOutcome:
    """Losses, regrets, scores, fractions, rewards and the new state of one epoch (§8–§13).

    :func:`compute_loss_round` then :func:`compute_reward_round`, for a caller that closes the
    loss round and rewards the topic at the same time (the chain may run the two rounds in
    different blocks, PROTOCOL.md §5.6–5.7).

    Parameters
    ----------
    network_inferences
        The epoch's value bundle (:func:`compute_network_inferences`, computed from ``state``).
    reports
        The reputers' loss bundles and stakes. Reputers below RequiredMinimumStake are ignored
        throughout (§8); entries outside the value bundle are dropped.
    state
        The topic's stored state (the same as for the value bundle).
    params
        Synthesis parameters.
    topic_reward
        E, the topic's reward for the epoch: an ``int`` of base units (then ``payouts`` holds
        integer amounts adding up to it exactly) or a Dec (token amounts, no payouts).
    given_fractions
        Instantaneous worker fractions to use instead of computing them (replays only).

    Returns
    -------
    EpochOutcome
        Every output of the epoch, with the new state in ``state``.

    Raises
    ------
    EmptyInputError
        No loss bundle, or no counted reputer with a positive stake.
    DuplicateParticipantError
        Two loss bundles of one reputer.
    NegativeValueError
        A negative stake, topic reward or given fraction.
    NonFiniteValueError
        A NaN or infinite loss, stake or reward.
    SynthesisInputError
        A value of the wrong type (e.g. a float or a boolean reward).
    UnknownParticipantError
        Given fractions that do not match the scored participants.
    """
    _check_state(state)
    _check_topic_reward(topic_reward)
    counted = _counted_reports(reports, _bundle_keys(network_inferences.bundle), params)
    loss_round = _run_loss_round(counted, state, params)
    reward_round = _run_reward_round(
        counted, loss_round.network_losses, loss_round.state, params, topic_reward, given_fractions
    )
    return EpochOutcome(
        network_losses=loss_round.network_losses,
        regrets=loss_round.regrets,
        initial_regret=loss_round.initial_regret,
        inferer_scores=reward_round.inferer_scores,
        forecaster_scores=reward_round.forecaster_scores,
        reputer_scores=reward_round.reputer_scores,
        listening_coefficients=reward_round.listening_coefficients,
        adjusted_stakes=reward_round.adjusted_stakes,
        consensus_iterations=reward_round.consensus_iterations,
        inferers=reward_round.inferers,
        forecasters=reward_round.forecasters,
        reputers=reward_round.reputers,
        forecaster_task_score=reward_round.forecaster_task_score,
        forecaster_score_ratio=reward_round.forecaster_score_ratio,
        forecasting_utility=reward_round.forecasting_utility,
        inference_reward=reward_round.inference_reward,
        forecasting_reward=reward_round.forecasting_reward,
        reputation_reward=reward_round.reputation_reward,
        inferer_rewards=reward_round.inferer_rewards,
        forecaster_rewards=reward_round.forecaster_rewards,
        reputer_rewards=reward_round.reputer_rewards,
        payouts=reward_round.payouts,
        state=reward_round.state,
    )


def _quantile_or(scores: Mapping[str, Dec], quantile: Dec, previous: Dec | None) -> Dec | None:
    value = compute_score_quantile(scores, quantile)
    return previous if value is None else value
