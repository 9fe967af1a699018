"""The consumer's side: read a topic's network inference with its error bars
(``allora consumer inference TOPIC``; paying a topic is ``allora tx emissions fund-topic``).

:func:`get_network_inference` reads the node's consumer endpoint
(``GET /v1/topics/{id}/network_inference``, PROTOCOL.md §4.4 ``GetLatestNetworkInferences``):
the combined network inference, the naive one, the confidence interval (weighted percentiles
2.28, 15.87, 50, 84.13, 97.72 of the inferer and forecast-implied values, i.e. ±1σ and ±2σ
bands of a normal law), the block it was read at, and every inferer and forecaster with its
value and weight.

>>> band = ErrorBar(percentile="15.87", value="0.9")
>>> band.percentile
'15.87'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pyallora.client.client import Client

__all__ = [
    "ErrorBar",
    "NetworkInferenceReport",
    "Participant",
    "format_network_inference",
    "get_network_inference",
    "parse_network_inference",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorBar:
    """One point of the confidence interval: a percentile and the value there."""

    percentile: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Participant:
    """An inferer or forecaster behind the network inference."""

    address: str
    value: str | None
    """Its inference (inferers) or forecast-implied inference (forecasters)."""
    weight: str | None
    """Its regret-informed weight (``None`` when the answer carries no weights)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkInferenceReport:
    """A topic's network inference as a consumer sees it."""

    topic_id: int
    nonce: int
    value: str
    naive_value: str | None
    error_bars: tuple[ErrorBar, ...]
    inference_block_height: int
    loss_block_height: int
    block_height: int | None
    block_time: str | None
    source: str
    inferers: tuple[Participant, ...]
    forecasters: tuple[Participant, ...]

    def band(self, low: str, high: str) -> tuple[str, str] | None:
        """The values at two percentiles (e.g. ``"15.87"``, ``"84.13"``), if both exist."""
        by_percentile = {_norm(bar.percentile): bar.value for bar in self.error_bars}
        lower, upper = by_percentile.get(_norm(low)), by_percentile.get(_norm(high))
        if lower is None or upper is None:
            return None
        return lower, upper

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


def _norm(text: str) -> str:
    try:
        return repr(float(text))
    except ValueError:
        return text


def _participants(entries: Any) -> tuple[Participant, ...]:
    items = entries if isinstance(entries, Sequence) else ()
    return tuple(
        Participant(
            address=str(entry.get("address", "")),
            value=None if entry.get("value") is None else str(entry["value"]),
            weight=None if entry.get("weight") is None else str(entry["weight"]),
        )
        for entry in items
        if isinstance(entry, Mapping)
    )


def parse_network_inference(data: Mapping[str, Any]) -> NetworkInferenceReport:
    """A report from the consumer endpoint's JSON answer.

    Raises
    ------
    KeyError, ValueError
        If the answer lacks the topic id or the value.
    """
    percentiles = [str(v) for v in data.get("confidence_interval_percentiles") or ()]
    values = [str(v) for v in data.get("confidence_interval_values") or ()]
    return NetworkInferenceReport(
        topic_id=int(data["topic_id"]),
        nonce=int(data.get("nonce") or 0),
        value=str(data["value"]),
        naive_value=None if data.get("naive_value") is None else str(data["naive_value"]),
        error_bars=tuple(
            ErrorBar(percentile=p, value=v) for p, v in zip(percentiles, values, strict=False)
        ),
        inference_block_height=int(data.get("inference_block_height") or 0),
        loss_block_height=int(data.get("loss_block_height") or 0),
        block_height=None if data.get("block_height") is None else int(data["block_height"]),
        block_time=None if data.get("block_time") is None else str(data["block_time"]),
        source=str(data.get("source", "")),
        inferers=_participants(data.get("inferers")),
        forecasters=_participants(data.get("forecasters")),
    )


def get_network_inference(
    client: Client, topic_id: int, nonce: int | None = None
) -> NetworkInferenceReport:
    """The topic's latest network inference (or the one of ``nonce``).

    Raises
    ------
    NotFoundError
        If the topic does not exist.
    NodeApiError
        If the node has no network inference for it (no inference archived yet).
    NodeUnreachableError
        If the node does not answer.
    """
    return parse_network_inference(client.network_inference(topic_id, nonce))


def _participant_lines(title: str, participants: Sequence[Participant]) -> list[str]:
    if not participants:
        return [f"  {title}: none"]
    lines = [f"  {title} ({len(participants)}):"]
    for p in sorted(participants, key=lambda p: p.address):
        weight = "" if p.weight is None else f"  weight {p.weight}"
        value = "-" if p.value is None else p.value
        lines.append(f"    {p.address}  {value}{weight}")
    return lines


def format_network_inference(report: NetworkInferenceReport) -> str:
    """The report as readable text."""
    lines = [
        f"topic {report.topic_id} network inference: {report.value}",
    ]
    one_sigma = report.band("15.87", "84.13")
    two_sigma = report.band("2.28", "97.72")
    if one_sigma:
        lines.append(f"  68% interval (±1σ):  [{one_sigma[0]}, {one_sigma[1]}]")
    if two_sigma:
        lines.append(f"  95% interval (±2σ):  [{two_sigma[0]}, {two_sigma[1]}]")
    if not report.error_bars:
        lines.append("  error bars: none (no weighted values yet)")
    elif not (one_sigma or two_sigma):
        lines.extend(f"  p{bar.percentile}: {bar.value}" for bar in report.error_bars)
    if report.naive_value is not None:
        lines.append(f"  naive inference:     {report.naive_value}")
    at = f"height {report.block_height}" if report.block_height is not None else "height ?"
    if report.block_time:
        at += f" ({report.block_time})"
    lines.append(f"  read at:             {at}, {report.source}")
    lines.append(
        f"  inferences of nonce: {report.inference_block_height}"
        f"  losses of nonce: {report.loss_block_height or '-'}"
    )
    lines.extend(_participant_lines("inferers", report.inferers))
    lines.extend(_participant_lines("forecasters", report.forecasters))
    return "\n".join(lines)
