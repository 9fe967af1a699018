from pyallora.proto.emissions.v3 import types_pb2 as _types_pb2
from pyallora.proto.emissions.v5 import params_pb2 as _params_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UpdateParamsRequest(_message.Message):
    __slots__ = ("sender", "params")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    sender: str
    params: _params_pb2.OptionalParams
    def __init__(self, sender: _Optional[str] = ..., params: _Optional[_Union[_params_pb2.OptionalParams, _Mapping]] = ...) -> None: ...

class UpdateParamsResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateNewTopicRequest(_message.Message):
    __slots__ = ("creator", "metadata", "loss_method", "epoch_length", "ground_truth_lag", "p_norm", "alpha_regret", "allow_negative", "epsilon", "worker_submission_window", "merit_sortition_alpha", "active_inferer_quantile", "active_forecaster_quantile", "active_reputer_quantile")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    LOSS_METHOD_FIELD_NUMBER: _ClassVar[int]
    EPOCH_LENGTH_FIELD_NUMBER: _ClassVar[int]
    GROUND_TRUTH_LAG_FIELD_NUMBER: _ClassVar[int]
    P_NORM_FIELD_NUMBER: _ClassVar[int]
    ALPHA_REGRET_FIELD_NUMBER: _ClassVar[int]
    ALLOW_NEGATIVE_FIELD_NUMBER: _ClassVar[int]
    EPSILON_FIELD_NUMBER: _ClassVar[int]
    WORKER_SUBMISSION_WINDOW_FIELD_NUMBER: _ClassVar[int]
    MERIT_SORTITION_ALPHA_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_INFERER_QUANTILE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FORECASTER_QUANTILE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_REPUTER_QUANTILE_FIELD_NUMBER: _ClassVar[int]
    creator: str
    metadata: str
    loss_method: str
    epoch_length: int
    ground_truth_lag: int
    p_norm: str
    alpha_regret: str
    allow_negative: bool
    epsilon: str
    worker_submission_window: int
    merit_sortition_alpha: str
    active_inferer_quantile: str
    active_forecaster_quantile: str
    active_reputer_quantile: str
    def __init__(self, creator: _Optional[str] = ..., metadata: _Optional[str] = ..., loss_method: _Optional[str] = ..., epoch_length: _Optional[int] = ..., ground_truth_lag: _Optional[int] = ..., p_norm: _Optional[str] = ..., alpha_regret: _Optional[str] = ..., allow_negative: bool = ..., epsilon: _Optional[str] = ..., worker_submission_window: _Optional[int] = ..., merit_sortition_alpha: _Optional[str] = ..., active_inferer_quantile: _Optional[str] = ..., active_forecaster_quantile: _Optional[str] = ..., active_reputer_quantile: _Optional[str] = ...) -> None: ...

class CreateNewTopicResponse(_message.Message):
    __slots__ = ("topic_id",)
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    def __init__(self, topic_id: _Optional[int] = ...) -> None: ...

class RegisterRequest(_message.Message):
    __slots__ = ("sender", "topic_id", "owner", "is_reputer")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    IS_REPUTER_FIELD_NUMBER: _ClassVar[int]
    sender: str
    topic_id: int
    owner: str
    is_reputer: bool
    def __init__(self, sender: _Optional[str] = ..., topic_id: _Optional[int] = ..., owner: _Optional[str] = ..., is_reputer: bool = ...) -> None: ...

class RegisterResponse(_message.Message):
    __slots__ = ("success", "message")
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    success: bool
    message: str
    def __init__(self, success: bool = ..., message: _Optional[str] = ...) -> None: ...

class RemoveRegistrationRequest(_message.Message):
    __slots__ = ("sender", "topic_id", "is_reputer")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    IS_REPUTER_FIELD_NUMBER: _ClassVar[int]
    sender: str
    topic_id: int
    is_reputer: bool
    def __init__(self, sender: _Optional[str] = ..., topic_id: _Optional[int] = ..., is_reputer: bool = ...) -> None: ...

class RemoveRegistrationResponse(_message.Message):
    __slots__ = ("success", "message")
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    success: bool
    message: str
    def __init__(self, success: bool = ..., message: _Optional[str] = ...) -> None: ...

