"""Handlers of the staking messages (SDK 0.50 ``msgServer``; PROTOCOL.md §3.18).

Every handler takes the staking hooks as a keyword argument; the module binds them
(:class:`~pyallora.chain.staking.module.StakingModule`). Each begins with its stateful
checklist; a failing check raises before anything is written (and the application drops the
message's writes on any failure anyway).
"""

from __future__ import annotations

from dataclasses import replace

from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as staking_tx
from google.protobuf import timestamp_pb2

from pyallora.chain.context import Context
from pyallora.chain.events import make_event
from pyallora.chain.staking.delegation import (
    TokenSource,
    compute_unbond_shares,
    delegate,
    move_between_pools,
    require_validator,
    unbond,
)
from pyallora.chain.staking.errors import (
    BadRedelegationDstError,
    CommissionGTMaxChangeRateError,
    CommissionGTMaxRateError,
    CommissionLTMinRateError,
    CommissionUpdateTimeError,
    MaxRedelegationEntriesError,
    MaxUnbondingDelegationEntriesError,
    MinSelfDelegationDecreasedError,
    NoUnbondingDelegationError,
    SelfDelegationBelowMinimumError,
    SelfRedelegationError,
    TinyRedelegationAmountError,
    TransitiveRedelegationError,
    ValidatorJailedError,
    ValidatorOwnerExistsError,
    ValidatorPubKeyExistsError,
    ValidatorPubKeyTypeNotSupportedError,
)
from pyallora.chain.staking.hooks import StakingHooks
from pyallora.chain.staking.msgs import (
    DO_NOT_MODIFY,
    ED25519_PUBKEY_TYPE_URL,
    MsgBeginRedelegate,
    MsgCancelUnbondingDelegation,
    MsgCreateValidator,
    MsgDelegate,
    MsgEditValidator,
    MsgUndelegate,
    validate_description,
)
from pyallora.chain.staking.params import NANOS_PER_SECOND
from pyallora.chain.staking.state import (
    compute_operator_account,
    get_params,
    get_redelegation_entries,
    get_unbonding_entries,
    get_validator,
    get_validator_by_consensus_address,
    has_receiving_redelegation,
    set_redelegation_entries,
    set_unbonding_entries,
    set_validator,
)
from pyallora.chain.staking.types import (
    BondStatus,
    Commission,
    Description,
    RedelegationEntry,
    UnbondingEntry,
    Validator,
)
from pyallora.chain.store.kv import KVStore
from pyallora.chain.tx.errors import InvalidRequestError
from pyallora.core.amounts import DENOM
from pyallora.core.crypto import consensus_address
from pyallora.core.legacy_dec import format_legacy_dec_json

COMMISSION_UPDATE_INTERVAL_NS = 24 * 3600 * NANOS_PER_SECOND
"""A validator may change its commission rate once per 24 hours of block time."""


def _timestamp(time_ns: int) -> timestamp_pb2.Timestamp:
    seconds, nanos = divmod(time_ns, NANOS_PER_SECOND)
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)


