"""Genesis documents and the application state JSON (PROTOCOL.md §2.12; INFRA.md §4.6).

A :class:`GenesisDoc` holds what ``init_chain`` needs: the chain id, the genesis time, the
initial height, the genesis validators and the ``app_state``, a JSON object with one section
per module (``{"auth": {...}, "bank": {...}, "emissions": {...}}``). Each section's format is
documented by its module (``chain/auth/genesis.py``, ``chain/bank/genesis.py``); a missing
section takes the module's ``default_genesis()``. Numbers are integers (money and counters as
decimal strings, as Cosmos genesis files write them); JSON floats are refused.

The JSON file form of a :class:`GenesisDoc` (:meth:`GenesisDoc.to_json`)::

    {"chain_id": "allora-local", "genesis_time_ns": "1700000000000000000",
     "initial_height": "1",
     "validators": [{"pub_key": "<base64 ed25519>", "power": "10", "name": "v0"}],
     "app_state": {...}}

Export at any height (:meth:`pyallora.chain.app.App.export_genesis`) gives an ``app_state``
that, imported by ``init_chain`` with the same chain id, reproduces the exported state
exactly, hence the same app hash (``tests/chain/test_genesis_roundtrip.py``).

:func:`build_genesis` funds arbitrary accounts (tests, localnets); :func:`build_allocated_genesis`
starts the supply as PROTOCOL.md §6.2 does: the mint's non-ecosystem allocation buckets
(foundation, participants, investors, pre-seed investors, team: 64.05 % of ``max_supply``
with the default mint params) as genesis balances of real accounts, the ecosystem's share
left for the mint to mint on demand.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyallora.chain.abci_types import InitChainRequest, ValidatorUpdate
from pyallora.chain.bank.genesis import compute_balances_genesis
from pyallora.chain.mint.genesis import AllocationAddresses, compute_allocation_balances
from pyallora.chain.mint.params import MintParamsRecord
from pyallora.chain.module import GenesisError, JSONObject, Module
from pyallora.chain.params import ParamsError, parse_json_int
from pyallora.chain.store.collections import CodecError, decode_json, encode_canonical_json
from pyallora.core.crypto import is_valid_address


@dataclass(frozen=True, slots=True, kw_only=True)
class GenesisValidator:
    """A genesis validator: ed25519 consensus key and voting power."""

    pub_key: bytes
    power: int
    name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class GenesisDoc:
    """Everything ``init_chain`` needs."""

    chain_id: str
    genesis_time_ns: int
    initial_height: int = 1
    validators: tuple[GenesisValidator, ...] = ()
    app_state: JSONObject = field(default_factory=dict)

    def validate(self) -> None:
        """Check the header fields.

        Raises
        ------
        GenesisError
            If the chain id is empty or too long, the time negative or the height below 1.
        """
        if not self.chain_id or len(self.chain_id) > 50 or not self.chain_id.isprintable():
            raise GenesisError(f"invalid chain id {self.chain_id!r:.60}: 1 to 50 printable chars")
        if self.genesis_time_ns < 0:
            raise GenesisError("genesis time must not be negative")
        if self.initial_height < 1:
            raise GenesisError("initial height must be at least 1")
        for validator in self.validators:
            if len(validator.pub_key) != 32 or validator.power <= 0:
                raise GenesisError("validators need a 32-byte ed25519 key and a positive power")

    @property
    def app_state_bytes(self) -> bytes:
        """The canonical JSON bytes of :attr:`app_state` (what ``init_chain`` receives)."""
        return encode_app_state(self.app_state)

    def to_init_chain_request(self) -> InitChainRequest:
        """The ``init_chain`` request of this genesis."""
        return InitChainRequest(
            chain_id=self.chain_id,
            time_ns=self.genesis_time_ns,
            initial_height=self.initial_height,
            app_state_bytes=self.app_state_bytes,
            validators=tuple(
                ValidatorUpdate(pub_key=validator.pub_key, power=validator.power)
                for validator in self.validators
            ),
        )

    def to_json(self) -> JSONObject:
        """The JSON file form (module docstring)."""
        return {
            "chain_id": self.chain_id,
            "genesis_time_ns": str(self.genesis_time_ns),
            "initial_height": str(self.initial_height),
            "validators": [
                {
                    "pub_key": base64.b64encode(validator.pub_key).decode("ascii"),
                    "power": str(validator.power),
                    "name": validator.name,
                }
                for validator in self.validators
            ],
            "app_state": self.app_state,
        }

    def to_bytes(self) -> bytes:
        """Canonical JSON bytes of :meth:`to_json`."""
        return encode_canonical_json(self.to_json())

    @classmethod
    def from_json(cls, data: Any) -> GenesisDoc:
        """Parse the JSON file form.

        Raises
        ------
        GenesisError
            If a field is missing or malformed.
        """
        if not isinstance(data, dict):
            raise GenesisError("a genesis document is a JSON object")
        try:
            validators = tuple(
                GenesisValidator(
                    pub_key=base64.b64decode(entry["pub_key"], validate=True),
                    power=parse_json_int(entry["power"], what="validator power"),
                    name=str(entry.get("name", "")),
                )
                for entry in data.get("validators", [])
            )
            doc = cls(
                chain_id=str(data["chain_id"]),
                genesis_time_ns=parse_json_int(data["genesis_time_ns"], what="genesis_time_ns"),
                initial_height=parse_json_int(
                    data.get("initial_height", "1"), what="initial_height"
                ),
                validators=validators,
                app_state=_require_object(data.get("app_state", {}), "app_state"),
            )
        except (KeyError, TypeError, binascii.Error, ParamsError) as exc:
            raise GenesisError(f"malformed genesis document: {exc!r}") from exc
        doc.validate()
        return doc

    @classmethod
    def from_bytes(cls, data: bytes) -> GenesisDoc:
        """Parse JSON bytes (see :meth:`from_json`)."""
        try:
            parsed = decode_json(data)
        except CodecError as exc:
            raise GenesisError(str(exc)) from exc
        return cls.from_json(parsed)


def _require_object(value: Any, what: str) -> JSONObject:
    if not isinstance(value, dict):
        raise GenesisError(f"{what} must be a JSON object")
    return value


def encode_app_state(app_state: JSONObject) -> bytes:
    """Canonical JSON bytes of an app state (sorted keys, compact)."""
    return encode_canonical_json(app_state)


def parse_app_state(data: bytes) -> JSONObject:
    """The app state object of ``init_chain``'s ``app_state_bytes`` (empty bytes: ``{}``).

    Raises
    ------
    GenesisError
        If the bytes are not a JSON object (or contain floats).
    """
    if not data.strip():
        return {}
    try:
        parsed = decode_json(data)
    except CodecError as exc:
        raise GenesisError(f"app_state is not valid JSON: {exc}") from exc
    return _require_object(parsed, "app_state")


def compute_default_app_state(modules: Sequence[Module]) -> JSONObject:
    """Every module's default section."""
    return {module.name: module.default_genesis() for module in modules}


