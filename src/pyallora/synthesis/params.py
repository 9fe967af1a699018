"""Parameters of the synthesis mathematics (SYNTHESIS.md §3.1, §3.2) and their named profiles.

:class:`SynthesisParams` holds every knob that §5–§13 use: the topic's own parameters (§3.2:
``p_norm``, ``alpha_regret``, ``epsilon``, ``merit_sortition_alpha`` and the active-set
quantiles) and the global ones (§3.1). Ranges are checked when a record is built, so an
invalid parameter set cannot exist (:class:`~pyallora.core.errors.ParameterError`).

Two profiles are named:

* :data:`CHAIN_PARAMS` (C): the reference chain's defaults, with the topic parameters of a
  typical topic (p = 3, α_R = 0.1, ε = 0.01);
* :data:`SIMULATOR_PARAMS` (S): the profile that generated the simulator tables
  (``../shared/vectors/README.md`` §3.3): inferer reward exponent 3, reputer reward exponent
  1, no minimum reputer stake.

>>> int(SIMULATOR_PARAMS.p_reward_inference), int(CHAIN_PARAMS.p_reward_inference)
(3, 1)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pyallora.core.dec import Dec, dec, is_finite
from pyallora.core.errors import ParameterError

_ZERO = dec(0)
_ONE = dec(1)

_DEFAULT_P_NORM = dec(3)
_DEFAULT_ALPHA_REGRET = dec("0.1")
_DEFAULT_EPSILON = dec("0.01")
_DEFAULT_MERIT_SORTITION_ALPHA = dec("0.1")
_DEFAULT_ACTIVE_INFERER_QUANTILE = dec("0.25")
_DEFAULT_ACTIVE_FORECASTER_QUANTILE = dec("0.25")
_DEFAULT_ACTIVE_REPUTER_QUANTILE = dec("0.25")
_DEFAULT_C_NORM = dec("0.75")
_DEFAULT_EPSILON_SAFE_DIV = dec("1e-7")
_DEFAULT_P_NORM_SAFE_DIV = dec("8.25")
_DEFAULT_INITIAL_REGRET_QUANTILE = dec("0.25")
_DEFAULT_P_REWARD_INFERENCE = dec(1)
_DEFAULT_P_REWARD_FORECAST = dec(3)
_DEFAULT_P_REWARD_REPUTER = dec(3)
_DEFAULT_C_REWARD_INFERENCE = dec("0.75")
_DEFAULT_C_REWARD_FORECAST = dec("0.75")
_DEFAULT_TASK_REWARD_ALPHA = dec("0.1")
_DEFAULT_BETA_ENTROPY = dec("0.25")
_DEFAULT_LEARNING_RATE = dec("0.05")
_DEFAULT_MAX_GRADIENT_THRESHOLD = dec("0.001")
_DEFAULT_MIN_STAKE_FRACTION = dec("0.5")
_DEFAULT_EPSILON_REPUTER = dec("0.01")
_DEFAULT_REQUIRED_MINIMUM_STAKE = dec(10000)


@dataclass(frozen=True, slots=True, kw_only=True)
class SynthesisParams:
    """Every parameter of SYNTHESIS.md §5–§13 (defaults: the chain's, §3.1, with §3.2's typical
    topic values)."""

    # --- per topic (§3.2)
    p_norm: Dec = _DEFAULT_P_NORM
    """p of the regret → weight map φ'_{p,c} (§5.3); validated range [2.5, 4.5]."""
    alpha_regret: Dec = _DEFAULT_ALPHA_REGRET
    """EMA α of every regret (§9.1); range (0, 1]."""
    epsilon: Dec = _DEFAULT_EPSILON
    """Topic ε: regret normalisation σ + ε (§5.2), reward-map σ threshold (§12.1); > 0."""
    merit_sortition_alpha: Dec = _DEFAULT_MERIT_SORTITION_ALPHA
    """EMA α of the per-role score EMAs (§16.1); range [0, 1]."""
    active_inferer_quantile: Dec = _DEFAULT_ACTIVE_INFERER_QUANTILE
    """Quantile of the inferers' instantaneous scores stored for passive inferers (§16.2)."""
    active_forecaster_quantile: Dec = _DEFAULT_ACTIVE_FORECASTER_QUANTILE
    """Quantile of the forecasters' instantaneous scores (§16.2)."""
    active_reputer_quantile: Dec = _DEFAULT_ACTIVE_REPUTER_QUANTILE
    """Quantile of the reputers' instantaneous scores (§16.2)."""

    # --- global (§3.1)
    c_norm: Dec = _DEFAULT_C_NORM
    """Centre c of φ' in the regret → weight map (§5.3)."""
    epsilon_safe_div: Dec = _DEFAULT_EPSILON_SAFE_DIV
    """Floor of weight sums (§5.4) and consensus-norm fallback (§11); > 0."""
    p_norm_safe_div: Dec = _DEFAULT_P_NORM_SAFE_DIV
    """Numerator of the newcomer offset c − PNormSafeDiv/p (§9.3)."""
    initial_regret_quantile: Dec = _DEFAULT_INITIAL_REGRET_QUANTILE
    """Quantile of experienced regrets for the topic initial regret (§9.3); range [0, 1]."""
    p_reward_inference: Dec = _DEFAULT_P_REWARD_INFERENCE
    """Exponent p of the inferer reward map (§12.1); > 0. S: 3."""
    p_reward_forecast: Dec = _DEFAULT_P_REWARD_FORECAST
    """Exponent p of the forecaster reward map (§12.1); > 0."""
    p_reward_reputer: Dec = _DEFAULT_P_REWARD_REPUTER
    """Exponent of (stake · score) in the reputer fractions (§12.2); > 0. S: 1."""
    c_reward_inference: Dec = _DEFAULT_C_REWARD_INFERENCE
    """Centre c of the inferer reward map (§12.1)."""
    c_reward_forecast: Dec = _DEFAULT_C_REWARD_FORECAST
    """Centre c of the forecaster reward map (§12.1)."""
    task_reward_alpha: Dec = _DEFAULT_TASK_REWARD_ALPHA
    """EMA α of fraction smoothing (§12.3) and of the forecaster score ratio (§13.1); [0, 1]."""
    beta_entropy: Dec = _DEFAULT_BETA_ENTROPY
    """Exponent β of the participant-count correction of the entropies (§12.3); ≥ 0."""
    max_samples_to_scale_scores: int = 10
    """Number of recent instantaneous scores in the σ of §12.1; ≥ 1."""
    learning_rate: Dec = _DEFAULT_LEARNING_RATE
    """Listening-coefficient gradient step (§11.5); > 0."""
    gradient_descent_max_iters: int = 10
    """Maximum gradient-descent iterations (§11.5); ≥ 0."""
    max_gradient_threshold: Dec = _DEFAULT_MAX_GRADIENT_THRESHOLD
    """Stop when the largest coefficient change / learning rate is below this (§11.5); ≥ 0."""
    min_stake_fraction: Dec = _DEFAULT_MIN_STAKE_FRACTION
    """Minimum stake-weighted mean listening coefficient (§11.5); range [0, 1]."""
    epsilon_reputer: Dec = _DEFAULT_EPSILON_REPUTER
    """Added to the normalised distance in reputer scores (§11.4); > 0."""
    required_minimum_stake: Dec = _DEFAULT_REQUIRED_MINIMUM_STAKE
    """Reputers whose stake is below this are ignored (§8), in the stakes' unit; ≥ 0."""

    def __post_init__(self) -> None:
        validate_synthesis_params(self)

    def replace(self, **changes: object) -> SynthesisParams:
        """A copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def _require(condition: bool, name: str, value: object, expected: str) -> None:
    if not condition:
        raise ParameterError(f"parameter {name} = {value} is out of range: expected {expected}")


def validate_synthesis_params(params: SynthesisParams) -> None:
    """Check every parameter's type and range (§3.1, §3.2).

    Raises
    ------
    ParameterError
        Naming the first parameter that is not a finite Dec (or int for the counts) or lies
        outside its range.
    """
    integer_fields = ("max_samples_to_scale_scores", "gradient_descent_max_iters")
    for spec in dataclasses.fields(params):
        value = getattr(params, spec.name)
        if spec.name in integer_fields:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ParameterError(f"parameter {spec.name} must be an int, got {value!r}")
            continue
        if not isinstance(value, type(_ZERO)):
            raise ParameterError(
                f"parameter {spec.name} must be a Dec (use pyallora.core.dec.dec), got "
                f"{type(value).__name__}"
            )
        if not is_finite(value):
            raise ParameterError(f"parameter {spec.name} is not finite: {value}")
    p = params
    _require(dec("2.5") <= p.p_norm <= dec("4.5"), "p_norm", p.p_norm, "2.5 <= p <= 4.5")
    _require(_ZERO < p.alpha_regret <= _ONE, "alpha_regret", p.alpha_regret, "0 < α <= 1")
    _require(p.epsilon > 0, "epsilon", p.epsilon, "ε > 0")
    for name in (
        "merit_sortition_alpha",
        "active_inferer_quantile",
        "active_forecaster_quantile",
        "active_reputer_quantile",
        "initial_regret_quantile",
        "task_reward_alpha",
        "min_stake_fraction",
    ):
        value = getattr(p, name)
        _require(_ZERO <= value <= _ONE, name, value, "a value in [0, 1]")
    _require(p.epsilon_safe_div > 0, "epsilon_safe_div", p.epsilon_safe_div, "> 0")
    for name in (
        "p_reward_inference",
        "p_reward_forecast",
        "p_reward_reputer",
        "learning_rate",
        "c_norm",
        "c_reward_inference",
        "c_reward_forecast",
    ):
        value = getattr(p, name)
        _require(value > 0, name, value, "> 0")
    _require(p.epsilon_reputer > 0, "epsilon_reputer", p.epsilon_reputer, "> 0")
    _require(p.beta_entropy >= 0, "beta_entropy", p.beta_entropy, ">= 0")
    _require(
        p.max_gradient_threshold >= 0, "max_gradient_threshold", p.max_gradient_threshold, ">= 0"
    )
    _require(
        p.required_minimum_stake >= 0, "required_minimum_stake", p.required_minimum_stake, ">= 0"
    )
    _require(p.max_samples_to_scale_scores >= 1, "max_samples_to_scale_scores",
             p.max_samples_to_scale_scores, ">= 1")  # fmt: skip
    _require(p.gradient_descent_max_iters >= 0, "gradient_descent_max_iters",
             p.gradient_descent_max_iters, ">= 0")  # fmt: skip


CHAIN_PARAMS = SynthesisParams()
"""Profile C: the reference chain's defaults (§3.1) for a topic with p = 3, α_R = 0.1, ε = 0.01."""

SIMULATOR_PARAMS = SynthesisParams(
    p_reward_inference=dec(3),
    p_reward_reputer=dec(1),
    required_minimum_stake=dec(0),
)
"""Profile S: the research simulator's parameters (vectors README §3.3)."""

PROFILES: dict[str, SynthesisParams] = {"chain": CHAIN_PARAMS, "simulator": SIMULATOR_PARAMS}
"""Named profiles by name."""


def get_params_profile(name: str) -> SynthesisParams:
    """The named profile (``chain`` or ``simulator``).

    Raises
    ------
    ParameterError
        For an unknown name.
    """
    if name not in PROFILES:
        raise ParameterError(f"unknown parameter profile {name!r} (known: {sorted(PROFILES)})")
    return PROFILES[name]
