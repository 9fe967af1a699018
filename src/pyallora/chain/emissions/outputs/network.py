"""Network inferences on demand (PROTOCOL.md §4.4; SYNTHESIS.md §6, §7, §17).

:func:`compute_network_output` runs the engine's synthesis step
(:func:`~pyallora.synthesis.epoch.compute_network_inferences`) on the inferences and
forecasts archived at a nonce, with the topic's *current* stored state (regrets, initial
regret and the latest network loss):

* exactly one inference: it is the combined value;
* several, but the topic never produced network losses: the median, no weights;
* otherwise the full synthesis, with the §7.1 weights and the confidence band (weighted
  percentiles at 2.28, 15.87, 50, 84.13 and 97.72 of the inferer and forecast-implied values
  that have a weight; empty when there is none).

The returned ``ValueBundle`` names :data:`PLACEHOLDER_REPUTER` as its reputer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from pyallora.chain.emissions.dec_text import dec_to_field_text
from pyallora.chain.emissions.nonces.close import STEP_FAILURES
from pyallora.chain.emissions.nonces.state import (
    get_archived_forecasts,
    get_archived_inferences,
)
from pyallora.chain.emissions.params import get_params
from pyallora.chain.emissions.rewards.synthesis_state import (
    compute_synthesis_params,
    load_synthesis_state,
)
from pyallora.chain.emissions.submissions.bundles import (
    engine_to_value_bundle,
    forecast_to_engine,
    inference_to_engine,
)
from pyallora.chain.emissions.topics.state import Topic
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import InvalidRequestError, NotFoundError
from pyallora.core.crypto import encode_address
from pyallora.core.dec import Dec, with_dec_context
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.synthesis.epoch import compute_network_inferences
from pyallora.synthesis.types import ERROR_BAR_PERCENTILES

PLACEHOLDER_REPUTER: Final = encode_address(bytes(20))
"""The reputer address of a computed network-inference bundle (the address of 20 zero bytes;
the reference also fills a fixed placeholder there)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkOutput:
    """Network inferences at a nonce, in wire form."""

    bundle: types_pb2.ValueBundle
    """Combined, naive, per-inferer, forecast-implied, one-out and one-in values."""
    inferer_weights: tuple[types_pb2.RegretInformedWeight, ...]
    """Normalised §7.1 weights of the inferers (empty without regrets)."""
    forecaster_weights: tuple[types_pb2.RegretInformedWeight, ...]
    """Normalised §7.1 weights of the forecasters."""
    percentiles: tuple[str, ...]
    """The confidence band's percentiles (empty without weighted values)."""
    interval_values: tuple[str, ...]
    """The band's values, one per percentile."""
    mode: str
    """The engine's rule (``full``, ``single_inference``, ``no_previous_loss``,
    ``all_inferers_new``)."""


def _weights(weights: Mapping[str, Dec]) -> tuple[types_pb2.RegretInformedWeight, ...]:
    return tuple(
        types_pb2.RegretInformedWeight(worker=worker, weight=dec_to_field_text(weight))
        for worker, weight in sorted(weights.items())
    )


@with_dec_context
def compute_network_output(
    store: ReadableKVStore, topic: Topic, nonce: int, *, reply_nonce: int
) -> NetworkOutput:
    """The network inferences of ``topic`` at worker nonce ``nonce`` (module docstring).

    Parameters
    ----------
    reply_nonce
        The nonce written into the returned bundle's reputer request nonce.

    Raises
    ------
    NotFoundError
        If nothing is archived at ``nonce``.
    InvalidRequestError
        If the archived values cannot be combined (an arithmetic trap on extreme values).
    """
    archived = get_archived_inferences(store, topic.id, nonce)
    if not archived:
        raise NotFoundError(f"no inferences archived for topic {topic.id} at {nonce}")
    params = get_params(store)
    try:
        result = compute_network_inferences(
            inferences=[inference_to_engine(i) for i in archived],
            forecasts=[
                forecast_to_engine(f) for f in get_archived_forecasts(store, topic.id, nonce)
            ],
            state=load_synthesis_state(store, topic, params, nonce=nonce),
            params=compute_synthesis_params(topic, params),
        )
    except STEP_FAILURES as exc:
        raise InvalidRequestError(f"cannot compute network inferences: {exc}") from exc
    bundle = engine_to_value_bundle(
        result.bundle, topic_id=topic.id, nonce=reply_nonce, reputer=PLACEHOLDER_REPUTER
    )
    bars = result.error_bars
    return NetworkOutput(
        bundle=bundle,
        inferer_weights=_weights(result.inferer_weights),
        forecaster_weights=_weights(result.forecaster_weights),
        percentiles=ERROR_BAR_PERCENTILES if bars is not None else (),
        interval_values=tuple(dec_to_field_text(v) for v in bars) if bars is not None else (),
        mode=result.mode,
    )
