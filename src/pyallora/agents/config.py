"""Agent configuration: one TOML file per worker or reputer (``allora worker|reputer run CONFIG``).

A configuration names the node, the signing key, where the agent keeps its state, and the
topics it works on; for each topic a worker names its models by import path and the data
source its models' context comes from, a reputer its ground-truth source and its stake
target. Relative paths are relative to the configuration file's directory.

Common keys (top level)::

    node = "http://127.0.0.1:38101"   # the node's API
    chain_id = "pyallora-local"       # optional: refuse a node of another chain
    state_dir = "worker-state"        # default: "<config stem>.state" beside the file
    gas = 500000                      # gas limit of each transaction
    fees = "0"                        # uallo per transaction (or gas_price = "0.1")
    poll_interval = 2.0               # seconds between polls when no event arrives
    python_path = ["."]               # directories added to sys.path for model imports

    [key]                             # exactly one source:
    keyring = "worker1"               #   a keyring entry (keyring_dir, keyring_backend,
                                      #   passphrase_file optional)
    # mnemonic_file / mnemonic_env / private_key_file / mnemonic (inline, test nets only)

A worker's topics::

    [[topics]]
    topic_id = 1
    history = 30                      # past ground-truth values in the context
    forecast_delay_blocks = 0         # >0: forecast in a later bundle, seeing inferences

    [topics.inferer]                  # "package.module:Name", called with kwargs
    model = "pyallora.agents.models:MovingAverageModel"
    kwargs = { window = 7 }

    [topics.forecaster]               # optional
    model = "pyallora.agents.models:EmaLossForecaster"

    [topics.data]                     # past truth (and features) for the context
    kind = "csv"                      # csv | http | callable | object
    path = "truth.csv"
    value_column = "value"

A reputer's topics::

    [[topics]]
    topic_id = 1
    stake_target = "1000000000000000000"   # uallo of self-stake to hold in the topic

    [topics.truth]                    # csv | http | callable | object
    kind = "http"
    url = "http://127.0.0.1:8000/truth/{topic_id}/{nonce}"
    json_path = "value"

    [topics.retry]                    # truth retries before the nonce is skipped
    attempts = 5
    delay = 2.0
    backoff = 2.0

Data and truth sources (:func:`build_data_source`): ``csv`` (``path``, ``value_column``,
``nonce_column``, ``topic_column``), ``http`` (``url``, ``json_path``, ``timeout``,
``headers``), ``callable`` (``callable = "pkg.mod:function"``, a ``function(topic_id, nonce)``)
and ``object`` (``object = "pkg.mod:Name"`` with ``kwargs``: anything with ``truth(topic_id,
nonce)``, optionally ``features(topic_id, nonce) -> {name: number}``).
"""

from __future__ import annotations

import importlib
import math
import os
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, Literal, Protocol, runtime_checkable

from pyallora.agents.context import AgentError, Forecaster, Inferer, TruthSource
from pyallora.agents.truth import (
    CallableTruthSource,
    CsvTruthSource,
    HttpJsonTruthSource,
    RetryPolicy,
)
from pyallora.client.keyring import BACKENDS, DEFAULT_KEYRING_DIR, Backend, Keyring
from pyallora.client.keys import PrivateKey
from pyallora.client.wallet import Wallet
from pyallora.core.errors import PyAlloraError

__all__ = [
    "DATA_SOURCE_KINDS",
    "AgentConfigError",
    "AgentSettings",
    "DataSource",
    "DataSourceSpec",
    "FeatureSource",
    "KeySpec",
    "ModelSpec",
    "ReputerConfig",
    "ReputerTopicConfig",
    "WorkerConfig",
    "WorkerTopicConfig",
    "build_data_source",
    "build_model",
    "extend_python_path",
    "get_features",
    "get_key_address",
    "import_object",
    "load_reputer_config",
    "load_wallet",
    "load_worker_config",
    "parse_reputer_config",
    "parse_worker_config",
]

DATA_SOURCE_KINDS: Final = ("csv", "http", "callable", "object")
"""Kinds of ``[topics.data]`` / ``[topics.truth]`` tables."""

DEFAULT_GAS: Final = 500_000
"""Gas limit of an agent's transactions unless configured."""

DEFAULT_POLL_INTERVAL: Final = 2.0
"""Seconds between polls of the node when the event stream is silent."""

