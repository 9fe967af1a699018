"""``allora init``, ``allora start`` and ``allora status``: create, run and inspect a node.

* ``allora init --home DIR`` writes a node home (:mod:`pyallora.node.home`): the node's
  ``config.toml``, ``genesis.json`` (chain id, funded accounts, the validator, local module
  parameters), the keyring with the validator's account key (``--keyring-backend test`` by
  default: unencrypted, for local networks) and the CometBFT home.
* ``allora start --home DIR`` runs the node (:mod:`pyallora.node.runner`): CometBFT and the
  application, or with ``--solo`` the in-process block driver; it prints where the API and
  the RPC listen and stops cleanly on Ctrl-C or SIGTERM.
* ``allora status --home DIR [--output json]`` asks the running node for its height and app
  hash: ``{"height", "app_hash", "engine", "api", ...}``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyallora.cli.query import CliNodeError, open_client, print_output, resolve_node_url
from pyallora.client.keyring import BACKENDS, PASSPHRASE_ENV, resolve_passphrase
from pyallora.node.config import (
    DEFAULT_BLOCK_TIME_MS,
    DEFAULT_CHAIN_ID,
    DEFAULT_HOME,
    ENGINES,
    resolve_home,
)

if TYPE_CHECKING:
    from pyallora.node.runner import NodeAddresses

# The node's modules (FastAPI, uvicorn, the application) are imported by the commands that
# need them, so that every other ``allora`` command starts quickly.


def register(subparsers: Any) -> None:
    """Add ``allora init``, ``allora start`` and ``allora status``."""
    init = subparsers.add_parser(
        "init",
        help="create a node home (config, genesis, keys, CometBFT home)",
        description="Create a node home for a local network: node config, genesis with the "
        "chain id, funded accounts, the validator and module parameters, and keys.",
    )
    init.add_argument("--home", type=Path, help=f"node home (default {DEFAULT_HOME})")
    init.add_argument("--chain-id", default=DEFAULT_CHAIN_ID, help="chain id")
    init.add_argument("--moniker", default="pyallora", help="validator name")
    init.add_argument(
        "--keyring-backend",
        choices=BACKENDS,
        default="test",
        help="'test' (default, UNENCRYPTED, local networks) or 'file' (passphrase)",
    )
    init.add_argument(
        "--passphrase-file",
        type=Path,
        help=f"file backend passphrase (else ${PASSPHRASE_ENV}, else a prompt)",
    )
    init.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="NAME:AMOUNT",
        help="fund a new keyring key NAME (or an allo1… address) with AMOUNT uallo; repeatable",
    )
    init.add_argument(
        "--accounts-file",
        type=Path,
        help='JSON list of {"address"|"name": ..., "amount": "..."} to fund',
    )
    init.add_argument(
        "--validator-funds",
        type=int,
        help="uallo of the validator's account at genesis (default 10^24: one million ALLO)",
    )
    init.add_argument(
        "--self-bond",
        type=int,
        help="uallo the validator bonds at genesis (default 10^21: 1000 ALLO)",
    )
    init.add_argument(
        "--engine", choices=ENGINES, help="default engine (default: cometbft if installed)"
    )
    init.add_argument("--api-port", type=int, help="API port (default: a free port)")
    init.add_argument("--rpc-port", type=int, help="CometBFT RPC port (default: a free port)")
    init.add_argument("--p2p-port", type=int, help="CometBFT P2P port (default: a free port)")
    init.add_argument("--min-gas-price", type=int, default=0, help="uallo per gas (mempool)")
    init.add_argument(
        "--block-time",
        type=int,
        default=DEFAULT_BLOCK_TIME_MS,
        metavar="MS",
        help=f"milliseconds between blocks (default {DEFAULT_BLOCK_TIME_MS})",
    )
    init.add_argument("--cometbft", type=Path, help="path of the cometbft binary")
    init.add_argument("--output", choices=("text", "json"), default="text")
    init.set_defaults(func=run_init)

    start = subparsers.add_parser(
        "start",
        help="run the node (CometBFT and the application, or --solo)",
        description="Run the node of a home until Ctrl-C or SIGTERM: CometBFT and the "
        "application with its HTTP API, or with --solo the in-process block driver.",
    )
    start.add_argument("--home", type=Path, help=f"node home (default {DEFAULT_HOME})")
    start.add_argument(
        "--solo", action="store_true", help="no CometBFT: blocks from the in-process driver"
    )
    start.add_argument("--api-port", type=int, help="API port (0: a free port)")
    start.add_argument(
        "--block-time", type=int, metavar="MS", help="solo: milliseconds between blocks"
    )
    start.add_argument("--cometbft", type=Path, help="path of the cometbft binary")
    start.add_argument(
        "--log-level",
        default="INFO",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="log level (stderr)",
    )
    start.set_defaults(func=run_start)

    status = subparsers.add_parser(
        "status",
        help="height, app hash and engine of a running node",
        description="Ask the running node of a home (or --node URL) for its status.",
    )
    status.add_argument("--home", type=Path, help=f"node home (default {DEFAULT_HOME})")
    status.add_argument("--node", metavar="URL", help="the node's API URL")
    status.add_argument("--output", choices=("text", "json"), default="text")
    status.add_argument("--timeout", type=float, default=10.0, help="seconds")
    status.set_defaults(func=run_status)


def run_init(args: argparse.Namespace) -> int:
    """``allora init``."""
    from pyallora.node.home import (
        DEFAULT_SELF_BOND,
        DEFAULT_VALIDATOR_FUNDS,
        init_node_home,
        parse_account_spec,
        read_accounts_file,
    )

    accounts = [parse_account_spec(spec) for spec in args.account]
    if args.accounts_file is not None:
        accounts.extend(read_accounts_file(args.accounts_file))
    passphrase = None
    if args.keyring_backend == "file":
        passphrase = resolve_passphrase(passphrase_file=args.passphrase_file, confirm=True)
    result = init_node_home(
        resolve_home(args.home),
        chain_id=args.chain_id,
        keyring_backend=args.keyring_backend,
        passphrase=passphrase,
        validator_funds=(
            DEFAULT_VALIDATOR_FUNDS if args.validator_funds is None else args.validator_funds
        ),
        self_bond=DEFAULT_SELF_BOND if args.self_bond is None else args.self_bond,
        moniker=args.moniker,
        accounts=accounts,
        engine=args.engine,
        api_port=args.api_port,
        rpc_port=args.rpc_port,
        p2p_port=args.p2p_port,
        min_gas_price=args.min_gas_price,
        block_time_ms=args.block_time,
        cometbft_binary=args.cometbft,
    )
    config = result.config
    document = {
        "home": str(result.home.path),
        "chain_id": config.chain_id,
        "engine": config.engine,
        "api": f"http://{config.api_host}:{config.api_port}",
        "rpc": f"http://127.0.0.1:{config.rpc_port}",
        "validator_address": result.validator_address,
        "validator_consensus_address": result.validator_consensus_address,
        "keyring": str(result.home.keyring_dir),
        "keyring_backend": args.keyring_backend,
        "accounts": [
            {"name": a.name, "address": a.address, "amount": str(a.amount)} for a in result.accounts
        ],
        "cometbft_ready": result.cometbft_ready,
    }

    def text(doc: dict[str, Any]) -> str:
        lines = [
            f"initialised node home {doc['home']}",
            f"  chain id:  {doc['chain_id']}",
            f"  engine:    {doc['engine']}",
            f"  API:       {doc['api']}",
            f"  validator: {doc['validator_address']} (key 'validator' in {doc['keyring']})",
        ]
        lines += [
            f"  account:   {a['address']} {a['amount']}uallo {a['name']}".rstrip()
            for a in doc["accounts"][1:]
        ]
        if not doc["cometbft_ready"]:
            lines.append(
                "  cometbft not found: run with `allora start --solo` (or `make cometbft`)"
            )
        lines.append(f"start it with: allora start --home {doc['home']}")
        return "\n".join(lines)

    if args.keyring_backend == "test":
        print("WARNING: keyring backend 'test' stores keys UNENCRYPTED", file=sys.stderr)
    print_output(args, document, text)
    return 0


def run_start(args: argparse.Namespace) -> int:
    """``allora start``."""
    from pyallora.node.runner import run_node

    logging.basicConfig(
        level=getattr(logging, args.log_level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)

    def ready(addresses: NodeAddresses) -> None:
        print(f"node running (pid {addresses.pid}, engine {addresses.engine})", flush=True)
        print(f"chain id: {addresses.chain_id}", flush=True)
        print(f"API listening on {addresses.api}", flush=True)
        if addresses.rpc:
            print(f"CometBFT RPC on {addresses.rpc}", flush=True)
        print("stop with Ctrl-C or SIGTERM", flush=True)

    run_node(
        resolve_home(args.home),
        engine="solo" if args.solo else None,
        api_port=args.api_port,
        block_time_ms=args.block_time,
        cometbft_binary=args.cometbft,
        on_ready=ready,
    )
    print("node stopped", flush=True)
    return 0


def run_status(args: argparse.Namespace) -> int:
    """``allora status``."""
    from pyallora.client.errors import NodeUnreachableError

    try:
        url = resolve_node_url(args)
    except CliNodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with open_client(args) as client:
        try:
            status = client.status()
        except NodeUnreachableError as exc:
            print(f"error: the node is not running: {exc}", file=sys.stderr)
            return 1
    document = {
        "height": status.height,
        "app_hash": status.app_hash,
        "engine": status.engine,
        "api": status.api or url,
        "chain_id": status.chain_id,
        "rpc": status.rpc,
        "latest_block_time": status.latest_block_time,
    }
    print_output(
        args,
        document,
        lambda d: "\n".join(f"{key}: {'' if d[key] is None else d[key]}" for key in d),
    )
    return 0
