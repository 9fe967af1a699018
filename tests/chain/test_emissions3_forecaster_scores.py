"""Worker scores over a topic's first epochs on the standard modules (SYNTHESIS.md §10, §17;
PROTOCOL.md §5.6–5.7).

The long-run harness's topic (5 inferers, 3 forecasters, 5 reputers; E = G = 12, W = 6,
α_R = 0.1) for 20 epochs, with forecasters of different quality: ``good`` forecasts each
inferer's true log10 loss, ``inverted`` its negation, ``noise`` the harness's noise. Reward
nonces are 15, 27, 39, …; nonce N's bundle is queried at N + 12, closed and paid at N + 24.

Pinned behaviour (all of it spec, not glue):

* **first reward nonce** (15): no network loss is stored yet, so the value bundle is the
  median and a naive value of 0 with no forecast-implied, one-out or one-in values (§17,
  first bullet); with no one-out losses there are no inferer scores and with no forecaster
  losses no forecaster scores (§10), so no worker is scored or paid;
* **"all inferers new" bootstrap** (nonces 27 … 147): the topic's initial regret R₀ is still
  exactly 0 because §9.3 only sets it from *experienced* workers (a stored regret and at least
  1/α_R = 10 paid epochs). Every member of §7 is then the plain mean of its inferences and
  each forecast-implied value the median of the inferences (§17, third bullet), so
  N = N⁻ = N⁺_k = N⁻_k, hence L⁻ − L⁺_k = 0 and L⁻_k − L = 0: every forecaster scores
  exactly 0 while the inferers (one-out means differ) get non-zero scores. Workers are paid
  from nonce 27 on, so at nonce 147's loss round every worker has 10 inclusions and R₀ leaves
  0; nonce 147's bundle was computed before that (at 159), so 159 is the first full epoch;
* **after the bootstrap** (nonces ≥ 159): the full §6–§7 family; every forecaster score is
  non-zero, the three differ, and the good forecaster out-scores the others.

The chain's stored scores and network losses are also checked against the engine
(:mod:`pyallora.synthesis.epoch`) called directly on the same inputs: the archived inferences
and forecasts, the reputers' reports and the state the loss round started from.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from emissions2_harness import (
    Actors,
    MintedChain,
    add_stake_msg,
    codes,
    create_topic_msg,
    fund_topic_msg,
    register_msg,
    synthetic_noise,
    synthetic_truth,
)

import pyallora.chain.emissions.nonces.close as close_module
from pyallora.chain.emissions.nonces.state import (
    get_archived_forecasts,
    get_archived_inferences,
    get_network_loss_bundle,
)
from pyallora.chain.emissions.outputs.network import compute_network_output
from pyallora.chain.emissions.params import get_params
from pyallora.chain.emissions.rewards.state import (
    FORECASTER,
    INFERER,
    REPUTER,
    get_inclusion_count,
    get_scores_at_block,
)
from pyallora.chain.emissions.rewards.synthesis_state import (
    compute_synthesis_params,
    load_synthesis_state,
)
from pyallora.chain.emissions.submissions.bundles import (
    forecast_to_engine,
    inference_to_engine,
    value_bundle_to_engine,
)
from pyallora.chain.emissions.topics.state import get_topic
from pyallora.client.keys import PrivateKey
from pyallora.core.dec import Dec, dec, dec_context
from pyallora.synthesis.epoch import (
    compute_epoch_outcome,
    compute_loss_round,
    compute_network_inferences,
)
from pyallora.synthesis.types import EpochOutcome, NetworkInferences, ValueBundle

TOPIC = 1
EPOCH = 12
EPOCHS = 20
FIRST_NONCE = 15
BOOTSTRAP_NONCES = tuple(range(27, 148, EPOCH))
"""Nonces 27 … 147: eleven bundles computed while R₀ = 0 (module docstring)."""
FIRST_FULL_NONCE = 159
TOLERANCE = dec("1e-25")
"""Stored network losses are wire text (~1e-31 rounding); scores are their differences."""


class QualityActors(Actors):
    """The harness actors with forecasters of different quality (module docstring)."""

    def _forecast(self, key: PrivateKey, nonce: int, inferers: list[str]) -> list[tuple[str, str]]:
        truth = synthetic_truth(nonce)
        rank = self.forecasters.index(key)
        elements = []
        for index, address in enumerate(inferers):
            # The inferers' values as Actors.worker_txs computes them.
            value = truth + (index - 2) * 0.7 + synthetic_noise(f"i{index}:{nonce}", 1.5)
            loss = math.log10(abs(value - truth) + 0.001)
            if rank == 0:
                forecast = loss
            elif rank == 1:
                forecast = -loss
            else:
                forecast = 0.2 + synthetic_noise(f"f{key.address}:{address}:{nonce}", 0.3)
            elements.append((address, f"{forecast:.6f}"))
        return elements


@dataclass
class NonceRecord:
    """What the run saw about one reward nonce."""

    mode: str = ""
    initial_regret_at_query: str = ""
    bundle: ValueBundle | None = None
    direct: NetworkInferences | None = None
    loss_round_inputs: dict[str, Any] = field(default_factory=dict)
    network_losses: ValueBundle | None = None
    inferer_scores: dict[str, Dec] | None = None
    forecaster_scores: dict[str, Dec] | None = None
    reputer_scores: dict[str, Dec] = field(default_factory=dict)
    inferer_inclusions: list[int] = field(default_factory=list)
    initial_regret_after: str = ""


@dataclass(repr=False)
class Run:
    """The records of the run (by nonce) and the actors' addresses."""

    records: dict[int, NonceRecord]
    inferers: list[str]
    forecasters: list[str]
    reputers: list[str]
    alpha_regret: Dec


