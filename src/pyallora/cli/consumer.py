"""``allora consumer``: what a topic's consumer reads.

* ``allora consumer inference TOPIC [--nonce N]``: the network inference with its error bars
  (68 % and 95 % bands), the height and time it was read at, and the inferers and
  forecasters behind it with their values and weights; ``--output json`` prints the record.

Node selection as ``allora query`` (``--node URL`` or the node running from ``--home``).
Paying a topic ("pay what you want") is ``allora tx emissions fund-topic FROM TOPIC AMOUNT``.
"""

from __future__ import annotations

import argparse
from typing import Any

from pyallora.agents.consumer import format_network_inference, get_network_inference
from pyallora.cli.query import add_node_options, open_client, print_output


def _inference(args: argparse.Namespace) -> int:
    with open_client(args) as client:
        report = get_network_inference(client, args.topic_id, args.nonce)
    print_output(args, report.to_json(), lambda _: format_network_inference(report))
    return 0


def register(subparsers: Any) -> None:
    """Add ``allora consumer``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "consumer",
        help="read network inferences (pay topics with `allora tx emissions fund-topic`)",
        description="Read what the network infers for a topic.",
    )
    parser.set_defaults(group_parser=parser)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    inference = sub.add_parser(
        "inference",
        help="the network inference of a topic with its error bars",
        description="Print a topic's network inference (latest, or of --nonce) with its "
        "confidence interval, the block height and time it was read at, and the "
        "participants with their weights.",
    )
    inference.add_argument("topic_id", type=int, metavar="TOPIC", help="topic id")
    inference.add_argument("--nonce", type=int, help="a past worker nonce (block height)")
    add_node_options(inference)
    inference.set_defaults(func=_inference)


__all__ = ["register"]
