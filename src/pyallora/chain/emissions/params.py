"""Emissions module parameters (PROTOCOL.md §2.1, §3.13) and the ``reference_compat`` switch.

:class:`EmissionsParams` mirrors ``emissions.v5.Params`` field for field. Integers (``int64``,
``uint64`` and the money ``Int`` fields) are Python ``int``; Dec fields keep their canonical
protobuf text (:func:`~pyallora.core.dectext.canonical_dec_text`: ``"0.0000001"`` is stored and
returned as ``"1E-7"``, ``"0.250"`` stays ``"0.250"``, as the reference re-prints them), and
:meth:`EmissionsParams.get_dec` gives their engine value.

Constraints (§2.1) are checked by :func:`validate_params` on every write (genesis,
UpdateParams); the error codes follow Appendix A: an empty / too long version 58 / 59, a
value outside its unit interval 61, anything else (negative, zero where positive is
required, not finite, out of range) 62 (the texts of those codes disagree with some checks,
quirk C18). On top of §2.1, the height-delay parameters (:data:`BLOCK_DELAY_PARAMS`) are at
most :data:`~pyallora.chain.emissions.heights.MAX_BLOCK_DELAY` (2^40 blocks), so that the
heights scheduled from them stay inside ``int64`` (:mod:`.heights`).

UpdateParams carries ``emissions.v5.OptionalParams``, every field a ``repeated`` of the Params
type: one element sets the field, any other length leaves it unchanged
(:func:`compute_merged_params`). Its tags 43 and 44 are swapped relative to ``Params``
(43 = data_sending_fee, 44 = epsilon_safe_div); merging goes by field *name*, so the swap is
handled by the generated classes.

``reference_compat`` (PROTOCOL.md §10, Appendix C) is not a ``Params`` field: it is set once at
genesis (the emissions section's ``reference_compat`` key), stored in the module's config
item and read by the code paths of the quirks it switches (C1, C2, C9, C11 here; the nonce
and reward quirks in part 2). ``False`` (the default) applies the recommended fixes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, fields, replace
from typing import Any, Final, Literal

from pyallora.chain.emissions import schema
from pyallora.chain.emissions.dec_text import dec_from_text, is_nan_dec_text
from pyallora.chain.emissions.errors import (
    ValidationMustBeBetweenZeroAndOneError,
    ValidationMustBeGreaterthanZeroError,
    ValidationVersionEmptyError,
    ValidationVersionTooLongError,
)
from pyallora.chain.emissions.heights import MAX_BLOCK_DELAY, is_block_delay
from pyallora.chain.store.collections import CodecError, Item, JsonValue, ProtoValue
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.chain.store.memo import MemoTable
from pyallora.core.dec import Dec
from pyallora.core.dectext import canonical_dec_text
from pyallora.core.errors import InvalidDecError
from pyallora.proto.emissions.v5 import params_pb2
from pyallora.synthesis.topic_weights import TopicWeightParams

MAX_VERSION_LENGTH: Final = 32
"""Longest ``version`` label."""

_INT_TEXT: Final = re.compile(r"-?[0-9]+")

Kind = Literal["str", "int64", "uint64", "int", "dec"]
"""Wire type of a parameter: text, 64-bit integers, a Cosmos ``Int`` (money), a Dec."""

Rule = Literal["version", "any", "ge0", "ge1", "gt0", "unit_closed", "unit_open", "finite"]
"""Constraint of a parameter (§2.1)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EmissionsParams:
    """``emissions.v5.Params`` (PROTOCOL.md §2.1; attribute docs give tag and constraint)."""

    version: str = "v2"
    """1: free-form label, 1-32 characters."""
    max_serialized_msg_length: int = 1_000_000
    """2: max protobuf size of a worker/reputer payload message; ≥ 0."""
    min_topic_weight: str = "100"
    """3: Dec ≥ 0; lighter topics are deactivated and cannot be activated."""
    required_minimum_stake: int = 10_000
    """5: Int ≥ 0; minimum reputer stake to submit and be counted."""
    remove_stake_delay_window: int = 604_800
    """6: in [0, 2^40]; blocks between a stake-removal request and its payout."""
    min_epoch_length: int = 12
    """7: in [1, 2^40]; lower bound of topic epoch lengths."""
    beta_entropy: str = "0.25"
    """8: Dec in [0, 1]."""
    learning_rate: str = "0.05"
    """9: Dec in (0, 1)."""
    max_gradient_threshold: str = "0.001"
    """10: Dec in (0, 1)."""
    min_stake_fraction: str = "0.5"
    """11: Dec in [0, 1]."""
    max_unfulfilled_worker_requests: int = 100
    """13: cap of the open worker nonce list."""
    max_unfulfilled_reputer_requests: int = 100
    """14: cap of the open reputer nonce list; bounds the ground-truth lag."""
    topic_reward_stake_importance: str = "0.5"
    """15: Dec in [0, 1]; exponent μ of the topic stake in the topic weight."""
    topic_reward_fee_revenue_importance: str = "0.5"
    """16: Dec in [0, 1]; exponent ν of the revenue per block in the topic weight."""
    topic_reward_alpha: str = "0.5"
    """17: Dec in (0, 1); EMA factor of the topic weight."""
    task_reward_alpha: str = "0.1"
    """18: Dec in (0, 1)."""
    validators_vs_allora_percent_reward: str = "0.25"
    """19: Dec in [0, 1]; validators' share of each block emission (mint)."""
    max_samples_to_scale_scores: int = 10
    """20: > 0."""
    max_top_inferers_to_reward: int = 32
    """21: inferer active-set size."""
    max_top_forecasters_to_reward: int = 6
    """22: forecaster active-set size."""
    max_top_reputers_to_reward: int = 6
    """23: reputer active-set size."""
    create_topic_fee: int = 75_000
    """24: Int ≥ 0."""
    gradient_descent_max_iters: int = 10
    """25: > 0."""
    registration_fee: int = 200
    """28: Int ≥ 0."""
    default_page_limit: int = 100
    """29: vestigial pagination default."""
    max_page_limit: int = 1_000
    """30: cap on list-style query results."""
    min_epoch_length_record_limit: int = 3
    """31: in [0, 2^40]; epochs of history kept behind the oldest open reputer nonce."""
    blocks_per_month: int = 864_000
    """32: > 0."""
    p_reward_inference: str = "1"
    """33: Dec > 0."""
    p_reward_forecast: str = "3"
    """34: Dec > 0."""
    p_reward_reputer: str = "3"
    """35: Dec > 0."""
    c_reward_inference: str = "0.75"
    """36: Dec > 0."""
    c_reward_forecast: str = "0.75"
    """37: Dec > 0."""
    c_norm: str = "0.75"
    """38: Dec > 0."""
    epsilon_reputer: str = "0.01"
    """40: Dec > 0."""
    half_max_process_stake_removals_end_block: int = 40
    """42: ≥ 1; matured removals processed per block, per queue."""
    epsilon_safe_div: str = "1E-7"
    """43: Dec > 0 (``0.0000001``)."""
    data_sending_fee: int = 10
    """44: Int ≥ 0."""
    max_elements_per_forecast: int = 12
    """45: forecast elements kept per forecast."""
    max_active_topics_per_block: int = 1
    """46: most topics whose epoch may end in one block."""
    max_string_length: int = 255
    """47: longest topic metadata and loss-method string."""
    initial_regret_quantile: str = "0.25"
    """48: Dec in [0, 1]."""
    p_norm_safe_div: str = "8.25"
    """49: finite Dec."""

    def get_dec(self, name: str) -> Dec:
        """The engine value of Dec parameter ``name``.

        Raises
        ------
        KeyError
            If ``name`` is not a Dec parameter (a caller bug).
        InvalidDecError
            If the stored text is not a finite Dec (impossible after :func:`validate_params`).
        """
        if PARAM_KINDS[name][0] != "dec":
            raise KeyError(f"{name} is not a Dec parameter")
        text: str = getattr(self, name)
        return dec_from_text(text)