class RecordingActors(QualityActors):
    """Records the value bundle the reputers score, with the engine's own computation."""

    records: dict[int, NonceRecord]

    def reputer_txs(self) -> list[bytes]:
        before = set(self.done_reputer)
        txs: list[bytes] = super().reputer_txs()
        store = self.chain.store
        for nonce in sorted(set(self.done_reputer) - before):
            topic = get_topic(store, TOPIC)
            assert topic is not None
            params = get_params(store)
            output = compute_network_output(store, topic, nonce, reply_nonce=nonce)
            with dec_context():
                direct = compute_network_inferences(
                    inferences=[
                        inference_to_engine(i) for i in get_archived_inferences(store, TOPIC, nonce)
                    ],
                    forecasts=[
                        forecast_to_engine(f) for f in get_archived_forecasts(store, TOPIC, nonce)
                    ],
                    state=load_synthesis_state(store, topic, params, nonce=nonce),
                    params=compute_synthesis_params(topic, params),
                )
                bundle = value_bundle_to_engine(output.bundle)
            self.records[nonce] = NonceRecord(
                mode=output.mode,
                initial_regret_at_query=topic.initial_regret,
                bundle=bundle,
                direct=direct,
            )
        return txs


def _scores(store: Any, role: str, nonce: int) -> dict[str, Dec]:
    return {r.address: r.score for r in get_scores_at_block(store, role, TOPIC, nonce)}


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    records: dict[int, NonceRecord] = {}
    closing: list[int] = []
    original_close = close_module.close_reputer_nonce
    original_loss_round = compute_loss_round

    def close_spy(ctx: Any, store: Any, topic_id: int, nonce: int) -> None:
        closing.append(nonce)
        original_close(ctx, store, topic_id, nonce)

    def loss_round_spy(**kwargs: Any) -> Any:
        records[closing[-1]].loss_round_inputs = kwargs
        return original_loss_round(**kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(close_module, "close_reputer_nonce", close_spy)
        patch.setattr(close_module, "compute_loss_round", loss_round_spy)
        chain = MintedChain(accounts=14)
        chain.chain.block()
        keys = chain.keys
        creator, inferers, forecasters, reputers = keys[0], keys[1:6], keys[6:9], keys[9:14]
        topic_msg = create_topic_msg(
            creator, epoch_length=EPOCH, ground_truth_lag=EPOCH, worker_submission_window=6
        )
        assert chain.run_tx(creator, topic_msg).code == 0
        txs = [
            chain.sign(w, register_msg(w, TOPIC, reputer=False)) for w in (*inferers, *forecasters)
        ]
        txs += [chain.sign(r, register_msg(r, TOPIC, reputer=True)) for r in reputers]
        txs += [
            chain.sign(r, add_stake_msg(r, TOPIC, 10**6 * (i + 1))) for i, r in enumerate(reputers)
        ]
        txs.append(chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**12)))
        assert all(code == ("", 0) for code in codes(chain.run_block(txs)))
        actors = RecordingActors(chain, TOPIC, inferers, forecasters, reputers)
        actors.records = records
        for _ in range(EPOCHS * EPOCH):
            block = actors.step()
            assert all(code == ("", 0) for code in codes(block)), chain.height
            store = chain.store
            for nonce, record in records.items():
                if record.network_losses is not None:
                    continue
                losses = get_network_loss_bundle(store, TOPIC, nonce)
                reputer_scores = _scores(store, REPUTER, nonce)
                if losses is None or not reputer_scores:
                    continue  # not closed or not paid yet
                with dec_context():
                    record.network_losses = value_bundle_to_engine(losses)
                record.inferer_scores = _scores(store, INFERER, nonce)
                record.forecaster_scores = _scores(store, FORECASTER, nonce)
                record.reputer_scores = reputer_scores
                record.inferer_inclusions = [
                    get_inclusion_count(store, INFERER, TOPIC, key.address) for key in inferers
                ]
                topic = get_topic(store, TOPIC)
                assert topic is not None
                record.initial_regret_after = topic.initial_regret
        yield Run(
            records={n: r for n, r in sorted(records.items()) if r.network_losses is not None},
            inferers=[key.address for key in inferers],
            forecasters=[key.address for key in forecasters],
            reputers=[key.address for key in reputers],
            alpha_regret=dec(topic_msg.alpha_regret),
        )


