"""The ``allora`` command: one argparse tree, one module per command group.

Each module listed in :data:`COMMAND_GROUPS` defines ``register(subparsers)``, which adds its
sub-command (with ``--help``) and sets ``func`` on the parsed namespace. Errors that the user
can fix (:class:`~pyallora.core.errors.PyAlloraError`) print one line on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pyallora import __version__
from pyallora.core.errors import PyAlloraError

COMMAND_GROUPS: tuple[str, ...] = (
    "pyallora.cli.vectors",
    "pyallora.cli.bench",
    "pyallora.cli.demo",
    "pyallora.cli.backtest",
    "pyallora.cli.keys",
    "pyallora.cli.node",
    "pyallora.cli.tx",
    "pyallora.cli.query",
    "pyallora.cli.worker",
    "pyallora.cli.reputer",
    "pyallora.cli.consumer",
)
"""Modules that contribute sub-commands, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree."""
    parser = argparse.ArgumentParser(
        prog="allora",
        description="pyallora: run, join and study the Allora decentralized AI network.",
    )
    parser.add_argument("--version", action="version", version=f"pyallora {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_GROUPS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``allora`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        # A group without a sub-command: show that group's help.
        (getattr(args, "group_parser", None) or parser).print_help()
        return 2
    try:
        status = func(args)
    except PyAlloraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
