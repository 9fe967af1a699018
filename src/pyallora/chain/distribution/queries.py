"""Queries of the distribution module (``cosmos.distribution.v1beta1.Query``).

Amounts are ``DecCoin``s whose amount is a LegacyDec in protobuf form (integer text of
10^-18 uallo): delegation rewards show their exact fractional value (withdrawals pay the
whole uallo part); commission, outstanding rewards and the community pool are whole uallo.
Malformed addresses are ``sdk`` InvalidRequest (18); an unknown validator is staking 3 and a
missing delegation staking 19.
"""

from __future__ import annotations

from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.distribution.v1beta1 import distribution_pb2
from cosmpy.protos.cosmos.distribution.v1beta1 import query_pb2 as distribution_query

from pyallora.chain.context import QueryContext
from pyallora.chain.distribution.rewards import compute_pending_rewards_units
from pyallora.chain.distribution.state import (
    get_commission,
    get_community_pool,
    get_outstanding,
    get_params,
    get_withdraw_address,
)
from pyallora.chain.staking.errors import NoDelegationError, ValidatorNotFoundError
from pyallora.chain.staking.state import (
    get_delegation,
    get_validator,
    iterate_delegator_delegations,
)
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import InvalidRequestError
from pyallora.core.amounts import DENOM
from pyallora.core.crypto import ACCOUNT_PREFIX, VALOPER_PREFIX, CryptoError, validate_address
from pyallora.core.legacy_dec import ONE


def _check(address: str, prefix: str, what: str) -> None:
    if not address:
        raise InvalidRequestError(f"empty {what} address")
    try:
        validate_address(address, prefix=prefix)
    except CryptoError as exc:
        raise InvalidRequestError(f"invalid {what} address: {exc}") from exc


def _dec_coins(units: int) -> list[coin_pb2.DecCoin]:
    return [coin_pb2.DecCoin(denom=DENOM, amount=str(units))] if units else []


def _require_validator(store: ReadableKVStore, operator: str) -> None:
    _check(operator, VALOPER_PREFIX, "validator")
    if get_validator(store, operator) is None:
        raise ValidatorNotFoundError(f"validator {operator} does not exist")


def query_params(
    ctx: QueryContext, store: ReadableKVStore, request: distribution_query.QueryParamsRequest
) -> distribution_query.QueryParamsResponse:
    """``Params``."""
    params = get_params(store)
    return distribution_query.QueryParamsResponse(
        params=distribution_pb2.Params(
            community_tax=str(params.community_tax),
            base_proposer_reward=str(params.base_proposer_reward),
            bonus_proposer_reward=str(params.bonus_proposer_reward),
            withdraw_addr_enabled=params.withdraw_addr_enabled,
        )
    )


def query_delegation_rewards(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: distribution_query.QueryDelegationRewardsRequest,
) -> distribution_query.QueryDelegationRewardsResponse:
    """``DelegationRewards``: a delegation's pending rewards (exact, fractional)."""
    _check(request.delegator_address, ACCOUNT_PREFIX, "delegator")
    _require_validator(store, request.validator_address)
    if get_delegation(store, request.delegator_address, request.validator_address) is None:
        raise NoDelegationError(
            f"no delegation from {request.delegator_address} to {request.validator_address}"
        )
    units = compute_pending_rewards_units(
        store, request.delegator_address, request.validator_address
    )
    return distribution_query.QueryDelegationRewardsResponse(rewards=_dec_coins(units))


def query_delegation_total_rewards(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: distribution_query.QueryDelegationTotalRewardsRequest,
) -> distribution_query.QueryDelegationTotalRewardsResponse:
    """``DelegationTotalRewards``: pending rewards of every delegation of a delegator."""
    _check(request.delegator_address, ACCOUNT_PREFIX, "delegator")
    rewards = []
    total = 0
    for operator, _ in iterate_delegator_delegations(store, request.delegator_address):
        units = compute_pending_rewards_units(store, request.delegator_address, operator)
        total += units
        rewards.append(
            distribution_pb2.DelegationDelegatorReward(
                validator_address=operator, reward=_dec_coins(units)
            )
        )
    return distribution_query.QueryDelegationTotalRewardsResponse(
        rewards=rewards, total=_dec_coins(total)
    )


def query_validator_commission(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: distribution_query.QueryValidatorCommissionRequest,
) -> distribution_query.QueryValidatorCommissionResponse:
    """``ValidatorCommission``: the accumulated commission."""
    _require_validator(store, request.validator_address)
    units = get_commission(store, request.validator_address) * ONE
    return distribution_query.QueryValidatorCommissionResponse(
        commission=distribution_pb2.ValidatorAccumulatedCommission(commission=_dec_coins(units))
    )


def query_validator_outstanding_rewards(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: distribution_query.QueryValidatorOutstandingRewardsRequest,
) -> distribution_query.QueryValidatorOutstandingRewardsResponse:
    """``ValidatorOutstandingRewards``: commission plus the delegators' unclaimed rewards."""
    _require_validator(store, request.validator_address)
    operator = request.validator_address
    units = (get_commission(store, operator) + get_outstanding(store, operator)) * ONE
    return distribution_query.QueryValidatorOutstandingRewardsResponse(
        rewards=distribution_pb2.ValidatorOutstandingRewards(rewards=_dec_coins(units))
    )


def query_community_pool(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: distribution_query.QueryCommunityPoolRequest,
) -> distribution_query.QueryCommunityPoolResponse:
    """``CommunityPool``."""
    return distribution_query.QueryCommunityPoolResponse(
        pool=_dec_coins(get_community_pool(store) * ONE)
    )


def query_delegator_withdraw_address(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: distribution_query.QueryDelegatorWithdrawAddressRequest,
) -> distribution_query.QueryDelegatorWithdrawAddressResponse:
    """``DelegatorWithdrawAddress``."""
    _check(request.delegator_address, ACCOUNT_PREFIX, "delegator")
    return distribution_query.QueryDelegatorWithdrawAddressResponse(
        withdraw_address=get_withdraw_address(store, request.delegator_address)
    )
