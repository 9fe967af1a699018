"""Tests of pyallora.client.keyring: encrypted and test backends, passphrases, files."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import nacl.pwhash.scrypt
import pytest

from pyallora.client.keyring import (
    PASSPHRASE_ENV,
    TEST_BACKEND_WARNING,
    CorruptKeyFileError,
    InvalidKeyNameError,
    KeyExistsError,
    KeyNotFoundError,
    Keyring,
    KeyringError,
    WrongPassphraseError,
    derivation_path_of,
    resolve_passphrase,
)
from pyallora.client.keys import InvalidMnemonicError, KeyMaterialError, PrivateKey

GOLDEN_MNEMONIC = "abandon " * 11 + "about"
GOLDEN_ADDRESS = "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv"
PASSPHRASE = "correct horse battery"


def _keyring(directory: Path, backend: str = "file") -> Keyring:
    # Cheap scrypt costs keep the tests fast; the default costs are tested once below.
    return Keyring(
        directory,
        backend=backend,  # type: ignore[arg-type]
        scrypt_opslimit=nacl.pwhash.scrypt.OPSLIMIT_INTERACTIVE,
        scrypt_memlimit=nacl.pwhash.scrypt.MEMLIMIT_INTERACTIVE,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_add_new_key_round_trip(tmp_path: Path) -> None:
    keyring = _keyring(tmp_path)
    info, words = keyring.add("alice", passphrase=PASSPHRASE)
    assert len(words.split()) == 24
    assert info.address == PrivateKey.from_mnemonic(words).address
    assert keyring.show("alice") == info
    secret = keyring.export("alice", passphrase=PASSPHRASE)
    assert secret.mnemonic == words
    assert secret.private_key.address == info.address
    assert derivation_path_of(secret) == "m/44'/118'/0'/0/0"


def test_recover_golden_mnemonic(tmp_path: Path) -> None:
    keyring = _keyring(tmp_path)
    info, words = keyring.add("golden", passphrase=PASSPHRASE, mnemonic=GOLDEN_MNEMONIC.upper())
    assert info.address == GOLDEN_ADDRESS
    assert words == GOLDEN_MNEMONIC.strip()
    other, _ = keyring.add("golden2", passphrase=PASSPHRASE, mnemonic=GOLDEN_MNEMONIC, index=2)
    assert other.address == PrivateKey.from_mnemonic(GOLDEN_MNEMONIC, 0, 2).address
    assert keyring.export("golden2", passphrase=PASSPHRASE).index == 2


def test_files_are_private_and_encrypted(tmp_path: Path) -> None:
    keyring = _keyring(tmp_path)
    keyring.add("alice", passphrase=PASSPHRASE, mnemonic=GOLDEN_MNEMONIC)
    path = tmp_path / "keyring-file" / "alice.json"
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    text = path.read_text()
    secret_hex = PrivateKey.from_mnemonic(GOLDEN_MNEMONIC).to_hex()
    assert "abandon" not in text and secret_hex not in text and PASSPHRASE not in text
    document = json.loads(text)
    assert document["address"] == GOLDEN_ADDRESS
    assert document["kdf"]["name"] == "scrypt"
    assert [p.name for p in path.parent.iterdir()] == ["alice.json"]  # no temporary left


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    keyring = _keyring(tmp_path)
    keyring.add("alice", passphrase=PASSPHRASE)
    with pytest.raises(WrongPassphraseError, match="wrong passphrase for key 'alice'"):
        keyring.export("alice", passphrase=PASSPHRASE + "!")
    with pytest.raises(WrongPassphraseError):
        keyring.export("alice", passphrase=None)
    # All keys of a keyring share the passphrase.
    with pytest.raises(WrongPassphraseError):
        keyring.add("bob", passphrase="another passphrase")
    keyring.add("bob", passphrase=PASSPHRASE)
    assert [info.name for info in keyring.list_keys()] == ["alice", "bob"]


def test_short_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="at least 8"):
        _keyring(tmp_path).add("alice", passphrase="short")
    with pytest.raises(KeyringError, match="at least 8"):
        _keyring(tmp_path).add("alice", passphrase=None)


def test_names_are_validated(tmp_path: Path) -> None:
    keyring = _keyring(tmp_path, "test")
    for bad in ("", "../evil", ".hidden", "a/b", "x" * 65, "ключ", "-dash", "a b"):
        with pytest.raises(InvalidKeyNameError):
            keyring.add(bad, passphrase=None)
        with pytest.raises(InvalidKeyNameError):
            keyring.show(bad)
    for good in ("a", "Alice_2", "worker.1", "x" * 64, "r-1"):
        keyring.add(good, passphrase=None)
    assert len(keyring.list_keys()) == 5


def test_duplicates_missing_and_delete(tmp_path: Path) -> None:
    keyring = _keyring(tmp_path, "test")
    keyring.add("alice", passphrase=None)
    with pytest.raises(KeyExistsError):
        keyring.add("alice", passphrase=None)
    with pytest.raises(KeyNotFoundError):
        keyring.show("bob")
    with pytest.raises(KeyNotFoundError):
        keyring.delete("bob")
    keyring.delete("alice")
    assert keyring.list_keys() == []
    assert _keyring(tmp_path / "never-created").list_keys() == []


def test_import_hex_and_mnemonic(tmp_path: Path) -> None:
    keyring = _keyring(tmp_path)
    key = PrivateKey.from_mnemonic(GOLDEN_MNEMONIC, 0, 5)
    info = keyring.import_key("raw", "0x" + key.to_hex().upper() + "\n", passphrase=PASSPHRASE)
    assert (info.address, info.kind) == (key.address, "private_key")
    secret = keyring.export("raw", passphrase=PASSPHRASE)
    assert secret.mnemonic is None and secret.private_key == key
    assert derivation_path_of(secret) is None
    words_info = keyring.import_key("words", GOLDEN_MNEMONIC, passphrase=PASSPHRASE, index=5)
    assert (words_info.address, words_info.kind) == (key.address, "mnemonic")
    with pytest.raises(InvalidMnemonicError):
        keyring.import_key("bad", "not a key at all", passphrase=PASSPHRASE)
    with pytest.raises(KeyMaterialError):
        keyring.import_key("zero", "00" * 32, passphrase=PASSPHRASE)


def test_test_backend_is_unencrypted_and_labelled(tmp_path: Path) -> None:
    keyring = _keyring(tmp_path, "test")
    info, words = keyring.add("dev", passphrase=None, mnemonic=GOLDEN_MNEMONIC)
    document = json.loads((tmp_path / "keyring-test" / "dev.json").read_text())
    assert document["warning"] == TEST_BACKEND_WARNING
    assert document["secret"]["mnemonic"] == GOLDEN_MNEMONIC.strip()
    assert keyring.export("dev", passphrase=None).mnemonic == words
    assert info.backend == "test"
    # The two backends do not see each other's keys.
    assert _keyring(tmp_path, "file").list_keys() == []


def test_tampered_files(tmp_path: Path) -> None:
    keyring = _keyring(tmp_path)
    keyring.add("alice", passphrase=PASSPHRASE)
    path = tmp_path / "keyring-file" / "alice.json"
    original = json.loads(path.read_text())

    document = dict(original, address=GOLDEN_ADDRESS)
    path.write_text(json.dumps(document))
    with pytest.raises(CorruptKeyFileError, match="does not match"):
        keyring.export("alice", passphrase=PASSPHRASE)

    document = dict(original, ciphertext=original["ciphertext"][:-4] + "AAAA")
    path.write_text(json.dumps(document))
    with pytest.raises(WrongPassphraseError):
        keyring.export("alice", passphrase=PASSPHRASE)

    path.write_text("{not json")
    with pytest.raises(CorruptKeyFileError):
        keyring.show("alice")
    path.write_text(json.dumps(dict(original, name="mallory")))
    with pytest.raises(CorruptKeyFileError):
        keyring.show("alice")


def test_default_scrypt_costs_are_recorded(tmp_path: Path) -> None:
    keyring = Keyring(tmp_path)
    keyring.add("alice", passphrase=PASSPHRASE)
    kdf = json.loads((tmp_path / "keyring-file" / "alice.json").read_text())["kdf"]
    assert kdf["opslimit"] == nacl.pwhash.scrypt.OPSLIMIT_MODERATE
    assert kdf["memlimit"] == nacl.pwhash.scrypt.MEMLIMIT_MODERATE
    # A keyring with other default costs still opens it: costs come from the file.
    assert _keyring(tmp_path).export("alice", passphrase=PASSPHRASE).mnemonic is not None


def test_unknown_backend_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="unknown keyring backend"):
        Keyring(tmp_path, backend="os")  # type: ignore[arg-type]


def test_resolve_passphrase_sources(tmp_path: Path) -> None:
    def never(_: str) -> str:
        raise AssertionError("must not prompt")

    file = tmp_path / "pass.txt"
    file.write_text("from file\nsecond line\n")
    env = {PASSPHRASE_ENV: "from env"}
    assert resolve_passphrase(passphrase_file=file, environ=env, prompt=never) == "from file"
    assert resolve_passphrase(environ=env, prompt=never) == "from env"
    answers = iter(["typed", "typed"])
    assert resolve_passphrase(environ={}, confirm=True, prompt=lambda _: next(answers)) == "typed"
    mismatched = iter(["one", "two"])
    with pytest.raises(KeyringError, match="do not match"):
        resolve_passphrase(environ={}, confirm=True, prompt=lambda _: next(mismatched))

    def eof(_: str) -> str:
        raise EOFError

    with pytest.raises(KeyringError, match="--passphrase-file"):
        resolve_passphrase(environ={}, prompt=eof)
    with pytest.raises(KeyringError, match="cannot read"):
        resolve_passphrase(passphrase_file=tmp_path / "missing")
