"""A node home: what ``allora init`` writes and ``allora start`` reads.

Layout of ``<home>`` (default ``~/.pyallora``)::

    config.toml          the node's configuration (:mod:`pyallora.node.config`)
    genesis.json         the genesis document (:class:`~pyallora.chain.genesis.GenesisDoc`)
    keyring/             account keys (``keyring-test/`` or ``keyring-file/``); the
                         validator's account key is ``validator``
    data/application/    the application's committed state (lmdb)
    data/index/          the node's block, transaction and event index (lmdb)
    cometbft/            the CometBFT home (config/, data/); its consensus key
                         ``config/priv_validator_key.json`` is the genesis validator
    run.json             while ``allora start`` runs: its pid and listen addresses

``allora init`` writes the consensus key itself, then lets ``cometbft init`` create the rest of
the CometBFT home around it (``cometbft init`` keeps existing keys), so the genesis validator
is the same key whether or not CometBFT is installed yet: without the binary the home runs
with ``--solo`` and the CometBFT home is completed by the first ``allora start`` that uses it.

The genesis funds the validator's account key, plus any ``--account NAME:AMOUNT`` (the
keyring key ``NAME``, created if missing, or an ``allo1…`` address) and the entries of
``--accounts-file`` (a JSON list of ``{"address"|"name": ..., "amount": "..."}``). Module
parameters get short local-network values (:data:`LOCAL_PARAMS`) where the module exists.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pyallora.chain.app import App
from pyallora.chain.genesis import GenesisDoc, GenesisValidator, build_genesis
from pyallora.chain.module import GenesisError, JSONObject, Module
from pyallora.chain.modules import build_standard_modules
from pyallora.chain.params import ParamsError
from pyallora.client.keyring import Backend, KeyInfo, KeyNotFoundError, Keyring
from pyallora.client.keys import ValidatorKey
from pyallora.core.amounts import UALLO_PER_ALLO
from pyallora.core.crypto import (
    ACCOUNT_PREFIX,
    VALOPER_PREFIX,
    convert_address,
    is_valid_address,
)
from pyallora.core.errors import ConsensusError, PyAlloraError
from pyallora.node.cometbft import (
    APP_SOCKET_NAME,
    LOOPBACK,
    CometBftNotFoundError,
    CometHome,
    find_cometbft,
    find_free_port,
    init_home,
    load_home,
)
from pyallora.node.config import (
    DEFAULT_BLOCK_TIME_MS,
    DEFAULT_CHAIN_ID,
    Engine,
    NodeConfig,
    get_config_path,
    get_run_file_path,
    save_node_config,
)
from pyallora.storage import MemoryCommittedStore

GENESIS_FILE_NAME: Final = "genesis.json"
"""The genesis document inside a home."""

VALIDATOR_KEY_NAME: Final = "validator"
"""Keyring name of the validator operator's account key."""

DEFAULT_VALIDATOR_FUNDS: Final = 1_000_000 * UALLO_PER_ALLO
"""uallo given to the validator's account at genesis (one million ALLO)."""

DEFAULT_SELF_BOND: Final = 1000 * UALLO_PER_ALLO
"""uallo the validator bonds at genesis (a gentx) when the staking module exists."""

GENESIS_VALIDATOR_POWER: Final = 10
"""Consensus power of the genesis validator (``cometbft init``'s value)."""

MAX_UNIX_SOCKET_PATH: Final = 100
"""Longest ABCI socket path used (the kernel's limit is 107 bytes); longer homes use TCP."""

LOCAL_PARAMS: Final[tuple[tuple[str, str, str], ...]] = (
    ("staking", "unbonding_time", "120s"),
    ("emissions", "min_epoch_length", "1"),
    ("emissions", "remove_stake_delay_window", "20"),
    ("gov", "voting_period", "120s"),
    ("gov", "max_deposit_period", "120s"),
)
"""Local-network values ``(module, params key, JSON value)``, applied to a module's default
``params`` only where both exist: short unbonding, small minimum epoch, quick stake removal."""

_PRIV_VALIDATOR_STATE: Final = {"height": "0", "round": 0, "step": 0}


