"""Every staking rejection has its stable (codespace, code) and leaves the state untouched
(two identical chains, the bad tx delivered on one: they differ at most in the signer's
sequence)."""

from __future__ import annotations

from typing import Any

import pytest
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.crypto.secp256k1 import keys_pb2 as secp_keys
from cosmpy.protos.cosmos.staking.v1beta1 import staking_pb2
from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as staking_tx
from foundation_helpers import make_key
from google.protobuf import any_pb2
from google.protobuf.message import Message
from test_staking_lifecycle import create_validator_msg
from test_standard_modules_support import ALLO, assert_rejected_without_effect, operator_of

from pyallora.chain.staking.msgs import MsgCreateValidator, decode_msg_create_validator
from pyallora.chain.tx.errors import TxDecodeError
from pyallora.client.keys import PrivateKey

GENESIS: dict[str, Any] = {"staking_params": {"unbonding_time": "10s", "max_entries": "2"}}


KEYS: list[PrivateKey] = [make_key(index) for index in range(6)]


def coin(amount: int | str, denom: str = "uallo") -> coin_pb2.Coin:
    return coin_pb2.Coin(denom=denom, amount=str(amount))


def delegate(key: int, validator: int, amount: int | str, denom: str = "uallo") -> Message:
    return staking_tx.MsgDelegate(
        delegator_address=KEYS[key].address,
        validator_address=operator_of(KEYS[validator]),
        amount=coin(amount, denom),
    )


def undelegate(key: int, validator: int, amount: int) -> Message:
    return staking_tx.MsgUndelegate(
        delegator_address=KEYS[key].address,
        validator_address=operator_of(KEYS[validator]),
        amount=coin(amount),
    )


def redelegate(key: int, src: int, dst: int, amount: int) -> Message:
    return staking_tx.MsgBeginRedelegate(
        delegator_address=KEYS[key].address,
        validator_src_address=operator_of(KEYS[src]),
        validator_dst_address=operator_of(KEYS[dst]),
        amount=coin(amount),
    )


def new_validator(key: int, self_bond: int, **overrides: object) -> Message:
    return create_validator_msg(KEYS, key, self_bond, **overrides)


CASES: list[tuple[str, list[tuple[int, list[Message]]], int, list[Message], str, int]] = [
    ("zero amount", [], 4, [delegate(4, 0, 0)], "sdk", 18),
    ("negative amount", [], 4, [delegate(4, 0, -5)], "sdk", 18),
    ("other denomination", [], 4, [delegate(4, 0, 5, "uatom")], "sdk", 18),
    ("unknown validator", [], 4, [delegate(4, 5, ALLO)], "staking", 3),
    ("more than the balance", [], 4, [delegate(4, 0, 10**7 * ALLO)], "sdk", 5),
    (
        "self-delegation below minimum",
        [],
        3,
        [new_validator(3, ALLO // 2)],
        "staking",
        16,
    ),
    ("operator already a validator", [], 0, [new_validator(0, 2 * ALLO)], "staking", 4),
    (
        "consensus key already used",
        [],
        3,
        [
            new_validator(
                3,
                2 * ALLO,
                pubkey=new_validator(1, ALLO).pubkey,  # type: ignore[attr-defined]
            )
        ],
        "staking",
        5,
    ),
    (
        "secp256k1 consensus key",
        [],
        3,
        [
            new_validator(
                3,
                2 * ALLO,
                pubkey=any_pb2.Any(
                    type_url="/cosmos.crypto.secp256k1.PubKey",
                    value=secp_keys.PubKey(key=KEYS[3].public_key).SerializeToString(),
                ),
            )
        ],
        "staking",
        6,
    ),
    (
        "commission above its max rate",
        [],
        3,
        [
            new_validator(
                3,
                2 * ALLO,
                commission=staking_pb2.CommissionRates(
                    rate=str(ALLO // 2), max_rate=str(ALLO // 5), max_change_rate="0"
                ),
            )
        ],
        "staking",
        11,
    ),
    (
        "commission max rate above 100%",
        [],
        3,
        [
            new_validator(
                3,
                2 * ALLO,
                commission=staking_pb2.CommissionRates(
                    rate="0", max_rate=str(2 * ALLO), max_change_rate="0"
                ),
            )
        ],
        "staking",
        10,
    ),
    ("undelegate without delegation", [], 4, [undelegate(4, 0, ALLO)], "staking", 19),
    (
        "undelegate more than delegated",
        [(4, [delegate(4, 0, 5 * ALLO)])],
        4,
        [undelegate(4, 0, 6 * ALLO)],
        "staking",
        22,
    ),
    (
        "too many unbonding entries",
        [
            (4, [delegate(4, 0, 5 * ALLO)]),
            (4, [undelegate(4, 0, ALLO)]),
            (4, [undelegate(4, 0, ALLO)]),
        ],
        4,
        [undelegate(4, 0, ALLO)],
        "staking",
        27,
    ),
    (
        "redelegate to the same validator",
        [(4, [delegate(4, 0, 5 * ALLO)])],
        4,
        [redelegate(4, 0, 0, ALLO)],
        "staking",
        29,
    ),
    (
        "redelegate to an unknown validator",
        [(4, [delegate(4, 0, 5 * ALLO)])],
        4,
        [redelegate(4, 0, 5, ALLO)],
        "staking",
        31,
    ),
    (
        "validator address with the account prefix",
        [],
        4,
        [
            staking_tx.MsgDelegate(
                delegator_address=KEYS[4].address,
                validator_address=KEYS[0].address,
                amount=coin(ALLO),
            )
        ],
        "sdk",
        7,
    ),
    (
        "commission changed twice within 24h",
        [],
        0,
        [
            staking_tx.MsgEditValidator(
                description=staking_pb2.Description(moniker="[do-not-modify]"),
                validator_address=operator_of(KEYS[0]),
                commission_rate=str(ALLO // 10 + 1),
            )
        ],
        "staking",
        12,
    ),
    (
        "minimum self-delegation lowered",
        [],
        0,
        [
            staking_tx.MsgEditValidator(
                description=staking_pb2.Description(moniker="[do-not-modify]"),
                validator_address=operator_of(KEYS[0]),
                min_self_delegation="1",
            )
        ],
        "staking",
        17,
    ),
]


@pytest.mark.parametrize(
    ("prepare", "signer", "bad", "codespace", "code"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_rejection_has_its_code_and_no_effect(
    prepare: list[tuple[int, list[Message]]],
    signer: int,
    bad: list[Message],
    codespace: str,
    code: int,
) -> None:
    result = assert_rejected_without_effect(
        GENESIS, prepare, signer, bad, codespace=codespace, code=code
    )
    assert result.log


def test_non_integer_amount_fails_to_decode() -> None:
    message = new_validator(3, ALLO)
    message.value.amount = "1.5"  # type: ignore[attr-defined]
    with pytest.raises(TxDecodeError):
        decode_msg_create_validator(message.SerializeToString())


def test_self_delegation_below_minimum_message_says_what_to_do() -> None:
    message = decode_msg_create_validator(new_validator(3, ALLO // 2).SerializeToString())
    assert isinstance(message, MsgCreateValidator)
    with pytest.raises(Exception, match="delegate at least the minimum"):
        message.validate_basic()
