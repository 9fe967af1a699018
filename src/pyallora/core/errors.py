"""Error hierarchy and the registry of stable consensus error codes.

Two kinds of exceptions exist in pyallora:

* :class:`PyAlloraError` subclasses are *expected rejections* of bad input: malformed numbers,
  invalid engine inputs, refused transactions. They say what is wrong and what to do.
* Anything else raised inside consensus code is a bug; the node halts rather than guess.

:class:`ConsensusError` subclasses carry a ``(codespace, code)`` pair that enters transaction
results (and so consensus). Each pair is registered exactly once with :func:`register_code`
and never renumbered (PROTOCOL.md Appendix A for the ``emissions`` and ``mint`` codespaces).
"""

from __future__ import annotations

from typing import ClassVar


class PyAlloraError(Exception):
    """Root of every expected pyallora error."""


class InvalidDecError(PyAlloraError, ValueError):
    """A value is not a finite decimal number in the accepted grammar."""


class SynthesisInputError(PyAlloraError, ValueError):
    """Inputs of the synthesis engine are inconsistent or out of range.

    Subclasses name the family of problem; the message names the offending participant or
    field.
    """


class NonFiniteValueError(SynthesisInputError):
    """NaN or an infinity where a finite number is required."""


class EmptyInputError(SynthesisInputError):
    """A set that must not be empty is empty."""


class LengthMismatchError(SynthesisInputError):
    """Two sequences that must have the same length do not."""


class NegativeValueError(SynthesisInputError):
    """A stake, amount or count that must be non-negative is negative."""


class DuplicateParticipantError(SynthesisInputError):
    """The same participant appears twice in one set."""


class UnknownParticipantError(SynthesisInputError):
    """A reference to a participant that is not in the set it must belong to."""


class ParameterError(SynthesisInputError):
    """A parameter is outside its validated range."""


_REGISTRY: dict[tuple[str, int], str] = {}


def register_code(codespace: str, code: int, name: str) -> tuple[str, int]:
    """Register ``(codespace, code)`` under ``name`` once; re-registration is a bug."""
    key = (codespace, code)
    if key in _REGISTRY and _REGISTRY[key] != name:
        raise RuntimeError(f"error code {key} registered twice: {_REGISTRY[key]} and {name}")
    _REGISTRY[key] = name
    return key


def registered_codes() -> list[tuple[str, int, str]]:
    """Every registered code, sorted by codespace then code."""
    return [(space, code, _REGISTRY[(space, code)]) for space, code in sorted(_REGISTRY)]


class ConsensusError(PyAlloraError):
    """A rejection whose ``(codespace, code)`` goes into the transaction result.

    Subclasses set ``codespace`` and ``code`` as class attributes and register them with
    :func:`register_code` at class creation (see ``__init_subclass__``).
    """

    codespace: ClassVar[str] = "undefined"
    code: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            register_code(cls.codespace, cls.code, cls.__name__)

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.codespace}:{self.code}]"
