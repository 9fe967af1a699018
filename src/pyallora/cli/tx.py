"""``allora tx``: sign transactions with a keyring key and broadcast them to a running node.

Every command signs with ``FROM_KEY`` (a keyring name, or the address of a keyring key) and
sends through the node's API (``--node URL``, or the node running from ``--home``; see
:mod:`pyallora.cli.query`). The account number and sequence come from the node; a sequence
mismatch is retried once (:class:`~pyallora.client.client.Client`). Without ``--wait`` the
command returns once the node's CheckTx accepted the tx (printing its hash); with ``--wait``
it returns once the tx is in a block (printing the height and result). A refused or failed tx
exits with status 1 after printing its code and log.

Keys: ``--keyring-dir`` (default: ``<home>/keyring``, i.e. ``~/.pyallora/keyring``) and
``--keyring-backend`` (default: whichever of ``file`` and ``test`` holds the key).

==================================================  =======================================
command                                             message
==================================================  =======================================
``bank send FROM_KEY TO AMOUNT``                    ``cosmos.bank.v1beta1.MsgSend``
``staking create-validator FROM_KEY --amount A``    ``MsgCreateValidator``
``staking delegate FROM_KEY VAL AMOUNT``            ``MsgDelegate``
``staking unbond|undelegate FROM_KEY VAL AMOUNT``   ``MsgUndelegate``
``staking redelegate FROM_KEY SRC DST AMOUNT``      ``MsgBeginRedelegate``
``distribution withdraw-rewards FROM_KEY VAL``      ``MsgWithdrawDelegatorReward``
``slashing unjail FROM_KEY``                        ``MsgUnjail``
``emissions <command> FROM_KEY ...``                an ``emissions.v5`` request (below)
``send-msgs FROM_KEY JSON``                         any messages, as proto-JSON with ``@type``
``broadcast FILE``                                  an already signed tx (base64 or binary)
==================================================  =======================================

``emissions`` commands, one per message of PROTOCOL.md §3: ``create-topic``, ``register``,
``unregister`` (``remove-registration``), ``add-stake``, ``remove-stake``, ``cancel-remove-stake``,
``delegate-stake``, ``reward-delegate-stake``, ``remove-delegate-stake``,
``cancel-remove-delegate-stake``, ``fund-topic``, ``add-to-whitelist-admin`` (``add-admin``),
``remove-from-whitelist-admin`` (``remove-admin``), ``update-params --set NAME=VALUE ...``,
``insert-worker-payload`` and ``insert-reputer-payload``. The payload commands sign their
bundle with the worker's or reputer's key (:mod:`pyallora.agents.payloads`), so the chain's
signature check accepts it.

``create-validator`` takes the consensus public key with ``--pubkey`` (base64 of the 32-byte
ed25519 key), or reads it from ``priv_validator_key.json`` of the node home given by
``--home``. Commission rates are decimals (``0.1`` is 10 %).

``AMOUNT`` is uallo: ``1000``, ``1000uallo``, or whole tokens ``2.5allo``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.crypto.ed25519 import keys_pb2 as ed25519_keys
from cosmpy.protos.cosmos.distribution.v1beta1 import tx_pb2 as distribution_tx
from cosmpy.protos.cosmos.slashing.v1beta1 import tx_pb2 as slashing_tx
from cosmpy.protos.cosmos.staking.v1beta1 import staking_pb2
from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as staking_tx
from google.protobuf import any_pb2, descriptor, descriptor_pool, json_format, message_factory
from google.protobuf.message import Message

from pyallora.cli.query import (
    CliNodeError,
    account_address,
    add_node_options,
    open_client,
    print_output,
)
from pyallora.client.keyring import BACKENDS, Backend, Keyring, KeyringError
from pyallora.core.amounts import DENOM, UALLO_PER_ALLO
from pyallora.core.crypto import (
    ACCOUNT_PREFIX,
    ED25519_PUBKEY_LENGTH,
    VALOPER_PREFIX,
    convert_address,
    is_valid_address,
)
from pyallora.core.legacy_dec import LegacyDecError, parse_legacy_dec_json
from pyallora.node.config import NodeConfigError, load_node_config, resolve_home
from pyallora.proto.emissions.v3 import types_pb2 as emissions_types
from pyallora.proto.emissions.v5 import tx_pb2 as emissions_tx
from pyallora.proto.mint.v2 import tx_pb2 as mint_tx

if TYPE_CHECKING:
    from pyallora.client.errors import TxError
    from pyallora.client.types import BroadcastResult, TxInfo
    from pyallora.client.wallet import Wallet

DEFAULT_GAS: Final = 200_000
"""Gas limit when ``--gas`` is not given."""

KNOWN_MESSAGE_MODULES: Final = (
    bank_tx,
    staking_tx,
    distribution_tx,
    slashing_tx,
    emissions_tx,
    mint_tx,
)
"""Modules whose messages ``send-msgs`` can build (imported so the descriptor pool has them)."""


def parse_amount_text(text: str) -> int:
    """uallo of ``1000``, ``1000uallo`` or ``2.5allo``.

    Raises
    ------
    CliNodeError
        For anything else (or a fraction of a uallo).

    >>> parse_amount_text("2.5allo"), parse_amount_text("7uallo"), parse_amount_text("9")
    (2500000000000000000, 7, 9)
    """
    value = text.strip().lower()
    if value.endswith(DENOM):
        value = value[: -len(DENOM)]
    elif value.endswith("allo"):
        whole, _, fraction = value[:-4].partition(".")
        if (
            not whole.isdigit()
            or (fraction and not fraction.isdigit())
            or len(fraction) > 18
            or not whole.isascii()
        ):
            raise CliNodeError(f"invalid amount {text!r}")
        return int(whole) * UALLO_PER_ALLO + int((fraction or "0").ljust(18, "0"))
    if not value.isascii() or not value.isdigit():
        raise CliNodeError(f"invalid amount {text!r}: use 1000, 1000uallo or 2.5allo")
    return int(value)


def _coin(amount: int) -> coin_pb2.Coin:
    return coin_pb2.Coin(denom=DENOM, amount=str(amount))


def _keyring_dir(args: argparse.Namespace) -> Path:
    if args.keyring_dir is not None:
        return Path(args.keyring_dir).expanduser()
    return resolve_home(args.home) / "keyring"


def load_wallet(args: argparse.Namespace, name_or_address: str) -> Wallet:
    """The signing wallet of ``FROM_KEY`` (module docstring).

    Raises
    ------
    KeyringError
        If no keyring holds the key.
    """
    from pyallora.client.wallet import Wallet

    directory = _keyring_dir(args)
    backends: Sequence[Backend] = (
        (args.keyring_backend,) if args.keyring_backend else ("file", "test")
    )
    for backend in backends:
        keyring = Keyring(directory, backend=backend)
        name = name_or_address
        if is_valid_address(name_or_address):
            matches = [k.name for k in keyring.list_keys() if k.address == name_or_address]
            if not matches:
                continue
            name = matches[0]
        elif not (keyring.path / f"{name}.json").exists():
            continue
        if backend == "test":
            print("WARNING: keyring backend 'test' stores keys UNENCRYPTED", file=sys.stderr)
        return Wallet.from_keyring(
            name,
            keyring_dir=directory,
            backend=backend,
            passphrase_file=args.passphrase_file,
        )
    raise KeyringError(
        f"no key {name_or_address!r} in {directory} (backends: {', '.join(backends)})"
    )


def _print_result(args: argparse.Namespace, result: BroadcastResult | TxInfo) -> None:
    from pyallora.client.types import TxInfo

    if isinstance(result, TxInfo):
        data = {
            "tx_hash": result.hash,
            "height": result.height,
            "code": result.result.code,
            "codespace": result.result.codespace,
            "log": result.result.log,
            "gas_wanted": result.result.gas_wanted,
            "gas_used": result.result.gas_used,
        }
    else:
        data = {
            "tx_hash": result.tx_hash,
            "height": None,
            "code": result.check.code,
            "codespace": result.check.codespace,
            "log": result.check.log,
            "gas_wanted": result.check.gas_wanted,
            "gas_used": result.check.gas_used,
        }
    print_output(
        args,
        data,
        lambda d: "\n".join(f"{key}: {'' if d[key] is None else d[key]}" for key in d),
    )


def _print_error(args: argparse.Namespace, error: TxError) -> int:
    from pyallora.client.errors import TxFailedError

    data = {
        "tx_hash": error.tx_hash,
        "height": error.height if isinstance(error, TxFailedError) else None,
        "code": error.code,
        "codespace": error.codespace,
        "log": error.log,
        "gas_wanted": error.gas_wanted,
        "gas_used": error.gas_used,
    }
    if args.output == "json":
        print(json.dumps(data, sort_keys=True))
    print(f"error: {error}", file=sys.stderr)
    return 1


def send_messages(
    args: argparse.Namespace, from_key: str, build: Callable[[Wallet], Sequence[Message]]
) -> int:
    """Sign the messages ``build(wallet)`` returns with ``from_key``; broadcast; print."""
    from pyallora.client.errors import TxError

    wallet = load_wallet(args, from_key)
    messages = build(wallet)
    with open_client(args) as client:
        try:
            if args.wait:
                result: BroadcastResult | TxInfo = client.send_tx(
                    messages,
                    wallet,
                    fee=args.fees,
                    gas=args.gas,
                    memo=args.memo,
                    timeout=args.timeout,
                )
            else:
                result = client.submit_tx(
                    messages, wallet, fee=args.fees, gas=args.gas, memo=args.memo
                )
        except TxError as exc:
            return _print_error(args, exc)
    _print_result(args, result)
    return 0


def add_tx_options(parser: argparse.ArgumentParser) -> None:
    """Node, keyring, fee and wait options of every tx command."""
    add_node_options(parser)
    parser.add_argument(
        "--keyring-dir", type=Path, help="keyring directory (default <home>/keyring)"
    )
    parser.add_argument("--keyring-backend", choices=BACKENDS, help="file or test (default: auto)")
    parser.add_argument("--passphrase-file", type=Path, help="keyring passphrase file")
    parser.add_argument(
        "--fees", type=parse_amount_text, default=0, help="fee in uallo (default 0)"
    )
    parser.add_argument("--gas", type=int, default=DEFAULT_GAS, help=f"gas limit ({DEFAULT_GAS})")
    parser.add_argument("--memo", default="", help="tx memo")
    parser.add_argument("--wait", action="store_true", help="wait until the tx is in a block")


def _command(
    sub: Any,
    name: str,
    help_text: str,
    run: Callable[[argparse.Namespace], int],
    aliases: Sequence[str] = (),
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_text, description=help_text, aliases=list(aliases)
    )
    parser.add_argument("from_key", metavar="FROM_KEY", help="keyring key name or address")
    add_tx_options(parser)
    parser.set_defaults(func=run)
    return parser


def _group(sub: Any, name: str, help_text: str) -> Any:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(group_parser=parser)
    return parser.add_subparsers(title="commands", metavar="COMMAND")


def _address(text: str, prefix: str = ACCOUNT_PREFIX) -> str:
    if not is_valid_address(text, prefix=prefix):
        raise CliNodeError(f"invalid address {text!r}: expected {prefix}1…")
    return text


def _valoper_of(wallet: Wallet) -> str:
    return convert_address(wallet.address, from_prefix=ACCOUNT_PREFIX, to_prefix=VALOPER_PREFIX)


# ---------------------------------------------------------------------------------------------
# Generic messages


def parse_messages_json(text: str) -> list[Message]:
    """Messages from proto-JSON: a list (or one object) with ``@type`` type URLs.

    Raises
    ------
    CliNodeError
        For an unknown type or malformed JSON.
    """
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise CliNodeError(f"cannot read {text[1:]}: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CliNodeError(f"messages are not valid JSON: {exc}") from exc
    entries = data if isinstance(data, list) else [data]
    pool = descriptor_pool.Default()
    messages: list[Message] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("@type"), str):
            raise CliNodeError('each message is an object with an "@type" type URL')
        full_name = entry["@type"].lstrip("/")
        try:
            message_class = message_factory.GetMessageClass(pool.FindMessageTypeByName(full_name))
        except KeyError as exc:
            raise CliNodeError(f"unknown message type {entry['@type']}") from exc
        body = {key: value for key, value in entry.items() if key != "@type"}
        try:
            messages.append(json_format.ParseDict(body, message_class()))
        except json_format.ParseError as exc:
            raise CliNodeError(f"invalid {full_name}: {exc}") from exc
    if not messages:
        raise CliNodeError("no message given")
    return messages


def _run_broadcast(args: argparse.Namespace) -> int:
    from pyallora.client.client import Client
    from pyallora.client.errors import TxError

    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise CliNodeError(f"cannot read {args.file}: {exc}") from exc
    try:
        raw = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = data
    with open_client(args) as client:
        submitted = client.broadcast(raw)
        if submitted.check.code != 0:
            return _print_error(args, Client._rejection(submitted))
        result: BroadcastResult | TxInfo = submitted
        if args.wait:
            try:
                result = Client._check_included(client.wait_for_tx(submitted.tx_hash, args.timeout))
            except TxError as exc:
                return _print_error(args, exc)
    _print_result(args, result)
    return 0


def _delegation_runner(message: Callable[..., Message]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        return send_messages(
            args,
            args.from_key,
            lambda wallet: [
                message(
                    delegator_address=wallet.address,
                    validator_address=_address(args.validator, VALOPER_PREFIX),
                    amount=_coin(parse_amount_text(args.amount)),
                )
            ],
        )

    return run


def _topic_amount_runner(message: Callable[..., Message]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        return send_messages(
            args,
            args.from_key,
            lambda wallet: [
                message(
                    sender=wallet.address,
                    topic_id=args.topic_id,
                    amount=str(parse_amount_text(args.amount)),
                )
            ],
        )

    return run


# ---------------------------------------------------------------------------------------------
# Staking: create-validator


def parse_rate(text: str) -> int:
    """LegacyDec units of a commission rate written as a decimal (argparse ``type``).

    Raises
    ------
    argparse.ArgumentTypeError
        If the text is not a decimal with at most 18 fractional digits.

    >>> parse_rate("0.1")
    100000000000000000
    """
    try:
        return parse_legacy_dec_json(text)
    except LegacyDecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def parse_ed25519_pubkey(text: str) -> bytes:
    """The 32 bytes of a consensus public key: base64, or the JSON the SDK's CLI prints
    (``{"@type": "/cosmos.crypto.ed25519.PubKey", "key": "<base64>"}``).

    Raises
    ------
    CliNodeError
        If it is not a 32-byte ed25519 key.
    """
    value = text.strip()
    if value.startswith("{"):
        try:
            data = json.loads(value)
        except ValueError as exc:
            raise CliNodeError(f"--pubkey is not valid JSON: {exc}") from exc
        type_url = data.get("@type") if isinstance(data, dict) else None
        if type_url != "/cosmos.crypto.ed25519.PubKey" or not isinstance(data.get("key"), str):
            raise CliNodeError('--pubkey JSON must be {"@type": "/cosmos.crypto.ed25519.PubKey"}')
        value = data["key"]
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CliNodeError(f"--pubkey is not base64: {exc}") from exc
    if len(raw) != ED25519_PUBKEY_LENGTH:
        raise CliNodeError(
            f"--pubkey must be a {ED25519_PUBKEY_LENGTH}-byte ed25519 key, got {len(raw)} bytes"
        )
    return raw


def read_home_consensus_pubkey(home: Path | None) -> bytes:
    """The public key in ``priv_validator_key.json`` of a node home's CometBFT home.

    Raises
    ------
    CliNodeError
        If the home or its key file cannot be read.
    """
    from pyallora.client.keys import ValidatorKey

    path = resolve_home(home)
    try:
        cometbft_home = load_node_config(path).resolve_cometbft_home(path)
    except NodeConfigError as exc:
        raise CliNodeError(f"no --pubkey given and {exc}") from exc
    key_file = cometbft_home / "config" / "priv_validator_key.json"
    try:
        document = json.loads(key_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CliNodeError(f"no --pubkey given and cannot read {key_file}: {exc}") from exc
    return ValidatorKey.from_key_json(document).public_key


def _create_validator_message(args: argparse.Namespace, wallet: Wallet) -> Message:
    raw = (
        parse_ed25519_pubkey(args.pubkey)
        if args.pubkey is not None
        else read_home_consensus_pubkey(args.home)
    )
    pubkey = any_pb2.Any(
        type_url="/cosmos.crypto.ed25519.PubKey",
        value=ed25519_keys.PubKey(key=raw).SerializeToString(),
    )
    return staking_tx.MsgCreateValidator(
        description=staking_pb2.Description(
            moniker=args.moniker or args.from_key,
            identity=args.identity,
            website=args.website,
            security_contact=args.security_contact,
            details=args.details,
        ),
        commission=staking_pb2.CommissionRates(
            rate=str(args.commission_rate),
            max_rate=str(args.commission_max_rate),
            max_change_rate=str(args.commission_max_change_rate),
        ),
        min_self_delegation=str(parse_amount_text(args.min_self_delegation)),
        validator_address=_valoper_of(wallet),
        pubkey=pubkey,
        value=_coin(parse_amount_text(args.amount)),
    )


def _register_create_validator(staking: Any) -> None:
    p = _command(
        staking,
        "create-validator",
        "create a validator operated by FROM_KEY, with a self-delegation",
        lambda a: send_messages(a, a.from_key, lambda w: [_create_validator_message(a, w)]),
    )
    p.add_argument("--amount", required=True, help="self-delegation: 1000, 1000uallo or 2.5allo")
    p.add_argument(
        "--pubkey",
        help="base64 ed25519 consensus key (default: priv_validator_key.json of --home)",
    )
    p.add_argument("--moniker", help="validator name (default: FROM_KEY)")
    p.add_argument("--identity", default="", help="identity signature (e.g. keybase)")
    p.add_argument("--website", default="")
    p.add_argument("--security-contact", default="")
    p.add_argument("--details", default="")
    p.add_argument("--commission-rate", type=parse_rate, default="0.1", help="default 0.1")
    p.add_argument("--commission-max-rate", type=parse_rate, default="0.2", help="default 0.2")
    p.add_argument(
        "--commission-max-change-rate", type=parse_rate, default="0.01", help="default 0.01"
    )
    p.add_argument(
        "--min-self-delegation", default="1", help="minimum self-delegation in uallo (default 1)"
    )


# ---------------------------------------------------------------------------------------------
# Registration


def register(subparsers: Any) -> None:
    """Add ``allora tx`` and its sub-commands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "tx",
        help="sign and broadcast transactions to a running node",
        description="Sign transactions with a keyring key and broadcast them to a node.",
    )
    parser.set_defaults(group_parser=parser)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    bank = _group(sub, "bank", "transfers")
    p = _command(
        bank,
        "send",
        "send uallo to an address",
        lambda a: send_messages(
            a,
            a.from_key,
            lambda w: [
                bank_tx.MsgSend(
                    from_address=w.address,
                    to_address=_address(a.to),
                    amount=[_coin(parse_amount_text(a.amount))],
                )
            ],
        ),
    )
    p.add_argument("to", metavar="TO", help="recipient allo1… address")
    p.add_argument("amount", metavar="AMOUNT", help="1000, 1000uallo or 2.5allo")

    staking = _group(sub, "staking", "validators and delegations")
    _register_create_validator(staking)
    for name, message, help_text, aliases in (
        ("delegate", staking_tx.MsgDelegate, "delegate to a validator", ()),
        (
            "unbond",
            staking_tx.MsgUndelegate,
            "start unbonding a delegation from a validator",
            ("undelegate",),
        ),
    ):
        p = _command(staking, name, help_text, _delegation_runner(message), aliases=aliases)
        p.add_argument("validator", metavar="VALIDATOR", help="allovaloper1… address")
        p.add_argument("amount", metavar="AMOUNT")
    p = _command(
        staking,
        "redelegate",
        "move a delegation to another validator",
        lambda a: send_messages(
            a,
            a.from_key,
            lambda w: [
                staking_tx.MsgBeginRedelegate(
                    delegator_address=w.address,
                    validator_src_address=_address(a.src, VALOPER_PREFIX),
                    validator_dst_address=_address(a.dst, VALOPER_PREFIX),
                    amount=_coin(parse_amount_text(a.amount)),
                )
            ],
        ),
    )
    p.add_argument("src", metavar="SRC_VALIDATOR")
    p.add_argument("dst", metavar="DST_VALIDATOR")
    p.add_argument("amount", metavar="AMOUNT")

    distribution = _group(sub, "distribution", "staking rewards")
    p = _command(
        distribution,
        "withdraw-rewards",
        "withdraw the rewards of a delegation",
        lambda a: send_messages(
            a,
            a.from_key,
            lambda w: [
                distribution_tx.MsgWithdrawDelegatorReward(
                    delegator_address=w.address,
                    validator_address=_address(a.validator, VALOPER_PREFIX),
                )
            ],
        ),
    )
    p.add_argument("validator", metavar="VALIDATOR")

    slashing = _group(sub, "slashing", "validator jail")
    _command(
        slashing,
        "unjail",
        "unjail the validator operated by FROM_KEY",
        lambda a: send_messages(
            a, a.from_key, lambda w: [slashing_tx.MsgUnjail(validator_addr=_valoper_of(w))]
        ),
    )

    _register_emissions(sub)

    p = _command(
        sub,
        "send-msgs",
        "sign and send messages given as proto-JSON with @type (or @FILE)",
        lambda a: send_messages(a, a.from_key, lambda w: parse_messages_json(a.messages)),
    )
    p.add_argument("messages", metavar="JSON", help='[{"@type": "/cosmos.bank...", ...}] or @FILE')

    p = sub.add_parser(
        "broadcast",
        help="broadcast an already signed tx",
        description="Broadcast signed TxRaw bytes (base64 text or binary; - reads stdin).",
    )
    p.add_argument("file", metavar="FILE")
    add_node_options(p)
    p.add_argument("--wait", action="store_true", help="wait until the tx is in a block")
    p.set_defaults(func=_run_broadcast)


