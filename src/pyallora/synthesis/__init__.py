"""L1: the mathematics of SYNTHESIS.md as pure functions over frozen, typed inputs.

Nothing here touches a store, the clock, randomness or the environment; every number is a
:data:`~pyallora.core.dec.Dec` (or an ``int`` for money). Public entry points run under the
fixed MPFR context (:func:`~pyallora.core.dec.with_dec_context`).
"""
