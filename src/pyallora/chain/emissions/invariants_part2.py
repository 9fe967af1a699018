"""State invariants of the nonce, submission and archive stores (PROTOCOL.md Appendix D 6-7).

Part 2's checks; :mod:`.invariants` lists them in
:data:`~pyallora.chain.emissions.invariants.INVARIANT_CHECKS` after part 1's, so every
harness that runs that list runs them. Each raises
:class:`~pyallora.chain.emissions.errors.EmissionsInvariantError`.

=====  ============================================================================  =========
D      relation                                                                      check
=====  ============================================================================  =========
6      unfulfilled nonce lists are unique, newest first (strictly decreasing),        nonces
       within their caps; no nonce is both a worker and a reputer nonce of a topic;
       no worker window is registered at or before the finished block
7      active sets within their caps (C6 fixed; skipped under ``reference_compat``);  sets
       every active member has its submission and every stored submission belongs to
       a member; archives hold one record per address in address order, and
       archived forecast elements are about inferers archived at the same nonce;
       every archived inferer and forecaster has registered as a worker (its node
       info exists: the chain keeps it forever)
7      every inference and forecast archived at (topic, n) belongs to an address      history
       registered as a worker of the topic when it submitted (needs the
       registration history: :class:`RegistrationHistory`)
=====  ============================================================================  =========

The chain stores no registration history, and it must not store one only for a test, so
the last clause is checked by an observer: a :class:`RegistrationHistory` that a harness
creates once per chain and hands to
:func:`~pyallora.chain.emissions.invariants.validate_emissions_invariants` after every
block. It remembers, for every (topic, worker), the blocks after which it was registered,
and checks every archive that appeared since the previous block: each of its inferers and
forecasters must have been registered at the end of some block between n − 1 (a worker
submits in a block ≥ n, registered at the end of the block before or by its own
registration in that block) and the block before the archive appeared (the window's last
submission block). Under ``reference_compat`` a failed close leaves the working sets in
place (quirk C22), so an archived submission may come from an earlier window: there the
lower bound is the first observed block. Archives present when the history starts (a
genesis import) are not checked.

(D 9, the mint's, belongs to the mint module.)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any, Final

from pyallora.chain.emissions.errors import EmissionsInvariantError
from pyallora.chain.emissions.nonces.state import (
    iterate_open_worker_windows,
    iterate_unfulfilled_reputer_nonces,
    iterate_unfulfilled_worker_nonces,
)
from pyallora.chain.emissions.params import get_params, is_reference_compat
from pyallora.chain.emissions.registration.state import get_node_info, iterate_registered
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


def _archived_workers(store: ReadableKVStore, topic_id: int, nonce: int) -> list[str]:
    """Inferers, then forecasters, archived at ``(topic_id, nonce)``."""
    inferences = ALL_INFERENCES.get(store, (topic_id, nonce))
    forecasts = ALL_FORECASTS.get(store, (topic_id, nonce))
    workers = [] if inferences is None else [i.inferer for i in inferences.inferences]
    if forecasts is not None:
        workers.extend(f.forecaster for f in forecasts.forecasts)
    return workers


def validate_working_set_invariants(store: ReadableKVStore, height: int) -> None:
    """Invariant 7 without the registration history (module docstring)."""
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
        if forecasts is not None:
            forecasters = [f.forecaster for f in forecasts.forecasts]
            _require_sorted_unique(forecasters, f"forecasts archived at ({topic_id}, {nonce})")
            for forecast in forecasts.forecasts:
                if not forecast.forecast_elements or any(
                    e.inferer not in inferers for e in forecast.forecast_elements
                ):
                    raise EmissionsInvariantError(
                        f"forecast of {forecast.forecaster} at ({topic_id}, {nonce}) has "
                        "elements about inferers that were not archived (or none)"
                    )
        for address in _archived_workers(store, topic_id, nonce):
            if get_node_info(store, address, is_reputer=False) is None:
                raise EmissionsInvariantError(
                    f"{address} archived at ({topic_id}, {nonce}) never registered as a worker"
                )
    for (topic_id, nonce), bundles in ALL_LOSS_BUNDLES.iterate(store):
        reporters = [b.value_bundle.reputer for b in bundles.reputer_value_bundles]
        _require_sorted_unique(reporters, f"loss bundles archived at ({topic_id}, {nonce})")


PART2_CHECKS: Final[tuple[InvariantCheck, ...]] = (
    validate_nonce_invariants,
    validate_working_set_invariants,
)
"""Part 2's stateless checks, in Appendix D order."""


class RegistrationHistory:
    """When each worker was registered, observed block by block (D7's history clause).

    A harness keeps one per chain and passes it to
    :func:`~pyallora.chain.emissions.invariants.validate_emissions_invariants` after every
    committed block, which calls :meth:`validate_and_record`.
    """

    def __init__(self) -> None:
        self._spans: dict[tuple[int, str], list[list[int]]] = {}
        """(topic, worker) → ``[first, last]`` runs of observed heights it was registered at."""
        self._archives: dict[tuple[int, int], int] = {}
        """(topic, nonce) of every archive seen → the height it was first seen after."""
        self._first: int | None = None
        self._last: int | None = None

    def was_registered(self, topic_id: int, address: str, low: int | None, high: int) -> bool:
        """Whether the worker was registered at the end of some observed block in
        ``[low, high]`` (``low`` ``None``: since the first observation)."""
        for first, last in self._spans.get((topic_id, address), ()):
            if first <= high and (low is None or last >= low):
                return True
        return False

    def _record(self, store: ReadableKVStore, height: int) -> None:
        previous = self._last
        for key in iterate_registered(store, is_reputer=False):
            spans = self._spans.setdefault(key, [])
            if spans and previous is not None and spans[-1][1] == previous:
                spans[-1][1] = height
            else:
                spans.append([height, height])
        if self._first is None:
            self._first = height
        self._last = height

    def validate_and_record(self, store: ReadableKVStore, height: int) -> None:
        """Record the registrations after block ``height``, then check the archives that
        appeared in it (module docstring).

        Raises
        ------
        EmissionsInvariantError
            If an archived inferer or forecaster was not registered in the topic during
            its submission window.
        """
        starting = self._last is None
        self._record(store, height)
        compat = is_reference_compat(store)
        for topic_id, nonce in ALL_INFERENCES.keys(store):
            if (topic_id, nonce) in self._archives:
                continue
            self._archives[(topic_id, nonce)] = height
            if starting:
                continue
            low = None if compat else nonce - 1
            for address in _archived_workers(store, topic_id, nonce):
                if not self.was_registered(topic_id, address, low, height - 1):
                    raise EmissionsInvariantError(
                        f"{address} archived at ({topic_id}, {nonce}) after block {height} was "
                        "not a registered worker of the topic when it submitted"
                    )
