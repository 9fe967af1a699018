"""L5 agents: the model builders' side of Allora, off chain.

* :mod:`~pyallora.agents.context`: what models see (:class:`InferenceContext`,
  :class:`ForecastContext`) and implement (:class:`Inferer`, :class:`Forecaster`,
  :class:`TruthSource` Protocols); :func:`format_dec_text` for values bound for the chain.
* :mod:`~pyallora.agents.models`: ready inferers (persistence, moving average, mean reversion,
  linear on lags, gradient-boosted trees, regime specialist) and forecasters (EMA of recent
  losses, regime-conditioned losses).
* :mod:`~pyallora.agents.losses`: the topics' loss methods and the log10 losses reputers
  submit (SYNTHESIS.md §0, §8), for single values and whole value bundles.
* :mod:`~pyallora.agents.datasets`: real series shipped inside ``vega_datasets`` (stock
  log-returns, Seattle weather) and CSV columns, in time order.
* :mod:`~pyallora.agents.truth`: ground-truth sources for reputers (CSV, callable, HTTP JSON)
  with retries.
* :mod:`~pyallora.agents.study`: the offline engine-level study (models → synthesis engine →
  reputers → rewards, epoch by epoch) and the demo topics' setups.

The live agents (``allora worker|reputer run CONFIG``, ``allora consumer``):

* :mod:`~pyallora.agents.config`: the TOML configuration (key, node, topics, model import
  paths, data and truth sources, stake target, fees, state directory);
* :mod:`~pyallora.agents.worker` / :mod:`~pyallora.agents.reputer`: the worker and reputer
  loops; :mod:`~pyallora.agents.payloads` builds and signs their bundles;
* :mod:`~pyallora.agents.runtime`: the shared loop (event stream with polling fallback,
  exactly-once submissions persisted in a state file, backoff, structured progress lines);
* :mod:`~pyallora.agents.status`: the status file and the "is it working?" report;
* :mod:`~pyallora.agents.consumer`: the network inference with its error bars.

Agents reach a node over the wire only; they reuse :mod:`pyallora.synthesis` (types and,
offline, the engine) so that the losses they compute match the chain's.
"""

from pyallora.agents.context import (
    AgentError,
    ForecastContext,
    Forecaster,
    InferenceContext,
    Inferer,
    InsufficientHistoryError,
    NonFiniteOutputError,
    TruthSource,
    dec_to_float,
    format_dec_text,
)

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
]
