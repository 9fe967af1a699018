from pyallora.proto.emissions.v3 import types_pb2 as _types_pb2
from pyallora.proto.emissions.v5 import params_pb2 as _params_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetNextTopicIdRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetNextTopicIdResponse(_message.Message):
    __slots__ = ("next_topic_id",)
    NEXT_TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    next_topic_id: int
    def __init__(self, next_topic_id: _Optional[int] = ...) -> None: ...

class GetTopicRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetTopicResponse(_message.Message):
    __slots__ = ("topic", "weight", "effective_revenue")
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_REVENUE_FIELD_NUMBER: _ClassVar[int]
    topic: _types_pb2.Topic
    weight: str
    effective_revenue: str
    def __init__(self, topic: _Optional[_Union[_types_pb2.Topic, _Mapping]] = ..., weight: _Optional[str] = ..., effective_revenue: _Optional[str] = ...) -> None: ...

class TopicExistsRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class TopicExistsResponse(_message.Message):
    __slots__ = ("exists",)
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    exists: bool
    def __init__(self, exists: bool = ...) -> None: ...

class IsTopicActiveRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class IsTopicActiveResponse(_message.Message):
    __slots__ = ("is_active",)
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    is_active: bool
    def __init__(self, is_active: bool = ...) -> None: ...

class GetActiveTopicsAtBlockRequest(_message.Message):
    __slots__ = ("block_height",)
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    def __init__(self, block_height: _Optional[int] = ...) -> None: ...

class GetActiveTopicsAtBlockResponse(_message.Message):
    __slots__ = ("topics", "pagination")
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    topics: _containers.RepeatedCompositeFieldContainer[_types_pb2.Topic]
    pagination: _types_pb2.SimpleCursorPaginationResponse
    def __init__(self, topics: _Optional[_Iterable[_Union[_types_pb2.Topic, _Mapping]]] = ..., pagination: _Optional[_Union[_types_pb2.SimpleCursorPaginationResponse, _Mapping]] = ...) -> None: ...

class GetNextChurningBlockByTopicIdRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetNextChurningBlockByTopicIdResponse(_message.Message):
    __slots__ = ("block_height",)
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    def __init__(self, block_height: _Optional[int] = ...) -> None: ...

class GetTopicFeeRevenueRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetTopicFeeRevenueResponse(_message.Message):
    __slots__ = ("fee_revenue",)
    FEE_REVENUE_FIELD_NUMBER: _ClassVar[int]
    fee_revenue: str
    def __init__(self, fee_revenue: _Optional[str] = ...) -> None: ...

class GetPreviousTopicWeightRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetPreviousTopicWeightResponse(_message.Message):
    __slots__ = ("weight", "not_found")
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    NOT_FOUND_FIELD_NUMBER: _ClassVar[int]
    weight: str
    not_found: bool
    def __init__(self, weight: _Optional[str] = ..., not_found: bool = ...) -> None: ...

class GetTotalSumPreviousTopicWeightsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTotalSumPreviousTopicWeightsResponse(_message.Message):
    __slots__ = ("weight",)
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    weight: str
    def __init__(self, weight: _Optional[str] = ...) -> None: ...

class GetTopicRewardNonceRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetTopicRewardNonceResponse(_message.Message):
    __slots__ = ("nonce",)
    NONCE_FIELD_NUMBER: _ClassVar[int]
    nonce: int
    def __init__(self, nonce: _Optional[int] = ...) -> None: ...

class GetTopicLastWorkerCommitInfoRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetTopicLastWorkerCommitInfoResponse(_message.Message):
    __slots__ = ("last_commit",)
    LAST_COMMIT_FIELD_NUMBER: _ClassVar[int]
    last_commit: _types_pb2.TimestampedActorNonce
    def __init__(self, last_commit: _Optional[_Union[_types_pb2.TimestampedActorNonce, _Mapping]] = ...) -> None: ...

class GetTopicLastReputerCommitInfoRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetTopicLastReputerCommitInfoResponse(_message.Message):
    __slots__ = ("last_commit",)
    LAST_COMMIT_FIELD_NUMBER: _ClassVar[int]
    last_commit: _types_pb2.TimestampedActorNonce
    def __init__(self, last_commit: _Optional[_Union[_types_pb2.TimestampedActorNonce, _Mapping]] = ...) -> None: ...

class GetParamsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetParamsResponse(_message.Message):
    __slots__ = ("params",)
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    params: _params_pb2.Params
    def __init__(self, params: _Optional[_Union[_params_pb2.Params, _Mapping]] = ...) -> None: ...

class IsWorkerRegisteredInTopicIdRequest(_message.Message):
    __slots__ = ("topic_id", "address")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    address: str
    def __init__(self, topic_id: _Optional[int] = ..., address: _Optional[str] = ...) -> None: ...

class IsWorkerRegisteredInTopicIdResponse(_message.Message):
    __slots__ = ("is_registered",)
    IS_REGISTERED_FIELD_NUMBER: _ClassVar[int]
    is_registered: bool
    def __init__(self, is_registered: bool = ...) -> None: ...

class IsReputerRegisteredInTopicIdRequest(_message.Message):
    __slots__ = ("topic_id", "address")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    address: str
    def __init__(self, topic_id: _Optional[int] = ..., address: _Optional[str] = ...) -> None: ...