DEFAULT_PARAMS: Final = EmissionsParams()
"""The defaults of §2.1."""

PARAM_KINDS: Final[dict[str, tuple[Kind, Rule]]] = {
    "version": ("str", "version"),
    "max_serialized_msg_length": ("int64", "ge0"),
    "min_topic_weight": ("dec", "ge0"),
    "required_minimum_stake": ("int", "ge0"),
    "remove_stake_delay_window": ("int64", "ge0"),
    "min_epoch_length": ("int64", "ge1"),
    "beta_entropy": ("dec", "unit_closed"),
    "learning_rate": ("dec", "unit_open"),
    "max_gradient_threshold": ("dec", "unit_open"),
    "min_stake_fraction": ("dec", "unit_closed"),
    "max_unfulfilled_worker_requests": ("uint64", "any"),
    "max_unfulfilled_reputer_requests": ("uint64", "any"),
    "topic_reward_stake_importance": ("dec", "unit_closed"),
    "topic_reward_fee_revenue_importance": ("dec", "unit_closed"),
    "topic_reward_alpha": ("dec", "unit_open"),
    "task_reward_alpha": ("dec", "unit_open"),
    "validators_vs_allora_percent_reward": ("dec", "unit_closed"),
    "max_samples_to_scale_scores": ("uint64", "gt0"),
    "max_top_inferers_to_reward": ("uint64", "any"),
    "max_top_forecasters_to_reward": ("uint64", "any"),
    "max_top_reputers_to_reward": ("uint64", "any"),
    "create_topic_fee": ("int", "ge0"),
    "gradient_descent_max_iters": ("uint64", "gt0"),
    "registration_fee": ("int", "ge0"),
    "default_page_limit": ("uint64", "any"),
    "max_page_limit": ("uint64", "any"),
    "min_epoch_length_record_limit": ("int64", "ge0"),
    "blocks_per_month": ("uint64", "gt0"),
    "p_reward_inference": ("dec", "gt0"),
    "p_reward_forecast": ("dec", "gt0"),
    "p_reward_reputer": ("dec", "gt0"),
    "c_reward_inference": ("dec", "gt0"),
    "c_reward_forecast": ("dec", "gt0"),
    "c_norm": ("dec", "gt0"),
    "epsilon_reputer": ("dec", "gt0"),
    "half_max_process_stake_removals_end_block": ("uint64", "ge1"),
    "epsilon_safe_div": ("dec", "gt0"),
    "data_sending_fee": ("int", "ge0"),
    "max_elements_per_forecast": ("uint64", "any"),
    "max_active_topics_per_block": ("uint64", "any"),
    "max_string_length": ("uint64", "any"),
    "initial_regret_quantile": ("dec", "unit_closed"),
    "p_norm_safe_div": ("dec", "finite"),
}
"""Wire kind and constraint of every parameter, in ``Params`` tag order."""

