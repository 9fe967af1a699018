"""``allora worker``: run a worker from its TOML file, and ask whether it is working.

* ``allora worker run CONFIG``: register the key in its topics when needed, then follow the
  chain and submit one inference (and forecast) per open nonce until Ctrl-C or SIGTERM,
  printing a line per step (window opened, submitted, accepted or refused with the code and
  reason, skipped and why). ``--log-format json`` prints JSON lines.
* ``allora worker status CONFIG``: the "is it working?" report (last submission, accepted or
  refused and why, balance, next window); ``--output json``. Exit status 0 when working or
  waiting for a window, 1 when something needs attention, 3 when the worker is not running.

The configuration format is :mod:`pyallora.agents.config`; ``examples/worker.toml`` is a
complete example. The same helpers serve ``allora reputer`` (:mod:`pyallora.cli.reputer`).
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final, Protocol

from pyallora.agents.config import (
    AgentSettings,
    get_key_address,
    load_wallet,
    load_worker_config,
)
from pyallora.agents.runtime import AgentLoop, configure_agent_logging, run_until_signalled
from pyallora.agents.status import build_status_report, format_status_report
from pyallora.agents.worker import Worker
from pyallora.client.wallet import Wallet

EXIT_DEGRADED: Final = 1
EXIT_NOT_RUNNING: Final = 3


class AgentConfigLike(Protocol):
    """What the run/status helpers need of a worker or reputer configuration."""

    @property
    def settings(self) -> AgentSettings:
        """Common settings."""
        ...


def with_node(config: Any, node: str | None) -> Any:
    """The configuration with ``settings.node`` replaced when ``node`` is given."""
    if not node:
        return config
    return replace(config, settings=replace(config.settings, node=node.rstrip("/")))


def run_agent(
    args: argparse.Namespace,
    *,
    load: Callable[[Path], Any],
    build: Callable[[Any, Wallet], AgentLoop],
) -> int:
    """``allora <role> run CONFIG``: load, build, run until signalled."""
    config = with_node(load(Path(args.config)), args.node)
    wallet = load_wallet(config.settings.key)
    handler = configure_agent_logging(json_lines=args.log_format == "json", verbose=args.verbose)
    try:
        agent = build(config, wallet)
        run_until_signalled(agent)
    finally:
        logging.getLogger("pyallora.agents").removeHandler(handler)
    return 0


def show_status(
    args: argparse.Namespace,
    *,
    role: str,
    load: Callable[[Path], Any],
    topics: Callable[[Any], Sequence[tuple[int, int | None]]],
) -> int:
    """``allora <role> status CONFIG``: print the report; the exit status tells the verdict."""
    config = with_node(load(Path(args.config)), args.node)
    settings: AgentSettings = config.settings
    report = build_status_report(
        role=role,
        address=get_key_address(settings.key),
        state_dir=settings.state_dir,
        node=settings.node,
        topics=topics(config),
    )
    if args.output == "json":
        print(json.dumps(report.to_json(), sort_keys=True))
    else:
        print(format_status_report(report))
    if report.verdict == "not running":
        return EXIT_NOT_RUNNING
    return EXIT_DEGRADED if report.verdict == "degraded" else 0


def add_agent_commands(
    subparsers: Any,
    *,
    role: str,
    description: str,
    load: Callable[[Path], Any],
    build: Callable[[Any, Wallet], AgentLoop],
    topics: Callable[[Any], Sequence[tuple[int, int | None]]],
) -> None:
    """Add ``allora <role> run|status``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        role, help=f"run a {role} and check on it", description=description
    )
    parser.set_defaults(group_parser=parser)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help=f"run the {role} until Ctrl-C or SIGTERM",
        description=f"Run the {role} of CONFIG (TOML) until Ctrl-C or SIGTERM, printing its "
        "progress (window opened, submitted, accepted or refused with code and reason).",
    )
    run.add_argument("config", metavar="CONFIG", help=f"the {role}'s TOML configuration")
    run.add_argument("--node", metavar="URL", help="override the node API URL of CONFIG")
    run.add_argument(
        "--log-format", choices=("text", "json"), default="text", help="progress line format"
    )
    run.add_argument("-v", "--verbose", action="store_true", help="debug output too")
    run.set_defaults(func=lambda args: run_agent(args, load=load, build=build))

    status = sub.add_parser(
        "status",
        help=f"is the {role} working? (last submission, balance, next window)",
        description=f"Report whether the {role} of CONFIG is running and working: its last "
        "submission (accepted, or refused and why), balance, stake, next window. Exit "
        "status: 0 working or waiting, 1 needs attention, 3 not running.",
    )
    status.add_argument("config", metavar="CONFIG", help=f"the {role}'s TOML configuration")
    status.add_argument("--node", metavar="URL", help="override the node API URL of CONFIG")
    status.add_argument("--output", choices=("text", "json"), default="text", help="format")
    status.set_defaults(func=lambda args: show_status(args, role=role, load=load, topics=topics))


def register(subparsers: Any) -> None:
    """Add ``allora worker``."""
    add_agent_commands(
        subparsers,
        role="worker",
        description="Run a worker: inferer and forecaster models on one or more topics, one "
        "payload per open nonce (configuration: a TOML file, see examples/worker.toml).",
        load=load_worker_config,
        build=lambda config, wallet: Worker(config, wallet),
        topics=lambda config: [(topic.topic_id, None) for topic in config.topics],
    )


__all__ = ["add_agent_commands", "register", "run_agent", "show_status", "with_node"]
