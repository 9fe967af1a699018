"""Mint parameters (``mint.v1beta1.Params``, PROTOCOL.md §6.1) and their three forms.

Fractions are LegacyDecs, held as ints of units (value × 10^18,
:mod:`pyallora.core.legacy_dec`):

* **protobuf** (messages, queries): the integer text of units (``"25000000000000000"``);
* **JSON** (genesis, store): positional text with 18 digits (``"0.025000000000000000"``);
* **engine** (:class:`pyallora.synthesis.emission.MintParams`): ``Dec`` values built from the
  JSON text, which :func:`~pyallora.synthesis.emission.to_legacy_dec` maps back exactly.

Validation (§6.1): a valid denomination, ``max_supply`` > 0, every fraction in [0, 1], and
the six allocation fractions (ecosystem, foundation, participants, investors, team, pre-seed)
summing to exactly 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, Final

from pyallora.chain.params import ParamsError, parse_json_int
from pyallora.core.amounts import DENOM, MAX_SUPPLY
from pyallora.core.legacy_dec import (
    ONE,
    LegacyDecError,
    format_legacy_dec_json,
    is_in_unit_interval,
    parse_legacy_dec_json,
    parse_legacy_dec_proto,
)
from pyallora.proto.mint.v1beta1 import types_pb2 as mint_types

_DENOM_PATTERN: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")
"""The SDK's denomination grammar."""

FRACTION_FIELDS: Final = (
    "f_emission",
    "one_month_smoothing_degree",
    "ecosystem_treasury_percent_of_total_supply",
    "foundation_treasury_percent_of_total_supply",
    "participants_percent_of_total_supply",
    "investors_percent_of_total_supply",
    "team_percent_of_total_supply",
    "maximum_monthly_percentage_yield",
    "investors_preseed_percent_of_total_supply",
)
"""The LegacyDec fields, in ``Params`` tag order (tags 3-11)."""

ALLOCATION_FIELDS: Final = (
    "ecosystem_treasury_percent_of_total_supply",
    "foundation_treasury_percent_of_total_supply",
    "participants_percent_of_total_supply",
    "investors_percent_of_total_supply",
    "team_percent_of_total_supply",
    "investors_preseed_percent_of_total_supply",
)
"""The six supply shares that must sum to exactly 1."""


_DEFAULT_F_EMISSION: Final = parse_legacy_dec_json("0.025")
_DEFAULT_ONE_MONTH_SMOOTHING_DEGREE: Final = parse_legacy_dec_json("0.1")
_DEFAULT_ECOSYSTEM_TREASURY_PERCENT_OF_TOTAL_SUPPLY: Final = parse_legacy_dec_json("0.3595")
_DEFAULT_FOUNDATION_TREASURY_PERCENT_OF_TOTAL_SUPPLY: Final = parse_legacy_dec_json("0.10")
_DEFAULT_PARTICIPANTS_PERCENT_OF_TOTAL_SUPPLY: Final = parse_legacy_dec_json("0.055")
_DEFAULT_INVESTORS_PERCENT_OF_TOTAL_SUPPLY: Final = parse_legacy_dec_json("0.2605")
_DEFAULT_TEAM_PERCENT_OF_TOTAL_SUPPLY: Final = parse_legacy_dec_json("0.175")
_DEFAULT_MAXIMUM_MONTHLY_PERCENTAGE_YIELD: Final = parse_legacy_dec_json("0.0095")
_DEFAULT_INVESTORS_PRESEED_PERCENT_OF_TOTAL_SUPPLY: Final = parse_legacy_dec_json("0.05")


