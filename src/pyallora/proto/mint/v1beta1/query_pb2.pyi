from pyallora.proto.mint.v1beta1 import types_pb2 as _types_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class QueryParamsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class QueryParamsResponse(_message.Message):
    __slots__ = ("params",)
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    params: _types_pb2.Params
    def __init__(self, params: _Optional[_Union[_types_pb2.Params, _Mapping]] = ...) -> None: ...

class QueryInflationRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class QueryInflationResponse(_message.Message):
    __slots__ = ("inflation",)
    INFLATION_FIELD_NUMBER: _ClassVar[int]
    inflation: str
    def __init__(self, inflation: _Optional[str] = ...) -> None: ...

class QueryEmissionInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class QueryEmissionInfoResponse(_message.Message):
    __slots__ = ("params", "ecosystem_balance", "previous_block_emission", "ecosystem_mint_supply_remaining", "blocks_per_month", "block_height_target_e_i_last_calculated", "block_height_target_e_i_next_calculated", "network_staked_tokens", "locked_vesting_tokens_total", "locked_vesting_tokens_investors_preseed", "locked_vesting_tokens_investors_seed", "locked_vesting_tokens_team", "ecosystem_locked", "circulating_supply", "max_supply", "target_emission_rate_per_unit_staked_token", "reputers_percent", "validators_percent", "maximum_monthly_emission_per_unit_staked_token", "target_reward_emission_per_unit_staked_token", "emission_per_unit_staked_token", "emission_per_month", "block_emission", "validator_cut", "allora_rewards_cut", "previous_reward_emission_per_unit_staked_token")
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    ECOSYSTEM_BALANCE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_BLOCK_EMISSION_FIELD_NUMBER: _ClassVar[int]
    ECOSYSTEM_MINT_SUPPLY_REMAINING_FIELD_NUMBER: _ClassVar[int]
    BLOCKS_PER_MONTH_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_TARGET_E_I_LAST_CALCULATED_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_TARGET_E_I_NEXT_CALCULATED_FIELD_NUMBER: _ClassVar[int]
    NETWORK_STAKED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    LOCKED_VESTING_TOKENS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    LOCKED_VESTING_TOKENS_INVESTORS_PRESEED_FIELD_NUMBER: _ClassVar[int]
    LOCKED_VESTING_TOKENS_INVESTORS_SEED_FIELD_NUMBER: _ClassVar[int]
    LOCKED_VESTING_TOKENS_TEAM_FIELD_NUMBER: _ClassVar[int]
    ECOSYSTEM_LOCKED_FIELD_NUMBER: _ClassVar[int]
    CIRCULATING_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    MAX_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    TARGET_EMISSION_RATE_PER_UNIT_STAKED_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REPUTERS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    VALIDATORS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_MONTHLY_EMISSION_PER_UNIT_STAKED_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TARGET_REWARD_EMISSION_PER_UNIT_STAKED_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EMISSION_PER_UNIT_STAKED_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EMISSION_PER_MONTH_FIELD_NUMBER: _ClassVar[int]
    BLOCK_EMISSION_FIELD_NUMBER: _ClassVar[int]
    VALIDATOR_CUT_FIELD_NUMBER: _ClassVar[int]
    ALLORA_REWARDS_CUT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_REWARD_EMISSION_PER_UNIT_STAKED_TOKEN_FIELD_NUMBER: _ClassVar[int]
    params: _types_pb2.Params
    ecosystem_balance: str
    previous_block_emission: str
    ecosystem_mint_supply_remaining: str
    blocks_per_month: int
    block_height_target_e_i_last_calculated: int
    block_height_target_e_i_next_calculated: int
    network_staked_tokens: str
    locked_vesting_tokens_total: str
    locked_vesting_tokens_investors_preseed: str
    locked_vesting_tokens_investors_seed: str
    locked_vesting_tokens_team: str
    ecosystem_locked: str
    circulating_supply: str
    max_supply: str
    target_emission_rate_per_unit_staked_token: str
    reputers_percent: str
    validators_percent: str
    maximum_monthly_emission_per_unit_staked_token: str
    target_reward_emission_per_unit_staked_token: str
    emission_per_unit_staked_token: str
    emission_per_month: str
    block_emission: str
    validator_cut: str
    allora_rewards_cut: str
    previous_reward_emission_per_unit_staked_token: str
    def __init__(self, params: _Optional[_Union[_types_pb2.Params, _Mapping]] = ..., ecosystem_balance: _Optional[str] = ..., previous_block_emission: _Optional[str] = ..., ecosystem_mint_supply_remaining: _Optional[str] = ..., blocks_per_month: _Optional[int] = ..., block_height_target_e_i_last_calculated: _Optional[int] = ..., block_height_target_e_i_next_calculated: _Optional[int] = ..., network_staked_tokens: _Optional[str] = ..., locked_vesting_tokens_total: _Optional[str] = ..., locked_vesting_tokens_investors_preseed: _Optional[str] = ..., locked_vesting_tokens_investors_seed: _Optional[str] = ..., locked_vesting_tokens_team: _Optional[str] = ..., ecosystem_locked: _Optional[str] = ..., circulating_supply: _Optional[str] = ..., max_supply: _Optional[str] = ..., target_emission_rate_per_unit_staked_token: _Optional[str] = ..., reputers_percent: _Optional[str] = ..., validators_percent: _Optional[str] = ..., maximum_monthly_emission_per_unit_staked_token: _Optional[str] = ..., target_reward_emission_per_unit_staked_token: _Optional[str] = ..., emission_per_unit_staked_token: _Optional[str] = ..., emission_per_month: _Optional[str] = ..., block_emission: _Optional[str] = ..., validator_cut: _Optional[str] = ..., allora_rewards_cut: _Optional[str] = ..., previous_reward_emission_per_unit_staked_token: _Optional[str] = ...) -> None: ...
