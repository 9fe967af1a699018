"""Error codes of the ``emissions`` codespace (PROTOCOL.md Appendix A).

Each class registers its ``(emissions, code)`` once, at import, with
:func:`pyallora.core.errors.register_code`; codes are part of the wire contract (clients branch
on 75 and 78) and are never renumbered. Class names are the appendix names with an ``Error``
suffix (the reference's Go name is ``Err`` + the appendix name); ``description`` is the
reference's registered text, and a raised error's message is ``"<detail>: <description>"``
as the SDK's ``Wrap`` prints it.

Generic Cosmos errors (insufficient funds 5, invalid address 7, invalid request 18, ...) are
:mod:`pyallora.chain.tx.errors` classes of the ``sdk`` codespace; handlers raise those, never a
local copy.

Registered here: every code of the appendix's table, the reward-mathematics codes 35-39 and
63, and the registered-but-never-raised codes whose reference names are known (5, 7, 9,
15-22, 24-27, 30, 31, 41-43, 46-48, 50, 51, 54, 57). Codes 70, 71, 72, 73 and 79 are
registered by the reference under names this spec does not give; they are left unregistered
until those names are known (code 1 is the SDK's; 12, 29, 44, 60 are not registered).

Not a consensus error: :class:`EmissionsInvariantError`, raised by the Appendix D checks of
:mod:`.invariants` when the state breaks an invariant (a bug, never a result code).

>>> str(TopicDoesNotExistError("topic 7"))
'topic 7: topic does not exist [emissions:23]'
"""

from __future__ import annotations

from typing import ClassVar, Final

from pyallora.core.errors import ConsensusError, PyAlloraError

CODESPACE: Final = "emissions"
"""The module's codespace."""


class EmissionsError(ConsensusError):
    """An ``emissions`` error; subclasses fix ``code`` and ``description``."""

    codespace: ClassVar[str] = CODESPACE
    description: ClassVar[str] = "emissions error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{detail}: {self.description}" if detail else self.description)
        self.detail = detail


class IntegerUnderflowTopicReputerStakeError(EmissionsError):
    """A self-stake removal larger than the self-stake at maturity."""

    code = 2
    description = "integer underflow for topic reputer stake"


class IntegerUnderflowTopicStakeError(EmissionsError):
    """A removal larger than the topic stake."""

    code = 3
    description = "integer underflow for topic stake"


class IntegerUnderflowTotalStakeError(EmissionsError):
    """A removal larger than the total stake."""

    code = 4
    description = "integer underflow for total stake"


class IterationLengthDoesNotMatchError(EmissionsError):
    """Registered, never raised."""

    code = 5
    description = "iteration length does not match"


class InvalidTopicIdError(EmissionsError):
    """A payload for a missing topic, or an inner topic id different from the bundle's."""

    code = 6
    description = "invalid topic ID"


class ReputerAlreadyRegisteredInTopicError(EmissionsError):
    """Registered, never raised."""

    code = 7
    description = "reputer already registered in topic"


class AddressAlreadyRegisteredInATopicError(EmissionsError):
    """A duplicate Register."""

    code = 8
    description = "address already registered in a topic"


class AddressIsNotRegisteredInAnyTopicError(EmissionsError):
    """Registered, never raised."""

    code = 9
    description = "address is not registered in any topic"


class AddressIsNotRegisteredInThisTopicError(EmissionsError):
    """AddStake by a non-reputer, delegation on an unregistered reputer, bad unregistration."""

    code = 10
    description = "address is not registered in this topic"


class InsufficientStakeError(EmissionsError):
    """A reputer payload below ``required_minimum_stake``."""

    code = 11
    description = "insufficient stake to register"


class AddressNotRegisteredError(EmissionsError):
    """A payload from an unregistered worker or reputer."""

    code = 13
    description = "address not registered"


class InsufficientStakeToRemoveError(EmissionsError):
    """RemoveStake above the self-stake; RemoveDelegateStake above the reputer's authority."""

    code = 14
    description = "insufficient stake to remove"


