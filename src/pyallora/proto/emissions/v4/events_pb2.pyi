from pyallora.proto.emissions.v3 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ActorType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTOR_TYPE_INFERER_UNSPECIFIED: _ClassVar[ActorType]
    ACTOR_TYPE_FORECASTER: _ClassVar[ActorType]
    ACTOR_TYPE_REPUTER: _ClassVar[ActorType]
ACTOR_TYPE_INFERER_UNSPECIFIED: ActorType
ACTOR_TYPE_FORECASTER: ActorType
ACTOR_TYPE_REPUTER: ActorType

class EventWorkerLastCommitSet(_message.Message):
    __slots__ = ("topic_id", "block_height", "nonce")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    nonce: _types_pb2.Nonce
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., nonce: _Optional[_Union[_types_pb2.Nonce, _Mapping]] = ...) -> None: ...

class EventReputerLastCommitSet(_message.Message):
    __slots__ = ("topic_id", "block_height", "nonce")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    nonce: _types_pb2.Nonce
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., nonce: _Optional[_Union[_types_pb2.Nonce, _Mapping]] = ...) -> None: ...

class EventNetworkLossSet(_message.Message):
    __slots__ = ("topic_id", "block_height", "value_bundle")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    VALUE_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    value_bundle: _types_pb2.ValueBundle
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., value_bundle: _Optional[_Union[_types_pb2.ValueBundle, _Mapping]] = ...) -> None: ...

class EventScoresSet(_message.Message):
    __slots__ = ("actor_type", "topic_id", "block_height", "addresses", "scores")
    ACTOR_TYPE_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    actor_type: ActorType
    topic_id: int
    block_height: int
    addresses: _containers.RepeatedScalarFieldContainer[str]
    scores: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, actor_type: _Optional[_Union[ActorType, str]] = ..., topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., addresses: _Optional[_Iterable[str]] = ..., scores: _Optional[_Iterable[str]] = ...) -> None: ...

class EventEMAScoresSet(_message.Message):
    __slots__ = ("actor_type", "topic_id", "nonce", "addresses", "scores", "is_active")
    ACTOR_TYPE_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    actor_type: ActorType
    topic_id: int
    nonce: int
    addresses: _containers.RepeatedScalarFieldContainer[str]
    scores: _containers.RepeatedScalarFieldContainer[str]
    is_active: _containers.RepeatedScalarFieldContainer[bool]
    def __init__(self, actor_type: _Optional[_Union[ActorType, str]] = ..., topic_id: _Optional[int] = ..., nonce: _Optional[int] = ..., addresses: _Optional[_Iterable[str]] = ..., scores: _Optional[_Iterable[str]] = ..., is_active: _Optional[_Iterable[bool]] = ...) -> None: ...

class EventForecastTaskScoreSet(_message.Message):
    __slots__ = ("topic_id", "score")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    score: str
    def __init__(self, topic_id: _Optional[int] = ..., score: _Optional[str] = ...) -> None: ...

class EventRewardsSettled(_message.Message):
    __slots__ = ("actor_type", "topic_id", "block_height", "addresses", "rewards")
    ACTOR_TYPE_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    REWARDS_FIELD_NUMBER: _ClassVar[int]
    actor_type: ActorType
    topic_id: int
    block_height: int
    addresses: _containers.RepeatedScalarFieldContainer[str]
    rewards: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, actor_type: _Optional[_Union[ActorType, str]] = ..., topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., addresses: _Optional[_Iterable[str]] = ..., rewards: _Optional[_Iterable[str]] = ...) -> None: ...

class EventTopicRewardsSet(_message.Message):
    __slots__ = ("topic_ids", "rewards")
    TOPIC_IDS_FIELD_NUMBER: _ClassVar[int]
    REWARDS_FIELD_NUMBER: _ClassVar[int]
    topic_ids: _containers.RepeatedScalarFieldContainer[int]
    rewards: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, topic_ids: _Optional[_Iterable[int]] = ..., rewards: _Optional[_Iterable[str]] = ...) -> None: ...

class EventWorkerSubmissionWindowOpened(_message.Message):
    __slots__ = ("topic_id", "nonce_block_height", "window_end_block")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    NONCE_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_BLOCK_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    nonce_block_height: int
    window_end_block: int
    def __init__(self, topic_id: _Optional[int] = ..., nonce_block_height: _Optional[int] = ..., window_end_block: _Optional[int] = ...) -> None: ...

class EventWorkerSubmissionWindowClosed(_message.Message):
    __slots__ = ("topic_id", "nonce_block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    NONCE_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    nonce_block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., nonce_block_height: _Optional[int] = ...) -> None: ...

class EventReputerSubmissionWindowOpened(_message.Message):
    __slots__ = ("topic_id", "nonce_block_height", "window_end_block")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    NONCE_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_BLOCK_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    nonce_block_height: int
    window_end_block: int
    def __init__(self, topic_id: _Optional[int] = ..., nonce_block_height: _Optional[int] = ..., window_end_block: _Optional[int] = ...) -> None: ...

class EventReputerSubmissionWindowClosed(_message.Message):
    __slots__ = ("topic_id", "nonce_block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    NONCE_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    nonce_block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., nonce_block_height: _Optional[int] = ...) -> None: ...
