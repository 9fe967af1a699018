"""Queries of the bank module (``cosmos.bank.v1beta1.Query``).

Bad arguments are ``InvalidRequest`` (18), as the SDK maps gRPC ``InvalidArgument``.
Pagination requests are accepted and ignored: an account holds at most one denomination.
"""

from __future__ import annotations

import re
from typing import Final

from cosmpy.protos.cosmos.bank.v1beta1 import query_pb2 as bank_query
from cosmpy.protos.cosmos.base.query.v1beta1 import pagination_pb2
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2

from pyallora.chain.bank.state import get_balance, get_supply
from pyallora.chain.context import QueryContext
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import InvalidRequestError
from pyallora.core.amounts import DENOM
from pyallora.core.crypto import CryptoError, validate_address

_DENOM_PATTERN: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")
"""The SDK's denomination grammar."""


def _validate_query_address(address: str) -> None:
    if not address:
        raise InvalidRequestError("address cannot be empty")
    try:
        validate_address(address)
    except CryptoError as exc:
        raise InvalidRequestError(f"invalid address: {exc}") from exc


def _validate_denom(denom: str) -> None:
    if not _DENOM_PATTERN.fullmatch(denom):
        raise InvalidRequestError(f"invalid denom: {denom[:130]!r}")


def query_balance(
    ctx: QueryContext, store: ReadableKVStore, request: bank_query.QueryBalanceRequest
) -> bank_query.QueryBalanceResponse:
    """``/cosmos.bank.v1beta1.Query/Balance``: the balance in one denomination (0 if absent).

    Raises
    ------
    InvalidRequestError
        If the address or denomination is malformed.
    """
    _validate_query_address(request.address)
    _validate_denom(request.denom)
    amount = get_balance(store, request.address) if request.denom == DENOM else 0
    return bank_query.QueryBalanceResponse(
        balance=coin_pb2.Coin(denom=request.denom, amount=str(amount))
    )


def query_all_balances(
    ctx: QueryContext, store: ReadableKVStore, request: bank_query.QueryAllBalancesRequest
) -> bank_query.QueryAllBalancesResponse:
    """``/cosmos.bank.v1beta1.Query/AllBalances``: every non-zero balance (at most uallo).

    Raises
    ------
    InvalidRequestError
        If the address is malformed.
    """
    _validate_query_address(request.address)
    amount = get_balance(store, request.address)
    coins = [coin_pb2.Coin(denom=DENOM, amount=str(amount))] if amount else []
    return bank_query.QueryAllBalancesResponse(
        balances=coins, pagination=pagination_pb2.PageResponse(total=len(coins))
    )


def query_total_supply(
    ctx: QueryContext, store: ReadableKVStore, request: bank_query.QueryTotalSupplyRequest
) -> bank_query.QueryTotalSupplyResponse:
    """``/cosmos.bank.v1beta1.Query/TotalSupply``."""
    supply = get_supply(store)
    coins = [coin_pb2.Coin(denom=DENOM, amount=str(supply))] if supply else []
    return bank_query.QueryTotalSupplyResponse(
        supply=coins, pagination=pagination_pb2.PageResponse(total=len(coins))
    )


def query_supply_of(
    ctx: QueryContext, store: ReadableKVStore, request: bank_query.QuerySupplyOfRequest
) -> bank_query.QuerySupplyOfResponse:
    """``/cosmos.bank.v1beta1.Query/SupplyOf``: the supply of one denomination.

    Raises
    ------
    InvalidRequestError
        If the denomination is malformed.
    """
    _validate_denom(request.denom)
    amount = get_supply(store) if request.denom == DENOM else 0
    return bank_query.QuerySupplyOfResponse(
        amount=coin_pb2.Coin(denom=request.denom, amount=str(amount))
    )
