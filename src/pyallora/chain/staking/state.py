"""Staking state: tables, accessors and the indexes kept beside the primary records.

Store prefixes (namespace ``staking`` = 0x03). ``pyallora.chain.store.schema`` is the one
table of prefixes; these rows are declared here with :class:`StorePrefix` until the lead
merges them into ``schema.PREFIXES`` (the bytes must not change when they move):

======  ================================  =====================================================
prefix  table                             key -> value
======  ================================  =====================================================
03 01   staking/params                    item: StakingParams JSON
03 02   staking/validators                operator (valoper text) -> Validator JSON
03 03   staking/validators_by_cons        20-byte consensus address -> operator
03 04   staking/delegations               (delegator, operator) -> share units
03 05   staking/delegations_by_validator  (operator, delegator) -> empty
03 06   staking/unbonding_delegations     (delegator, operator) -> entries JSON
03 07   staking/unbonding_by_validator    (operator, delegator) -> empty
03 08   staking/unbonding_queue           (completion time ns, delegator, operator) -> empty
03 09   staking/redelegations             (delegator, src, dst) -> entries JSON
03 0a   staking/redelegations_by_src      (src, delegator, dst) -> empty
03 0b   staking/redelegation_queue        (completion time ns, delegator, src, dst) -> empty
03 0c   staking/validator_queue           (unbonding completion time ns, operator) -> empty
03 0d   staking/last_validator_powers     operator -> consensus power after the last end block
03 0e   staking/last_total_power          item: Σ last powers
======  ================================  =====================================================

The indexes (03 03, 03 05, 03 07, 03 08, 03 0a, 03 0b) are derived from the primary records
and rebuilt by genesis import; every write of a primary record goes through a ``set_``
function here that keeps them in step. The two pools are the bank balances of the module
accounts ``bonded_tokens_pool`` (tokens of bonded validators) and ``not_bonded_tokens_pool``
(tokens of other validators and of unbonding delegations).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pyallora.chain.auth.state import get_module_address
from pyallora.chain.bank.state import get_balance
from pyallora.chain.staking.params import DEFAULT_STAKING_PARAMS, StakingParams
from pyallora.chain.staking.types import (
    RedelegationEntry,
    UnbondingEntry,
    Validator,
    decode_redelegation_entries,
    decode_unbonding_entries,
    encode_redelegation_entries,
    encode_unbonding_entries,
)
from pyallora.chain.store import schema
from pyallora.chain.store.collections import (
    ADDRESS_KEY,
    BYTES_KEY,
    BYTES_VALUE,
    INT64_KEY,
    INT_VALUE,
    STR_KEY,
    STR_VALUE,
    Item,
    JsonValue,
    Map,
    PairKey,
)
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.crypto import (
    ACCOUNT_PREFIX,
    VALOPER_PREFIX,
    consensus_address,
    convert_address,
    decode_address,
)

BONDED_POOL: Final = "bonded_tokens_pool"
"""Module account holding the tokens of bonded validators."""

NOT_BONDED_POOL: Final = "not_bonded_tokens_pool"
"""Module account holding the tokens of unbonding/unbonded validators and undelegations."""


def _staking_row(table: int, name: str, doc: str) -> schema.StorePrefix:
    return schema.StorePrefix(
        module="staking",
        name=name,
        prefix=bytes((schema.NAMESPACES["staking"], table)),
        doc=doc,
    )


STAKING_PARAMS: Final = _staking_row(0x01, "staking/params", "item: StakingParams JSON")
STAKING_VALIDATORS: Final = _staking_row(
    0x02, "staking/validators", "map: operator (valoper text, NUL-terminated) -> Validator JSON"
)
STAKING_VALIDATORS_BY_CONS: Final = _staking_row(
    0x03, "staking/validators_by_cons", "map: consensus address (len-prefixed) -> operator"
)
STAKING_DELEGATIONS: Final = _staking_row(
    0x04, "staking/delegations", "map: (delegator, operator) -> share units (decimal text)"
)
STAKING_DELEGATIONS_BY_VALIDATOR: Final = _staking_row(
    0x05, "staking/delegations_by_validator", "index: (operator, delegator) -> empty"
)
STAKING_UNBONDING_DELEGATIONS: Final = _staking_row(
    0x06, "staking/unbonding_delegations", "map: (delegator, operator) -> entries JSON"
)
STAKING_UNBONDING_BY_VALIDATOR: Final = _staking_row(
    0x07, "staking/unbonding_by_validator", "index: (operator, delegator) -> empty"
)
STAKING_UNBONDING_QUEUE: Final = _staking_row(
    0x08, "staking/unbonding_queue", "index: (time ns int64, delegator, operator) -> empty"
)
STAKING_REDELEGATIONS: Final = _staking_row(
    0x09, "staking/redelegations", "map: (delegator, src, dst) -> entries JSON"
)
STAKING_REDELEGATIONS_BY_SRC: Final = _staking_row(
    0x0A, "staking/redelegations_by_src", "index: (src, delegator, dst) -> empty"
)
STAKING_REDELEGATION_QUEUE: Final = _staking_row(
    0x0B, "staking/redelegation_queue", "index: (time ns int64, delegator, src, dst) -> empty"
)
STAKING_VALIDATOR_QUEUE: Final = _staking_row(
    0x0C, "staking/validator_queue", "index: (unbonding time ns int64, operator) -> empty"
)
STAKING_LAST_VALIDATOR_POWERS: Final = _staking_row(
    0x0D, "staking/last_validator_powers", "map: operator -> consensus power (decimal text)"
)
STAKING_LAST_TOTAL_POWER: Final = _staking_row(
    0x0E, "staking/last_total_power", "item: Σ last validator powers (decimal text)"
)

STAKING_PREFIXES: Final[tuple[schema.StorePrefix, ...]] = (
    STAKING_PARAMS,
    STAKING_VALIDATORS,
    STAKING_VALIDATORS_BY_CONS,
    STAKING_DELEGATIONS,
    STAKING_DELEGATIONS_BY_VALIDATOR,
    STAKING_UNBONDING_DELEGATIONS,
    STAKING_UNBONDING_BY_VALIDATOR,
    STAKING_UNBONDING_QUEUE,
    STAKING_REDELEGATIONS,
    STAKING_REDELEGATIONS_BY_SRC,
    STAKING_REDELEGATION_QUEUE,
    STAKING_VALIDATOR_QUEUE,
    STAKING_LAST_VALIDATOR_POWERS,
    STAKING_LAST_TOTAL_POWER,
)
"""Every staking table (to be merged into ``schema.PREFIXES``)."""

_PAIR: Final = PairKey(STR_KEY, STR_KEY)
_TRIPLE: Final = PairKey(STR_KEY, _PAIR)

PARAMS: Final = Item(STAKING_PARAMS, JsonValue(StakingParams.to_json, StakingParams.from_json))
VALIDATORS: Final = Map(
    STAKING_VALIDATORS, STR_KEY, JsonValue(Validator.to_json, Validator.from_json)
)
VALIDATORS_BY_CONS: Final = Map(STAKING_VALIDATORS_BY_CONS, BYTES_KEY, STR_VALUE)
DELEGATIONS: Final = Map(STAKING_DELEGATIONS, PairKey(ADDRESS_KEY, STR_KEY), INT_VALUE)
DELEGATIONS_BY_VALIDATOR: Final = Map(STAKING_DELEGATIONS_BY_VALIDATOR, _PAIR, BYTES_VALUE)
UNBONDING_DELEGATIONS: Final = Map(
    STAKING_UNBONDING_DELEGATIONS,
    _PAIR,
    JsonValue(encode_unbonding_entries, decode_unbonding_entries),
)
UNBONDING_BY_VALIDATOR: Final = Map(STAKING_UNBONDING_BY_VALIDATOR, _PAIR, BYTES_VALUE)
UNBONDING_QUEUE: Final = Map(STAKING_UNBONDING_QUEUE, PairKey(INT64_KEY, _PAIR), BYTES_VALUE)
REDELEGATIONS: Final = Map(
    STAKING_REDELEGATIONS,
    _TRIPLE,
    JsonValue(encode_redelegation_entries, decode_redelegation_entries),
)
REDELEGATIONS_BY_SRC: Final = Map(STAKING_REDELEGATIONS_BY_SRC, _TRIPLE, BYTES_VALUE)
REDELEGATION_QUEUE: Final = Map(
    STAKING_REDELEGATION_QUEUE, PairKey(INT64_KEY, _TRIPLE), BYTES_VALUE
)
VALIDATOR_QUEUE: Final = Map(STAKING_VALIDATOR_QUEUE, PairKey(INT64_KEY, STR_KEY), BYTES_VALUE)
LAST_VALIDATOR_POWERS: Final = Map(STAKING_LAST_VALIDATOR_POWERS, STR_KEY, INT_VALUE)
LAST_TOTAL_POWER: Final = Item(STAKING_LAST_TOTAL_POWER, INT_VALUE)


# ---------------------------------------------------------------------------------------------
# Addresses


def compute_operator_account(operator: str) -> str:
    """The ``allo1…`` account of an ``allovaloper1…`` operator address."""
    return convert_address(operator, from_prefix=VALOPER_PREFIX, to_prefix=ACCOUNT_PREFIX)


def compute_operator_address(account: str) -> str:
    """The ``allovaloper1…`` operator address of an ``allo1…`` account."""
    return convert_address(account, from_prefix=ACCOUNT_PREFIX, to_prefix=VALOPER_PREFIX)


def compute_operator_sort_key(operator: str) -> bytes:
    """The operator's address bytes (the SDK breaks power ties by these, ascending)."""
    return decode_address(operator, prefix=VALOPER_PREFIX)


