"""pyallora.abci (L3): the CometBFT v0.38.25 ABCI 2.0 socket adapter (INFRA.md §4).

* :mod:`~pyallora.abci.framing`: unsigned-varint length-prefixed frames;
* :mod:`~pyallora.abci.translate`: ``tendermint.abci`` protobuf ↔ :mod:`pyallora.chain.abci_types`;
* :mod:`~pyallora.abci.server`: the asyncio server (four connections, one serial application
  lock, in-order replies, a Flush answer per Flush).
"""

from pyallora.abci.server import (
    AbciServer,
    AbciServerError,
    ApplicationFailedError,
    CommittedBlock,
    run_abci_server,
    serve,
)

__all__ = [
    "AbciServer",
    "AbciServerError",
    "ApplicationFailedError",
    "CommittedBlock",
    "run_abci_server",
    "serve",
]