class NodeHomeError(PyAlloraError):
    """A node home cannot be created or read."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeHome:
    """The paths of a node home (module docstring)."""

    path: Path

    @property
    def config_path(self) -> Path:
        """``config.toml``."""
        return get_config_path(self.path)

    @property
    def genesis_path(self) -> Path:
        """``genesis.json``."""
        return self.path / GENESIS_FILE_NAME

    @property
    def keyring_dir(self) -> Path:
        """The keyring directory (``keyring/``)."""
        return self.path / "keyring"

    @property
    def application_dir(self) -> Path:
        """The application's lmdb environment."""
        return self.path / "data" / "application"

    @property
    def index_dir(self) -> Path:
        """The node's block/tx/event index."""
        return self.path / "data" / "index"

    @property
    def run_file(self) -> Path:
        """``run.json`` of a running node."""
        return get_run_file_path(self.path)

    def is_initialised(self) -> bool:
        """Whether ``allora init`` has run here."""
        return self.config_path.exists() and self.genesis_path.exists()


@dataclass(frozen=True, slots=True, kw_only=True)
class GenesisAccount:
    """An account funded at genesis."""

    address: str
    amount: int
    name: str = ""
    """Keyring name when ``allora init`` created the key."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InitResult:
    """What ``allora init`` did."""

    home: NodeHome
    config: NodeConfig
    genesis: GenesisDoc
    validator_address: str
    """The validator operator's account (keyring key :data:`VALIDATOR_KEY_NAME`)."""
    validator_consensus_address: str
    """Upper-case hex of the consensus key's address, as CometBFT prints it."""
    accounts: tuple[GenesisAccount, ...]
    cometbft_ready: bool
    """Whether the CometBFT home was created (else only ``--solo`` until it is)."""


def compute_node_modules() -> tuple[Module, ...]:
    """The node's modules, in lifecycle order: the standard chain with the emissions module.

    ``[auth, bank, distribution, slashing, staking, mint, emissions]``
    (:func:`pyallora.chain.modules.build_standard_modules` with emissions), so the mint reads
    the emissions-owned values (reputer stake, admins, the reputers' reward share) from the
    emissions module itself.
    """
    return tuple(build_standard_modules(include_emissions=True))


def apply_local_validator(
    app_state: JSONObject,
    *,
    operator: str,
    consensus_pubkey: bytes,
    self_bond: int,
    moniker: str,
) -> tuple[JSONObject, int]:
    """Make the local validator a staking validator (a gentx) and an emissions admin.

    Returns the new app state and the genesis validator's consensus power (from the staking
    ``power_reduction``; 10 when there is no staking module).
    """
    result = dict(app_state)
    power = GENESIS_VALIDATOR_POWER
    staking = result.get("staking")
    if isinstance(staking, dict) and isinstance(staking.get("gentxs"), list):
        params = staking.get("params") if isinstance(staking.get("params"), dict) else {}
        reduction = int(str((params or {}).get("power_reduction", UALLO_PER_ALLO)))
        power = self_bond // max(reduction, 1)
        if power <= 0:
            raise NodeHomeError(f"a self-bond of {self_bond} uallo gives no consensus power")
        gentx = {
            "operator_address": convert_address(
                operator, from_prefix=ACCOUNT_PREFIX, to_prefix=VALOPER_PREFIX
            ),
            "consensus_pubkey": base64.b64encode(consensus_pubkey).decode("ascii"),
            "self_bond": str(self_bond),
            "moniker": moniker,
        }
        result["staking"] = {**staking, "gentxs": [*staking["gentxs"], gentx]}
    for module, holder in (("emissions", None), ("mint", "emissions_standin")):
        section = result.get(module)
        if not isinstance(section, dict):
            continue
        target = section if holder is None else section.get(holder)
        if not isinstance(target, dict):
            continue
        admins = list(target.get("core_team_addresses") or [])
        if operator not in admins:
            admins.append(operator)
        updated = {**target, "core_team_addresses": admins}
        result[module] = updated if holder is None else {**section, holder: updated}
    return result, power


def apply_local_params(app_state: JSONObject) -> JSONObject:
    """A copy of ``app_state`` with :data:`LOCAL_PARAMS` applied where the keys exist."""
    result = dict(app_state)
    for module, key, value in LOCAL_PARAMS:
        section = result.get(module)
        if not isinstance(section, dict):
            continue
        params = section.get("params")
        if not isinstance(params, dict) or key not in params:
            continue
        if not isinstance(params[key], str):
            continue
        result[module] = {**section, "params": {**params, key: value}}
    return result


