"""Wire bundles ↔ engine records, and the reputer-bundle filter of PROTOCOL.md §5.6 step 1.

* :func:`inference_to_engine`, :func:`forecast_to_engine`: archived ``emissions.v3``
  submissions as :mod:`pyallora.synthesis.types` records (SYNTHESIS.md §0);
* :func:`value_bundle_to_engine` / :func:`engine_to_value_bundle`: the ``ValueBundle``
  message (§2.13) and the engine's :class:`~pyallora.synthesis.types.ValueBundle`
  (SYNTHESIS.md §7.7): inferer, forecaster, one-out-inferer (withheld inferer l), one-out-
  forecaster, one-in and per-forecaster one-out-inferer values (forecaster k, withheld l);
* :func:`filter_value_bundle`: keep only values about the workers archived at the bundle's
  nonce (§5.6 step 1), first occurrence winning.

The combined and naive values are always present on the wire (an empty Dec reads as 0), so a
reputer's bundle always carries them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from pyallora.chain.emissions.dec_text import dec_from_text, dec_to_field_text
from pyallora.chain.store.memo import MemoTable
from pyallora.core.dec import ZERO, Dec
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.synthesis.types import Forecast, ForecastElement, Inference, PairKey, ValueBundle

_Attributed = types_pb2.WorkerAttributedValue | types_pb2.WithheldWorkerAttributedValue


def inference_to_engine(inference: types_pb2.Inference) -> Inference:
    """The engine record of an archived inference."""
    return Inference(inferer=inference.inferer, value=dec_from_text(inference.value))


def forecast_to_engine(forecast: types_pb2.Forecast) -> Forecast:
    """The engine record of an archived forecast (elements in order, duplicates dropped)."""
    seen: list[str] = []
    elements: list[ForecastElement] = []
    for element in forecast.forecast_elements:
        if element.inferer in seen:
            continue
        seen.append(element.inferer)
        elements.append(
            ForecastElement(inferer=element.inferer, value=dec_from_text(element.value))
        )
    return Forecast(forecaster=forecast.forecaster, elements=tuple(elements))


def _first_values(items: Iterable[_Attributed]) -> dict[str, Dec]:
    out: dict[str, Dec] = {}
    for item in items:
        if item.worker not in out:
            out[item.worker] = dec_from_text(item.value)
    return out


def value_bundle_to_engine(bundle: types_pb2.ValueBundle) -> ValueBundle:
    """The engine bundle of a wire ``ValueBundle`` (first occurrence of a worker wins).

    Memoised by the message's deterministic encoding (the engine bundle is immutable): an
    epoch end converts the bundles archived at a nonce when it closes the nonce and again when
    it pays its rewards.
    """
    return _ENGINE_BUNDLES.get_or_compute(
        bundle.SerializeToString(deterministic=True), lambda _: _compute_engine_bundle(bundle)
    )


def _compute_engine_bundle(bundle: types_pb2.ValueBundle) -> ValueBundle:
    pairs: dict[PairKey, Dec] = {}
    for entry in bundle.one_out_inferer_forecaster_values:
        for item in entry.one_out_inferer_values:
            key = (entry.forecaster, item.worker)
            if key not in pairs:
                pairs[key] = dec_from_text(item.value)
    return ValueBundle(
        combined=dec_from_text(bundle.combined_value),
        naive=dec_from_text(bundle.naive_value),
        inferers=_first_values(bundle.inferer_values),
        forecasters=_first_values(bundle.forecaster_values),
        one_out_inferer_forecasters=pairs,
        one_out_inferers=_first_values(bundle.one_out_inferer_values),
        one_out_forecasters=_first_values(bundle.one_out_forecaster_values),
        one_in_forecasters=_first_values(bundle.one_in_forecaster_values),
    )


_ENGINE_BUNDLES: Final[MemoTable[bytes, ValueBundle]] = MemoTable(64)


def engine_to_value_bundle(
    bundle: ValueBundle, *, topic_id: int, nonce: int, reputer: str = ""
) -> types_pb2.ValueBundle:
    """The wire ``ValueBundle`` of an engine bundle (absent combined/naive print as 0).

    Every list is in address order; the per-forecaster one-out-inferer lists are grouped by
    forecaster, in address order.
    """
    grouped: dict[str, list[types_pb2.WithheldWorkerAttributedValue]] = {}
    for (forecaster, withheld), value in bundle.one_out_inferer_forecasters.items():
        grouped.setdefault(forecaster, []).append(
            types_pb2.WithheldWorkerAttributedValue(worker=withheld, value=dec_to_field_text(value))
        )
    return types_pb2.ValueBundle(
        topic_id=topic_id,
        reputer_request_nonce=types_pb2.ReputerRequestNonce(
            reputer_nonce=types_pb2.Nonce(block_height=nonce)
        ),
        reputer=reputer,
        combined_value=dec_to_field_text(bundle.combined if bundle.combined is not None else ZERO),
        naive_value=dec_to_field_text(bundle.naive if bundle.naive is not None else ZERO),
        inferer_values=[
            types_pb2.WorkerAttributedValue(worker=j, value=dec_to_field_text(v))
            for j, v in bundle.inferers.items()
        ],
        forecaster_values=[
            types_pb2.WorkerAttributedValue(worker=k, value=dec_to_field_text(v))
            for k, v in bundle.forecasters.items()
        ],
        one_out_inferer_values=[
            types_pb2.WithheldWorkerAttributedValue(worker=j, value=dec_to_field_text(v))
            for j, v in bundle.one_out_inferers.items()
        ],
        one_out_forecaster_values=[
            types_pb2.WithheldWorkerAttributedValue(worker=k, value=dec_to_field_text(v))
            for k, v in bundle.one_out_forecasters.items()
        ],
        one_in_forecaster_values=[
            types_pb2.WorkerAttributedValue(worker=k, value=dec_to_field_text(v))
            for k, v in bundle.one_in_forecasters.items()
        ],
        one_out_inferer_forecaster_values=[
            types_pb2.OneOutInfererForecasterValues(forecaster=k, one_out_inferer_values=values)
            for k, values in sorted(grouped.items())
        ],
    )


def _keep(items: Sequence[_Attributed], allowed: frozenset[str]) -> list[_Attributed]:
    seen: list[str] = []
    kept: list[_Attributed] = []
    for item in items:
        if item.worker in allowed and item.worker not in seen:
            seen.append(item.worker)
            kept.append(item)
    return kept


def filter_value_bundle(
    bundle: types_pb2.ValueBundle,
    *,
    inferers: frozenset[str],
    forecasters: frozenset[str],
) -> types_pb2.ValueBundle:
    """A copy of ``bundle`` with values only about the archived workers (§5.6 step 1).

    Inferer and one-out-inferer values keep archived inferers; forecaster, one-out-forecaster
    and one-in values keep archived forecasters; one-out-inferer values are dropped entirely
    when at most one inferer value survives; each per-forecaster one-out-inferer list keeps
    archived inferers of an archived forecaster and is dropped when empty. Duplicates are
    removed, the first occurrence winning. Everything else (topic, nonce, reputer, combined,
    naive, extra data) is kept.
    """
    out = types_pb2.ValueBundle()
    out.CopyFrom(bundle)
    inferer_values = _keep(bundle.inferer_values, inferers)
    del out.inferer_values[:]
    out.inferer_values.extend(inferer_values)
    forecaster_values = _keep(bundle.forecaster_values, forecasters)
    del out.forecaster_values[:]
    out.forecaster_values.extend(forecaster_values)
    one_out_inferers = _keep(bundle.one_out_inferer_values, inferers)
    del out.one_out_inferer_values[:]
    if len(inferer_values) > 1:
        out.one_out_inferer_values.extend(one_out_inferers)
    one_out_forecasters = _keep(bundle.one_out_forecaster_values, forecasters)
    del out.one_out_forecaster_values[:]
    out.one_out_forecaster_values.extend(one_out_forecasters)
    one_in = _keep(bundle.one_in_forecaster_values, forecasters)
    del out.one_in_forecaster_values[:]
    out.one_in_forecaster_values.extend(one_in)
    del out.one_out_inferer_forecaster_values[:]
    seen: list[str] = []
    for entry in bundle.one_out_inferer_forecaster_values:
        if entry.forecaster not in forecasters or entry.forecaster in seen:
            continue
        values = _keep(entry.one_out_inferer_values, inferers)
        if not values:
            continue
        seen.append(entry.forecaster)
        out.one_out_inferer_forecaster_values.append(
            types_pb2.OneOutInfererForecasterValues(
                forecaster=entry.forecaster,
                one_out_inferer_values=values,
            )
        )
    return out
