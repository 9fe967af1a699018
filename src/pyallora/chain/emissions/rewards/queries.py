"""Scores, regrets and reward bookkeeping queries (PROTOCOL.md §4.6).

Read-only views of the state the reward step and the active-set contests write. Records
stored as protobuf (score EMAs, per-nonce scores, regrets) are answered exactly as stored
(parsing their 34-digit text into a Dec and printing it back could change the last digit).
Absent keys answer defaults: a score EMA ``{height 0, score 0}``, a listening coefficient of
1, a regret ``(0, topic initial regret)``, a reward fraction with ``not_found``, counts 0.

``GetCurrentLowest*Score`` answers the lowest stored EMA among the current members of the
active set (the quirk C6 fix); under ``reference_compat`` it answers the cached record, as
the reference does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from pyallora.chain.auth.state import MODULE_ADDRESSES
from pyallora.chain.bank.state import get_balance
from pyallora.chain.context import QueryContext
from pyallora.chain.emissions.dec_text import dec_to_field_text
from pyallora.chain.emissions.params import get_params, is_reference_compat
from pyallora.chain.emissions.query_support import build_query_route
from pyallora.chain.emissions.rewards.state import (
    FORECASTER,
    INFERER,
    REPUTER,
    build_regret_response_value,
    get_inclusion_count,
    get_listening_coefficient_or_one,
    get_previous_percentage_reward_to_staked_reputers,
    get_previous_reward_fraction,
    get_stored_regret,
    get_stored_score_ema,
    get_stored_scores_at_block,
    get_topic_score_quantile,
    iterate_stored_recent_scores,
)
from pyallora.chain.emissions.submissions.active_set import compute_lowest_member
from pyallora.chain.emissions.submissions.state import (
    get_active_set,
    get_stored_lowest_score_cache,
)
from pyallora.chain.emissions.topics.state import get_topic
from pyallora.chain.module import QueryHandler
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.core.dec import ZERO
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import query_pb2 as q

REWARDS_MODULE: Final = "allorarewards"
"""The rewards treasury module account."""


# ---------------------------------------------------------------------------------------------
# Score EMAs, lowest members, quantiles


def get_current_lowest_score(store: ReadableKVStore, role: str, topic_id: int) -> types_pb2.Score:
    """The active set's lowest EMA record (module docstring), as stored; an empty ``Score``
    when none."""
    if is_reference_compat(store):
        cached = get_stored_lowest_score_cache(store, role, topic_id)
        if cached is not None:
            return cached
    lowest = compute_lowest_member(store, role, topic_id, get_active_set(store, role, topic_id))
    if lowest is None:
        return types_pb2.Score()
    return get_stored_score_ema(store, role, topic_id, lowest.address)


def _quantile_text(store: ReadableKVStore, role: str, topic_id: int) -> str:
    value = get_topic_score_quantile(store, role, topic_id)
    return dec_to_field_text(ZERO if value is None else value)


# ---------------------------------------------------------------------------------------------
# Per-nonce scores


def compute_scores_until_block(
    store: ReadableKVStore, role: str, topic_id: int, height: int
) -> list[types_pb2.Score]:
    """Up to ``max_samples_to_scale_scores`` most recent scores with nonce ≤ ``height``,
    newest nonce first (each nonce's list in stored order)."""
    limit = get_params(store).max_samples_to_scale_scores
    out: list[types_pb2.Score] = []
    for _, records in iterate_stored_recent_scores(store, role, topic_id, up_to=height):
        for record in records:
            if len(out) == limit:
                return out
            out.append(record)
    return out


def _scores_at(store: ReadableKVStore, role: str, topic_id: int, height: int) -> types_pb2.Scores:
    return types_pb2.Scores(scores=get_stored_scores_at_block(store, role, topic_id, height))


_RoleValue = Callable[[ReadableKVStore, str, Any], Any]
"""What a per-role query answers: a function of the store, the role and the request."""


def _score_ema_of(address_field: str) -> _RoleValue:
    def value(store: ReadableKVStore, role: str, request: Any) -> Any:
        address = getattr(request, address_field)
        return get_stored_score_ema(store, role, request.topic_id, address)

    return value


def _lowest_score(store: ReadableKVStore, role: str, request: Any) -> types_pb2.Score:
    return get_current_lowest_score(store, role, request.topic_id)


def _quantile(store: ReadableKVStore, role: str, request: Any) -> str:
    return _quantile_text(store, role, request.topic_id)


def _scores_until(store: ReadableKVStore, role: str, request: Any) -> list[types_pb2.Score]:
    return compute_scores_until_block(store, role, request.topic_id, request.block_height)


def _scores_at_height(store: ReadableKVStore, role: str, request: Any) -> types_pb2.Scores:
    return _scores_at(store, role, request.topic_id, request.block_height)


def _role_route(
    method: str, role: str, field: str, value: _RoleValue
) -> tuple[str, Any, Callable[[QueryContext, ReadableKVStore, Any], Any]]:
    """The route of ``method``: its response's ``field`` is ``value`` for ``role``."""
    response_type = getattr(q, f"{method}Response")

    def handle(ctx: QueryContext, store: ReadableKVStore, request: Any) -> Any:
        return response_type(**{field: value(store, role, request)})

    handle.__doc__ = f"{method}: the {role} answer."
    return method, getattr(q, f"{method}Request"), handle


_ROLE_ROUTES: Final = (
    _role_route("GetInfererScoreEma", INFERER, "score", _score_ema_of("inferer")),
    _role_route("GetForecasterScoreEma", FORECASTER, "score", _score_ema_of("forecaster")),
    _role_route("GetReputerScoreEma", REPUTER, "score", _score_ema_of("reputer")),
    _role_route("GetCurrentLowestInfererScore", INFERER, "score", _lowest_score),
    _role_route("GetCurrentLowestForecasterScore", FORECASTER, "score", _lowest_score),
    _role_route("GetCurrentLowestReputerScore", REPUTER, "score", _lowest_score),
    _role_route("GetPreviousTopicQuantileInfererScoreEma", INFERER, "value", _quantile),
    _role_route("GetPreviousTopicQuantileForecasterScoreEma", FORECASTER, "value", _quantile),
    _role_route("GetPreviousTopicQuantileReputerScoreEma", REPUTER, "value", _quantile),
    _role_route("GetInferenceScoresUntilBlock", INFERER, "scores", _scores_until),
    _role_route("GetForecastScoresUntilBlock", FORECASTER, "scores", _scores_until),
    _role_route("GetWorkerInferenceScoresAtBlock", INFERER, "scores", _scores_at_height),
    _role_route("GetWorkerForecastScoresAtBlock", FORECASTER, "scores", _scores_at_height),
    _role_route("GetReputersScoresAtBlock", REPUTER, "scores", _scores_at_height),
)
"""The queries that differ only by role: score EMAs, lowest members, quantiles, scores."""


# ---------------------------------------------------------------------------------------------
# Reward bookkeeping


def query_listening_coefficient(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetListeningCoefficientRequest
) -> q.GetListeningCoefficientResponse:
    """GetListeningCoefficient (1 when unset)."""
    value = get_listening_coefficient_or_one(store, request.topic_id, request.reputer)
    return q.GetListeningCoefficientResponse(
        listening_coefficient=types_pb2.ListeningCoefficient(coefficient=dec_to_field_text(value))
    )


def _fraction(store: ReadableKVStore, role: str, topic_id: int, address: str) -> dict[str, Any]:
    value = get_previous_reward_fraction(store, role, topic_id, address)
    if value is None:
        return {"reward_fraction": dec_to_field_text(ZERO), "not_found": True}
    return {"reward_fraction": dec_to_field_text(value), "not_found": False}


def query_previous_reputer_reward_fraction(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetPreviousReputerRewardFractionRequest
) -> q.GetPreviousReputerRewardFractionResponse:
    """GetPreviousReputerRewardFraction."""
    return q.GetPreviousReputerRewardFractionResponse(
        **_fraction(store, REPUTER, request.topic_id, request.reputer)
    )


def query_previous_inference_reward_fraction(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: q.GetPreviousInferenceRewardFractionRequest,
) -> q.GetPreviousInferenceRewardFractionResponse:
    """GetPreviousInferenceRewardFraction."""
    return q.GetPreviousInferenceRewardFractionResponse(
        **_fraction(store, INFERER, request.topic_id, request.worker)
    )


def query_previous_forecast_reward_fraction(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: q.GetPreviousForecastRewardFractionRequest,
) -> q.GetPreviousForecastRewardFractionResponse:
    """GetPreviousForecastRewardFraction."""
    return q.GetPreviousForecastRewardFractionResponse(
        **_fraction(store, FORECASTER, request.topic_id, request.worker)
    )


def query_previous_percentage_reward_to_staked_reputers(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: q.GetPreviousPercentageRewardToStakedReputersRequest,
) -> q.GetPreviousPercentageRewardToStakedReputersResponse:
    """GetPreviousPercentageRewardToStakedReputers."""
    return q.GetPreviousPercentageRewardToStakedReputersResponse(
        percentage_reward=dec_to_field_text(
            get_previous_percentage_reward_to_staked_reputers(store)
        )
    )


def query_total_reward_to_distribute(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetTotalRewardToDistributeRequest
) -> q.GetTotalRewardToDistributeResponse:
    """GetTotalRewardToDistribute: the ``allorarewards`` balance, as a Dec."""
    balance = get_balance(store, MODULE_ADDRESSES[REWARDS_MODULE])
    return q.GetTotalRewardToDistributeResponse(total_reward=str(balance))


def query_count_inferer_inclusions(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetCountInfererInclusionsInTopicRequest
) -> q.GetCountInfererInclusionsInTopicResponse:
    """GetCountInfererInclusionsInTopic."""
    return q.GetCountInfererInclusionsInTopicResponse(
        count=get_inclusion_count(store, INFERER, request.topic_id, request.inferer)
    )


def query_count_forecaster_inclusions(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: q.GetCountForecasterInclusionsInTopicRequest,
) -> q.GetCountForecasterInclusionsInTopicResponse:
    """GetCountForecasterInclusionsInTopic."""
    return q.GetCountForecasterInclusionsInTopicResponse(
        count=get_inclusion_count(store, FORECASTER, request.topic_id, request.forecaster)
    )


# ---------------------------------------------------------------------------------------------
# Regrets


def _initial(store: ReadableKVStore, topic_id: int) -> str:
    topic = get_topic(store, topic_id)
    return "0" if topic is None else topic.initial_regret


def _regret_query(
    family: str, response_type: Any, first: str, second: str = ""
) -> Callable[[QueryContext, ReadableKVStore, Any], Any]:
    def handle(ctx: QueryContext, store: ReadableKVStore, request: Any) -> Any:
        regret = get_stored_regret(
            store,
            family,
            request.topic_id,
            getattr(request, first),
            getattr(request, second) if second else "",
        )
        return response_type(
            regret=build_regret_response_value(regret, _initial(store, request.topic_id))
        )

    handle.__doc__ = f"{response_type.DESCRIPTOR.name[:-8]}: the stored regret, or (0, R0)."
    return handle


query_inferer_network_regret = _regret_query(
    "inferer", q.GetInfererNetworkRegretResponse, "actor_id"
)
query_forecaster_network_regret = _regret_query(
    "forecaster", q.GetForecasterNetworkRegretResponse, "worker"
)
query_one_in_forecaster_network_regret = _regret_query(
    "one_in_forecaster_inferer",
    q.GetOneInForecasterNetworkRegretResponse,
    "forecaster",
    "inferer",
)
query_naive_inferer_network_regret = _regret_query(
    "naive_inferer", q.GetNaiveInfererNetworkRegretResponse, "inferer"
)
query_one_out_inferer_inferer_network_regret = _regret_query(
    "one_out_inferer_inferer",
    q.GetOneOutInfererInfererNetworkRegretResponse,
    "one_out_inferer",
    "inferer",
)
query_one_out_inferer_forecaster_network_regret = _regret_query(
    "one_out_inferer_forecaster",
    q.GetOneOutInfererForecasterNetworkRegretResponse,
    "one_out_inferer",
    "forecaster",
)
query_one_out_forecaster_inferer_network_regret = _regret_query(
    "one_out_forecaster_inferer",
    q.GetOneOutForecasterInfererNetworkRegretResponse,
    "one_out_forecaster",
    "inferer",
)
query_one_out_forecaster_forecaster_network_regret = _regret_query(
    "one_out_forecaster_forecaster",
    q.GetOneOutForecasterForecasterNetworkRegretResponse,
    "one_out_forecaster",
    "forecaster",
)

_ROUTES: Final[tuple[tuple[str, Any, Callable[..., Any]], ...]] = (
    *_ROLE_ROUTES,
    ("GetListeningCoefficient", q.GetListeningCoefficientRequest, query_listening_coefficient),
    (
        "GetPreviousReputerRewardFraction",
        q.GetPreviousReputerRewardFractionRequest,
        query_previous_reputer_reward_fraction,
    ),
    (
        "GetPreviousInferenceRewardFraction",
        q.GetPreviousInferenceRewardFractionRequest,
        query_previous_inference_reward_fraction,
    ),
    (
        "GetPreviousForecastRewardFraction",
        q.GetPreviousForecastRewardFractionRequest,
        query_previous_forecast_reward_fraction,
    ),
    (
        "GetPreviousPercentageRewardToStakedReputers",
        q.GetPreviousPercentageRewardToStakedReputersRequest,
        query_previous_percentage_reward_to_staked_reputers,
    ),
    (
        "GetTotalRewardToDistribute",
        q.GetTotalRewardToDistributeRequest,
        query_total_reward_to_distribute,
    ),
    (
        "GetCountInfererInclusionsInTopic",
        q.GetCountInfererInclusionsInTopicRequest,
        query_count_inferer_inclusions,
    ),
    (
        "GetCountForecasterInclusionsInTopic",
        q.GetCountForecasterInclusionsInTopicRequest,
        query_count_forecaster_inclusions,
    ),
    ("GetInfererNetworkRegret", q.GetInfererNetworkRegretRequest, query_inferer_network_regret),
    (
        "GetForecasterNetworkRegret",
        q.GetForecasterNetworkRegretRequest,
        query_forecaster_network_regret,
    ),
    (
        "GetOneInForecasterNetworkRegret",
        q.GetOneInForecasterNetworkRegretRequest,
        query_one_in_forecaster_network_regret,
    ),
    (
        "GetNaiveInfererNetworkRegret",
        q.GetNaiveInfererNetworkRegretRequest,
        query_naive_inferer_network_regret,
    ),
    (
        "GetOneOutInfererInfererNetworkRegret",
        q.GetOneOutInfererInfererNetworkRegretRequest,
        query_one_out_inferer_inferer_network_regret,
    ),
    (
        "GetOneOutInfererForecasterNetworkRegret",
        q.GetOneOutInfererForecasterNetworkRegretRequest,
        query_one_out_inferer_forecaster_network_regret,
    ),
    (
        "GetOneOutForecasterInfererNetworkRegret",
        q.GetOneOutForecasterInfererNetworkRegretRequest,
        query_one_out_forecaster_inferer_network_regret,
    ),
    (
        "GetOneOutForecasterForecasterNetworkRegret",
        q.GetOneOutForecasterForecasterNetworkRegretRequest,
        query_one_out_forecaster_forecaster_network_regret,
    ),
)

QUERY_ROUTES: Final[tuple[QueryHandler[Any, Any], ...]] = tuple(
    build_query_route(method, request_type, handle) for method, request_type, handle in _ROUTES
)
"""The §4.6 query routes."""
