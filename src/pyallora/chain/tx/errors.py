"""Errors of the Cosmos SDK's ``sdk`` codespace, with the SDK's stable codes.

The SDK registers its generic errors once (``types/errors/errors.go``) and never renumbers
them; clients branch on them (``"account sequence mismatch"``, ``"insufficient fees"``). This
module is the one place pyallora registers the ``sdk`` codespace: every layer that rejects
with a generic Cosmos error (ante checks, bank, handlers: PROTOCOL.md §3.0) raises one of
these classes.

Messages follow the SDK's ``Wrap`` format, ``"<detail>: <description>"``, so the ``raw_log``
a client reads is the one it would read from the reference chain, e.g.
``"account sequence mismatch, expected 3, got 2: incorrect account sequence"``.

Each class also has the SDK's Go name as an alias (``ErrTxDecode is TxDecodeError``).

>>> str(WrongSequenceError(expected=3, got=2))
'account sequence mismatch, expected 3, got 2: incorrect account sequence [sdk:32]'
"""

from __future__ import annotations

from typing import ClassVar, Final

from pyallora.core.errors import ConsensusError

SDK_CODESPACE: Final = "sdk"
"""Codespace of the Cosmos SDK's generic errors."""


class SdkError(ConsensusError):
    """A generic Cosmos SDK error; subclasses fix ``code`` and the SDK's ``description``."""

    codespace: ClassVar[str] = SDK_CODESPACE
    description: ClassVar[str] = "sdk error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{detail}: {self.description}" if detail else self.description)
        self.detail = detail


class TxDecodeError(SdkError):
    """The transaction bytes are not a well-formed Cosmos tx."""

    code = 2
    description = "tx parse error"


class InvalidSequenceError(SdkError):
    """Invalid sequence (the SDK's generic code; mismatches use :class:`WrongSequenceError`)."""

    code = 3
    description = "invalid sequence"


class UnauthorizedError(SdkError):
    """Signature verification failed, or the signer may not do this."""

    code = 4
    description = "unauthorized"


class InsufficientFundsError(SdkError):
    """The account balance does not cover the amount."""

    code = 5
    description = "insufficient funds"


class UnknownRequestError(SdkError):
    """The message type or query path is unknown."""

    code = 6
    description = "unknown request"


class InvalidAddressError(SdkError):
    """An address field is not a valid bech32 ``allo`` address."""

    code = 7
    description = "invalid address"


class InvalidPubKeyError(SdkError):
    """A public key is missing, of an unsupported type or malformed."""

    code = 8
    description = "invalid pubkey"


class UnknownAddressError(SdkError):
    """The account does not exist."""

    code = 9
    description = "unknown address"


class InvalidCoinsError(SdkError):
    """A coin amount or denomination is invalid."""

    code = 10
    description = "invalid coins"


class OutOfGasError(SdkError):
    """Execution used more gas than the tx's gas limit."""

    code = 11
    description = "out of gas"


class MemoTooLargeError(SdkError):
    """The memo is longer than the maximum."""

    code = 12
    description = "memo too large"


class InsufficientFeeError(SdkError):
    """The fee is below the node's minimum or not a valid fee."""

    code = 13
    description = "insufficient fee"


class TooManySignaturesError(SdkError):
    """More signers than supported."""

    code = 14
    description = "maximum number of signatures exceeded"


class NoSignaturesError(SdkError):
    """The tx carries no signature or no signer."""

    code = 15
    description = "no signatures supplied"


class JsonMarshalError(SdkError):
    """JSON encoding failed."""

    code = 16
    description = "failed to marshal JSON bytes"


class JsonUnmarshalError(SdkError):
    """JSON decoding failed."""

    code = 17
    description = "failed to unmarshal JSON bytes"


class InvalidRequestError(SdkError):
    """The request is malformed in a way no more specific error describes."""

    code = 18
    description = "invalid request"


class TxInMempoolCacheError(SdkError):
    """The tx is already in the mempool."""

    code = 19
    description = "tx already in mempool"


class MempoolIsFullError(SdkError):
    """The mempool cannot take more transactions."""

    code = 20
    description = "mempool is full"


class TxTooLargeError(SdkError):
    """The tx bytes exceed the size limit."""

    code = 21
    description = "tx too large"


class KeyNotFoundError(SdkError):
    """A key is not found."""

    code = 22
    description = "key not found"


class WrongPasswordError(SdkError):
    """Invalid account password."""

    code = 23
    description = "invalid account password"


class InvalidSignerError(SdkError):
    """The intended signer does not match the given signer."""

    code = 24
    description = "tx intended signer does not match the given signer"


