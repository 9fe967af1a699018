"""Accounts and balances: thin translations onto the auth and bank queries."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query

from pyallora.core.amounts import DENOM
from pyallora.node.api.deps import (
    ApiError,
    BackendDep,
    check_account_address,
    run_query,
)
from pyallora.node.api.schemas import (
    AccountResponse,
    BalanceResponse,
    BalancesResponse,
    Coin,
    ErrorResponse,
    SupplyResponse,
)

router = APIRouter(
    prefix="/v1", responses={400: {"model": ErrorResponse}, 404: {"model": ErrorResponse}}
)

AUTH_QUERY: Final = "/cosmos.auth.v1beta1.Query/"
BANK_QUERY: Final = "/cosmos.bank.v1beta1.Query/"
_DENOM: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")

AddressPath = Annotated[str, Path(description="An allo1… account address.", max_length=128)]


def _coins(values: Any) -> list[Coin]:
    if not isinstance(values, list):
        return []
    return [
        Coin(denom=str(coin.get("denom", "")), amount=str(coin.get("amount", "0")))
        for coin in values
        if isinstance(coin, dict)
    ]


def _pub_key_hex(value: Any) -> str | None:
    if not isinstance(value, dict) or not value.get("key"):
        return None
    try:
        return base64.b64decode(str(value["key"]), validate=True).hex()
    except (binascii.Error, ValueError):
        return None


@router.get("/accounts/{address}", response_model=AccountResponse, summary="An account")
async def get_account(address: AddressPath, backend: BackendDep) -> AccountResponse:
    """Account number, sequence and public key (404 if the account does not exist)."""
    check_account_address(address)
    answer = await run_query(backend, AUTH_QUERY + "AccountInfo", {"address": address})
    info = answer.get("info") or {}
    return AccountResponse(
        address=str(info.get("address", address)),
        account_number=int(info.get("account_number") or 0),
        sequence=int(info.get("sequence") or 0),
        pub_key=_pub_key_hex(info.get("pub_key")),
    )


@router.get("/accounts/{address}/balance", response_model=BalanceResponse, summary="A balance")
async def get_balance(
    address: AddressPath,
    backend: BackendDep,
    denom: Annotated[str, Query(max_length=128, description="Denomination.")] = DENOM,
) -> BalanceResponse:
    """The balance of one denomination (0 when the address holds none)."""
    check_account_address(address)
    if not _DENOM.fullmatch(denom):
        raise ApiError(400, f"invalid denom {denom[:80]!r}")
    answer = await run_query(backend, BANK_QUERY + "Balance", {"address": address, "denom": denom})
    balance = answer.get("balance") or {}
    return BalanceResponse(address=address, denom=denom, amount=str(balance.get("amount") or "0"))


@router.get("/accounts/{address}/balances", response_model=BalancesResponse, summary="All balances")
async def get_balances(address: AddressPath, backend: BackendDep) -> BalancesResponse:
    """Every non-zero balance of the address."""
    check_account_address(address)
    answer = await run_query(backend, BANK_QUERY + "AllBalances", {"address": address})
    return BalancesResponse(address=address, balances=_coins(answer.get("balances")))


@router.get("/supply", response_model=SupplyResponse, summary="Total supply")
async def get_supply(backend: BackendDep) -> SupplyResponse:
    """The total supply of every denomination."""
    answer = await run_query(backend, BANK_QUERY + "TotalSupply", {})
    return SupplyResponse(supply=_coins(answer.get("supply")))