@dataclass(frozen=True, slots=True, kw_only=True)
class MintParamsRecord:
    """The stored mint parameters (fractions in LegacyDec units)."""

    mint_denom: str = DENOM
    """Denomination minted (tag 1)."""
    max_supply: int = MAX_SUPPLY
    """10^27 uallo (tag 2)."""
    f_emission: int = _DEFAULT_F_EMISSION
    """Target emission per month as a fraction of the ecosystem's tokens (tag 3)."""
    one_month_smoothing_degree: int = _DEFAULT_ONE_MONTH_SMOOTHING_DEGREE
    """α of the monthly EMA (tag 4)."""
    ecosystem_treasury_percent_of_total_supply: int = (
        _DEFAULT_ECOSYSTEM_TREASURY_PERCENT_OF_TOTAL_SUPPLY
    )
    """Ecosystem share, minted on demand (tag 5)."""
    foundation_treasury_percent_of_total_supply: int = (
        _DEFAULT_FOUNDATION_TREASURY_PERCENT_OF_TOTAL_SUPPLY
    )
    """Foundation share (tag 6)."""
    participants_percent_of_total_supply: int = _DEFAULT_PARTICIPANTS_PERCENT_OF_TOTAL_SUPPLY
    """Participants share (tag 7)."""
    investors_percent_of_total_supply: int = _DEFAULT_INVESTORS_PERCENT_OF_TOTAL_SUPPLY
    """Investors share (tag 8)."""
    team_percent_of_total_supply: int = _DEFAULT_TEAM_PERCENT_OF_TOTAL_SUPPLY
    """Team share (tag 9)."""
    maximum_monthly_percentage_yield: int = _DEFAULT_MAXIMUM_MONTHLY_PERCENTAGE_YIELD
    """Yield cap per month (tag 10)."""
    investors_preseed_percent_of_total_supply: int = (
        _DEFAULT_INVESTORS_PRESEED_PERCENT_OF_TOTAL_SUPPLY
    )
    """Pre-seed investors share (tag 11)."""

    def validate(self) -> None:
        """§6.1 constraints.

        Raises
        ------
        ParamsError
            Naming the offending field.
        """
        if not isinstance(self.mint_denom, str) or not _DENOM_PATTERN.fullmatch(self.mint_denom):
            raise ParamsError(f"mint param mint_denom is not a valid denom: {self.mint_denom!r}")
        if type(self.max_supply) is not int or self.max_supply <= 0:
            raise ParamsError("mint param max_supply must be a positive integer")
        for name in FRACTION_FIELDS:
            value = getattr(self, name)
            if type(value) is not int or not is_in_unit_interval(value):
                raise ParamsError(f"mint param {name} must be in [0, 1]")
        total = sum(getattr(self, name) for name in ALLOCATION_FIELDS)
        if total != ONE:
            raise ParamsError(
                "the six allocation fractions (ecosystem, foundation, participants, investors, "
                f"team, pre-seed) must sum to exactly 1, got {format_legacy_dec_json(total)}"
            )

    def to_json(self) -> dict[str, str]:
        """JSON form (genesis, store)."""
        data = {"mint_denom": self.mint_denom, "max_supply": str(self.max_supply)}
        for name in FRACTION_FIELDS:
            data[name] = format_legacy_dec_json(getattr(self, name))
        return data

    @classmethod
    def from_json(cls, data: Any) -> MintParamsRecord:
        """Parse and validate the JSON form; missing fields take their defaults.

        Raises
        ------
        ParamsError
            For unknown fields, malformed or invalid values.
        """
        if not isinstance(data, dict):
            raise ParamsError("mint params must be a JSON object")
        known = {item.name for item in fields(cls)}
        unknown = sorted(key for key in data if key not in known)
        if unknown:
            raise ParamsError(f"unknown mint params: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        if "mint_denom" in data:
            values["mint_denom"] = str(data["mint_denom"])
        if "max_supply" in data:
            values["max_supply"] = parse_json_int(data["max_supply"], what="mint max_supply")
        for name in FRACTION_FIELDS:
            if name in data:
                try:
                    values[name] = parse_legacy_dec_json(str(data[name]))
                except LegacyDecError as exc:
                    raise ParamsError(f"mint param {name}: {exc}") from exc
        params = cls(**values)
        params.validate()
        return params

    def to_proto(self) -> mint_types.Params:
        """The ``mint.v1beta1.Params`` message (LegacyDecs as integer text)."""
        return mint_types.Params(
            mint_denom=self.mint_denom,
            max_supply=str(self.max_supply),
            **{name: str(getattr(self, name)) for name in FRACTION_FIELDS},
        )

    @classmethod
    def from_proto(cls, proto: mint_types.Params) -> MintParamsRecord:
        """The record of a ``mint.v1beta1.Params`` message (not validated).

        Raises
        ------
        ParamsError
            If a number is not an integer text.
        """
        try:
            max_supply = parse_legacy_dec_proto(proto.max_supply)
            values = {
                name: parse_legacy_dec_proto(getattr(proto, name)) for name in FRACTION_FIELDS
            }
        except LegacyDecError as exc:
            raise ParamsError(f"malformed mint params: {exc}") from exc
        return cls(mint_denom=proto.mint_denom, max_supply=max_supply, **values)


DEFAULT_MINT_PARAMS: Final = MintParamsRecord()
"""The defaults of §6.1."""