def create_validator(
    ctx: Context,
    store: KVStore,
    hooks: StakingHooks,
    *,
    operator: str,
    consensus_pubkey: bytes,
    description: Description,
    commission: Commission,
    min_self_delegation: int,
    self_delegation: int,
) -> Validator:
    """Create a validator and its self-delegation (tokens from the operator's account).

    The caller has validated the inputs statelessly (``MsgCreateValidator.validate_basic``).

    Raises
    ------
    ValidatorOwnerExistsError, ValidatorPubKeyExistsError
        The operator or the consensus key is already a validator's (staking 4, 5).
    CommissionLTMinRateError
        The rate is below the chain's minimum (staking 40).
    InvalidRequestError
        A description field is too long.
    InsufficientFundsError
        The operator cannot pay the self-delegation.
    """
    params = get_params(store)
    if get_validator(store, operator) is not None:
        raise ValidatorOwnerExistsError(
            f"validator {operator} already exists; use MsgEditValidator or another operator"
        )
    if get_validator_by_consensus_address(store, consensus_address(consensus_pubkey)) is not None:
        raise ValidatorPubKeyExistsError(
            "a validator already uses this consensus public key; generate a new one"
        )
    validate_description(description)
    if commission.rate < params.min_commission_rate:
        raise CommissionLTMinRateError(
            f"commission rate {format_legacy_dec_json(commission.rate)} is below the minimum "
            f"{format_legacy_dec_json(params.min_commission_rate)}"
        )
    validator = Validator(
        operator_address=operator,
        consensus_pubkey=consensus_pubkey,
        status=BondStatus.UNBONDED,
        description=description,
        commission=replace(commission, update_time_ns=ctx.time_ns),
        min_self_delegation=min_self_delegation,
    )
    set_validator(store, validator)
    hooks.after_validator_created(ctx, store, validator)
    validator, _ = delegate(
        ctx,
        store,
        hooks,
        delegator=compute_operator_account(operator),
        validator=validator,
        amount=self_delegation,
        source=TokenSource.ACCOUNT,
    )
    ctx.events.emit(
        make_event(
            "create_validator",
            (("validator", operator), ("amount", f"{self_delegation}{DENOM}")),
        )
    )
    return validator


def handle_create_validator(
    ctx: Context, store: KVStore, msg: MsgCreateValidator, *, hooks: StakingHooks
) -> staking_tx.MsgCreateValidatorResponse:
    """``MsgCreateValidator``: checklist of :func:`create_validator` plus the key type.

    Raises
    ------
    ValidatorPubKeyTypeNotSupportedError
        The consensus key is not ed25519 (staking 6).
    """
    if msg.pubkey_type_url != ED25519_PUBKEY_TYPE_URL:
        raise ValidatorPubKeyTypeNotSupportedError(
            f"consensus key type {msg.pubkey_type_url} is not supported; use "
            f"{ED25519_PUBKEY_TYPE_URL}"
        )
    create_validator(
        ctx,
        store,
        hooks,
        operator=msg.validator_address,
        consensus_pubkey=msg.pubkey,
        description=msg.description,
        commission=msg.commission,
        min_self_delegation=msg.min_self_delegation,
        self_delegation=msg.amount,
    )
    return staking_tx.MsgCreateValidatorResponse()


def _merge_description(current: Description, update: Description) -> Description:
    def pick(new: str, old: str) -> str:
        return old if new == DO_NOT_MODIFY else new

    return Description(
        moniker=pick(update.moniker, current.moniker),
        identity=pick(update.identity, current.identity),
        website=pick(update.website, current.website),
        security_contact=pick(update.security_contact, current.security_contact),
        details=pick(update.details, current.details),
    )


