"""``allora init``'s node home: config, genesis, keys, consensus key, local parameters."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from pyallora.chain.abci_types import QueryRequest
from pyallora.chain.app import App
from pyallora.chain.genesis import GenesisDoc
from pyallora.client.keyring import Keyring
from pyallora.client.keys import ValidatorKey
from pyallora.core.crypto import ACCOUNT_PREFIX, VALOPER_PREFIX, convert_address
from pyallora.node.cometbft import CometBftNotFoundError, find_cometbft
from pyallora.node.config import NodeConfig, NodeConfigError, load_node_config
from pyallora.node.home import (
    DEFAULT_SELF_BOND,
    DEFAULT_VALIDATOR_FUNDS,
    LOCAL_PARAMS,
    NodeHomeError,
    apply_local_params,
    compute_node_modules,
    init_node_home,
    load_genesis,
    parse_account_spec,
    pick_ports,
    read_accounts_file,
    read_consensus_key,
)
from pyallora.node.solo import SoloNode
from pyallora.storage import MemoryCommittedStore

T0 = 1_767_225_600 * 10**9
ALICE_FUNDS = 5 * 10**20
OUTSIDER = "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv"


def _init(home: Path, **options: object) -> object:
    return init_node_home(
        home,
        engine="solo",
        genesis_time_ns=T0,
        accounts=[("alice", ALICE_FUNDS), (OUTSIDER, 7)],
        **options,  # type: ignore[arg-type]
    )


def test_init_writes_config_genesis_keys_and_consensus_key(tmp_path: Path) -> None:
    result = init_node_home(
        tmp_path / "home",
        chain_id="allora-test-1",
        engine="solo",
        genesis_time_ns=T0,
        accounts=[("alice", ALICE_FUNDS), (OUTSIDER, 7)],
        min_gas_price=3,
        block_time_ms=250,
    )
    home = result.home
    config = load_node_config(home.path)
    assert config == result.config
    assert (config.chain_id, config.engine, config.min_gas_price, config.block_time_ms) == (
        "allora-test-1",
        "solo",
        3,
        250,
    )
    assert len({config.api_port, config.rpc_port, config.p2p_port}) == 3
    assert all(port > 0 for port in (config.api_port, config.rpc_port, config.p2p_port))

    genesis = load_genesis(home)
    assert genesis == result.genesis
    assert (genesis.chain_id, genesis.genesis_time_ns) == ("allora-test-1", T0)

    keyring = Keyring(home.keyring_dir, backend="test")
    names = {info.name: info.address for info in keyring.list_keys()}
    assert names["validator"] == result.validator_address
    balances = {
        entry["address"]: int(entry["coins"][0]["amount"])
        for entry in genesis.app_state["bank"]["balances"]
    }
    assert balances == {
        result.validator_address: DEFAULT_VALIDATOR_FUNDS,
        names["alice"]: ALICE_FUNDS,
        OUTSIDER: 7,
    }

    # the genesis validator is the consensus key in the CometBFT home layout
    key = read_consensus_key(config.resolve_cometbft_home(home.path))
    assert [v.pub_key for v in genesis.validators] == [key.public_key]
    assert result.validator_consensus_address == key.address_hex


def test_genesis_bonds_the_validator_and_applies_local_params(tmp_path: Path) -> None:
    result = _init(tmp_path / "home")
    genesis: GenesisDoc = result.genesis  # type: ignore[attr-defined]
    names = {module.name for module in compute_node_modules()}
    if "staking" in names:
        staking = genesis.app_state["staking"]
        (gentx,) = staking["gentxs"]
        assert gentx["operator_address"] == convert_address(
            result.validator_address,  # type: ignore[attr-defined]
            from_prefix=ACCOUNT_PREFIX,
            to_prefix=VALOPER_PREFIX,
        )
        assert gentx["self_bond"] == str(DEFAULT_SELF_BOND)
        reduction = int(staking["params"]["power_reduction"])
        assert genesis.validators[0].power == DEFAULT_SELF_BOND // reduction
    applied = 0
    for module, key, value in LOCAL_PARAMS:
        section = genesis.app_state.get(module)
        if isinstance(section, dict) and key in section.get("params", {}):
            assert section["params"][key] == value
            applied += 1
    if "emissions" in names:
        assert applied >= 2
        assert result.validator_address in genesis.app_state["emissions"]["core_team_addresses"]  # type: ignore[attr-defined]


def test_the_genesis_starts_a_chain_with_the_funded_accounts(tmp_path: Path) -> None:
    result = _init(tmp_path / "home")
    genesis: GenesisDoc = result.genesis  # type: ignore[attr-defined]
    app = App(MemoryCommittedStore(), modules=compute_node_modules())
    node = SoloNode(app, genesis)
    node.produce_block()
    answer = app.query(
        QueryRequest(
            path="/json/cosmos.bank.v1beta1.Query/Balance",
            data=json.dumps({"address": OUTSIDER, "denom": "uallo"}).encode(),
        )
    )
    assert answer.code == 0, answer.log
    assert json.loads(answer.value)["balance"]["amount"] == "7"


def test_init_refuses_an_existing_home_and_reserved_names(tmp_path: Path) -> None:
    _init(tmp_path / "home")
    with pytest.raises(NodeHomeError, match="already a node home"):
        _init(tmp_path / "home")
    with pytest.raises(NodeHomeError, match="reserved"):
        init_node_home(tmp_path / "other", engine="solo", accounts=[("validator", 5)])
    with pytest.raises(NodeHomeError, match="ports must differ"):
        init_node_home(tmp_path / "third", engine="solo", api_port=30001, rpc_port=30001)


def test_account_specs_and_files(tmp_path: Path) -> None:
    assert parse_account_spec("bob:12") == ("bob", 12)
    assert parse_account_spec(f"{OUTSIDER}:3") == (OUTSIDER, 3)
    for bad in ("bob", "bob:", ":5", "bob:-1", "bob:0", "bob:1.5"):
        with pytest.raises(NodeHomeError):
            parse_account_spec(bad)
    path = tmp_path / "accounts.json"
    path.write_text(
        json.dumps([{"name": "carol", "amount": "9"}, {"address": OUTSIDER, "amount": 4}])
    )
    assert read_accounts_file(path) == [("carol", 9), (OUTSIDER, 4)]
    path.write_text(json.dumps({"name": "carol"}))
    with pytest.raises(NodeHomeError, match="JSON list"):
        read_accounts_file(path)


def test_pick_ports_fills_free_distinct_ports() -> None:
    ports = pick_ports((None, 30555, None, None))
    assert ports[1] == 30555
    assert len(set(ports)) == 4


def test_local_params_only_touch_existing_keys() -> None:
    state: dict[str, Any] = {
        "staking": {"params": {"unbonding_time": "1814400s"}},
        "bank": {"balances": []},
    }
    patched = apply_local_params(state)
    assert patched["staking"]["params"]["unbonding_time"] != "1814400s"
    assert patched["bank"] == {"balances": []}
    assert "emissions" not in patched
    assert state["staking"]["params"]["unbonding_time"] == "1814400s"


def test_node_config_round_trip_and_validation() -> None:
    config = NodeConfig(
        chain_id='we"ird\\id', engine="solo", api_port=1, rpc_port=2, p2p_port=3, min_gas_price=5
    )
    assert NodeConfig.from_toml(config.to_toml()) == config
    with pytest.raises(NodeConfigError, match="engine"):
        NodeConfig.from_toml('engine = "geth"\n')
    with pytest.raises(NodeConfigError, match="port"):
        NodeConfig.from_toml("[api]\nport = 70000\n")
    with pytest.raises(NodeConfigError, match="type int"):
        NodeConfig.from_toml('min_gas_price = "1"\n')
    with pytest.raises(NodeConfigError, match="not valid TOML"):
        NodeConfig.from_toml("[[[")


def test_index_events_round_trip_and_refuse_malformed_entries() -> None:
    config = NodeConfig(index_events=("transfer.recipient", "emissions.v9.EventScoresSet.topic"))
    assert NodeConfig.from_toml(config.to_toml()) == config
    assert NodeConfig.from_toml("").index_events == ()
    assert 'events = ["transfer.recipient"' in config.to_toml()
    for bad in ("nodot", ".key", "type.", "a b.c", "type.k\\u0007"):
        text = config.to_toml().replace('"transfer.recipient"', f'"{bad}"')
        with pytest.raises(NodeConfigError, match="index.events"):
            NodeConfig.from_toml(text)
    with pytest.raises(NodeConfigError, match="list of strings"):
        NodeConfig.from_toml("[index]\nevents = [1]\n")
    with pytest.raises(NodeConfigError, match="type list"):
        NodeConfig.from_toml('[index]\nevents = "transfer.recipient"\n')
    with pytest.raises(NodeConfigError, match=r"\[index\] must be a table"):
        NodeConfig.from_toml("index = 3\n")


@pytest.mark.integration
def test_init_with_cometbft_writes_a_matching_cometbft_genesis(tmp_path: Path) -> None:
    try:
        binary = find_cometbft()
    except CometBftNotFoundError as exc:
        pytest.skip(f"INTEGRATION TESTS SKIPPED: {exc}")
    result = init_node_home(tmp_path / "home", genesis_time_ns=T0, cometbft_binary=binary)
    assert result.cometbft_ready
    assert result.config.engine == "cometbft"
    comet = result.config.resolve_cometbft_home(result.home.path)
    document = json.loads((comet / "config" / "genesis.json").read_text())
    assert document["chain_id"] == result.genesis.chain_id
    assert document["app_state"] == result.genesis.app_state
    assert document["genesis_time"] == "2026-01-01T00:00:00Z"
    key = ValidatorKey.from_key_json(
        json.loads((comet / "config" / "priv_validator_key.json").read_text())
    )
    assert (
        document["validators"][0]["pub_key"]["value"] == base64.b64encode(key.public_key).decode()
    )


def test_existing_keys_are_funded_and_a_failed_init_can_be_rerun(tmp_path: Path) -> None:
    home = tmp_path / "home"
    keyring = Keyring(home / "keyring", backend="test")
    info, _ = keyring.add("erin", passphrase=None)
    with pytest.raises(NodeHomeError, match="genesis is invalid"):
        init_node_home(home, engine="solo", accounts=[("erin", 10**28)])
    key_file = home / "cometbft" / "config" / "priv_validator_key.json"
    written = key_file.read_text()
    result = init_node_home(home, engine="solo", accounts=[("erin", 5)])
    assert key_file.read_text() == written
    funded = {account.name: account for account in result.accounts}
    assert funded["erin"].address == info.address and funded["erin"].amount == 5
    assert read_consensus_key(result.config.resolve_cometbft_home(home)).public_key == (
        result.genesis.validators[0].pub_key
    )