class IsReputerRegisteredInTopicIdResponse(_message.Message):
    __slots__ = ("is_registered",)
    IS_REGISTERED_FIELD_NUMBER: _ClassVar[int]
    is_registered: bool
    def __init__(self, is_registered: bool = ...) -> None: ...

class GetWorkerNodeInfoRequest(_message.Message):
    __slots__ = ("address",)
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    address: str
    def __init__(self, address: _Optional[str] = ...) -> None: ...

class GetWorkerNodeInfoResponse(_message.Message):
    __slots__ = ("node_info",)
    NODE_INFO_FIELD_NUMBER: _ClassVar[int]
    node_info: _types_pb2.OffchainNode
    def __init__(self, node_info: _Optional[_Union[_types_pb2.OffchainNode, _Mapping]] = ...) -> None: ...

class GetReputerNodeInfoRequest(_message.Message):
    __slots__ = ("address",)
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    address: str
    def __init__(self, address: _Optional[str] = ...) -> None: ...

class GetReputerNodeInfoResponse(_message.Message):
    __slots__ = ("node_info",)
    NODE_INFO_FIELD_NUMBER: _ClassVar[int]
    node_info: _types_pb2.OffchainNode
    def __init__(self, node_info: _Optional[_Union[_types_pb2.OffchainNode, _Mapping]] = ...) -> None: ...

class IsWhitelistAdminRequest(_message.Message):
    __slots__ = ("address",)
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    address: str
    def __init__(self, address: _Optional[str] = ...) -> None: ...

class IsWhitelistAdminResponse(_message.Message):
    __slots__ = ("is_admin",)
    IS_ADMIN_FIELD_NUMBER: _ClassVar[int]
    is_admin: bool
    def __init__(self, is_admin: bool = ...) -> None: ...

class GetUnfulfilledWorkerNoncesRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetUnfulfilledWorkerNoncesResponse(_message.Message):
    __slots__ = ("nonces",)
    NONCES_FIELD_NUMBER: _ClassVar[int]
    nonces: _types_pb2.Nonces
    def __init__(self, nonces: _Optional[_Union[_types_pb2.Nonces, _Mapping]] = ...) -> None: ...

class GetUnfulfilledReputerNoncesRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetUnfulfilledReputerNoncesResponse(_message.Message):
    __slots__ = ("nonces",)
    NONCES_FIELD_NUMBER: _ClassVar[int]
    nonces: _types_pb2.ReputerRequestNonces
    def __init__(self, nonces: _Optional[_Union[_types_pb2.ReputerRequestNonces, _Mapping]] = ...) -> None: ...

class IsWorkerNonceUnfulfilledRequest(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class IsWorkerNonceUnfulfilledResponse(_message.Message):
    __slots__ = ("is_worker_nonce_unfulfilled",)
    IS_WORKER_NONCE_UNFULFILLED_FIELD_NUMBER: _ClassVar[int]
    is_worker_nonce_unfulfilled: bool
    def __init__(self, is_worker_nonce_unfulfilled: bool = ...) -> None: ...

class IsReputerNonceUnfulfilledRequest(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class IsReputerNonceUnfulfilledResponse(_message.Message):
    __slots__ = ("is_reputer_nonce_unfulfilled",)
    IS_REPUTER_NONCE_UNFULFILLED_FIELD_NUMBER: _ClassVar[int]
    is_reputer_nonce_unfulfilled: bool
    def __init__(self, is_reputer_nonce_unfulfilled: bool = ...) -> None: ...

class GetNetworkInferencesAtBlockRequest(_message.Message):
    __slots__ = ("topic_id", "block_height_last_inference")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_LAST_INFERENCE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height_last_inference: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height_last_inference: _Optional[int] = ...) -> None: ...

class GetNetworkInferencesAtBlockResponse(_message.Message):
    __slots__ = ("network_inferences",)
    NETWORK_INFERENCES_FIELD_NUMBER: _ClassVar[int]
    network_inferences: _types_pb2.ValueBundle
    def __init__(self, network_inferences: _Optional[_Union[_types_pb2.ValueBundle, _Mapping]] = ...) -> None: ...

class GetLatestNetworkInferencesRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetLatestNetworkInferencesResponse(_message.Message):
    __slots__ = ("network_inferences", "inferer_weights", "forecaster_weights", "inference_block_height", "loss_block_height", "confidence_interval_raw_percentiles", "confidence_interval_values")
    NETWORK_INFERENCES_FIELD_NUMBER: _ClassVar[int]
    INFERER_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    LOSS_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_INTERVAL_RAW_PERCENTILES_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_INTERVAL_VALUES_FIELD_NUMBER: _ClassVar[int]
    network_inferences: _types_pb2.ValueBundle
    inferer_weights: _containers.RepeatedCompositeFieldContainer[_types_pb2.RegretInformedWeight]
    forecaster_weights: _containers.RepeatedCompositeFieldContainer[_types_pb2.RegretInformedWeight]
    inference_block_height: int
    loss_block_height: int
    confidence_interval_raw_percentiles: _containers.RepeatedScalarFieldContainer[str]
    confidence_interval_values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, network_inferences: _Optional[_Union[_types_pb2.ValueBundle, _Mapping]] = ..., inferer_weights: _Optional[_Iterable[_Union[_types_pb2.RegretInformedWeight, _Mapping]]] = ..., forecaster_weights: _Optional[_Iterable[_Union[_types_pb2.RegretInformedWeight, _Mapping]]] = ..., inference_block_height: _Optional[int] = ..., loss_block_height: _Optional[int] = ..., confidence_interval_raw_percentiles: _Optional[_Iterable[str]] = ..., confidence_interval_values: _Optional[_Iterable[str]] = ...) -> None: ...

class GetLatestAvailableNetworkInferencesRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetLatestAvailableNetworkInferencesResponse(_message.Message):
    __slots__ = ("network_inferences", "inferer_weights", "forecaster_weights", "inference_block_height", "loss_block_height", "confidence_interval_raw_percentiles", "confidence_interval_values")
    NETWORK_INFERENCES_FIELD_NUMBER: _ClassVar[int]
    INFERER_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    LOSS_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_INTERVAL_RAW_PERCENTILES_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_INTERVAL_VALUES_FIELD_NUMBER: _ClassVar[int]
    network_inferences: _types_pb2.ValueBundle
    inferer_weights: _containers.RepeatedCompositeFieldContainer[_types_pb2.RegretInformedWeight]
    forecaster_weights: _containers.RepeatedCompositeFieldContainer[_types_pb2.RegretInformedWeight]
    inference_block_height: int
    loss_block_height: int
    confidence_interval_raw_percentiles: _containers.RepeatedScalarFieldContainer[str]
    confidence_interval_values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, network_inferences: _Optional[_Union[_types_pb2.ValueBundle, _Mapping]] = ..., inferer_weights: _Optional[_Iterable[_Union[_types_pb2.RegretInformedWeight, _Mapping]]] = ..., forecaster_weights: _Optional[_Iterable[_Union[_types_pb2.RegretInformedWeight, _Mapping]]] = ..., inference_block_height: _Optional[int] = ..., loss_block_height: _Optional[int] = ..., confidence_interval_raw_percentiles: _Optional[_Iterable[str]] = ..., confidence_interval_values: _Optional[_Iterable[str]] = ...) -> None: ...