def handle_edit_validator(
    ctx: Context, store: KVStore, msg: MsgEditValidator, *, hooks: StakingHooks
) -> staking_tx.MsgEditValidatorResponse:
    """``MsgEditValidator``.

    Checklist: the validator exists (staking 3); the merged description fits the limits
    (``sdk`` 18); a new rate: not within 24 h of the last change (12), ≤ max rate (11),
    changes by ≤ max change rate (15), ≥ the chain minimum (40); a new minimum
    self-delegation: larger than the current one (17) and ≤ the validator's tokens (16).
    """
    validator = require_validator(store, msg.validator_address)
    description = _merge_description(validator.description, msg.description)
    validate_description(description)
    commission = validator.commission
    if msg.commission_rate is not None:
        rate = msg.commission_rate
        if ctx.time_ns - commission.update_time_ns < COMMISSION_UPDATE_INTERVAL_NS:
            raise CommissionUpdateTimeError(
                "commission cannot be changed more than once in 24h; wait until "
                f"{commission.update_time_ns + COMMISSION_UPDATE_INTERVAL_NS} ns"
            )
        if rate > commission.max_rate:
            raise CommissionGTMaxRateError(
                f"commission rate {format_legacy_dec_json(rate)} exceeds the max rate "
                f"{format_legacy_dec_json(commission.max_rate)}"
            )
        if abs(rate - commission.rate) > commission.max_change_rate:
            raise CommissionGTMaxChangeRateError(
                "commission cannot change by more than the max change rate "
                f"{format_legacy_dec_json(commission.max_change_rate)}"
            )
        minimum = get_params(store).min_commission_rate
        if rate < minimum:
            raise CommissionLTMinRateError(
                f"commission rate is below the minimum {format_legacy_dec_json(minimum)}"
            )
        commission = replace(commission, rate=rate, update_time_ns=ctx.time_ns)
    min_self = validator.min_self_delegation
    if msg.min_self_delegation is not None:
        if msg.min_self_delegation <= validator.min_self_delegation:
            raise MinSelfDelegationDecreasedError(
                f"minimum self delegation can only be raised above {validator.min_self_delegation}"
            )
        if msg.min_self_delegation > validator.tokens:
            raise SelfDelegationBelowMinimumError(
                f"minimum self delegation {msg.min_self_delegation} exceeds the validator's "
                f"tokens {validator.tokens}"
            )
        min_self = msg.min_self_delegation
    set_validator(
        store,
        replace(
            validator,
            description=description,
            commission=commission,
            min_self_delegation=min_self,
        ),
    )
    ctx.events.emit(make_event("edit_validator", (("validator", msg.validator_address),)))
    return staking_tx.MsgEditValidatorResponse()


def handle_delegate(
    ctx: Context, store: KVStore, msg: MsgDelegate, *, hooks: StakingHooks
) -> staking_tx.MsgDelegateResponse:
    """``MsgDelegate``: the validator exists (staking 3); the delegator can pay (``sdk`` 5).

    Raises
    ------
    ValidatorNotFoundError, DelegatorShareExRateInvalidError, InsufficientFundsError
        See :func:`~pyallora.chain.staking.delegation.delegate`.
    """
    validator = require_validator(store, msg.validator_address)
    _, issued = delegate(
        ctx,
        store,
        hooks,
        delegator=msg.delegator_address,
        validator=validator,
        amount=msg.value,
        source=TokenSource.ACCOUNT,
    )
    ctx.events.emit(
        make_event(
            "delegate",
            (
                ("validator", msg.validator_address),
                ("delegator", msg.delegator_address),
                ("amount", f"{msg.value}{DENOM}"),
                ("new_shares", format_legacy_dec_json(issued)),
            ),
        )
    )
    return staking_tx.MsgDelegateResponse()


def _add_unbonding_entry(
    entries: tuple[UnbondingEntry, ...], entry: UnbondingEntry
) -> tuple[UnbondingEntry, ...]:
    """Append ``entry``, merging it into an entry of the same height and completion time."""
    merged = list(entries)
    for index, existing in enumerate(merged):
        if (
            existing.creation_height == entry.creation_height
            and existing.completion_time_ns == entry.completion_time_ns
        ):
            merged[index] = replace(
                existing,
                initial_balance=existing.initial_balance + entry.initial_balance,
                balance=existing.balance + entry.balance,
            )
            return tuple(merged)
    merged.append(entry)
    return tuple(merged)


