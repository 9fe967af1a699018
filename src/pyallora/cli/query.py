"""``allora query``: read a running node's state through its HTTP API.

Every command takes ``--node URL`` (the node's API, e.g. ``http://127.0.0.1:38101``) or,
without it, finds the API of the node running from ``--home`` (default ``~/.pyallora``:
its ``run.json``, else its ``config.toml``). ``--output json`` prints the API's JSON on one
line; ``text`` (the default) prints a readable form: one ``key: value`` per line, nested
records indented (:func:`format_text`).

=========================================  ================================================
command                                    what it shows
=========================================  ================================================
``bank balance ADDRESS [--denom D]``       one balance (uallo)
``bank balances ADDRESS``                  every balance
``bank supply``                            the total supply
``auth account ADDRESS``                   account number, sequence, public key
``block [HEIGHT]``                         a block (default: the latest)
``tx HASH``                                a committed transaction and its result
``validators``                             the consensus set and staking validators
``staking validator|delegations|unbonding``  staking records
``distribution rewards DELEGATOR``         pending staking rewards
``mint params|emission-info|inflation``    tokenomics
``params MODULE``                          any module's parameters
``emissions ...``                          topics, windows, inferences, forecasts, losses,
                                           scores, stake, rewards, network inference,
                                           registrations, delegations, stake removals,
                                           admins, regrets, score EMAs, listening
                                           coefficients, and ``emissions method NAME
                                           [JSON]`` for any of the 82
                                           ``emissions.v5.QueryService`` methods
``raw PATH [JSON]``                        any query path the application serves
=========================================  ================================================
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pyallora.core.amounts import DENOM
from pyallora.core.crypto import ACCOUNT_PREFIX, is_valid_address
from pyallora.core.errors import PyAlloraError
from pyallora.node.config import (
    DEFAULT_HOME,
    NodeConfigError,
    get_run_file_path,
    load_node_config,
    resolve_home,
)

if TYPE_CHECKING:
    from pyallora.client.client import Client


class CliNodeError(PyAlloraError):
    """The node to talk to cannot be determined."""


def add_node_options(parser: argparse.ArgumentParser) -> None:
    """``--node``, ``--home``, ``--output`` and ``--timeout``."""
    parser.add_argument(
        "--node",
        metavar="URL",
        help="the node's API URL (default: the node running from --home)",
    )
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help=f"node home whose API to use when --node is not given (default {DEFAULT_HOME})",
    )
    parser.add_argument("--output", choices=("text", "json"), default="text", help="format")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds per request (default 30)"
    )


def resolve_node_url(args: argparse.Namespace) -> str:
    """The API URL: ``--node``, else the running node of ``--home``, else its config.

    Raises
    ------
    CliNodeError
        If neither is available.
    """
    if getattr(args, "node", None):
        return str(args.node).rstrip("/")
    home = resolve_home(getattr(args, "home", None))
    run_file = get_run_file_path(home)
    if run_file.exists():
        try:
            api = json.loads(run_file.read_text(encoding="utf-8")).get("api")
        except (OSError, ValueError):
            api = None
        if isinstance(api, str) and api:
            return api
    try:
        config = load_node_config(home)
    except NodeConfigError as exc:
        raise CliNodeError(f"no --node given and {exc}") from exc
    if not config.api_port:
        raise CliNodeError(f"no --node given and {home} has no fixed API port")
    host = config.api_host if config.api_host not in ("0.0.0.0", "::") else "127.0.0.1"
    return f"http://{host}:{config.api_port}"


def open_client(args: argparse.Namespace) -> Client:
    """A :class:`~pyallora.client.client.Client` for the command's node."""
    from pyallora.client.client import Client

    return Client(resolve_node_url(args), timeout=getattr(args, "timeout", 30.0))


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def _scalar_text(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "":
        return '""'
    return str(value)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list) or not value


