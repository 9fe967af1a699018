"""Parameters of the staking module (``cosmos.staking.v1beta1.Params`` plus the power unit).

JSON form (genesis, export)::

    {"unbonding_time": "1814400s", "max_validators": "100", "max_entries": "7",
     "historical_entries": "10000", "bond_denom": "uallo",
     "min_commission_rate": "0.000000000000000000",
     "power_reduction": "1000000000000000000"}

``power_reduction`` is not an SDK parameter (the SDK hard-codes it); pyallora keeps it in the
params so that a test network can use small stakes. Defaults follow PROTOCOL.md §9 (100
validators, three-week unbonding) and 1 ALLO (10^18 uallo) per unit of consensus power.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from pyallora.chain.params import ParamsError, parse_json_int
from pyallora.core.amounts import DENOM, UALLO_PER_ALLO
from pyallora.core.legacy_dec import (
    LegacyDecError,
    format_legacy_dec_json,
    is_in_unit_interval,
    parse_legacy_dec_json,
)

_DURATION: Final = re.compile(r"([0-9]+)s")

NANOS_PER_SECOND: Final = 10**9
"""Block times are nanoseconds; durations in params are seconds."""


def parse_duration_seconds(value: Any, *, what: str) -> int:
    """Seconds of a JSON duration ``"1814400s"`` (a bare integer is accepted too).

    Raises
    ------
    ParamsError
        If the value is neither.
    """
    if isinstance(value, str):
        match = _DURATION.fullmatch(value)
        if match is not None:
            return int(match.group(1))
    return parse_json_int(value, what=what)


def format_duration_seconds(seconds: int) -> str:
    """The JSON duration text of ``seconds``."""
    return f"{seconds}s"


@dataclass(frozen=True, slots=True, kw_only=True)
class StakingParams:
    """Staking parameters."""

    unbonding_time_s: int = 1_814_400
    """Unbonding period in seconds of block time (three weeks)."""
    max_validators: int = 100
    """Size of the active (bonded) set."""
    max_entries: int = 7
    """Most unbonding or redelegation entries per (delegator, validator[s])."""
    historical_entries: int = 10_000
    """Kept for genesis compatibility (pyallora keeps no historical info)."""
    bond_denom: str = DENOM
    """The staking denomination (only ``uallo``)."""
    min_commission_rate: int = 0
    """Lowest commission rate a validator may set (LegacyDec units)."""
    power_reduction: int = UALLO_PER_ALLO
    """uallo per unit of consensus power."""

    def validate(self) -> None:
        """Check the ranges.

        Raises
        ------
        ParamsError
            Naming the offending field.
        """
        for name in ("unbonding_time_s", "max_validators", "max_entries", "power_reduction"):
            value = getattr(self, name)
            if type(value) is not int or value <= 0:
                raise ParamsError(f"staking param {name} must be a positive integer: {value!r}")
        if type(self.historical_entries) is not int or self.historical_entries < 0:
            raise ParamsError("staking param historical_entries must be a non-negative integer")
        if self.bond_denom != DENOM:
            raise ParamsError(f"staking param bond_denom must be {DENOM}, got {self.bond_denom!r}")
        if not is_in_unit_interval(self.min_commission_rate):
            raise ParamsError("staking param min_commission_rate must be in [0, 1]")

    @property
    def unbonding_time_ns(self) -> int:
        """The unbonding period in nanoseconds."""
        return self.unbonding_time_s * NANOS_PER_SECOND

    def to_json(self) -> dict[str, str]:
        """JSON form (module docstring)."""
        return {
            "unbonding_time": format_duration_seconds(self.unbonding_time_s),
            "max_validators": str(self.max_validators),
            "max_entries": str(self.max_entries),
            "historical_entries": str(self.historical_entries),
            "bond_denom": self.bond_denom,
            "min_commission_rate": format_legacy_dec_json(self.min_commission_rate),
            "power_reduction": str(self.power_reduction),
        }

    @classmethod
    def from_json(cls, data: Any) -> StakingParams:
        """Parse the JSON form; missing fields take their defaults.

        Raises
        ------
        ParamsError
            For unknown fields or malformed values.
        """
        if not isinstance(data, dict):
            raise ParamsError("staking params must be a JSON object")
        known = {
            "unbonding_time",
            "max_validators",
            "max_entries",
            "historical_entries",
            "bond_denom",
            "min_commission_rate",
            "power_reduction",
        }
        unknown = sorted(key for key in data if key not in known)
        if unknown:
            raise ParamsError(f"unknown staking params: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        if "unbonding_time" in data:
            values["unbonding_time_s"] = parse_duration_seconds(
                data["unbonding_time"], what="staking param unbonding_time"
            )
        for name in ("max_validators", "max_entries", "historical_entries", "power_reduction"):
            if name in data:
                values[name] = parse_json_int(data[name], what=f"staking param {name}")
        if "bond_denom" in data:
            values["bond_denom"] = str(data["bond_denom"])
        if "min_commission_rate" in data:
            try:
                values["min_commission_rate"] = parse_legacy_dec_json(data["min_commission_rate"])
            except LegacyDecError as exc:
                raise ParamsError(f"staking param min_commission_rate: {exc}") from exc
        params = cls(**values)
        params.validate()
        return params


DEFAULT_STAKING_PARAMS: Final = StakingParams()
"""The defaults."""
