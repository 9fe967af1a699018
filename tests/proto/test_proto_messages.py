"""Tests of the generated Allora protobuf classes (``pyallora.proto``).

Checks the descriptors against PROTOCOL.md (full names and type URLs of §3, Params tags of
§2.1, Topic tags of §2.2, the §2.13 wire types, the query and msg services of §4, the events
of Appendix B), that every message round-trips with every field set, that the generated
code imports only protobuf and our own modules, that it coexists with cosmpy's classes in
one descriptor pool, and that the committed code is what ``tools/gen_proto.py`` generates.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

import pyallora.proto
from pyallora.proto.emissions.v3 import types_pb2 as v3
from pyallora.proto.emissions.v4 import events_pb2 as v4_events
from pyallora.proto.emissions.v5 import genesis_pb2, params_pb2, query_pb2, tx_pb2
from pyallora.proto.mint.v1beta1 import query_pb2 as mint_query_pb2
from pyallora.proto.mint.v1beta1 import types_pb2 as mint_types_pb2
from pyallora.proto.mint.v2 import tx_pb2 as mint_tx_pb2
from pyallora.proto.mint.v3 import events_pb2 as mint_events_pb2

REPO = Path(__file__).resolve().parents[2]
GENERATED_DIR = REPO / "src" / "pyallora" / "proto"


def generated_modules() -> list[ModuleType]:
    """Every ``*_pb2`` module under ``pyallora.proto``."""
    modules = [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(pyallora.proto.__path__, "pyallora.proto.")
        if info.name.endswith("_pb2")
    ]
    return sorted(modules, key=lambda module: module.__name__)


def all_descriptors() -> list[Descriptor]:
    """Every message descriptor (top level and nested) of the generated modules."""
    found: list[Descriptor] = []

    def walk(descriptor: Descriptor) -> None:
        found.append(descriptor)
        for nested in descriptor.nested_types:
            walk(nested)

    for module in generated_modules():
        for descriptor in module.DESCRIPTOR.message_types_by_name.values():
            walk(descriptor)
    return found


def message_class(descriptor: Descriptor) -> type[Message]:
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(descriptor)


# ---------------------------------------------------------------------------------------------
# Round trips


def _scalar_value(field: FieldDescriptor, salt: int) -> Any:
    kind = field.type
    if kind in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_INT32):
        return -(salt + 1)
    if kind in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_UINT32):
        return (1 << 63) + salt if kind == FieldDescriptor.TYPE_UINT64 else salt + 1
    if kind == FieldDescriptor.TYPE_BOOL:
        return True
    if kind == FieldDescriptor.TYPE_STRING:
        return f"{field.name}-{salt}-\u00e9"
    if kind == FieldDescriptor.TYPE_BYTES:
        return bytes([salt % 256, 0, 255])
    if kind == FieldDescriptor.TYPE_ENUM:
        return field.enum_type.values[-1].number
    raise AssertionError(f"unexpected field type {kind} of {field.full_name}")


def fill(message: Message, depth: int = 0) -> None:
    """Set every field of ``message`` to a non-default value (two elements when repeated)."""
    for index, field in enumerate(message.DESCRIPTOR.fields):
        salt = depth * 100 + index
        repeated = field.label == FieldDescriptor.LABEL_REPEATED
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth >= 3:
                continue
            if repeated:
                for _ in range(2):
                    fill(getattr(message, field.name).add(), depth + 1)
            else:
                child = getattr(message, field.name)
                child.SetInParent()
                fill(child, depth + 1)
        elif repeated:
            getattr(message, field.name).extend(
                [_scalar_value(field, salt), _scalar_value(field, salt + 1)]
            )
        else:
            setattr(message, field.name, _scalar_value(field, salt))


@pytest.mark.parametrize("descriptor", all_descriptors(), ids=lambda d: d.full_name)
def test_every_message_round_trips(descriptor: Descriptor) -> None:
    cls = message_class(descriptor)
    original = cls()
    fill(original)
    data = original.SerializeToString(deterministic=True)
    decoded = cls.FromString(data)
    assert decoded == original
    assert decoded.SerializeToString(deterministic=True) == data
    if descriptor.fields:
        assert data, f"{descriptor.full_name} with every field set serialized to nothing"
        for field in descriptor.fields:
            if field.label == FieldDescriptor.LABEL_REPEATED:
                assert len(getattr(decoded, field.name)) > 0 or (
                    field.type == FieldDescriptor.TYPE_MESSAGE
                )
            elif field.type != FieldDescriptor.TYPE_MESSAGE:
                assert getattr(decoded, field.name) == getattr(original, field.name)


def test_there_are_many_messages() -> None:
    # Guards the parametrisation above against silently testing nothing.
    names = {descriptor.full_name for descriptor in all_descriptors()}
    assert len(names) > 250
    assert "emissions.v3.InferenceForecastBundle" in names
    assert "mint.v3.EventTokenomicsSet" in names


# ---------------------------------------------------------------------------------------------
# Names and type URLs (PROTOCOL.md §3)

EMISSIONS_MSGS = [
    "UpdateParams",
    "CreateNewTopic",
    "Register",
    "RemoveRegistration",
    "AddStake",
    "RemoveStake",
    "CancelRemoveStake",
    "DelegateStake",
    "RewardDelegateStake",
    "RemoveDelegateStake",
    "CancelRemoveDelegateStake",
    "FundTopic",
    "AddToWhitelistAdmin",
    "RemoveFromWhitelistAdmin",
    "InsertWorkerPayload",
    "InsertReputerPayload",
]


def type_url(message: type[Message]) -> str:
    return "/" + message.DESCRIPTOR.full_name


@pytest.mark.parametrize("name", EMISSIONS_MSGS)
def test_emissions_type_urls(name: str) -> None:
    request = getattr(tx_pb2, f"{name}Request")
    response = getattr(tx_pb2, f"{name}Response")
    assert type_url(request) == f"/emissions.v5.{name}Request"
    assert response.DESCRIPTOR.full_name == f"emissions.v5.{name}Response"
    method = tx_pb2.DESCRIPTOR.services_by_name["MsgService"].methods_by_name[name]
    assert method.input_type is request.DESCRIPTOR
    assert method.output_type is response.DESCRIPTOR


def test_emissions_msg_service_has_exactly_the_sixteen_messages() -> None:
    service = tx_pb2.DESCRIPTOR.services_by_name["MsgService"]
    assert service.full_name == "emissions.v5.MsgService"
    assert [method.name for method in service.methods] == EMISSIONS_MSGS


def test_mint_type_urls() -> None:
    assert type_url(mint_tx_pb2.UpdateParamsRequest) == "/mint.v2.UpdateParamsRequest"
    assert (
        type_url(mint_tx_pb2.RecalculateTargetEmissionRequest)
        == "/mint.v2.RecalculateTargetEmissionRequest"
    )
    service = mint_tx_pb2.DESCRIPTOR.services_by_name["MsgService"]
    assert service.full_name == "mint.v2.MsgService"
    assert {method.name for method in service.methods} == {
        "UpdateParams",
        "RecalculateTargetEmission",
    }
    params = mint_tx_pb2.UpdateParamsRequest.DESCRIPTOR.fields_by_name["params"]
    assert params.message_type is mint_types_pb2.Params.DESCRIPTOR


def field_numbers(message: type[Message]) -> dict[str, int]:
    return {field.name: field.number for field in message.DESCRIPTOR.fields}


def reserved_numbers(message: type[Message]) -> set[int]:
    proto = descriptor_pb2.DescriptorProto()
    message.DESCRIPTOR.CopyToProto(proto)
    return {number for r in proto.reserved_range for number in range(r.start, r.end)}


def test_msg_tags_given_by_the_spec() -> None:
    # §3.1
    assert field_numbers(tx_pb2.CreateNewTopicRequest) == {
        "creator": 1,
        "metadata": 2,
        "loss_method": 4,
        "epoch_length": 7,
        "ground_truth_lag": 8,
        "p_norm": 10,
        "alpha_regret": 11,
        "allow_negative": 12,
        "epsilon": 13,
        "worker_submission_window": 14,
        "merit_sortition_alpha": 15,
        "active_inferer_quantile": 16,
        "active_forecaster_quantile": 17,
        "active_reputer_quantile": 18,
    }
    # §3.2 (2 and 3 reserved)
    assert field_numbers(tx_pb2.RegisterRequest) == {
        "sender": 1,
        "topic_id": 4,
        "owner": 5,
        "is_reputer": 6,
    }
    assert reserved_numbers(tx_pb2.RegisterRequest) == {2, 3}
    assert field_numbers(tx_pb2.RegisterResponse) == {"success": 1, "message": 2}
    # §3.9: reputer is tag 2, topic_id tag 3
    numbers = field_numbers(tx_pb2.RemoveDelegateStakeRequest)
    assert (numbers["reputer"], numbers["topic_id"]) == (2, 3)
    # §3.14, §3.15
    assert field_numbers(tx_pb2.InsertWorkerPayloadRequest) == {
        "sender": 1,
        "worker_data_bundle": 2,
    }
    assert field_numbers(tx_pb2.InsertReputerPayloadRequest) == {
        "sender": 1,
        "reputer_value_bundle": 2,
    }
    bundle = tx_pb2.InsertWorkerPayloadRequest.DESCRIPTOR.fields_by_name["worker_data_bundle"]
    assert bundle.message_type is v3.WorkerDataBundle.DESCRIPTOR


def test_msg_fields_named_by_the_spec() -> None:
    expected = {
        "RemoveRegistration": {"sender", "topic_id", "is_reputer"},
        "AddStake": {"sender", "topic_id", "amount"},
        "RemoveStake": {"sender", "topic_id", "amount"},
        "CancelRemoveStake": {"sender", "topic_id"},
        "DelegateStake": {"sender", "topic_id", "reputer", "amount"},
        "RewardDelegateStake": {"sender", "topic_id", "reputer"},
        "RemoveDelegateStake": {"sender", "reputer", "topic_id", "amount"},
        "CancelRemoveDelegateStake": {"sender", "topic_id", "delegator", "reputer"},
        "FundTopic": {"sender", "topic_id", "amount"},
        "AddToWhitelistAdmin": {"sender", "address"},
        "RemoveFromWhitelistAdmin": {"sender", "address"},
        "UpdateParams": {"sender", "params"},
    }
    for name, fields in expected.items():
        assert set(field_numbers(getattr(tx_pb2, f"{name}Request"))) == fields, name
    assert set(field_numbers(mint_tx_pb2.UpdateParamsRequest)) == {
        "sender",
        "params",
        "recalculate_target_emission",
        "blocks_per_month",
    }
    assert set(field_numbers(mint_tx_pb2.RecalculateTargetEmissionRequest)) == {"sender"}


def test_amounts_and_decs_are_strings_on_the_wire() -> None:
    string = FieldDescriptor.TYPE_STRING
    for message, name in [
        (tx_pb2.AddStakeRequest, "amount"),
        (tx_pb2.FundTopicRequest, "amount"),
        (tx_pb2.CreateNewTopicRequest, "p_norm"),
        (v3.Inference, "value"),
        (v3.ForecastElement, "value"),
        (v3.ValueBundle, "combined_value"),
        (v3.Score, "score"),
        (v3.StakeInfo, "amount"),
        (mint_types_pb2.Params, "max_supply"),
        (mint_types_pb2.Params, "f_emission"),
    ]:
        assert message.DESCRIPTOR.fields_by_name[name].type == string, (message, name)


# ---------------------------------------------------------------------------------------------
# Params (PROTOCOL.md §2.1)

PARAMS_TAGS = {
    "version": (1, "string"),
    "max_serialized_msg_length": (2, "int64"),
    "min_topic_weight": (3, "dec"),
    "required_minimum_stake": (5, "int"),
    "remove_stake_delay_window": (6, "int64"),
    "min_epoch_length": (7, "int64"),
    "beta_entropy": (8, "dec"),
    "learning_rate": (9, "dec"),
    "max_gradient_threshold": (10, "dec"),
    "min_stake_fraction": (11, "dec"),
    "max_unfulfilled_worker_requests": (13, "uint64"),
    "max_unfulfilled_reputer_requests": (14, "uint64"),
    "topic_reward_stake_importance": (15, "dec"),
    "topic_reward_fee_revenue_importance": (16, "dec"),
    "topic_reward_alpha": (17, "dec"),
    "task_reward_alpha": (18, "dec"),
    "validators_vs_allora_percent_reward": (19, "dec"),
    "max_samples_to_scale_scores": (20, "uint64"),
    "max_top_inferers_to_reward": (21, "uint64"),
    "max_top_forecasters_to_reward": (22, "uint64"),
    "max_top_reputers_to_reward": (23, "uint64"),
    "create_topic_fee": (24, "int"),
    "gradient_descent_max_iters": (25, "uint64"),
    "registration_fee": (28, "int"),
    "default_page_limit": (29, "uint64"),
    "max_page_limit": (30, "uint64"),
    "min_epoch_length_record_limit": (31, "int64"),
    "blocks_per_month": (32, "uint64"),
    "p_reward_inference": (33, "dec"),
    "p_reward_forecast": (34, "dec"),
    "p_reward_reputer": (35, "dec"),
    "c_reward_inference": (36, "dec"),
    "c_reward_forecast": (37, "dec"),
    "c_norm": (38, "dec"),
    "epsilon_reputer": (40, "dec"),
    "half_max_process_stake_removals_end_block": (42, "uint64"),
    "epsilon_safe_div": (43, "dec"),
    "data_sending_fee": (44, "int"),
    "max_elements_per_forecast": (45, "uint64"),
    "max_active_topics_per_block": (46, "uint64"),
    "max_string_length": (47, "uint64"),
    "initial_regret_quantile": (48, "dec"),
    "p_norm_safe_div": (49, "dec"),
}
"""PROTOCOL.md §2.1: name → (tag, type); Dec and Int are strings on the wire."""

WIRE_TYPES = {
    "string": FieldDescriptor.TYPE_STRING,
    "dec": FieldDescriptor.TYPE_STRING,
    "int": FieldDescriptor.TYPE_STRING,
    "int64": FieldDescriptor.TYPE_INT64,
    "uint64": FieldDescriptor.TYPE_UINT64,
}


def test_params_tags_and_types_match_the_spec() -> None:
    descriptor = params_pb2.Params.DESCRIPTOR
    assert descriptor.full_name == "emissions.v5.Params"
    assert {field.name for field in descriptor.fields} == set(PARAMS_TAGS)
    for name, (tag, kind) in PARAMS_TAGS.items():
        field = descriptor.fields_by_name[name]
        assert field.number == tag, name
        assert field.type == WIRE_TYPES[kind], name
        assert field.label != FieldDescriptor.LABEL_REPEATED, name


def test_params_reserved_tags() -> None:
    assert reserved_numbers(params_pb2.Params) == {4, 26, 27, 39, 41}
    used = {field.number for field in params_pb2.Params.DESCRIPTOR.fields}
    assert used.isdisjoint({4, 26, 27, 39, 41})


def test_optional_params_swap_43_and_44() -> None:
    descriptor = params_pb2.OptionalParams.DESCRIPTOR
    assert {field.name for field in descriptor.fields} == set(PARAMS_TAGS)
    for name, (tag, kind) in PARAMS_TAGS.items():
        field = descriptor.fields_by_name[name]
        expected_tag = {43: 44, 44: 43}.get(tag, tag)
        assert field.number == expected_tag, name
        assert field.type == WIRE_TYPES[kind], name
        assert field.label == FieldDescriptor.LABEL_REPEATED, name
    assert descriptor.fields_by_name["data_sending_fee"].number == 43
    assert descriptor.fields_by_name["epsilon_safe_div"].number == 44


def test_update_params_uses_optional_params() -> None:
    field = tx_pb2.UpdateParamsRequest.DESCRIPTOR.fields_by_name["params"]
    assert field.message_type is params_pb2.OptionalParams.DESCRIPTOR


def test_mint_params_tags_match_the_spec() -> None:
    assert field_numbers(mint_types_pb2.Params) == {
        "mint_denom": 1,
        "max_supply": 2,
        "f_emission": 3,
        "one_month_smoothing_degree": 4,
        "ecosystem_treasury_percent_of_total_supply": 5,
        "foundation_treasury_percent_of_total_supply": 6,
        "participants_percent_of_total_supply": 7,
        "investors_percent_of_total_supply": 8,
        "team_percent_of_total_supply": 9,
        "maximum_monthly_percentage_yield": 10,
        "investors_preseed_percent_of_total_supply": 11,
    }
    assert mint_types_pb2.Params.DESCRIPTOR.full_name == "mint.v1beta1.Params"


# ---------------------------------------------------------------------------------------------
# Data types (PROTOCOL.md §2.2, §2.13)


def test_topic_tags_match_the_spec() -> None:
    assert field_numbers(v3.Topic) == {
        "id": 1,
        "creator": 2,
        "metadata": 3,
        "loss_method": 5,
        "epoch_last_ended": 8,
        "epoch_length": 9,
        "ground_truth_lag": 10,
        "p_norm": 12,
        "alpha_regret": 13,
        "allow_negative": 14,
        "epsilon": 15,
        "initial_regret": 16,
        "worker_submission_window": 17,
        "merit_sortition_alpha": 18,
        "active_inferer_quantile": 19,
        "active_forecaster_quantile": 20,
        "active_reputer_quantile": 21,
    }
    assert reserved_numbers(v3.Topic) == {4, 6, 7, 11}


WIRE_DATA_TAGS: dict[type[Message], dict[str, int]] = {
    v3.Nonce: {"block_height": 1},
    v3.ReputerRequestNonce: {"reputer_nonce": 1},
    v3.Inference: {
        "topic_id": 1,
        "block_height": 2,
        "inferer": 3,
        "value": 4,
        "extra_data": 5,
        "proof": 6,
    },
    v3.ForecastElement: {"inferer": 1, "value": 2},
    v3.Forecast: {
        "topic_id": 1,
        "block_height": 2,
        "forecaster": 3,
        "forecast_elements": 4,
        "extra_data": 5,
    },
    v3.InferenceForecastBundle: {"inference": 1, "forecast": 2},
    v3.WorkerDataBundle: {
        "worker": 1,
        "nonce": 2,
        "topic_id": 3,
        "inference_forecasts_bundle": 4,
        "inferences_forecasts_bundle_signature": 5,
        "pubkey": 6,
    },
    v3.WorkerAttributedValue: {"worker": 1, "value": 2},
    v3.WithheldWorkerAttributedValue: {"worker": 1, "value": 2},
    v3.OneOutInfererForecasterValues: {"forecaster": 3, "one_out_inferer_values": 4},
    v3.ValueBundle: {
        "topic_id": 1,
        "reputer_request_nonce": 2,
        "reputer": 3,
        "extra_data": 4,
        "combined_value": 5,
        "inferer_values": 6,
        "forecaster_values": 7,
        "naive_value": 8,
        "one_out_inferer_values": 9,
        "one_out_forecaster_values": 10,
        "one_in_forecaster_values": 11,
        "one_out_inferer_forecaster_values": 12,
    },
    v3.ReputerValueBundle: {"value_bundle": 1, "signature": 2, "pubkey": 3},
    v3.Score: {"topic_id": 1, "block_height": 2, "address": 3, "score": 4},
    v3.TimestampedValue: {"block_height": 1, "value": 2},
    v3.TimestampedActorNonce: {"block_height": 1, "nonce": 3},
    v3.OffchainNode: {"owner": 3, "node_address": 4},
    v3.DelegatorInfo: {"amount": 1, "reward_debt": 2},
    v3.StakeInfo: {"topic_id": 1, "reputer": 2, "amount": 3},
    v3.RegretInformedWeight: {"worker": 1, "weight": 2},
    v3.TopicIdWeightPair: {"topic_id": 1, "weight": 2},
    v3.ListeningCoefficient: {"coefficient": 1},
}
"""PROTOCOL.md §2.13, verbatim."""


@pytest.mark.parametrize(
    "message", list(WIRE_DATA_TAGS), ids=lambda message: message.DESCRIPTOR.full_name
)
def test_wire_data_types_match_the_spec(message: type[Message]) -> None:
    assert message.DESCRIPTOR.full_name.startswith("emissions.v3.")
    assert field_numbers(message) == WIRE_DATA_TAGS[message]


def test_signed_bundles_nest_as_the_spec_says() -> None:
    fields = v3.ValueBundle.DESCRIPTOR.fields_by_name
    assert fields["one_out_inferer_values"].message_type is (
        v3.WithheldWorkerAttributedValue.DESCRIPTOR
    )
    assert fields["one_in_forecaster_values"].message_type is (v3.WorkerAttributedValue.DESCRIPTOR)
    assert fields["reputer_request_nonce"].message_type is v3.ReputerRequestNonce.DESCRIPTOR
    worker = v3.WorkerDataBundle.DESCRIPTOR.fields_by_name
    assert worker["inference_forecasts_bundle"].message_type is (
        v3.InferenceForecastBundle.DESCRIPTOR
    )
    assert worker["inferences_forecasts_bundle_signature"].type == FieldDescriptor.TYPE_BYTES
    assert worker["pubkey"].type == FieldDescriptor.TYPE_STRING


# ---------------------------------------------------------------------------------------------
# Queries (PROTOCOL.md §4)

QUERY_METHODS_USED_BY_CLIENTS = [
    # N: the off-chain node (§8.1); S: the Python SDK (§8.2); C: consumers and explorers.
    "GetParams",
    "IsWorkerRegisteredInTopicId",
    "IsReputerRegisteredInTopicId",
    "GetUnfulfilledWorkerNonces",
    "GetUnfulfilledReputerNonces",
    "GetNetworkInferencesAtBlock",
    "GetStakeFromReputerInTopicInSelf",
    "GetTopic",
    "GetLatestNetworkInferences",
    "GetLatestAvailableNetworkInferences",
    "GetNextTopicId",
    "TopicExists",
    "IsTopicActive",
    "GetTopicStake",
    "GetReputerStakeInTopic",
    "GetMultiReputerStakeInTopic",
    "GetInferencesAtBlock",
    "GetForecastsAtBlock",
    "GetNetworkLossBundleAtBlock",
    "GetReputerLossBundlesAtBlock",
    "GetTopicLastWorkerCommitInfo",
    "GetTopicLastReputerCommitInfo",
    "GetInfererScoreEma",
    "GetOneOutForecasterForecasterNetworkRegret",
]


def test_query_service_paths() -> None:
    service = query_pb2.DESCRIPTOR.services_by_name["QueryService"]
    assert service.full_name == "emissions.v5.QueryService"
    paths = {f"/{service.full_name}/{method.name}" for method in service.methods}
    for name in QUERY_METHODS_USED_BY_CLIENTS:
        assert f"/emissions.v5.QueryService/{name}" in paths
    for method in service.methods:
        assert method.input_type.full_name == f"emissions.v5.{method.name}Request"
        assert method.output_type.full_name == f"emissions.v5.{method.name}Response"
    assert len(service.methods) >= 80


def test_query_shapes_the_clients_read() -> None:
    nonces = query_pb2.GetUnfulfilledWorkerNoncesResponse.DESCRIPTOR.fields_by_name["nonces"]
    assert nonces.message_type is v3.Nonces.DESCRIPTOR
    reputer = query_pb2.GetUnfulfilledReputerNoncesResponse.DESCRIPTOR.fields_by_name["nonces"]
    assert reputer.message_type is v3.ReputerRequestNonces.DESCRIPTOR
    assert set(field_numbers(query_pb2.GetNetworkInferencesAtBlockRequest)) == {
        "topic_id",
        "block_height_last_inference",
    }
    assert set(field_numbers(query_pb2.GetLatestNetworkInferencesResponse)) == {
        "network_inferences",
        "inferer_weights",
        "forecaster_weights",
        "inference_block_height",
        "loss_block_height",
        "confidence_interval_raw_percentiles",
        "confidence_interval_values",
    }
    assert set(field_numbers(query_pb2.GetTopicResponse)) == {
        "topic",
        "weight",
        "effective_revenue",
    }
    params = query_pb2.GetParamsResponse.DESCRIPTOR.fields_by_name["params"]
    assert params.message_type is params_pb2.Params.DESCRIPTOR


def test_mint_query_service() -> None:
    service = mint_query_pb2.DESCRIPTOR.services_by_name["Query"]
    assert service.full_name == "mint.v1beta1.Query"
    assert [method.name for method in service.methods] == [
        "Params",
        "Inflation",
        "EmissionInfo",
    ]
    info = set(field_numbers(mint_query_pb2.QueryEmissionInfoResponse))
    assert {"params", "circulating_supply", "block_emission", "validator_cut"} <= info
    assert len(info) == 26


def test_genesis_carries_params_and_admins() -> None:
    fields = genesis_pb2.GenesisState.DESCRIPTOR.fields_by_name
    assert fields["params"].message_type is params_pb2.Params.DESCRIPTOR
    assert fields["core_team_addresses"].label == FieldDescriptor.LABEL_REPEATED
    assert len(fields) > 70
    mint = mint_types_pb2.GenesisState.DESCRIPTOR.fields_by_name
    assert mint["params"].message_type is mint_types_pb2.Params.DESCRIPTOR


# ---------------------------------------------------------------------------------------------
# Events (PROTOCOL.md Appendix B)

EVENTS = {
    "emissions.v4.EventWorkerLastCommitSet": {"topic_id", "block_height", "nonce"},
    "emissions.v4.EventReputerLastCommitSet": {"topic_id", "block_height", "nonce"},
    "emissions.v4.EventNetworkLossSet": {"topic_id", "block_height", "value_bundle"},
    "emissions.v4.EventScoresSet": {
        "actor_type",
        "topic_id",
        "block_height",
        "addresses",
        "scores",
    },
    "emissions.v4.EventEMAScoresSet": {
        "actor_type",
        "topic_id",
        "nonce",
        "addresses",
        "scores",
        "is_active",
    },
    "emissions.v4.EventForecastTaskScoreSet": {"topic_id", "score"},
    "emissions.v4.EventRewardsSettled": {
        "actor_type",
        "topic_id",
        "block_height",
        "addresses",
        "rewards",
    },
    "emissions.v4.EventTopicRewardsSet": {"topic_ids", "rewards"},
    "emissions.v4.EventWorkerSubmissionWindowOpened": {
        "topic_id",
        "nonce_block_height",
        "window_end_block",
    },
    "emissions.v4.EventWorkerSubmissionWindowClosed": {"topic_id", "nonce_block_height"},
    "emissions.v4.EventReputerSubmissionWindowOpened": {
        "topic_id",
        "nonce_block_height",
        "window_end_block",
    },
    "emissions.v4.EventReputerSubmissionWindowClosed": {"topic_id", "nonce_block_height"},
    "mint.v3.EventTokenomicsSet": {
        "staked_token_amount",
        "circulating_supply",
        "emissions_amount",
    },
    "mint.v3.EventEcosystemTokenMintSet": {"block_height", "token_amount"},
    "mint.v3.EventRewardCurrentBlockEmission": {"block_height", "token_amount"},
}


def test_events_match_appendix_b() -> None:
    pool = descriptor_pool.Default()
    for full_name, fields in EVENTS.items():
        descriptor = pool.FindMessageTypeByName(full_name)
        assert {field.name for field in descriptor.fields} == fields, full_name
    assert set(v4_events.DESCRIPTOR.message_types_by_name) | set(
        mint_events_pb2.DESCRIPTOR.message_types_by_name
    ) == {name.rsplit(".", 1)[1] for name in EVENTS}


def test_actor_types_are_numbered_as_appendix_b() -> None:
    assert v4_events.ActorType.Value("ACTOR_TYPE_INFERER_UNSPECIFIED") == 0
    assert v4_events.ActorType.Value("ACTOR_TYPE_FORECASTER") == 1
    assert v4_events.ActorType.Value("ACTOR_TYPE_REPUTER") == 2


# ---------------------------------------------------------------------------------------------
# Generated code hygiene


def _import_lines(path: Path) -> Iterator[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith(("import ", "from ")):
            yield stripped


def test_generated_code_imports_only_protobuf_and_our_modules() -> None:
    files = sorted(GENERATED_DIR.rglob("*_pb2.py")) + sorted(GENERATED_DIR.rglob("*_pb2.pyi"))
    sources = sorted((REPO / "proto" / "pyallora" / "proto").rglob("*.proto"))
    assert len(sources) == 10
    assert len(files) == 2 * len(sources)
    allowed = re.compile(
        r"(from google\.protobuf(\.internal)? import \w+( as \w+)?"
        r"|from pyallora\.proto\.[\w.]+ import \w+_pb2( as \w+)?"
        r"|from typing import .+|from collections\.abc import .+"
        r"|import builtins|import typing)$"
    )
    for path in files:
        for line in _import_lines(path):
            assert allowed.match(line), f"{path.name}: {line}"


def test_generated_code_holds_no_local_paths() -> None:
    for path in sorted(GENERATED_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".pyi"}:
            text = path.read_text(encoding="utf-8")
            assert str(REPO) not in text, path
            for top in ("home", "ro" + "ot", "tmp"):
                assert f"/{top}/" not in text, (path, top)


def test_coexists_with_cosmpy_in_one_descriptor_pool() -> None:
    # Import a broad part of cosmpy in a fresh interpreter, in both orders relative to ours,
    # and look both families up by name in the default pool.
    script = """
import importlib, pkgutil, sys
import cosmpy.protos, pyallora.proto
from google.protobuf import descriptor_pool
def load(package):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if info.name.endswith("_pb2"):
            importlib.import_module(info.name)
order = [pyallora.proto, cosmpy.protos]
if sys.argv[1] == "cosmpy-first":
    order.reverse()
for package in order:
    load(package)
pool = descriptor_pool.Default()
ours = pool.FindMessageTypeByName("mint.v1beta1.Params")
theirs = pool.FindMessageTypeByName("cosmos.mint.v1beta1.Params")
assert ours is not theirs and ours.file.name != theirs.file.name
assert pool.FindMessageTypeByName("emissions.v5.InsertWorkerPayloadRequest")
assert pool.FindMessageTypeByName("cosmos.tx.v1beta1.TxRaw")
print("ok")
"""
    for order in ("ours-first", "cosmpy-first"):
        result = subprocess.run(
            [sys.executable, "-c", script, order],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "ok"


def test_committed_classes_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "gen_proto.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
