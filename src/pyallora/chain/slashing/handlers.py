"""Handler of ``MsgUnjail`` (SDK 0.50 ``Keeper.Unjail``)."""

from __future__ import annotations

from cosmpy.protos.cosmos.slashing.v1beta1 import tx_pb2 as slashing_tx

from pyallora.chain.context import Context
from pyallora.chain.slashing.errors import (
    MissingSelfDelegationError,
    NoValidatorForAddressError,
    SelfDelegationTooLowToUnjailError,
    ValidatorNotJailedError,
    ValidatorStillJailedError,
)
from pyallora.chain.slashing.msgs import MsgUnjail
from pyallora.chain.slashing.state import get_signing_info
from pyallora.chain.staking.slash import unjail
from pyallora.chain.staking.state import (
    compute_operator_account,
    get_delegation,
    get_validator,
)
from pyallora.chain.store.kv import KVStore
from pyallora.core.amounts import DENOM
from pyallora.core.crypto import consensus_address


def handle_unjail(ctx: Context, store: KVStore, msg: MsgUnjail) -> slashing_tx.MsgUnjailResponse:
    """``MsgUnjail``.

    Checklist, in the SDK's order: the validator exists (slashing 2); the operator has a
    self-delegation (6) worth at least the minimum self-delegation (7); the validator is
    jailed (5); it is not tombstoned (4) and its jail period is over (4).
    """
    validator = get_validator(store, msg.validator_addr)
    if validator is None:
        raise NoValidatorForAddressError(
            f"address {msg.validator_addr} is not associated with any known validator"
        )
    shares = get_delegation(store, compute_operator_account(msg.validator_addr), msg.validator_addr)
    if shares is None:
        raise MissingSelfDelegationError(
            "validator has no self-delegation; cannot be unjailed: self-delegate first"
        )
    tokens = validator.compute_tokens_from_shares(shares)
    if tokens < validator.min_self_delegation:
        raise SelfDelegationTooLowToUnjailError(
            f"self-delegation {tokens}{DENOM} is below the minimum "
            f"{validator.min_self_delegation}{DENOM}; self-delegate the difference first"
        )
    if not validator.jailed:
        raise ValidatorNotJailedError("validator not jailed; cannot be unjailed")
    info = get_signing_info(store, consensus_address(validator.consensus_pubkey))
    if info is not None:
        if info.tombstoned:
            raise ValidatorStillJailedError(
                "validator is tombstoned (double sign) and can never be unjailed; create a new "
                "validator with a new consensus key",
                tombstoned=True,
                jailed_until_ns=info.jailed_until_ns,
            )
        if ctx.time_ns < info.jailed_until_ns:
            raise ValidatorStillJailedError(
                f"validator still jailed until {info.jailed_until_ns} ns (block time "
                f"{ctx.time_ns} ns); retry after the jail period",
                tombstoned=False,
                jailed_until_ns=info.jailed_until_ns,
            )
    unjail(ctx, store, validator)
    return slashing_tx.MsgUnjailResponse()