BLOCK_DELAY_PARAMS: Final = (
    "remove_stake_delay_window",
    "min_epoch_length",
    "min_epoch_length_record_limit",
)
"""Parameters counted in blocks (or epochs) and added to heights: at most ``MAX_BLOCK_DELAY``."""

_INT64_RANGE: Final = (-(1 << 63), (1 << 63) - 1)
_UINT64_RANGE: Final = (0, (1 << 64) - 1)


# ---------------------------------------------------------------------------------------------
# Validation


def _validate_rule(name: str, kind: Kind, rule: Rule, value: Any) -> None:
    if rule == "version":
        if not value:
            raise ValidationVersionEmptyError(f"params: {name}")
        if len(value) > MAX_VERSION_LENGTH:
            raise ValidationVersionTooLongError(f"params: {name} has {len(value)} characters")
        return
    if kind == "dec":
        if is_nan_dec_text(value):
            raise _rule_error(rule)(f"params: {name} must be finite, got NaN")
        number = dec_from_text(value)
        ok = {
            "any": True,
            "finite": True,
            "ge0": number >= 0,
            "ge1": number >= 1,
            "gt0": number > 0,
            "unit_closed": 0 <= number <= 1,
            "unit_open": 0 < number < 1,
        }[rule]
    else:
        ok = {
            "any": True,
            "finite": True,
            "ge0": value >= 0,
            "ge1": value >= 1,
            "gt0": value > 0,
            "unit_closed": 0 <= value <= 1,
            "unit_open": 0 < value < 1,
        }[rule]
    if not ok:
        raise _rule_error(rule)(f"params: {name} = {value}")


