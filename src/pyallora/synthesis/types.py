"""Frozen records of the synthesis engine: submissions, value bundles, regrets, topic state and
results (SYNTHESIS.md §0, §4, §7.7).

Participants are identified by string ids (chain addresses); "sorted order" is ascending id.
Roles are kept apart: one id may be an inferer and a forecaster, and every role-specific
quantity (regrets, scores, fractions, inclusion counts) lives in a per-role map.

Maps inside records are read-only (:func:`freeze_map` sorts them by key and wraps them in a
``MappingProxyType``), so a record cannot change after it is built and iterating any map
visits keys in sorted order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeAlias, TypeVar

from pyallora.core.dec import ZERO, Dec

ParticipantId: TypeAlias = str
"""A participant's id (its account address); sorted order is ascending id."""

PairKey: TypeAlias = tuple[str, str]
"""A pair of participant ids, e.g. (withheld inferer, inferer) for a one-out regret."""

BundleKey: TypeAlias = tuple[str, ...]
"""Key of one value-bundle entry: a kind name followed by the ids it concerns (§7.7)."""

_K = TypeVar("_K", str, tuple[str, str])
_V = TypeVar("_V")


def freeze_map(items: Mapping[_K, _V] | Iterable[tuple[_K, _V]] = ()) -> Mapping[_K, _V]:
    """A read-only map with keys in ascending order."""
    pairs = items.items() if isinstance(items, Mapping) else items
    return MappingProxyType(dict(sorted(pairs, key=lambda pair: pair[0])))


def _empty() -> Mapping[str, Dec]:
    return MappingProxyType({})


def _empty_pairs() -> Mapping[PairKey, Dec]:
    return MappingProxyType({})


def _empty_counts() -> Mapping[str, int]:
    return MappingProxyType({})


# ---------------------------------------------------------------------------------------------
# Submissions


@dataclass(frozen=True, slots=True, kw_only=True)
class Inference:
    """Inferer ``inferer``'s inference I_j for the epoch (§0)."""

    inferer: ParticipantId
    value: Dec


@dataclass(frozen=True, slots=True, kw_only=True)
class ForecastElement:
    """One element (j, L̂_kj) of a forecast: the forecasted log-loss of inferer j (§0)."""

    inferer: ParticipantId
    value: Dec


@dataclass(frozen=True, slots=True, kw_only=True)
class Forecast:
    """Forecaster ``forecaster``'s forecast: at most one element per inferer (§0, §6)."""

    forecaster: ParticipantId
    elements: tuple[ForecastElement, ...]


# ---------------------------------------------------------------------------------------------
# Value bundles (§7.7) and loss bundles (§8)

