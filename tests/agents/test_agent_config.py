"""Agent configuration files: the shipped examples load, every key source works, and mistakes
are reported with the entry's name."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import agent_models
import pytest

from pyallora.agents.config import (
    AgentConfigError,
    DataSourceSpec,
    ModelSpec,
    build_data_source,
    build_model,
    get_key_address,
    load_reputer_config,
    load_wallet,
    load_worker_config,
)
from pyallora.agents.models import EmaLossForecaster, LinearLagModel
from pyallora.agents.truth import CsvTruthSource, HttpJsonTruthSource, TruthNotAvailableError
from pyallora.client.keyring import Keyring
from pyallora.client.keys import PrivateKey, generate_mnemonic

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

MINIMAL = """
node = "http://127.0.0.1:1"
[key]
mnemonic_env = "AGENT_TEST_MNEMONIC"
[[topics]]
topic_id = 3
[topics.inferer]
model = "pyallora.agents.models:PersistenceModel"
"""


def test_the_example_worker_configuration_loads_and_builds_its_models() -> None:
    config = load_worker_config(EXAMPLES / "worker.toml")
    settings = config.settings
    assert settings.node == "http://127.0.0.1:38101"
    assert settings.chain_id == "pyallora-local"
    assert settings.state_dir == EXAMPLES / "worker1.state"
    assert (settings.gas, settings.fees, settings.poll_interval) == (500_000, 0, 2.0)
    assert settings.key.keyring == "worker1" and settings.key.keyring_backend == "test"
    assert settings.python_path == (EXAMPLES / ".",)
    [topic] = config.topics
    assert (topic.topic_id, topic.history, topic.forecast_delay_blocks) == (1, 30, 2)
    assert topic.inferer == ModelSpec(
        target="pyallora.agents.models:LinearLagModel", kwargs={"lags": 3, "window": 200}
    )
    inferer = build_model(topic.inferer, "inferer")
    assert isinstance(inferer, LinearLagModel) and (inferer.lags, inferer.window) == (3, 200)
    assert topic.forecaster is not None
    forecaster = build_model(topic.forecaster, "forecaster")
    assert isinstance(forecaster, EmaLossForecaster) and forecaster.alpha == 0.2
    assert topic.data is not None
    source = build_data_source(topic.data)
    assert isinstance(source, CsvTruthSource)
    assert topic.data.options["path"] == EXAMPLES / "truth.csv"


def test_the_example_reputer_configuration_loads() -> None:
    config = load_reputer_config(EXAMPLES / "reputer.toml")
    [topic] = config.topics
    assert topic.stake_target == 10**18
    assert (topic.retry.attempts, topic.retry.delay, topic.retry.backoff) == (5, 2.0, 2.0)
    source = build_data_source(topic.truth)
    assert isinstance(source, HttpJsonTruthSource)
    assert config.settings.state_dir == EXAMPLES / "reputer1.state"


def test_fees_from_a_gas_price_round_up(tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text('gas_price = "0.25"\ngas = 1001\n' + MINIMAL)
    settings = load_worker_config(path).settings
    assert settings.gas_price == Decimal("0.25")
    assert settings.fee_for(1001) == 251  # ceil(250.25)
    assert settings.state_dir == tmp_path / "w.state"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("[key]\nmnemonic_env", "[nokey]\nx"), "unknown entries"),
        (lambda t: t.replace('mnemonic_env = "AGENT_TEST_MNEMONIC"', ""), "exactly one of"),
        (
            lambda t: t.replace("[key]\n", '[key]\nprivate_key_file = "k"\n'),
            "exactly one of",
        ),
        (lambda t: t.replace("http://127.0.0.1:1", "127.0.0.1:1"), "node must be"),
        (lambda t: t.replace(":PersistenceModel", ".PersistenceModel"), "import path"),
        (lambda t: t.replace("topic_id = 3", "topic_id = 0"), "at least 1"),
        (lambda t: t.replace("[topics.inferer]", "[topics.other]"), "unknown entries"),
        (lambda t: t.replace("topic_id = 3", "topic_id = 3\nhistory = -1"), "at least 0"),
        (lambda t: t + '[topics.data]\nkind = "ftp"\n', "kind must be one of"),
        (lambda t: t + '[topics.data]\nkind = "csv"\npath = "x.csv"\n', "value_column"),
        (lambda t: t + "[[topics]]\ntopic_id = 3\n", "appears twice"),
        (lambda t: t.replace("topic_id = 3", "topic_id = 3\n["), "not valid TOML"),
    ],
)
def test_configuration_mistakes_name_the_entry(tmp_path: Path, edit: object, message: str) -> None:
    path = tmp_path / "w.toml"
    path.write_text(edit(MINIMAL))  # type: ignore[operator]
    with pytest.raises(AgentConfigError, match=message):
        load_worker_config(path)


def test_a_reputer_topic_needs_a_truth_source_and_a_worker_topic_a_model(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(
        MINIMAL.replace('[topics.inferer]\nmodel = "pyallora.agents.models:PersistenceModel"\n', "")
    )
    with pytest.raises(AgentConfigError, match="needs a \\[truth\\] source"):
        load_reputer_config(path)
    with pytest.raises(AgentConfigError, match="needs an \\[inferer\\] or a \\[forecaster\\]"):
        load_worker_config(path)
    with pytest.raises(AgentConfigError, match="not found"):
        load_worker_config(tmp_path / "missing.toml")


def test_models_are_checked_when_built() -> None:
    with pytest.raises(AgentConfigError, match="cannot import"):
        build_model(ModelSpec(target="no_such_module_xyz:Model"), "inferer")
    with pytest.raises(AgentConfigError, match="has no attribute"):
        build_model(ModelSpec(target="pyallora.agents.models:Nope"), "inferer")
    with pytest.raises(AgentConfigError, match="not an inferer"):
        build_model(ModelSpec(target="pyallora.agents.models:EmaLossForecaster"), "inferer")
    with pytest.raises(AgentConfigError, match="cannot build"):
        build_model(
            ModelSpec(target="pyallora.agents.models:MovingAverageModel", kwargs={"window": 0}),
            "inferer",
        )


def test_every_key_source_gives_the_same_wallet(tmp_path: Path) -> None:
    words = generate_mnemonic()
    expected = PrivateKey.from_mnemonic(words).address
    (tmp_path / "words.txt").write_text(words + "\n")
    keyring = Keyring(tmp_path / "keyring", backend="test")
    keyring.add("agent", passphrase=None, mnemonic=words)
    sources = {
        "mnemonic_file": '"words.txt"',
        "mnemonic_env": '"AGENT_TEST_MNEMONIC"',
        "mnemonic": f'"{words}"',
        "keyring": '"agent"\nkeyring_backend = "test"\nkeyring_dir = "keyring"',
    }
    for name, value in sources.items():
        path = tmp_path / f"{name}.toml"
        path.write_text(
            MINIMAL.replace('mnemonic_env = "AGENT_TEST_MNEMONIC"', f"{name} = {value}")
        )
        spec = load_worker_config(path).settings.key
        environ = {"AGENT_TEST_MNEMONIC": words}
        assert load_wallet(spec, environ=environ).address == expected, name
        assert get_key_address(spec, environ=environ) == expected, name
    key = PrivateKey.generate()
    (tmp_path / "raw.key").write_text(key.to_hex())
    path = tmp_path / "raw.toml"
    path.write_text(
        MINIMAL.replace('mnemonic_env = "AGENT_TEST_MNEMONIC"', 'private_key_file = "raw.key"')
    )
    assert load_wallet(load_worker_config(path).settings.key).address == key.address


def test_unreadable_keys_are_configuration_errors(tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text(MINIMAL)
    spec = load_worker_config(path).settings.key
    with pytest.raises(AgentConfigError, match="AGENT_TEST_MNEMONIC is not set"):
        load_wallet(spec, environ={})
    with pytest.raises(AgentConfigError, match="cannot load the key"):
        load_wallet(spec, environ={"AGENT_TEST_MNEMONIC": "not a mnemonic"})
    path.write_text(
        MINIMAL.replace(
            'mnemonic_env = "AGENT_TEST_MNEMONIC"',
            'keyring = "ghost"\nkeyring_backend = "test"\nkeyring_dir = "kr"',
        )
    )
    with pytest.raises(AgentConfigError, match="ghost"):
        get_key_address(load_worker_config(path).settings.key)


def test_callable_and_object_sources_are_imported_by_path() -> None:
    source = build_data_source(
        DataSourceSpec(kind="callable", options={"callable": "agent_models:truth_from_table"})
    )
    agent_models.TRUTHS[(1, 10)] = 3.25
    try:
        assert source.truth(1, 10) == 3.25
        with pytest.raises(TruthNotAvailableError):
            source.truth(1, 20)
    finally:
        agent_models.TRUTHS.clear()
    squares = build_data_source(
        DataSourceSpec(
            kind="object", options={"object": "agent_models:SquaresSource", "kwargs": {"offset": 1}}
        )
    )
    assert squares.truth(1, 10) == 2.0
    with pytest.raises(AgentConfigError, match="no truth"):
        build_data_source(
            DataSourceSpec(kind="object", options={"object": "agent_models:ConstantModel"})
        )