DEFAULT_HISTORY: Final = 30
"""Past ground-truth values a worker's model context holds unless configured."""

_COMMON_KEYS: Final = frozenset(
    {
        "node",
        "chain_id",
        "state_dir",
        "gas",
        "fees",
        "gas_price",
        "poll_interval",
        "python_path",
        "key",
        "topics",
    }
)
_KEY_SOURCES: Final = ("keyring", "mnemonic_file", "mnemonic_env", "private_key_file", "mnemonic")


class AgentConfigError(AgentError, ValueError):
    """The configuration file is missing, not TOML, or has a wrong or missing entry."""


@runtime_checkable
class FeatureSource(Protocol):
    """A data source that also provides features for a model's context."""

    def features(self, topic_id: int, nonce: int) -> Mapping[str, float]:
        """Features of ``topic_id`` at ``nonce`` (name → number)."""
        ...


class DataSource(Protocol):
    """What ``[topics.data]`` and ``[topics.truth]`` build: a truth source (features are
    optional, see :class:`FeatureSource`)."""

    def truth(self, topic_id: int, nonce: int) -> float:
        """The ground truth of ``topic_id`` at ``nonce``."""
        ...


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True, kw_only=True)
class KeySpec:
    """Where the agent's signing key comes from (exactly one of the sources)."""

    keyring: str | None = None
    """Name of a keyring entry."""
    keyring_dir: Path = DEFAULT_KEYRING_DIR
    keyring_backend: Backend = "file"
    passphrase_file: Path | None = None
    mnemonic_file: Path | None = None
    """A file whose content is a BIP-39 mnemonic."""
    mnemonic_env: str | None = None
    """An environment variable holding a mnemonic."""
    private_key_file: Path | None = None
    """A file holding 64 hex digits."""
    mnemonic: str | None = field(default=None, repr=False)
    """An inline mnemonic (test networks only)."""
    account: int = 0
    index: int = 0

    def describe(self) -> str:
        """Where the key comes from, without secrets."""
        if self.keyring is not None:
            return f"keyring {self.keyring!r} ({self.keyring_backend}, {self.keyring_dir})"
        if self.mnemonic_file is not None:
            return f"mnemonic file {self.mnemonic_file}"
        if self.mnemonic_env is not None:
            return f"mnemonic from ${self.mnemonic_env}"
        if self.private_key_file is not None:
            return f"private key file {self.private_key_file}"
        return "inline mnemonic"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelSpec:
    """A model by import path: ``"package.module:Name"`` called with ``kwargs``."""

    target: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class DataSourceSpec:
    """A ``[topics.data]`` or ``[topics.truth]`` table."""

    kind: Literal["csv", "http", "callable", "object"]
    options: Mapping[str, Any] = field(default_factory=dict)
    """The table's other entries (paths already resolved)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentSettings:
    """What every agent needs: node, key, state directory, transaction costs, pacing."""

    node: str
    key: KeySpec
    state_dir: Path
    config_path: Path
    chain_id: str | None = None
    gas: int = DEFAULT_GAS
    fees: int = 0
    """uallo per transaction."""
    gas_price: Decimal | None = None
    """uallo per gas unit; the fee is ``ceil(gas × gas_price)`` when set."""
    poll_interval: float = DEFAULT_POLL_INTERVAL
    python_path: tuple[Path, ...] = ()

    def fee_for(self, gas: int) -> int:
        """The fee of a transaction with limit ``gas``."""
        if self.gas_price is None:
            return self.fees
        return int(math.ceil(Decimal(gas) * self.gas_price))


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerTopicConfig:
    """One topic of a worker."""

    topic_id: int
    inferer: ModelSpec | None = None
    forecaster: ModelSpec | None = None
    data: DataSourceSpec | None = None
    history: int = DEFAULT_HISTORY
    forecast_delay_blocks: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerConfig:
    """A worker's configuration file."""

    settings: AgentSettings
    topics: tuple[WorkerTopicConfig, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReputerTopicConfig:
    """One topic of a reputer."""

    topic_id: int
    truth: DataSourceSpec
    stake_target: int = 0
    """uallo of self-stake to hold in the topic (0: do not add stake)."""
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(attempts=5, delay=2.0))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReputerConfig:
    """A reputer's configuration file."""

    settings: AgentSettings
    topics: tuple[ReputerTopicConfig, ...]


# ---------------------------------------------------------------------------------------------
# Parsing helpers


