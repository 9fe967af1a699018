from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Nonce(_message.Message):
    __slots__ = ("block_height",)
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    def __init__(self, block_height: _Optional[int] = ...) -> None: ...

class Nonces(_message.Message):
    __slots__ = ("nonces",)
    NONCES_FIELD_NUMBER: _ClassVar[int]
    nonces: _containers.RepeatedCompositeFieldContainer[Nonce]
    def __init__(self, nonces: _Optional[_Iterable[_Union[Nonce, _Mapping]]] = ...) -> None: ...

class ReputerRequestNonce(_message.Message):
    __slots__ = ("reputer_nonce",)
    REPUTER_NONCE_FIELD_NUMBER: _ClassVar[int]
    reputer_nonce: Nonce
    def __init__(self, reputer_nonce: _Optional[_Union[Nonce, _Mapping]] = ...) -> None: ...

class ReputerRequestNonces(_message.Message):
    __slots__ = ("nonces",)
    NONCES_FIELD_NUMBER: _ClassVar[int]
    nonces: _containers.RepeatedCompositeFieldContainer[ReputerRequestNonce]
    def __init__(self, nonces: _Optional[_Iterable[_Union[ReputerRequestNonce, _Mapping]]] = ...) -> None: ...

class Topic(_message.Message):
    __slots__ = ("id", "creator", "metadata", "loss_method", "epoch_last_ended", "epoch_length", "ground_truth_lag", "p_norm", "alpha_regret", "allow_negative", "epsilon", "initial_regret", "worker_submission_window", "merit_sortition_alpha", "active_inferer_quantile", "active_forecaster_quantile", "active_reputer_quantile")
    ID_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    LOSS_METHOD_FIELD_NUMBER: _ClassVar[int]
    EPOCH_LAST_ENDED_FIELD_NUMBER: _ClassVar[int]
    EPOCH_LENGTH_FIELD_NUMBER: _ClassVar[int]
    GROUND_TRUTH_LAG_FIELD_NUMBER: _ClassVar[int]
    P_NORM_FIELD_NUMBER: _ClassVar[int]
    ALPHA_REGRET_FIELD_NUMBER: _ClassVar[int]
    ALLOW_NEGATIVE_FIELD_NUMBER: _ClassVar[int]
    EPSILON_FIELD_NUMBER: _ClassVar[int]
    INITIAL_REGRET_FIELD_NUMBER: _ClassVar[int]
    WORKER_SUBMISSION_WINDOW_FIELD_NUMBER: _ClassVar[int]
    MERIT_SORTITION_ALPHA_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_INFERER_QUANTILE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FORECASTER_QUANTILE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_REPUTER_QUANTILE_FIELD_NUMBER: _ClassVar[int]
    id: int
    creator: str
    metadata: str
    loss_method: str
    epoch_last_ended: int
    epoch_length: int
    ground_truth_lag: int
    p_norm: str
    alpha_regret: str
    allow_negative: bool
    epsilon: str
    initial_regret: str
    worker_submission_window: int
    merit_sortition_alpha: str
    active_inferer_quantile: str
    active_forecaster_quantile: str
    active_reputer_quantile: str
    def __init__(self, id: _Optional[int] = ..., creator: _Optional[str] = ..., metadata: _Optional[str] = ..., loss_method: _Optional[str] = ..., epoch_last_ended: _Optional[int] = ..., epoch_length: _Optional[int] = ..., ground_truth_lag: _Optional[int] = ..., p_norm: _Optional[str] = ..., alpha_regret: _Optional[str] = ..., allow_negative: bool = ..., epsilon: _Optional[str] = ..., initial_regret: _Optional[str] = ..., worker_submission_window: _Optional[int] = ..., merit_sortition_alpha: _Optional[str] = ..., active_inferer_quantile: _Optional[str] = ..., active_forecaster_quantile: _Optional[str] = ..., active_reputer_quantile: _Optional[str] = ...) -> None: ...

