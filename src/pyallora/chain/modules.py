"""The standard module list of the pyallora chain, wired together (PROTOCOL.md §5.1).

:func:`build_standard_modules` returns, in lifecycle order,
``[auth, bank, distribution, slashing, staking, mint]``, then the emissions module when
asked (last: its end block runs after staking's, PROTOCOL.md §5.1), then any extra modules. With the
application's default of "list order = genesis, begin-block and end-block order":

* begin block: distribution (allocates the previous block's validator cut and fees), slashing
  (downtime, double signs), mint (emission) — so mint runs after distribution, as required;
* end block: staking (active set, validator updates, maturity queues), then extra modules;
* genesis: auth and bank first (accounts and balances), then distribution and slashing (their
  records), then staking (whose gentxs call the distribution and slashing hooks), then mint.

The staking hooks are shared: distribution settles rewards before any change of a
delegation's shares, slashing opens a validator's signing window when it is bonded.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyallora.chain.auth.module import AuthModule
from pyallora.chain.bank.module import BankModule
from pyallora.chain.distribution.module import DistributionModule
from pyallora.chain.distribution.state import DISTRIBUTION_PREFIXES
from pyallora.chain.emissions.schema import EMISSIONS_PREFIXES
from pyallora.chain.mint.bridge import EmissionsBridge
from pyallora.chain.mint.module import MintModule
from pyallora.chain.mint.state import MINT_PREFIXES
from pyallora.chain.module import Module
from pyallora.chain.slashing.infractions import SlashingHooks
from pyallora.chain.slashing.module import SlashingModule
from pyallora.chain.slashing.state import SLASHING_PREFIXES
from pyallora.chain.staking.hooks import CombinedStakingHooks
from pyallora.chain.staking.module import StakingModule
from pyallora.chain.staking.state import STAKING_PREFIXES
from pyallora.chain.store import schema

ALL_STORE_PREFIXES: tuple[schema.StorePrefix, ...] = tuple(
    sorted(
        (
            *schema.PREFIXES,
            *STAKING_PREFIXES,
            *DISTRIBUTION_PREFIXES,
            *SLASHING_PREFIXES,
            *MINT_PREFIXES,
            *EMISSIONS_PREFIXES,
        ),
        key=lambda row: row.prefix,
    )
)
"""Every store table of the chain, in prefix order.

:mod:`pyallora.chain.store.schema` assigns each module its namespace byte and declares the
foundation's tables; each module declares its own tables, in its namespace, next to its
state accessors. This tuple is the one complete table (``tests/chain/test_store_schema.py``
checks it: unique names, no prefix a prefix of another, each row in its module's namespace).
"""


def get_store_prefix_owner(key: bytes) -> schema.StorePrefix | None:
    """The table that a full store key belongs to, or ``None``."""
    for row in ALL_STORE_PREFIXES:
        if key.startswith(row.prefix):
            return row
    return None


def build_standard_modules(
    *,
    include_emissions: bool = False,
    emissions_bridge: EmissionsBridge | None = None,
    extra: Sequence[Module] = (),
) -> tuple[Module, ...]:
    """The standard modules in lifecycle order (module docstring).

    Parameters
    ----------
    include_emissions
        Append the emissions module after mint and let mint read the emissions-owned values
        from it (:class:`~pyallora.chain.mint.emissions_bridge.EmissionsModuleBridge`).
    emissions_bridge
        How mint reaches the emissions-owned values when ``include_emissions`` is false;
        ``None`` keeps them as stand-ins in the mint's own state.
    extra
        Modules appended last.
    """
    distribution = DistributionModule()
    hooks = CombinedStakingHooks((distribution.hooks, SlashingHooks()))
    slashing = SlashingModule(staking_hooks=hooks)
    staking = StakingModule(hooks=hooks)
    tail: tuple[Module, ...] = ()
    if include_emissions:
        from pyallora.chain.emissions.module import EmissionsModule
        from pyallora.chain.mint.emissions_bridge import EmissionsModuleBridge

        emissions_bridge = EmissionsModuleBridge()
        tail = (EmissionsModule(),)
    mint = MintModule(bridge=emissions_bridge)
    return (AuthModule(), BankModule(), distribution, slashing, staking, mint, *tail, *extra)
