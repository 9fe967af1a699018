"""Whitelist admins (PROTOCOL.md §3.12), UpdateParams (§3.13), the params table (§2.1) and
the GetParams / IsWhitelistAdmin queries."""

from __future__ import annotations

from dataclasses import replace

import pytest
from emissions_helpers import EmissionsChain

from pyallora.chain.emissions.errors import (
    ValidationMustBeBetweenZeroAndOneError,
    ValidationMustBeGreaterthanZeroError,
    ValidationVersionEmptyError,
    ValidationVersionTooLongError,
)
from pyallora.chain.emissions.params import (
    DEFAULT_PARAMS,
    PARAM_KINDS,
    compute_merged_params,
    compute_param_changes,
    get_params,
    iterate_param_names,
    params_from_proto,
    params_to_proto,
    validate_params,
)
from pyallora.core.dec import dec
from pyallora.core.encoding import encode_uvarint
from pyallora.proto.emissions.v5 import params_pb2, query_pb2, tx_pb2


def _is_admin(chain: EmissionsChain, address: str) -> bool:
    return bool(
        chain.query("IsWhitelistAdmin", query_pb2.IsWhitelistAdminRequest(address=address)).is_admin
    )


def _update(
    chain: EmissionsChain, index: int, **values: list[object]
) -> tx_pb2.UpdateParamsRequest:
    return tx_pb2.UpdateParamsRequest(
        sender=chain.address(index), params=params_pb2.OptionalParams(**values)
    )


# ---------------------------------------------------------------------------------------------
# Params table