class Inference(_message.Message):
    __slots__ = ("topic_id", "block_height", "inferer", "value", "extra_data", "proof")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    INFERER_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    EXTRA_DATA_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    inferer: str
    value: str
    extra_data: bytes
    proof: str
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., inferer: _Optional[str] = ..., value: _Optional[str] = ..., extra_data: _Optional[bytes] = ..., proof: _Optional[str] = ...) -> None: ...

class Inferences(_message.Message):
    __slots__ = ("inferences",)
    INFERENCES_FIELD_NUMBER: _ClassVar[int]
    inferences: _containers.RepeatedCompositeFieldContainer[Inference]
    def __init__(self, inferences: _Optional[_Iterable[_Union[Inference, _Mapping]]] = ...) -> None: ...

class ForecastElement(_message.Message):
    __slots__ = ("inferer", "value")
    INFERER_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    inferer: str
    value: str
    def __init__(self, inferer: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class Forecast(_message.Message):
    __slots__ = ("topic_id", "block_height", "forecaster", "forecast_elements", "extra_data")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_FIELD_NUMBER: _ClassVar[int]
    FORECAST_ELEMENTS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_DATA_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    forecaster: str
    forecast_elements: _containers.RepeatedCompositeFieldContainer[ForecastElement]
    extra_data: bytes
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., forecaster: _Optional[str] = ..., forecast_elements: _Optional[_Iterable[_Union[ForecastElement, _Mapping]]] = ..., extra_data: _Optional[bytes] = ...) -> None: ...

class Forecasts(_message.Message):
    __slots__ = ("forecasts",)
    FORECASTS_FIELD_NUMBER: _ClassVar[int]
    forecasts: _containers.RepeatedCompositeFieldContainer[Forecast]
    def __init__(self, forecasts: _Optional[_Iterable[_Union[Forecast, _Mapping]]] = ...) -> None: ...

class InferenceForecastBundle(_message.Message):
    __slots__ = ("inference", "forecast")
    INFERENCE_FIELD_NUMBER: _ClassVar[int]
    FORECAST_FIELD_NUMBER: _ClassVar[int]
    inference: Inference
    forecast: Forecast
    def __init__(self, inference: _Optional[_Union[Inference, _Mapping]] = ..., forecast: _Optional[_Union[Forecast, _Mapping]] = ...) -> None: ...

class WorkerDataBundle(_message.Message):
    __slots__ = ("worker", "nonce", "topic_id", "inference_forecasts_bundle", "inferences_forecasts_bundle_signature", "pubkey")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_FORECASTS_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    INFERENCES_FORECASTS_BUNDLE_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    PUBKEY_FIELD_NUMBER: _ClassVar[int]
    worker: str
    nonce: Nonce
    topic_id: int
    inference_forecasts_bundle: InferenceForecastBundle
    inferences_forecasts_bundle_signature: bytes
    pubkey: str
    def __init__(self, worker: _Optional[str] = ..., nonce: _Optional[_Union[Nonce, _Mapping]] = ..., topic_id: _Optional[int] = ..., inference_forecasts_bundle: _Optional[_Union[InferenceForecastBundle, _Mapping]] = ..., inferences_forecasts_bundle_signature: _Optional[bytes] = ..., pubkey: _Optional[str] = ...) -> None: ...