def _rule_error(
    rule: Rule,
) -> type[ValidationMustBeBetweenZeroAndOneError] | type[ValidationMustBeGreaterthanZeroError]:
    if rule in ("unit_closed", "unit_open"):
        return ValidationMustBeBetweenZeroAndOneError
    return ValidationMustBeGreaterthanZeroError


def validate_params(params: EmissionsParams) -> None:
    """Check every constraint of §2.1, in tag order.

    Raises
    ------
    ValidationVersionEmptyError, ValidationVersionTooLongError
        For the version label (58, 59).
    ValidationMustBeBetweenZeroAndOneError
        For a value outside its unit interval (61).
    ValidationMustBeGreaterthanZeroError
        For a negative, zero (where positive is required), non-finite or out-of-range value,
        a height delay above ``MAX_BLOCK_DELAY`` included (62).
    """
    for name, (kind, rule) in PARAM_KINDS.items():
        value = getattr(params, name)
        if kind in ("int64", "uint64", "int"):
            if type(value) is not int:
                raise ValidationMustBeGreaterthanZeroError(f"params: {name} is not an integer")
            low, high = _UINT64_RANGE if kind == "uint64" else _INT64_RANGE
            if kind != "int" and not low <= value <= high:
                raise ValidationMustBeGreaterthanZeroError(f"params: {name} is out of range")
        elif not isinstance(value, str):
            raise ValidationMustBeGreaterthanZeroError(f"params: {name} is not text")
        _validate_rule(name, kind, rule, value)
        if name in BLOCK_DELAY_PARAMS and not is_block_delay(value):
            raise ValidationMustBeGreaterthanZeroError(
                f"params: {name} = {value} exceeds the largest block delay {MAX_BLOCK_DELAY}"
            )


# ---------------------------------------------------------------------------------------------
# Protobuf conversion


def _parse_int_text(text: str, name: str) -> int:
    if not _INT_TEXT.fullmatch(text):
        raise CodecError(f"param {name}: {text[:64]!r} is not an integer")
    return int(text)


def _from_wire(name: str, kind: Kind, value: Any) -> Any:
    if kind == "int":
        return _parse_int_text(value, name) if value != "" else 0
    if kind == "dec":
        try:
            return canonical_dec_text(value)
        except InvalidDecError as exc:
            raise CodecError(f"param {name}: {exc}") from exc
    return value


def params_from_proto(message: params_pb2.Params) -> EmissionsParams:
    """The parameters of a ``Params`` message (not validated).

    Dec texts are canonicalised; an empty ``Int`` reads as 0 and an empty Dec as ``"0"``.

    Raises
    ------
    CodecError
        If an ``Int`` field is not an integer or a Dec field is outside the Dec grammar.
    """
    values = {
        name: _from_wire(name, kind, getattr(message, name))
        for name, (kind, _) in PARAM_KINDS.items()
    }
    return EmissionsParams(**values)


def params_to_proto(params: EmissionsParams) -> params_pb2.Params:
    """The ``Params`` message of a parameter set (Ints as decimal text)."""
    values: dict[str, Any] = {}
    for name, (kind, _) in PARAM_KINDS.items():
        value = getattr(params, name)
        values[name] = str(value) if kind == "int" else value
    return params_pb2.Params(**values)


