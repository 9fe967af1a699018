"""Staking messages (``cosmos.staking.v1beta1``, Cosmos SDK 0.50 form; PROTOCOL.md §3.18).

Each message is decoded from its protobuf bytes into a frozen record, then checked by
``validate_basic`` with the SDK's codes:

* addresses that are not bech32 ``allo1…`` (delegators) or ``allovaloper1…`` (validators):
  ``sdk`` InvalidAddress (7);
* amounts that are missing, zero, negative or not ``uallo``: ``sdk`` InvalidRequest (18),
  "invalid delegation amount" (an amount that is not an integer of at most 256 bits fails to
  decode: ``sdk`` TxDecode (2), as the SDK's ``math.Int`` unmarshal does);
* LegacyDec fields (commission rates) travel as the integer text of units
  (:mod:`pyallora.core.legacy_dec`); text that is not an integer fails to decode.

The consensus key of ``MsgCreateValidator`` is an ``Any``: ``/cosmos.crypto.ed25519.PubKey``
is decoded; ``/cosmos.crypto.secp256k1.PubKey`` decodes but is refused by the handler (staking
6, as CometBFT's default consensus params allow only ed25519); any other type URL is a decode
error (the SDK cannot unpack it).

The signer of the validator messages is the operator's *account* (the ``allovaloper`` bytes
under the ``allo`` prefix).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.crypto.ed25519 import keys_pb2 as ed25519_keys
from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as staking_tx
from google.protobuf.message import DecodeError

from pyallora.chain.bank.msgs import parse_coin_amount
from pyallora.chain.staking.errors import (
    CommissionChangeRateGTMaxRateError,
    CommissionChangeRateNegativeError,
    CommissionGTMaxRateError,
    CommissionHugeError,
    CommissionNegativeError,
    EmptyValidatorPubKeyError,
    SelfDelegationBelowMinimumError,
)
from pyallora.chain.staking.state import compute_operator_account
from pyallora.chain.staking.types import Commission, Description
from pyallora.chain.tx.decode import AnyMsg, decode_message
from pyallora.chain.tx.errors import (
    InvalidAddressError,
    InvalidPubKeyError,
    InvalidRequestError,
    TxDecodeError,
)
from pyallora.core.amounts import DENOM
from pyallora.core.crypto import (
    ACCOUNT_PREFIX,
    ED25519_PUBKEY_LENGTH,
    VALOPER_PREFIX,
    CryptoError,
    validate_address,
)
from pyallora.core.legacy_dec import (
    ONE,
    LegacyDecError,
    parse_legacy_dec_proto,
)

ED25519_PUBKEY_TYPE_URL: Final = "/cosmos.crypto.ed25519.PubKey"
"""Type URL of a consensus key."""

SECP256K1_PUBKEY_TYPE_URL: Final = "/cosmos.crypto.secp256k1.PubKey"
"""Type URL of an account key (decodable, refused as a consensus key)."""

DO_NOT_MODIFY: Final = "[do-not-modify]"
"""Description field value meaning "keep the current value" in ``MsgEditValidator``."""

MAX_MONIKER_LENGTH: Final = 70
MAX_IDENTITY_LENGTH: Final = 3000
MAX_WEBSITE_LENGTH: Final = 140
MAX_SECURITY_CONTACT_LENGTH: Final = 140
MAX_DETAILS_LENGTH: Final = 280


def validate_delegator_address(address: str) -> None:
    """An ``allo1…`` address.

    Raises
    ------
    InvalidAddressError
        Otherwise (``sdk`` 7).
    """
    try:
        validate_address(address, prefix=ACCOUNT_PREFIX)
    except CryptoError as exc:
        raise InvalidAddressError(f"invalid delegator address: {exc}") from exc


def validate_validator_address(address: str) -> None:
    """An ``allovaloper1…`` address.

    Raises
    ------
    InvalidAddressError
        Otherwise (``sdk`` 7).
    """
    try:
        validate_address(address, prefix=VALOPER_PREFIX)
    except CryptoError as exc:
        raise InvalidAddressError(f"invalid validator address: {exc}") from exc


def _decode_coin(coin: coin_pb2.Coin, present: bool) -> tuple[str, int] | None:
    if not present:
        return None
    return coin.denom, parse_coin_amount(coin.amount) if coin.amount else 0


def validate_amount(coin: tuple[str, int] | None, what: str) -> int:
    """A positive amount of ``uallo``; returns the amount.

    Raises
    ------
    InvalidRequestError
        For a missing, zero, negative or non-uallo amount (``sdk`` 18).
    """
    if coin is None:
        raise InvalidRequestError(f"invalid {what} amount: the amount is missing")
    denom, amount = coin
    if amount <= 0:
        raise InvalidRequestError(f"invalid {what} amount: {amount}{denom} is not positive")
    if denom != DENOM:
        raise InvalidRequestError(
            f"invalid coin denomination: got {denom[:64]!r}, expected {DENOM}"
        )
    return amount


def _decode_dec(text: str, what: str) -> int:
    try:
        return parse_legacy_dec_proto(text)
    except LegacyDecError as exc:
        raise TxDecodeError(f"{what}: {exc}") from exc


def validate_description(description: Description) -> None:
    """The SDK's length limits (``Description.EnsureLength``).

    Raises
    ------
    InvalidRequestError
        Naming the field that is too long.
    """
    limits = (
        ("moniker", description.moniker, MAX_MONIKER_LENGTH),
        ("identity", description.identity, MAX_IDENTITY_LENGTH),
        ("website", description.website, MAX_WEBSITE_LENGTH),
        ("security contact", description.security_contact, MAX_SECURITY_CONTACT_LENGTH),
        ("details", description.details, MAX_DETAILS_LENGTH),
    )
    for name, value, limit in limits:
        if len(value) > limit:
            raise InvalidRequestError(
                f"invalid {name} length; got: {len(value)}, max: {limit}; shorten it"
            )


def _description(proto: staking_tx.MsgCreateValidator | staking_tx.MsgEditValidator) -> Description:
    return Description(
        moniker=proto.description.moniker,
        identity=proto.description.identity,
        website=proto.description.website,
        security_contact=proto.description.security_contact,
        details=proto.description.details,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgCreateValidator:
    """Create a validator with an ed25519 consensus key and a self-delegation."""

    TYPE_URL: ClassVar[str] = "/cosmos.staking.v1beta1.MsgCreateValidator"

    description: Description
    commission: Commission
    min_self_delegation: int
    delegator_address: str
    """Deprecated in SDK 0.50: empty, or the operator's account."""
    validator_address: str
    pubkey_type_url: str
    """Empty when the key is missing."""
    pubkey: bytes
    value: tuple[str, int] | None
    """``(denom, amount)`` of the self-delegation."""

    def validate_basic(self) -> None:
        """Stateless checks (SDK 0.50 ``MsgCreateValidator.Validate``).

        Raises
        ------
        InvalidAddressError
            Invalid validator address, or a delegator address that is not the operator's.
        EmptyValidatorPubKeyError
            No consensus key.
        InvalidPubKeyError
            An ed25519 key that is not 32 bytes.
        InvalidRequestError
            Bad self-delegation amount, empty description or commission, non-positive
            minimum self-delegation.
        CommissionNegativeError, CommissionHugeError, CommissionGTMaxRateError,
        CommissionChangeRateNegativeError, CommissionChangeRateGTMaxRateError
            Inconsistent commission rates.
        SelfDelegationBelowMinimumError
            The self-delegation is below the declared minimum.
        """
        validate_validator_address(self.validator_address)
        if self.delegator_address:
            validate_delegator_address(self.delegator_address)
            if self.delegator_address != compute_operator_account(self.validator_address):
                raise InvalidAddressError(
                    "delegator address must be empty or the validator operator's account "
                    f"{compute_operator_account(self.validator_address)}"
                )
        if not self.pubkey_type_url:
            raise EmptyValidatorPubKeyError(
                "empty validator public key: set pubkey to a /cosmos.crypto.ed25519.PubKey"
            )
        if self.pubkey_type_url == ED25519_PUBKEY_TYPE_URL and (
            len(self.pubkey) != ED25519_PUBKEY_LENGTH
        ):
            raise InvalidPubKeyError(
                f"ed25519 consensus key must be {ED25519_PUBKEY_LENGTH} bytes, "
                f"got {len(self.pubkey)}"
            )
        amount = validate_amount(self.value, "delegation")
        if self.description == Description():
            raise InvalidRequestError("empty description: set at least a moniker")
        if self.commission == Commission(rate=0, max_rate=0, max_change_rate=0):
            raise InvalidRequestError("empty commission: set rate, max_rate and max_change_rate")
        validate_commission_rates(self.commission)
        if self.min_self_delegation <= 0:
            raise InvalidRequestError("minimum self delegation must be a positive integer")
        if amount < self.min_self_delegation:
            raise SelfDelegationBelowMinimumError(
                f"self-delegation {amount}{DENOM} is below the declared minimum self "
                f"delegation {self.min_self_delegation}{DENOM}; delegate at least the minimum"
            )

    def get_signers(self) -> tuple[str, ...]:
        """The operator's account."""
        return (compute_operator_account(self.validator_address),)

    @property
    def amount(self) -> int:
        """The self-delegation (after validation)."""
        return 0 if self.value is None else self.value[1]


