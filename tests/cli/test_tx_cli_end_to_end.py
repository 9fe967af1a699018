"""``allora tx`` and ``allora query`` end to end against a solo node.

The node runs as a subprocess (``allora start --solo``, as in ``test_node_cli.py``); the
commands run in-process through :func:`pyallora.cli.main.main` (same argparse tree, same HTTP
path to the node, no interpreter start-up per command). Every command's effect is checked with a
query command.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pyallora.cli.main import main
from pyallora.client.client import Client
from pyallora.client.keys import ValidatorKey
from pyallora.core.crypto import ACCOUNT_PREFIX, VALOPER_PREFIX, convert_address
from pyallora.node.processes import stop_process

FUNDS = 10**21
"""uallo of each test account (1000 ALLO)."""

BLOCK_TIME_MS = 100


class SoloNode:
    """``allora start --home HOME --solo`` in a subprocess, with its stdout lines."""

    def __init__(self, home: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pyallora.cli.main", "start", "--home", str(home), "--solo"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, prefix: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                break
            seen.append(line)
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r} line; got {seen}")

    def stop(self) -> None:
        stop_process(self.process, 30)


class Chain:
    """The running node, its home and the funded keys; runs ``allora`` commands."""

    def __init__(self, home: Path, api: str, addresses: dict[str, str]) -> None:
        self.home = home
        self.api = api
        self.addresses = addresses
        self.client = Client(api)

    def run(self, *args: str, output: str = "json") -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = main([*args, "--home", str(self.home), "--output", output])
        return status, out.getvalue()

    def ok(self, *args: str) -> Any:
        status, text = self.run(*args)
        assert status == 0, text
        return json.loads(text)

    def tx(self, *args: str) -> dict[str, Any]:
        result = self.ok("tx", *args, "--wait")
        assert result["code"] == 0 and result["height"] > 0, result
        return dict(result)

    def refused(self, *args: str) -> dict[str, Any]:
        status, text = self.run("tx", *args, "--wait")
        assert status == 1, text
        return dict(json.loads(text))

    def height(self) -> int:
        return self.client.status().height

    def wait_for_height(self, height: int) -> None:
        self.client.wait_for_height(height, timeout=30)

    def create_topic(self, creator: str, *options: str) -> int:
        topic_id = int(self.ok("query", "emissions", "topics")["next_topic_id"])
        self.tx("emissions", "create-topic", creator, *options)
        listed = self.ok("query", "emissions", "topics")["topics"]
        assert topic_id in {int(t["topic"]["id"]) for t in listed}
        return topic_id


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    home = tmp_path_factory.mktemp("tx-cli") / "node home"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(
            [
                "init",
                "--home",
                str(home),
                "--engine",
                "solo",
                "--chain-id",
                "tx-cli-test",
                "--block-time",
                str(BLOCK_TIME_MS),
                *[f"--account={name}:{FUNDS}" for name in ("alice", "bob", "carol")],
                "--output",
                "json",
            ]
        )
    assert status == 0
    init = json.loads(out.getvalue())
    addresses = {a["name"]: a["address"] for a in init["accounts"]}
    node = SoloNode(home)
    try:
        api = node.wait_for_line("API listening on ").removeprefix("API listening on ")
        chain = Chain(home, api, addresses)
        yield chain
        chain.client.close()
    finally:
        node.stop()


def _valoper(address: str) -> str:
    return convert_address(address, from_prefix=ACCOUNT_PREFIX, to_prefix=VALOPER_PREFIX)


# ---------------------------------------------------------------------------------------------
# bank, staking, distribution


def test_bank_send_and_query(chain: Chain) -> None:
    carol = chain.addresses["carol"]
    chain.tx("bank", "send", "alice", carol, "1234uallo")
    assert chain.ok("query", "bank", "balance", carol)["amount"] == str(FUNDS + 1234)
    status, text = chain.run("query", "bank", "balance", carol, output="text")
    assert (status, text.strip()) == (0, f"{FUNDS + 1234}uallo")


def test_create_validator_delegate_unbond(chain: Chain) -> None:
    bob, alice = chain.addresses["bob"], chain.addresses["alice"]
    valoper = _valoper(bob)
    consensus_key = ValidatorKey.generate()
    chain.tx(
        "staking",
        "create-validator",
        "bob",
        "--amount",
        "2allo",
        "--pubkey",
        base64.b64encode(consensus_key.public_key).decode(),
        "--moniker",
        "bob-validator",
        "--commission-rate",
        "0.05",
        "--commission-max-rate",
        "0.5",
        "--commission-max-change-rate",
        "0.02",
        "--min-self-delegation",
        "1000",
    )
    validator = chain.ok("query", "staking", "validator", valoper)["result"]["validator"]
    assert validator["description"]["moniker"] == "bob-validator"
    assert validator["tokens"] == str(2 * 10**18)
    assert validator["min_self_delegation"] == "1000"
    assert validator["consensus_pubkey"]["key"] == base64.b64encode(
        consensus_key.public_key
    ).decode("ascii")
    assert validator["commission"]["commission_rates"] == {
        "rate": str(5 * 10**16),
        "max_rate": str(5 * 10**17),
        "max_change_rate": str(2 * 10**16),
    }

    # Without --pubkey the key comes from the node home: the genesis validator's, already used.
    refused = chain.refused("staking", "create-validator", "alice", "--amount", "2allo")
    assert (refused["codespace"], refused["code"]) == ("staking", 5)
    assert "consensus public key" in refused["log"]

    chain.tx("staking", "delegate", "alice", valoper, "1allo")
    chain.tx("staking", "unbond", "alice", valoper, "0.5allo")
    chain.tx("staking", "undelegate", "alice", valoper, "0.25allo")
    unbonding = chain.ok("query", "staking", "unbonding", alice)["result"]
    (entry,) = unbonding["unbonding_responses"]
    assert entry["validator_address"] == valoper
    assert sorted(int(e["balance"]) for e in entry["entries"]) == [25 * 10**16, 5 * 10**17]
    delegations = chain.ok("query", "staking", "delegations", alice)["result"]
    (delegation,) = delegations["delegation_responses"]
    assert delegation["balance"]["amount"] == str(25 * 10**16)

    chain.tx("distribution", "withdraw-rewards", "alice", valoper)


# ---------------------------------------------------------------------------------------------
# emissions: registration, stake, delegation


def test_registration_stake_and_delegation(chain: Chain) -> None:
    alice, bob, carol = (chain.addresses[n] for n in ("alice", "bob", "carol"))
    topic = chain.create_topic("alice", "--epoch-length", "50", "--metadata", "stake test")
    t = str(topic)
    assert chain.ok("query", "emissions", "topic", t)["topic"]["metadata"] == "stake test"

    chain.tx("emissions", "register", "alice", t)
    chain.tx("emissions", "register", "bob", t, "--reputer")
    assert chain.ok("query", "emissions", "registrations", t, alice) == {
        "topic_id": topic,
        "address": alice,
        "worker": True,
        "reputer": False,
    }
    assert chain.ok("query", "emissions", "is-registered", t, bob, "--reputer") == {
        "is_registered": True
    }
    assert chain.ok("query", "emissions", "is-registered", t, bob) == {"is_registered": False}
    status, text = chain.run("query", "emissions", "registrations", t, bob, output="text")
    assert status == 0 and "reputer: true" in text.splitlines()

    # Self-stake, a removal request and its cancellation.
    chain.tx("emissions", "add-stake", "bob", t, "50000")
    assert chain.ok("query", "emissions", "stake", t, bob)["self"] == "50000"
    chain.tx("emissions", "remove-stake", "bob", t, "1000")
    removal = chain.ok("query", "emissions", "stake-removal", t, bob)
    assert removal["removal"]["amount"] == "1000"
    pending = chain.ok("query", "emissions", "stake-removals")["removals"]
    assert [(r["reputer"], r["topic_id"]) for r in pending] == [(bob, t)]
    chain.tx("emissions", "cancel-remove-stake", "bob", t)
    assert chain.ok("query", "emissions", "stake-removals")["removals"] == []
    status, _ = chain.run("query", "emissions", "stake-removal", t, bob)
    assert status == 1
    assert chain.ok("query", "emissions", "stake", t, bob)["self"] == "50000"

    # Delegation, reward claim, a delegate removal and its cancellation.
    chain.tx("emissions", "delegate-stake", "carol", t, bob, "5000")
    assert chain.ok("query", "emissions", "delegations", t, carol) == {"amount": "5000"}
    assert chain.ok("query", "emissions", "delegate-stake", t, bob) == {"amount": "5000"}
    placement = chain.ok("query", "emissions", "delegate-stake", t, bob, "--delegator", carol)
    assert placement["amount"] == "5000"
    assert Decimal(placement["placement"]["amount"]) == 5000  # Dec text, e.g. "5000.0"
    chain.tx("emissions", "reward-delegate-stake", "carol", t, bob)
    chain.tx("emissions", "remove-delegate-stake", "carol", t, bob, "2000")
    removal = chain.ok("query", "emissions", "stake-removal", t, bob, "--delegator", carol)
    assert removal["removal"]["amount"] == "2000"
    (pending_delegate,) = chain.ok("query", "emissions", "stake-removals", "--delegate")["removals"]
    assert (pending_delegate["delegator"], pending_delegate["amount"]) == (carol, "2000")
    chain.tx("emissions", "cancel-remove-delegate-stake", "carol", t, bob)
    assert chain.ok("query", "emissions", "stake-removals", "--delegate")["removals"] == []
    assert chain.ok("query", "emissions", "delegations", t, carol) == {"amount": "5000"}

    # A removal that completes after remove_stake_delay_window blocks.
    delay = int(chain.ok("query", "emissions", "params")["params"]["remove_stake_delay_window"])
    requested = chain.tx("emissions", "remove-delegate-stake", "carol", t, bob, "2000")
    chain.wait_for_height(requested["height"] + delay + 2)
    assert chain.ok("query", "emissions", "delegations", t, carol) == {"amount": "3000"}

    # Funding, and leaving the topic.
    before = int(chain.ok("query", "bank", "balance", carol)["amount"])
    chain.tx("emissions", "fund-topic", "carol", t, "777")
    assert int(chain.ok("query", "bank", "balance", carol)["amount"]) == before - 777
    chain.tx("emissions", "remove-registration", "alice", t)
    assert chain.ok("query", "emissions", "registrations", t, alice)["worker"] is False
    chain.tx("emissions", "register", "alice", t)
    chain.tx("emissions", "unregister", "alice", t)
    assert chain.ok("query", "emissions", "is-registered", t, alice) == {"is_registered": False}


# ---------------------------------------------------------------------------------------------
# emissions: admins and parameters


def test_admins_and_update_params(chain: Chain) -> None:
    validator, alice = chain.addresses["validator"], chain.addresses["alice"]
    assert chain.ok("query", "emissions", "admins", validator, alice) == {
        "admins": [validator],
        "not_admins": [alice],
    }
    refused = chain.refused(
        "emissions", "update-params", "alice", "--set", "max_top_inferers_to_reward=30"
    )
    assert (refused["codespace"], refused["code"]) == ("emissions", 28)

    chain.tx("emissions", "add-to-whitelist-admin", "validator", alice)
    assert chain.ok("query", "emissions", "is-admin", alice) == {"is_admin": True}
    chain.tx(
        "emissions",
        "update-params",
        "alice",
        "--set",
        "max_top_inferers_to_reward=30",
        "--set",
        "epsilon_reputer=0.02",
    )
    params = chain.ok("query", "emissions", "params")["params"]
    assert (params["max_top_inferers_to_reward"], params["epsilon_reputer"]) == ("30", "0.02")
    status, text = chain.run("query", "emissions", "params", output="text")
    assert status == 0 and "  max_top_inferers_to_reward: 30" in text.splitlines()

    chain.tx("emissions", "remove-admin", "validator", alice)
    assert chain.ok("query", "emissions", "is-admin", alice) == {"is_admin": False}
    refused = chain.refused(
        "emissions", "update-params", "alice", "--set", "max_top_inferers_to_reward=31"
    )
    assert (refused["codespace"], refused["code"]) == ("emissions", 28)
    assert chain.ok("query", "emissions", "params")["params"]["max_top_inferers_to_reward"] == "30"
    chain.tx("emissions", "add-admin", "validator", alice)
    chain.tx("emissions", "remove-from-whitelist-admin", "validator", alice)
    assert chain.ok("query", "emissions", "is-admin", alice) == {"is_admin": False}


# ---------------------------------------------------------------------------------------------
# emissions: payloads


def _open_worker_nonce(chain: Chain, topic: str, margin: int) -> int:
    """An open worker nonce with at least ``margin`` blocks of its window left."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        windows = chain.ok("query", "emissions", "windows", topic)
        for window in windows["worker_nonces"]:
            if window["open_now"] and window["closes_at"] - windows["height"] >= margin:
                return int(window["nonce"])
        time.sleep(BLOCK_TIME_MS / 1000)
    raise AssertionError("no open worker window")