class WorkerAttributedValue(_message.Message):
    __slots__ = ("worker", "value")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    worker: str
    value: str
    def __init__(self, worker: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class WithheldWorkerAttributedValue(_message.Message):
    __slots__ = ("worker", "value")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    worker: str
    value: str
    def __init__(self, worker: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class OneOutInfererForecasterValues(_message.Message):
    __slots__ = ("forecaster", "one_out_inferer_values")
    FORECASTER_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_INFERER_VALUES_FIELD_NUMBER: _ClassVar[int]
    forecaster: str
    one_out_inferer_values: _containers.RepeatedCompositeFieldContainer[WithheldWorkerAttributedValue]
    def __init__(self, forecaster: _Optional[str] = ..., one_out_inferer_values: _Optional[_Iterable[_Union[WithheldWorkerAttributedValue, _Mapping]]] = ...) -> None: ...

class ValueBundle(_message.Message):
    __slots__ = ("topic_id", "reputer_request_nonce", "reputer", "extra_data", "combined_value", "inferer_values", "forecaster_values", "naive_value", "one_out_inferer_values", "one_out_forecaster_values", "one_in_forecaster_values", "one_out_inferer_forecaster_values")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_REQUEST_NONCE_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    EXTRA_DATA_FIELD_NUMBER: _ClassVar[int]
    COMBINED_VALUE_FIELD_NUMBER: _ClassVar[int]
    INFERER_VALUES_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_VALUES_FIELD_NUMBER: _ClassVar[int]
    NAIVE_VALUE_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_INFERER_VALUES_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_FORECASTER_VALUES_FIELD_NUMBER: _ClassVar[int]
    ONE_IN_FORECASTER_VALUES_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_INFERER_FORECASTER_VALUES_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    reputer_request_nonce: ReputerRequestNonce
    reputer: str
    extra_data: bytes
    combined_value: str
    inferer_values: _containers.RepeatedCompositeFieldContainer[WorkerAttributedValue]
    forecaster_values: _containers.RepeatedCompositeFieldContainer[WorkerAttributedValue]
    naive_value: str
    one_out_inferer_values: _containers.RepeatedCompositeFieldContainer[WithheldWorkerAttributedValue]
    one_out_forecaster_values: _containers.RepeatedCompositeFieldContainer[WithheldWorkerAttributedValue]
    one_in_forecaster_values: _containers.RepeatedCompositeFieldContainer[WorkerAttributedValue]
    one_out_inferer_forecaster_values: _containers.RepeatedCompositeFieldContainer[OneOutInfererForecasterValues]
    def __init__(self, topic_id: _Optional[int] = ..., reputer_request_nonce: _Optional[_Union[ReputerRequestNonce, _Mapping]] = ..., reputer: _Optional[str] = ..., extra_data: _Optional[bytes] = ..., combined_value: _Optional[str] = ..., inferer_values: _Optional[_Iterable[_Union[WorkerAttributedValue, _Mapping]]] = ..., forecaster_values: _Optional[_Iterable[_Union[WorkerAttributedValue, _Mapping]]] = ..., naive_value: _Optional[str] = ..., one_out_inferer_values: _Optional[_Iterable[_Union[WithheldWorkerAttributedValue, _Mapping]]] = ..., one_out_forecaster_values: _Optional[_Iterable[_Union[WithheldWorkerAttributedValue, _Mapping]]] = ..., one_in_forecaster_values: _Optional[_Iterable[_Union[WorkerAttributedValue, _Mapping]]] = ..., one_out_inferer_forecaster_values: _Optional[_Iterable[_Union[OneOutInfererForecasterValues, _Mapping]]] = ...) -> None: ...

class ReputerValueBundle(_message.Message):
    __slots__ = ("value_bundle", "signature", "pubkey")
    VALUE_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    PUBKEY_FIELD_NUMBER: _ClassVar[int]
    value_bundle: ValueBundle
    signature: bytes
    pubkey: str
    def __init__(self, value_bundle: _Optional[_Union[ValueBundle, _Mapping]] = ..., signature: _Optional[bytes] = ..., pubkey: _Optional[str] = ...) -> None: ...

class ReputerValueBundles(_message.Message):
    __slots__ = ("reputer_value_bundles",)
    REPUTER_VALUE_BUNDLES_FIELD_NUMBER: _ClassVar[int]
    reputer_value_bundles: _containers.RepeatedCompositeFieldContainer[ReputerValueBundle]
    def __init__(self, reputer_value_bundles: _Optional[_Iterable[_Union[ReputerValueBundle, _Mapping]]] = ...) -> None: ...

class Score(_message.Message):
    __slots__ = ("topic_id", "block_height", "address", "score")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    address: str
    score: str
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., address: _Optional[str] = ..., score: _Optional[str] = ...) -> None: ...

class Scores(_message.Message):
    __slots__ = ("scores",)
    SCORES_FIELD_NUMBER: _ClassVar[int]
    scores: _containers.RepeatedCompositeFieldContainer[Score]
    def __init__(self, scores: _Optional[_Iterable[_Union[Score, _Mapping]]] = ...) -> None: ...

class TimestampedValue(_message.Message):
    __slots__ = ("block_height", "value")
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    value: str
    def __init__(self, block_height: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...

class TimestampedActorNonce(_message.Message):
    __slots__ = ("block_height", "nonce")
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    nonce: Nonce
    def __init__(self, block_height: _Optional[int] = ..., nonce: _Optional[_Union[Nonce, _Mapping]] = ...) -> None: ...

class OffchainNode(_message.Message):
    __slots__ = ("owner", "node_address")
    OWNER_FIELD_NUMBER: _ClassVar[int]
    NODE_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    owner: str
    node_address: str
    def __init__(self, owner: _Optional[str] = ..., node_address: _Optional[str] = ...) -> None: ...

class DelegatorInfo(_message.Message):
    __slots__ = ("amount", "reward_debt")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REWARD_DEBT_FIELD_NUMBER: _ClassVar[int]
    amount: str
    reward_debt: str
    def __init__(self, amount: _Optional[str] = ..., reward_debt: _Optional[str] = ...) -> None: ...

class StakeInfo(_message.Message):
    __slots__ = ("topic_id", "reputer", "amount")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    reputer: str
    amount: str
    def __init__(self, topic_id: _Optional[int] = ..., reputer: _Optional[str] = ..., amount: _Optional[str] = ...) -> None: ...

class StakeRemovalInfo(_message.Message):
    __slots__ = ("block_removal_started", "topic_id", "reputer", "amount", "block_removal_completed")
    BLOCK_REMOVAL_STARTED_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    BLOCK_REMOVAL_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    block_removal_started: int
    topic_id: int
    reputer: str
    amount: str
    block_removal_completed: int
    def __init__(self, block_removal_started: _Optional[int] = ..., topic_id: _Optional[int] = ..., reputer: _Optional[str] = ..., amount: _Optional[str] = ..., block_removal_completed: _Optional[int] = ...) -> None: ...

class DelegateStakeRemovalInfo(_message.Message):
    __slots__ = ("block_removal_started", "topic_id", "delegator", "reputer", "amount", "block_removal_completed")
    BLOCK_REMOVAL_STARTED_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    DELEGATOR_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    BLOCK_REMOVAL_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    block_removal_started: int
    topic_id: int
    delegator: str
    reputer: str
    amount: str
    block_removal_completed: int
    def __init__(self, block_removal_started: _Optional[int] = ..., topic_id: _Optional[int] = ..., delegator: _Optional[str] = ..., reputer: _Optional[str] = ..., amount: _Optional[str] = ..., block_removal_completed: _Optional[int] = ...) -> None: ...

class RegretInformedWeight(_message.Message):
    __slots__ = ("worker", "weight")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    worker: str
    weight: str
    def __init__(self, worker: _Optional[str] = ..., weight: _Optional[str] = ...) -> None: ...

class TopicIdWeightPair(_message.Message):
    __slots__ = ("topic_id", "weight")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    weight: str
    def __init__(self, topic_id: _Optional[int] = ..., weight: _Optional[str] = ...) -> None: ...

class ListeningCoefficient(_message.Message):
    __slots__ = ("coefficient",)
    COEFFICIENT_FIELD_NUMBER: _ClassVar[int]
    coefficient: str
    def __init__(self, coefficient: _Optional[str] = ...) -> None: ...

class SimpleCursorPaginationRequest(_message.Message):
    __slots__ = ("key", "limit")
    KEY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    limit: int
    def __init__(self, key: _Optional[bytes] = ..., limit: _Optional[int] = ...) -> None: ...

class SimpleCursorPaginationResponse(_message.Message):
    __slots__ = ("next_key",)
    NEXT_KEY_FIELD_NUMBER: _ClassVar[int]
    next_key: bytes
    def __init__(self, next_key: _Optional[bytes] = ...) -> None: ...
