"""Staking, distribution, mint and module parameters: thin translations onto the modules'
queries (404 while a module is not part of the node's application)."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from fastapi import APIRouter, Path

from pyallora.node.api.backend import Backend
from pyallora.node.api.deps import (
    BackendDep,
    Page,
    PageDep,
    check_account_address,
    check_valoper_address,
    run_query,
)
from pyallora.node.api.schemas import ErrorResponse, QueryResult

router = APIRouter(
    prefix="/v1", responses={400: {"model": ErrorResponse}, 404: {"model": ErrorResponse}}
)

STAKING_QUERY: Final = "/cosmos.staking.v1beta1.Query/"
DISTRIBUTION_QUERY: Final = "/cosmos.distribution.v1beta1.Query/"
MINT_QUERY: Final = "/mint.v1beta1.Query/"

PARAMS_PATHS: Final = {
    "auth": "/cosmos.auth.v1beta1.Query/Params",
    "bank": "/cosmos.bank.v1beta1.Query/Params",
    "staking": STAKING_QUERY + "Params",
    "distribution": DISTRIBUTION_QUERY + "Params",
    "slashing": "/cosmos.slashing.v1beta1.Query/Params",
    "mint": MINT_QUERY + "Params",
    "emissions": "/emissions.v5.QueryService/GetParams",
}
"""Module name -> its params query."""

Module = Literal["auth", "bank", "staking", "distribution", "slashing", "mint", "emissions"]
ValoperPath = Annotated[str, Path(description="An allovaloper1… address.", max_length=128)]
AddressPath = Annotated[str, Path(description="An allo1… address.", max_length=128)]


async def _result(backend: Backend, path: str, request: dict[str, object]) -> QueryResult:
    answer = await run_query(backend, path, request)
    return QueryResult(height=backend.info().last_block_height, result=answer)


def _pagination(page: Page) -> dict[str, object]:
    return {"pagination": {"limit": str(page.limit), "offset": str(page.offset)}}


@router.get("/params/{module}", response_model=QueryResult, summary="A module's parameters")
async def get_params(module: Module, backend: BackendDep) -> QueryResult:
    """The parameters of ``module``."""
    return await _result(backend, PARAMS_PATHS[module], {})


@router.get("/staking/validators/{validator}", response_model=QueryResult, summary="A validator")
async def get_staking_validator(validator: ValoperPath, backend: BackendDep) -> QueryResult:
    """The staking module's record of one validator."""
    check_valoper_address(validator)
    return await _result(backend, STAKING_QUERY + "Validator", {"validator_addr": validator})


@router.get(
    "/staking/validators/{validator}/delegations",
    response_model=QueryResult,
    summary="Delegations to a validator",
)
async def get_validator_delegations(
    validator: ValoperPath, backend: BackendDep, page: PageDep
) -> QueryResult:
    """Delegations to one validator (paged)."""
    check_valoper_address(validator)
    return await _result(
        backend,
        STAKING_QUERY + "ValidatorDelegations",
        {"validator_addr": validator, **_pagination(page)},
    )


@router.get(
    "/staking/delegators/{address}/delegations",
    response_model=QueryResult,
    summary="A delegator's delegations",
)
async def get_delegator_delegations(
    address: AddressPath, backend: BackendDep, page: PageDep
) -> QueryResult:
    """Delegations of one delegator (paged)."""
    check_account_address(address)
    return await _result(
        backend,
        STAKING_QUERY + "DelegatorDelegations",
        {"delegator_addr": address, **_pagination(page)},
    )


@router.get(
    "/staking/delegators/{address}/unbonding",
    response_model=QueryResult,
    summary="A delegator's unbonding delegations",
)
async def get_delegator_unbonding(
    address: AddressPath, backend: BackendDep, page: PageDep
) -> QueryResult:
    """Unbonding delegations of one delegator (paged)."""
    check_account_address(address)
    return await _result(
        backend,
        STAKING_QUERY + "DelegatorUnbondingDelegations",
        {"delegator_addr": address, **_pagination(page)},
    )


@router.get(
    "/distribution/delegators/{address}/rewards",
    response_model=QueryResult,
    summary="A delegator's pending staking rewards",
)
async def get_delegator_rewards(address: AddressPath, backend: BackendDep) -> QueryResult:
    """Outstanding rewards of every delegation of the delegator."""
    check_account_address(address)
    return await _result(
        backend, DISTRIBUTION_QUERY + "DelegationTotalRewards", {"delegator_address": address}
    )


@router.get("/mint/emission_info", response_model=QueryResult, summary="Tokenomics state")
async def get_emission_info(backend: BackendDep) -> QueryResult:
    """Supply, emission rate and block emission (PROTOCOL.md §4.7)."""
    return await _result(backend, MINT_QUERY + "EmissionInfo", {})


@router.get("/mint/inflation", response_model=QueryResult, summary="Inflation")
async def get_inflation(backend: BackendDep) -> QueryResult:
    """The current annualised inflation (percent)."""
    return await _result(backend, MINT_QUERY + "Inflation", {})
