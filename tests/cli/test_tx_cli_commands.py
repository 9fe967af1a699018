"""The ``allora`` command tree: every sub-command answers ``--help``; the argument parsers of
``allora tx`` (parameters, consensus keys, rates, forecasts, losses) and the text output of
``allora query``."""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyallora.cli.main import build_parser, main
from pyallora.cli.query import CliNodeError, format_text
from pyallora.cli.tx import (
    build_update_params,
    parse_ed25519_pubkey,
    parse_forecast_elements,
    parse_rate,
    read_home_consensus_pubkey,
    read_losses_file,
)
from pyallora.client.keys import ValidatorKey

ALICE = "allo1d45txnvz9htyara6ly4d4avptdh746h8xmgjfn"
BOB = "allo1dwzjc5j9avzsycwtc2c8dm84p3pw09tla6me6r"
VALOPER = "allovaloper1dwzjc5j9avzsycwtc2c8dm84p3pw09tl27a6x0"


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    yield path
    seen: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for name, child in action.choices.items():
            if any(child is other for other in seen):
                continue  # an alias of a command already walked
            seen.append(child)
            yield from _walk(child, (*path, name))


COMMANDS = tuple(_walk(build_parser(), ()))


def test_the_tree_has_the_issue_commands() -> None:
    expected = {
        ("tx", "bank", "send"),
        ("tx", "staking", "create-validator"),
        ("tx", "staking", "delegate"),
        ("tx", "staking", "unbond"),
        ("tx", "staking", "redelegate"),
        ("tx", "distribution", "withdraw-rewards"),
        *(
            ("tx", "emissions", name)
            for name in (
                "create-topic",
                "register",
                "unregister",
                "add-stake",
                "remove-stake",
                "cancel-remove-stake",
                "delegate-stake",
                "reward-delegate-stake",
                "remove-delegate-stake",
                "cancel-remove-delegate-stake",
                "fund-topic",
                "add-to-whitelist-admin",
                "remove-from-whitelist-admin",
                "update-params",
                "insert-worker-payload",
                "insert-reputer-payload",
            )
        ),
        *(
            ("query", "emissions", name)
            for name in (
                "params",
                "topics",
                "topic",
                "windows",
                "inferences",
                "forecasts",
                "losses",
                "scores",
                "network-inference",
                "stake",
                "rewards",
                "method",
                "registrations",
                "is-registered",
                "delegations",
                "delegate-stake",
                "stake-removals",
                "admins",
                "is-admin",
                "regrets",
                "score-emas",
                "listening-coefficient",
            )
        ),
        ("query", "bank", "balance"),
        ("query", "staking", "validator"),
        ("query", "mint", "params"),
    }
    assert expected <= set(COMMANDS)


@pytest.mark.parametrize(
    ("name", "alias", "arguments"),
    [
        (("tx", "staking", "unbond"), "undelegate", ["alice", VALOPER, "1"]),
        (("tx", "emissions", "unregister"), "remove-registration", ["alice", "1"]),
        (("tx", "emissions", "add-to-whitelist-admin"), "add-admin", ["alice", BOB]),
        (("tx", "emissions", "remove-from-whitelist-admin"), "remove-admin", ["alice", BOB]),
    ],
)
def test_aliases_parse_to_the_same_command(
    name: tuple[str, ...], alias: str, arguments: list[str]
) -> None:
    parser = build_parser()
    by_name = parser.parse_args([*name, *arguments])
    by_alias = parser.parse_args([*name[:-1], alias, *arguments])
    assert by_alias.func is by_name.func
    assert vars(by_alias) == vars(by_name)


def test_every_command_answers_help() -> None:
    assert len(COMMANDS) > 100
    failures: list[str] = []
    for path in COMMANDS:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exited:
            main([*path, "--help"])
        usage = " ".join(("allora", *path))
        if exited.value.code != 0 or not out.getvalue().startswith(f"usage: {usage}"):
            failures.append(f"{usage}: exit {exited.value.code}")
    assert failures == []


# ---------------------------------------------------------------------------------------------
# tx argument parsing