def _empty_text(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar_text(value)


def _text_lines(value: Any, indent: str) -> list[str]:
    if isinstance(value, dict) and value:
        lines: list[str] = []
        for key in sorted(value, key=str):
            item = value[key]
            if _is_scalar(item):
                lines.append(f"{indent}{key}: {_empty_text(item)}")
            else:
                lines.append(f"{indent}{key}:")
                lines.extend(_text_lines(item, indent + "  "))
        return lines
    if isinstance(value, list) and value:
        lines = []
        for item in value:
            if _is_scalar(item):
                lines.append(f"{indent}- {_empty_text(item)}")
                continue
            nested = _text_lines(item, indent + "  ")
            lines.append(f"{indent}- {nested[0].lstrip()}")
            lines.extend(nested[1:])
        return lines
    return [f"{indent}{_empty_text(value)}"]


def format_text(value: Any) -> str:
    """A readable, YAML-like form of a JSON value: ``key: value`` lines in key order, nested
    records indented by two spaces, list items after ``- ``.

    >>> print(format_text({"b": [1, {"x": True}], "a": {"c": None, "d": ""}}))
    a:
      c: (none)
      d: ""
    b:
      - 1
      - x: true
    """
    return "\n".join(_text_lines(_jsonable(value), ""))


def print_output(
    args: argparse.Namespace, value: Any, text: Callable[[Any], str] | None = None
) -> None:
    """Print ``value`` as JSON (``--output json``) or as text (``text(value)``, else
    indented JSON)."""
    data = _jsonable(value)
    if args.output == "json":
        print(json.dumps(data, sort_keys=True))
    elif text is not None:
        print(text(value))
    else:
        print(json.dumps(data, indent=2, sort_keys=True))


def parse_json_argument(text: str | None) -> dict[str, Any]:
    """A JSON object from the command line (``None`` or empty: ``{}``).

    Raises
    ------
    CliNodeError
        If it is not a JSON object.
    """
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise CliNodeError(f"not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise CliNodeError("the request must be a JSON object")
    return value


def _run(handler: Callable[[Client, argparse.Namespace], Any]) -> Callable[..., int]:
    def run(args: argparse.Namespace) -> int:
        with open_client(args) as client:
            handler(client, args)
        return 0

    return run


def _command(
    sub: Any,
    name: str,
    help_text: str,
    handler: Callable[[Client, argparse.Namespace], Any],
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    add_node_options(parser)
    parser.set_defaults(func=_run(handler))
    return parser


def _group(sub: Any, name: str, help_text: str) -> Any:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(group_parser=parser)
    return parser.add_subparsers(title="commands", metavar="COMMAND")


# ---------------------------------------------------------------------------------------------
# Handlers


def _balance(client: Client, args: argparse.Namespace) -> None:
    amount = client.balance(args.address, args.denom)
    print_output(
        args,
        {"address": args.address, "denom": args.denom, "amount": str(amount)},
        lambda value: f"{value['amount']}{value['denom']}",
    )


def _balances(client: Client, args: argparse.Namespace) -> None:
    coins = client.balances(args.address)
    print_output(
        args,
        {"address": args.address, "balances": [asdict(c) for c in coins]},
        lambda value: "\n".join(f"{c['amount']}{c['denom']}" for c in value["balances"])
        or "(none)",
    )


def _account(client: Client, args: argparse.Namespace) -> None:
    account = client.account(args.address)
    print_output(
        args,
        account,
        lambda a: (
            f"address: {a.address}\naccount_number: {a.account_number}\n"
            f"sequence: {a.sequence}\npub_key: {a.pub_key.hex() if a.pub_key else '(none)'}"
        ),
    )


def _block(client: Client, args: argparse.Namespace) -> None:
    block = client.block(args.height)

    def text(b: Any) -> str:
        lines = [
            f"height: {b.height}",
            f"time: {b.time}",
            f"app_hash: {b.app_hash}",
            f"txs: {len(b.txs)}",
        ]
        lines += [f"  {tx.hash} code={tx.code} sender={tx.sender}" for tx in b.txs]
        return "\n".join(lines)

    print_output(args, block, text)


def _tx(client: Client, args: argparse.Namespace) -> None:
    info = client.tx(args.hash)
    print_output(
        args,
        info,
        lambda t: (
            f"hash: {t.hash}\nheight: {t.height}\nindex: {t.index}\nsender: {t.sender}\n"
            f"code: {t.result.code}\ncodespace: {t.result.codespace}\nlog: {t.result.log}\n"
            f"gas: {t.result.gas_used}/{t.result.gas_wanted}"
        ),
    )


def _json(call: Callable[[Client, argparse.Namespace], Any]) -> Callable[..., None]:
    """A handler printing what ``call`` returns: :func:`format_text`, or JSON with
    ``--output json``."""

    def handler(client: Client, args: argparse.Namespace) -> None:
        print_output(args, call(client, args), format_text)

    return handler


def _nonce_getter(name: str) -> Callable[[Client, argparse.Namespace], Any]:
    def call(client: Client, args: argparse.Namespace) -> Any:
        return getattr(client, name)(args.topic_id, args.nonce)

    return call


def _emissions_method(client: Client, args: argparse.Namespace) -> Any:
    request = parse_json_argument(args.request)
    return client.query(f"{EMISSIONS_QUERY_SERVICE}/{args.method}", request)


EMISSIONS_QUERY_SERVICE: Final = "/emissions.v5.QueryService"
"""Path prefix of the emissions queries (``<prefix>/<Method>``)."""

MAX_INT64: Final = 2**63 - 1
"""Default ``--until-height`` of ``stake-removals``: every pending removal."""


def account_address(text: str) -> str:
    """An ``allo1…`` address argument (argparse ``type``).

    Raises
    ------
    argparse.ArgumentTypeError
        For anything else.
    """
    if not is_valid_address(text, prefix=ACCOUNT_PREFIX):
        raise argparse.ArgumentTypeError(f"invalid address {text!r}: expected {ACCOUNT_PREFIX}1…")
    return text


def query_emissions(client: Client, method: str, **request: Any) -> dict[str, Any]:
    """``emissions.v5.QueryService/<method>`` with the request fields given."""
    return client.query(f"{EMISSIONS_QUERY_SERVICE}/{method}", request)


def _registrations(client: Client, args: argparse.Namespace) -> Any:
    request = {"topic_id": args.topic_id, "address": args.address}
    return {
        "topic_id": args.topic_id,
        "address": args.address,
        "worker": query_emissions(client, "IsWorkerRegisteredInTopicId", **request)[
            "is_registered"
        ],
        "reputer": query_emissions(client, "IsReputerRegisteredInTopicId", **request)[
            "is_registered"
        ],
    }


def _is_registered(client: Client, args: argparse.Namespace) -> Any:
    method = "IsReputerRegisteredInTopicId" if args.reputer else "IsWorkerRegisteredInTopicId"
    return query_emissions(client, method, topic_id=args.topic_id, address=args.address)


def _delegate_stake(client: Client, args: argparse.Namespace) -> Any:
    if args.delegator is None:
        return query_emissions(
            client,
            "GetDelegateStakeInTopicInReputer",
            topic_id=args.topic_id,
            reputer_address=args.reputer,
        )
    placement = query_emissions(
        client,
        "GetDelegateStakePlacement",
        topic_id=args.topic_id,
        delegator=args.delegator,
        target=args.reputer,
    )
    return {
        "amount": query_emissions(
            client,
            "GetStakeFromDelegatorInTopicInReputer",
            topic_id=args.topic_id,
            delegator_address=args.delegator,
            reputer_address=args.reputer,
        )["amount"],
        "placement": placement.get("delegator_info", {}),
    }


def _stake_removals(client: Client, args: argparse.Namespace) -> Any:
    method = (
        "GetDelegateStakeRemovalsUpUntilBlock" if args.delegate else "GetStakeRemovalsUpUntilBlock"
    )
    return query_emissions(client, method, block_height=args.until_height)


def _stake_removal(client: Client, args: argparse.Namespace) -> Any:
    if args.delegator is None:
        return query_emissions(
            client, "GetStakeRemovalInfo", topic_id=args.topic_id, reputer=args.reputer
        )
    return query_emissions(
        client,
        "GetDelegateStakeRemovalInfo",
        topic_id=args.topic_id,
        delegator=args.delegator,
        reputer=args.reputer,
    )


def _admins(client: Client, args: argparse.Namespace) -> Any:
    flags = {
        address: bool(query_emissions(client, "IsWhitelistAdmin", address=address)["is_admin"])
        for address in args.addresses
    }
    return {
        "admins": [address for address in args.addresses if flags[address]],
        "not_admins": [address for address in args.addresses if not flags[address]],
    }


def _regrets(client: Client, args: argparse.Namespace) -> Any:
    topic, worker = args.topic_id, args.address
    regrets = {
        "inferer": query_emissions(
            client, "GetInfererNetworkRegret", topic_id=topic, actor_id=worker
        ).get("regret"),
        "forecaster": query_emissions(
            client, "GetForecasterNetworkRegret", topic_id=topic, worker=worker
        ).get("regret"),
        "naive_inferer": query_emissions(
            client, "GetNaiveInfererNetworkRegret", topic_id=topic, inferer=worker
        ).get("regret"),
    }
    if args.one_in is not None:
        regrets["one_in_forecaster"] = query_emissions(
            client,
            "GetOneInForecasterNetworkRegret",
            topic_id=topic,
            forecaster=worker,
            inferer=args.one_in,
        ).get("regret")
    return {"topic_id": topic, "address": worker, "regrets": regrets}


def _score_emas(client: Client, args: argparse.Namespace) -> Any:
    topic, address = args.topic_id, args.address
    return {
        "topic_id": topic,
        "address": address,
        "inferer": query_emissions(
            client, "GetInfererScoreEma", topic_id=topic, inferer=address
        ).get("score"),
        "forecaster": query_emissions(
            client, "GetForecasterScoreEma", topic_id=topic, forecaster=address
        ).get("score"),
        "reputer": query_emissions(
            client, "GetReputerScoreEma", topic_id=topic, reputer=address
        ).get("score"),
    }


def register(subparsers: Any) -> None:
    """Add ``allora query`` and its sub-commands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "query",
        aliases=["q"],
        help="query a running node (balances, accounts, blocks, txs, topics ...)",
        description="Query a running node's committed state through its HTTP API.",
    )
    parser.set_defaults(group_parser=parser)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    bank = _group(sub, "bank", "balances and supply")
    p = _command(bank, "balance", "the balance of an address", _balance)
    p.add_argument("address")
    p.add_argument("--denom", default=DENOM, help=f"denomination (default {DENOM})")
    p = _command(bank, "balances", "every balance of an address", _balances)
    p.add_argument("address")
    _command(bank, "supply", "the total supply", _json(lambda c, a: c.supply()))

    auth = _group(sub, "auth", "accounts")
    p = _command(auth, "account", "account number, sequence and public key", _account)
    p.add_argument("address")

    p = _command(sub, "block", "a block (default: the latest)", _block)
    p.add_argument("height", nargs="?", type=int, default=None)
    p = _command(sub, "tx", "a committed transaction by hash", _tx)
    p.add_argument("hash")
    _command(sub, "validators", "the validator set", _json(lambda c, a: c.validators()))
    p = _command(sub, "params", "a module's parameters", _json(lambda c, a: c.params(a.module)))
    p.add_argument(
        "module",
        choices=("auth", "bank", "staking", "distribution", "slashing", "mint", "emissions"),
    )
    p = _command(
        sub,
        "raw",
        "any query path with a proto-JSON request",
        _json(lambda c, a: c.query(a.path, parse_json_argument(a.request))),
    )
    p.add_argument("path", help="e.g. /cosmos.bank.v1beta1.Query/TotalSupply")
    p.add_argument("request", nargs="?", help="JSON request (default {})")

    staking = _group(sub, "staking", "validators and delegations")
    p = _command(
        staking,
        "validator",
        "one validator",
        _json(lambda c, a: c.get(f"/v1/staking/validators/{a.validator}")),
    )
    p.add_argument("validator", help="allovaloper1… address")
    p = _command(
        staking,
        "delegations",
        "a delegator's delegations",
        _json(lambda c, a: c.get(f"/v1/staking/delegators/{a.address}/delegations")),
    )
    p.add_argument("address")
    p = _command(
        staking,
        "unbonding",
        "a delegator's unbonding delegations",
        _json(lambda c, a: c.get(f"/v1/staking/delegators/{a.address}/unbonding")),
    )
    p.add_argument("address")

    distribution = _group(sub, "distribution", "staking rewards")
    p = _command(
        distribution,
        "rewards",
        "a delegator's pending rewards",
        _json(lambda c, a: c.get(f"/v1/distribution/delegators/{a.address}/rewards")),
    )
    p.add_argument("address")

    mint = _group(sub, "mint", "tokenomics")
    _command(mint, "params", "mint parameters", _json(lambda c, a: c.params("mint")))
    _command(
        mint,
        "emission-info",
        "supply and emission state",
        _json(lambda c, a: c.get("/v1/mint/emission_info")),
    )
    _command(
        mint,
        "inflation",
        "current inflation",
        _json(lambda c, a: c.get("/v1/mint/inflation")),
    )

    emissions = _group(sub, "emissions", "topics, submissions, scores, stakes, rewards")
    _command(emissions, "params", "emissions parameters", _json(lambda c, a: c.params("emissions")))
    _command(emissions, "topics", "every topic", _json(lambda c, a: c.topics()))
    p = _command(emissions, "topic", "one topic", _json(lambda c, a: c.topic(a.topic_id)))
    p.add_argument("topic_id", type=int)
    p = _command(
        emissions,
        "windows",
        "open nonces; with --address whether it can submit now",
        _json(lambda c, a: c.windows(a.topic_id, a.address)),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("--address")
    for name, getter in (("inferences", "inferences"), ("forecasts", "forecasts")):
        p = _command(
            emissions,
            name,
            f"{name} of a nonce (default: the latest)",
            _json(_nonce_getter(getter)),
        )
        p.add_argument("topic_id", type=int)
        p.add_argument("--nonce", type=int)
    for name, getter in (("losses", "losses"), ("scores", "scores")):
        p = _command(
            emissions,
            name,
            f"{name} of a nonce",
            _json(_nonce_getter(getter)),
        )
        p.add_argument("topic_id", type=int)
        p.add_argument("--nonce", type=int, required=True)
    p = _command(
        emissions,
        "network-inference",
        "the network inference with error bars, participants and weights",
        _json(lambda c, a: c.network_inference(a.topic_id, a.nonce)),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("--nonce", type=int)
    p = _command(
        emissions,
        "stake",
        "a reputer's stake in a topic",
        _json(lambda c, a: c.reputer_stake(a.topic_id, a.address)),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("address")
    p = _command(
        emissions,
        "rewards",
        "rewards settled in a topic",
        _json(lambda c, a: c.rewards(a.topic_id, a.from_height, a.to_height)),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("--from-height", type=int)
    p.add_argument("--to-height", type=int)
    p = _command(
        emissions,
        "method",
        "any emissions.v5.QueryService method with a JSON request",
        _json(_emissions_method),
    )
    p.add_argument("method", help="e.g. GetUnfulfilledWorkerNonces")
    p.add_argument("request", nargs="?", help='JSON request, e.g. \'{"topic_id": "1"}\'')
    _register_emissions_reads(emissions)


def _register_emissions_reads(emissions: Any) -> None:
    """Thin wrappers on ``emissions.v5.QueryService`` methods."""
    p = _command(
        emissions,
        "registrations",
        "whether an address is a registered worker and reputer in a topic",
        _json(_registrations),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("address", type=account_address)
    p = _command(
        emissions,
        "is-registered",
        "whether an address is a registered worker (or --reputer) in a topic",
        _json(_is_registered),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("address", type=account_address)
    p.add_argument("--reputer", action="store_true", help="ask about the reputer registration")
    p = _command(
        emissions,
        "delegations",
        "the total stake a delegator placed on reputers in a topic",
        _json(
            lambda c, a: query_emissions(
                c,
                "GetStakeFromDelegatorInTopic",
                topic_id=a.topic_id,
                delegator_address=a.delegator,
            )
        ),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("delegator", type=account_address)
    p = _command(
        emissions,
        "delegate-stake",
        "stake delegated to a reputer in a topic (with --delegator: that delegator's "
        "placement and reward debt)",
        _json(_delegate_stake),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("reputer", type=account_address)
    p.add_argument("--delegator", type=account_address)
    p = _command(
        emissions,
        "stake-removals",
        "pending stake removals completing at or before a height (default: all)",
        _json(_stake_removals),
    )
    p.add_argument("--until-height", type=int, default=MAX_INT64, metavar="HEIGHT")
    p.add_argument("--delegate", action="store_true", help="delegate stake removals instead")
    p = _command(
        emissions,
        "stake-removal",
        "the pending stake removal of a reputer (or --delegator's on that reputer)",
        _json(_stake_removal),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("reputer", type=account_address)
    p.add_argument("--delegator", type=account_address)
    p = _command(
        emissions,
        "admins",
        "which of the addresses are whitelist admins",
        _json(_admins),
    )
    p.add_argument("addresses", nargs="+", type=account_address, metavar="ADDRESS")
    p = _command(
        emissions,
        "is-admin",
        "whether an address is a whitelist admin",
        _json(lambda c, a: query_emissions(c, "IsWhitelistAdmin", address=a.address)),
    )
    p.add_argument("address", type=account_address)
    p = _command(
        emissions,
        "regrets",
        "a worker's inferer, forecaster and naive network regrets in a topic",
        _json(_regrets),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("address", type=account_address)
    p.add_argument(
        "--one-in",
        type=account_address,
        metavar="INFERER",
        help="also the one-in regret of the worker as forecaster with this inferer",
    )
    p = _command(
        emissions,
        "score-emas",
        "an address's inferer, forecaster and reputer score EMAs in a topic",
        _json(_score_emas),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("address", type=account_address)
    p = _command(
        emissions,
        "listening-coefficient",
        "a reputer's listening coefficient in a topic",
        _json(
            lambda c, a: query_emissions(
                c, "GetListeningCoefficient", topic_id=a.topic_id, reputer=a.reputer
            )
        ),
    )
    p.add_argument("topic_id", type=int)
    p.add_argument("reputer", type=account_address)