class BlockHeightNegativeError(EmissionsError):
    """Registered, never raised."""

    code = 15
    description = "block height negative"


class BlockHeightLessThanPreviousError(EmissionsError):
    """Registered, never raised."""

    code = 16
    description = "block height less than previous"


class ConfirmRemoveStakeNoRemovalStartedError(EmissionsError):
    """Registered, never raised."""

    code = 17
    description = "confirm remove stake no removal started"


class ConfirmRemoveStakeTooEarlyError(EmissionsError):
    """Registered, never raised."""

    code = 18
    description = "confirm remove stake too early"


class ConfirmRemoveStakeTooLateError(EmissionsError):
    """Registered, never raised."""

    code = 19
    description = "confirm remove stake too late"


class TopicIdListValueDecodeInvalidLengthError(EmissionsError):
    """Registered, never raised."""

    code = 20
    description = "topic ID list value decode invalid length"


class TopicIdListValueDecodeJsonInvalidLengthError(EmissionsError):
    """Registered, never raised."""

    code = 21
    description = "topic ID list value decode JSON invalid length"


class TopicIdListValueDecodeJsonInvalidFormatError(EmissionsError):
    """Registered, never raised."""

    code = 22
    description = "topic ID list value decode JSON invalid format"


class TopicDoesNotExistError(EmissionsError):
    """A stake or registration message on a missing topic."""

    code = 23
    description = "topic does not exist"


class OwnerCannotBeEmptyError(EmissionsError):
    """Registered, never raised."""

    code = 24
    description = "owner cannot be empty"


class InsufficientStakeAfterRemovalError(EmissionsError):
    """Registered, never raised."""

    code = 25
    description = "insufficient stake after removal"


class FundAmountTooLowError(EmissionsError):
    """Registered, never raised."""

    code = 26
    description = "topic fund amount too low"


class IntegerUnderflowUnmetDemandError(EmissionsError):
    """Registered, never raised."""

    code = 27
    description = "integer underflow for unmet demand"


class NotWhitelistAdminError(EmissionsError):
    """An admin-only message from a non-admin."""

    code = 28
    description = "not whitelist admin"


class NotInReputerWhitelistError(EmissionsError):
    """Registered, never raised."""

    code = 30
    description = "not in reputer whitelist"


class TopicNotEnoughDemandError(EmissionsError):
    """Registered, never raised."""

    code = 31
    description = "topic not enough demand"


class IntegerUnderflowStakeFromDelegatorError(EmissionsError):
    """A delegated removal at maturity above the delegator's topic sum."""

    code = 32
    description = "integer underflow for stake from delegator"


class IntegerUnderflowDelegateStakePlacementError(EmissionsError):
    """A delegated removal at maturity above the placement."""

    code = 33
    description = "integer underflow for delegate stake placement"


class IntegerUnderflowDelegateStakeUponReputerError(EmissionsError):
    """A delegated removal at maturity above the stake delegated upon the reputer."""

    code = 34
    description = "integer underflow for delegate stake upon reputer"


class AdjustedStakeInvalidSliceLengthError(EmissionsError):
    """Reward mathematics: slice lengths differ."""

    code = 35
    description = "adjusted stake: invalid slice length"


class FractionDivideByZeroError(EmissionsError):
    """Reward mathematics: division by zero in a fraction."""

    code = 36
    description = "fraction: divide by zero"


class NumberRatioDivideByZeroError(EmissionsError):
    """Reward mathematics: division by zero in a ratio."""

    code = 37
    description = "number ratio: divide by zero"


class NumberRatioInvalidSliceLengthError(EmissionsError):
    """Reward mathematics: slice lengths differ in a ratio."""

    code = 38
    description = "number ratio: invalid slice length"


class InvalidSliceLengthError(EmissionsError):
    """Reward mathematics: a slice has the wrong length."""

    code = 39
    description = "invalid slice length"