def validate_commission_rates(commission: Commission) -> None:
    """The SDK's ``CommissionRates.Validate``.

    Raises
    ------
    CommissionNegativeError, CommissionHugeError, CommissionGTMaxRateError,
    CommissionChangeRateNegativeError, CommissionChangeRateGTMaxRateError
        In the SDK's order of checks.
    """
    if commission.max_rate < 0:
        raise CommissionNegativeError("commission max rate must not be negative")
    if commission.max_rate > ONE:
        raise CommissionHugeError("commission max rate cannot be more than 100%")
    if commission.rate < 0:
        raise CommissionNegativeError("commission rate must not be negative")
    if commission.rate > commission.max_rate:
        raise CommissionGTMaxRateError(
            "commission rate cannot be more than the max rate; lower rate or raise max_rate"
        )
    if commission.max_change_rate < 0:
        raise CommissionChangeRateNegativeError("commission max change rate must not be negative")
    if commission.max_change_rate > commission.max_rate:
        raise CommissionChangeRateGTMaxRateError(
            "commission max change rate cannot be more than the max rate"
        )


def decode_msg_create_validator(value: bytes) -> MsgCreateValidator:
    """Decode ``MsgCreateValidator`` bytes.

    Raises
    ------
    TxDecodeError
        Unparsable bytes, non-integer amounts or rates, or a key type the SDK cannot unpack.
    """
    proto = decode_message(
        AnyMsg(type_url=MsgCreateValidator.TYPE_URL, value=value), staking_tx.MsgCreateValidator
    )
    pubkey = b""
    type_url = ""
    if proto.HasField("pubkey"):
        type_url = proto.pubkey.type_url
        if type_url == ED25519_PUBKEY_TYPE_URL:
            try:
                pubkey = bytes(ed25519_keys.PubKey.FromString(proto.pubkey.value).key)
            except DecodeError as exc:
                raise TxDecodeError(f"cannot decode the ed25519 consensus key: {exc}") from exc
        elif type_url == SECP256K1_PUBKEY_TYPE_URL:
            pubkey = bytes(proto.pubkey.value)
        else:
            raise TxDecodeError(f"unable to resolve type URL {type_url[:200]}")
    min_self = proto.min_self_delegation
    return MsgCreateValidator(
        description=_description(proto),
        commission=Commission(
            rate=_decode_dec(proto.commission.rate, "commission rate"),
            max_rate=_decode_dec(proto.commission.max_rate, "commission max rate"),
            max_change_rate=_decode_dec(
                proto.commission.max_change_rate, "commission max change rate"
            ),
        ),
        min_self_delegation=parse_coin_amount(min_self) if min_self else 0,
        delegator_address=proto.delegator_address,
        validator_address=proto.validator_address,
        pubkey_type_url=type_url,
        pubkey=pubkey,
        value=_decode_coin(proto.value, proto.HasField("value")),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgEditValidator:
    """Change a validator's description, commission rate or minimum self-delegation."""

    TYPE_URL: ClassVar[str] = "/cosmos.staking.v1beta1.MsgEditValidator"

    description: Description
    validator_address: str
    commission_rate: int | None
    """New rate (LegacyDec units) or ``None`` to keep it."""
    min_self_delegation: int | None
    """New minimum or ``None`` to keep it."""

    def validate_basic(self) -> None:
        """Stateless checks (SDK 0.50 ``MsgEditValidator.Validate``).

        Raises
        ------
        InvalidAddressError
            Invalid validator address.
        InvalidRequestError
            Empty description, rate outside [0, 1], non-positive minimum.
        """
        validate_validator_address(self.validator_address)
        if self.description == Description():
            raise InvalidRequestError(
                f"empty description: use {DO_NOT_MODIFY!r} for fields to keep"
            )
        if self.min_self_delegation is not None and self.min_self_delegation <= 0:
            raise InvalidRequestError("minimum self delegation must be a positive integer")
        if self.commission_rate is not None and not 0 <= self.commission_rate <= ONE:
            raise InvalidRequestError("commission rate must be between 0 and 1 (inclusive)")

    def get_signers(self) -> tuple[str, ...]:
        """The operator's account."""
        return (compute_operator_account(self.validator_address),)


def decode_msg_edit_validator(value: bytes) -> MsgEditValidator:
    """Decode ``MsgEditValidator`` bytes (empty rate / minimum = unchanged).

    Raises
    ------
    TxDecodeError
        Unparsable bytes or non-integer numbers.
    """
    proto = decode_message(
        AnyMsg(type_url=MsgEditValidator.TYPE_URL, value=value), staking_tx.MsgEditValidator
    )
    rate = _decode_dec(proto.commission_rate, "commission rate") if proto.commission_rate else None
    minimum = parse_coin_amount(proto.min_self_delegation) if proto.min_self_delegation else None
    return MsgEditValidator(
        description=_description(proto),
        validator_address=proto.validator_address,
        commission_rate=rate,
        min_self_delegation=minimum,
    )


class _DelegatorMsg:
    """What the four delegator messages share: the delegator signs, ``amount`` is uallo."""

    __slots__ = ()

    delegator_address: str
    amount: tuple[str, int] | None

    def get_signers(self) -> tuple[str, ...]:
        """The delegator."""
        return (self.delegator_address,)

    @property
    def value(self) -> int:
        """The amount (after validation)."""
        return 0 if self.amount is None else self.amount[1]


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgDelegate(_DelegatorMsg):
    """Delegate uallo from the signer to a validator."""

    TYPE_URL: ClassVar[str] = "/cosmos.staking.v1beta1.MsgDelegate"

    delegator_address: str
    validator_address: str
    amount: tuple[str, int] | None

    def validate_basic(self) -> None:
        """Addresses and a positive uallo amount.

        Raises
        ------
        InvalidAddressError, InvalidRequestError
            See the module docstring.
        """
        validate_delegator_address(self.delegator_address)
        validate_validator_address(self.validator_address)
        validate_amount(self.amount, "delegation")


def decode_msg_delegate(value: bytes) -> MsgDelegate:
    """Decode ``MsgDelegate`` bytes (``TxDecodeError`` on failure)."""
    proto = decode_message(
        AnyMsg(type_url=MsgDelegate.TYPE_URL, value=value), staking_tx.MsgDelegate
    )
    return MsgDelegate(
        delegator_address=proto.delegator_address,
        validator_address=proto.validator_address,
        amount=_decode_coin(proto.amount, proto.HasField("amount")),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgUndelegate(_DelegatorMsg):
    """Start unbonding uallo worth of shares from a validator."""

    TYPE_URL: ClassVar[str] = "/cosmos.staking.v1beta1.MsgUndelegate"

    delegator_address: str
    validator_address: str
    amount: tuple[str, int] | None

    def validate_basic(self) -> None:
        """Addresses and a positive uallo amount.

        Raises
        ------
        InvalidAddressError, InvalidRequestError
            See the module docstring.
        """
        validate_delegator_address(self.delegator_address)
        validate_validator_address(self.validator_address)
        validate_amount(self.amount, "shares")


def decode_msg_undelegate(value: bytes) -> MsgUndelegate:
    """Decode ``MsgUndelegate`` bytes (``TxDecodeError`` on failure)."""
    proto = decode_message(
        AnyMsg(type_url=MsgUndelegate.TYPE_URL, value=value), staking_tx.MsgUndelegate
    )
    return MsgUndelegate(
        delegator_address=proto.delegator_address,
        validator_address=proto.validator_address,
        amount=_decode_coin(proto.amount, proto.HasField("amount")),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgBeginRedelegate(_DelegatorMsg):
    """Move uallo worth of shares from one validator to another without unbonding."""

    TYPE_URL: ClassVar[str] = "/cosmos.staking.v1beta1.MsgBeginRedelegate"

    delegator_address: str
    validator_src_address: str
    validator_dst_address: str
    amount: tuple[str, int] | None

    def validate_basic(self) -> None:
        """Addresses and a positive uallo amount.

        Raises
        ------
        InvalidAddressError, InvalidRequestError
            See the module docstring.
        """
        validate_delegator_address(self.delegator_address)
        validate_validator_address(self.validator_src_address)
        validate_validator_address(self.validator_dst_address)
        validate_amount(self.amount, "shares")


def decode_msg_begin_redelegate(value: bytes) -> MsgBeginRedelegate:
    """Decode ``MsgBeginRedelegate`` bytes (``TxDecodeError`` on failure)."""
    proto = decode_message(
        AnyMsg(type_url=MsgBeginRedelegate.TYPE_URL, value=value), staking_tx.MsgBeginRedelegate
    )
    return MsgBeginRedelegate(
        delegator_address=proto.delegator_address,
        validator_src_address=proto.validator_src_address,
        validator_dst_address=proto.validator_dst_address,
        amount=_decode_coin(proto.amount, proto.HasField("amount")),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgCancelUnbondingDelegation(_DelegatorMsg):
    """Return (part of) an unbonding entry to the validator it was leaving."""

    TYPE_URL: ClassVar[str] = "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation"

    delegator_address: str
    validator_address: str
    amount: tuple[str, int] | None
    creation_height: int

    def validate_basic(self) -> None:
        """Addresses, a positive uallo amount and a positive creation height.

        Raises
        ------
        InvalidAddressError, InvalidRequestError
            See the module docstring.
        """
        validate_delegator_address(self.delegator_address)
        validate_validator_address(self.validator_address)
        validate_amount(self.amount, "unbonding")
        if self.creation_height <= 0:
            raise InvalidRequestError("invalid height: creation_height must be positive")


def decode_msg_cancel_unbonding_delegation(value: bytes) -> MsgCancelUnbondingDelegation:
    """Decode ``MsgCancelUnbondingDelegation`` bytes (``TxDecodeError`` on failure)."""
    proto = decode_message(
        AnyMsg(type_url=MsgCancelUnbondingDelegation.TYPE_URL, value=value),
        staking_tx.MsgCancelUnbondingDelegation,
    )
    return MsgCancelUnbondingDelegation(
        delegator_address=proto.delegator_address,
        validator_address=proto.validator_address,
        amount=_decode_coin(proto.amount, proto.HasField("amount")),
        creation_height=int(proto.creation_height),
    )
