from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class EventTokenomicsSet(_message.Message):
    __slots__ = ("staked_token_amount", "circulating_supply", "emissions_amount")
    STAKED_TOKEN_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CIRCULATING_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    EMISSIONS_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    staked_token_amount: str
    circulating_supply: str
    emissions_amount: str
    def __init__(self, staked_token_amount: _Optional[str] = ..., circulating_supply: _Optional[str] = ..., emissions_amount: _Optional[str] = ...) -> None: ...

class EventEcosystemTokenMintSet(_message.Message):
    __slots__ = ("block_height", "token_amount")
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    token_amount: str
    def __init__(self, block_height: _Optional[int] = ..., token_amount: _Optional[str] = ...) -> None: ...

class EventRewardCurrentBlockEmission(_message.Message):
    __slots__ = ("block_height", "token_amount")
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    token_amount: str
    def __init__(self, block_height: _Optional[int] = ..., token_amount: _Optional[str] = ...) -> None: ...
