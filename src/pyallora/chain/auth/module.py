"""The auth module: accounts, sequences, module accounts and their queries."""

from __future__ import annotations

from typing import Any

from cosmpy.protos.cosmos.auth.v1beta1 import query_pb2 as auth_query

from pyallora.chain.abci_types import ValidatorUpdate
from pyallora.chain.auth import genesis, queries
from pyallora.chain.context import Context
from pyallora.chain.module import BaseModule, JSONObject, QueryHandler
from pyallora.chain.store.kv import KVStore, ReadableKVStore

MODULE_NAME = "auth"
"""Name of the module and of its genesis section."""


class AuthModule(BaseModule):
    """Accounts (no messages of its own: the ante handler uses its state)."""

    name = MODULE_NAME

    def default_genesis(self) -> JSONObject:
        """Default params, no accounts."""
        return genesis.compute_default_genesis()

    def init_genesis(
        self, ctx: Context, store: KVStore, state: JSONObject
    ) -> tuple[ValidatorUpdate, ...]:
        """Load params and accounts; create the module accounts."""
        genesis.init_genesis(store, state)
        return ()

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        """Params, every account, the next account number."""
        return genesis.export_genesis(store)

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        """Account, AccountInfo, Params, ModuleAccountByName."""
        prefix = "/cosmos.auth.v1beta1.Query/"
        return (
            QueryHandler(
                path=prefix + "Account",
                request_type=auth_query.QueryAccountRequest,
                handle=queries.query_account,
            ),
            QueryHandler(
                path=prefix + "AccountInfo",
                request_type=auth_query.QueryAccountInfoRequest,
                handle=queries.query_account_info,
            ),
            QueryHandler(
                path=prefix + "Params",
                request_type=auth_query.QueryParamsRequest,
                handle=queries.query_params,
            ),
            QueryHandler(
                path=prefix + "ModuleAccountByName",
                request_type=auth_query.QueryModuleAccountByNameRequest,
                handle=queries.query_module_account_by_name,
            ),
        )
