"""Loss methods as topics name them, and the log10 losses reputers submit (SYNTHESIS.md §0, §8).

A topic names its loss method in free text (``loss_method``, PROTOCOL.md §3.1); the chain never
interprets it. Reputers evaluate that loss of every entry of the network's value bundle
against the ground truth and, because every method here is non-negative, submit its base-10
logarithm; forecasters forecast the same log10 quantity. The chain only ever averages and
subtracts these log-losses.

Methods (``name`` or ``name(key=value, ...)``, names case-insensitive):

==================== ============================================== ==========================
name                 loss of value v against truth t                parameters
==================== ============================================== ==========================
``mse``              (v − t)²                                       —
``mae``              |v − t|                                        —
``huber``            ½e² if |e| ≤ δ else δ(|e| − ½δ), e = v − t      ``delta`` (1)
``log_space_mae``    |ln v − ln t| (positive series only)           —
``ztransformed_mae`` |tanh((v − μ)/σ) − tanh((t − μ)/σ)|            ``mean`` (0), ``std`` (1)
==================== ============================================== ==========================

``ztae`` is accepted as an alias of ``ztransformed_mae`` (the name some live topics use).
Every method also takes ``floor``: see :data:`DEFAULT_LOSS_FLOOR`.

>>> compute_log10_loss(3.0, 1.0, "mse")
0.6020599913279624
>>> compute_loss(2.0, 1.0, parse_loss_method("huber(delta=0.5)"))
0.375
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from pyallora.agents.context import AgentError, dec_to_float, format_dec_text, validate_finite
from pyallora.core.dec import Dec, dec
from pyallora.synthesis.types import BundleKey, ValueBundle

__all__ = [
    "DEFAULT_LOSS_FLOOR",
    "LOSS_METHOD_NAMES",
    "LossDomainError",
    "LossMethod",
    "UnknownLossMethodError",
    "compute_bundle_log10_losses",
    "compute_log10_loss",
    "compute_loss",
    "compute_loss_bundle",
    "compute_mean_loss",
    "compute_reported_loss",
    "log10_loss",
    "parse_loss_method",
]

DEFAULT_LOSS_FLOOR = 1e-20
"""Smallest loss whose logarithm is taken; smaller losses (an exact hit gives 0) are reported
as log10(floor) = −20.