def parse_account_spec(spec: str) -> tuple[str, int]:
    """``NAME:AMOUNT`` (or ``ADDRESS:AMOUNT``) → ``(name or address, uallo)``.

    Raises
    ------
    NodeHomeError
        If the spec is malformed or the amount is not a positive integer.
    """
    name, colon, amount = spec.rpartition(":")
    if not colon or not name or not amount.isascii() or not amount.isdigit() or int(amount) <= 0:
        raise NodeHomeError(f"expected NAME:AMOUNT with a positive uallo amount, got {spec!r}")
    return name, int(amount)


def read_accounts_file(path: Path) -> list[tuple[str, int]]:
    """Entries of an accounts file: a JSON list of ``{"address"|"name": ..., "amount": ...}``.

    Raises
    ------
    NodeHomeError
        If the file cannot be read or an entry is malformed.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NodeHomeError(f"cannot read accounts file {path}: {exc}") from exc
    if not isinstance(data, list):
        raise NodeHomeError("an accounts file is a JSON list of {address|name, amount} objects")
    entries: list[tuple[str, int]] = []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise NodeHomeError(f"accounts file entry #{index} is not an object")
        who = entry.get("address", entry.get("name"))
        amount = entry.get("amount")
        if isinstance(amount, int) and not isinstance(amount, bool):
            amount = str(amount)
        if not isinstance(who, str) or not isinstance(amount, str):
            raise NodeHomeError(f"accounts file entry #{index} needs address|name and amount")
        entries.append(parse_account_spec(f"{who}:{amount}"))
    return entries


def pick_ports(requested: Sequence[int | None]) -> tuple[int, ...]:
    """The requested ports, with free loopback ports for the ``None`` entries, all distinct.

    Raises
    ------
    NodeHomeError
        If two requested ports are equal.
    """
    given = [port for port in requested if port is not None]
    if len(set(given)) != len(given):
        raise NodeHomeError(f"the ports must differ: {given}")
    taken = set(given)
    result = []
    for port in requested:
        if port is None:
            port = find_free_port()
            while port in taken:
                port = find_free_port()
            taken.add(port)
        result.append(port)
    return tuple(result)


def compute_proxy_app(cometbft_home: Path) -> str:
    """The ABCI address: a unix socket in the CometBFT home, or a free loopback TCP port when
    the socket path would be too long."""
    socket_path = cometbft_home / APP_SOCKET_NAME
    if len(str(socket_path)) <= MAX_UNIX_SOCKET_PATH:
        return f"unix://{socket_path}"
    return f"tcp://{LOOPBACK}:{find_free_port()}"


def _write_json(path: Path, document: Any, *, private: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if private:
        os.chmod(path, 0o600)


def write_consensus_keys(cometbft_home: Path) -> ValidatorKey:
    """Create the consensus key, its signing state and a node key in a CometBFT home layout.

    Raises
    ------
    NodeHomeError
        If a consensus key already exists there.
    """
    key_path = cometbft_home / "config" / "priv_validator_key.json"
    if key_path.exists():
        raise NodeHomeError(f"{key_path} already exists")
    key = ValidatorKey.generate()
    _write_json(key_path, key.to_priv_validator_key_json(), private=True)
    _write_json(cometbft_home / "data" / "priv_validator_state.json", _PRIV_VALIDATOR_STATE)
    _write_json(
        cometbft_home / "config" / "node_key.json",
        ValidatorKey.generate().to_node_key_json(),
        private=True,
    )
    return key


def get_or_write_consensus_keys(cometbft_home: Path) -> ValidatorKey:
    """The existing consensus key of a CometBFT home layout, or new keys written there."""
    if (cometbft_home / "config" / "priv_validator_key.json").exists():
        return read_consensus_key(cometbft_home)
    return write_consensus_keys(cometbft_home)


def get_or_add_key(keyring: Keyring, name: str, passphrase: str | None) -> KeyInfo:
    """The keyring's key ``name``, created (new mnemonic) if it does not exist yet."""
    try:
        return keyring.show(name)
    except KeyNotFoundError:
        info, _ = keyring.add(name, passphrase=passphrase)
        return info