def _register_emissions(sub: Any) -> None:
    emissions = _group(sub, "emissions", "topics, registration, stake")

    def create_topic(a: argparse.Namespace) -> int:
        epoch = a.epoch_length
        window = a.worker_submission_window or max(1, epoch // 2)
        return send_messages(
            a,
            a.from_key,
            lambda w: [
                emissions_tx.CreateNewTopicRequest(
                    creator=w.address,
                    metadata=a.metadata,
                    loss_method=a.loss_method,
                    epoch_length=epoch,
                    ground_truth_lag=a.ground_truth_lag or epoch,
                    p_norm=a.p_norm,
                    alpha_regret=a.alpha_regret,
                    allow_negative=a.allow_negative,
                    epsilon=a.epsilon,
                    worker_submission_window=window,
                    merit_sortition_alpha=a.merit_sortition_alpha,
                    active_inferer_quantile=a.quantile,
                    active_forecaster_quantile=a.quantile,
                    active_reputer_quantile=a.quantile,
                )
            ],
        )

    p = _command(emissions, "create-topic", "create a topic (pays the creation fee)", create_topic)
    p.add_argument("--metadata", default="", help="free text")
    p.add_argument("--loss-method", default="mse")
    p.add_argument("--epoch-length", type=int, default=10, help="blocks per epoch")
    p.add_argument("--ground-truth-lag", type=int, default=0, help="default: epoch length")
    p.add_argument("--worker-submission-window", type=int, default=0, help="default: epoch / 2")
    p.add_argument("--p-norm", default="3")
    p.add_argument("--alpha-regret", default="0.1")
    p.add_argument("--epsilon", default="0.01")
    p.add_argument("--merit-sortition-alpha", default="0.1")
    p.add_argument("--quantile", default="0.25", help="active inferer/forecaster/reputer quantile")
    p.add_argument("--allow-negative", action="store_true")

    p = _command(
        emissions,
        "register",
        "register FROM_KEY as a worker (or --reputer) in a topic",
        lambda a: send_messages(
            a,
            a.from_key,
            lambda w: [
                emissions_tx.RegisterRequest(
                    sender=w.address,
                    topic_id=a.topic_id,
                    owner=a.owner or w.address,
                    is_reputer=a.reputer,
                )
            ],
        ),
    )
    p.add_argument("topic_id", type=int, metavar="TOPIC_ID")
    p.add_argument("--reputer", action="store_true", help="register as a reputer")
    p.add_argument("--owner", help="owner address (default FROM_KEY's)")

    p = _command(
        emissions,
        "unregister",
        "remove FROM_KEY's worker (or --reputer) registration",
        lambda a: send_messages(
            a,
            a.from_key,
            lambda w: [
                emissions_tx.RemoveRegistrationRequest(
                    sender=w.address, topic_id=a.topic_id, is_reputer=a.reputer
                )
            ],
        ),
        aliases=("remove-registration",),
    )
    p.add_argument("topic_id", type=int, metavar="TOPIC_ID")
    p.add_argument("--reputer", action="store_true")

    for name, message, help_text in (
        ("add-stake", emissions_tx.AddStakeRequest, "add reputer self-stake in a topic"),
        ("remove-stake", emissions_tx.RemoveStakeRequest, "request a self-stake removal"),
        ("fund-topic", emissions_tx.FundTopicRequest, "pay a topic (fee revenue)"),
    ):
        p = _command(
            emissions,
            name,
            help_text,
            _topic_amount_runner(message),
        )
        p.add_argument("topic_id", type=int, metavar="TOPIC_ID")
        p.add_argument("amount", metavar="AMOUNT")

    p = _command(
        emissions,
        "delegate-stake",
        "delegate stake to a reputer in a topic",
        lambda a: send_messages(
            a,
            a.from_key,
            lambda w: [
                emissions_tx.DelegateStakeRequest(
                    sender=w.address,
                    topic_id=a.topic_id,
                    reputer=_address(a.reputer),
                    amount=str(parse_amount_text(a.amount)),
                )
            ],
        ),
    )
    p.add_argument("topic_id", type=int, metavar="TOPIC_ID")
    p.add_argument("reputer", metavar="REPUTER")
    p.add_argument("amount", metavar="AMOUNT")

    _register_emissions_stake(emissions)
    _register_emissions_admin(emissions)
    _register_emissions_payloads(emissions)


def _register_emissions_stake(emissions: Any) -> None:
    p = _command(
        emissions,
        "cancel-remove-stake",
        "cancel FROM_KEY's pending self-stake removal in a topic",
        lambda a: send_messages(
            a,
            a.from_key,
            lambda w: [
                emissions_tx.CancelRemoveStakeRequest(sender=w.address, topic_id=a.topic_id)
            ],
        ),
    )
    p.add_argument("topic_id", type=int, metavar="TOPIC_ID")

    p = _command(
        emissions,
        "reward-delegate-stake",
        "claim FROM_KEY's pending delegator reward on a reputer",
        lambda a: send_messages(
            a,
            a.from_key,
            lambda w: [
                emissions_tx.RewardDelegateStakeRequest(
                    sender=w.address, topic_id=a.topic_id, reputer=a.reputer
                )
            ],
        ),
    )
    p.add_argument("topic_id", type=int, metavar="TOPIC_ID")
    p.add_argument("reputer", type=account_address, metavar="REPUTER")

    p = _command(
        emissions,
        "remove-delegate-stake",
        "request the removal of stake FROM_KEY delegated to a reputer",
        lambda a: send_messages(
            a,
            a.from_key,
            lambda w: [
                emissions_tx.RemoveDelegateStakeRequest(
                    sender=w.address,
                    topic_id=a.topic_id,
                    reputer=a.reputer,
                    amount=str(parse_amount_text(a.amount)),
                )
            ],
        ),
    )
    p.add_argument("topic_id", type=int, metavar="TOPIC_ID")
    p.add_argument("reputer", type=account_address, metavar="REPUTER")
    p.add_argument("amount", metavar="AMOUNT")

    p = _command(
        emissions,
        "cancel-remove-delegate-stake",
        "cancel FROM_KEY's pending removal of stake delegated to a reputer",
        lambda a: send_messages(
            a,
            a.from_key,
            lambda w: [
                emissions_tx.CancelRemoveDelegateStakeRequest(
                    sender=w.address,
                    topic_id=a.topic_id,
                    delegator=a.delegator or w.address,
                    reputer=a.reputer,
                )
            ],
        ),
    )
    p.add_argument("topic_id", type=int, metavar="TOPIC_ID")
    p.add_argument("reputer", type=account_address, metavar="REPUTER")
    p.add_argument(
        "--delegator",
        type=account_address,
        help="delegator field (default FROM_KEY's address; the chain acts on the sender)",
    )


# ---------------------------------------------------------------------------------------------
# Admin: whitelist and parameters

PARAM_FIELDS: Final[descriptor.Descriptor] = (
    emissions_tx.UpdateParamsRequest.DESCRIPTOR.fields_by_name["params"].message_type
)
"""``emissions.v5.OptionalParams``: every field a ``repeated`` of the parameter's type."""

_INTEGER_TYPES: Final = frozenset(
    {
        descriptor.FieldDescriptor.TYPE_INT32,
        descriptor.FieldDescriptor.TYPE_INT64,
        descriptor.FieldDescriptor.TYPE_UINT32,
        descriptor.FieldDescriptor.TYPE_UINT64,
    }
)


def build_update_params(
    sender: str, assignments: Sequence[str]
) -> emissions_tx.UpdateParamsRequest:
    """An ``UpdateParamsRequest`` setting each ``NAME=VALUE`` (one element per named field of
    ``OptionalParams``; the chain leaves every other parameter unchanged).

    Raises
    ------
    CliNodeError
        For an unknown name, a repeated name, a missing ``=`` or a non-integer value of an
        integer parameter.
    """
    request = emissions_tx.UpdateParamsRequest(sender=sender)
    seen: set[str] = set()
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name:
            raise CliNodeError(f"--set {assignment!r}: expected NAME=VALUE")
        field = PARAM_FIELDS.fields_by_name.get(name)
        if field is None:
            raise CliNodeError(
                f"unknown emissions parameter {name!r}; known: "
                + ", ".join(sorted(PARAM_FIELDS.fields_by_name))
            )
        if name in seen:
            raise CliNodeError(f"parameter {name} is set twice")
        seen.add(name)
        value = value.strip()
        if field.type in _INTEGER_TYPES:
            try:
                getattr(request.params, name).append(int(value))
            except ValueError as exc:
                raise CliNodeError(f"parameter {name} takes an integer, got {value!r}") from exc
        else:
            getattr(request.params, name).append(value)
    if not seen:
        raise CliNodeError("give at least one --set NAME=VALUE")
    return request


def _register_emissions_admin(emissions: Any) -> None:
    for name, alias, message, help_text in (
        (
            "add-to-whitelist-admin",
            "add-admin",
            emissions_tx.AddToWhitelistAdminRequest,
            "make ADDRESS a whitelist admin (FROM_KEY must be one)",
        ),
        (
            "remove-from-whitelist-admin",
            "remove-admin",
            emissions_tx.RemoveFromWhitelistAdminRequest,
            "remove ADDRESS from the whitelist admins (FROM_KEY must be one)",
        ),
    ):
        p = _command(emissions, name, help_text, _admin_runner(message), aliases=(alias,))
        p.add_argument("address", type=account_address, metavar="ADDRESS")

    p = _command(
        emissions,
        "update-params",
        "change emissions parameters (FROM_KEY must be a whitelist admin)",
        lambda a: send_messages(a, a.from_key, lambda w: [build_update_params(w.address, a.set)]),
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        required=True,
        metavar="NAME=VALUE",
        help="a parameter of emissions.v5.Params, e.g. max_top_inferers_to_reward=24; repeatable",
    )


def _admin_runner(message: Callable[..., Message]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        return send_messages(
            args,
            args.from_key,
            lambda wallet: [message(sender=wallet.address, address=args.address)],
        )

    return run


# ---------------------------------------------------------------------------------------------
# Worker and reputer payloads


def parse_forecast_elements(elements: Sequence[str]) -> dict[str, float]:
    """``INFERER=LOSS`` elements of a forecast.

    Raises
    ------
    CliNodeError
        For a malformed element, an invalid address, a repeated inferer or a value that is
        not a finite number.
    """
    forecast: dict[str, float] = {}
    for element in elements:
        inferer, sep, text = element.partition("=")
        if not sep or not is_valid_address(inferer.strip()):
            raise CliNodeError(
                f"--forecast {element!r}: expected INFERER=LOSS with an allo1… INFERER"
            )
        inferer = inferer.strip()
        if inferer in forecast:
            raise CliNodeError(f"--forecast names {inferer} twice")
        forecast[inferer] = _finite(text, "--forecast")
    return forecast


def _finite(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise CliNodeError(f"{what}: {text!r} is not a number") from exc
    if not math.isfinite(value):
        raise CliNodeError(f"{what}: {text!r} is not finite")
    return value


def _worker_payload(args: argparse.Namespace, sender: Wallet) -> list[Message]:
    from pyallora.agents.payloads import build_worker_payload

    worker = load_wallet(args, args.worker_key) if args.worker_key else sender
    inference = None if args.inference is None else _finite(args.inference, "--inference")
    forecast = parse_forecast_elements(args.forecast) if args.forecast else None
    if inference is None and forecast is None:
        raise CliNodeError("give --inference VALUE and/or --forecast INFERER=LOSS")
    message = build_worker_payload(
        worker,
        topic_id=args.topic_id,
        nonce=args.nonce,
        inference=inference,
        forecast=forecast,
        extra_data=args.extra_data.encode("utf-8"),
    )
    message.sender = sender.address
    return [message]


def read_losses_file(path: str) -> emissions_types.ValueBundle:
    """A loss bundle from a proto-JSON file (``-``: standard input), shaped like
    ``emissions.v3.ValueBundle`` (``combined_value``, ``naive_value``, ``inferer_values`` ...).

    Raises
    ------
    CliNodeError
        If the file cannot be read or is not such a bundle.
    """
    from pyallora.agents.payloads import PayloadError, parse_value_bundle_json

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise CliNodeError(f"cannot read the losses {path}: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("value_bundle"), dict):
        data = data["value_bundle"]
    if not isinstance(data, dict):
        raise CliNodeError(f"{path}: the losses must be a JSON object (a value bundle)")
    try:
        return parse_value_bundle_json(data)
    except PayloadError as exc:
        raise CliNodeError(f"{path}: {exc}") from exc


def _reputer_payload(args: argparse.Namespace, sender: Wallet) -> list[Message]:
    from pyallora.agents.payloads import build_reputer_payload

    reputer = load_wallet(args, args.reputer_key) if args.reputer_key else sender
    message = build_reputer_payload(
        reputer, read_losses_file(args.losses), topic_id=args.topic_id, nonce=args.nonce
    )
    message.sender = sender.address
    return [message]


def _register_emissions_payloads(emissions: Any) -> None:
    p = _command(
        emissions,
        "insert-worker-payload",
        "submit a signed inference and/or forecast for an open worker nonce",
        lambda a: send_messages(a, a.from_key, lambda w: _worker_payload(a, w)),
    )
    p.add_argument("topic_id", type=int, metavar="TOPIC_ID")
    p.add_argument("nonce", type=int, metavar="NONCE", help="the open worker nonce (a height)")
    p.add_argument("--inference", metavar="VALUE", help="the inference (a number)")
    p.add_argument(
        "--forecast",
        action="append",
        default=[],
        metavar="INFERER=LOSS",
        help="a forecast element: expected loss of an inferer; repeatable",
    )
    p.add_argument(
        "--worker-key",
        metavar="KEY",
        help="keyring key of the worker that signs the bundle (default FROM_KEY)",
    )
    p.add_argument("--extra-data", default="", help="free text stored with the inference")

    p = _command(
        emissions,
        "insert-reputer-payload",
        "submit a signed loss bundle for an open reputer nonce",
        lambda a: send_messages(a, a.from_key, lambda w: _reputer_payload(a, w)),
    )
    p.add_argument("topic_id", type=int, metavar="TOPIC_ID")
    p.add_argument("nonce", type=int, metavar="NONCE", help="the reputer nonce (a height)")
    p.add_argument(
        "--losses",
        required=True,
        metavar="FILE.json",
        help="proto-JSON value bundle of losses (combined_value, naive_value, "
        "inferer_values, ...); - reads stdin",
    )
    p.add_argument(
        "--reputer-key",
        metavar="KEY",
        help="keyring key of the reputer that signs the bundle (default FROM_KEY)",
    )


__all__ = [
    "add_tx_options",
    "build_update_params",
    "load_wallet",
    "parse_ed25519_pubkey",
    "parse_forecast_elements",
    "parse_messages_json",
    "parse_rate",
    "read_home_consensus_pubkey",
    "read_losses_file",
    "register",
    "send_messages",
]
