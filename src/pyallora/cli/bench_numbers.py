"""``allora bench numbers``: the measurement behind the Dec decision (``core/dec.py``).

Times the one-out forecast-implied kernel of SYNTHESIS.md §6 (for each forecaster and each
withheld inferer: σ of the remaining forecasted regrets, the §5.3 weights, the weighted mean)
at (W, F) = (32, 6), i.e. F·W·(W − 1) = 5952 exponentials, with the two deterministic number
types considered:

* stdlib :mod:`decimal`: 34 digits, ROUND_DOWN, with exp and sqrt evaluated at 40 digits and
  then rounded down to 34 (the stdlib always rounds those half-even);
* gmpy2 ``mpfr`` at 113 bits (34.0 digits), RoundToZero (the engine's Dec).

Both run the same literal algorithm (two-pass σ per reduced set, no shortcut), so only the
number type differs. Also prints the cost of one exp and one add/multiply in each. This is a
benchmark, not consensus code: it may read the clock.
"""

from __future__ import annotations

import argparse
import decimal
import json
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import gmpy2

from pyallora.core.dec import CONTEXT

_N = TypeVar("_N")


@dataclass(frozen=True)
class Backend(Generic[_N]):
    """The operations the kernel needs, for one number type."""

    name: str
    make: Callable[[str], _N]
    exp: Callable[[_N], _N]
    sqrt: Callable[[_N], _N]


def _decimal_backend() -> Backend[decimal.Decimal]:
    working = decimal.Context(prec=34, rounding=decimal.ROUND_DOWN)
    wide = decimal.Context(prec=40, rounding=decimal.ROUND_HALF_EVEN)

    def exp(x: decimal.Decimal) -> decimal.Decimal:
        return working.plus(wide.exp(x))

    def sqrt(x: decimal.Decimal) -> decimal.Decimal:
        return working.plus(wide.sqrt(x))

    return Backend("decimal (34 digits, ROUND_DOWN)", decimal.Decimal, exp, sqrt)


def _mpfr_backend() -> Backend[Any]:
    return Backend("gmpy2 mpfr (113 bits, RoundToZero)", gmpy2.mpfr, gmpy2.exp, gmpy2.sqrt)


def one_out_kernel(
    backend: Backend[Any], values: Sequence[Sequence[Any]], regrets: Sequence[Sequence[Any]]
) -> list[Any]:
    """Ĩ_k^{(−l)} for every forecaster k and withheld inferer l (§5.2–5.3, §6), literally."""
    make = backend.make
    exp, sqrt = backend.exp, backend.sqrt
    p, c, eps = make("3"), make("0.75"), make("0.01")
    one = make("1")
    cap = c + make("6.75") / p
    anchor = c - make("8.25") / p
    cut = c - make("17.25") / p
    out: list[Any] = []
    for xs, rs in zip(values, regrets, strict=True):
        n = len(xs)
        for withheld in range(n):
            rest_x = [x for i, x in enumerate(xs) if i != withheld]
            rest_r = [r for i, r in enumerate(rs) if i != withheld]
            m = len(rest_r)
            mean = sum(rest_r, make("0")) / m
            var = sum(((r - mean) * (r - mean) for r in rest_r), make("0")) / (m - 1)
            scale = abs(sqrt(var)) + eps
            normalized = [r / scale for r in rest_r]
            top = max(normalized)
            num, den = make("0"), make("0")
            for x, r in zip(rest_x, normalized, strict=True):
                r = min(r, cap)
                if top < anchor:
                    r = r - top + anchor
                if r < cut:
                    continue
                w = p / (one + exp(p * (c - r)))
                num = num + w * x
                den = den + w
            out.append(num / den)
    return out


@dataclass(frozen=True)
class Measurement:
    """Timings of one backend."""

    name: str
    kernel_ms: float
    exp_us: float
    add_us: float
    mul_us: float


def _time(func: Callable[[], object], repeat: int, number: int) -> float:
    """Best seconds per call over ``repeat`` rounds of ``number`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def measure_backend(
    backend: Backend[Any], inferers: int, forecasters: int, seed: int, repeat: int
) -> Measurement:
    """Time the kernel and single operations for one backend (inputs from ``seed``)."""
    rng = random.Random(seed)
    texts_x = [[f"{rng.gauss(0, 1):.17g}" for _ in range(inferers)] for _ in range(forecasters)]
    texts_r = [
        [f"{rng.uniform(-2.5, 0.5):.17g}" for _ in range(inferers)] for _ in range(forecasters)
    ]
    values = [[backend.make(t) for t in row] for row in texts_x]
    regrets = [[backend.make(t) for t in row] for row in texts_r]
    a, b = backend.make("1.2345678901234567"), backend.make("-0.7654321098765432")
    kernel = statistics.median(
        [_time(lambda: one_out_kernel(backend, values, regrets), 1, 1) for _ in range(repeat)]
    )
    return Measurement(
        name=backend.name,
        kernel_ms=kernel * 1000,
        exp_us=_time(lambda: backend.exp(a), 3, 2000) * 1e6,
        add_us=_time(lambda: a + b, 3, 20000) * 1e6,
        mul_us=_time(lambda: a * b, 3, 20000) * 1e6,
    )


def _run(args: argparse.Namespace) -> int:
    results = []
    with decimal.localcontext(decimal.Context(prec=34, rounding=decimal.ROUND_DOWN)):
        results.append(
            measure_backend(_decimal_backend(), args.inferers, args.forecasters, 3, args.repeat)
        )
    with gmpy2.context(CONTEXT):
        results.append(
            measure_backend(_mpfr_backend(), args.inferers, args.forecasters, 3, args.repeat)
        )
    exps = args.forecasters * args.inferers * (args.inferers - 1)
    if args.json:
        for r in results:
            print(
                json.dumps(
                    {
                        "backend": r.name,
                        "inferers": args.inferers,
                        "forecasters": args.forecasters,
                        "exponentials": exps,
                        "kernel_ms": round(r.kernel_ms, 3),
                        "exp_us": round(r.exp_us, 4),
                        "add_us": round(r.add_us, 4),
                        "mul_us": round(r.mul_us, 4),
                    }
                )
            )
        return 0
    print(
        f"one-out forecast-implied kernel (SYNTHESIS §6) at W={args.inferers}, "
        f"F={args.forecasters}: {exps} exponentials"
    )
    for r in results:
        print(
            f"  {r.name:<36} kernel {r.kernel_ms:9.1f} ms   exp {r.exp_us:6.2f} us   "
            f"add {r.add_us:5.3f} us   mul {r.mul_us:5.3f} us"
        )
    ratio = results[0].kernel_ms / results[1].kernel_ms
    print(f"  mpfr is {ratio:.1f}x faster on the kernel")
    return 0


def register(subparsers: Any) -> None:
    """Add ``allora bench numbers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "numbers",
        help="time the §6 one-out kernel with stdlib decimal vs gmpy2 mpfr",
        description=(
            "Time the one-out forecast-implied kernel (SYNTHESIS.md §6) with stdlib decimal "
            "(34 digits, ROUND_DOWN, exp/sqrt at 40 digits then rounded down) and with gmpy2 "
            "mpfr (113 bits, RoundToZero): the measurement behind the Dec number type."
        ),
    )
    parser.add_argument("--inferers", type=int, default=32, metavar="W", help="default 32")
    parser.add_argument("--forecasters", type=int, default=6, metavar="F", help="default 6")
    parser.add_argument("--repeat", type=int, default=3, help="kernel runs (median), default 3")
    parser.add_argument("--json", action="store_true", help="one JSON object per backend")
    parser.set_defaults(func=_run)
