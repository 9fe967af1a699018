"""Queries of the slashing module (``cosmos.slashing.v1beta1.Query``).

``SigningInfo`` takes an ``allovalcons1…`` address (``sdk`` InvalidRequest 18 when malformed,
slashing 8 when unknown); ``SigningInfos`` lists every info (pagination accepted, ignored).
"""

from __future__ import annotations

from cosmpy.protos.cosmos.base.query.v1beta1 import pagination_pb2
from cosmpy.protos.cosmos.slashing.v1beta1 import query_pb2 as slashing_query
from cosmpy.protos.cosmos.slashing.v1beta1 import slashing_pb2
from google.protobuf import duration_pb2, timestamp_pb2

from pyallora.chain.context import QueryContext
from pyallora.chain.slashing.errors import NoSigningInfoFoundError
from pyallora.chain.slashing.state import (
    SigningInfo,
    get_params,
    get_signing_info,
    iterate_signing_infos,
)
from pyallora.chain.staking.params import NANOS_PER_SECOND
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import InvalidRequestError
from pyallora.core.crypto import VALCONS_PREFIX, CryptoError, decode_bech32, encode_bech32


def compute_signing_info_proto(
    cons_address: bytes, info: SigningInfo
) -> slashing_pb2.ValidatorSigningInfo:
    """The ``ValidatorSigningInfo`` of a record."""
    seconds, nanos = divmod(info.jailed_until_ns, NANOS_PER_SECOND)
    return slashing_pb2.ValidatorSigningInfo(
        address=encode_bech32(VALCONS_PREFIX, cons_address),
        start_height=info.start_height,
        index_offset=info.index_offset,
        jailed_until=timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos),
        tombstoned=info.tombstoned,
        missed_blocks_counter=info.missed_blocks_counter,
    )


def query_params(
    ctx: QueryContext, store: ReadableKVStore, request: slashing_query.QueryParamsRequest
) -> slashing_query.QueryParamsResponse:
    """``Params`` (LegacyDec fields as the integer text of units)."""
    params = get_params(store)
    return slashing_query.QueryParamsResponse(
        params=slashing_pb2.Params(
            signed_blocks_window=params.signed_blocks_window,
            min_signed_per_window=str(params.min_signed_per_window).encode("ascii"),
            downtime_jail_duration=duration_pb2.Duration(seconds=params.downtime_jail_duration_s),
            slash_fraction_double_sign=str(params.slash_fraction_double_sign).encode("ascii"),
            slash_fraction_downtime=str(params.slash_fraction_downtime).encode("ascii"),
        )
    )


def query_signing_info(
    ctx: QueryContext, store: ReadableKVStore, request: slashing_query.QuerySigningInfoRequest
) -> slashing_query.QuerySigningInfoResponse:
    """``SigningInfo`` of one ``allovalcons1…`` address."""
    if not request.cons_address:
        raise InvalidRequestError("empty consensus address")
    try:
        address = decode_bech32(request.cons_address, prefix=VALCONS_PREFIX)
    except CryptoError as exc:
        raise InvalidRequestError(f"invalid consensus address: {exc}") from exc
    info = get_signing_info(store, address)
    if info is None:
        raise NoSigningInfoFoundError(f"no signing info found for {request.cons_address}")
    return slashing_query.QuerySigningInfoResponse(
        val_signing_info=compute_signing_info_proto(address, info)
    )


def query_signing_infos(
    ctx: QueryContext, store: ReadableKVStore, request: slashing_query.QuerySigningInfosRequest
) -> slashing_query.QuerySigningInfosResponse:
    """``SigningInfos``: every signing info, by consensus address."""
    infos = [
        compute_signing_info_proto(address, info) for address, info in iterate_signing_infos(store)
    ]
    return slashing_query.QuerySigningInfosResponse(
        info=infos, pagination=pagination_pb2.PageResponse(total=len(infos))
    )