def test_defaults_are_the_section_2_1_table() -> None:
    validate_params(DEFAULT_PARAMS)
    assert list(PARAM_KINDS) == list(iterate_param_names())
    assert [field.number for field in params_pb2.Params.DESCRIPTOR.fields] == sorted(
        field.number for field in params_pb2.Params.DESCRIPTOR.fields
    )
    assert list(iterate_param_names()) == [f.name for f in params_pb2.Params.DESCRIPTOR.fields]
    assert DEFAULT_PARAMS.epsilon_safe_div == "1E-7"
    assert DEFAULT_PARAMS.get_dec("epsilon_safe_div") == dec("0.0000001")
    assert (DEFAULT_PARAMS.max_active_topics_per_block, DEFAULT_PARAMS.create_topic_fee) == (
        1,
        75_000,
    )
    assert params_from_proto(params_to_proto(DEFAULT_PARAMS)) == DEFAULT_PARAMS
    with pytest.raises(KeyError):
        DEFAULT_PARAMS.get_dec("version")


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("version", "", ValidationVersionEmptyError),
        ("version", "v" * 33, ValidationVersionTooLongError),
        ("beta_entropy", "1.5", ValidationMustBeBetweenZeroAndOneError),
        ("learning_rate", "0", ValidationMustBeBetweenZeroAndOneError),
        ("learning_rate", "1", ValidationMustBeBetweenZeroAndOneError),
        ("topic_reward_alpha", "NaN", ValidationMustBeBetweenZeroAndOneError),
        ("min_topic_weight", "-1", ValidationMustBeGreaterthanZeroError),
        ("required_minimum_stake", -1, ValidationMustBeGreaterthanZeroError),
        ("min_epoch_length", 0, ValidationMustBeGreaterthanZeroError),
        ("blocks_per_month", 0, ValidationMustBeGreaterthanZeroError),
        ("p_reward_reputer", "0", ValidationMustBeGreaterthanZeroError),
        ("epsilon_safe_div", "0", ValidationMustBeGreaterthanZeroError),
        ("half_max_process_stake_removals_end_block", 0, ValidationMustBeGreaterthanZeroError),
        ("p_norm_safe_div", "NaN", ValidationMustBeGreaterthanZeroError),
        ("max_top_inferers_to_reward", 1 << 64, ValidationMustBeGreaterthanZeroError),
    ],
)
def test_each_constraint_has_its_code(name: str, value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        validate_params(replace(DEFAULT_PARAMS, **{name: value}))


def test_boundaries_that_are_allowed() -> None:
    validate_params(
        replace(
            DEFAULT_PARAMS,
            version="v" * 32,
            beta_entropy="1",
            min_stake_fraction="0",
            min_topic_weight="0",
            max_active_topics_per_block=0,
            p_norm_safe_div="-3",
            remove_stake_delay_window=0,
        )
    )


def test_optional_params_single_elements_set_and_others_are_ignored() -> None:
    update = params_pb2.OptionalParams(
        version=["v3"], min_topic_weight=["50", "60"], data_sending_fee=["7"], epsilon_safe_div=[]
    )
    changes = compute_param_changes(update)
    assert changes == (("version", "v3"), ("data_sending_fee", 7))
    merged = compute_merged_params(DEFAULT_PARAMS, changes)
    assert (merged.version, merged.min_topic_weight, merged.data_sending_fee) == ("v3", "100", 7)


def test_optional_params_swap_tags_43_and_44() -> None:
    """On the wire, OptionalParams tag 43 is data_sending_fee (Params: epsilon_safe_div)."""
    wire = params_pb2.OptionalParams(data_sending_fee=["7"]).SerializeToString()
    assert wire.startswith(encode_uvarint((43 << 3) | 2))  # field 43, length-delimited
    as_params = params_pb2.Params.FromString(wire)
    assert as_params.epsilon_safe_div == "7"
    parsed = params_pb2.OptionalParams.FromString(wire)
    assert compute_param_changes(parsed) == (("data_sending_fee", 7),)


# ---------------------------------------------------------------------------------------------
# Messages


def test_admins_add_and_remove_each_other() -> None:
    chain = EmissionsChain()
    assert _is_admin(chain, chain.address(0)) and not _is_admin(chain, chain.address(1))
    add = tx_pb2.AddToWhitelistAdminRequest(sender=chain.address(0), address=chain.address(1))
    chain.ok(0, add)
    assert _is_admin(chain, chain.address(1))
    # The new admin removes the first one, then itself: lock-out is allowed.
    chain.ok(
        1, tx_pb2.RemoveFromWhitelistAdminRequest(sender=chain.address(1), address=chain.address(0))
    )
    chain.ok(
        1, tx_pb2.RemoveFromWhitelistAdminRequest(sender=chain.address(1), address=chain.address(1))
    )
    assert not _is_admin(chain, chain.address(0)) and not _is_admin(chain, chain.address(1))
    chain.rejects(0, add, "emissions", 28)


def test_admin_rejections_in_order() -> None:
    chain = EmissionsChain()
    bad_target = tx_pb2.AddToWhitelistAdminRequest(sender=chain.address(1), address="nope")
    # A non-admin gets 28 even with a bad target: admin status is checked first.
    chain.rejects(1, bad_target, "emissions", 28)
    bad_target.sender = chain.address(0)
    chain.rejects(0, bad_target, "sdk", 7)
    chain.rejects(
        0, tx_pb2.RemoveFromWhitelistAdminRequest(sender=chain.address(0), address=""), "sdk", 7
    )
    chain.rejects(
        1,
        tx_pb2.RemoveFromWhitelistAdminRequest(sender=chain.address(1), address=chain.address(0)),
        "emissions",
        28,
    )


def test_update_params_by_an_admin() -> None:
    chain = EmissionsChain()
    result = chain.ok(
        0,
        _update(
            chain,
            0,
            min_topic_weight=["0.0000001"],
            registration_fee=["5"],
            data_sending_fee=["3"],
            epsilon_safe_div=["2e-7"],
            max_page_limit=[7, 8],
        ),
    )
    params = chain.query("GetParams").params
    assert (params.min_topic_weight, params.registration_fee) == ("1E-7", "5")
    assert (params.data_sending_fee, params.epsilon_safe_div) == ("3", "2E-7")
    assert params.max_page_limit == 1000
    assert get_params(chain.store).registration_fee == 5
    assert any(e.type == "pyallora.emissions.EventParamsUpdated" for e in result.events)


def test_update_params_rejections() -> None:
    chain = EmissionsChain()
    chain.rejects(1, _update(chain, 1, version=["v9"]), "emissions", 28)
    chain.rejects(0, _update(chain, 0, version=[""]), "emissions", 58)
    chain.rejects(0, _update(chain, 0, version=["x" * 40]), "emissions", 59)
    chain.rejects(0, _update(chain, 0, learning_rate=["1"]), "emissions", 61)
    chain.rejects(0, _update(chain, 0, min_epoch_length=[0]), "emissions", 62)
    chain.rejects(0, _update(chain, 0, create_topic_fee=["-1"]), "emissions", 62)
    chain.rejects(0, _update(chain, 0, topic_reward_alpha=["0.5 "]), "sdk", 2)
    chain.rejects(0, _update(chain, 0, registration_fee=["1.5"]), "sdk", 2)
    # Even an ignored (two-element) list must decode.
    chain.rejects(0, _update(chain, 0, beta_entropy=["0.1", "x"]), "sdk", 2)
    bad_sender = _update(chain, 0, version=["v9"])
    bad_sender.sender = "allo1bad"
    result = chain.run(0, bad_sender)
    assert (result.codespace, result.code) == ("sdk", 7)
    assert chain.query("GetParams").params.version == "v2"
