"""Queries of the staking module (``cosmos.staking.v1beta1.Query``).

LegacyDec fields (shares, rates) are the integer text of units, as the SDK's protobuf form
(:mod:`pyallora.core.legacy_dec`). Malformed addresses are ``sdk`` InvalidRequest
(18); a missing validator is staking 3, a missing delegation staking 19, a missing unbonding
delegation staking 26. Pagination requests are accepted and ignored (every match is
returned, ``pagination.total`` is the count).
"""

from __future__ import annotations

from cosmpy.protos.cosmos.base.query.v1beta1 import pagination_pb2
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.crypto.ed25519 import keys_pb2 as ed25519_keys
from cosmpy.protos.cosmos.staking.v1beta1 import query_pb2 as staking_query
from cosmpy.protos.cosmos.staking.v1beta1 import staking_pb2
from google.protobuf import any_pb2, duration_pb2, timestamp_pb2

from pyallora.chain.context import QueryContext
from pyallora.chain.staking.errors import (
    NoDelegationError,
    NoUnbondingDelegationError,
    ValidatorNotFoundError,
)
from pyallora.chain.staking.msgs import ED25519_PUBKEY_TYPE_URL
from pyallora.chain.staking.params import NANOS_PER_SECOND
from pyallora.chain.staking.state import (
    get_bonded_tokens,
    get_delegation,
    get_not_bonded_tokens,
    get_params,
    get_unbonding_entries,
    get_validator,
    iterate_delegator_delegations,
    iterate_redelegations,
    iterate_unbonding_delegations,
    iterate_validator_delegators,
    iterate_validators,
)
from pyallora.chain.staking.types import (
    BondStatus,
    RedelegationEntry,
    UnbondingEntry,
    Validator,
)
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import InvalidRequestError
from pyallora.core.amounts import DENOM
from pyallora.core.crypto import ACCOUNT_PREFIX, VALOPER_PREFIX, CryptoError, validate_address


def _check_address(address: str, prefix: str, what: str) -> None:
    if not address:
        raise InvalidRequestError(f"{what} address cannot be empty")
    try:
        validate_address(address, prefix=prefix)
    except CryptoError as exc:
        raise InvalidRequestError(f"invalid {what} address: {exc}") from exc


def _timestamp(time_ns: int) -> timestamp_pb2.Timestamp:
    seconds, nanos = divmod(time_ns, NANOS_PER_SECOND)
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)


def _page(count: int) -> pagination_pb2.PageResponse:
    return pagination_pb2.PageResponse(total=count)


def compute_validator_proto(validator: Validator) -> staking_pb2.Validator:
    """The ``cosmos.staking.v1beta1.Validator`` of a validator record."""
    key = ed25519_keys.PubKey(key=validator.consensus_pubkey)
    return staking_pb2.Validator(
        operator_address=validator.operator_address,
        consensus_pubkey=any_pb2.Any(
            type_url=ED25519_PUBKEY_TYPE_URL, value=key.SerializeToString(deterministic=True)
        ),
        jailed=validator.jailed,
        status=int(validator.status),
        tokens=str(validator.tokens),
        delegator_shares=str(validator.delegator_shares),
        description=staking_pb2.Description(
            moniker=validator.description.moniker,
            identity=validator.description.identity,
            website=validator.description.website,
            security_contact=validator.description.security_contact,
            details=validator.description.details,
        ),
        unbonding_height=validator.unbonding_height,
        unbonding_time=_timestamp(validator.unbonding_time_ns),
        commission=staking_pb2.Commission(
            commission_rates=staking_pb2.CommissionRates(
                rate=str(validator.commission.rate),
                max_rate=str(validator.commission.max_rate),
                max_change_rate=str(validator.commission.max_change_rate),
            ),
            update_time=_timestamp(validator.commission.update_time_ns),
        ),
        min_self_delegation=str(validator.min_self_delegation),
    )


def _require_validator(store: ReadableKVStore, operator: str) -> Validator:
    _check_address(operator, VALOPER_PREFIX, "validator")
    validator = get_validator(store, operator)
    if validator is None:
        raise ValidatorNotFoundError(f"validator {operator} not found")
    return validator


def _delegation_response(
    delegator: str, validator: Validator, shares: int
) -> staking_pb2.DelegationResponse:
    return staking_pb2.DelegationResponse(
        delegation=staking_pb2.Delegation(
            delegator_address=delegator,
            validator_address=validator.operator_address,
            shares=str(shares),
        ),
        balance=coin_pb2.Coin(
            denom=DENOM, amount=str(validator.compute_tokens_from_shares(shares))
        ),
    )


