"""Pruning of the per-nonce score lists (PROTOCOL.md §5.7 step 5e, §2.8; SYNTHESIS.md §12.1;
``rewards.state.prune_scores``).

One topic with E = 4, G = 4, W = 2, two inferers (one of them the only forecaster) and two
reputers, for 30 epochs. With one forecaster the §12.1 sample of 10 recent forecaster scores
reaches 9 epochs back, far behind the archive horizon (O − 3E). Three runs, block by block:

* **unpruned** (``prune_scores`` disabled): the reference's behaviour, the score lists grow
  by three per epoch;
* **pruned** (the default): every key other than a score list, and so every reward, EMA and
  balance, is identical to the unpruned run at every height; its score lists are a subset
  of the unpruned run's, and their number stays bounded;
* **naive** (every list at or below the horizon deleted): the forecaster rewards diverge,
  which shows that the sample really needs the lists the default keeps.

Under ``reference_compat`` nothing is pruned, as in the reference.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from emissions2_harness import (
    Actors,
    Chain,
    add_stake_msg,
    codes,
    create_topic_msg,
    fund_topic_msg,
    register_msg,
)

from pyallora.chain.abci_types import FinalizeBlockResult
from pyallora.chain.emissions.rewards import distribution
from pyallora.chain.emissions.rewards.state import count_score_lists
from pyallora.chain.emissions.stores import (
    FORECASTER_SCORES_BY_BLOCK,
    INFERER_SCORES_BY_BLOCK,
    REPUTER_SCORES_BY_BLOCK,
    TOPIC_HEIGHT_KEY,
)
from pyallora.chain.store.kv import KVStore

TOPIC = 1
EPOCH = 4
EPOCHS = 30
SCORE_PREFIXES = (
    INFERER_SCORES_BY_BLOCK.prefix,
    FORECASTER_SCORES_BY_BLOCK.prefix,
    REPUTER_SCORES_BY_BLOCK.prefix,
)

Pruner = Callable[[KVStore, int, int, int], int]


def _naive_prune(store: KVStore, topic_id: int, up_to: int, keep_samples: int) -> int:
    """Delete every score list at or below the horizon, needed or not."""
    deleted = 0
    for table in (INFERER_SCORES_BY_BLOCK, FORECASTER_SCORES_BY_BLOCK, REPUTER_SCORES_BY_BLOCK):
        prefix = TOPIC_HEIGHT_KEY.encode_prefix(topic_id)
        doomed = [key for key in table.keys(store, key_prefix=prefix) if key[1] <= up_to]
        for key in doomed:
            table.delete(store, key)
        deleted += len(doomed)
    return deleted


def _no_prune(store: KVStore, topic_id: int, up_to: int, keep_samples: int) -> int:
    return 0


def run(
    monkeypatch: pytest.MonkeyPatch, pruner: Pruner | None, *, compat: bool = False
) -> tuple[dict[int, dict[bytes, bytes]], dict[int, int]]:
    """Snapshots and score-list counts after every block of the scenario."""
    snapshots: dict[int, dict[bytes, bytes]] = {}
    lists: dict[int, int] = {}

    def on_block(chain: Chain, result: FinalizeBlockResult) -> None:
        snapshots[chain.height] = chain.snapshot()
        lists[chain.height] = count_score_lists(chain.store, TOPIC)

    with monkeypatch.context() as patch:
        if pruner is not None:
            patch.setattr(distribution, "prune_scores", pruner)
        chain = Chain(accounts=5, on_block=on_block, reference_compat=compat)
        creator, inferers, reputers = chain.keys[0], chain.keys[1:3], chain.keys[3:5]
        topic = create_topic_msg(
            creator, epoch_length=EPOCH, ground_truth_lag=EPOCH, worker_submission_window=2
        )
        assert chain.run_tx(creator, topic).code == 0
        txs = [chain.sign(w, register_msg(w, TOPIC, reputer=False)) for w in inferers]
        txs += [chain.sign(r, register_msg(r, TOPIC, reputer=True)) for r in reputers]
        txs += [
            chain.sign(r, add_stake_msg(r, TOPIC, 10**6 * (i + 1))) for i, r in enumerate(reputers)
        ]
        txs.append(chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**12)))
        assert all(code == ("", 0) for code in codes(chain.run_block(txs)))
        actors = Actors(chain, TOPIC, inferers, inferers[:1], reputers)
        for _ in range(EPOCHS * EPOCH):
            assert all(code == ("", 0) for code in codes(actors.step()))
    return snapshots, lists


def _without_scores(state: dict[bytes, bytes]) -> dict[bytes, bytes]:
    return {key: value for key, value in state.items() if not key.startswith(SCORE_PREFIXES)}


def _scores(state: dict[bytes, bytes]) -> dict[bytes, bytes]:
    return {key: value for key, value in state.items() if key.startswith(SCORE_PREFIXES)}


def test_pruning_keeps_every_score_a_reward_round_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    unpruned, unpruned_lists = run(monkeypatch, _no_prune)
    pruned, pruned_lists = run(monkeypatch, None)
    assert unpruned.keys() == pruned.keys()
    for height in sorted(pruned):
        assert _without_scores(pruned[height]) == _without_scores(unpruned[height]), height
        kept = _scores(pruned[height])
        assert kept.items() <= _scores(unpruned[height]).items(), height
    last = max(pruned)
    # The reference's lists grow by three per rewarded epoch; the pruned ones stay bounded:
    # per role, the lists above the horizon plus at most max_samples_to_scale_scores below.
    assert unpruned_lists[last] >= 3 * (EPOCHS - 5)
    assert max(pruned_lists.values()) <= 3 * (3 + 2 + 10)
    second_half = [count for height, count in pruned_lists.items() if height > last // 2]
    assert max(second_half) == max(pruned_lists.values())
    assert pruned_lists[last] < unpruned_lists[last] // 2


def test_the_sample_reaches_behind_the_archive_horizon(monkeypatch: pytest.MonkeyPatch) -> None:
    pruned, _ = run(monkeypatch, None)
    naive, _ = run(monkeypatch, _naive_prune)
    diverged = [
        height
        for height in sorted(pruned)
        if _without_scores(pruned[height]) != _without_scores(naive[height])
    ]
    assert diverged, "deleting the lists below the horizon must change the rewards"


def test_reference_compat_keeps_every_score_list(monkeypatch: pytest.MonkeyPatch) -> None:
    _, lists = run(monkeypatch, None, compat=True)
    counts = [lists[height] for height in sorted(lists)]
    assert counts == sorted(counts) and counts[-1] >= 3 * (EPOCHS - 5)