# ---------------------------------------------------------------------------------------------
# Params


def get_params(store: ReadableKVStore) -> StakingParams:
    """The staking parameters (defaults when unset)."""
    return PARAMS.get_or(store, DEFAULT_STAKING_PARAMS)


def set_params(store: KVStore, params: StakingParams) -> None:
    """Store the staking parameters."""
    PARAMS.set(store, params)


# ---------------------------------------------------------------------------------------------
# Validators


def get_validator(store: ReadableKVStore, operator: str) -> Validator | None:
    """The validator with this operator address, or ``None``."""
    return VALIDATORS.get(store, operator)


def set_validator(store: KVStore, validator: Validator) -> None:
    """Store a validator and its consensus-address index entry."""
    VALIDATORS.set(store, validator.operator_address, validator)
    VALIDATORS_BY_CONS.set(
        store, consensus_address(validator.consensus_pubkey), validator.operator_address
    )


def delete_validator(store: KVStore, validator: Validator) -> None:
    """Remove a validator and its index entries."""
    VALIDATORS.delete(store, validator.operator_address)
    VALIDATORS_BY_CONS.delete(store, consensus_address(validator.consensus_pubkey))
    LAST_VALIDATOR_POWERS.delete(store, validator.operator_address)


def get_validator_by_consensus_address(
    store: ReadableKVStore, cons_address: bytes
) -> Validator | None:
    """The validator whose consensus key has this 20-byte address, or ``None``."""
    operator = VALIDATORS_BY_CONS.get(store, cons_address)
    return None if operator is None else VALIDATORS.get(store, operator)