def read_consensus_key(cometbft_home: Path) -> ValidatorKey:
    """The consensus key of a CometBFT home.

    Raises
    ------
    NodeHomeError
        If the key file is missing or malformed.
    """
    path = cometbft_home / "config" / "priv_validator_key.json"
    try:
        return ValidatorKey.from_key_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise NodeHomeError(f"cannot read the consensus key {path}: {exc}") from exc


def validate_genesis(genesis: GenesisDoc, modules: Sequence[Module]) -> None:
    """Load the genesis into a scratch application, as ``init_chain`` will.

    Raises
    ------
    NodeHomeError
        If the header or any module section is refused.
    """
    try:
        genesis.validate()
        App(MemoryCommittedStore(), modules=modules).init_chain(genesis.to_init_chain_request())
    except (GenesisError, ConsensusError, ParamsError) as exc:
        raise NodeHomeError(f"the genesis is invalid: {exc}") from exc


def load_genesis(home: NodeHome) -> GenesisDoc:
    """The home's genesis document.

    Raises
    ------
    NodeHomeError
        If it is missing or invalid.
    """
    try:
        return GenesisDoc.from_bytes(home.genesis_path.read_bytes())
    except FileNotFoundError as exc:
        raise NodeHomeError(f"{home.path} has no {GENESIS_FILE_NAME}: run `allora init`") from exc
    except GenesisError as exc:
        raise NodeHomeError(f"{home.genesis_path} is invalid: {exc}") from exc


def ensure_cometbft_home(
    home: NodeHome,
    config: NodeConfig,
    genesis: GenesisDoc,
    *,
    binary: str | Path | None = None,
    timeout_commit_ms: int | None = None,
) -> CometHome:
    """Create the CometBFT home around the existing consensus key, if not done yet.

    The CometBFT genesis gets the chain id, time, initial height and ``app_state`` of the
    node's genesis; its validator is the consensus key written by ``allora init``.

    Raises
    ------
    CometBftNotFoundError
        If the binary is needed and missing.
    NodeHomeError
        If the CometBFT genesis does not match the node's.
    """
    comet_path = config.resolve_cometbft_home(home.path)
    genesis_file = comet_path / "config" / "genesis.json"
    if not genesis_file.exists():
        block_ms = config.block_time_ms if timeout_commit_ms is None else timeout_commit_ms
        init_home(
            comet_path,
            chain_id=genesis.chain_id,
            app_state=genesis.app_state,
            proxy_app=compute_proxy_app(comet_path),
            rpc_port=config.rpc_port or None,
            p2p_port=config.p2p_port or None,
            timeout_commit_ms=max(block_ms, 100) if block_ms else 500,
            initial_height=genesis.initial_height,
            genesis_time_ns=genesis.genesis_time_ns,
            moniker=genesis.validators[0].name if genesis.validators else "pyallora",
            binary=binary,
        )
    comet = load_home(comet_path)
    document = json.loads(genesis_file.read_text(encoding="utf-8"))
    if comet.chain_id != genesis.chain_id or document.get("app_state") != genesis.app_state:
        raise NodeHomeError(
            f"the CometBFT genesis in {comet_path} does not match {home.genesis_path}"
        )
    return comet


