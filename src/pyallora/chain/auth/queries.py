"""Queries of the auth module (``cosmos.auth.v1beta1.Query``; INFRA.md §9.2, §9.6 item 6).

Errors follow the SDK's mapping of gRPC status codes to ABCI codes: an invalid argument is
``InvalidRequest`` (18), a missing account ``KeyNotFound`` (22).
"""

from __future__ import annotations

from cosmpy.protos.cosmos.auth.v1beta1 import auth_pb2
from cosmpy.protos.cosmos.auth.v1beta1 import query_pb2 as auth_query

from pyallora.chain.auth.state import (
    MODULE_ADDRESSES,
    Account,
    compute_account_any,
    compute_base_account_proto,
    get_account,
    get_params,
)
from pyallora.chain.context import QueryContext
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import InvalidRequestError, KeyNotFoundError
from pyallora.core.crypto import InvalidAddressError as CryptoAddressError
from pyallora.core.crypto import validate_address


def _get_existing_account(store: ReadableKVStore, address: str) -> Account:
    if not address:
        raise InvalidRequestError("address cannot be empty")
    try:
        validate_address(address)
    except CryptoAddressError as exc:
        raise InvalidRequestError(f"invalid address: {exc}") from exc
    account = get_account(store, address)
    if account is None:
        raise KeyNotFoundError(f"account {address} not found")
    return account


def query_account(
    ctx: QueryContext, store: ReadableKVStore, request: auth_query.QueryAccountRequest
) -> auth_query.QueryAccountResponse:
    """``/cosmos.auth.v1beta1.Query/Account``: the account as ``Any(BaseAccount)``.

    Raises
    ------
    InvalidRequestError
        If the address is empty or malformed.
    KeyNotFoundError
        If no account exists there.
    """
    account = _get_existing_account(store, request.address)
    return auth_query.QueryAccountResponse(account=compute_account_any(account))


def query_account_info(
    ctx: QueryContext, store: ReadableKVStore, request: auth_query.QueryAccountInfoRequest
) -> auth_query.QueryAccountInfoResponse:
    """``/cosmos.auth.v1beta1.Query/AccountInfo``: number, sequence and key as a BaseAccount.

    Raises
    ------
    InvalidRequestError
        If the address is empty or malformed.
    KeyNotFoundError
        If no account exists there.
    """
    account = _get_existing_account(store, request.address)
    return auth_query.QueryAccountInfoResponse(info=compute_base_account_proto(account))


def query_params(
    ctx: QueryContext, store: ReadableKVStore, request: auth_query.QueryParamsRequest
) -> auth_query.QueryParamsResponse:
    """``/cosmos.auth.v1beta1.Query/Params``: the SDK's five auth parameters."""
    params = get_params(store)
    return auth_query.QueryParamsResponse(
        params=auth_pb2.Params(
            max_memo_characters=params.max_memo_characters,
            tx_sig_limit=params.tx_sig_limit,
            tx_size_cost_per_byte=params.tx_size_cost_per_byte,
            sig_verify_cost_ed25519=params.sig_verify_cost_ed25519,
            sig_verify_cost_secp256k1=params.sig_verify_cost_secp256k1,
        )
    )


def query_module_account_by_name(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: auth_query.QueryModuleAccountByNameRequest,
) -> auth_query.QueryModuleAccountByNameResponse:
    """``/cosmos.auth.v1beta1.Query/ModuleAccountByName``.

    Raises
    ------
    KeyNotFoundError
        If there is no module account of that name.
    """
    address = MODULE_ADDRESSES.get(request.name)
    account = None if address is None else get_account(store, address)
    if account is None:
        raise KeyNotFoundError(f"account {request.name} not found")
    return auth_query.QueryModuleAccountByNameResponse(account=compute_account_any(account))