def handle_undelegate(
    ctx: Context, store: KVStore, msg: MsgUndelegate, *, hooks: StakingHooks
) -> staking_tx.MsgUndelegateResponse:
    """``MsgUndelegate``: start an unbonding of ``amount`` uallo.

    Checklist: the validator exists (staking 3); the delegation exists (19) and is worth the
    amount (22); fewer than ``max_entries`` unbonding entries for the pair (27). The tokens
    move to the not-bonded pool and are paid at ``time + unbonding_time``.
    """
    validator = require_validator(store, msg.validator_address)
    shares = compute_unbond_shares(store, validator, msg.delegator_address, msg.value)
    params = get_params(store)
    entries = get_unbonding_entries(store, msg.delegator_address, msg.validator_address)
    if len(entries) >= params.max_entries:
        raise MaxUnbondingDelegationEntriesError(
            f"too many unbonding entries ({len(entries)}) for this delegator and validator; "
            "wait for one to mature"
        )
    was_bonded = validator.is_bonded
    _, amount = unbond(
        ctx,
        store,
        hooks,
        delegator=msg.delegator_address,
        operator=msg.validator_address,
        shares=shares,
    )
    move_between_pools(ctx, store, from_bonded=was_bonded, to_bonded=False, amount=amount)
    completion = ctx.time_ns + params.unbonding_time_ns
    entry = UnbondingEntry(
        creation_height=ctx.height,
        completion_time_ns=completion,
        initial_balance=amount,
        balance=amount,
    )
    set_unbonding_entries(
        store,
        msg.delegator_address,
        msg.validator_address,
        _add_unbonding_entry(
            get_unbonding_entries(store, msg.delegator_address, msg.validator_address), entry
        ),
    )
    ctx.events.emit(
        make_event(
            "unbond",
            (
                ("validator", msg.validator_address),
                ("delegator", msg.delegator_address),
                ("amount", f"{amount}{DENOM}"),
                ("completion_time_ns", str(completion)),
            ),
        )
    )
    return staking_tx.MsgUndelegateResponse(
        completion_time=_timestamp(completion),
        amount=coin_pb2.Coin(denom=DENOM, amount=str(amount)),
    )


def handle_begin_redelegate(
    ctx: Context, store: KVStore, msg: MsgBeginRedelegate, *, hooks: StakingHooks
) -> staking_tx.MsgBeginRedelegateResponse:
    """``MsgBeginRedelegate``: move stake from ``src`` to ``dst`` at once.

    Checklist: the source exists (staking 3) and the delegation is worth the amount (19, 22);
    source ≠ destination (29); the destination exists (31); no immature redelegation *into*
    the source (32); fewer than ``max_entries`` entries (33); the amount is worth at least one
    uallo (30). The source stake stays slashable until the returned completion time (now when
    the source is unbonded, the source's own unbonding end when it is unbonding).
    """
    src = require_validator(store, msg.validator_src_address)
    shares = compute_unbond_shares(store, src, msg.delegator_address, msg.value)
    if msg.validator_src_address == msg.validator_dst_address:
        raise SelfRedelegationError("cannot redelegate to the same validator")
    dst = get_validator(store, msg.validator_dst_address)
    if dst is None:
        raise BadRedelegationDstError(
            f"redelegation destination validator {msg.validator_dst_address} not found"
        )
    if has_receiving_redelegation(store, msg.delegator_address, msg.validator_src_address):
        raise TransitiveRedelegationError(
            "stake redelegated to the source validator is still maturing; wait for it to "
            "complete before redelegating it again"
        )
    params = get_params(store)
    entries = get_redelegation_entries(
        store, msg.delegator_address, msg.validator_src_address, msg.validator_dst_address
    )
    if len(entries) >= params.max_entries:
        raise MaxRedelegationEntriesError(
            f"too many redelegation entries ({len(entries)}) for this pair of validators; "
            "wait for one to mature"
        )
    src_status = src.status
    src_unbonding_time = src.unbonding_time_ns
    _, amount = unbond(
        ctx,
        store,
        hooks,
        delegator=msg.delegator_address,
        operator=msg.validator_src_address,
        shares=shares,
    )
    if amount == 0:
        raise TinyRedelegationAmountError(
            "too few tokens to redelegate (truncates to zero tokens); redelegate more"
        )
    dst = require_validator(store, msg.validator_dst_address)
    _, shares_dst = delegate(
        ctx,
        store,
        hooks,
        delegator=msg.delegator_address,
        validator=dst,
        amount=amount,
        source=TokenSource.BONDED_POOL
        if src_status == BondStatus.BONDED
        else TokenSource.NOT_BONDED_POOL,
    )
    if src_status == BondStatus.BONDED:
        completion = ctx.time_ns + params.unbonding_time_ns
    elif src_status == BondStatus.UNBONDING:
        completion = src_unbonding_time
    else:
        completion = ctx.time_ns
    if completion > ctx.time_ns:
        set_redelegation_entries(
            store,
            msg.delegator_address,
            msg.validator_src_address,
            msg.validator_dst_address,
            (
                *get_redelegation_entries(
                    store,
                    msg.delegator_address,
                    msg.validator_src_address,
                    msg.validator_dst_address,
                ),
                RedelegationEntry(
                    creation_height=ctx.height,
                    completion_time_ns=completion,
                    initial_balance=amount,
                    shares_dst=shares_dst,
                ),
            ),
        )
    ctx.events.emit(
        make_event(
            "redelegate",
            (
                ("source_validator", msg.validator_src_address),
                ("destination_validator", msg.validator_dst_address),
                ("amount", f"{amount}{DENOM}"),
                ("completion_time_ns", str(completion)),
            ),
        )
    )
    return staking_tx.MsgBeginRedelegateResponse(completion_time=_timestamp(completion))


