"""``allora reputer``: run a reputer from its TOML file, and ask whether it is working.

* ``allora reputer run CONFIG``: register the key in its topics and add self-stake up to each
  topic's ``stake_target`` when needed, then follow the chain and submit one loss bundle per
  open reputer nonce until Ctrl-C or SIGTERM (ground truth from the configured source,
  retried, else the nonce is skipped with the reason).
* ``allora reputer status CONFIG``: the "is it working?" report (last submission, balance,
  stake, next window); ``--output json``; exit status as ``allora worker status``.

The configuration format is :mod:`pyallora.agents.config`; ``examples/reputer.toml`` is a
complete example.
"""

from __future__ import annotations

from typing import Any

from pyallora.agents.config import load_reputer_config
from pyallora.agents.reputer import Reputer
from pyallora.cli.worker import add_agent_commands


def register(subparsers: Any) -> None:
    """Add ``allora reputer``."""
    add_agent_commands(
        subparsers,
        role="reputer",
        description="Run a reputer: ground truth from a source (CSV, callable, HTTP JSON), "
        "losses of the network's value bundle with the topic's loss method, stake management "
        "(configuration: a TOML file, see examples/reputer.toml).",
        load=load_reputer_config,
        build=lambda config, wallet: Reputer(config, wallet),
        topics=lambda config: [(topic.topic_id, topic.stake_target) for topic in config.topics],
    )


__all__ = ["register"]
