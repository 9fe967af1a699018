"""What the mint reads from and writes to the emissions module (PROTOCOL.md §3.16, §5.2, §6).

In the reference, several values the mint uses belong to the emissions module: the whitelist
admins (the authority for mint messages), ``blocks_per_month`` and
``validators_vs_allora_percent_reward`` (emissions params), the reputers' share
``previous_percentage_reward_to_staked_reputers``, the total reputer stake (part of "network
staked tokens"), the ``reward_current_block_emission`` the mint records for the emissions end
block, and the ``reference_compat`` switch. :class:`EmissionsBridge` names exactly these.

Until the emissions module provides its own bridge, :class:`StandaloneEmissionsBridge` keeps
stand-ins in the mint's namespace (tables 06 05-06 0a, :mod:`pyallora.chain.mint.state`),
loaded from the ``emissions_standin`` object of the mint genesis section: the admins come
from ``core_team_addresses``, the total reputer stake is 0, the reputers' share starts at 0.3
(§6.3 step 3). Decimal values cross the bridge as **plain decimal text**, because the
reference converts emissions Decs to the mint's LegacyDec through their text (Appendix C23).
"""

from __future__ import annotations

from typing import Any, Final, Protocol

from pyallora.chain.mint.state import (
    STANDIN_ADMINS,
    STANDIN_BLOCKS_PER_MONTH,
    STANDIN_REFERENCE_COMPAT,
    STANDIN_REPUTERS_SHARE,
    STANDIN_REWARD_CURRENT_BLOCK_EMISSION,
    STANDIN_VALIDATORS_SHARE,
)
from pyallora.chain.module import GenesisError, JSONObject
from pyallora.chain.params import ParamsError, parse_json_int
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.crypto import CryptoError, validate_address
from pyallora.core.legacy_dec import LegacyDecError, parse_legacy_dec_json

DEFAULT_BLOCKS_PER_MONTH: Final = 864_000
"""30 days of 3-second blocks (PROTOCOL.md §9)."""

DEFAULT_VALIDATORS_SHARE: Final = "0.25"
"""``validators_vs_allora_percent_reward`` default."""

DEFAULT_REPUTERS_SHARE: Final = "0.3"
"""``previous_percentage_reward_to_staked_reputers`` until first re-sampled (§6.3 step 3)."""


class EmissionsBridge(Protocol):
    """The emissions-owned values the mint uses (module docstring)."""

    def is_whitelist_admin(self, store: ReadableKVStore, address: str) -> bool:
        """Whether ``address`` may send mint admin messages."""
        ...

    def get_blocks_per_month(self, store: ReadableKVStore) -> int:
        """Emissions param ``blocks_per_month``."""
        ...

    def set_blocks_per_month(self, store: KVStore, value: int) -> None:
        """Write ``blocks_per_month`` into the emissions params (mint ``UpdateParams``)."""
        ...

    def get_validators_share_text(self, store: ReadableKVStore) -> str:
        """Emissions param ``validators_vs_allora_percent_reward`` as decimal text."""
        ...

    def get_reputers_share_text(self, store: ReadableKVStore) -> str:
        """``previous_percentage_reward_to_staked_reputers`` as decimal text."""
        ...

    def get_total_stake(self, store: ReadableKVStore) -> int:
        """Σ reputer stake (uallo)."""
        ...

    def set_reward_current_block_emission(self, store: KVStore, amount: int) -> None:
        """Record the block's allora cut for the emissions end block."""
        ...

    def is_reference_compat(self, store: ReadableKVStore) -> bool:
        """Whether the chain reproduces the reference quirks (Appendix C)."""
        ...