log10(0) does not exist, and a tiny loss produces a huge negative log-loss that dominates the
network's stake-weighted means and regrets for many epochs. Topics whose truth is quantised
(e.g. temperatures to 0.1 degree) should set ``floor`` near the loss of one quantisation step
so that lucky exact hits are not rewarded beyond what the data can resolve."""

_ALIASES = {"ztae": "ztransformed_mae"}

_PARAMETERS: dict[str, frozenset[str]] = {
    "mse": frozenset({"floor"}),
    "mae": frozenset({"floor"}),
    "huber": frozenset({"floor", "delta"}),
    "log_space_mae": frozenset({"floor"}),
    "ztransformed_mae": frozenset({"floor", "mean", "std"}),
}

LOSS_METHOD_NAMES = tuple(sorted(_PARAMETERS))
"""Canonical names of the supported loss methods."""

_METHOD_TEXT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*", re.DOTALL)

K = TypeVar("K")


class UnknownLossMethodError(AgentError, ValueError):
    """A loss method name or parameter that this module does not know, or a bad parameter."""


class LossDomainError(AgentError, ValueError):
    """The loss is undefined for these inputs (e.g. the log of a non-positive value).

    Attributes
    ----------
    method
        The canonical method name.
    """

    def __init__(self, method: str, message: str) -> None:
        super().__init__(f"{method}: {message}")
        self.method = method


@dataclass(frozen=True, slots=True, kw_only=True)
class LossMethod:
    """A loss method with its parameters; build it with :func:`parse_loss_method`."""

    name: str
    """Canonical method name, one of :data:`LOSS_METHOD_NAMES`."""

    floor: float = DEFAULT_LOSS_FLOOR
    """Losses below this are reported as ``log10(floor)`` (:data:`DEFAULT_LOSS_FLOOR`)."""

    delta: float = 1.0
    """Huber threshold δ (``huber`` only)."""

    mean: float = 0.0
    """Mean μ of the z-transform (``ztransformed_mae`` only)."""

    std: float = 1.0
    """Standard deviation σ of the z-transform (``ztransformed_mae`` only)."""

    def __post_init__(self) -> None:
        if self.name not in _PARAMETERS:
            raise UnknownLossMethodError(
                f"unknown loss method {self.name!r}; known: {', '.join(LOSS_METHOD_NAMES)}"
            )
        for attribute in ("floor", "delta", "mean", "std"):
            value = getattr(self, attribute)
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise UnknownLossMethodError(f"loss parameter {attribute} is not finite: {value!r}")
        if not self.floor > 0:
            raise UnknownLossMethodError(f"floor must be positive, got {self.floor!r}")
        if not self.delta > 0:
            raise UnknownLossMethodError(f"huber delta must be positive, got {self.delta!r}")
        if not self.std > 0:
            raise UnknownLossMethodError(f"z-transform std must be positive, got {self.std!r}")


def parse_loss_method(text: str | LossMethod) -> LossMethod:
    """Parse a topic's loss method text such as ``"mse"`` or ``"ztae(mean=0, std=0.05)"``.

    Parameters
    ----------
    text
        ``name`` or ``name(key=value, ...)``; names are case-insensitive; a
        :class:`LossMethod` is returned unchanged.

    Returns
    -------
    LossMethod

    Raises
    ------
    UnknownLossMethodError
        For an unknown name, an unknown or repeated parameter, or a malformed text.
    """
    if isinstance(text, LossMethod):
        return text
    match = _METHOD_TEXT.fullmatch(text)
    if match is None:
        raise UnknownLossMethodError(f"malformed loss method {text!r}; expected name(key=value)")
    name = match.group(1).lower()
    name = _ALIASES.get(name, name)
    if name not in _PARAMETERS:
        raise UnknownLossMethodError(
            f"unknown loss method {match.group(1)!r}; known: {', '.join(LOSS_METHOD_NAMES)}"
        )
    params: dict[str, float] = {}
    arguments = match.group(2)
    if arguments is not None and arguments.strip():
        for item in arguments.split(","):
            key, sep, raw = item.partition("=")
            key = key.strip().lower()
            if not sep or key not in _PARAMETERS[name]:
                raise UnknownLossMethodError(
                    f"loss method {name!r} takes {sorted(_PARAMETERS[name])}, got {item.strip()!r}"
                )
            if key in params:
                raise UnknownLossMethodError(f"parameter {key!r} given twice in {text!r}")
            try:
                params[key] = float(raw)
            except ValueError as exc:
                raise UnknownLossMethodError(f"parameter {key!r} is not a number: {raw!r}") from exc
    return LossMethod(name=name, **params)


def _squared_error(value: float, truth: float, method: LossMethod) -> float:
    error = value - truth
    return error * error  # overflows to inf (then rejected), where ** would raise


def _absolute_error(value: float, truth: float, method: LossMethod) -> float:
    return abs(value - truth)


def _huber(value: float, truth: float, method: LossMethod) -> float:
    error = abs(value - truth)
    if error <= method.delta:
        return 0.5 * error * error
    return method.delta * (error - 0.5 * method.delta)


def _log_space_absolute_error(value: float, truth: float, method: LossMethod) -> float:
    if value <= 0 or truth <= 0:
        raise LossDomainError(
            method.name, f"needs positive value and truth, got value={value!r} truth={truth!r}"
        )
    return abs(math.log(value) - math.log(truth))


def _ztransformed_absolute_error(value: float, truth: float, method: LossMethod) -> float:
    z_value = (value - method.mean) / method.std
    z_truth = (truth - method.mean) / method.std
    return abs(math.tanh(z_value) - math.tanh(z_truth))


_FUNCTIONS: dict[str, Callable[[float, float, LossMethod], float]] = {
    "mse": _squared_error,
    "mae": _absolute_error,
    "huber": _huber,
    "log_space_mae": _log_space_absolute_error,
    "ztransformed_mae": _ztransformed_absolute_error,
}


def compute_loss(value: float, truth: float, method: str | LossMethod) -> float:
    """The raw (non-negative) loss of ``value`` against ``truth``.

    Parameters
    ----------
    value
        A prediction (an entry of the value bundle).
    truth
        The ground truth.
    method
        Loss method text or record (:func:`parse_loss_method`).

    Returns
    -------
    float
        The loss, ≥ 0.

    Raises
    ------
    NonFiniteOutputError
        If ``value`` or ``truth`` is not finite.
    LossDomainError
        If the method is undefined there (``log_space_mae`` of a non-positive number).
    UnknownLossMethodError
        For an unknown method.

    Examples
    --------
    >>> compute_loss(1.5, 1.0, "mae")
    0.5
    """
    parsed = parse_loss_method(method)
    value = validate_finite(value, "value")
    truth = validate_finite(truth, "truth")
    loss = _FUNCTIONS[parsed.name](value, truth, parsed)
    return validate_finite(loss, f"{parsed.name} loss")


def compute_log10_loss(value: float, truth: float, method: str | LossMethod) -> float:
    """log10 of the loss, floored at ``log10(method.floor)``: what a reputer submits.

    Parameters
    ----------
    value, truth, method
        As in :func:`compute_loss`.

    Returns
    -------
    float
        ``log10(max(loss, floor))``.

    Raises
    ------
    NonFiniteOutputError, LossDomainError, UnknownLossMethodError
        As in :func:`compute_loss`.

    Examples
    --------
    >>> compute_log10_loss(1.0, 1.0, "mae")
    -20.0
    >>> compute_log10_loss(1.0, 1.0, "mae(floor=1e-4)")
    -4.0
    """
    parsed = parse_loss_method(method)
    return math.log10(max(compute_loss(value, truth, parsed), parsed.floor))


log10_loss = compute_log10_loss
"""Alias of :func:`compute_log10_loss` (the name the agents issue uses)."""


def compute_reported_loss(
    value: float, truth: float, method: str | LossMethod, *, allow_negative: bool = False
) -> float:
    """The loss as submitted for a topic with the given ``allow_negative`` flag.

    A topic that declares its loss may be negative gets the raw loss; otherwise the log10 loss
    of :func:`compute_log10_loss` (SYNTHESIS.md §0).
    """
    if allow_negative:
        return compute_loss(value, truth, method)
    return compute_log10_loss(value, truth, method)


def compute_bundle_log10_losses(
    values: Mapping[K, float],
    truth: float,
    method: str | LossMethod,
    *,
    allow_negative: bool = False,
    skip_undefined: bool = False,
) -> dict[K, float]:
    """The reputer's side of SYNTHESIS.md §8: the reported loss of every value-bundle entry.

    Parameters
    ----------
    values
        The value bundle as a mapping from entries (any hashable key naming an entry: the
        network, the naive network, an inferer, a one-out value, ...) to values.
    truth
        The ground truth of the epoch.
    method
        The topic's loss method.
    allow_negative
        The topic's flag; ``True`` reports raw losses instead of log10 losses.
    skip_undefined
        Leave out entries whose loss is undefined (:class:`LossDomainError`) instead of
        raising; a reputer may leave entries missing (SYNTHESIS.md §11.3).

    Returns
    -------
    dict
        Entry → reported loss, in the iteration order of ``values``.

    Raises
    ------
    NonFiniteOutputError
        If the truth or a value is not finite.
    LossDomainError
        If a loss is undefined and ``skip_undefined`` is false.
    """
    parsed = parse_loss_method(method)
    truth = validate_finite(truth, "truth")
    reported: dict[K, float] = {}
    for entry, value in values.items():
        try:
            reported[entry] = compute_reported_loss(
                value, truth, parsed, allow_negative=allow_negative
            )
        except LossDomainError:
            if not skip_undefined:
                raise
    return reported


def compute_mean_loss(
    values: Iterable[float], truths: Iterable[float], method: str | LossMethod
) -> float:
    """Mean raw loss of paired predictions and truths (the figure a backtest reports).

    Raises
    ------
    LossDomainError
        If the sequences differ in length or are empty (or a loss is undefined).
    """
    parsed = parse_loss_method(method)
    value_list = list(values)
    truth_list = list(truths)
    if len(value_list) != len(truth_list) or not value_list:
        raise LossDomainError(
            parsed.name,
            f"mean loss needs equally long, non-empty sequences, got {len(value_list)} values "
            f"and {len(truth_list)} truths",
        )
    losses = [
        compute_loss(value, truth, parsed)
        for value, truth in zip(value_list, truth_list, strict=True)
    ]
    return math.fsum(losses) / len(losses)


def compute_loss_bundle(
    bundle: ValueBundle,
    truth: float,
    method: str | LossMethod,
    *,
    allow_negative: bool = False,
    skip_undefined: bool = False,
    perturb: Callable[[BundleKey, float], float] | None = None,
) -> ValueBundle:
    """A reputer's loss bundle for the network's value bundle (SYNTHESIS.md §8, §11).

    Every entry of ``bundle`` (as Dec values) gets its reported loss, returned as a
    :class:`~pyallora.synthesis.types.ValueBundle` of Decs ready for a
    :class:`~pyallora.synthesis.types.ReputerReport` or for encoding on chain.

    Parameters
    ----------
    bundle
        The value bundle of the epoch (``NetworkInferences.bundle``).
    truth, method, allow_negative, skip_undefined
        As in :func:`compute_bundle_log10_losses`.
    perturb
        Optional ``perturb(entry, loss) -> loss`` applied before conversion (simulations use
        it to give each reputer its own noisy view).

    Returns
    -------
    ValueBundle
        The reported losses, each converted through :func:`format_dec_text`.

    Raises
    ------
    NonFiniteOutputError
        If a value, the truth or a perturbed loss is not finite.
    LossDomainError
        As in :func:`compute_bundle_log10_losses`.
    """
    values = {key: dec_to_float(value) for key, value in bundle.entries()}
    losses = compute_bundle_log10_losses(
        values, truth, method, allow_negative=allow_negative, skip_undefined=skip_undefined
    )
    entries: dict[BundleKey, Dec] = {}
    for key, loss in losses.items():
        reported = loss if perturb is None else perturb(key, loss)
        entries[key] = dec(format_dec_text(reported))
    return ValueBundle.from_entries(entries)
