from pyallora.proto.emissions.v3 import types_pb2 as _types_pb2
from pyallora.proto.emissions.v5 import params_pb2 as _params_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GenesisState(_message.Message):
    __slots__ = ("params", "core_team_addresses", "next_topic_id", "topics", "topic_to_next_possible_churning_block", "block_to_active_topics", "block_to_lowest_active_topic_weight", "active_topics", "rewardable_topics", "previous_topic_weight", "total_sum_previous_topic_weights", "topic_fee_revenue", "last_drip_block", "topic_workers", "topic_reputers", "worker_nodes", "reputer_nodes", "total_stake", "topic_stake", "stake_reputer_authority", "stake_from_delegators_upon_reputer", "stake_sum_from_delegator", "delegated_stakes", "delegate_reward_per_share", "stake_removals_by_block", "stake_removals_by_actor", "delegate_stake_removals_by_block", "delegate_stake_removals_by_actor", "unfulfilled_worker_nonces", "unfulfilled_reputer_nonces", "open_worker_windows", "topic_reward_nonce", "topic_last_worker_commit", "topic_last_reputer_commit", "active_inferers", "active_forecasters", "active_reputers", "inferences", "forecasts", "loss_bundles", "lowest_inferer_score_ema", "lowest_forecaster_score_ema", "lowest_reputer_score_ema", "all_inferences", "all_forecasts", "all_loss_bundles", "network_loss_bundles", "inferer_scores_by_block", "forecaster_scores_by_block", "reputer_scores_by_block", "inferer_score_emas", "forecaster_score_emas", "reputer_score_emas", "previous_topic_quantile_inferer_score_ema", "previous_topic_quantile_forecaster_score_ema", "previous_topic_quantile_reputer_score_ema", "reputer_listening_coefficient", "previous_reputer_reward_fraction", "previous_inference_reward_fraction", "previous_forecast_reward_fraction", "previous_forecaster_score_ratio", "count_inferer_inclusions_in_topic", "count_forecaster_inclusions_in_topic", "previous_percentage_reward_to_staked_reputers", "reward_current_block_emission", "inferer_network_regrets", "forecaster_network_regrets", "one_in_forecaster_network_regrets", "naive_inferer_network_regrets", "one_out_inferer_inferer_network_regrets", "one_out_inferer_forecaster_network_regrets", "one_out_forecaster_inferer_network_regrets", "one_out_forecaster_forecaster_network_regrets", "whitelist_admins")
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    CORE_TEAM_ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_TO_NEXT_POSSIBLE_CHURNING_BLOCK_FIELD_NUMBER: _ClassVar[int]
    BLOCK_TO_ACTIVE_TOPICS_FIELD_NUMBER: _ClassVar[int]
    BLOCK_TO_LOWEST_ACTIVE_TOPIC_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_TOPICS_FIELD_NUMBER: _ClassVar[int]
    REWARDABLE_TOPICS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_TOPIC_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SUM_PREVIOUS_TOPIC_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FEE_REVENUE_FIELD_NUMBER: _ClassVar[int]
    LAST_DRIP_BLOCK_FIELD_NUMBER: _ClassVar[int]
    TOPIC_WORKERS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_REPUTERS_FIELD_NUMBER: _ClassVar[int]
    WORKER_NODES_FIELD_NUMBER: _ClassVar[int]
    REPUTER_NODES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_STAKE_FIELD_NUMBER: _ClassVar[int]
    TOPIC_STAKE_FIELD_NUMBER: _ClassVar[int]
    STAKE_REPUTER_AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    STAKE_FROM_DELEGATORS_UPON_REPUTER_FIELD_NUMBER: _ClassVar[int]
    STAKE_SUM_FROM_DELEGATOR_FIELD_NUMBER: _ClassVar[int]
    DELEGATED_STAKES_FIELD_NUMBER: _ClassVar[int]
    DELEGATE_REWARD_PER_SHARE_FIELD_NUMBER: _ClassVar[int]
    STAKE_REMOVALS_BY_BLOCK_FIELD_NUMBER: _ClassVar[int]
    STAKE_REMOVALS_BY_ACTOR_FIELD_NUMBER: _ClassVar[int]
    DELEGATE_STAKE_REMOVALS_BY_BLOCK_FIELD_NUMBER: _ClassVar[int]
    DELEGATE_STAKE_REMOVALS_BY_ACTOR_FIELD_NUMBER: _ClassVar[int]
    UNFULFILLED_WORKER_NONCES_FIELD_NUMBER: _ClassVar[int]
    UNFULFILLED_REPUTER_NONCES_FIELD_NUMBER: _ClassVar[int]
    OPEN_WORKER_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_REWARD_NONCE_FIELD_NUMBER: _ClassVar[int]
    TOPIC_LAST_WORKER_COMMIT_FIELD_NUMBER: _ClassVar[int]
    TOPIC_LAST_REPUTER_COMMIT_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_INFERERS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FORECASTERS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_REPUTERS_FIELD_NUMBER: _ClassVar[int]
    INFERENCES_FIELD_NUMBER: _ClassVar[int]
    FORECASTS_FIELD_NUMBER: _ClassVar[int]
    LOSS_BUNDLES_FIELD_NUMBER: _ClassVar[int]
    LOWEST_INFERER_SCORE_EMA_FIELD_NUMBER: _ClassVar[int]
    LOWEST_FORECASTER_SCORE_EMA_FIELD_NUMBER: _ClassVar[int]
    LOWEST_REPUTER_SCORE_EMA_FIELD_NUMBER: _ClassVar[int]
    ALL_INFERENCES_FIELD_NUMBER: _ClassVar[int]
    ALL_FORECASTS_FIELD_NUMBER: _ClassVar[int]
    ALL_LOSS_BUNDLES_FIELD_NUMBER: _ClassVar[int]
    NETWORK_LOSS_BUNDLES_FIELD_NUMBER: _ClassVar[int]
    INFERER_SCORES_BY_BLOCK_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_SCORES_BY_BLOCK_FIELD_NUMBER: _ClassVar[int]
    REPUTER_SCORES_BY_BLOCK_FIELD_NUMBER: _ClassVar[int]
    INFERER_SCORE_EMAS_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_SCORE_EMAS_FIELD_NUMBER: _ClassVar[int]
    REPUTER_SCORE_EMAS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_TOPIC_QUANTILE_INFERER_SCORE_EMA_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_TOPIC_QUANTILE_FORECASTER_SCORE_EMA_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_TOPIC_QUANTILE_REPUTER_SCORE_EMA_FIELD_NUMBER: _ClassVar[int]
    REPUTER_LISTENING_COEFFICIENT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_REPUTER_REWARD_FRACTION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_INFERENCE_REWARD_FRACTION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FORECAST_REWARD_FRACTION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FORECASTER_SCORE_RATIO_FIELD_NUMBER: _ClassVar[int]
    COUNT_INFERER_INCLUSIONS_IN_TOPIC_FIELD_NUMBER: _ClassVar[int]
    COUNT_FORECASTER_INCLUSIONS_IN_TOPIC_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PERCENTAGE_REWARD_TO_STAKED_REPUTERS_FIELD_NUMBER: _ClassVar[int]
    REWARD_CURRENT_BLOCK_EMISSION_FIELD_NUMBER: _ClassVar[int]
    INFERER_NETWORK_REGRETS_FIELD_NUMBER: _ClassVar[int]
    FORECASTER_NETWORK_REGRETS_FIELD_NUMBER: _ClassVar[int]
    ONE_IN_FORECASTER_NETWORK_REGRETS_FIELD_NUMBER: _ClassVar[int]
    NAIVE_INFERER_NETWORK_REGRETS_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_INFERER_INFERER_NETWORK_REGRETS_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_INFERER_FORECASTER_NETWORK_REGRETS_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_FORECASTER_INFERER_NETWORK_REGRETS_FIELD_NUMBER: _ClassVar[int]
    ONE_OUT_FORECASTER_FORECASTER_NETWORK_REGRETS_FIELD_NUMBER: _ClassVar[int]
    WHITELIST_ADMINS_FIELD_NUMBER: _ClassVar[int]
    params: _params_pb2.Params
    core_team_addresses: _containers.RepeatedScalarFieldContainer[str]
    next_topic_id: int
    topics: _containers.RepeatedCompositeFieldContainer[TopicIdAndTopic]
    topic_to_next_possible_churning_block: _containers.RepeatedCompositeFieldContainer[TopicIdAndBlockHeight]
    block_to_active_topics: _containers.RepeatedCompositeFieldContainer[BlockHeightAndTopicIds]
    block_to_lowest_active_topic_weight: _containers.RepeatedCompositeFieldContainer[BlockHeightTopicIdWeightPair]
    active_topics: _containers.RepeatedScalarFieldContainer[int]
    rewardable_topics: _containers.RepeatedScalarFieldContainer[int]
    previous_topic_weight: _containers.RepeatedCompositeFieldContainer[TopicIdAndDec]
    total_sum_previous_topic_weights: str
    topic_fee_revenue: _containers.RepeatedCompositeFieldContainer[TopicIdAndInt]
    last_drip_block: _containers.RepeatedCompositeFieldContainer[TopicIdAndBlockHeight]
    topic_workers: _containers.RepeatedCompositeFieldContainer[TopicAndActorId]
    topic_reputers: _containers.RepeatedCompositeFieldContainer[TopicAndActorId]
    worker_nodes: _containers.RepeatedCompositeFieldContainer[AddressAndOffchainNode]
    reputer_nodes: _containers.RepeatedCompositeFieldContainer[AddressAndOffchainNode]
    total_stake: str
    topic_stake: _containers.RepeatedCompositeFieldContainer[TopicIdAndInt]
    stake_reputer_authority: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdInt]
    stake_from_delegators_upon_reputer: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdInt]
    stake_sum_from_delegator: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdInt]
    delegated_stakes: _containers.RepeatedCompositeFieldContainer[TopicIdDelegatorReputerDelegatorInfo]
    delegate_reward_per_share: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdDec]
    stake_removals_by_block: _containers.RepeatedCompositeFieldContainer[BlockHeightTopicIdReputerStakeRemovalInfo]
    stake_removals_by_actor: _containers.RepeatedCompositeFieldContainer[ActorIdTopicIdBlockHeight]
    delegate_stake_removals_by_block: _containers.RepeatedCompositeFieldContainer[BlockHeightTopicIdDelegatorReputerDelegateStakeRemovalInfo]
    delegate_stake_removals_by_actor: _containers.RepeatedCompositeFieldContainer[DelegatorReputerTopicIdBlockHeight]
    unfulfilled_worker_nonces: _containers.RepeatedCompositeFieldContainer[TopicIdAndNonces]
    unfulfilled_reputer_nonces: _containers.RepeatedCompositeFieldContainer[TopicIdAndReputerRequestNonces]
    open_worker_windows: _containers.RepeatedCompositeFieldContainer[BlockHeightAndTopicIds]
    topic_reward_nonce: _containers.RepeatedCompositeFieldContainer[TopicIdAndBlockHeight]
    topic_last_worker_commit: _containers.RepeatedCompositeFieldContainer[TopicIdTimestampedActorNonce]
    topic_last_reputer_commit: _containers.RepeatedCompositeFieldContainer[TopicIdTimestampedActorNonce]
    active_inferers: _containers.RepeatedCompositeFieldContainer[TopicAndActorId]
    active_forecasters: _containers.RepeatedCompositeFieldContainer[TopicAndActorId]
    active_reputers: _containers.RepeatedCompositeFieldContainer[TopicAndActorId]
    inferences: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdInference]
    forecasts: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdForecast]
    loss_bundles: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdReputerValueBundle]
    lowest_inferer_score_ema: _containers.RepeatedCompositeFieldContainer[TopicIdAndScore]
    lowest_forecaster_score_ema: _containers.RepeatedCompositeFieldContainer[TopicIdAndScore]
    lowest_reputer_score_ema: _containers.RepeatedCompositeFieldContainer[TopicIdAndScore]
    all_inferences: _containers.RepeatedCompositeFieldContainer[TopicIdBlockHeightInferences]
    all_forecasts: _containers.RepeatedCompositeFieldContainer[TopicIdBlockHeightForecasts]
    all_loss_bundles: _containers.RepeatedCompositeFieldContainer[TopicIdBlockHeightReputerValueBundles]
    network_loss_bundles: _containers.RepeatedCompositeFieldContainer[TopicIdBlockHeightValueBundle]
    inferer_scores_by_block: _containers.RepeatedCompositeFieldContainer[TopicIdBlockHeightScores]
    forecaster_scores_by_block: _containers.RepeatedCompositeFieldContainer[TopicIdBlockHeightScores]
    reputer_scores_by_block: _containers.RepeatedCompositeFieldContainer[TopicIdBlockHeightScores]
    inferer_score_emas: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdScore]
    forecaster_score_emas: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdScore]
    reputer_score_emas: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdScore]
    previous_topic_quantile_inferer_score_ema: _containers.RepeatedCompositeFieldContainer[TopicIdAndDec]
    previous_topic_quantile_forecaster_score_ema: _containers.RepeatedCompositeFieldContainer[TopicIdAndDec]
    previous_topic_quantile_reputer_score_ema: _containers.RepeatedCompositeFieldContainer[TopicIdAndDec]
    reputer_listening_coefficient: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdListeningCoefficient]
    previous_reputer_reward_fraction: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdDec]
    previous_inference_reward_fraction: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdDec]
    previous_forecast_reward_fraction: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdDec]
    previous_forecaster_score_ratio: _containers.RepeatedCompositeFieldContainer[TopicIdAndDec]
    count_inferer_inclusions_in_topic: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdUint64]
    count_forecaster_inclusions_in_topic: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdUint64]
    previous_percentage_reward_to_staked_reputers: str
    reward_current_block_emission: str
    inferer_network_regrets: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdTimestampedValue]
    forecaster_network_regrets: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdTimestampedValue]
    one_in_forecaster_network_regrets: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdActorIdTimestampedValue]
    naive_inferer_network_regrets: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdTimestampedValue]
    one_out_inferer_inferer_network_regrets: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdActorIdTimestampedValue]
    one_out_inferer_forecaster_network_regrets: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdActorIdTimestampedValue]
    one_out_forecaster_inferer_network_regrets: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdActorIdTimestampedValue]
    one_out_forecaster_forecaster_network_regrets: _containers.RepeatedCompositeFieldContainer[TopicIdActorIdActorIdTimestampedValue]
    whitelist_admins: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, params: _Optional[_Union[_params_pb2.Params, _Mapping]] = ..., core_team_addresses: _Optional[_Iterable[str]] = ..., next_topic_id: _Optional[int] = ..., topics: _Optional[_Iterable[_Union[TopicIdAndTopic, _Mapping]]] = ..., topic_to_next_possible_churning_block: _Optional[_Iterable[_Union[TopicIdAndBlockHeight, _Mapping]]] = ..., block_to_active_topics: _Optional[_Iterable[_Union[BlockHeightAndTopicIds, _Mapping]]] = ..., block_to_lowest_active_topic_weight: _Optional[_Iterable[_Union[BlockHeightTopicIdWeightPair, _Mapping]]] = ..., active_topics: _Optional[_Iterable[int]] = ..., rewardable_topics: _Optional[_Iterable[int]] = ..., previous_topic_weight: _Optional[_Iterable[_Union[TopicIdAndDec, _Mapping]]] = ..., total_sum_previous_topic_weights: _Optional[str] = ..., topic_fee_revenue: _Optional[_Iterable[_Union[TopicIdAndInt, _Mapping]]] = ..., last_drip_block: _Optional[_Iterable[_Union[TopicIdAndBlockHeight, _Mapping]]] = ..., topic_workers: _Optional[_Iterable[_Union[TopicAndActorId, _Mapping]]] = ..., topic_reputers: _Optional[_Iterable[_Union[TopicAndActorId, _Mapping]]] = ..., worker_nodes: _Optional[_Iterable[_Union[AddressAndOffchainNode, _Mapping]]] = ..., reputer_nodes: _Optional[_Iterable[_Union[AddressAndOffchainNode, _Mapping]]] = ..., total_stake: _Optional[str] = ..., topic_stake: _Optional[_Iterable[_Union[TopicIdAndInt, _Mapping]]] = ..., stake_reputer_authority: _Optional[_Iterable[_Union[TopicIdActorIdInt, _Mapping]]] = ..., stake_from_delegators_upon_reputer: _Optional[_Iterable[_Union[TopicIdActorIdInt, _Mapping]]] = ..., stake_sum_from_delegator: _Optional[_Iterable[_Union[TopicIdActorIdInt, _Mapping]]] = ..., delegated_stakes: _Optional[_Iterable[_Union[TopicIdDelegatorReputerDelegatorInfo, _Mapping]]] = ..., delegate_reward_per_share: _Optional[_Iterable[_Union[TopicIdActorIdDec, _Mapping]]] = ..., stake_removals_by_block: _Optional[_Iterable[_Union[BlockHeightTopicIdReputerStakeRemovalInfo, _Mapping]]] = ..., stake_removals_by_actor: _Optional[_Iterable[_Union[ActorIdTopicIdBlockHeight, _Mapping]]] = ..., delegate_stake_removals_by_block: _Optional[_Iterable[_Union[BlockHeightTopicIdDelegatorReputerDelegateStakeRemovalInfo, _Mapping]]] = ..., delegate_stake_removals_by_actor: _Optional[_Iterable[_Union[DelegatorReputerTopicIdBlockHeight, _Mapping]]] = ..., unfulfilled_worker_nonces: _Optional[_Iterable[_Union[TopicIdAndNonces, _Mapping]]] = ..., unfulfilled_reputer_nonces: _Optional[_Iterable[_Union[TopicIdAndReputerRequestNonces, _Mapping]]] = ..., open_worker_windows: _Optional[_Iterable[_Union[BlockHeightAndTopicIds, _Mapping]]] = ..., topic_reward_nonce: _Optional[_Iterable[_Union[TopicIdAndBlockHeight, _Mapping]]] = ..., topic_last_worker_commit: _Optional[_Iterable[_Union[TopicIdTimestampedActorNonce, _Mapping]]] = ..., topic_last_reputer_commit: _Optional[_Iterable[_Union[TopicIdTimestampedActorNonce, _Mapping]]] = ..., active_inferers: _Optional[_Iterable[_Union[TopicAndActorId, _Mapping]]] = ..., active_forecasters: _Optional[_Iterable[_Union[TopicAndActorId, _Mapping]]] = ..., active_reputers: _Optional[_Iterable[_Union[TopicAndActorId, _Mapping]]] = ..., inferences: _Optional[_Iterable[_Union[TopicIdActorIdInference, _Mapping]]] = ..., forecasts: _Optional[_Iterable[_Union[TopicIdActorIdForecast, _Mapping]]] = ..., loss_bundles: _Optional[_Iterable[_Union[TopicIdActorIdReputerValueBundle, _Mapping]]] = ..., lowest_inferer_score_ema: _Optional[_Iterable[_Union[TopicIdAndScore, _Mapping]]] = ..., lowest_forecaster_score_ema: _Optional[_Iterable[_Union[TopicIdAndScore, _Mapping]]] = ..., lowest_reputer_score_ema: _Optional[_Iterable[_Union[TopicIdAndScore, _Mapping]]] = ..., all_inferences: _Optional[_Iterable[_Union[TopicIdBlockHeightInferences, _Mapping]]] = ..., all_forecasts: _Optional[_Iterable[_Union[TopicIdBlockHeightForecasts, _Mapping]]] = ..., all_loss_bundles: _Optional[_Iterable[_Union[TopicIdBlockHeightReputerValueBundles, _Mapping]]] = ..., network_loss_bundles: _Optional[_Iterable[_Union[TopicIdBlockHeightValueBundle, _Mapping]]] = ..., inferer_scores_by_block: _Optional[_Iterable[_Union[TopicIdBlockHeightScores, _Mapping]]] = ..., forecaster_scores_by_block: _Optional[_Iterable[_Union[TopicIdBlockHeightScores, _Mapping]]] = ..., reputer_scores_by_block: _Optional[_Iterable[_Union[TopicIdBlockHeightScores, _Mapping]]] = ..., inferer_score_emas: _Optional[_Iterable[_Union[TopicIdActorIdScore, _Mapping]]] = ..., forecaster_score_emas: _Optional[_Iterable[_Union[TopicIdActorIdScore, _Mapping]]] = ..., reputer_score_emas: _Optional[_Iterable[_Union[TopicIdActorIdScore, _Mapping]]] = ..., previous_topic_quantile_inferer_score_ema: _Optional[_Iterable[_Union[TopicIdAndDec, _Mapping]]] = ..., previous_topic_quantile_forecaster_score_ema: _Optional[_Iterable[_Union[TopicIdAndDec, _Mapping]]] = ..., previous_topic_quantile_reputer_score_ema: _Optional[_Iterable[_Union[TopicIdAndDec, _Mapping]]] = ..., reputer_listening_coefficient: _Optional[_Iterable[_Union[TopicIdActorIdListeningCoefficient, _Mapping]]] = ..., previous_reputer_reward_fraction: _Optional[_Iterable[_Union[TopicIdActorIdDec, _Mapping]]] = ..., previous_inference_reward_fraction: _Optional[_Iterable[_Union[TopicIdActorIdDec, _Mapping]]] = ..., previous_forecast_reward_fraction: _Optional[_Iterable[_Union[TopicIdActorIdDec, _Mapping]]] = ..., previous_forecaster_score_ratio: _Optional[_Iterable[_Union[TopicIdAndDec, _Mapping]]] = ..., count_inferer_inclusions_in_topic: _Optional[_Iterable[_Union[TopicIdActorIdUint64, _Mapping]]] = ..., count_forecaster_inclusions_in_topic: _Optional[_Iterable[_Union[TopicIdActorIdUint64, _Mapping]]] = ..., previous_percentage_reward_to_staked_reputers: _Optional[str] = ..., reward_current_block_emission: _Optional[str] = ..., inferer_network_regrets: _Optional[_Iterable[_Union[TopicIdActorIdTimestampedValue, _Mapping]]] = ..., forecaster_network_regrets: _Optional[_Iterable[_Union[TopicIdActorIdTimestampedValue, _Mapping]]] = ..., one_in_forecaster_network_regrets: _Optional[_Iterable[_Union[TopicIdActorIdActorIdTimestampedValue, _Mapping]]] = ..., naive_inferer_network_regrets: _Optional[_Iterable[_Union[TopicIdActorIdTimestampedValue, _Mapping]]] = ..., one_out_inferer_inferer_network_regrets: _Optional[_Iterable[_Union[TopicIdActorIdActorIdTimestampedValue, _Mapping]]] = ..., one_out_inferer_forecaster_network_regrets: _Optional[_Iterable[_Union[TopicIdActorIdActorIdTimestampedValue, _Mapping]]] = ..., one_out_forecaster_inferer_network_regrets: _Optional[_Iterable[_Union[TopicIdActorIdActorIdTimestampedValue, _Mapping]]] = ..., one_out_forecaster_forecaster_network_regrets: _Optional[_Iterable[_Union[TopicIdActorIdActorIdTimestampedValue, _Mapping]]] = ..., whitelist_admins: _Optional[_Iterable[str]] = ...) -> None: ...