def _unbonding_proto(
    delegator: str, operator: str, entries: tuple[UnbondingEntry, ...]
) -> staking_pb2.UnbondingDelegation:
    return staking_pb2.UnbondingDelegation(
        delegator_address=delegator,
        validator_address=operator,
        entries=[
            staking_pb2.UnbondingDelegationEntry(
                creation_height=entry.creation_height,
                completion_time=_timestamp(entry.completion_time_ns),
                initial_balance=str(entry.initial_balance),
                balance=str(entry.balance),
            )
            for entry in entries
        ],
    )


def _redelegation_entry_proto(entry: RedelegationEntry) -> staking_pb2.RedelegationEntry:
    return staking_pb2.RedelegationEntry(
        creation_height=entry.creation_height,
        completion_time=_timestamp(entry.completion_time_ns),
        initial_balance=str(entry.initial_balance),
        shares_dst=str(entry.shares_dst),
    )


_STATUS_FILTERS = {
    "": None,
    "BOND_STATUS_UNBONDED": BondStatus.UNBONDED,
    "BOND_STATUS_UNBONDING": BondStatus.UNBONDING,
    "BOND_STATUS_BONDED": BondStatus.BONDED,
}


def query_validators(
    ctx: QueryContext, store: ReadableKVStore, request: staking_query.QueryValidatorsRequest
) -> staking_query.QueryValidatorsResponse:
    """``Validators``: every validator, optionally of one status (operator order).

    Raises
    ------
    InvalidRequestError
        For an unknown status filter.
    """
    if request.status not in _STATUS_FILTERS:
        raise InvalidRequestError(
            f"invalid validator status {request.status[:40]!r}; use BOND_STATUS_BONDED, "
            "BOND_STATUS_UNBONDING or BOND_STATUS_UNBONDED"
        )
    wanted = _STATUS_FILTERS[request.status]
    found = [
        compute_validator_proto(validator)
        for validator in iterate_validators(store)
        if wanted is None or validator.status == wanted
    ]
    return staking_query.QueryValidatorsResponse(validators=found, pagination=_page(len(found)))


def query_validator(
    ctx: QueryContext, store: ReadableKVStore, request: staking_query.QueryValidatorRequest
) -> staking_query.QueryValidatorResponse:
    """``Validator``: one validator (staking 3 when missing)."""
    validator = _require_validator(store, request.validator_addr)
    return staking_query.QueryValidatorResponse(validator=compute_validator_proto(validator))


def query_validator_delegations(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: staking_query.QueryValidatorDelegationsRequest,
) -> staking_query.QueryValidatorDelegationsResponse:
    """``ValidatorDelegations``: every delegation to one validator (delegator order)."""
    validator = _require_validator(store, request.validator_addr)
    responses = []
    for delegator in iterate_validator_delegators(store, validator.operator_address):
        shares = get_delegation(store, delegator, validator.operator_address) or 0
        responses.append(_delegation_response(delegator, validator, shares))
    return staking_query.QueryValidatorDelegationsResponse(
        delegation_responses=responses, pagination=_page(len(responses))
    )


def query_delegation(
    ctx: QueryContext, store: ReadableKVStore, request: staking_query.QueryDelegationRequest
) -> staking_query.QueryDelegationResponse:
    """``Delegation``: one delegation and its value in uallo (staking 19 when missing)."""
    _check_address(request.delegator_addr, ACCOUNT_PREFIX, "delegator")
    validator = _require_validator(store, request.validator_addr)
    shares = get_delegation(store, request.delegator_addr, request.validator_addr)
    if shares is None:
        raise NoDelegationError(
            f"delegation with delegator {request.delegator_addr} not found for validator "
            f"{request.validator_addr}"
        )
    return staking_query.QueryDelegationResponse(
        delegation_response=_delegation_response(request.delegator_addr, validator, shares)
    )


def query_delegator_delegations(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: staking_query.QueryDelegatorDelegationsRequest,
) -> staking_query.QueryDelegatorDelegationsResponse:
    """``DelegatorDelegations``: every delegation of one delegator (operator order)."""
    _check_address(request.delegator_addr, ACCOUNT_PREFIX, "delegator")
    responses = []
    for operator, shares in iterate_delegator_delegations(store, request.delegator_addr):
        validator = get_validator(store, operator)
        if validator is not None:
            responses.append(_delegation_response(request.delegator_addr, validator, shares))
    return staking_query.QueryDelegatorDelegationsResponse(
        delegation_responses=responses, pagination=_page(len(responses))
    )


