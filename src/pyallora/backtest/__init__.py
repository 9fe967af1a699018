"""Backtests and the live demo (between the agents and the command line).

* :mod:`~pyallora.backtest.engine`: the offline backtest, the real application under the
  in-process block driver (``allora backtest``);
* :mod:`~pyallora.backtest.actors`: a topic's participants acting on a chain, shared by the
  backtest and the demo;
* :mod:`~pyallora.backtest.ledger`: what the chain published, block by block;
* :mod:`~pyallora.backtest.setups`: the demo topics and the default participants for any
  series;
* :mod:`~pyallora.backtest.report`: records, mean losses, ``summary.json``, CSV and plots;
* :mod:`~pyallora.backtest.demo`: the live local network on real data (``allora demo``).
"""

from typing import Final

DEFAULT_DEMO_EPOCHS: Final = 300
"""Epochs per topic (days of weather replayed) in ``make demo``."""

DEFAULT_DEMO_BLOCK_TIME_MS: Final = 250
"""Time between the demo network's blocks (CometBFT's ``timeout_commit``, or the solo
pace)."""
