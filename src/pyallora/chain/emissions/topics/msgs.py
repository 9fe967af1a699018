"""Topic messages: CreateNewTopic (PROTOCOL.md §3.1) and FundTopic (§3.11).

``validate_basic`` runs the parameter-free checks of each message's first step, in the
reference order; the checks that need parameters (string lengths) open the handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pyallora.chain.emissions.topics.state import validate_topic_shape
from pyallora.chain.emissions.validation import (
    decode_request,
    parse_dec_field,
    parse_int_field,
    validate_bech32,
)
from pyallora.chain.tx.errors import InvalidCoinsError
from pyallora.proto.emissions.v5 import tx_pb2


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateNewTopic:
    """``/emissions.v5.CreateNewTopicRequest``: any account creates a topic."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.CreateNewTopicRequest"

    creator: str
    metadata: str
    loss_method: str
    epoch_length: int
    ground_truth_lag: int
    p_norm: str
    alpha_regret: str
    allow_negative: bool
    epsilon: str
    worker_submission_window: int
    merit_sortition_alpha: str
    active_inferer_quantile: str
    active_forecaster_quantile: str
    active_reputer_quantile: str

    @classmethod
    def from_bytes(cls, data: bytes) -> CreateNewTopic:
        """Decode the protobuf bytes (Dec fields in canonical text).

        Raises
        ------
        TxDecodeError
            If the bytes do not parse or a Dec field is outside the grammar.
        """
        proto = decode_request(data, tx_pb2.CreateNewTopicRequest)
        return cls(
            creator=proto.creator,
            metadata=proto.metadata,
            loss_method=proto.loss_method,
            epoch_length=proto.epoch_length,
            ground_truth_lag=proto.ground_truth_lag,
            p_norm=parse_dec_field(proto.p_norm, "p_norm"),
            alpha_regret=parse_dec_field(proto.alpha_regret, "alpha_regret"),
            allow_negative=proto.allow_negative,
            epsilon=parse_dec_field(proto.epsilon, "epsilon"),
            worker_submission_window=proto.worker_submission_window,
            merit_sortition_alpha=parse_dec_field(
                proto.merit_sortition_alpha, "merit_sortition_alpha"
            ),
            active_inferer_quantile=parse_dec_field(
                proto.active_inferer_quantile, "active_inferer_quantile"
            ),
            active_forecaster_quantile=parse_dec_field(
                proto.active_forecaster_quantile, "active_forecaster_quantile"
            ),
            active_reputer_quantile=parse_dec_field(
                proto.active_reputer_quantile, "active_reputer_quantile"
            ),
        )

    def validate_basic(self) -> None:
        """§3.1 step 1 without the parameter-dependent string lengths.

        Raises
        ------
        InvalidAddressError
            If the creator is not a bech32 address.
        InvalidRequestError
            If a topic field is out of range (NaN included).
        """
        validate_bech32(self.creator, "creator")
        validate_topic_shape(
            loss_method=self.loss_method,
            epoch_length=self.epoch_length,
            ground_truth_lag=self.ground_truth_lag,
            worker_submission_window=self.worker_submission_window,
            alpha_regret=self.alpha_regret,
            p_norm=self.p_norm,
            epsilon=self.epsilon,
            merit_sortition_alpha=self.merit_sortition_alpha,
            active_inferer_quantile=self.active_inferer_quantile,
            active_forecaster_quantile=self.active_forecaster_quantile,
            active_reputer_quantile=self.active_reputer_quantile,
        )

    def get_signers(self) -> tuple[str, ...]:
        """The creator."""
        return (self.creator,)


@dataclass(frozen=True, slots=True, kw_only=True)
class FundTopic:
    """``/emissions.v5.FundTopicRequest``: pay any amount (0 included) into a topic."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.FundTopicRequest"

    sender: str
    topic_id: int
    amount: int | None
    """``None`` when the field was left out."""

    @classmethod
    def from_bytes(cls, data: bytes) -> FundTopic:
        """Decode the protobuf bytes.

        Raises
        ------
        TxDecodeError
            If the bytes do not parse or the amount is not an integer.
        """
        proto = decode_request(data, tx_pb2.FundTopicRequest)
        return cls(
            sender=proto.sender,
            topic_id=proto.topic_id,
            amount=parse_int_field(proto.amount, "amount"),
        )

    def validate_basic(self) -> None:
        """Sender bech32; the amount present and ≥ 0 (quirk C13: the reference panics).

        Raises
        ------
        InvalidAddressError
            If the sender is not a bech32 address.
        InvalidCoinsError
            If the amount is missing or negative.
        """
        validate_bech32(self.sender, "sender")
        if self.amount is None:
            raise InvalidCoinsError('amount is required (send "0" to fund nothing)')
        if self.amount < 0:
            raise InvalidCoinsError(f"amount cannot be negative, got {self.amount}")

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.sender,)