def compute_param_changes(update: params_pb2.OptionalParams) -> tuple[tuple[str, Any], ...]:
    """The changes an ``OptionalParams`` requests (§3.13), in tag order.

    A field with exactly one element sets that parameter; an empty or longer list leaves it
    unchanged. Every provided text must still decode, as in the reference.

    Raises
    ------
    CodecError
        If a provided ``Int`` is not an integer or a Dec is outside the grammar.
    """
    changes: list[tuple[str, Any]] = []
    for name, (kind, _) in PARAM_KINDS.items():
        provided = [_from_wire(name, kind, value) for value in getattr(update, name)]
        if len(provided) == 1:
            changes.append((name, provided[0]))
    return tuple(changes)


def compute_merged_params(
    current: EmissionsParams, changes: tuple[tuple[str, Any], ...]
) -> EmissionsParams:
    """``current`` with the requested changes applied (not validated)."""
    return replace(current, **dict(changes))


# ---------------------------------------------------------------------------------------------
# State

PARAMS: Final = Item(schema.PARAMS, ProtoValue(params_pb2.Params))
"""The stored ``Params``."""


def _config_to_json(value: bool) -> dict[str, bool]:
    return {"reference_compat": value}


def _config_from_json(data: Any) -> bool:
    if not isinstance(data, dict) or type(data.get("reference_compat")) is not bool:
        raise CodecError("corrupt emissions config")
    return bool(data["reference_compat"])


CONFIG: Final = Item(schema.CONFIG, JsonValue(_config_to_json, _config_from_json))
"""The ``reference_compat`` switch (absent: ``False``)."""


def get_params(store: ReadableKVStore) -> EmissionsParams:
    """The module parameters (the defaults when none are stored)."""
    data = store.get(PARAMS.prefix)
    if data is None:
        return DEFAULT_PARAMS
    return _params_from_stored_bytes(data)


@functools.lru_cache(maxsize=64)
def _params_from_stored_bytes(data: bytes) -> EmissionsParams:
    """Memoised decode of the stored ``Params`` bytes (read by every transaction).

    A pure function of the immutable bytes; :class:`EmissionsParams` is frozen, so sharing
    the result is safe. Decode errors are raised on every call (they are not cached).
    """
    return params_from_proto(PARAMS.codec.decode(data))


def set_params(store: KVStore, params: EmissionsParams) -> None:
    """Validate and store the parameters.

    Raises
    ------
    EmissionsError
        The validation errors of :func:`validate_params`.
    """
    validate_params(params)
    PARAMS.set(store, params_to_proto(params))


def is_reference_compat(store: ReadableKVStore) -> bool:
    """Whether the chain reproduces the reference quirks of Appendix C (genesis switch)."""
    data = store.get(CONFIG.prefix)
    if data is None:
        return False
    # Memoised decode of the stored bytes (read by every payload and every end block).
    return _COMPAT_BY_BYTES.get_or_compute(data, CONFIG.codec.decode)


_COMPAT_BY_BYTES: Final[MemoTable[bytes, bool]] = MemoTable(16)


def set_reference_compat(store: KVStore, value: bool) -> None:
    """Set the ``reference_compat`` switch (genesis only)."""
    CONFIG.set(store, value)


def compute_topic_weight_params(params: EmissionsParams) -> TopicWeightParams:
    """The §14 (SYNTHESIS.md) parameters of the topic weight and the revenue drip.

    ``max_active_topics_per_block`` is not used by the weight or the drip; it is clamped to
    1 here because the synthesis record requires a positive value and the chain allows 0.
    """
    return TopicWeightParams(
        stake_importance=params.get_dec("topic_reward_stake_importance"),
        fee_revenue_importance=params.get_dec("topic_reward_fee_revenue_importance"),
        alpha=params.get_dec("topic_reward_alpha"),
        min_topic_weight=params.get_dec("min_topic_weight"),
        max_active_topics_per_block=max(1, params.max_active_topics_per_block),
        blocks_per_month=params.blocks_per_month,
    )


def iterate_param_names() -> tuple[str, ...]:
    """Every parameter name, in ``Params`` tag order."""
    return tuple(item.name for item in fields(EmissionsParams))
