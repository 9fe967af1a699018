"""The score, regret, stake-removal and active-set queries no other test calls (PROTOCOL.md
§4.5, §4.6), the events of the reward step and of Appendix B.2, after a run of synthetic
activity; every answer is checked against the stores it reads.

Topic: E = 6, W = 3, G = 6; four inferers (two of them also forecast), one more forecaster,
three reputers, a delegator; reputer 0 has a pending stake removal. The run ends in a block
where both the forecaster and the reputer active sets are non-empty.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from emissions2_harness import (
    Actors,
    Chain,
    add_stake_msg,
    codes,
    create_topic_msg,
    delegate_msg,
    fund_topic_msg,
    register_msg,
)

from pyallora.chain.abci_types import Event, FinalizeBlockResult
from pyallora.chain.emissions.dec_text import dec_to_field_text
from pyallora.chain.emissions.nonces.state import get_last_reputer_commit
from pyallora.chain.emissions.rewards.state import FORECASTER, REPUTER, iterate_regrets
from pyallora.chain.emissions.stores import (
    COUNT_FORECASTER_INCLUSIONS_IN_TOPIC,
    FORECASTER_SCORE_EMAS,
    FORECASTER_SCORES_BY_BLOCK,
    INFERER_SCORES_BY_BLOCK,
    PREVIOUS_FORECAST_REWARD_FRACTION,
    PREVIOUS_REPUTER_REWARD_FRACTION,
    PREVIOUS_TOPIC_QUANTILE_FORECASTER_SCORE_EMA,
    PREVIOUS_TOPIC_QUANTILE_INFERER_SCORE_EMA,
    REPUTER_SCORE_EMAS,
    REPUTER_SCORES_BY_BLOCK,
    TOPIC_HEIGHT_KEY,
)
from pyallora.chain.emissions.submissions.state import get_active_set
from pyallora.chain.store.collections import Map
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import query_pb2 as q
from pyallora.proto.emissions.v5 import tx_pb2 as tx

TOPIC = 1
EPOCH, WINDOW, LAG = 6, 3, 6
REMOVAL = 12_345


class Run:
    """The chain after the scenario, its actors and every block result."""

    def __init__(self) -> None:
        self.chain = Chain(accounts=10)
        keys = self.chain.keys
        self.creator = keys[0]
        self.inferers = keys[1:5]
        self.forecasters = [*keys[3:5], keys[5]]
        self.reputers = keys[6:9]
        self.delegator = keys[9]
        self.removal_height = 0

    def start(self) -> None:
        chain, creator = self.chain, self.creator
        topic = create_topic_msg(
            creator, epoch_length=EPOCH, ground_truth_lag=LAG, worker_submission_window=WINDOW
        )
        assert chain.run_tx(creator, topic).code == 0
        workers = [*self.inferers, self.forecasters[-1]]
        txs = [chain.sign(w, register_msg(w, TOPIC, reputer=False)) for w in workers]
        txs += [chain.sign(r, register_msg(r, TOPIC, reputer=True)) for r in self.reputers]
        txs += [
            chain.sign(r, add_stake_msg(r, TOPIC, 10**6 * (i + 1)))
            for i, r in enumerate(self.reputers)
        ]
        txs.append(
            chain.sign(
                self.delegator, delegate_msg(self.delegator, TOPIC, self.reputers[1].address, 7000)
            )
        )
        txs.append(chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**9)))
        assert all(code == ("", 0) for code in codes(chain.run_block(txs)))

    def play(self) -> None:
        actors = Actors(self.chain, TOPIC, self.inferers, self.forecasters, self.reputers)
        for _ in range(60):
            assert all(code == ("", 0) for code in codes(actors.step()))
        reputer = self.reputers[0]
        removal = tx.RemoveStakeRequest(sender=reputer.address, topic_id=TOPIC, amount=str(REMOVAL))
        assert self.chain.run_tx(reputer, removal).code == 0
        self.removal_height = self.chain.height
        for _ in range(4 * EPOCH):
            store = self.chain.store
            if get_active_set(store, FORECASTER, TOPIC) and get_active_set(store, REPUTER, TOPIC):
                return
            assert all(code == ("", 0) for code in codes(actors.step()))
        raise AssertionError("no block with both active sets non-empty")

    def events(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        """``(height, parsed attributes)`` of every event named ``name``, block by block
        (transaction events first)."""
        found = []
        for height, result in sorted(self.chain.results.items()):
            for event in _block_events(result):
                if event.type == name:
                    attributes = {
                        key: json.loads(value) for key, value in event.attributes if key != "mode"
                    }
                    found.append((height, attributes))
        return found


def _block_events(result: FinalizeBlockResult) -> list[Event]:
    return [event for tx_result in result.tx_results for event in tx_result.events] + list(
        result.events
    )


@pytest.fixture(scope="module")
def run() -> Run:
    scenario = Run()
    scenario.start()
    scenario.play()
    return scenario


def _ask(run: Run, method: str, **fields: Any) -> Any:
    request = getattr(q, method + "Request")(topic_id=TOPIC, **fields)
    return run.chain.query(method, request, getattr(q, method + "Response"))


# ---------------------------------------------------------------------------------------------
# Active sets, stake removal


def test_active_reputers_and_the_stake_removal(run: Run) -> None:
    reputers = list(_ask(run, "GetActiveReputersForTopic").reputers)
    assert reputers == list(get_active_set(run.chain.store, REPUTER, TOPIC))
    assert reputers and set(reputers) <= {key.address for key in run.reputers}
    reputer = run.reputers[0].address
    info = run.chain.query(
        "GetStakeRemovalForReputerAndTopicId",
        q.GetStakeRemovalForReputerAndTopicIdRequest(reputer=reputer, topic_id=TOPIC),
        q.GetStakeRemovalForReputerAndTopicIdResponse,
    ).stake_removal_info
    assert (info.reputer, info.topic_id, info.amount) == (reputer, TOPIC, str(REMOVAL))
    assert info.block_removal_started == run.removal_height
    assert info.block_removal_completed == run.removal_height + 10
    other = q.GetStakeRemovalForReputerAndTopicIdRequest(
        reputer=run.reputers[1].address, topic_id=TOPIC
    )
    assert run.chain.query_code("GetStakeRemovalForReputerAndTopicId", other) == ("sdk", 38)


# ---------------------------------------------------------------------------------------------
# Score EMAs, lowest members, quantiles


@pytest.mark.parametrize(
    ("method", "field", "table", "actors"),
    [
        ("GetForecasterScoreEma", "forecaster", FORECASTER_SCORE_EMAS, "forecasters"),
        ("GetReputerScoreEma", "reputer", REPUTER_SCORE_EMAS, "reputers"),
    ],
)
def test_score_emas(
    run: Run, method: str, field: str, table: Map[tuple[int, str], Any], actors: str
) -> None:
    for key in getattr(run, actors):
        score = _ask(run, method, **{field: key.address}).score
        stored = table.get(run.chain.store, (TOPIC, key.address))
        assert stored is not None and score == stored
        assert score.block_height > 0 and score.address == key.address
    fresh = _ask(run, method, **{field: run.creator.address}).score
    assert (fresh.block_height, fresh.score) == (0, "0")


@pytest.mark.parametrize(
    ("method", "role", "table"),
    [
        ("GetCurrentLowestForecasterScore", FORECASTER, FORECASTER_SCORE_EMAS),
        ("GetCurrentLowestReputerScore", REPUTER, REPUTER_SCORE_EMAS),
    ],
)
def test_current_lowest_scores(
    run: Run, method: str, role: str, table: Map[tuple[int, str], Any]
) -> None:
    store = run.chain.store
    members = get_active_set(store, role, TOPIC)
    assert members
    records = [(address, table.get(store, (TOPIC, address))) for address in members]
    scored = [(address, record) for address, record in records if record is not None]
    lowest = _ask(run, method).score
    if not scored:
        assert lowest.address in members
        return
    expected = min(scored, key=lambda item: _decimal(item[1].score))
    assert lowest.address == expected[0] and lowest.score == expected[1].score


def _decimal(text: str) -> Any:
    from decimal import Decimal

    return Decimal(text)


@pytest.mark.parametrize(
    ("method", "table"),
    [
        ("GetPreviousTopicQuantileInfererScoreEma", PREVIOUS_TOPIC_QUANTILE_INFERER_SCORE_EMA),
        (
            "GetPreviousTopicQuantileForecasterScoreEma",
            PREVIOUS_TOPIC_QUANTILE_FORECASTER_SCORE_EMA,
        ),
    ],
)
def test_topic_quantiles(run: Run, method: str, table: Map[int, Any]) -> None:
    stored = table.get(run.chain.store, TOPIC)
    assert stored is not None
    assert _ask(run, method).value == dec_to_field_text(stored)


# ---------------------------------------------------------------------------------------------
# Per-nonce scores


def _reward_nonces(run: Run) -> list[int]:
    prefix = TOPIC_HEIGHT_KEY.encode_prefix(TOPIC)
    return [
        nonce for _, nonce in FORECASTER_SCORES_BY_BLOCK.keys(run.chain.store, key_prefix=prefix)
    ]


def test_forecast_scores_at_and_until_a_block(run: Run) -> None:
    store = run.chain.store
    nonces = _reward_nonces(run)
    assert len(nonces) >= 2
    for nonce in nonces:
        at = _ask(run, "GetWorkerForecastScoresAtBlock", block_height=nonce).scores.scores
        stored = FORECASTER_SCORES_BY_BLOCK.get(store, (TOPIC, nonce))
        assert stored is not None and list(at) == list(stored.scores)
        assert all(score.block_height == nonce for score in at)
    for height in (nonces[-1], nonces[-1] + 1, nonces[1]):
        until = _ask(run, "GetForecastScoresUntilBlock", block_height=height).scores
        expected: list[types_pb2.Score] = []
        for nonce in sorted((n for n in nonces if n <= height), reverse=True):
            stored = FORECASTER_SCORES_BY_BLOCK.get(store, (TOPIC, nonce))
            assert stored is not None
            expected.extend(stored.scores)
        assert list(until) == expected[:10], height
    assert list(_ask(run, "GetForecastScoresUntilBlock", block_height=nonces[0] - 1).scores) == []


# ---------------------------------------------------------------------------------------------
# Reward fractions and inclusion counts


@pytest.mark.parametrize(
    ("method", "field", "table", "actors"),
    [
        (
            "GetPreviousReputerRewardFraction",
            "reputer",
            PREVIOUS_REPUTER_REWARD_FRACTION,
            "reputers",
        ),
        (
            "GetPreviousForecastRewardFraction",
            "worker",
            PREVIOUS_FORECAST_REWARD_FRACTION,
            "forecasters",
        ),
    ],
)
def test_reward_fractions(
    run: Run, method: str, field: str, table: Map[tuple[int, str], Any], actors: str
) -> None:
    total = 0
    for key in getattr(run, actors):
        answer = _ask(run, method, **{field: key.address})
        stored = table.get(run.chain.store, (TOPIC, key.address))
        assert stored is not None and not answer.not_found
        assert answer.reward_fraction == dec_to_field_text(stored)
        total += _decimal(answer.reward_fraction)
    assert 0 < total <= 1 + _decimal("1e-30")
    absent = _ask(run, method, **{field: run.creator.address})
    assert absent.not_found and absent.reward_fraction == "0"


def test_forecaster_inclusion_counts(run: Run) -> None:
    for key in run.forecasters:
        count = _ask(run, "GetCountForecasterInclusionsInTopic", forecaster=key.address).count
        stored = COUNT_FORECASTER_INCLUSIONS_IN_TOPIC.get(run.chain.store, (TOPIC, key.address))
        assert stored is not None and count == stored > 0
    assert (
        _ask(run, "GetCountForecasterInclusionsInTopic", forecaster=run.creator.address).count == 0
    )


# ---------------------------------------------------------------------------------------------
# Regrets

RegretCase = tuple[str, str, Callable[[tuple[Any, ...]], dict[str, str]]]

REGRETS: list[RegretCase] = [
    ("GetForecasterNetworkRegret", "forecaster", lambda k: {"worker": k[0]}),
    (
        "GetOneInForecasterNetworkRegret",
        "one_in_forecaster_inferer",
        lambda k: {"forecaster": k[0], "inferer": k[1]},
    ),
    ("GetNaiveInfererNetworkRegret", "naive_inferer", lambda k: {"inferer": k[0]}),
    (
        "GetOneOutInfererInfererNetworkRegret",
        "one_out_inferer_inferer",
        lambda k: {"one_out_inferer": k[0], "inferer": k[1]},
    ),
    (
        "GetOneOutInfererForecasterNetworkRegret",
        "one_out_inferer_forecaster",
        lambda k: {"one_out_inferer": k[0], "forecaster": k[1]},
    ),
    (
        "GetOneOutForecasterInfererNetworkRegret",
        "one_out_forecaster_inferer",
        lambda k: {"one_out_forecaster": k[0], "inferer": k[1]},
    ),
]


@pytest.mark.parametrize(("method", "family", "fields"), REGRETS, ids=[case[0] for case in REGRETS])
def test_regrets(
    run: Run,
    method: str,
    family: str,
    fields: Callable[[tuple[Any, ...]], dict[str, str]],
) -> None:
    stored = list(iterate_regrets(run.chain.store, family))
    assert stored, f"{method}: nothing stored"
    for topic_id, key, value in stored:
        assert topic_id == TOPIC
        regret = _ask(run, method, **fields(key)).regret
        # The stored exact value, printed as canonical 34-digit text.
        assert regret.block_height == value.block_height > 0
        assert regret.value == dec_to_field_text(value.value)
    topic = run.chain.query("GetTopic", q.GetTopicRequest(topic_id=TOPIC), q.GetTopicResponse).topic
    nobody = run.creator.address
    default = _ask(run, method, **fields((nobody, nobody))).regret
    assert (default.block_height, default.value) == (0, topic.initial_regret)


# ---------------------------------------------------------------------------------------------
# Events


def test_reputer_last_commit_events(run: Run) -> None:
    events = run.events("emissions.v4.EventReputerLastCommitSet")
    closed = run.events("emissions.v9.EventReputerSubmissionWindowClosed")
    assert len(events) >= 5
    for height, attributes in events:
        nonce = int(attributes["nonce"]["block_height"])
        assert attributes["topic_id"] == str(TOPIC) and int(attributes["block_height"]) == height
        # Closed at the first epoch end ≥ N + G + E, which also closes the reputer window.
        assert height >= nonce + LAG + EPOCH and (height - nonce) % EPOCH == 0
        assert (height, {"topic_id": str(TOPIC), "nonce_block_height": str(nonce)}) in closed
    commit = get_last_reputer_commit(run.chain.store, TOPIC)
    assert commit is not None
    last_height, last = events[-1]
    assert (last_height, int(last["nonce"]["block_height"])) == (commit.block_height, commit.nonce)


def test_score_events_match_the_stored_scores(run: Run) -> None:
    scores = run.events("emissions.v4.EventScoresSet")
    task = run.events("emissions.v4.EventForecastTaskScoreSet")
    rewards = run.events("emissions.v4.EventTopicRewardsSet")
    reward_heights = [height for height, _ in rewards]
    assert len(reward_heights) >= 5
    assert [height for height, _ in task] == reward_heights
    for _, attributes in task:
        assert attributes["topic_id"] == str(TOPIC)
        _decimal(attributes["score"])
    store = run.chain.store
    tables = {
        "ACTOR_TYPE_INFERER_UNSPECIFIED": INFERER_SCORES_BY_BLOCK,
        "ACTOR_TYPE_FORECASTER": FORECASTER_SCORES_BY_BLOCK,
        "ACTOR_TYPE_REPUTER": REPUTER_SCORES_BY_BLOCK,
    }
    checked = 0
    for height, attributes in scores:
        assert height in reward_heights
        nonce = int(attributes["block_height"])
        stored = tables[attributes["actor_type"]].get(store, (TOPIC, nonce))
        if stored is None:  # pruned
            continue
        assert attributes["addresses"] == [s.address for s in stored.scores]
        assert attributes["scores"] == [s.score for s in stored.scores]
        checked += bool(stored.scores)
    assert checked >= 3
    per_block = {
        height: sorted(a["actor_type"] for h, a in scores if h == height)
        for height in reward_heights
    }
    assert all(types == sorted(tables) for types in per_block.values())


def test_explorer_events(run: Run) -> None:
    creator = run.creator.address
    assert run.events("pyallora.emissions.EventTopicCreated") == [
        (1, {"topic_id": str(TOPIC), "creator": creator, "fee": "0"})
    ]
    assert run.events("pyallora.emissions.EventTopicFunded") == [
        (2, {"topic_id": str(TOPIC), "sender": creator, "amount": str(10**9)})
    ]
    stakes = run.events("pyallora.emissions.EventStakeAdded")
    assert stakes == [
        (2, {"topic_id": str(TOPIC), "reputer": key.address, "amount": str(10**6 * (i + 1))})
        for i, key in enumerate(run.reputers)
    ]


def test_submission_window_events(run: Run) -> None:
    opened = run.events("emissions.v9.EventWorkerSubmissionWindowOpened")
    closed = dict(
        (int(a["nonce_block_height"]), height)
        for height, a in run.events("emissions.v9.EventWorkerSubmissionWindowClosed")
    )
    commits = {
        int(a["nonce"]["block_height"]): height
        for height, a in run.events("emissions.v4.EventWorkerLastCommitSet")
    }
    reputer_opened = {
        int(a["nonce_block_height"]): (height, int(a["window_end_block"]))
        for height, a in run.events("emissions.v9.EventReputerSubmissionWindowOpened")
    }
    assert len(opened) >= 10
    for height, attributes in opened:
        nonce = int(attributes["nonce_block_height"])
        assert nonce == height and int(attributes["window_end_block"]) == nonce + WINDOW
        if nonce + WINDOW > run.chain.height:
            assert nonce not in closed  # still open
            continue
        # The window closes at its end, archiving the nonce and opening its reputer window.
        assert closed[nonce] == commits[nonce] == nonce + WINDOW
        assert reputer_opened[nonce] == (nonce + WINDOW, nonce + 2 * LAG)