class GetInferencesAtBlockRequest(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class GetInferencesAtBlockResponse(_message.Message):
    __slots__ = ("inferences",)
    INFERENCES_FIELD_NUMBER: _ClassVar[int]
    inferences: _types_pb2.Inferences
    def __init__(self, inferences: _Optional[_Union[_types_pb2.Inferences, _Mapping]] = ...) -> None: ...

class GetLatestTopicInferencesRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetLatestTopicInferencesResponse(_message.Message):
    __slots__ = ("inferences", "block_height")
    INFERENCES_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    inferences: _containers.RepeatedCompositeFieldContainer[_types_pb2.Inference]
    block_height: int
    def __init__(self, inferences: _Optional[_Iterable[_Union[_types_pb2.Inference, _Mapping]]] = ..., block_height: _Optional[int] = ...) -> None: ...

class GetForecastsAtBlockRequest(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class GetForecastsAtBlockResponse(_message.Message):
    __slots__ = ("forecasts",)
    FORECASTS_FIELD_NUMBER: _ClassVar[int]
    forecasts: _types_pb2.Forecasts
    def __init__(self, forecasts: _Optional[_Union[_types_pb2.Forecasts, _Mapping]] = ...) -> None: ...

class GetWorkerLatestInferenceByTopicIdRequest(_message.Message):
    __slots__ = ("topic_id", "worker_address")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    worker_address: str
    def __init__(self, topic_id: _Optional[int] = ..., worker_address: _Optional[str] = ...) -> None: ...

class GetWorkerLatestInferenceByTopicIdResponse(_message.Message):
    __slots__ = ("latest_inference",)
    LATEST_INFERENCE_FIELD_NUMBER: _ClassVar[int]
    latest_inference: _types_pb2.Inference
    def __init__(self, latest_inference: _Optional[_Union[_types_pb2.Inference, _Mapping]] = ...) -> None: ...

class GetNetworkLossBundleAtBlockRequest(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class GetNetworkLossBundleAtBlockResponse(_message.Message):
    __slots__ = ("loss_bundle",)
    LOSS_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    loss_bundle: _types_pb2.ValueBundle
    def __init__(self, loss_bundle: _Optional[_Union[_types_pb2.ValueBundle, _Mapping]] = ...) -> None: ...

class GetReputerLossBundlesAtBlockRequest(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class GetReputerLossBundlesAtBlockResponse(_message.Message):
    __slots__ = ("loss_bundles",)
    LOSS_BUNDLES_FIELD_NUMBER: _ClassVar[int]
    loss_bundles: _types_pb2.ReputerValueBundles
    def __init__(self, loss_bundles: _Optional[_Union[_types_pb2.ReputerValueBundles, _Mapping]] = ...) -> None: ...

class GetActiveInferersForTopicRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetActiveInferersForTopicResponse(_message.Message):
    __slots__ = ("inferers",)
    INFERERS_FIELD_NUMBER: _ClassVar[int]
    inferers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, inferers: _Optional[_Iterable[str]] = ...) -> None: ...

class GetActiveForecastersForTopicRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetActiveForecastersForTopicResponse(_message.Message):
    __slots__ = ("forecasters",)
    FORECASTERS_FIELD_NUMBER: _ClassVar[int]
    forecasters: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, forecasters: _Optional[_Iterable[str]] = ...) -> None: ...

class GetActiveReputersForTopicRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetActiveReputersForTopicResponse(_message.Message):
    __slots__ = ("reputers",)
    REPUTERS_FIELD_NUMBER: _ClassVar[int]
    reputers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, reputers: _Optional[_Iterable[str]] = ...) -> None: ...

class GetTotalStakeRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTotalStakeResponse(_message.Message):
    __slots__ = ("amount",)
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    amount: str
    def __init__(self, amount: _Optional[str] = ...) -> None: ...

class GetTopicStakeRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetTopicStakeResponse(_message.Message):
    __slots__ = ("amount",)
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    amount: str
    def __init__(self, amount: _Optional[str] = ...) -> None: ...

class GetReputerStakeInTopicRequest(_message.Message):
    __slots__ = ("address", "topic_id")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    address: str
    topic_id: int
    def __init__(self, address: _Optional[str] = ..., topic_id: _Optional[int] = ...) -> None: ...

class GetReputerStakeInTopicResponse(_message.Message):
    __slots__ = ("amount",)
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    amount: str
    def __init__(self, amount: _Optional[str] = ...) -> None: ...

class GetMultiReputerStakeInTopicRequest(_message.Message):
    __slots__ = ("addresses", "topic_id")
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    addresses: _containers.RepeatedScalarFieldContainer[str]
    topic_id: int
    def __init__(self, addresses: _Optional[_Iterable[str]] = ..., topic_id: _Optional[int] = ...) -> None: ...

class GetMultiReputerStakeInTopicResponse(_message.Message):
    __slots__ = ("amounts",)
    AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    amounts: _containers.RepeatedCompositeFieldContainer[_types_pb2.StakeInfo]
    def __init__(self, amounts: _Optional[_Iterable[_Union[_types_pb2.StakeInfo, _Mapping]]] = ...) -> None: ...

class GetStakeFromReputerInTopicInSelfRequest(_message.Message):
    __slots__ = ("reputer_address", "topic_id")
    REPUTER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    reputer_address: str
    topic_id: int
    def __init__(self, reputer_address: _Optional[str] = ..., topic_id: _Optional[int] = ...) -> None: ...

class GetStakeFromReputerInTopicInSelfResponse(_message.Message):
    __slots__ = ("amount",)
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    amount: str
    def __init__(self, amount: _Optional[str] = ...) -> None: ...

class GetDelegateStakeInTopicInReputerRequest(_message.Message):
    __slots__ = ("reputer_address", "topic_id")
    REPUTER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    reputer_address: str
    topic_id: int
    def __init__(self, reputer_address: _Optional[str] = ..., topic_id: _Optional[int] = ...) -> None: ...

class GetDelegateStakeInTopicInReputerResponse(_message.Message):
    __slots__ = ("amount",)
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    amount: str
    def __init__(self, amount: _Optional[str] = ...) -> None: ...

class GetStakeFromDelegatorInTopicInReputerRequest(_message.Message):
    __slots__ = ("delegator_address", "reputer_address", "topic_id")
    DELEGATOR_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    REPUTER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    delegator_address: str
    reputer_address: str
    topic_id: int
    def __init__(self, delegator_address: _Optional[str] = ..., reputer_address: _Optional[str] = ..., topic_id: _Optional[int] = ...) -> None: ...

class GetStakeFromDelegatorInTopicInReputerResponse(_message.Message):
    __slots__ = ("amount",)
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    amount: str
    def __init__(self, amount: _Optional[str] = ...) -> None: ...

class GetStakeFromDelegatorInTopicRequest(_message.Message):
    __slots__ = ("delegator_address", "topic_id")
    DELEGATOR_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    delegator_address: str
    topic_id: int
    def __init__(self, delegator_address: _Optional[str] = ..., topic_id: _Optional[int] = ...) -> None: ...

class GetStakeFromDelegatorInTopicResponse(_message.Message):
    __slots__ = ("amount",)
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    amount: str
    def __init__(self, amount: _Optional[str] = ...) -> None: ...

class GetStakeReputerAuthorityRequest(_message.Message):
    __slots__ = ("topic_id", "reputer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    reputer: str
    def __init__(self, topic_id: _Optional[int] = ..., reputer: _Optional[str] = ...) -> None: ...

class GetStakeReputerAuthorityResponse(_message.Message):
    __slots__ = ("authority",)
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    authority: str
    def __init__(self, authority: _Optional[str] = ...) -> None: ...

class GetDelegateStakePlacementRequest(_message.Message):
    __slots__ = ("topic_id", "delegator", "target")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    DELEGATOR_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    delegator: str
    target: str
    def __init__(self, topic_id: _Optional[int] = ..., delegator: _Optional[str] = ..., target: _Optional[str] = ...) -> None: ...

class GetDelegateStakePlacementResponse(_message.Message):
    __slots__ = ("delegator_info",)
    DELEGATOR_INFO_FIELD_NUMBER: _ClassVar[int]
    delegator_info: _types_pb2.DelegatorInfo
    def __init__(self, delegator_info: _Optional[_Union[_types_pb2.DelegatorInfo, _Mapping]] = ...) -> None: ...

class GetDelegateStakeUponReputerRequest(_message.Message):
    __slots__ = ("topic_id", "target")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    target: str
    def __init__(self, topic_id: _Optional[int] = ..., target: _Optional[str] = ...) -> None: ...

class GetDelegateStakeUponReputerResponse(_message.Message):
    __slots__ = ("stake",)
    STAKE_FIELD_NUMBER: _ClassVar[int]
    stake: str
    def __init__(self, stake: _Optional[str] = ...) -> None: ...

class GetDelegateRewardPerShareRequest(_message.Message):
    __slots__ = ("topic_id", "reputer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    reputer: str
    def __init__(self, topic_id: _Optional[int] = ..., reputer: _Optional[str] = ...) -> None: ...

class GetDelegateRewardPerShareResponse(_message.Message):
    __slots__ = ("reward_per_share",)
    REWARD_PER_SHARE_FIELD_NUMBER: _ClassVar[int]
    reward_per_share: str
    def __init__(self, reward_per_share: _Optional[str] = ...) -> None: ...

class GetStakeRemovalsUpUntilBlockRequest(_message.Message):
    __slots__ = ("block_height",)
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    def __init__(self, block_height: _Optional[int] = ...) -> None: ...

class GetStakeRemovalsUpUntilBlockResponse(_message.Message):
    __slots__ = ("removals",)
    REMOVALS_FIELD_NUMBER: _ClassVar[int]
    removals: _containers.RepeatedCompositeFieldContainer[_types_pb2.StakeRemovalInfo]
    def __init__(self, removals: _Optional[_Iterable[_Union[_types_pb2.StakeRemovalInfo, _Mapping]]] = ...) -> None: ...

class GetDelegateStakeRemovalsUpUntilBlockRequest(_message.Message):
    __slots__ = ("block_height",)
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    def __init__(self, block_height: _Optional[int] = ...) -> None: ...

class GetDelegateStakeRemovalsUpUntilBlockResponse(_message.Message):
    __slots__ = ("removals",)
    REMOVALS_FIELD_NUMBER: _ClassVar[int]
    removals: _containers.RepeatedCompositeFieldContainer[_types_pb2.DelegateStakeRemovalInfo]
    def __init__(self, removals: _Optional[_Iterable[_Union[_types_pb2.DelegateStakeRemovalInfo, _Mapping]]] = ...) -> None: ...

class GetStakeRemovalInfoRequest(_message.Message):
    __slots__ = ("topic_id", "reputer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    reputer: str
    def __init__(self, topic_id: _Optional[int] = ..., reputer: _Optional[str] = ...) -> None: ...

class GetStakeRemovalInfoResponse(_message.Message):
    __slots__ = ("removal",)
    REMOVAL_FIELD_NUMBER: _ClassVar[int]
    removal: _types_pb2.StakeRemovalInfo
    def __init__(self, removal: _Optional[_Union[_types_pb2.StakeRemovalInfo, _Mapping]] = ...) -> None: ...

class GetStakeRemovalForReputerAndTopicIdRequest(_message.Message):
    __slots__ = ("reputer", "topic_id")
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    reputer: str
    topic_id: int
    def __init__(self, reputer: _Optional[str] = ..., topic_id: _Optional[int] = ...) -> None: ...

class GetStakeRemovalForReputerAndTopicIdResponse(_message.Message):
    __slots__ = ("stake_removal_info",)
    STAKE_REMOVAL_INFO_FIELD_NUMBER: _ClassVar[int]
    stake_removal_info: _types_pb2.StakeRemovalInfo
    def __init__(self, stake_removal_info: _Optional[_Union[_types_pb2.StakeRemovalInfo, _Mapping]] = ...) -> None: ...

class GetDelegateStakeRemovalInfoRequest(_message.Message):
    __slots__ = ("topic_id", "delegator", "reputer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    DELEGATOR_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    delegator: str
    reputer: str
    def __init__(self, topic_id: _Optional[int] = ..., delegator: _Optional[str] = ..., reputer: _Optional[str] = ...) -> None: ...

class GetDelegateStakeRemovalInfoResponse(_message.Message):
    __slots__ = ("removal",)
    REMOVAL_FIELD_NUMBER: _ClassVar[int]
    removal: _types_pb2.DelegateStakeRemovalInfo
    def __init__(self, removal: _Optional[_Union[_types_pb2.DelegateStakeRemovalInfo, _Mapping]] = ...) -> None: ...

class GetDelegateStakeRemovalRequest(_message.Message):
    __slots__ = ("block_height", "topic_id", "delegator", "reputer")
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    DELEGATOR_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    topic_id: int
    delegator: str
    reputer: str
    def __init__(self, block_height: _Optional[int] = ..., topic_id: _Optional[int] = ..., delegator: _Optional[str] = ..., reputer: _Optional[str] = ...) -> None: ...

class GetDelegateStakeRemovalResponse(_message.Message):
    __slots__ = ("stake_removal_info",)
    STAKE_REMOVAL_INFO_FIELD_NUMBER: _ClassVar[int]
    stake_removal_info: _types_pb2.DelegateStakeRemovalInfo
    def __init__(self, stake_removal_info: _Optional[_Union[_types_pb2.DelegateStakeRemovalInfo, _Mapping]] = ...) -> None: ...

class GetInfererScoreEmaRequest(_message.Message):
    __slots__ = ("topic_id", "inferer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    INFERER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    inferer: str
    def __init__(self, topic_id: _Optional[int] = ..., inferer: _Optional[str] = ...) -> None: ...

class GetInfererScoreEmaResponse(_message.Message):
    __slots__ = ("score",)
    SCORE_FIELD_NUMBER: _ClassVar[int]
    score: _types_pb2.Score
    def __init__(self, score: _Optional[_Union[_types_pb2.Score, _Mapping]] = ...) -> None: ...

class GetForecasterScoreEmaRequest(_message.Message):
    __slots__ = ("topic_id", "forecaster")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    forecaster: str
    def __init__(self, topic_id: _Optional[int] = ..., forecaster: _Optional[str] = ...) -> None: ...

class GetForecasterScoreEmaResponse(_message.Message):
    __slots__ = ("score",)
    SCORE_FIELD_NUMBER: _ClassVar[int]
    score: _types_pb2.Score
    def __init__(self, score: _Optional[_Union[_types_pb2.Score, _Mapping]] = ...) -> None: ...

class GetReputerScoreEmaRequest(_message.Message):
    __slots__ = ("topic_id", "reputer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    reputer: str
    def __init__(self, topic_id: _Optional[int] = ..., reputer: _Optional[str] = ...) -> None: ...

class GetReputerScoreEmaResponse(_message.Message):
    __slots__ = ("score",)
    SCORE_FIELD_NUMBER: _ClassVar[int]
    score: _types_pb2.Score
    def __init__(self, score: _Optional[_Union[_types_pb2.Score, _Mapping]] = ...) -> None: ...

class GetCurrentLowestInfererScoreRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetCurrentLowestInfererScoreResponse(_message.Message):
    __slots__ = ("score",)
    SCORE_FIELD_NUMBER: _ClassVar[int]
    score: _types_pb2.Score
    def __init__(self, score: _Optional[_Union[_types_pb2.Score, _Mapping]] = ...) -> None: ...

class GetCurrentLowestForecasterScoreRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetCurrentLowestForecasterScoreResponse(_message.Message):
    __slots__ = ("score",)
    SCORE_FIELD_NUMBER: _ClassVar[int]
    score: _types_pb2.Score
    def __init__(self, score: _Optional[_Union[_types_pb2.Score, _Mapping]] = ...) -> None: ...

class GetCurrentLowestReputerScoreRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetCurrentLowestReputerScoreResponse(_message.Message):
    __slots__ = ("score",)
    SCORE_FIELD_NUMBER: _ClassVar[int]
    score: _types_pb2.Score
    def __init__(self, score: _Optional[_Union[_types_pb2.Score, _Mapping]] = ...) -> None: ...

class GetPreviousTopicQuantileInfererScoreEmaRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetPreviousTopicQuantileInfererScoreEmaResponse(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: str
    def __init__(self, value: _Optional[str] = ...) -> None: ...

class GetPreviousTopicQuantileForecasterScoreEmaRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetPreviousTopicQuantileForecasterScoreEmaResponse(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: str
    def __init__(self, value: _Optional[str] = ...) -> None: ...

class GetPreviousTopicQuantileReputerScoreEmaRequest(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class GetPreviousTopicQuantileReputerScoreEmaResponse(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: str
    def __init__(self, value: _Optional[str] = ...) -> None: ...

class GetInferenceScoresUntilBlockRequest(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class GetInferenceScoresUntilBlockResponse(_message.Message):
    __slots__ = ("scores",)
    SCORES_FIELD_NUMBER: _ClassVar[int]
    scores: _containers.RepeatedCompositeFieldContainer[_types_pb2.Score]
    def __init__(self, scores: _Optional[_Iterable[_Union[_types_pb2.Score, _Mapping]]] = ...) -> None: ...

class GetForecastScoresUntilBlockRequest(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class GetForecastScoresUntilBlockResponse(_message.Message):
    __slots__ = ("scores",)
    SCORES_FIELD_NUMBER: _ClassVar[int]
    scores: _containers.RepeatedCompositeFieldContainer[_types_pb2.Score]
    def __init__(self, scores: _Optional[_Iterable[_Union[_types_pb2.Score, _Mapping]]] = ...) -> None: ...

class GetWorkerInferenceScoresAtBlockRequest(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class GetWorkerInferenceScoresAtBlockResponse(_message.Message):
    __slots__ = ("scores",)
    SCORES_FIELD_NUMBER: _ClassVar[int]
    scores: _types_pb2.Scores
    def __init__(self, scores: _Optional[_Union[_types_pb2.Scores, _Mapping]] = ...) -> None: ...

class GetWorkerForecastScoresAtBlockRequest(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class GetWorkerForecastScoresAtBlockResponse(_message.Message):
    __slots__ = ("scores",)
    SCORES_FIELD_NUMBER: _ClassVar[int]
    scores: _types_pb2.Scores
    def __init__(self, scores: _Optional[_Union[_types_pb2.Scores, _Mapping]] = ...) -> None: ...

class GetReputersScoresAtBlockRequest(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class GetReputersScoresAtBlockResponse(_message.Message):
    __slots__ = ("scores",)
    SCORES_FIELD_NUMBER: _ClassVar[int]
    scores: _types_pb2.Scores
    def __init__(self, scores: _Optional[_Union[_types_pb2.Scores, _Mapping]] = ...) -> None: ...

class GetListeningCoefficientRequest(_message.Message):
    __slots__ = ("topic_id", "reputer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    reputer: str
    def __init__(self, topic_id: _Optional[int] = ..., reputer: _Optional[str] = ...) -> None: ...

class GetListeningCoefficientResponse(_message.Message):
    __slots__ = ("listening_coefficient",)
    LISTENING_COEFFICIENT_FIELD_NUMBER: _ClassVar[int]
    listening_coefficient: _types_pb2.ListeningCoefficient
    def __init__(self, listening_coefficient: _Optional[_Union[_types_pb2.ListeningCoefficient, _Mapping]] = ...) -> None: ...

class GetPreviousReputerRewardFractionRequest(_message.Message):
    __slots__ = ("topic_id", "reputer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    reputer: str
    def __init__(self, topic_id: _Optional[int] = ..., reputer: _Optional[str] = ...) -> None: ...

class GetPreviousReputerRewardFractionResponse(_message.Message):
    __slots__ = ("reward_fraction", "not_found")
    REWARD_FRACTION_FIELD_NUMBER: _ClassVar[int]
    NOT_FOUND_FIELD_NUMBER: _ClassVar[int]
    reward_fraction: str
    not_found: bool
    def __init__(self, reward_fraction: _Optional[str] = ..., not_found: bool = ...) -> None: ...

class GetPreviousInferenceRewardFractionRequest(_message.Message):
    __slots__ = ("topic_id", "worker")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    worker: str
    def __init__(self, topic_id: _Optional[int] = ..., worker: _Optional[str] = ...) -> None: ...

class GetPreviousInferenceRewardFractionResponse(_message.Message):
    __slots__ = ("reward_fraction", "not_found")
    REWARD_FRACTION_FIELD_NUMBER: _ClassVar[int]
    NOT_FOUND_FIELD_NUMBER: _ClassVar[int]
    reward_fraction: str
    not_found: bool
    def __init__(self, reward_fraction: _Optional[str] = ..., not_found: bool = ...) -> None: ...

class GetPreviousForecastRewardFractionRequest(_message.Message):
    __slots__ = ("topic_id", "worker")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    worker: str
    def __init__(self, topic_id: _Optional[int] = ..., worker: _Optional[str] = ...) -> None: ...

class GetPreviousForecastRewardFractionResponse(_message.Message):
    __slots__ = ("reward_fraction", "not_found")
    REWARD_FRACTION_FIELD_NUMBER: _ClassVar[int]
    NOT_FOUND_FIELD_NUMBER: _ClassVar[int]
    reward_fraction: str
    not_found: bool
    def __init__(self, reward_fraction: _Optional[str] = ..., not_found: bool = ...) -> None: ...

class GetPreviousPercentageRewardToStakedReputersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetPreviousPercentageRewardToStakedReputersResponse(_message.Message):
    __slots__ = ("percentage_reward",)
    PERCENTAGE_REWARD_FIELD_NUMBER: _ClassVar[int]
    percentage_reward: str
    def __init__(self, percentage_reward: _Optional[str] = ...) -> None: ...

class GetTotalRewardToDistributeRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTotalRewardToDistributeResponse(_message.Message):
    __slots__ = ("total_reward",)
    TOTAL_REWARD_FIELD_NUMBER: _ClassVar[int]
    total_reward: str
    def __init__(self, total_reward: _Optional[str] = ...) -> None: ...

class GetCountInfererInclusionsInTopicRequest(_message.Message):
    __slots__ = ("topic_id", "inferer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    INFERER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    inferer: str
    def __init__(self, topic_id: _Optional[int] = ..., inferer: _Optional[str] = ...) -> None: ...

class GetCountInfererInclusionsInTopicResponse(_message.Message):
    __slots__ = ("count",)
    COUNT_FIELD_NUMBER: _ClassVar[int]
    count: int
    def __init__(self, count: _Optional[int] = ...) -> None: ...

class GetCountForecasterInclusionsInTopicRequest(_message.Message):
    __slots__ = ("topic_id", "forecaster")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    forecaster: str
    def __init__(self, topic_id: _Optional[int] = ..., forecaster: _Optional[str] = ...) -> None: ...

class GetCountForecasterInclusionsInTopicResponse(_message.Message):
    __slots__ = ("count",)
    COUNT_FIELD_NUMBER: _ClassVar[int]
    count: int
    def __init__(self, count: _Optional[int] = ...) -> None: ...

class GetInfererNetworkRegretRequest(_message.Message):
    __slots__ = ("topic_id", "actor_id")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id: str
    def __init__(self, topic_id: _Optional[int] = ..., actor_id: _Optional[str] = ...) -> None: ...

class GetInfererNetworkRegretResponse(_message.Message):
    __slots__ = ("regret",)
    REGRET_FIELD_NUMBER: _ClassVar[int]
    regret: _types_pb2.TimestampedValue
    def __init__(self, regret: _Optional[_Union[_types_pb2.TimestampedValue, _Mapping]] = ...) -> None: ...

class GetForecasterNetworkRegretRequest(_message.Message):
    __slots__ = ("topic_id", "worker")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    worker: str
    def __init__(self, topic_id: _Optional[int] = ..., worker: _Optional[str] = ...) -> None: ...

class GetForecasterNetworkRegretResponse(_message.Message):
    __slots__ = ("regret",)
    REGRET_FIELD_NUMBER: _ClassVar[int]
    regret: _types_pb2.TimestampedValue
    def __init__(self, regret: _Optional[_Union[_types_pb2.TimestampedValue, _Mapping]] = ...) -> None: ...

class GetOneInForecasterNetworkRegretRequest(_message.Message):
    __slots__ = ("topic_id", "forecaster", "inferer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_FIELD_NUMBER: _ClassVar[int]
    INFERER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    forecaster: str
    inferer: str
    def __init__(self, topic_id: _Optional[int] = ..., forecaster: _Optional[str] = ..., inferer: _Optional[str] = ...) -> None: ...

class GetOneInForecasterNetworkRegretResponse(_message.Message):
    __slots__ = ("regret",)
    REGRET_FIELD_NUMBER: _ClassVar[int]
    regret: _types_pb2.TimestampedValue
    def __init__(self, regret: _Optional[_Union[_types_pb2.TimestampedValue, _Mapping]] = ...) -> None: ...

class GetNaiveInfererNetworkRegretRequest(_message.Message):
    __slots__ = ("topic_id", "inferer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    INFERER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    inferer: str
    def __init__(self, topic_id: _Optional[int] = ..., inferer: _Optional[str] = ...) -> None: ...

class GetNaiveInfererNetworkRegretResponse(_message.Message):
    __slots__ = ("regret",)
    REGRET_FIELD_NUMBER: _ClassVar[int]
    regret: _types_pb2.TimestampedValue
    def __init__(self, regret: _Optional[_Union[_types_pb2.TimestampedValue, _Mapping]] = ...) -> None: ...

class GetOneOutInfererInfererNetworkRegretRequest(_message.Message):
    __slots__ = ("topic_id", "one_out_inferer", "inferer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_INFERER_FIELD_NUMBER: _ClassVar[int]
    INFERER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    one_out_inferer: str
    inferer: str
    def __init__(self, topic_id: _Optional[int] = ..., one_out_inferer: _Optional[str] = ..., inferer: _Optional[str] = ...) -> None: ...

class GetOneOutInfererInfererNetworkRegretResponse(_message.Message):
    __slots__ = ("regret",)
    REGRET_FIELD_NUMBER: _ClassVar[int]
    regret: _types_pb2.TimestampedValue
    def __init__(self, regret: _Optional[_Union[_types_pb2.TimestampedValue, _Mapping]] = ...) -> None: ...

class GetOneOutInfererForecasterNetworkRegretRequest(_message.Message):
    __slots__ = ("topic_id", "one_out_inferer", "forecaster")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_INFERER_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    one_out_inferer: str
    forecaster: str
    def __init__(self, topic_id: _Optional[int] = ..., one_out_inferer: _Optional[str] = ..., forecaster: _Optional[str] = ...) -> None: ...

class GetOneOutInfererForecasterNetworkRegretResponse(_message.Message):
    __slots__ = ("regret",)
    REGRET_FIELD_NUMBER: _ClassVar[int]
    regret: _types_pb2.TimestampedValue
    def __init__(self, regret: _Optional[_Union[_types_pb2.TimestampedValue, _Mapping]] = ...) -> None: ...

class GetOneOutForecasterInfererNetworkRegretRequest(_message.Message):
    __slots__ = ("topic_id", "one_out_forecaster", "inferer")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_FORECASTER_FIELD_NUMBER: _ClassVar[int]
    INFERER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    one_out_forecaster: str
    inferer: str
    def __init__(self, topic_id: _Optional[int] = ..., one_out_forecaster: _Optional[str] = ..., inferer: _Optional[str] = ...) -> None: ...

class GetOneOutForecasterInfererNetworkRegretResponse(_message.Message):
    __slots__ = ("regret",)
    REGRET_FIELD_NUMBER: _ClassVar[int]
    regret: _types_pb2.TimestampedValue
    def __init__(self, regret: _Optional[_Union[_types_pb2.TimestampedValue, _Mapping]] = ...) -> None: ...

class GetOneOutForecasterForecasterNetworkRegretRequest(_message.Message):
    __slots__ = ("topic_id", "one_out_forecaster", "forecaster")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_FORECASTER_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    one_out_forecaster: str
    forecaster: str
    def __init__(self, topic_id: _Optional[int] = ..., one_out_forecaster: _Optional[str] = ..., forecaster: _Optional[str] = ...) -> None: ...

class GetOneOutForecasterForecasterNetworkRegretResponse(_message.Message):
    __slots__ = ("regret",)
    REGRET_FIELD_NUMBER: _ClassVar[int]
    regret: _types_pb2.TimestampedValue
    def __init__(self, regret: _Optional[_Union[_types_pb2.TimestampedValue, _Mapping]] = ...) -> None: ...