class InvalidGasAdjustmentError(SdkError):
    """Invalid gas adjustment."""

    code = 25
    description = "invalid gas adjustment"


class InvalidHeightError(SdkError):
    """Invalid height."""

    code = 26
    description = "invalid height"


class InvalidVersionError(SdkError):
    """Invalid version."""

    code = 27
    description = "invalid version"


class InvalidChainIdError(SdkError):
    """Invalid chain id."""

    code = 28
    description = "invalid chain-id"


class InvalidTypeError(SdkError):
    """A value has an invalid type (e.g. a zero topic id, a non-finite value)."""

    code = 29
    description = "invalid type"


class TxTimeoutHeightError(SdkError):
    """The block height is past the tx's timeout height."""

    code = 30
    description = "tx timeout height"


class UnknownExtensionOptionsError(SdkError):
    """The tx body carries extension options, none of which are supported."""

    code = 31
    description = "unknown extension options"


class WrongSequenceError(SdkError):
    """The tx sequence differs from the account's; fields ``expected`` and ``got``.

    The message wording is parsed by clients to resynchronise their sequence.
    """

    code = 32
    description = "incorrect account sequence"

    def __init__(self, *, expected: int, got: int) -> None:
        super().__init__(f"account sequence mismatch, expected {expected}, got {got}")
        self.expected = expected
        self.got = got


class PackAnyError(SdkError):
    """Packing a message into ``Any`` failed."""

    code = 33
    description = "failed packing protobuf message to Any"


class UnpackAnyError(SdkError):
    """Unpacking a message from ``Any`` failed."""

    code = 34
    description = "failed unpacking protobuf message from Any"


class LogicError(SdkError):
    """Internal logic error."""

    code = 35
    description = "internal logic error"


class ConflictError(SdkError):
    """Conflict."""

    code = 36
    description = "conflict"


class NotSupportedError(SdkError):
    """The feature is not supported."""

    code = 37
    description = "feature not supported"


class NotFoundError(SdkError):
    """Not found."""

    code = 38
    description = "not found"


class IoError(SdkError):
    """Internal IO error."""

    code = 39
    description = "Internal IO error"


class AppConfigError(SdkError):
    """Error in the application configuration."""

    code = 40
    description = "error in app.toml"


class InvalidGasLimitError(SdkError):
    """The tx gas limit is invalid (e.g. above the block's maximum gas)."""

    code = 41
    description = "invalid gas limit"


class TxTimeoutError(SdkError):
    """The tx timed out."""

    code = 42
    description = "tx timeout"


# The SDK's Go names, for readers coming from ``types/errors/errors.go``.
ErrTxDecode = TxDecodeError
ErrInvalidSequence = InvalidSequenceError
ErrUnauthorized = UnauthorizedError
ErrInsufficientFunds = InsufficientFundsError
ErrUnknownRequest = UnknownRequestError
ErrInvalidAddress = InvalidAddressError
ErrInvalidPubKey = InvalidPubKeyError
ErrUnknownAddress = UnknownAddressError
ErrInvalidCoins = InvalidCoinsError
ErrOutOfGas = OutOfGasError
ErrMemoTooLarge = MemoTooLargeError
ErrInsufficientFee = InsufficientFeeError
ErrTooManySignatures = TooManySignaturesError
ErrNoSignatures = NoSignaturesError
ErrJSONMarshal = JsonMarshalError
ErrJSONUnmarshal = JsonUnmarshalError
ErrInvalidRequest = InvalidRequestError
ErrTxInMempoolCache = TxInMempoolCacheError
ErrMempoolIsFull = MempoolIsFullError
ErrTxTooLarge = TxTooLargeError
ErrKeyNotFound = KeyNotFoundError
ErrWrongPassword = WrongPasswordError
ErrInvalidSigner = InvalidSignerError
ErrInvalidGasAdjustment = InvalidGasAdjustmentError
ErrInvalidHeight = InvalidHeightError
ErrInvalidVersion = InvalidVersionError
ErrInvalidChainID = InvalidChainIdError
ErrInvalidType = InvalidTypeError
ErrTxTimeoutHeight = TxTimeoutHeightError
ErrUnknownExtensionOptions = UnknownExtensionOptionsError
ErrWrongSequence = WrongSequenceError
ErrPackAny = PackAnyError
ErrUnpackAny = UnpackAnyError
ErrLogic = LogicError
ErrConflict = ConflictError
ErrNotSupported = NotSupportedError
ErrNotFound = NotFoundError
ErrIO = IoError
ErrAppConfig = AppConfigError
ErrInvalidGasLimit = InvalidGasLimitError
ErrTxTimeout = TxTimeoutError
