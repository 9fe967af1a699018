from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Params(_message.Message):
    __slots__ = ("mint_denom", "max_supply", "f_emission", "one_month_smoothing_degree", "ecosystem_treasury_percent_of_total_supply", "foundation_treasury_percent_of_total_supply", "participants_percent_of_total_supply", "investors_percent_of_total_supply", "team_percent_of_total_supply", "maximum_monthly_percentage_yield", "investors_preseed_percent_of_total_supply")
    MINT_DENOM_FIELD_NUMBER: _ClassVar[int]
    MAX_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    F_EMISSION_FIELD_NUMBER: _ClassVar[int]
    ONE_MONTH_SMOOTHING_DEGREE_FIELD_NUMBER: _ClassVar[int]
    ECOSYSTEM_TREASURY_PERCENT_OF_TOTAL_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    FOUNDATION_TREASURY_PERCENT_OF_TOTAL_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANTS_PERCENT_OF_TOTAL_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    INVESTORS_PERCENT_OF_TOTAL_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    TEAM_PERCENT_OF_TOTAL_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_MONTHLY_PERCENTAGE_YIELD_FIELD_NUMBER: _ClassVar[int]
    INVESTORS_PRESEED_PERCENT_OF_TOTAL_SUPPLY_FIELD_NUMBER: _ClassVar[int]
    mint_denom: str
    max_supply: str
    f_emission: str
    one_month_smoothing_degree: str
    ecosystem_treasury_percent_of_total_supply: str
    foundation_treasury_percent_of_total_supply: str
    participants_percent_of_total_supply: str
    investors_percent_of_total_supply: str
    team_percent_of_total_supply: str
    maximum_monthly_percentage_yield: str
    investors_preseed_percent_of_total_supply: str
    def __init__(self, mint_denom: _Optional[str] = ..., max_supply: _Optional[str] = ..., f_emission: _Optional[str] = ..., one_month_smoothing_degree: _Optional[str] = ..., ecosystem_treasury_percent_of_total_supply: _Optional[str] = ..., foundation_treasury_percent_of_total_supply: _Optional[str] = ..., participants_percent_of_total_supply: _Optional[str] = ..., investors_percent_of_total_supply: _Optional[str] = ..., team_percent_of_total_supply: _Optional[str] = ..., maximum_monthly_percentage_yield: _Optional[str] = ..., investors_preseed_percent_of_total_supply: _Optional[str] = ...) -> None: ...

class GenesisState(_message.Message):
    __slots__ = ("params", "previous_reward_emission_per_unit_staked_token", "previous_block_emission", "ecosystem_tokens_minted")
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_REWARD_EMISSION_PER_UNIT_STAKED_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_BLOCK_EMISSION_FIELD_NUMBER: _ClassVar[int]
    ECOSYSTEM_TOKENS_MINTED_FIELD_NUMBER: _ClassVar[int]
    params: Params
    previous_reward_emission_per_unit_staked_token: str
    previous_block_emission: str
    ecosystem_tokens_minted: str
    def __init__(self, params: _Optional[_Union[Params, _Mapping]] = ..., previous_reward_emission_per_unit_staked_token: _Optional[str] = ..., previous_block_emission: _Optional[str] = ..., ecosystem_tokens_minted: _Optional[str] = ...) -> None: ...