COMBINED = "combined"
"""Bundle kind of the network inference N (key ``("combined",)``)."""
NAIVE = "naive"
"""Bundle kind of the naive network inference N⁻ (key ``("naive",)``)."""
INFERER = "inferer"
"""Bundle kind of inferer j's inference (key ``("inferer", j)``)."""
FORECASTER = "forecaster"
"""Bundle kind of forecaster k's forecast-implied inference (key ``("forecaster", k)``)."""
ONE_OUT_INFERER_FORECASTER = "one_out_inferer_forecaster"
"""Bundle kind of Ĩ_k^{(−l)} (key ``("one_out_inferer_forecaster", k, l)``)."""
ONE_OUT_INFERER = "one_out_inferer"
"""Bundle kind of N⁻_l for a withheld inferer l (key ``("one_out_inferer", l)``)."""
ONE_OUT_FORECASTER = "one_out_forecaster"
"""Bundle kind of N⁻_k for a withheld forecaster k (key ``("one_out_forecaster", k)``)."""
ONE_IN_FORECASTER = "one_in_forecaster"
"""Bundle kind of the one-in inference N⁺_k (key ``("one_in_forecaster", k)``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueBundle:
    """A value bundle (§7.7): the network's values, a reputer's log-losses of them, or the
    network log-losses (§8). Every member is optional (absent = not produced / not reported).

    Attributes map participant ids to values; ``one_out_inferer_forecasters`` maps
    (forecaster k, withheld inferer l) to Ĩ_k^{(−l)}.
    """

    combined: Dec | None = None
    naive: Dec | None = None
    inferers: Mapping[str, Dec] = field(default_factory=_empty)
    forecasters: Mapping[str, Dec] = field(default_factory=_empty)
    one_out_inferer_forecasters: Mapping[PairKey, Dec] = field(default_factory=_empty_pairs)
    one_out_inferers: Mapping[str, Dec] = field(default_factory=_empty)
    one_out_forecasters: Mapping[str, Dec] = field(default_factory=_empty)
    one_in_forecasters: Mapping[str, Dec] = field(default_factory=_empty)

    def __post_init__(self) -> None:
        for name in (
            "inferers",
            "forecasters",
            "one_out_inferer_forecasters",
            "one_out_inferers",
            "one_out_forecasters",
            "one_in_forecasters",
        ):
            object.__setattr__(self, name, freeze_map(getattr(self, name)))

    def entries(self) -> tuple[tuple[BundleKey, Dec], ...]:
        """Every present entry in the fixed layout of §11 (combined, naive, inferers,
        forecasters, one-out-inferer forecast-implied per forecaster, one-out inferers, one-out
        forecasters, one-in; each block in sorted order)."""
        out: list[tuple[BundleKey, Dec]] = []
        if self.combined is not None:
            out.append(((COMBINED,), self.combined))
        if self.naive is not None:
            out.append(((NAIVE,), self.naive))
        out.extend(((INFERER, j), v) for j, v in self.inferers.items())
        out.extend(((FORECASTER, k), v) for k, v in self.forecasters.items())
        out.extend(
            ((ONE_OUT_INFERER_FORECASTER, k, withheld), v)
            for (k, withheld), v in self.one_out_inferer_forecasters.items()
        )
        out.extend(
            ((ONE_OUT_INFERER, withheld), v) for withheld, v in self.one_out_inferers.items()
        )
        out.extend(((ONE_OUT_FORECASTER, k), v) for k, v in self.one_out_forecasters.items())
        out.extend(((ONE_IN_FORECASTER, k), v) for k, v in self.one_in_forecasters.items())
        return tuple(out)

    @staticmethod
    def from_entries(entries: Mapping[BundleKey, Dec]) -> ValueBundle:
        """The bundle holding ``entries`` (keys as produced by :meth:`entries`)."""
        singles: dict[str, dict[str, Dec]] = {
            INFERER: {},
            FORECASTER: {},
            ONE_OUT_INFERER: {},
            ONE_OUT_FORECASTER: {},
            ONE_IN_FORECASTER: {},
        }
        pairs: dict[PairKey, Dec] = {}
        combined: Dec | None = None
        naive: Dec | None = None
        for key, value in entries.items():
            kind = key[0]
            if kind == COMBINED:
                combined = value
            elif kind == NAIVE:
                naive = value
            elif kind == ONE_OUT_INFERER_FORECASTER:
                pairs[(key[1], key[2])] = value
            else:
                singles[kind][key[1]] = value
        return ValueBundle(
            combined=combined,
            naive=naive,
            inferers=singles[INFERER],
            forecasters=singles[FORECASTER],
            one_out_inferer_forecasters=pairs,
            one_out_inferers=singles[ONE_OUT_INFERER],
            one_out_forecasters=singles[ONE_OUT_FORECASTER],
            one_in_forecasters=singles[ONE_IN_FORECASTER],
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReputerReport:
    """Reputer ``reputer``'s loss bundle (log-losses of the value-bundle entries, §8) and its
    stake S_m (own + delegated, in any fixed unit; the same unit as
    :attr:`~pyallora.synthesis.params.SynthesisParams.required_minimum_stake`)."""

    reputer: ParticipantId
    stake: Dec
    losses: ValueBundle


# ---------------------------------------------------------------------------------------------
# Persistent state (§4)


@dataclass(frozen=True, slots=True, kw_only=True)
class RegretState:
    """The stored regrets of §9 (a missing entry reads as the topic initial regret, §9.2).

    Pair keys: (withheld inferer l, inferer j) for ``one_out_inferer_inferer``; (withheld
    inferer l, forecaster k) for ``one_out_inferer_forecaster``; (withheld forecaster k',
    inferer j) and (withheld forecaster k', forecaster k) for the one-out-forecaster maps;
    (forecaster k, inferer j) for ``one_in_forecaster_inferer``; forecaster k for
    ``one_in_forecaster_self`` (R⁺_{k,k}).
    """

    inferer: Mapping[str, Dec] = field(default_factory=_empty)
    forecaster: Mapping[str, Dec] = field(default_factory=_empty)
    naive_inferer: Mapping[str, Dec] = field(default_factory=_empty)
    one_out_inferer_inferer: Mapping[PairKey, Dec] = field(default_factory=_empty_pairs)
    one_out_inferer_forecaster: Mapping[PairKey, Dec] = field(default_factory=_empty_pairs)
    one_out_forecaster_inferer: Mapping[PairKey, Dec] = field(default_factory=_empty_pairs)
    one_out_forecaster_forecaster: Mapping[PairKey, Dec] = field(default_factory=_empty_pairs)
    one_in_forecaster_inferer: Mapping[PairKey, Dec] = field(default_factory=_empty_pairs)
    one_in_forecaster_self: Mapping[str, Dec] = field(default_factory=_empty)

    def __post_init__(self) -> None:
        for name in REGRET_FAMILIES:
            object.__setattr__(self, name, freeze_map(getattr(self, name)))


REGRET_FAMILIES: tuple[str, ...] = (
    "inferer",
    "forecaster",
    "naive_inferer",
    "one_out_inferer_inferer",
    "one_out_inferer_forecaster",
    "one_out_forecaster_inferer",
    "one_out_forecaster_forecaster",
    "one_in_forecaster_inferer",
    "one_in_forecaster_self",
)
"""Names of the regret families of :class:`RegretState` (§9.1 table order)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SynthesisState:
    """Everything SYNTHESIS.md §4 keeps per topic between epochs for §5–§13 (and the score
    EMAs of §16.1–16.2). Absent entries take the defaults of §4.

    The topic weight and fee revenue (§14) and the active sets (§16.4–16.5) are kept by their
    own modules.
    """

    previous_network_loss: Dec | None = None
    """L_{i−1}, the network log-loss of the last loss round (None: never, §17 bootstrap)."""
    regrets: RegretState = field(default_factory=RegretState)
    """The regrets of §9."""
    initial_regret: Dec = ZERO
    """Topic initial regret R₀ (§9.3); exactly 0 means "all inferers new" (§17)."""
    inferer_inclusions: Mapping[str, int] = field(default_factory=_empty_counts)
    """Epochs in which each inferer was paid (§9.3, §13.3)."""
    forecaster_inclusions: Mapping[str, int] = field(default_factory=_empty_counts)
    """Epochs in which each forecaster was paid."""
    listening_coefficients: Mapping[str, Dec] = field(default_factory=_empty)
    """Reputer listening coefficients a_m (§11.5) [1]."""
    inferer_smoothed_fractions: Mapping[str, Dec] = field(default_factory=_empty)
    """Smoothed inferer reward fractions ū (§12.3)."""
    forecaster_smoothed_fractions: Mapping[str, Dec] = field(default_factory=_empty)
    """Smoothed forecaster reward fractions."""
    reputer_smoothed_fractions: Mapping[str, Dec] = field(default_factory=_empty)
    """Smoothed reputer reward fractions."""
    forecaster_score_ratio: Dec = ZERO
    """Ratio EMA τ of §13.1 [0]."""
    recent_inferer_scores: tuple[tuple[Dec, ...], ...] = ()
    """Instantaneous inferer scores of recent epochs, newest epoch first, each epoch in sorted
    inferer order and holding at most MaxSamplesToScaleScores scores (the last ones) (§12.1)."""
    recent_forecaster_scores: tuple[tuple[Dec, ...], ...] = ()
    """Same for forecasters."""
    inferer_score_emas: Mapping[str, Dec] = field(default_factory=_empty)
    """Score EMA per inferer (§16.1)."""
    forecaster_score_emas: Mapping[str, Dec] = field(default_factory=_empty)
    """Score EMA per forecaster."""
    reputer_score_emas: Mapping[str, Dec] = field(default_factory=_empty)
    """Score EMA per reputer."""
    inferer_score_quantile: Dec | None = None
    """Topic quantile of the last instantaneous inferer scores (§16.2)."""
    forecaster_score_quantile: Dec | None = None
    """Topic quantile of the last instantaneous forecaster scores."""
    reputer_score_quantile: Dec | None = None
    """Topic quantile of the last instantaneous reputer scores."""

    def __post_init__(self) -> None:
        for name in (
            "inferer_inclusions",
            "forecaster_inclusions",
            "listening_coefficients",
            "inferer_smoothed_fractions",
            "forecaster_smoothed_fractions",
            "reputer_smoothed_fractions",
            "inferer_score_emas",
            "forecaster_score_emas",
            "reputer_score_emas",
        ):
            object.__setattr__(self, name, freeze_map(getattr(self, name)))
        for name in ("recent_inferer_scores", "recent_forecaster_scores"):
            object.__setattr__(self, name, tuple(tuple(epoch) for epoch in getattr(self, name)))


# ---------------------------------------------------------------------------------------------
# Results

ERROR_BAR_PERCENTILES: tuple[str, ...] = ("2.28", "15.87", "50", "84.13", "97.72")
"""Percentiles of the confidence band (§7.6), as decimal text."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkInferences:
    """Result of the synthesis step (§6, §7): the value bundle and what it was made from."""

    bundle: ValueBundle
    """The value bundle reported to reputers (§7.7)."""
    inferer_weights: Mapping[str, Dec]
    """Normalised weights w_j / D of the inferers in the network inference N (§7.1)."""
    forecaster_weights: Mapping[str, Dec]
    """Normalised weights of the forecasters in N."""
    forecasted_regrets: Mapping[PairKey, Dec]
    """R_kj = L_{i−1} − L̂_kj for (forecaster k, inferer j) of the kept elements (§6)."""
    error_bars: tuple[Dec, ...] | None
    """Weighted percentiles of §7.6 at :data:`ERROR_BAR_PERCENTILES` (None: no band)."""
    mode: str
    """Which rule produced the bundle: ``full``, ``single_inference``, ``no_previous_loss`` or
    ``all_inferers_new`` (§7, §17)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskFractions:
    """Reward fractions of one task (§12): instantaneous, smoothed, and the entropy."""

    instantaneous: Mapping[str, Dec]
    """u_x (§12.1–12.2): these multiply the task reward."""
    smoothed: Mapping[str, Dec]
    """ū_x of this epoch's participants (§12.3), renormalised."""
    entropy: Dec
    """F, G or H (§12.3)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EpochOutcome:
    """Everything the loss round and the reward step of one epoch produce (§8–§13)."""

    network_losses: ValueBundle
    """Stake-weighted network log-losses (§8)."""
    regrets: RegretState
    """Regrets after this epoch's update (§9.1)."""
    initial_regret: Dec
    """Topic initial regret after §9.3."""
    inferer_scores: Mapping[str, Dec]
    """Instantaneous inferer scores (§10)."""
    forecaster_scores: Mapping[str, Dec]
    """Instantaneous forecaster scores (§10)."""
    reputer_scores: Mapping[str, Dec]
    """Reputer scores (§11.4–11.5)."""
    listening_coefficients: Mapping[str, Dec]
    """Coefficients after this epoch's gradient descent (§11.5)."""
    adjusted_stakes: Mapping[str, Dec]
    """Adjusted stakes of the coefficients at the start of the last iteration (§11.5)."""
    consensus_iterations: int
    """Gradient-descent iterations run (§11.5)."""
    inferers: TaskFractions
    """Inference task: fractions, smoothed fractions, entropy F."""
    forecasters: TaskFractions
    """Forecasting task: fractions, smoothed fractions, entropy G."""
    reputers: TaskFractions
    """Reputation task: fractions, smoothed fractions, entropy H."""
    forecaster_task_score: Dec | None
    """T = L⁻ − L (§13.1); None when either loss is missing."""
    forecaster_score_ratio: Dec
    """Ratio EMA τ after this epoch (§13.1)."""
    forecasting_utility: Dec
    """χ (§13.1)."""
    inference_reward: Dec
    """U (§13.2)."""
    forecasting_reward: Dec
    """V (§13.2)."""
    reputation_reward: Dec
    """W (§13.2)."""
    inferer_rewards: Mapping[str, Dec]
    """u_j · U (§13.3), exact."""
    forecaster_rewards: Mapping[str, Dec]
    """u_k · V, exact."""
    reputer_rewards: Mapping[str, Dec]
    """u_m · W, exact."""
    payouts: Mapping[tuple[str, str], int] | None
    """(role, id) → base units adding up exactly to an integer topic reward
    (:mod:`pyallora.synthesis.payouts`); None when the topic reward was given as a Dec."""
    state: SynthesisState
    """The topic state to store for the next epoch."""
