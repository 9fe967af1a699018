"""The bank module: MsgSend and the balance/supply queries."""

from __future__ import annotations

from typing import Any

from cosmpy.protos.cosmos.bank.v1beta1 import query_pb2 as bank_query

from pyallora.chain.abci_types import ValidatorUpdate
from pyallora.chain.bank import genesis, queries
from pyallora.chain.bank.handlers import handle_send
from pyallora.chain.bank.msgs import MsgSend, decode_msg_send
from pyallora.chain.context import Context
from pyallora.chain.module import BaseModule, JSONObject, MsgHandler, QueryHandler
from pyallora.chain.store.kv import KVStore, ReadableKVStore

MODULE_NAME = "bank"
"""Name of the module and of its genesis section."""


class BankModule(BaseModule):
    """Balances, supply and transfers."""

    name = MODULE_NAME

    def default_genesis(self) -> JSONObject:
        """No balances."""
        return genesis.compute_default_genesis()

    def init_genesis(
        self, ctx: Context, store: KVStore, state: JSONObject
    ) -> tuple[ValidatorUpdate, ...]:
        """Load the balances and the supply."""
        genesis.init_genesis(store, state)
        return ()

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        """Balances and supply."""
        return genesis.export_genesis(store)

    def msg_handlers(self) -> tuple[MsgHandler[Any], ...]:
        """``MsgSend``."""
        return (
            MsgHandler(
                type_url=MsgSend.TYPE_URL,
                decode=decode_msg_send,
                validate_basic=MsgSend.validate_basic,
                get_signers=MsgSend.get_signers,
                handle=handle_send,
            ),
        )

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        """Balance, AllBalances, TotalSupply, SupplyOf."""
        prefix = "/cosmos.bank.v1beta1.Query/"
        return (
            QueryHandler(
                path=prefix + "Balance",
                request_type=bank_query.QueryBalanceRequest,
                handle=queries.query_balance,
            ),
            QueryHandler(
                path=prefix + "AllBalances",
                request_type=bank_query.QueryAllBalancesRequest,
                handle=queries.query_all_balances,
            ),
            QueryHandler(
                path=prefix + "TotalSupply",
                request_type=bank_query.QueryTotalSupplyRequest,
                handle=queries.query_total_supply,
            ),
            QueryHandler(
                path=prefix + "SupplyOf",
                request_type=bank_query.QuerySupplyOfRequest,
                handle=queries.query_supply_of,
            ),
        )