def iterate_validators(store: ReadableKVStore) -> Iterator[Validator]:
    """Every validator, by operator text order."""
    for _, validator in VALIDATORS.iterate(store):
        yield validator


# ---------------------------------------------------------------------------------------------
# Delegations


def get_delegation(store: ReadableKVStore, delegator: str, operator: str) -> int | None:
    """Share units of a delegation, or ``None`` when there is none."""
    return DELEGATIONS.get(store, (delegator, operator))


def set_delegation(store: KVStore, delegator: str, operator: str, shares: int) -> None:
    """Store a delegation's share units (zero deletes it)."""
    if shares == 0:
        DELEGATIONS.delete(store, (delegator, operator))
        DELEGATIONS_BY_VALIDATOR.delete(store, (operator, delegator))
        return
    DELEGATIONS.set(store, (delegator, operator), shares)
    DELEGATIONS_BY_VALIDATOR.set(store, (operator, delegator), b"")


def iterate_delegator_delegations(
    store: ReadableKVStore, delegator: str
) -> Iterator[tuple[str, int]]:
    """``(operator, shares)`` of every delegation of ``delegator``, by operator order."""
    prefix = ADDRESS_KEY.encode(delegator)
    for (_, operator), shares in DELEGATIONS.iterate(store, key_prefix=prefix):
        yield operator, shares


def iterate_validator_delegators(store: ReadableKVStore, operator: str) -> Iterator[str]:
    """Delegators of a validator, by address order."""
    for _, delegator in DELEGATIONS_BY_VALIDATOR.keys(store, key_prefix=STR_KEY.encode(operator)):
        yield delegator


