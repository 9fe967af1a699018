"""Tests of ``allora keys`` through the command's entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pyallora.cli.main import main
from pyallora.client.keyring import PASSPHRASE_ENV
from pyallora.client.keys import PrivateKey, is_valid_mnemonic

GOLDEN_MNEMONIC = "abandon " * 11 + "about"
GOLDEN_ADDRESS = "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv"
PASSPHRASE = "a long enough passphrase"


@pytest.fixture
def keyring_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    return tmp_path / "keys"


class Runner:
    """Runs ``allora`` with optional standard input; returns (status, stdout, stderr)."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin or ""))
        status = main(list(argv))
        captured = self.capsys.readouterr()
        return status, captured.out, captured.err


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    return Runner(capsys, monkeypatch)


def test_help_of_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("add", "list", "show", "export", "import", "delete"):
        with pytest.raises(SystemExit) as info:
            main(["keys", command, "--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert "--keyring-dir" in out and "--keyring-backend" in out and "--output" in out
    assert main(["keys"]) == 2
    assert "export" in capsys.readouterr().out


def test_add_show_list_export_delete(run: Runner, keyring_dir: Path) -> None:
    common = ["--keyring-dir", str(keyring_dir)]
    status, out, _ = run("keys", "add", "alice", *common, "--output", "json")
    assert status == 0
    created = json.loads(out)
    assert is_valid_mnemonic(created["mnemonic"])
    assert created["address"] == PrivateKey.from_mnemonic(created["mnemonic"]).address
    assert PASSPHRASE not in out

    status, out, _ = run("keys", "show", "alice", "--address", *common)
    assert (status, out) == (0, created["address"] + "\n")

    status, out, _ = run("keys", "add", "bob", *common, "--recover", stdin=GOLDEN_MNEMONIC)
    assert status == 0
    assert f"address: {GOLDEN_ADDRESS}" in out
    assert "abandon" not in out  # a recovered mnemonic is not printed back

    status, out, _ = run("keys", "list", *common, "--output", "json")
    assert [(k["name"], k["address"]) for k in json.loads(out)] == [
        ("alice", created["address"]),
        ("bob", GOLDEN_ADDRESS),
    ]
    status, out, _ = run("keys", "list", *common)
    assert out.splitlines() == [f"alice\t{created['address']}", f"bob\t{GOLDEN_ADDRESS}"]

    status, out, err = run("keys", "export", "bob", *common)
    assert (status, out.strip()) == (0, GOLDEN_MNEMONIC.strip())
    assert "WARNING" in err
    status, out, _ = run("keys", "export", "bob", "--format", "hex", *common)
    assert out.strip() == PrivateKey.from_mnemonic(GOLDEN_MNEMONIC).to_hex()

    status, out, _ = run("keys", "delete", "bob", "--yes", *common)
    assert (status, out) == (0, "deleted bob\n")
    status, _, err = run("keys", "show", "bob", *common)
    assert status == 1 and "no key named 'bob'" in err


def test_wrong_passphrase_from_file(run: Runner, keyring_dir: Path, tmp_path: Path) -> None:
    common = ["--keyring-dir", str(keyring_dir)]
    assert run("keys", "add", "alice", *common, "--no-backup")[0] == 0
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    status, out, err = run("keys", "export", "alice", *common, "--passphrase-file", str(wrong))
    assert status == 1
    assert out == ""
    assert "wrong passphrase for key 'alice'" in err


def test_import_hex_with_test_backend(run: Runner, tmp_path: Path) -> None:
    key = PrivateKey.from_mnemonic(GOLDEN_MNEMONIC, 0, 3)
    common = ["--keyring-dir", str(tmp_path), "--keyring-backend", "test"]
    status, out, err = run("keys", "import", "raw", *common, stdin=key.to_hex() + "\n")
    assert status == 0
    assert f"address: {key.address}" in out
    assert "UNENCRYPTED" in err
    status, out, _ = run("keys", "show", "raw", *common, "--output", "json")
    shown = json.loads(out)
    assert (shown["pubkey"], shown["type"]) == (key.public_key.hex(), "private_key")
    status, _, err = run("keys", "export", "raw", "--format", "mnemonic", *common)
    assert status == 1 and "--format hex" in err


def test_delete_needs_confirmation(run: Runner, tmp_path: Path) -> None:
    common = ["--keyring-dir", str(tmp_path), "--keyring-backend", "test"]
    assert run("keys", "add", "alice", *common)[0] == 0
    status, _, err = run("keys", "delete", "alice", *common, stdin="n\n")
    assert status == 1 and "not deleted" in err
    status, out, _ = run("keys", "delete", "alice", *common, stdin="y\n")
    assert status == 0
    assert run("keys", "list", *common, "--output", "json")[1] == "[]\n"


def test_bad_input_is_reported(run: Runner, keyring_dir: Path) -> None:
    common = ["--keyring-dir", str(keyring_dir)]
    status, _, err = run("keys", "add", "x", *common, "--recover", stdin="abandon abandon")
    assert status == 1 and "12, 15, 18, 21 or 24 words" in err
    status, _, err = run("keys", "add", "../x", *common)
    assert status == 1 and "invalid key name" in err


def test_interactive_passphrase_prompt(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return PASSPHRASE

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    common = ["--keyring-dir", str(tmp_path)]
    status, out, err = run("keys", "add", "alice", *common, "--no-backup")
    assert status == 0
    assert prompts == ["Enter keyring passphrase: ", "Re-enter keyring passphrase: "]
    assert PASSPHRASE not in out + err
    prompts.clear()
    status, out, _ = run("keys", "export", "alice", "--format", "hex", *common)
    assert status == 0 and len(out.strip()) == 64
    assert prompts == ["Enter keyring passphrase: "]  # no confirmation when only reading