def init_node_home(
    home: Path,
    *,
    chain_id: str = DEFAULT_CHAIN_ID,
    keyring_backend: Backend = "test",
    passphrase: str | None = None,
    validator_funds: int = DEFAULT_VALIDATOR_FUNDS,
    self_bond: int = DEFAULT_SELF_BOND,
    moniker: str = "pyallora",
    accounts: Sequence[tuple[str, int]] = (),
    engine: Engine | None = None,
    api_port: int | None = None,
    rpc_port: int | None = None,
    p2p_port: int | None = None,
    min_gas_price: int = 0,
    block_time_ms: int = DEFAULT_BLOCK_TIME_MS,
    genesis_time_ns: int | None = None,
    modules: Sequence[Module] | None = None,
    cometbft_binary: str | Path | None = None,
) -> InitResult:
    """Create a node home (module docstring).

    Parameters
    ----------
    home
        The directory (created; it must not already hold a node home).
    chain_id
        The chain id.
    keyring_backend, passphrase
        Keyring of the new keys (``test``: unencrypted, for local networks; ``file`` needs
        the passphrase).
    validator_funds, self_bond, moniker
        Genesis balance of the validator's account key; how much of it the validator
        bonds at genesis (when the staking module exists); the validator's name.
    accounts
        ``(name or address, uallo)`` to fund; a name is a keyring key (created if missing).
        Keys and a consensus key already in the home are reused, so a failed ``init`` can
        be run again.
    engine
        Default engine (``None``: ``cometbft`` when the binary is found, else ``solo``).
    api_port, rpc_port, p2p_port
        Loopback ports (``None``: free ports now).
    min_gas_price, block_time_ms
        Mempool minimum gas price; time between blocks (solo; CometBFT's ``timeout_commit``).
    genesis_time_ns
        Genesis time (default: now).
    modules
        The application's modules (default :func:`compute_node_modules`).
    cometbft_binary
        Explicit CometBFT binary.

    Raises
    ------
    NodeHomeError
        If the home exists or an account is invalid.
    """
    node_home = NodeHome(path=home.expanduser().resolve())
    if node_home.config_path.exists() or node_home.genesis_path.exists():
        raise NodeHomeError(f"{node_home.path} is already a node home")
    if validator_funds <= 0:
        raise NodeHomeError("the validator's genesis funds must be positive")
    node_home.path.mkdir(parents=True, exist_ok=True)
    keyring = Keyring(node_home.keyring_dir, backend=keyring_backend)
    for name, _ in accounts:
        if name == VALIDATOR_KEY_NAME:
            raise NodeHomeError(f"the account name {VALIDATOR_KEY_NAME!r} is reserved")
    try:
        binary: Path | None = find_cometbft(cometbft_binary)
    except CometBftNotFoundError:
        if engine == "cometbft" or cometbft_binary is not None:
            raise
        binary = None
    api, rpc, p2p = pick_ports((api_port, rpc_port, p2p_port))
    config = NodeConfig(
        chain_id=chain_id,
        engine=engine if engine is not None else ("cometbft" if binary else "solo"),
        min_gas_price=min_gas_price,
        api_port=api,
        block_time_ms=block_time_ms,
        rpc_port=rpc,
        p2p_port=p2p,
    )
    config.validate()
    comet_path = config.resolve_cometbft_home(node_home.path)
    consensus_key = get_or_write_consensus_keys(comet_path)
    validator_info = get_or_add_key(keyring, VALIDATOR_KEY_NAME, passphrase)
    funded = [
        GenesisAccount(
            address=validator_info.address, amount=validator_funds, name=VALIDATOR_KEY_NAME
        )
    ]
    for name, amount in accounts:
        if is_valid_address(name):
            funded.append(GenesisAccount(address=name, amount=amount))
        else:
            info = get_or_add_key(keyring, name, passphrase)
            funded.append(GenesisAccount(address=info.address, amount=amount, name=name))
    merged: dict[str, int] = {}
    for account in funded:
        merged[account.address] = merged.get(account.address, 0) + account.amount
    app_modules = tuple(modules) if modules is not None else compute_node_modules()
    draft = build_genesis(
        chain_id=chain_id,
        genesis_time_ns=time.time_ns() if genesis_time_ns is None else genesis_time_ns,
        modules=app_modules,
        balances=list(merged.items()),
    )
    app_state, power = apply_local_validator(
        apply_local_params(draft.app_state),
        operator=validator_info.address,
        consensus_pubkey=consensus_key.public_key,
        self_bond=min(self_bond, validator_funds),
        moniker=moniker,
    )
    genesis = GenesisDoc(
        chain_id=draft.chain_id,
        genesis_time_ns=draft.genesis_time_ns,
        initial_height=draft.initial_height,
        validators=(GenesisValidator(pub_key=consensus_key.public_key, power=power, name=moniker),),
        app_state=app_state,
    )
    validate_genesis(genesis, app_modules)
    _write_json(node_home.genesis_path, genesis.to_json())
    save_node_config(node_home.path, config)
    cometbft_ready = False
    if binary is not None:
        ensure_cometbft_home(node_home, config, genesis, binary=binary)
        cometbft_ready = True
    return InitResult(
        home=node_home,
        config=config,
        genesis=genesis,
        validator_address=validator_info.address,
        validator_consensus_address=consensus_key.address_hex,
        accounts=tuple(funded),
        cometbft_ready=cometbft_ready,
    )