class AddStakeRequest(_message.Message):
    __slots__ = ("sender", "topic_id", "amount")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    sender: str
    topic_id: int
    amount: str
    def __init__(self, sender: _Optional[str] = ..., topic_id: _Optional[int] = ..., amount: _Optional[str] = ...) -> None: ...

class AddStakeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RemoveStakeRequest(_message.Message):
    __slots__ = ("sender", "topic_id", "amount")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    sender: str
    topic_id: int
    amount: str
    def __init__(self, sender: _Optional[str] = ..., topic_id: _Optional[int] = ..., amount: _Optional[str] = ...) -> None: ...

class RemoveStakeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CancelRemoveStakeRequest(_message.Message):
    __slots__ = ("sender", "topic_id")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    sender: str
    topic_id: int
    def __init__(self, sender: _Optional[str] = ..., topic_id: _Optional[int] = ...) -> None: ...

class CancelRemoveStakeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DelegateStakeRequest(_message.Message):
    __slots__ = ("sender", "topic_id", "reputer", "amount")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    sender: str
    topic_id: int
    reputer: str
    amount: str
    def __init__(self, sender: _Optional[str] = ..., topic_id: _Optional[int] = ..., reputer: _Optional[str] = ..., amount: _Optional[str] = ...) -> None: ...

class DelegateStakeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RewardDelegateStakeRequest(_message.Message):
    __slots__ = ("sender", "topic_id", "reputer")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    sender: str
    topic_id: int
    reputer: str
    def __init__(self, sender: _Optional[str] = ..., topic_id: _Optional[int] = ..., reputer: _Optional[str] = ...) -> None: ...

class RewardDelegateStakeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RemoveDelegateStakeRequest(_message.Message):
    __slots__ = ("sender", "reputer", "topic_id", "amount")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    sender: str
    reputer: str
    topic_id: int
    amount: str
    def __init__(self, sender: _Optional[str] = ..., reputer: _Optional[str] = ..., topic_id: _Optional[int] = ..., amount: _Optional[str] = ...) -> None: ...

class RemoveDelegateStakeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CancelRemoveDelegateStakeRequest(_message.Message):
    __slots__ = ("sender", "topic_id", "delegator", "reputer")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    DELEGATOR_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    sender: str
    topic_id: int
    delegator: str
    reputer: str
    def __init__(self, sender: _Optional[str] = ..., topic_id: _Optional[int] = ..., delegator: _Optional[str] = ..., reputer: _Optional[str] = ...) -> None: ...

class CancelRemoveDelegateStakeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class FundTopicRequest(_message.Message):
    __slots__ = ("sender", "topic_id", "amount")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    sender: str
    topic_id: int
    amount: str
    def __init__(self, sender: _Optional[str] = ..., topic_id: _Optional[int] = ..., amount: _Optional[str] = ...) -> None: ...

class FundTopicResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddToWhitelistAdminRequest(_message.Message):
    __slots__ = ("sender", "address")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    sender: str
    address: str
    def __init__(self, sender: _Optional[str] = ..., address: _Optional[str] = ...) -> None: ...

class AddToWhitelistAdminResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RemoveFromWhitelistAdminRequest(_message.Message):
    __slots__ = ("sender", "address")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    sender: str
    address: str
    def __init__(self, sender: _Optional[str] = ..., address: _Optional[str] = ...) -> None: ...

class RemoveFromWhitelistAdminResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class InsertWorkerPayloadRequest(_message.Message):
    __slots__ = ("sender", "worker_data_bundle")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    WORKER_DATA_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    sender: str
    worker_data_bundle: _types_pb2.WorkerDataBundle
    def __init__(self, sender: _Optional[str] = ..., worker_data_bundle: _Optional[_Union[_types_pb2.WorkerDataBundle, _Mapping]] = ...) -> None: ...

class InsertWorkerPayloadResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class InsertReputerPayloadRequest(_message.Message):
    __slots__ = ("sender", "reputer_value_bundle")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    REPUTER_VALUE_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    sender: str
    reputer_value_bundle: _types_pb2.ReputerValueBundle
    def __init__(self, sender: _Optional[str] = ..., reputer_value_bundle: _Optional[_Union[_types_pb2.ReputerValueBundle, _Mapping]] = ...) -> None: ...

class InsertReputerPayloadResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
