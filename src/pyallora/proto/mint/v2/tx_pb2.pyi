from pyallora.proto.mint.v1beta1 import types_pb2 as _types_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UpdateParamsRequest(_message.Message):
    __slots__ = ("sender", "params", "recalculate_target_emission", "blocks_per_month")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    RECALCULATE_TARGET_EMISSION_FIELD_NUMBER: _ClassVar[int]
    BLOCKS_PER_MONTH_FIELD_NUMBER: _ClassVar[int]
    sender: str
    params: _types_pb2.Params
    recalculate_target_emission: bool
    blocks_per_month: int
    def __init__(self, sender: _Optional[str] = ..., params: _Optional[_Union[_types_pb2.Params, _Mapping]] = ..., recalculate_target_emission: bool = ..., blocks_per_month: _Optional[int] = ...) -> None: ...

class UpdateParamsResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RecalculateTargetEmissionRequest(_message.Message):
    __slots__ = ("sender",)
    SENDER_FIELD_NUMBER: _ClassVar[int]
    sender: str
    def __init__(self, sender: _Optional[str] = ...) -> None: ...

class RecalculateTargetEmissionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
