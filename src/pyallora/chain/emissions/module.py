"""The emissions module: genesis, the end blocker, message and query routing (PROTOCOL.md
§2-§5).

:class:`EmissionsModule` plugs into the application (:mod:`pyallora.chain.module`). It has
no begin blocker; its end blocker runs last in the end-block order (§5.1), as the pipeline
:func:`pyallora.chain.emissions.block.pipeline.run_end_block`.

Layout (STYLE.md §2): one sub-package per area, each with ``state.py`` (accessors),
``msgs.py`` (frozen messages with ``validate_basic``), ``handlers.py`` (``handle_<msg>`` and
the area's ``ROUTES``) and ``queries.py`` (``query_<thing>`` and ``QUERY_ROUTES``):

* ``topics`` — CreateNewTopic, FundTopic, weights and activation (``activation.py``), §4.1;
* ``registration`` — Register, RemoveRegistration, §4.2 registration queries;
* ``stake`` — AddStake … CancelRemoveDelegateStake (bookkeeping in ``accounting.py``), §4.5;
* ``admin`` — whitelist admins and UpdateParams, GetParams, IsWhitelistAdmin;
* ``block`` — the end-block stages and ``pipeline.py``.

Shared: ``schema.py`` (every store prefix of §2), ``stores.py`` (typed collections of the
stores the nonce/submission/reward areas write), ``keys.py`` (codecs), ``params.py``,
``errors.py`` (Appendix A), ``events.py`` (Appendix B), ``genesis.py``, ``invariants.py``
(Appendix D), ``heights.py`` (safe ranges of heights and block delays).

How part 2 plugs in (nonces, submissions, rewards):

1. **Messages.** Add a sub-package (e.g. ``submissions``) whose ``handlers.py`` exports
   ``ROUTES`` (``MsgHandler`` for ``/emissions.v5.InsertWorkerPayloadRequest`` and
   ``/emissions.v5.InsertReputerPayloadRequest``), and append it to :data:`MSG_ROUTE_GROUPS`.
   Fees go through :func:`pyallora.chain.emissions.topics.activation.charge_topic_fee`
   (ecosystem, revenue, activation check).
2. **Queries.** Export ``QUERY_ROUTES`` (built with
   :func:`pyallora.chain.emissions.query_support.build_query_route`) and append it to
   :data:`QUERY_ROUTE_GROUPS`.
3. **End block.** Put each stage in its own module of ``block/`` (``stage(ctx, store, state)
   -> state``, with a ``FAILURE_POLICY`` constant) and add it to
   ``block.pipeline.END_BLOCK_STAGES`` after ``process_topic_weights``, in §5.4 order (open /
   close nonces, rewards, close worker windows). The weight map of step 2 arrives in
   ``state.topic_weights``; add fields to ``block.state.EndBlockState`` to pass more.
4. **State.** Build accessors on the collections of ``stores.py`` (never a second collection
   over a prefix); genesis already imports and exports them. Switch quirk behaviour on
   :func:`pyallora.chain.emissions.params.is_reference_compat`.
5. **Invariants.** ``invariants.INVARIANT_CHECKS`` lists checks 1-8 (6 and 7 from
   ``invariants_part2``, whose ``RegistrationHistory`` adds D7's history clause); check 9
   is the mint's.
"""

from __future__ import annotations

from typing import Any, Final

from pyallora.chain.abci_types import ValidatorUpdate
from pyallora.chain.context import Context
from pyallora.chain.emissions import genesis
from pyallora.chain.emissions.admin.handlers import ROUTES as ADMIN_ROUTES
from pyallora.chain.emissions.admin.queries import QUERY_ROUTES as ADMIN_QUERIES
from pyallora.chain.emissions.block.pipeline import run_end_block
from pyallora.chain.emissions.nonces.queries import QUERY_ROUTES as NONCE_QUERIES
from pyallora.chain.emissions.outputs.queries import QUERY_ROUTES as OUTPUT_QUERIES
from pyallora.chain.emissions.registration.handlers import ROUTES as REGISTRATION_ROUTES
from pyallora.chain.emissions.registration.queries import QUERY_ROUTES as REGISTRATION_QUERIES
from pyallora.chain.emissions.rewards.queries import QUERY_ROUTES as REWARD_QUERIES
from pyallora.chain.emissions.stake.handlers import ROUTES as STAKE_ROUTES
from pyallora.chain.emissions.stake.queries import QUERY_ROUTES as STAKE_QUERIES
from pyallora.chain.emissions.submissions.handlers import ROUTES as SUBMISSION_ROUTES
from pyallora.chain.emissions.topics.handlers import ROUTES as TOPIC_ROUTES
from pyallora.chain.emissions.topics.queries import QUERY_ROUTES as TOPIC_QUERIES
from pyallora.chain.module import BaseModule, JSONObject, MsgHandler, QueryHandler
from pyallora.chain.store.kv import KVStore, ReadableKVStore

MODULE_NAME: Final = "emissions"
"""Name of the module and of its genesis section."""

MSG_ROUTE_GROUPS: Final[tuple[tuple[MsgHandler[Any], ...], ...]] = (
    ADMIN_ROUTES,
    TOPIC_ROUTES,
    REGISTRATION_ROUTES,
    STAKE_ROUTES,
    SUBMISSION_ROUTES,
)
"""The message routes of every area (part 2 appends its groups)."""

QUERY_ROUTE_GROUPS: Final[tuple[tuple[QueryHandler[Any, Any], ...], ...]] = (
    TOPIC_QUERIES,
    ADMIN_QUERIES,
    REGISTRATION_QUERIES,
    STAKE_QUERIES,
    NONCE_QUERIES,
    OUTPUT_QUERIES,
    REWARD_QUERIES,
)
"""The query routes of every area (part 2 appends its groups)."""


class EmissionsModule(BaseModule):
    """Topics, registrations, stakes, admins and the emissions end blocker."""

    name = MODULE_NAME

    def default_genesis(self) -> JSONObject:
        """Default params, no admins, recommended fixes (``reference_compat`` false)."""
        return genesis.compute_default_genesis()

    def init_genesis(
        self, ctx: Context, store: KVStore, state: JSONObject
    ) -> tuple[ValidatorUpdate, ...]:
        """Load the ``emissions.v5.GenesisState`` section (:mod:`..genesis`)."""
        genesis.init_genesis(store, state)
        return ()

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        """Every emissions store as a ``GenesisState`` section."""
        return genesis.export_genesis(store)

    def end_block(self, ctx: Context, store: KVStore) -> tuple[ValidatorUpdate, ...]:
        """Run the end-block pipeline (§5.4)."""
        run_end_block(ctx, store)
        return ()

    def msg_handlers(self) -> tuple[MsgHandler[Any], ...]:
        """The emissions messages handled so far."""
        return tuple(route for group in MSG_ROUTE_GROUPS for route in group)

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        """The emissions queries answered so far."""
        return tuple(route for group in QUERY_ROUTE_GROUPS for route in group)