def _where(section: str, key: str) -> str:
    return f"{section}.{key}" if section else key


def _take_int(
    table: Mapping[str, Any], key: str, section: str, *, default: int | None, minimum: int = 0
) -> int:
    value = table.get(key, default)
    if value is None:
        raise AgentConfigError(f"{_where(section, key)} is required")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise AgentConfigError(f"{_where(section, key)} must be an integer, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise AgentConfigError(
            f"{_where(section, key)} must be an integer, got {value!r}"
        ) from None
    if number < minimum:
        raise AgentConfigError(f"{_where(section, key)} must be at least {minimum}, got {number}")
    return number


def _take_float(
    table: Mapping[str, Any], key: str, section: str, *, default: float, minimum: float = 0.0
) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AgentConfigError(f"{_where(section, key)} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < minimum:
        raise AgentConfigError(f"{_where(section, key)} must be a number ≥ {minimum}")
    return number


def _take_str(table: Mapping[str, Any], key: str, section: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise AgentConfigError(f"{_where(section, key)} must be a non-empty string")
    return value


def _take_path(table: Mapping[str, Any], key: str, section: str, base: Path) -> Path | None:
    text = _take_str(table, key, section)
    if text is None:
        return None
    path = Path(text).expanduser()
    return path if path.is_absolute() else base / path


def _take_table(table: Mapping[str, Any], key: str, section: str) -> Mapping[str, Any] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise AgentConfigError(f"{_where(section, key)} must be a table")
    return value


def _check_known(table: Mapping[str, Any], known: frozenset[str], section: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        where = f"[{section}]" if section else "the top level"
        raise AgentConfigError(
            f"unknown entries {unknown} in {where}; expected some of {sorted(known)}"
        )


def _parse_uallo(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise AgentConfigError(f"{where} must be an amount in uallo, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().removesuffix("uallo").isdigit():
        number = int(value.strip().removesuffix("uallo"))
    else:
        raise AgentConfigError(f"{where} must be an amount in uallo (digits), got {value!r}")
    if number < 0:
        raise AgentConfigError(f"{where} must not be negative")
    return number


def _parse_key(table: Mapping[str, Any] | None, base: Path) -> KeySpec:
    if table is None:
        raise AgentConfigError('the [key] table is required (e.g. keyring = "name")')
    known = frozenset(
        {*_KEY_SOURCES, "keyring_dir", "keyring_backend", "passphrase_file", "account", "index"}
    )
    _check_known(table, known, "key")
    given = [name for name in _KEY_SOURCES if table.get(name) is not None]
    if len(given) != 1:
        raise AgentConfigError(
            f"[key] needs exactly one of {', '.join(_KEY_SOURCES)}; got {given or 'none'}"
        )
    backend = table.get("keyring_backend", "file")
    if backend not in BACKENDS:
        raise AgentConfigError(f"key.keyring_backend must be one of {BACKENDS}, got {backend!r}")
    keyring_dir = _take_path(table, "keyring_dir", "key", base) or DEFAULT_KEYRING_DIR
    return KeySpec(
        keyring=_take_str(table, "keyring", "key"),
        keyring_dir=keyring_dir,
        keyring_backend=backend,
        passphrase_file=_take_path(table, "passphrase_file", "key", base),
        mnemonic_file=_take_path(table, "mnemonic_file", "key", base),
        mnemonic_env=_take_str(table, "mnemonic_env", "key"),
        private_key_file=_take_path(table, "private_key_file", "key", base),
        mnemonic=_take_str(table, "mnemonic", "key"),
        account=_take_int(table, "account", "key", default=0),
        index=_take_int(table, "index", "key", default=0),
    )


def _parse_model(table: Mapping[str, Any] | None, section: str) -> ModelSpec | None:
    if table is None:
        return None
    _check_known(table, frozenset({"model", "kwargs"}), section)
    target = _take_str(table, "model", section)
    if target is None or ":" not in target:
        raise AgentConfigError(
            f'{section}.model must be an import path "package.module:Name", got {target!r}'
        )
    kwargs = _take_table(table, "kwargs", section) or {}
    return ModelSpec(target=target, kwargs=dict(kwargs))


def _parse_source(
    table: Mapping[str, Any] | None, section: str, base: Path
) -> DataSourceSpec | None:
    if table is None:
        return None
    kind = table.get("kind")
    if kind not in DATA_SOURCE_KINDS:
        raise AgentConfigError(f"{section}.kind must be one of {DATA_SOURCE_KINDS}, got {kind!r}")
    allowed = {
        "csv": {"path", "value_column", "nonce_column", "topic_column"},
        "http": {"url", "json_path", "timeout", "headers"},
        "callable": {"callable"},
        "object": {"object", "kwargs"},
    }[kind]
    _check_known(table, frozenset({"kind", *allowed}), section)
    options = {key: value for key, value in table.items() if key != "kind"}
    required = {"csv": ("path", "value_column"), "http": ("url",)}.get(kind, (kind,))
    for name in required:
        if _take_str(table, name, section) is None:
            raise AgentConfigError(f"{section}.{name} is required for kind = {kind!r}")
    if kind == "csv":
        options["path"] = _take_path(table, "path", section, base)
    return DataSourceSpec(kind=kind, options=options)


def _parse_retry(table: Mapping[str, Any] | None, section: str) -> RetryPolicy:
    if table is None:
        return RetryPolicy(attempts=5, delay=2.0)
    _check_known(table, frozenset({"attempts", "delay", "backoff"}), section)
    return RetryPolicy(
        attempts=_take_int(table, "attempts", section, default=5, minimum=1),
        delay=_take_float(table, "delay", section, default=2.0),
        backoff=_take_float(table, "backoff", section, default=2.0),
    )


def _parse_settings(data: Mapping[str, Any], path: Path, role: str) -> AgentSettings:
    base = path.parent
    node = _take_str(data, "node", "")
    if node is None or not node.startswith(("http://", "https://")):
        raise AgentConfigError(f"node must be the node's API URL (http://...), got {node!r}")
    fees = _parse_uallo(data.get("fees", 0), "fees")
    gas_price: Decimal | None = None
    if data.get("gas_price") is not None:
        try:
            gas_price = Decimal(str(data["gas_price"]))
        except InvalidOperation:
            raise AgentConfigError(
                f"gas_price must be a number, got {data['gas_price']!r}"
            ) from None
        if not gas_price.is_finite() or gas_price < 0:
            raise AgentConfigError("gas_price must be a non-negative number")
    python_path = data.get("python_path", ["."])
    if not isinstance(python_path, list) or not all(isinstance(p, str) for p in python_path):
        raise AgentConfigError("python_path must be a list of directories")
    state_dir = _take_path(data, "state_dir", "", base) or base / f"{path.stem}.state"
    chain_id = _take_str(data, "chain_id", "")
    return AgentSettings(
        node=node.rstrip("/"),
        key=_parse_key(_take_table(data, "key", ""), base),
        state_dir=state_dir,
        config_path=path,
        chain_id=chain_id,
        gas=_take_int(data, "gas", "", default=DEFAULT_GAS, minimum=1),
        fees=fees,
        gas_price=gas_price,
        poll_interval=_take_float(data, "poll_interval", "", default=DEFAULT_POLL_INTERVAL),
        python_path=tuple(
            (Path(p).expanduser() if Path(p).expanduser().is_absolute() else base / p)
            for p in python_path
        ),
    )


def _topic_tables(data: Mapping[str, Any], role: str) -> list[Mapping[str, Any]]:
    topics = data.get("topics")
    if not isinstance(topics, list) or not topics:
        raise AgentConfigError(f"a {role} needs at least one [[topics]] table")
    if not all(isinstance(t, Mapping) for t in topics):
        raise AgentConfigError("every [[topics]] entry must be a table")
    ids = [t.get("topic_id") for t in topics]
    if len(set(map(str, ids))) != len(ids):
        raise AgentConfigError(f"a topic appears twice in [[topics]]: {ids}")
    return topics


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise AgentConfigError(f"configuration file {path} not found") from None
    except OSError as exc:
        raise AgentConfigError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise AgentConfigError(f"{path} is not valid TOML: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Loading


def parse_worker_config(data: Mapping[str, Any], path: Path) -> WorkerConfig:
    """A :class:`WorkerConfig` from parsed TOML (``path``: the file, for relative paths).

    Raises
    ------
    AgentConfigError
        For a missing or wrong entry (the message names it).
    """
    _check_known(data, _COMMON_KEYS, "")
    settings = _parse_settings(data, path, "worker")
    topics = []
    known = frozenset({"topic_id", "inferer", "forecaster", "data", "history",
                       "forecast_delay_blocks"})  # fmt: skip
    for table in _topic_tables(data, "worker"):
        section = f"topics[{table.get('topic_id')}]"
        _check_known(table, known, section)
        topic = WorkerTopicConfig(
            topic_id=_take_int(table, "topic_id", section, default=None, minimum=1),
            inferer=_parse_model(_take_table(table, "inferer", section), f"{section}.inferer"),
            forecaster=_parse_model(
                _take_table(table, "forecaster", section), f"{section}.forecaster"
            ),
            data=_parse_source(_take_table(table, "data", section), f"{section}.data", path.parent),
            history=_take_int(table, "history", section, default=DEFAULT_HISTORY),
            forecast_delay_blocks=_take_int(table, "forecast_delay_blocks", section, default=0),
        )
        if topic.inferer is None and topic.forecaster is None:
            raise AgentConfigError(f"{section} needs an [inferer] or a [forecaster] model")
        topics.append(topic)
    return WorkerConfig(settings=settings, topics=tuple(topics))


def parse_reputer_config(data: Mapping[str, Any], path: Path) -> ReputerConfig:
    """A :class:`ReputerConfig` from parsed TOML (``path``: the file, for relative paths).

    Raises
    ------
    AgentConfigError
        For a missing or wrong entry (the message names it).
    """
    _check_known(data, _COMMON_KEYS, "")
    settings = _parse_settings(data, path, "reputer")
    topics = []
    known = frozenset({"topic_id", "truth", "stake_target", "retry"})
    for table in _topic_tables(data, "reputer"):
        section = f"topics[{table.get('topic_id')}]"
        _check_known(table, known, section)
        truth = _parse_source(_take_table(table, "truth", section), f"{section}.truth", path.parent)
        if truth is None:
            raise AgentConfigError(f"{section} needs a [truth] source")
        topics.append(
            ReputerTopicConfig(
                topic_id=_take_int(table, "topic_id", section, default=None, minimum=1),
                truth=truth,
                stake_target=_parse_uallo(table.get("stake_target", 0), f"{section}.stake_target"),
                retry=_parse_retry(_take_table(table, "retry", section), f"{section}.retry"),
            )
        )
    return ReputerConfig(settings=settings, topics=tuple(topics))


def load_worker_config(path: str | Path) -> WorkerConfig:
    """Read and check a worker's TOML file.

    Raises
    ------
    AgentConfigError
        If the file is missing, not TOML, or wrong.
    """
    resolved = Path(path).expanduser().resolve()
    return parse_worker_config(_read_toml(resolved), resolved)


def load_reputer_config(path: str | Path) -> ReputerConfig:
    """Read and check a reputer's TOML file.

    Raises
    ------
    AgentConfigError
        If the file is missing, not TOML, or wrong.
    """
    resolved = Path(path).expanduser().resolve()
    return parse_reputer_config(_read_toml(resolved), resolved)


# ---------------------------------------------------------------------------------------------
# Building the objects a configuration names


def extend_python_path(directories: Sequence[Path]) -> None:
    """Put the configured directories at the front of ``sys.path`` (once each)."""
    for directory in reversed(directories):
        text = str(directory)
        if text not in sys.path:
            sys.path.insert(0, text)


def import_object(target: str) -> Any:
    """The object at ``"package.module:Name"`` (``Name`` may be dotted: ``Outer.Inner``).

    Raises
    ------
    AgentConfigError
        If the module cannot be imported or has no such attribute.
    """
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise AgentConfigError(f'import path must be "package.module:Name", got {target!r}')
    try:
        current: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise AgentConfigError(f"cannot import {module_name!r} (for {target}): {exc}") from exc
    for part in attribute.split("."):
        try:
            current = getattr(current, part)
        except AttributeError:
            raise AgentConfigError(f"{module_name!r} has no attribute {attribute!r}") from None
    return current


def build_model(spec: ModelSpec, role: Literal["inferer", "forecaster"]) -> Inferer | Forecaster:
    """Instantiate a model: call the imported class or factory with ``kwargs`` (an imported
    ready object is used as is when no kwargs are given).

    Raises
    ------
    AgentConfigError
        If it cannot be built or lacks ``infer`` (inferers) / ``forecast`` (forecasters).
    """
    found = import_object(spec.target)
    method = "infer" if role == "inferer" else "forecast"
    if callable(getattr(found, method, None)) and not isinstance(found, type) and not spec.kwargs:
        model = found
    elif callable(found):
        try:
            model = found(**dict(spec.kwargs))
        except Exception as exc:
            raise AgentConfigError(f"cannot build {spec.target}: {exc!r}") from exc
    else:
        raise AgentConfigError(f"{spec.target} is neither a model nor callable")
    if not callable(getattr(model, method, None)):
        raise AgentConfigError(f"{spec.target} has no {method}(context) method: not an {role}")
    result: Inferer | Forecaster = model
    return result


def build_data_source(spec: DataSourceSpec) -> DataSource:
    """The truth source (possibly with features) a ``[topics.data]``/``[topics.truth]`` names.

    Raises
    ------
    AgentConfigError
        If the source cannot be built.
    """
    options = dict(spec.options)
    if spec.kind == "csv":
        return CsvTruthSource(
            Path(options["path"]),
            value_column=str(options["value_column"]),
            nonce_column=str(options.get("nonce_column", "nonce")),
            topic_column=options.get("topic_column"),
        )
    if spec.kind == "http":
        headers = options.get("headers") or {}
        if not isinstance(headers, Mapping):
            raise AgentConfigError("http source headers must be a table")
        return HttpJsonTruthSource(
            str(options["url"]),
            json_path=str(options.get("json_path", "")),
            timeout=float(options.get("timeout", 10.0)),
            headers={str(k): str(v) for k, v in headers.items()},
        )
    if spec.kind == "callable":
        function = import_object(str(options["callable"]))
        if not callable(function):
            raise AgentConfigError(f"{options['callable']} is not callable")
        return CallableTruthSource(function)
    found = import_object(str(options["object"]))
    kwargs = options.get("kwargs") or {}
    source: Any = found(**dict(kwargs)) if isinstance(found, type) or kwargs else found
    if not isinstance(source, TruthSource):
        raise AgentConfigError(f"{options['object']} has no truth(topic_id, nonce) method")
    result: DataSource = source
    return result


def get_features(source: object, topic_id: int, nonce: int) -> Mapping[str, float] | None:
    """The source's features at ``nonce`` when it provides any (``None`` otherwise)."""
    if isinstance(source, FeatureSource):
        return source.features(topic_id, nonce)
    return None


def load_wallet(spec: KeySpec, *, environ: Mapping[str, str] | None = None) -> Wallet:
    """The signing wallet a ``[key]`` table names.

    Raises
    ------
    AgentConfigError
        If the key cannot be read (missing file or variable, bad mnemonic or key).
    """
    env = os.environ if environ is None else environ
    try:
        if spec.keyring is not None:
            return Wallet.from_keyring(
                spec.keyring,
                keyring_dir=spec.keyring_dir,
                backend=spec.keyring_backend,
                passphrase_file=spec.passphrase_file,
            )
        if spec.private_key_file is not None:
            text = spec.private_key_file.read_text(encoding="utf-8").strip()
            return Wallet(PrivateKey.from_hex(text))
        if spec.mnemonic_file is not None:
            words = spec.mnemonic_file.read_text(encoding="utf-8").strip()
        elif spec.mnemonic_env is not None:
            if spec.mnemonic_env not in env:
                raise AgentConfigError(f"environment variable {spec.mnemonic_env} is not set")
            words = env[spec.mnemonic_env].strip()
        else:
            words = spec.mnemonic or ""
        return Wallet.from_mnemonic(words, spec.account, spec.index)
    except AgentConfigError:
        raise
    except OSError as exc:
        raise AgentConfigError(f"cannot read the key ({spec.describe()}): {exc}") from exc
    except (PyAlloraError, ValueError) as exc:
        # Keyring errors (missing entry, wrong passphrase) and key material errors.
        raise AgentConfigError(f"cannot load the key ({spec.describe()}): {exc}") from exc


def get_key_address(spec: KeySpec, *, environ: Mapping[str, str] | None = None) -> str:
    """The address of the configured key, without a passphrase for keyring entries.

    Raises
    ------
    AgentConfigError
        If the key cannot be found or read.
    """
    if spec.keyring is not None:
        try:
            return (
                Keyring(spec.keyring_dir, backend=spec.keyring_backend).show(spec.keyring).address
            )
        except PyAlloraError as exc:
            raise AgentConfigError(f"cannot find the key ({spec.describe()}): {exc}") from exc
    return load_wallet(spec, environ=environ).address