class StandaloneEmissionsBridge:
    """Stand-ins kept in the mint's own state (module docstring)."""

    __slots__ = ()

    def is_whitelist_admin(self, store: ReadableKVStore, address: str) -> bool:
        """Whether ``address`` is one of the genesis ``core_team_addresses``."""
        return bool(address) and STANDIN_ADMINS.has(store, address)

    def get_blocks_per_month(self, store: ReadableKVStore) -> int:
        """The stand-in ``blocks_per_month``."""
        return STANDIN_BLOCKS_PER_MONTH.get_or(store, DEFAULT_BLOCKS_PER_MONTH)

    def set_blocks_per_month(self, store: KVStore, value: int) -> None:
        """Store the stand-in ``blocks_per_month``."""
        STANDIN_BLOCKS_PER_MONTH.set(store, value)

    def get_validators_share_text(self, store: ReadableKVStore) -> str:
        """The stand-in validators' share."""
        return STANDIN_VALIDATORS_SHARE.get_or(store, DEFAULT_VALIDATORS_SHARE)

    def get_reputers_share_text(self, store: ReadableKVStore) -> str:
        """The stand-in reputers' share (0.3 until the emissions module samples it)."""
        return STANDIN_REPUTERS_SHARE.get_or(store, DEFAULT_REPUTERS_SHARE)

    def get_total_stake(self, store: ReadableKVStore) -> int:
        """0: there is no reputer stake without the emissions module."""
        return 0

    def set_reward_current_block_emission(self, store: KVStore, amount: int) -> None:
        """Record the allora cut (read by nothing until the emissions module exists)."""
        STANDIN_REWARD_CURRENT_BLOCK_EMISSION.set(store, amount)

    def is_reference_compat(self, store: ReadableKVStore) -> bool:
        """The stand-in switch."""
        return STANDIN_REFERENCE_COMPAT.get_or(store, False)

    # -----------------------------------------------------------------------------------------
    # Genesis of the stand-ins (the ``emissions_standin`` object of the mint section)

    def compute_default_genesis(self) -> JSONObject:
        """Defaults: no admins, 864,000 blocks per month, v = 0.25, p = 0.3."""
        return {
            "core_team_addresses": [],
            "blocks_per_month": str(DEFAULT_BLOCKS_PER_MONTH),
            "validators_vs_allora_percent_reward": DEFAULT_VALIDATORS_SHARE,
            "previous_percentage_reward_to_staked_reputers": DEFAULT_REPUTERS_SHARE,
            "reward_current_block_emission": "0",
            "reference_compat": False,
        }

    def init_genesis(self, store: KVStore, section: Any) -> None:
        """Load the stand-ins.

        Raises
        ------
        GenesisError
            For malformed values (the validators' share must have at most 18 decimals and be
            in [0, 1]; the reputers' share must be decimal text).
        """
        if not isinstance(section, dict):
            raise GenesisError("mint genesis emissions_standin must be an object")
        known = sorted(self.compute_default_genesis())
        unknown = sorted(key for key in section if key not in known)
        if unknown:
            raise GenesisError(f"unknown emissions_standin fields: {', '.join(unknown)}")
        admins = section.get("core_team_addresses", [])
        if not isinstance(admins, list):
            raise GenesisError("core_team_addresses must be a list of addresses")
        for address in admins:
            try:
                validate_address(str(address))
            except CryptoError as exc:
                raise GenesisError(f"core_team_addresses: {exc}") from exc
            STANDIN_ADMINS.set(store, str(address), b"")
        try:
            blocks = parse_json_int(
                section.get("blocks_per_month", str(DEFAULT_BLOCKS_PER_MONTH)),
                what="blocks_per_month",
            )
            reward = parse_json_int(
                section.get("reward_current_block_emission", "0"),
                what="reward_current_block_emission",
            )
        except ParamsError as exc:
            raise GenesisError(str(exc)) from exc
        if blocks <= 0 or reward < 0:
            raise GenesisError("blocks_per_month must be positive, the reward non-negative")
        validators = str(
            section.get("validators_vs_allora_percent_reward", DEFAULT_VALIDATORS_SHARE)
        )
        reputers = str(
            section.get("previous_percentage_reward_to_staked_reputers", DEFAULT_REPUTERS_SHARE)
        )
        try:
            share = parse_legacy_dec_json(validators)
            parse_legacy_dec_json(reputers, truncate=True)
        except LegacyDecError as exc:
            raise GenesisError(f"emissions_standin: {exc}") from exc
        if not 0 <= share <= 10**18:
            raise GenesisError("validators_vs_allora_percent_reward must be in [0, 1]")
        compat = section.get("reference_compat", False)
        if not isinstance(compat, bool):
            raise GenesisError("reference_compat must be a boolean")
        STANDIN_BLOCKS_PER_MONTH.set(store, blocks)
        STANDIN_VALIDATORS_SHARE.set(store, validators)
        STANDIN_REPUTERS_SHARE.set(store, reputers)
        if reward:
            STANDIN_REWARD_CURRENT_BLOCK_EMISSION.set(store, reward)
        STANDIN_REFERENCE_COMPAT.set(store, compat)

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        """The stand-ins as an ``emissions_standin`` object."""
        return {
            "core_team_addresses": list(STANDIN_ADMINS.keys(store)),
            "blocks_per_month": str(self.get_blocks_per_month(store)),
            "validators_vs_allora_percent_reward": self.get_validators_share_text(store),
            "previous_percentage_reward_to_staked_reputers": self.get_reputers_share_text(store),
            "reward_current_block_emission": str(
                STANDIN_REWARD_CURRENT_BLOCK_EMISSION.get_or(store, 0)
            ),
            "reference_compat": self.is_reference_compat(store),
        }
