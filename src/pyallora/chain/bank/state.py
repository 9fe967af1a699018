"""Balances and supply in uallo, and every way money moves (PROTOCOL.md §1.3, §1.4).

Balances are ``int`` amounts of uallo (the only denomination), stored per address; a zero
balance is not stored. The total supply is stored beside them and changes only by
:func:`mint_coins` and :func:`burn_coins`; it never exceeds
:data:`~pyallora.core.amounts.MAX_SUPPLY`
(10^27 uallo). :func:`validate_supply_invariant` checks ``supply = Σ balances`` (module
accounts included); tests call it after every block.

Other modules move money only through these functions, which emit the SDK's bank events
(``coin_spent``, ``coin_received``, ``transfer``, ``coinbase``, ``burn``):

* :func:`send_coins` — account to account (creates the recipient's account if needed);
* :func:`send_coins_from_account_to_module`, :func:`send_coins_from_module_to_account`,
  :func:`send_coins_from_module_to_module` — with module names, e.g. ``"ecosystem"``;
  sending from a module to a *blocked* address is refused (PROTOCOL.md §1.4);
* :func:`mint_coins` / :func:`burn_coins` — only modules with the ``minter`` / ``burner``
  permission.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pyallora.chain.auth.state import (
    PERMISSION_BURNER,
    PERMISSION_MINTER,
    get_module_account,
    get_module_spec,
    get_or_create_account,
    is_blocked_address,
)
from pyallora.chain.context import Context
from pyallora.chain.events import make_event
from pyallora.chain.store import schema
from pyallora.chain.store.collections import ADDRESS_KEY, INT_VALUE, Item, Map
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.chain.tx.errors import (
    InsufficientFundsError,
    InvalidCoinsError,
    UnauthorizedError,
)
from pyallora.core.amounts import DENOM, MAX_SUPPLY
from pyallora.core.errors import PyAlloraError

BALANCES: Final = Map(schema.BANK_BALANCES, ADDRESS_KEY, INT_VALUE)
"""uallo balance by address (absent = 0)."""

SUPPLY: Final = Item(schema.BANK_SUPPLY, INT_VALUE)
"""Total uallo supply."""


class InvariantError(PyAlloraError):
    """A bank invariant does not hold: a bug somewhere in the state machine."""


def format_coins(amount: int) -> str:
    """The SDK's text of a uallo amount (``""`` for zero).

    >>> format_coins(5), format_coins(0)
    ('5uallo', '')
    """
    return f"{amount}{DENOM}" if amount else ""


def get_balance(store: ReadableKVStore, address: str) -> int:
    """The uallo balance of ``address`` (0 when it holds nothing)."""
    balance = BALANCES.get(store, address)
    return 0 if balance is None else balance


def set_balance(store: KVStore, address: str, amount: int) -> None:
    """Set the balance of ``address``; a zero balance is deleted."""
    if amount == 0:
        BALANCES.delete(store, address)
    else:
        BALANCES.set(store, address, amount)


def iterate_balances(store: ReadableKVStore) -> Iterator[tuple[str, int]]:
    """``(address, balance)`` of every account holding uallo, by address order."""
    return BALANCES.iterate(store)


def get_supply(store: ReadableKVStore) -> int:
    """The total supply in uallo."""
    return SUPPLY.get_or(store, 0)


def set_supply(store: KVStore, amount: int) -> None:
    """Set the total supply (genesis and mint/burn only)."""
    SUPPLY.set(store, amount)


def _validate_amount(amount: int) -> None:
    if type(amount) is not int or amount < 0:
        raise InvalidCoinsError(f"invalid amount {amount!r}: must be a non-negative integer")


def _subtract(ctx: Context, store: KVStore, address: str, amount: int) -> None:
    balance = get_balance(store, address)
    if balance < amount:
        raise InsufficientFundsError(
            f"spendable balance {balance}{DENOM} is smaller than {amount}{DENOM}"
        )
    set_balance(store, address, balance - amount)
    ctx.events.emit(
        make_event("coin_spent", (("spender", address), ("amount", format_coins(amount))))
    )


def _add(ctx: Context, store: KVStore, address: str, amount: int) -> None:
    set_balance(store, address, get_balance(store, address) + amount)
    ctx.events.emit(
        make_event("coin_received", (("receiver", address), ("amount", format_coins(amount))))
    )


def send_coins(ctx: Context, store: KVStore, sender: str, recipient: str, amount: int) -> None:
    """Move ``amount`` uallo from ``sender`` to ``recipient`` (a zero amount does nothing).

    The recipient's account is created (next account number) if it does not exist.

    Raises
    ------
    InsufficientFundsError
        If the sender holds less than ``amount``.
    InvalidCoinsError
        If ``amount`` is negative.
    """
    _validate_amount(amount)
    if amount == 0:
        return
    _subtract(ctx, store, sender, amount)
    get_or_create_account(store, recipient)
    _add(ctx, store, recipient, amount)
    ctx.events.emit(
        make_event(
            "transfer",
            (("recipient", recipient), ("sender", sender), ("amount", format_coins(amount))),
        )
    )


def send_coins_from_account_to_module(
    ctx: Context, store: KVStore, sender: str, module: str, amount: int
) -> None:
    """Move ``amount`` from an account to module account ``module``.

    Raises
    ------
    InsufficientFundsError
        If the sender holds less than ``amount``.
    """
    recipient = get_module_account(store, module).address
    send_coins(ctx, store, sender, recipient, amount)


def send_coins_from_module_to_account(
    ctx: Context, store: KVStore, module: str, recipient: str, amount: int
) -> None:
    """Move ``amount`` from module account ``module`` to an account.

    Raises
    ------
    UnauthorizedError
        If the recipient is a blocked (module) address.
    InsufficientFundsError
        If the module holds less than ``amount``.
    """
    if is_blocked_address(recipient):
        raise UnauthorizedError(f"{recipient} is not allowed to receive funds")
    sender = get_module_account(store, module).address
    send_coins(ctx, store, sender, recipient, amount)


def send_coins_from_module_to_module(
    ctx: Context, store: KVStore, sender_module: str, recipient_module: str, amount: int
) -> None:
    """Move ``amount`` between module accounts (blocking does not apply).

    Raises
    ------
    InsufficientFundsError
        If the sending module holds less than ``amount``.
    """
    sender = get_module_account(store, sender_module).address
    recipient = get_module_account(store, recipient_module).address
    send_coins(ctx, store, sender, recipient, amount)


def mint_coins(ctx: Context, store: KVStore, module: str, amount: int) -> None:
    """Create ``amount`` new uallo in module account ``module`` (which must be a minter).

    Raises
    ------
    UnauthorizedError
        If the module lacks the ``minter`` permission.
    InvalidCoinsError
        If the amount is negative or the supply would exceed 10^27 uallo.
    """
    _validate_amount(amount)
    if PERMISSION_MINTER not in get_module_spec(module).permissions:
        raise UnauthorizedError(f"module account {module} does not have permissions to mint tokens")
    if amount == 0:
        return
    supply = get_supply(store) + amount
    if supply > MAX_SUPPLY:
        raise InvalidCoinsError(
            f"minting {amount}{DENOM} would raise the supply to {supply}{DENOM}, "
            f"above the maximum {MAX_SUPPLY}{DENOM}"
        )
    address = get_module_account(store, module).address
    _add(ctx, store, address, amount)
    set_supply(store, supply)
    ctx.events.emit(make_event("coinbase", (("minter", address), ("amount", format_coins(amount)))))


def burn_coins(ctx: Context, store: KVStore, module: str, amount: int) -> None:
    """Destroy ``amount`` uallo held by module account ``module`` (which must be a burner).

    Raises
    ------
    UnauthorizedError
        If the module lacks the ``burner`` permission.
    InsufficientFundsError
        If the module holds less than ``amount``.
    """
    _validate_amount(amount)
    if PERMISSION_BURNER not in get_module_spec(module).permissions:
        raise UnauthorizedError(f"module account {module} does not have permissions to burn tokens")
    if amount == 0:
        return
    address = get_module_account(store, module).address
    _subtract(ctx, store, address, amount)
    set_supply(store, get_supply(store) - amount)
    ctx.events.emit(make_event("burn", (("burner", address), ("amount", format_coins(amount)))))


def compute_total_balances(store: ReadableKVStore) -> int:
    """Σ of every stored balance (module accounts included)."""
    return sum(amount for _, amount in iterate_balances(store))


def validate_supply_invariant(store: ReadableKVStore) -> None:
    """Check ``supply = Σ balances ≤ 10^27`` and that no stored balance is zero.

    Raises
    ------
    InvariantError
        Naming the violated relation.
    """
    total = 0
    for address, amount in iterate_balances(store):
        if amount <= 0:
            raise InvariantError(f"stored balance of {address} is {amount}")
        total += amount
    supply = get_supply(store)
    if total != supply:
        raise InvariantError(f"supply {supply} differs from the sum of balances {total}")
    if supply > MAX_SUPPLY:
        raise InvariantError(f"supply {supply} exceeds the maximum {MAX_SUPPLY}")