def handle_cancel_unbonding_delegation(
    ctx: Context, store: KVStore, msg: MsgCancelUnbondingDelegation, *, hooks: StakingHooks
) -> staking_tx.MsgCancelUnbondingDelegationResponse:
    """``MsgCancelUnbondingDelegation``: re-delegate (part of) an unbonding entry.

    Checklist: the validator exists (staking 3) and is not jailed (7); an unbonding entry from
    it exists (26) with this creation height (``sdk`` 18), is not yet mature (18) and holds at
    least the amount (18).
    """
    validator = require_validator(store, msg.validator_address)
    if validator.jailed:
        raise ValidatorJailedError(
            "cannot cancel an unbonding from a jailed validator; unjail it first"
        )
    entries = list(get_unbonding_entries(store, msg.delegator_address, msg.validator_address))
    if not entries:
        raise NoUnbondingDelegationError(
            f"no unbonding delegation from {msg.delegator_address} to {msg.validator_address}"
        )
    index = next(
        (i for i, entry in enumerate(entries) if entry.creation_height == msg.creation_height),
        None,
    )
    if index is None:
        raise InvalidRequestError(
            f"unbonding delegation entry is not found at block height {msg.creation_height}"
        )
    entry = entries[index]
    if entry.is_mature(ctx.time_ns):
        raise InvalidRequestError("unbonding delegation is already processed")
    if msg.value > entry.balance:
        raise InvalidRequestError(
            f"amount {msg.value}{DENOM} is greater than the unbonding entry's balance "
            f"{entry.balance}{DENOM}"
        )
    delegate(
        ctx,
        store,
        hooks,
        delegator=msg.delegator_address,
        validator=validator,
        amount=msg.value,
        source=TokenSource.NOT_BONDED_POOL,
    )
    remaining = entry.balance - msg.value
    if remaining == 0:
        del entries[index]
    else:
        entries[index] = replace(
            entry, balance=remaining, initial_balance=entry.initial_balance - msg.value
        )
    set_unbonding_entries(store, msg.delegator_address, msg.validator_address, tuple(entries))
    ctx.events.emit(
        make_event(
            "cancel_unbonding_delegation",
            (
                ("validator", msg.validator_address),
                ("delegator", msg.delegator_address),
                ("amount", f"{msg.value}{DENOM}"),
                ("creation_height", str(msg.creation_height)),
            ),
        )
    )
    return staking_tx.MsgCancelUnbondingDelegationResponse()