def iterate_delegations(store: ReadableKVStore) -> Iterator[tuple[str, str, int]]:
    """``(delegator, operator, shares)`` of every delegation, in key order."""
    for (delegator, operator), shares in DELEGATIONS.iterate(store):
        yield delegator, operator, shares


# ---------------------------------------------------------------------------------------------
# Unbonding delegations


def get_unbonding_entries(
    store: ReadableKVStore, delegator: str, operator: str
) -> tuple[UnbondingEntry, ...]:
    """The unbonding entries of ``(delegator, operator)`` (empty when none)."""
    return UNBONDING_DELEGATIONS.get(store, (delegator, operator)) or ()


def set_unbonding_entries(
    store: KVStore, delegator: str, operator: str, entries: tuple[UnbondingEntry, ...]
) -> None:
    """Store the entries of ``(delegator, operator)`` and keep the queue and index in step."""
    old = get_unbonding_entries(store, delegator, operator)
    old_times = sorted({entry.completion_time_ns for entry in old})
    new_times = sorted({entry.completion_time_ns for entry in entries})
    for time_ns in old_times:
        if time_ns not in new_times:
            UNBONDING_QUEUE.delete(store, (time_ns, (delegator, operator)))
    for time_ns in new_times:
        UNBONDING_QUEUE.set(store, (time_ns, (delegator, operator)), b"")
    if entries:
        UNBONDING_DELEGATIONS.set(store, (delegator, operator), entries)
        UNBONDING_BY_VALIDATOR.set(store, (operator, delegator), b"")
    else:
        UNBONDING_DELEGATIONS.delete(store, (delegator, operator))
        UNBONDING_BY_VALIDATOR.delete(store, (operator, delegator))


def iterate_unbonding_delegations(
    store: ReadableKVStore, *, delegator: str | None = None
) -> Iterator[tuple[str, str, tuple[UnbondingEntry, ...]]]:
    """``(delegator, operator, entries)``, optionally of one delegator, in key order."""
    prefix = b"" if delegator is None else STR_KEY.encode(delegator)
    for (owner, operator), entries in UNBONDING_DELEGATIONS.iterate(store, key_prefix=prefix):
        yield owner, operator, entries


def iterate_validator_unbonding_delegators(store: ReadableKVStore, operator: str) -> Iterator[str]:
    """Delegators with unbonding entries from ``operator``, by address order."""
    for _, delegator in UNBONDING_BY_VALIDATOR.keys(store, key_prefix=STR_KEY.encode(operator)):
        yield delegator


def iterate_due_unbonding_pairs(store: ReadableKVStore, time_ns: int) -> Iterator[tuple[str, str]]:
    """``(delegator, operator)`` pairs with an entry completing at or before ``time_ns``,
    in completion-time order (a pair can appear more than once)."""
    end = UNBONDING_QUEUE.prefix + INT64_KEY.encode(time_ns + 1)
    for raw, _ in store.iterate(UNBONDING_QUEUE.prefix, end):
        _, pair = UNBONDING_QUEUE.decode_key(raw)
        yield pair


# ---------------------------------------------------------------------------------------------
# Redelegations


def get_redelegation_entries(
    store: ReadableKVStore, delegator: str, src: str, dst: str
) -> tuple[RedelegationEntry, ...]:
    """The redelegation entries of ``(delegator, src, dst)`` (empty when none)."""
    return REDELEGATIONS.get(store, (delegator, (src, dst))) or ()


def set_redelegation_entries(
    store: KVStore, delegator: str, src: str, dst: str, entries: tuple[RedelegationEntry, ...]
) -> None:
    """Store the entries of ``(delegator, src, dst)`` and keep the queue and index in step."""
    old = get_redelegation_entries(store, delegator, src, dst)
    old_times = sorted({entry.completion_time_ns for entry in old})
    new_times = sorted({entry.completion_time_ns for entry in entries})
    for time_ns in old_times:
        if time_ns not in new_times:
            REDELEGATION_QUEUE.delete(store, (time_ns, (delegator, (src, dst))))
    for time_ns in new_times:
        REDELEGATION_QUEUE.set(store, (time_ns, (delegator, (src, dst))), b"")
    if entries:
        REDELEGATIONS.set(store, (delegator, (src, dst)), entries)
        REDELEGATIONS_BY_SRC.set(store, (src, (delegator, dst)), b"")
    else:
        REDELEGATIONS.delete(store, (delegator, (src, dst)))
        REDELEGATIONS_BY_SRC.delete(store, (src, (delegator, dst)))