class TopicIdAndTopic(_message.Message):
    __slots__ = ("topic_id", "topic")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    topic: _types_pb2.Topic
    def __init__(self, topic_id: _Optional[int] = ..., topic: _Optional[_Union[_types_pb2.Topic, _Mapping]] = ...) -> None: ...

class TopicIdAndBlockHeight(_message.Message):
    __slots__ = ("topic_id", "block_height")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class BlockHeightAndTopicIds(_message.Message):
    __slots__ = ("block_height", "topic_ids")
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TOPIC_IDS_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    topic_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, block_height: _Optional[int] = ..., topic_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class BlockHeightTopicIdWeightPair(_message.Message):
    __slots__ = ("block_height", "pair")
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    PAIR_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    pair: _types_pb2.TopicIdWeightPair
    def __init__(self, block_height: _Optional[int] = ..., pair: _Optional[_Union[_types_pb2.TopicIdWeightPair, _Mapping]] = ...) -> None: ...

class TopicIdAndDec(_message.Message):
    __slots__ = ("topic_id", "value")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    value: str
    def __init__(self, topic_id: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...

class TopicIdAndInt(_message.Message):
    __slots__ = ("topic_id", "value")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    value: str
    def __init__(self, topic_id: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...

class TopicAndActorId(_message.Message):
    __slots__ = ("topic_id", "actor_id")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id: str
    def __init__(self, topic_id: _Optional[int] = ..., actor_id: _Optional[str] = ...) -> None: ...

class AddressAndOffchainNode(_message.Message):
    __slots__ = ("address", "node")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    address: str
    node: _types_pb2.OffchainNode
    def __init__(self, address: _Optional[str] = ..., node: _Optional[_Union[_types_pb2.OffchainNode, _Mapping]] = ...) -> None: ...

class TopicIdActorIdInt(_message.Message):
    __slots__ = ("topic_id", "actor_id", "value")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id: str
    value: str
    def __init__(self, topic_id: _Optional[int] = ..., actor_id: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class TopicIdActorIdDec(_message.Message):
    __slots__ = ("topic_id", "actor_id", "value")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id: str
    value: str
    def __init__(self, topic_id: _Optional[int] = ..., actor_id: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class TopicIdActorIdUint64(_message.Message):
    __slots__ = ("topic_id", "actor_id", "value")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id: str
    value: int
    def __init__(self, topic_id: _Optional[int] = ..., actor_id: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...

class TopicIdDelegatorReputerDelegatorInfo(_message.Message):
    __slots__ = ("topic_id", "delegator", "reputer", "delegator_info")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    DELEGATOR_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    DELEGATOR_INFO_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    delegator: str
    reputer: str
    delegator_info: _types_pb2.DelegatorInfo
    def __init__(self, topic_id: _Optional[int] = ..., delegator: _Optional[str] = ..., reputer: _Optional[str] = ..., delegator_info: _Optional[_Union[_types_pb2.DelegatorInfo, _Mapping]] = ...) -> None: ...

class BlockHeightTopicIdReputerStakeRemovalInfo(_message.Message):
    __slots__ = ("block_height", "topic_id", "reputer", "stake_removal_info")
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    STAKE_REMOVAL_INFO_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    topic_id: int
    reputer: str
    stake_removal_info: _types_pb2.StakeRemovalInfo
    def __init__(self, block_height: _Optional[int] = ..., topic_id: _Optional[int] = ..., reputer: _Optional[str] = ..., stake_removal_info: _Optional[_Union[_types_pb2.StakeRemovalInfo, _Mapping]] = ...) -> None: ...

class ActorIdTopicIdBlockHeight(_message.Message):
    __slots__ = ("actor_id", "topic_id", "block_height")
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    actor_id: str
    topic_id: int
    block_height: int
    def __init__(self, actor_id: _Optional[str] = ..., topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class BlockHeightTopicIdDelegatorReputerDelegateStakeRemovalInfo(_message.Message):
    __slots__ = ("block_height", "topic_id", "delegator", "reputer", "delegate_stake_removal_info")
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    DELEGATOR_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    DELEGATE_STAKE_REMOVAL_INFO_FIELD_NUMBER: _ClassVar[int]
    block_height: int
    topic_id: int
    delegator: str
    reputer: str
    delegate_stake_removal_info: _types_pb2.DelegateStakeRemovalInfo
    def __init__(self, block_height: _Optional[int] = ..., topic_id: _Optional[int] = ..., delegator: _Optional[str] = ..., reputer: _Optional[str] = ..., delegate_stake_removal_info: _Optional[_Union[_types_pb2.DelegateStakeRemovalInfo, _Mapping]] = ...) -> None: ...

class DelegatorReputerTopicIdBlockHeight(_message.Message):
    __slots__ = ("delegator", "reputer", "topic_id", "block_height")
    DELEGATOR_FIELD_NUMBER: _ClassVar[int]
    REPUTER_FIELD_NUMBER: _ClassVar[int]
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    delegator: str
    reputer: str
    topic_id: int
    block_height: int
    def __init__(self, delegator: _Optional[str] = ..., reputer: _Optional[str] = ..., topic_id: _Optional[int] = ..., block_height: _Optional[int] = ...) -> None: ...

class TopicIdAndNonces(_message.Message):
    __slots__ = ("topic_id", "nonces")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    NONCES_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    nonces: _types_pb2.Nonces
    def __init__(self, topic_id: _Optional[int] = ..., nonces: _Optional[_Union[_types_pb2.Nonces, _Mapping]] = ...) -> None: ...

class TopicIdAndReputerRequestNonces(_message.Message):
    __slots__ = ("topic_id", "reputer_request_nonces")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_REQUEST_NONCES_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    reputer_request_nonces: _types_pb2.ReputerRequestNonces
    def __init__(self, topic_id: _Optional[int] = ..., reputer_request_nonces: _Optional[_Union[_types_pb2.ReputerRequestNonces, _Mapping]] = ...) -> None: ...

class TopicIdTimestampedActorNonce(_message.Message):
    __slots__ = ("topic_id", "timestamped_actor_nonce")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPED_ACTOR_NONCE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    timestamped_actor_nonce: _types_pb2.TimestampedActorNonce
    def __init__(self, topic_id: _Optional[int] = ..., timestamped_actor_nonce: _Optional[_Union[_types_pb2.TimestampedActorNonce, _Mapping]] = ...) -> None: ...

class TopicIdActorIdInference(_message.Message):
    __slots__ = ("topic_id", "actor_id", "inference")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id: str
    inference: _types_pb2.Inference
    def __init__(self, topic_id: _Optional[int] = ..., actor_id: _Optional[str] = ..., inference: _Optional[_Union[_types_pb2.Inference, _Mapping]] = ...) -> None: ...

class TopicIdActorIdForecast(_message.Message):
    __slots__ = ("topic_id", "actor_id", "forecast")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    FORECAST_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id: str
    forecast: _types_pb2.Forecast
    def __init__(self, topic_id: _Optional[int] = ..., actor_id: _Optional[str] = ..., forecast: _Optional[_Union[_types_pb2.Forecast, _Mapping]] = ...) -> None: ...

class TopicIdActorIdReputerValueBundle(_message.Message):
    __slots__ = ("topic_id", "actor_id", "reputer_value_bundle")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REPUTER_VALUE_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id: str
    reputer_value_bundle: _types_pb2.ReputerValueBundle
    def __init__(self, topic_id: _Optional[int] = ..., actor_id: _Optional[str] = ..., reputer_value_bundle: _Optional[_Union[_types_pb2.ReputerValueBundle, _Mapping]] = ...) -> None: ...

class TopicIdAndScore(_message.Message):
    __slots__ = ("topic_id", "score")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    score: _types_pb2.Score
    def __init__(self, topic_id: _Optional[int] = ..., score: _Optional[_Union[_types_pb2.Score, _Mapping]] = ...) -> None: ...

class TopicIdBlockHeightInferences(_message.Message):
    __slots__ = ("topic_id", "block_height", "inferences")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    INFERENCES_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    inferences: _types_pb2.Inferences
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., inferences: _Optional[_Union[_types_pb2.Inferences, _Mapping]] = ...) -> None: ...

class TopicIdBlockHeightForecasts(_message.Message):
    __slots__ = ("topic_id", "block_height", "forecasts")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FORECASTS_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    forecasts: _types_pb2.Forecasts
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., forecasts: _Optional[_Union[_types_pb2.Forecasts, _Mapping]] = ...) -> None: ...

class TopicIdBlockHeightReputerValueBundles(_message.Message):
    __slots__ = ("topic_id", "block_height", "reputer_value_bundles")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    REPUTER_VALUE_BUNDLES_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    reputer_value_bundles: _types_pb2.ReputerValueBundles
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., reputer_value_bundles: _Optional[_Union[_types_pb2.ReputerValueBundles, _Mapping]] = ...) -> None: ...

class TopicIdBlockHeightValueBundle(_message.Message):
    __slots__ = ("topic_id", "block_height", "value_bundle")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    VALUE_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    value_bundle: _types_pb2.ValueBundle
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., value_bundle: _Optional[_Union[_types_pb2.ValueBundle, _Mapping]] = ...) -> None: ...

class TopicIdBlockHeightScores(_message.Message):
    __slots__ = ("topic_id", "block_height", "scores")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    block_height: int
    scores: _types_pb2.Scores
    def __init__(self, topic_id: _Optional[int] = ..., block_height: _Optional[int] = ..., scores: _Optional[_Union[_types_pb2.Scores, _Mapping]] = ...) -> None: ...

class TopicIdActorIdScore(_message.Message):
    __slots__ = ("topic_id", "actor_id", "score")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id: str
    score: _types_pb2.Score
    def __init__(self, topic_id: _Optional[int] = ..., actor_id: _Optional[str] = ..., score: _Optional[_Union[_types_pb2.Score, _Mapping]] = ...) -> None: ...

class TopicIdActorIdListeningCoefficient(_message.Message):
    __slots__ = ("topic_id", "actor_id", "listening_coefficient")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    LISTENING_COEFFICIENT_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id: str
    listening_coefficient: _types_pb2.ListeningCoefficient
    def __init__(self, topic_id: _Optional[int] = ..., actor_id: _Optional[str] = ..., listening_coefficient: _Optional[_Union[_types_pb2.ListeningCoefficient, _Mapping]] = ...) -> None: ...

class TopicIdActorIdTimestampedValue(_message.Message):
    __slots__ = ("topic_id", "actor_id", "timestamped_value")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPED_VALUE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id: str
    timestamped_value: _types_pb2.TimestampedValue
    def __init__(self, topic_id: _Optional[int] = ..., actor_id: _Optional[str] = ..., timestamped_value: _Optional[_Union[_types_pb2.TimestampedValue, _Mapping]] = ...) -> None: ...

class TopicIdActorIdActorIdTimestampedValue(_message.Message):
    __slots__ = ("topic_id", "actor_id1", "actor_id2", "timestamped_value")
    TOPIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID1_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID2_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPED_VALUE_FIELD_NUMBER: _ClassVar[int]
    topic_id: int
    actor_id1: str
    actor_id2: str
    timestamped_value: _types_pb2.TimestampedValue
    def __init__(self, topic_id: _Optional[int] = ..., actor_id1: _Optional[str] = ..., actor_id2: _Optional[str] = ..., timestamped_value: _Optional[_Union[_types_pb2.TimestampedValue, _Mapping]] = ...) -> None: ...
