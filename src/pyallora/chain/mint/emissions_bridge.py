"""The :class:`~pyallora.chain.mint.bridge.EmissionsBridge` backed by the emissions module.

Used when the application includes :class:`pyallora.chain.emissions.module.EmissionsModule`
(:func:`pyallora.chain.modules.build_standard_modules` with ``include_emissions=True``): the
admins are the emissions whitelist admins, ``blocks_per_month`` and the validators' share are
emissions params, the reputers' share and the recorded allora cut are emissions stores, the
network's reputer stake is the emissions ``total_stake`` and ``reference_compat`` is the
emissions genesis switch.

The reputers' share is an engine Dec (a binary MPFR value). Its decimal text for the
LegacyDec conversion of Appendix C23 is the 18-decimal text when the value is exactly the
image of one (e.g. the genesis 0.3), and otherwise its 34-digit canonical text: a sampled
quotient then has more than 18 decimals, is truncated by default and fails the recalculation
under ``reference_compat``, as in the reference.
"""

from __future__ import annotations

from dataclasses import replace

from pyallora.chain.emissions.admin.state import is_whitelist_admin
from pyallora.chain.emissions.dec_text import dec_to_field_text
from pyallora.chain.emissions.params import get_params, is_reference_compat, set_params
from pyallora.chain.emissions.rewards.state import (
    get_previous_percentage_reward_to_staked_reputers,
    set_reward_current_block_emission,
)
from pyallora.chain.emissions.stake.state import get_total_stake
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.dec import Dec, dec, dec_context, is_finite
from pyallora.core.legacy_dec import ONE, format_legacy_dec_json


def compute_share_text(value: Dec) -> str:
    """Decimal text of an emissions Dec for the C23 conversion (module docstring)."""
    with dec_context():
        if not is_finite(value):
            return dec_to_field_text(value)
        numerator, denominator = (int(part) for part in value.as_integer_ratio())
        units = (numerator * ONE + denominator // 2) // denominator
        candidate = format_legacy_dec_json(units)
        if dec(candidate) == value:
            return candidate
        return dec_to_field_text(value)


class EmissionsModuleBridge:
    """Reads and writes the emissions module's state (module docstring)."""

    __slots__ = ()

    def is_whitelist_admin(self, store: ReadableKVStore, address: str) -> bool:
        """Whether ``address`` is an emissions whitelist admin."""
        return is_whitelist_admin(store, address)

    def get_blocks_per_month(self, store: ReadableKVStore) -> int:
        """Emissions param ``blocks_per_month``."""
        return get_params(store).blocks_per_month

    def set_blocks_per_month(self, store: KVStore, value: int) -> None:
        """Write ``blocks_per_month`` into the emissions params."""
        set_params(store, replace(get_params(store), blocks_per_month=value))

    def get_validators_share_text(self, store: ReadableKVStore) -> str:
        """Emissions param ``validators_vs_allora_percent_reward`` (stored as text)."""
        return get_params(store).validators_vs_allora_percent_reward

    def get_reputers_share_text(self, store: ReadableKVStore) -> str:
        """``previous_percentage_reward_to_staked_reputers`` as decimal text."""
        return compute_share_text(get_previous_percentage_reward_to_staked_reputers(store))

    def get_total_stake(self, store: ReadableKVStore) -> int:
        """Σ reputer stake."""
        return get_total_stake(store)

    def set_reward_current_block_emission(self, store: KVStore, amount: int) -> None:
        """Record the block's allora cut for the emissions end block."""
        set_reward_current_block_emission(store, amount)

    def is_reference_compat(self, store: ReadableKVStore) -> bool:
        """The emissions genesis switch."""
        return is_reference_compat(store)