def iterate_redelegations(
    store: ReadableKVStore, *, delegator: str | None = None
) -> Iterator[tuple[str, str, str, tuple[RedelegationEntry, ...]]]:
    """``(delegator, src, dst, entries)``, optionally of one delegator, in key order."""
    prefix = b"" if delegator is None else STR_KEY.encode(delegator)
    for (owner, (src, dst)), entries in REDELEGATIONS.iterate(store, key_prefix=prefix):
        yield owner, src, dst, entries


def iterate_redelegations_from(store: ReadableKVStore, src: str) -> Iterator[tuple[str, str]]:
    """``(delegator, dst)`` of every redelegation out of ``src``, in key order."""
    for _, (delegator, dst) in REDELEGATIONS_BY_SRC.keys(store, key_prefix=STR_KEY.encode(src)):
        yield delegator, dst


def iterate_due_redelegations(
    store: ReadableKVStore, time_ns: int
) -> Iterator[tuple[str, str, str]]:
    """``(delegator, src, dst)`` with an entry completing at or before ``time_ns``."""
    end = REDELEGATION_QUEUE.prefix + INT64_KEY.encode(time_ns + 1)
    for raw, _ in store.iterate(REDELEGATION_QUEUE.prefix, end):
        _, (delegator, (src, dst)) = REDELEGATION_QUEUE.decode_key(raw)
        yield delegator, src, dst


def has_receiving_redelegation(store: ReadableKVStore, delegator: str, dst: str) -> bool:
    """Whether ``delegator`` has immature redelegations *into* ``dst``."""
    return any(
        entries and target == dst
        for _, _, target, entries in iterate_redelegations(store, delegator=delegator)
    )


# ---------------------------------------------------------------------------------------------
# Validator queue and last powers


def set_validator_queue_entry(store: KVStore, time_ns: int, operator: str) -> None:
    """Schedule the end of a validator's unbonding."""
    VALIDATOR_QUEUE.set(store, (time_ns, operator), b"")


def delete_validator_queue_entry(store: KVStore, time_ns: int, operator: str) -> None:
    """Cancel a scheduled end of unbonding."""
    VALIDATOR_QUEUE.delete(store, (time_ns, operator))


def iterate_due_validators(store: ReadableKVStore, time_ns: int) -> Iterator[tuple[int, str]]:
    """``(time, operator)`` of unbonding validators due at or before ``time_ns``."""
    end = VALIDATOR_QUEUE.prefix + INT64_KEY.encode(time_ns + 1)
    for raw, _ in store.iterate(VALIDATOR_QUEUE.prefix, end):
        yield VALIDATOR_QUEUE.decode_key(raw)


def get_last_validator_power(store: ReadableKVStore, operator: str) -> int:
    """Power the validator had after the last end block (0 when not in the set)."""
    return LAST_VALIDATOR_POWERS.get(store, operator) or 0


def iterate_last_validator_powers(store: ReadableKVStore) -> Iterator[tuple[str, int]]:
    """``(operator, power)`` of the active set after the last end block."""
    return LAST_VALIDATOR_POWERS.iterate(store)


def set_last_validator_power(store: KVStore, operator: str, power: int) -> None:
    """Record a validator's power in the active set (0 deletes it)."""
    if power == 0:
        LAST_VALIDATOR_POWERS.delete(store, operator)
    else:
        LAST_VALIDATOR_POWERS.set(store, operator, power)


def get_last_total_power(store: ReadableKVStore) -> int:
    """Σ of the active set's powers after the last end block."""
    return LAST_TOTAL_POWER.get_or(store, 0)


def set_last_total_power(store: KVStore, power: int) -> None:
    """Record the active set's total power."""
    LAST_TOTAL_POWER.set(store, power)


# ---------------------------------------------------------------------------------------------
# Pools


def get_bonded_tokens(store: ReadableKVStore) -> int:
    """uallo in the bonded pool (the validators' "network staked" part, PROTOCOL.md §6.2)."""
    return get_balance(store, get_module_address(BONDED_POOL))


def get_not_bonded_tokens(store: ReadableKVStore) -> int:
    """uallo in the not-bonded pool."""
    return get_balance(store, get_module_address(NOT_BONDED_POOL))


def get_pool_name(validator: Validator) -> str:
    """The pool holding a validator's tokens."""
    return BONDED_POOL if validator.is_bonded else NOT_BONDED_POOL