def test_update_params_sets_one_element_per_named_field() -> None:
    request = build_update_params(
        ALICE, ["max_top_inferers_to_reward=30", "epsilon-reputer = 0.02", "version=v3"]
    )
    assert request.sender == ALICE
    assert list(request.params.max_top_inferers_to_reward) == [30]
    assert list(request.params.epsilon_reputer) == ["0.02"]
    assert list(request.params.version) == ["v3"]
    assert list(request.params.min_topic_weight) == []
    assert list(request.params.remove_stake_delay_window) == []


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        (["no_such_param=1"], "unknown emissions parameter"),
        (["max_page_limit=1", "max_page_limit=2"], "set twice"),
        (["max_page_limit=ten"], "takes an integer"),
        (["max_page_limit"], "expected NAME=VALUE"),
        ([], "at least one"),
    ],
)
def test_update_params_refuses_bad_assignments(assignments: list[str], message: str) -> None:
    with pytest.raises(CliNodeError, match=message):
        build_update_params(ALICE, assignments)


def test_consensus_pubkey_forms() -> None:
    key = ValidatorKey.generate().public_key
    text = base64.b64encode(key).decode()
    assert parse_ed25519_pubkey(text) == key
    assert (
        parse_ed25519_pubkey(json.dumps({"@type": "/cosmos.crypto.ed25519.PubKey", "key": text}))
        == key
    )
    for bad in (base64.b64encode(key[:31]).decode(), "not base64!", '{"key": 1}'):
        with pytest.raises(CliNodeError):
            parse_ed25519_pubkey(bad)


def test_consensus_pubkey_from_a_node_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["init", "--home", str(home), "--engine", "solo"]) == 0
    key_file = home / "cometbft" / "config" / "priv_validator_key.json"
    expected = ValidatorKey.from_key_json(json.loads(key_file.read_text())).public_key
    assert read_home_consensus_pubkey(home) == expected
    with pytest.raises(CliNodeError):
        read_home_consensus_pubkey(tmp_path / "missing")


def test_rates_are_legacy_dec_units() -> None:
    assert parse_rate("0.1") == 10**17
    assert parse_rate("1") == 10**18
    assert parse_rate("0.000000000000000001") == 1
    for bad in ("ten", "0.0000000000000000001", "1e-3"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_rate(bad)


def test_forecast_elements() -> None:
    assert parse_forecast_elements([f"{ALICE}=0.5", f"{BOB}=-2"]) == {ALICE: 0.5, BOB: -2.0}
    for bad in (
        ["nobody=1"],
        [f"{ALICE}"],
        [f"{ALICE}=nan"],
        [f"{ALICE}=x"],
        [f"{ALICE}=1", f"{ALICE}=2"],
    ):
        with pytest.raises(CliNodeError):
            parse_forecast_elements(bad)


def test_losses_file(tmp_path: Path) -> None:
    bundle = {"combined_value": "0.5", "inferer_values": [{"worker": ALICE, "value": "1"}]}
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(bundle))
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"value_bundle": bundle}))
    for path in (plain, wrapped):
        losses = read_losses_file(str(path))
        assert losses.combined_value == "0.5"
        assert [(v.worker, v.value) for v in losses.inferer_values] == [(ALICE, "1")]
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    for path in (bad, tmp_path / "missing.json"):
        with pytest.raises(CliNodeError):
            read_losses_file(str(path))


# ---------------------------------------------------------------------------------------------
# query output


def test_text_output_is_key_value_lines() -> None:
    value = {
        "topic_id": 3,
        "worker": True,
        "removals": [],
        "score": {"value": "0.5", "block_height": "7"},
        "entries": [{"a": None}, "x"],
    }
    assert format_text(value).splitlines() == [
        "entries:",
        "  - a: (none)",
        "  - x",
        "removals: []",
        "score:",
        "  block_height: 7",
        "  value: 0.5",
        "topic_id: 3",
        "worker: true",
    ]


def test_query_refuses_a_bad_address_before_asking_a_node() -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
        main(["query", "emissions", "is-admin", "not-an-address", "--node", "http://127.0.0.1:9"])
    assert exited.value.code == 2 and "invalid address" in err.getvalue()