def test_worker_and_reputer_payloads(chain: Chain, tmp_path: Path) -> None:
    alice, bob, carol = (chain.addresses[n] for n in ("alice", "bob", "carol"))
    epoch = 10
    topic = chain.create_topic(
        "alice",
        "--epoch-length",
        str(epoch),
        "--ground-truth-lag",
        str(epoch),
        "--worker-submission-window",
        str(epoch),
    )
    t = str(topic)
    chain.tx("emissions", "register", "alice", t)
    chain.tx("emissions", "register", "carol", t)
    chain.tx("emissions", "register", "bob", t, "--reputer")
    chain.tx("emissions", "add-stake", "bob", t, "50000")

    nonce = _open_worker_nonce(chain, t, margin=6)
    chain.tx("emissions", "insert-worker-payload", "alice", t, str(nonce), "--inference", "1.25")
    # The validator sends (and pays for) a bundle that carol's key signs as the worker.
    chain.tx(
        "emissions",
        "insert-worker-payload",
        "validator",
        t,
        str(nonce),
        "--inference",
        "2.5",
        "--forecast",
        f"{alice}=0.125",
        "--worker-key",
        "carol",
    )
    # A height that is not an open nonce: refused, UnfulfilledNonceNotFound (emissions 75).
    refused = chain.refused(
        "emissions", "insert-worker-payload", "alice", t, str(nonce + 1), "--inference", "1"
    )
    assert (refused["codespace"], refused["code"]) == ("emissions", 75)

    losses = tmp_path / "losses.json"
    losses.write_text(
        json.dumps(
            {
                "combined_value": "0.5",
                "naive_value": "0.75",
                "inferer_values": [
                    {"worker": alice, "value": "0.25"},
                    {"worker": carol, "value": "0.0000001"},
                ],
                "forecaster_values": [{"worker": carol, "value": "0.5"}],
            }
        ),
        encoding="utf-8",
    )
    chain.wait_for_height(nonce + epoch)
    chain.tx("emissions", "insert-reputer-payload", "bob", t, str(nonce), "--losses", str(losses))

    inferences = chain.ok("query", "emissions", "inferences", t, "--nonce", str(nonce))
    assert sorted((i["inferer"], i["value"]) for i in inferences["inferences"]) == sorted(
        [(alice, "1.25"), (carol, "2.5")]
    )
    forecasts = chain.ok("query", "emissions", "forecasts", t, "--nonce", str(nonce))
    (forecast,) = forecasts["forecasts"]
    assert forecast["forecaster"] == carol
    assert [(e["inferer"], e["value"]) for e in forecast["forecast_elements"]] == [(alice, "0.125")]

    chain.wait_for_height(nonce + 2 * epoch + 1)
    reported = chain.ok("query", "emissions", "losses", t, "--nonce", str(nonce))
    (bundle,) = reported["reputer_losses"]
    assert bundle["value_bundle"]["reputer"] == bob
    assert bundle["value_bundle"]["combined_value"] == "0.5"
    assert {v["worker"]: v["value"] for v in bundle["value_bundle"]["inferer_values"]} == {
        alice: "0.25",
        carol: "1E-7",
    }

    # The reads over scores and regrets answer for the topic's participants.
    emas = chain.ok("query", "emissions", "score-emas", t, alice)
    assert emas["inferer"]["address"] == alice and emas["topic_id"] == topic
    regrets = chain.ok("query", "emissions", "regrets", t, carol, "--one-in", alice)
    assert set(regrets["regrets"]) == {
        "inferer",
        "forecaster",
        "naive_inferer",
        "one_in_forecaster",
    }
    coefficient = chain.ok("query", "emissions", "listening-coefficient", t, bob)
    assert "coefficient" in coefficient["listening_coefficient"]
    status, text = chain.run(
        "query", "emissions", "scores", t, "--nonce", str(nonce), output="text"
    )
    assert status == 0 and not text.lstrip().startswith("{")