class TopicCadenceBelowMinimumError(EmissionsError):
    """A topic epoch length below ``min_epoch_length`` (the text speaks of seconds, C18)."""

    code = 40
    description = "topic cadence must be at least 60 seconds (1 minute)"


class PhiCannotBeZeroError(EmissionsError):
    """Registered, never raised."""

    code = 41
    description = "phi: cannot be zero"


class SumWeightsLessThanEtaError(EmissionsError):
    """Registered, never raised."""

    code = 42
    description = "sum weights less than eta"


class SliceLengthMismatchError(EmissionsError):
    """Registered, never raised."""

    code = 43
    description = "slice length mismatch"


class NonceStillUnfulfilledError(EmissionsError):
    """A reputer payload while the worker nonce is still open."""

    code = 45
    description = "nonce still unfulfilled"


class TopicCreatorNotEnoughDenomError(EmissionsError):
    """Registered, never raised."""

    code = 46
    description = "topic creator does not have enough denom"


class SignatureVerificationFailedError(EmissionsError):
    """Registered, never raised."""

    code = 47
    description = "signature verification was failed"


class TopicRegistrantNotEnoughDenomError(EmissionsError):
    """Registered, never raised."""

    code = 48
    description = "topic registrant does not have enough denom"


class InsufficientDelegateStakeToRemoveError(EmissionsError):
    """RemoveDelegateStake above the placement."""

    code = 49
    description = "insufficient delegate stake to remove"


class TopicMempoolAtCapacityError(EmissionsError):
    """Registered, never raised."""

    code = 50
    description = "topic mempool at capacity"


class ReceivedZeroAmountError(EmissionsError):
    """Registered, never raised."""

    code = 51
    description = "received zero amount"


class InvalidValueError(EmissionsError):
    """Zero stake additions, negative emissions values (internal)."""

    code = 52
    description = "invalid value"


class QueryTooLargeError(EmissionsError):
    """A payload message over ``max_serialized_msg_length``."""

    code = 53
    description = "query is too large"


class FailedToSerializePayloadError(EmissionsError):
    """Registered, never raised."""

    code = 54
    description = "failed to serialize payload"


class NoValidBundlesError(EmissionsError):
    """A reputer close without usable bundles (internal)."""

    code = 55
    description = "no valid bundles found"


class InvalidRewardError(EmissionsError):
    """Rewards: no reputer bundles, zero weight sum (internal)."""

    code = 56
    description = "invalid reward"


class CantSelfDelegateError(EmissionsError):
    """Registered; self-delegation is refused with sdk invalid-request instead."""

    code = 57
    description = "cant self delegate"


class ValidationVersionEmptyError(EmissionsError):
    """Params: empty version."""

    code = 58
    description = "version cannot be empty"


class ValidationVersionTooLongError(EmissionsError):
    """Params: version longer than 32 characters."""

    code = 59
    description = "version length cannot exceed 32 characters"


class ValidationMustBeBetweenZeroAndOneError(EmissionsError):
    """Params: a value outside its unit interval (open or closed, C18)."""

    code = 61
    description = "value must be between 0 and 1"


class ValidationMustBeGreaterthanZeroError(EmissionsError):
    """Params: a value that must be positive (or non-negative, or finite) is not."""

    code = 62
    description = "value must be greater than 0"


class EmptyArrayError(EmissionsError):
    """Internal: an array that must not be empty is."""

    code = 63
    description = "empty array"


class StakeRemovalNotFoundError(EmissionsError):
    """A cancellation with nothing pending."""

    code = 64
    description = "No stake removal found"


class InvariantFailureError(EmissionsError):
    """Duplicate removal index entries."""

    code = 65
    description = "invariant failure"


class IntegerUnderflowReputerStakeAuthorityError(EmissionsError):
    """A delegated removal at maturity above the reputer's authority."""

    code = 66
    description = "integer underflow for reputer stake authority"


