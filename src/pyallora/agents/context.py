"""What a model sees and what it must implement: contexts, model Protocols, agent errors.

The agents layer runs user models on behalf of workers and reputers (SYNTHESIS.md §0):

* an **inferer** model returns one number per epoch, its inference of the topic's target;
* a **forecaster** model returns, per inferer it has an opinion about, the *log10 loss* it
  expects that inferer's inference to have this epoch (the same quantity reputers submit,
  :mod:`pyallora.agents.losses`);
* a **truth source** returns the ground truth of an epoch for a reputer.

A model is a plain object with one method (:class:`Inferer`, :class:`Forecaster`,
:class:`TruthSource`); it receives everything it may use in a frozen context record. The
agent loop (or the offline study, :mod:`pyallora.agents.study`) builds the contexts, so the
same model object runs on a live chain and in a backtest.

Values that go on chain are decimal text; :func:`format_dec_text` turns a model's float into
text accepted by :func:`pyallora.core.dec.dec`.

>>> format_dec_text(0.1)
'0.1'
>>> format_dec_text(-2.5e-07)
'-2.5e-07'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from pyallora.core.dec import Dec, to_text17
from pyallora.core.errors import PyAlloraError

__all__ = [
    "AgentError",
    "ForecastContext",
    "Forecaster",
    "InferenceContext",
    "Inferer",
    "InsufficientHistoryError",
    "NonFiniteOutputError",
    "TruthSource",
    "dec_to_float",
    "format_dec_text",
    "validate_finite",
]


class AgentError(PyAlloraError):
    """Root of the expected errors of the agents layer (models, losses, data, truth)."""


class InsufficientHistoryError(AgentError, ValueError):
    """A model cannot produce an output yet: the context holds too little history.

    Attributes
    ----------
    needed
        Number of past ground-truth values the model needs at least.
    available
        Number of past values the context holds.
    """

    def __init__(self, model: str, *, needed: int, available: int) -> None:
        super().__init__(
            f"{model} needs at least {needed} past values, the context has {available}"
        )
        self.needed = needed
        self.available = available


class NonFiniteOutputError(AgentError, ValueError):
    """A number that must be finite (an output bound for the chain) is NaN or infinite."""


def validate_finite(value: float, what: str) -> float:
    """Return ``value`` as a ``float`` if it is finite.

    Parameters
    ----------
    value
        Any real number (``int``, ``float``, numpy scalar).
    what
        Name of the quantity, for the error message.

    Returns
    -------
    float
        ``float(value)``.

    Raises
    ------
    NonFiniteOutputError
        If the value is NaN or an infinity, or not a real number at all (text and booleans
        are refused too).
    """
    if isinstance(value, str | bytes | bool):
        raise NonFiniteOutputError(f"{what} is not a number: {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise NonFiniteOutputError(f"{what} is not a number: {value!r}") from exc
    if not math.isfinite(number):
        raise NonFiniteOutputError(f"{what} is not finite: {number!r}")
    return number


def format_dec_text(value: float) -> str:
    """Format a finite float as decimal text accepted by :func:`pyallora.core.dec.dec`.

    The text is the shortest one that reads back as the same double (Python's ``repr``),
    which is always inside the Dec grammar (digits, one '.', optional exponent).

    Parameters
    ----------
    value
        A finite real number.

    Returns
    -------
    str
        Decimal text, e.g. ``'0.1'``, ``'-3.25'``, ``'1e-30'``.

    Raises
    ------
    NonFiniteOutputError
        For NaN and infinities (they have no decimal text on chain).

    Examples
    --------
    >>> format_dec_text(3)
    '3.0'
    >>> format_dec_text(float("nan"))
    Traceback (most recent call last):
    ...
    pyallora.agents.context.NonFiniteOutputError: value is not finite: nan
    """
    number = validate_finite(value, "value")
    # -0.0 is a valid text but means nothing different from 0 on chain.
    return repr(number + 0.0)


def dec_to_float(value: Dec) -> float:
    """The double nearest to a Dec's 17-significant-digit text (within one unit in the last
    place of the Dec's value); for reading engine or chain numbers into models.

    >>> from pyallora.core.dec import dec
    >>> dec_to_float(dec("0.1"))
    0.1
    """
    return float(to_text17(value))


@dataclass(frozen=True, slots=True, kw_only=True)
class InferenceContext:
    """Everything an inferer may use to produce its inference for one epoch.

    Mappings are treated as read-only; models must not mutate them.
    """

    topic_id: int
    """The topic the inference is for."""

    nonce: int
    """The epoch's nonce (the block height that opened the epoch on chain; an epoch index
    offline)."""

    history: tuple[float, ...]
    """Recent ground truth of the topic, oldest first, ending with the latest value known
    before this epoch (the value of this epoch is what is being predicted)."""

    topic_metadata: str = ""
    """The topic's free-text metadata (what the target is)."""

    loss_method: str = "mse"
    """The topic's loss method name (:mod:`pyallora.agents.losses`)."""

    features: Mapping[str, float] = field(default_factory=dict)
    """Features of this epoch added by the model's own data source (e.g. day of year)."""

    feature_history: tuple[Mapping[str, float], ...] = ()
    """The same features for the past values, aligned with :attr:`history` (empty when the
    source provides none)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ForecastContext(InferenceContext):
    """An :class:`InferenceContext` plus what forecasters see of the other workers."""

    inferences: Mapping[str, float] = field(default_factory=dict)
    """This epoch's inferences by inferer address."""

    inference_history: Mapping[str, tuple[float | None, ...]] = field(default_factory=dict)
    """Per inferer, its inferences in past epochs, aligned with :attr:`history` (``None``
    where it did not submit)."""

    inferer_loss_history: Mapping[str, tuple[float | None, ...]] = field(default_factory=dict)
    """Per inferer, the network's log10 loss of its inference in past epochs, aligned with
    :attr:`history` (``None`` where the inferer did not submit or the loss is not known
    yet)."""

    network_loss_history: tuple[float | None, ...] = ()
    """The network inference's log10 loss in past epochs, aligned with :attr:`history`."""


@runtime_checkable
class Inferer(Protocol):
    """A model that predicts the topic's target for the current epoch."""

    def infer(self, context: InferenceContext) -> float:
        """Return the inference (a finite number) for ``context.nonce``."""
        ...


@runtime_checkable
class Forecaster(Protocol):
    """A model that predicts each inferer's log10 loss for the current epoch."""

    def forecast(self, context: ForecastContext) -> Mapping[str, float]:
        """Return ``{inferer address: expected log10 loss}`` for some or all inferers."""
        ...


@runtime_checkable
class TruthSource(Protocol):
    """Where a reputer gets the ground truth of an epoch."""

    def truth(self, topic_id: int, nonce: int) -> float:
        """Return the ground truth of ``topic_id`` at ``nonce`` (a finite number)."""
        ...