def _max_difference(a: Mapping[Any, Dec], b: Mapping[Any, Dec]) -> Dec:
    assert sorted(a) == sorted(b)
    return max((abs(a[k] - b[k]) for k in a), default=dec(0))


def _replay(record: NonceRecord) -> EpochOutcome:
    inputs = record.loss_round_inputs
    assert record.direct is not None and inputs
    return compute_epoch_outcome(
        network_inferences=record.direct,
        reports=inputs["reports"],
        state=inputs["state"],
        params=inputs["params"],
        topic_reward=dec(1000),
    )


def test_modes_follow_the_bootstrap_schedule(run: Run) -> None:
    modes = {nonce: record.mode for nonce, record in run.records.items()}
    assert modes[FIRST_NONCE] == "no_previous_loss"
    assert {n: modes[n] for n in BOOTSTRAP_NONCES} == dict.fromkeys(
        BOOTSTRAP_NONCES, "all_inferers_new"
    )
    full = [n for n in modes if n >= FIRST_FULL_NONCE]
    assert len(full) >= 5
    assert all(modes[n] == "full" for n in full)
    assert sorted(modes) == [FIRST_NONCE, *BOOTSTRAP_NONCES, *full]
    # R₀ is exactly 0 for every bootstrap bundle and leaves 0 at the loss round of the last
    # one, when every inferer has been paid 1/α_R times (§9.3).
    for nonce in (FIRST_NONCE, *BOOTSTRAP_NONCES):
        assert dec(run.records[nonce].initial_regret_at_query) == 0
    last = run.records[BOOTSTRAP_NONCES[-1]]
    assert dec(last.initial_regret_after) != 0
    assert dec(run.records[BOOTSTRAP_NONCES[-2]].initial_regret_after) == 0
    paid_before_last_loss_round = [count - 1 for count in last.inferer_inclusions]
    assert min(paid_before_last_loss_round) >= int(1 / run.alpha_regret)
    for nonce in full:
        assert dec(run.records[nonce].initial_regret_at_query) != 0


