"""State invariants of the nonce, submission and archive stores (PROTOCOL.md Appendix D 6-7).

Checks of part 2, run with part 1's by :func:`validate_all_emissions_invariants` after every
block of the multi-block tests. Each raises
:class:`~pyallora.chain.emissions.invariants.EmissionsInvariantError`.

=====  ============================================================================  =========
D      relation                                                                      check
=====  ============================================================================  =========
6      unfulfilled nonce lists are unique, newest first (strictly decreasing),        nonces
       within their caps; no nonce is both a worker and a reputer nonce of a topic;
       no worker window is registered at or before the finished block
7      active sets within their caps (C6 fixed; skipped under ``reference_compat``);  sets
       every active member has its submission and every stored submission belongs to
       a member; archives hold one record per address in address order, and
       archived forecast elements are about inferers archived at the same nonce
=====  ============================================================================  =========

(D 9, the mint's, belongs to the mint module.)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any, Final

from pyallora.chain.emissions.invariants import INVARIANT_CHECKS, EmissionsInvariantError
from pyallora.chain.emissions.nonces.state import (
    iterate_open_worker_windows,
    iterate_unfulfilled_reputer_nonces,
    iterate_unfulfilled_worker_nonces,
)
from pyallora.chain.emissions.params import get_params, is_reference_compat
from pyallora.chain.emissions.rewards.state import FORECASTER, INFERER, REPUTER
from pyallora.chain.emissions.stores import (
    ALL_FORECASTS,
    ALL_INFERENCES,
    ALL_LOSS_BUNDLES,
    FORECASTS,
    INFERENCES,
    LOSS_BUNDLES,
)
from pyallora.chain.emissions.submissions.state import iterate_active_sets
from pyallora.chain.store.collections import Map
from pyallora.chain.store.kv import ReadableKVStore

InvariantCheck = Callable[[ReadableKVStore, int], None]
"""``check(store, finished_height)``."""


def _require_sorted_unique(addresses: Sequence[str], what: str) -> None:
    if list(addresses) != sorted(addresses) or len(set(addresses)) != len(addresses):
        raise EmissionsInvariantError(f"{what}: not one per address in address order")


def validate_nonce_invariants(store: ReadableKVStore, height: int) -> None:
    """Invariant 6 (module docstring)."""
    params = get_params(store)
    workers = dict(iterate_unfulfilled_worker_nonces(store))
    reputers = dict(iterate_unfulfilled_reputer_nonces(store))
    for name, lists, cap in (
        ("worker", workers, params.max_unfulfilled_worker_requests),
        ("reputer", reputers, params.max_unfulfilled_reputer_requests),
    ):
        for topic_id, nonces in sorted(lists.items()):
            if any(a <= b for a, b in itertools.pairwise(nonces)):
                raise EmissionsInvariantError(
                    f"topic {topic_id}: {name} nonces {nonces} are not strictly newest first"
                )
            if len(nonces) > cap:
                raise EmissionsInvariantError(
                    f"topic {topic_id}: {len(nonces)} {name} nonces exceed the cap {cap}"
                )
    for topic_id, nonces in sorted(workers.items()):
        both = sorted(n for n in nonces if n in reputers.get(topic_id, ()))
        if both:
            raise EmissionsInvariantError(
                f"topic {topic_id}: nonces {both} are both worker and reputer nonces"
            )
    for window_height, _ in iterate_open_worker_windows(store):
        if window_height <= height:
            raise EmissionsInvariantError(
                f"a worker window is still registered at {window_height} after block {height}"
            )


def validate_working_set_invariants(store: ReadableKVStore, height: int) -> None:
    """Invariant 7 (module docstring)."""
    params = get_params(store)
    compat = is_reference_compat(store)
    caps = {
        INFERER: params.max_top_inferers_to_reward,
        FORECASTER: params.max_top_forecasters_to_reward,
        REPUTER: params.max_top_reputers_to_reward,
    }
    tables: dict[str, Map[tuple[int, str], Any]] = {
        INFERER: INFERENCES,
        FORECASTER: FORECASTS,
        REPUTER: LOSS_BUNDLES,
    }
    for role in (INFERER, FORECASTER, REPUTER):
        members = list(iterate_active_sets(store, role))
        counts: dict[int, int] = {}
        for topic_id, _ in members:
            counts[topic_id] = counts.get(topic_id, 0) + 1
        if not compat:
            for topic_id, count in sorted(counts.items()):
                if count > caps[role]:
                    raise EmissionsInvariantError(
                        f"topic {topic_id}: {count} active {role}s exceed the cap {caps[role]}"
                    )
            stored = list(tables[role].keys(store))
            if sorted(stored) != sorted(members):
                raise EmissionsInvariantError(
                    f"active {role}s and stored {role} submissions differ"
                )
    for (topic_id, nonce), inferences in ALL_INFERENCES.iterate(store):
        inferers = [i.inferer for i in inferences.inferences]
        _require_sorted_unique(inferers, f"inferences archived at ({topic_id}, {nonce})")
        forecasts = ALL_FORECASTS.get(store, (topic_id, nonce))
        if forecasts is None:
            continue
        forecasters = [f.forecaster for f in forecasts.forecasts]
        _require_sorted_unique(forecasters, f"forecasts archived at ({topic_id}, {nonce})")
        for forecast in forecasts.forecasts:
            if not forecast.forecast_elements or any(
                e.inferer not in inferers for e in forecast.forecast_elements
            ):
                raise EmissionsInvariantError(
                    f"forecast of {forecast.forecaster} at ({topic_id}, {nonce}) has elements "
                    "about inferers that were not archived (or none)"
                )
    for (topic_id, nonce), bundles in ALL_LOSS_BUNDLES.iterate(store):
        reporters = [b.value_bundle.reputer for b in bundles.reputer_value_bundles]
        _require_sorted_unique(reporters, f"loss bundles archived at ({topic_id}, {nonce})")


PART2_CHECKS: Final[tuple[InvariantCheck, ...]] = (
    validate_nonce_invariants,
    validate_working_set_invariants,
)
"""Part 2's checks, in Appendix D order."""


def validate_all_emissions_invariants(store: ReadableKVStore, height: int) -> None:
    """Part 1's :data:`~pyallora.chain.emissions.invariants.INVARIANT_CHECKS`, then
    :data:`PART2_CHECKS`, on the state after block ``height``.

    Raises
    ------
    EmissionsInvariantError
        From the first failing check.
    """
    for check in (*INVARIANT_CHECKS, *PART2_CHECKS):
        check(store, height)