class WorkerNonceWindowNotAvailableError(EmissionsError):
    """A worker payload outside ``[nonce, nonce + W)``; worker close preconditions."""

    code = 67
    description = "worker nonce window not available"


class ReputerNonceWindowNotAvailableError(EmissionsError):
    """A reputer payload outside ``[N + G, N + 2G]``."""

    code = 68
    description = "reputer nonce window not available"


class NoValidInferencesError(EmissionsError):
    """Internal: no valid inferences."""

    code = 69
    description = "no valid inferences"


class GroundTruthLagTooBigError(EmissionsError):
    """``ground_truth_lag`` above ``max_unfulfilled_reputer_requests`` × epoch length."""

    code = 74
    description = "ground truth lag too big for epoch length"


class UnfulfilledNonceNotFoundError(EmissionsError):
    """A payload for a nonce that is not open."""

    code = 75
    description = "unfulfilled nonce not found"


class NotFoundError(EmissionsError):
    """Something looked up is absent (internal to queries)."""

    code = 76
    description = "not found"


class NoValidForecastElementsError(EmissionsError):
    """A forecast without elements."""

    code = 77
    description = "no valid forecast elements"


class CantUpdateEmaMoreThanOncePerWindowError(EmissionsError):
    """A second attempt in a window once the active set is full."""

    code = 78
    description = "cannot update EMA more than once per window"


class NoQualifiedInferersError(EmissionsError):
    """A worker close with an empty active inferer set."""

    code = 80
    description = "no qualified inferers"