def test_first_reward_nonce_scores_no_worker(run: Run) -> None:
    record = run.records[FIRST_NONCE]
    assert record.bundle is not None
    assert record.bundle.naive == 0
    assert sorted(record.bundle.inferers) == sorted(run.inferers)
    for block in (
        record.bundle.forecasters,
        record.bundle.one_out_inferers,
        record.bundle.one_out_forecasters,
        record.bundle.one_in_forecasters,
        record.bundle.one_out_inferer_forecasters,
    ):
        assert not block
    assert record.inferer_scores == {}
    assert record.forecaster_scores == {}
    assert sorted(record.reputer_scores) == sorted(run.reputers)
    assert record.inferer_inclusions == [0] * len(run.inferers)


def test_bootstrap_forecasters_score_exactly_zero(run: Run) -> None:
    for nonce in BOOTSTRAP_NONCES:
        record = run.records[nonce]
        bundle = record.bundle
        assert bundle is not None and bundle.combined is not None
        assert sorted(bundle.forecasters) == sorted(run.forecasters)
        # Each forecaster forecast every inferer: its implied value is their median (§17).
        assert len(set(bundle.forecasters.values())) == 1
        assert bundle.naive == bundle.combined
        for k in run.forecasters:
            assert bundle.one_in_forecasters[k] == bundle.combined
            assert bundle.one_out_forecasters[k] == bundle.combined
        assert record.forecaster_scores == dict.fromkeys(run.forecasters, dec(0))
        assert record.inferer_scores is not None
        assert sorted(record.inferer_scores) == sorted(run.inferers)
        assert any(score != 0 for score in record.inferer_scores.values())


def test_forecaster_scores_after_bootstrap_are_non_zero_and_ranked(run: Run) -> None:
    full = [n for n in run.records if n >= FIRST_FULL_NONCE]
    good, inverted, noise = run.forecasters
    totals = dict.fromkeys(run.forecasters, dec(0))
    for nonce in full:
        record = run.records[nonce]
        assert record.bundle is not None
        assert len(set(record.bundle.forecasters.values())) == len(run.forecasters)
        scores = record.forecaster_scores
        assert scores is not None and sorted(scores) == sorted(run.forecasters)
        assert all(score != 0 for score in scores.values()), nonce
        assert len(set(scores.values())) == len(run.forecasters), nonce
        for k, score in scores.items():
            totals[k] += score
    assert totals[good] > totals[inverted]
    assert totals[good] > totals[noise]
    assert totals[good] > 0


def test_chain_matches_the_engine_called_directly(run: Run) -> None:
    with dec_context():
        for nonce, record in run.records.items():
            assert record.direct is not None and record.bundle is not None
            assert record.direct.mode == record.mode
            direct_entries = dict(record.direct.bundle.entries())
            assert _max_difference(dict(record.bundle.entries()), direct_entries) < TOLERANCE
            outcome = _replay(record)
            assert record.network_losses is not None
            assert (
                _max_difference(
                    dict(record.network_losses.entries()), dict(outcome.network_losses.entries())
                )
                < TOLERANCE
            ), nonce
            assert record.inferer_scores is not None and record.forecaster_scores is not None
            assert _max_difference(record.inferer_scores, outcome.inferer_scores) < TOLERANCE
            assert _max_difference(record.forecaster_scores, outcome.forecaster_scores) < TOLERANCE
