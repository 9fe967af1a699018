"""Downtime and double signing: the slashing begin block (SDK 0.50 ``x/slashing`` and
``x/evidence`` behaviour).

Downtime (:func:`process_validator_signature`, for every vote of the block's
``decided_last_commit``): each validator has a window of ``signed_blocks_window`` blocks; a
vote with ``BLOCK_ID_FLAG_ABSENT`` marks the current window slot as missed (other flags clear
it). Once the validator has been counted for a full window since it was bonded
(``height > start_height + window``) and it has missed more than ``window − min signed``
blocks, it is slashed ``slash_fraction_downtime`` of its stake at ``height − 2`` (the height
whose validator set signed), jailed until ``block time + downtime_jail_duration``, and its
window restarts. Jailed validators are not counted.

Double signing (:func:`process_misbehavior`, for every ``DUPLICATE_VOTE`` evidence): unless the
validator is unknown, unbonded or already tombstoned, it is slashed
``slash_fraction_double_sign`` of its stake at ``infraction height − 1`` with the power the
evidence reports (stake that unbonded or was redelegated since is slashed too), jailed
"forever" (until 9999-12-31) and tombstoned: it can never be unjailed. Light-client-attack
evidence is ignored, as the SDK does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from pyallora.chain.abci_types import (
    BLOCK_ID_FLAG_ABSENT,
    MISBEHAVIOR_DUPLICATE_VOTE,
    CommitInfo,
    Misbehavior,
)
from pyallora.chain.context import Context
from pyallora.chain.events import make_event
from pyallora.chain.slashing.state import (
    SigningInfo,
    clear_missed_blocks,
    get_params,
    get_signing_info,
    is_missed,
    set_missed,
    set_signing_info,
)
from pyallora.chain.staking.hooks import StakingHooks
from pyallora.chain.staking.slash import jail, slash
from pyallora.chain.staking.state import get_validator, get_validator_by_consensus_address
from pyallora.chain.staking.types import BondStatus, Validator
from pyallora.chain.store.kv import KVStore
from pyallora.core.crypto import consensus_address

VALIDATOR_UPDATE_DELAY: Final = 1
"""Blocks between a validator-set change and its effect (the SDK's ``ValidatorUpdateDelay``)."""

DOUBLE_SIGN_JAIL_END_TIME_NS: Final = 253_402_300_799 * 10**9
"""9999-12-31T23:59:59Z: the jail end of a tombstoned validator."""


def process_validator_signature(
    ctx: Context,
    store: KVStore,
    hooks: StakingHooks,
    *,
    cons_address: bytes,
    power: int,
    block_id_flag: int,
) -> None:
    """Count one validator's vote of the last commit (module docstring)."""
    validator = get_validator_by_consensus_address(store, cons_address)
    if validator is None or validator.jailed:
        return
    info = get_signing_info(store, cons_address)
    if info is None:
        return
    params = get_params(store)
    window = params.signed_blocks_window
    index = info.index_offset % window
    missed = block_id_flag == BLOCK_ID_FLAG_ABSENT
    previous = is_missed(store, cons_address, index)
    counter = info.missed_blocks_counter
    if missed and not previous:
        set_missed(store, cons_address, index, True)
        counter += 1
    elif previous and not missed:
        set_missed(store, cons_address, index, False)
        counter -= 1
    info = replace(info, index_offset=info.index_offset + 1, missed_blocks_counter=counter)
    if missed:
        ctx.events.emit(
            make_event(
                "liveness",
                (
                    ("address", validator.operator_address),
                    ("missed_blocks", str(counter)),
                    ("height", str(ctx.height)),
                ),
            )
        )
    if ctx.height > info.start_height + window and counter > params.max_missed_blocks:
        distribution_height = ctx.height - VALIDATOR_UPDATE_DELAY - 1
        slash(
            ctx,
            store,
            hooks,
            cons_address=cons_address,
            infraction_height=distribution_height,
            power=power,
            fraction=params.slash_fraction_downtime,
        )
        current = get_validator(store, validator.operator_address)
        if current is not None and not current.jailed:
            jail(ctx, store, current)
        info = replace(
            info,
            jailed_until_ns=ctx.time_ns + params.downtime_jail_duration_ns,
            missed_blocks_counter=0,
            index_offset=0,
        )
        clear_missed_blocks(store, cons_address)
        ctx.events.emit(
            make_event(
                "slash",
                (
                    ("address", validator.operator_address),
                    ("power", str(power)),
                    ("reason", "missing_signature"),
                    ("jailed", validator.operator_address),
                ),
            )
        )
    set_signing_info(store, cons_address, info)


def process_validator_signatures(
    ctx: Context, store: KVStore, hooks: StakingHooks, commit: CommitInfo
) -> None:
    """Count every vote of the last commit."""
    for vote in commit.votes:
        process_validator_signature(
            ctx,
            store,
            hooks,
            cons_address=vote.validator_address,
            power=vote.power,
            block_id_flag=vote.block_id_flag,
        )


def handle_double_sign(
    ctx: Context, store: KVStore, hooks: StakingHooks, evidence: Misbehavior
) -> bool:
    """Punish one double sign (module docstring); returns whether anything was done."""
    validator = get_validator_by_consensus_address(store, evidence.validator_address)
    if validator is None or validator.status == BondStatus.UNBONDED:
        return False
    info = get_signing_info(store, evidence.validator_address)
    if info is None or info.tombstoned:
        return False
    params = get_params(store)
    slash(
        ctx,
        store,
        hooks,
        cons_address=evidence.validator_address,
        infraction_height=evidence.height - VALIDATOR_UPDATE_DELAY,
        power=evidence.power,
        fraction=params.slash_fraction_double_sign,
    )
    current = get_validator(store, validator.operator_address)
    if current is not None and not current.jailed:
        jail(ctx, store, current)
    set_signing_info(
        store,
        evidence.validator_address,
        replace(info, jailed_until_ns=DOUBLE_SIGN_JAIL_END_TIME_NS, tombstoned=True),
    )
    ctx.events.emit(
        make_event(
            "slash",
            (
                ("address", validator.operator_address),
                ("power", str(evidence.power)),
                ("reason", "double_sign"),
                ("jailed", validator.operator_address),
            ),
        )
    )
    return True


def process_misbehavior(
    ctx: Context, store: KVStore, hooks: StakingHooks, evidence: tuple[Misbehavior, ...]
) -> None:
    """Handle every double-sign evidence of the block, in order."""
    for item in evidence:
        if item.type == MISBEHAVIOR_DUPLICATE_VOTE:
            handle_double_sign(ctx, store, hooks, item)


class SlashingHooks:
    """The slashing side of the staking hooks: a bonded validator gets (or restarts) its
    signing window."""

    __slots__ = ()

    def after_validator_created(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Nothing."""

    def after_validator_bonded(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Create the signing info, or restart its window at this height."""
        address = consensus_address(validator.consensus_pubkey)
        info = get_signing_info(store, address)
        if info is None:
            info = SigningInfo(start_height=ctx.height)
        else:
            info = replace(info, start_height=ctx.height)
        set_signing_info(store, address, info)

    def after_validator_removed(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Nothing (the signing info stays: a tombstone is forever)."""

    def before_delegation_shares_modified(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Nothing."""

    def after_delegation_modified(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Nothing."""

    def after_delegation_removed(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Nothing."""