# The reference's Go names (``types/errors.go``), for readers coming from the Go chain.
ErrIntegerUnderflowTopicReputerStake = IntegerUnderflowTopicReputerStakeError
ErrIntegerUnderflowTopicStake = IntegerUnderflowTopicStakeError
ErrIntegerUnderflowTotalStake = IntegerUnderflowTotalStakeError
ErrIterationLengthDoesNotMatch = IterationLengthDoesNotMatchError
ErrInvalidTopicId = InvalidTopicIdError
ErrReputerAlreadyRegisteredInTopic = ReputerAlreadyRegisteredInTopicError
ErrAddressAlreadyRegisteredInATopic = AddressAlreadyRegisteredInATopicError
ErrAddressIsNotRegisteredInAnyTopic = AddressIsNotRegisteredInAnyTopicError
ErrAddressIsNotRegisteredInThisTopic = AddressIsNotRegisteredInThisTopicError
ErrInsufficientStake = InsufficientStakeError
ErrAddressNotRegistered = AddressNotRegisteredError
ErrInsufficientStakeToRemove = InsufficientStakeToRemoveError
ErrBlockHeightNegative = BlockHeightNegativeError
ErrBlockHeightLessThanPrevious = BlockHeightLessThanPreviousError
ErrConfirmRemoveStakeNoRemovalStarted = ConfirmRemoveStakeNoRemovalStartedError
ErrConfirmRemoveStakeTooEarly = ConfirmRemoveStakeTooEarlyError
ErrConfirmRemoveStakeTooLate = ConfirmRemoveStakeTooLateError
ErrTopicIdListValueDecodeInvalidLength = TopicIdListValueDecodeInvalidLengthError
ErrTopicIdListValueDecodeJsonInvalidLength = TopicIdListValueDecodeJsonInvalidLengthError
ErrTopicIdListValueDecodeJsonInvalidFormat = TopicIdListValueDecodeJsonInvalidFormatError
ErrTopicDoesNotExist = TopicDoesNotExistError
ErrOwnerCannotBeEmpty = OwnerCannotBeEmptyError
ErrInsufficientStakeAfterRemoval = InsufficientStakeAfterRemovalError
ErrFundAmountTooLow = FundAmountTooLowError
ErrIntegerUnderflowUnmetDemand = IntegerUnderflowUnmetDemandError
ErrNotWhitelistAdmin = NotWhitelistAdminError
ErrNotInReputerWhitelist = NotInReputerWhitelistError
ErrTopicNotEnoughDemand = TopicNotEnoughDemandError
ErrIntegerUnderflowStakeFromDelegator = IntegerUnderflowStakeFromDelegatorError
ErrIntegerUnderflowDelegateStakePlacement = IntegerUnderflowDelegateStakePlacementError
ErrIntegerUnderflowDelegateStakeUponReputer = IntegerUnderflowDelegateStakeUponReputerError
ErrAdjustedStakeInvalidSliceLength = AdjustedStakeInvalidSliceLengthError
ErrFractionDivideByZero = FractionDivideByZeroError
ErrNumberRatioDivideByZero = NumberRatioDivideByZeroError
ErrNumberRatioInvalidSliceLength = NumberRatioInvalidSliceLengthError
ErrInvalidSliceLength = InvalidSliceLengthError
ErrTopicCadenceBelowMinimum = TopicCadenceBelowMinimumError
ErrPhiCannotBeZero = PhiCannotBeZeroError
ErrSumWeightsLessThanEta = SumWeightsLessThanEtaError
ErrSliceLengthMismatch = SliceLengthMismatchError
ErrNonceStillUnfulfilled = NonceStillUnfulfilledError
ErrTopicCreatorNotEnoughDenom = TopicCreatorNotEnoughDenomError
ErrSignatureVerificationFailed = SignatureVerificationFailedError
ErrTopicRegistrantNotEnoughDenom = TopicRegistrantNotEnoughDenomError
ErrInsufficientDelegateStakeToRemove = InsufficientDelegateStakeToRemoveError
ErrTopicMempoolAtCapacity = TopicMempoolAtCapacityError
ErrReceivedZeroAmount = ReceivedZeroAmountError
ErrInvalidValue = InvalidValueError
ErrQueryTooLarge = QueryTooLargeError
ErrFailedToSerializePayload = FailedToSerializePayloadError
ErrNoValidBundles = NoValidBundlesError
ErrInvalidReward = InvalidRewardError
ErrCantSelfDelegate = CantSelfDelegateError
ErrValidationVersionEmpty = ValidationVersionEmptyError
ErrValidationVersionTooLong = ValidationVersionTooLongError
ErrValidationMustBeBetweenZeroAndOne = ValidationMustBeBetweenZeroAndOneError
ErrValidationMustBeGreaterthanZero = ValidationMustBeGreaterthanZeroError
ErrEmptyArray = EmptyArrayError
ErrStakeRemovalNotFound = StakeRemovalNotFoundError
ErrInvariantFailure = InvariantFailureError
ErrIntegerUnderflowReputerStakeAuthority = IntegerUnderflowReputerStakeAuthorityError
ErrWorkerNonceWindowNotAvailable = WorkerNonceWindowNotAvailableError
ErrReputerNonceWindowNotAvailable = ReputerNonceWindowNotAvailableError
ErrNoValidInferences = NoValidInferencesError
ErrGroundTruthLagTooBig = GroundTruthLagTooBigError
ErrUnfulfilledNonceNotFound = UnfulfilledNonceNotFoundError
ErrNotFound = NotFoundError
ErrNoValidForecastElements = NoValidForecastElementsError
ErrCantUpdateEmaMoreThanOncePerWindow = CantUpdateEmaMoreThanOncePerWindowError
ErrNoQualifiedInferers = NoQualifiedInferersError


class EmissionsInvariantError(PyAlloraError):
    """An Appendix D invariant does not hold: a bug in the state machine."""


def iterate_error_classes() -> list[type[EmissionsError]]:
    """Every registered emissions error class, by code (aliases listed once)."""
    found: dict[int, type[EmissionsError]] = {}
    for value in list(globals().values()):
        if isinstance(value, type) and issubclass(value, EmissionsError) and "code" in vars(value):
            found[value.code] = value
    return [found[code] for code in sorted(found)]
