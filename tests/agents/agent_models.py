"""Models and truth functions the agent tests name by import path (``agent_models:Name``)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from pyallora.agents.context import ForecastContext, InferenceContext


class ConstantModel:
    """Always the same inference."""

    def __init__(self, value: float = 1.5) -> None:
        self.value = value

    def infer(self, context: InferenceContext) -> float:
        return self.value


class ScriptedModel:
    """Per-nonce behaviour: ``raise`` raises, ``nan`` returns NaN, a number returns it; other
    nonces give ``default``. Also records the contexts it saw."""

    def __init__(self, script: Mapping[str, object] | None = None, default: float = 2.0) -> None:
        self.script = {int(k): v for k, v in (script or {}).items()}
        self.default = default
        self.contexts: list[InferenceContext] = []

    def infer(self, context: InferenceContext) -> float:
        self.contexts.append(context)
        action = self.script.get(context.nonce, self.default)
        if action == "raise":
            raise ValueError(f"no data for nonce {context.nonce}")
        if action == "nan":
            return math.nan
        assert isinstance(action, int | float)
        return float(action)


class HistoryMeanModel:
    """The mean of the context's history (raises without history)."""

    def infer(self, context: InferenceContext) -> float:
        if not context.history:
            raise LookupError("no history yet")
        return sum(context.history) / len(context.history)


class EchoForecaster:
    """Forecasts log-loss -1 for every inferer it sees now or in the past, plus a stranger."""

    def __init__(self) -> None:
        self.contexts: list[ForecastContext] = []

    def forecast(self, context: ForecastContext) -> Mapping[str, float]:
        self.contexts.append(context)
        seen = set(context.inferences) | set(context.inference_history)
        out = {inferer: -1.0 for inferer in seen}
        out["allo1strangerstrangerstrangerstrangerxxxxx"] = -2.0
        return out


TRUTHS: dict[tuple[int, int], float] = {}
"""Values :func:`truth_from_table` answers (tests fill it)."""


def truth_from_table(topic_id: int, nonce: int) -> float | None:
    return TRUTHS.get((topic_id, nonce))


class SquaresSource:
    """A data source with features: truth ``nonce²/100`` and features ``{"parity": nonce % 2}``
    (``offset`` shifts the truth; nonces below ``first`` have no truth yet)."""

    def __init__(self, first: int = 0, offset: float = 0.0) -> None:
        self.first = first
        self.offset = offset

    def truth(self, topic_id: int, nonce: int) -> float:
        if nonce < self.first:
            raise LookupError(f"no truth before {self.first}")
        return nonce * nonce / 100 + self.offset

    def features(self, topic_id: int, nonce: int) -> Mapping[str, float]:
        return {"parity": float(nonce % 2), "topic": float(topic_id)}