def build_genesis(
    *,
    chain_id: str,
    genesis_time_ns: int,
    modules: Sequence[Module],
    balances: Sequence[tuple[str, int]] = (),
    validators: Sequence[GenesisValidator] = (),
    initial_height: int = 1,
    overrides: JSONObject | None = None,
) -> GenesisDoc:
    """A genesis with default module sections, funded accounts and optional overrides.

    Parameters
    ----------
    chain_id, genesis_time_ns, initial_height, validators
        Header fields.
    modules
        The application's modules (for their default sections).
    balances
        ``(address, uallo)`` to fund: the ``bank`` section, and the ``auth`` accounts in the
        same order (numbers 0, 1, … before the module accounts, as ``add-genesis-account``
        does).
    overrides
        Sections replacing the defaults, by module name.
    """
    app_state = compute_default_app_state(modules)
    if balances:
        app_state["bank"] = compute_balances_genesis(list(balances))
        auth_section = dict(app_state.get("auth", {}))
        auth_section["accounts"] = [{"address": address} for address, _ in balances]
        app_state["auth"] = auth_section
    for name in sorted(overrides or {}):
        app_state[name] = (overrides or {})[name]
    doc = GenesisDoc(
        chain_id=chain_id,
        genesis_time_ns=genesis_time_ns,
        initial_height=initial_height,
        validators=tuple(validators),
        app_state=app_state,
    )
    doc.validate()
    return doc


def compute_genesis_mint_params(
    modules: Sequence[Module], overrides: JSONObject | None = None
) -> MintParamsRecord:
    """The mint params a genesis will load: the ``mint`` override's, else the mint module's
    default section's.

    Raises
    ------
    GenesisError
        If there is no mint section at all, or its params are invalid.
    """
    section = (overrides or {}).get("mint")
    if section is None:
        section = compute_default_app_state(modules).get("mint")
    if not isinstance(section, dict) or "params" not in section:
        raise GenesisError("the genesis has no mint section with params")
    try:
        return MintParamsRecord.from_json(section["params"])
    except ParamsError as exc:
        raise GenesisError(f"mint genesis params: {exc}") from exc


def build_allocated_genesis(
    *,
    chain_id: str,
    genesis_time_ns: int,
    modules: Sequence[Module],
    allocation: AllocationAddresses,
    balances: Sequence[tuple[str, int]] = (),
    validators: Sequence[GenesisValidator] = (),
    initial_height: int = 1,
    overrides: JSONObject | None = None,
) -> GenesisDoc:
    """A genesis whose supply is the mint's allocation buckets (module docstring).

    The buckets get ``⌊max_supply × share⌋`` each
    (:func:`~pyallora.chain.mint.genesis.compute_allocation_balances`, with the mint params
    the genesis loads); they become accounts 0 to 4, then ``balances`` follow. Validators'
    gentx self-bonds (``overrides["staking"]``) come out of these balances, so with no extra
    ``balances`` the genesis supply is exactly the buckets' total, and the ecosystem's share
    is minted later, on demand, within its cap.

    Parameters
    ----------
    allocation
        The bucket accounts: valid, distinct ``allo`` account addresses.
    balances
        Further ``(address, uallo)`` to fund (none of them a bucket).
    chain_id, genesis_time_ns, modules, validators, initial_height, overrides
        As for :func:`build_genesis`.

    Raises
    ------
    GenesisError
        If an address is not a valid account address, a bucket address repeats, or the mint
        section is missing or invalid.
    """
    params = compute_genesis_mint_params(modules, overrides)
    buckets = compute_allocation_balances(allocation, params)
    addresses = [address for address, _ in buckets]
    for address in addresses:
        if not is_valid_address(address):
            raise GenesisError(f"allocation address {address!r:.80} is not an account address")
    funded = [*addresses, *(address for address, _ in balances)]
    if len(set(funded)) != len(funded):
        repeated = sorted({address for address in funded if funded.count(address) > 1})
        raise GenesisError(f"genesis accounts funded twice: {repeated}")
    return build_genesis(
        chain_id=chain_id,
        genesis_time_ns=genesis_time_ns,
        modules=modules,
        balances=[*buckets, *balances],
        validators=validators,
        initial_height=initial_height,
        overrides=overrides,
    )