def query_unbonding_delegation(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: staking_query.QueryUnbondingDelegationRequest,
) -> staking_query.QueryUnbondingDelegationResponse:
    """``UnbondingDelegation``: the entries of one pair (staking 26 when none)."""
    _check_address(request.delegator_addr, ACCOUNT_PREFIX, "delegator")
    _check_address(request.validator_addr, VALOPER_PREFIX, "validator")
    entries = get_unbonding_entries(store, request.delegator_addr, request.validator_addr)
    if not entries:
        raise NoUnbondingDelegationError(
            f"unbonding delegation with delegator {request.delegator_addr} not found for "
            f"validator {request.validator_addr}"
        )
    return staking_query.QueryUnbondingDelegationResponse(
        unbond=_unbonding_proto(request.delegator_addr, request.validator_addr, entries)
    )


def query_delegator_unbonding_delegations(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: staking_query.QueryDelegatorUnbondingDelegationsRequest,
) -> staking_query.QueryDelegatorUnbondingDelegationsResponse:
    """``DelegatorUnbondingDelegations``: every unbonding of one delegator."""
    _check_address(request.delegator_addr, ACCOUNT_PREFIX, "delegator")
    found = [
        _unbonding_proto(delegator, operator, entries)
        for delegator, operator, entries in iterate_unbonding_delegations(
            store, delegator=request.delegator_addr
        )
    ]
    return staking_query.QueryDelegatorUnbondingDelegationsResponse(
        unbonding_responses=found, pagination=_page(len(found))
    )


def query_redelegations(
    ctx: QueryContext, store: ReadableKVStore, request: staking_query.QueryRedelegationsRequest
) -> staking_query.QueryRedelegationsResponse:
    """``Redelegations``: the redelegations of one delegator, optionally filtered by source
    and destination."""
    _check_address(request.delegator_addr, ACCOUNT_PREFIX, "delegator")
    found = []
    for delegator, src, dst, entries in iterate_redelegations(
        store, delegator=request.delegator_addr
    ):
        if request.src_validator_addr and src != request.src_validator_addr:
            continue
        if request.dst_validator_addr and dst != request.dst_validator_addr:
            continue
        destination = get_validator(store, dst)
        found.append(
            staking_pb2.RedelegationResponse(
                redelegation=staking_pb2.Redelegation(
                    delegator_address=delegator,
                    validator_src_address=src,
                    validator_dst_address=dst,
                    entries=[_redelegation_entry_proto(entry) for entry in entries],
                ),
                entries=[
                    staking_pb2.RedelegationEntryResponse(
                        redelegation_entry=_redelegation_entry_proto(entry),
                        balance=str(
                            0
                            if destination is None
                            else destination.compute_tokens_from_shares(entry.shares_dst)
                        ),
                    )
                    for entry in entries
                ],
            )
        )
    return staking_query.QueryRedelegationsResponse(
        redelegation_responses=found, pagination=_page(len(found))
    )


def query_params(
    ctx: QueryContext, store: ReadableKVStore, request: staking_query.QueryParamsRequest
) -> staking_query.QueryParamsResponse:
    """``Params`` (``power_reduction`` is a pyallora extension and not in the response)."""
    params = get_params(store)
    return staking_query.QueryParamsResponse(
        params=staking_pb2.Params(
            unbonding_time=duration_pb2.Duration(seconds=params.unbonding_time_s),
            max_validators=params.max_validators,
            max_entries=params.max_entries,
            historical_entries=params.historical_entries,
            bond_denom=params.bond_denom,
            min_commission_rate=str(params.min_commission_rate),
        )
    )


def query_pool(
    ctx: QueryContext, store: ReadableKVStore, request: staking_query.QueryPoolRequest
) -> staking_query.QueryPoolResponse:
    """``Pool``: the balances of the bonded and not-bonded pools."""
    return staking_query.QueryPoolResponse(
        pool=staking_pb2.Pool(
            not_bonded_tokens=str(get_not_bonded_tokens(store)),
            bonded_tokens=str(get_bonded_tokens(store)),
        )
    )
