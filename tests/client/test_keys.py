"""Tests of pyallora.client.keys: mnemonics, BIP-32 derivation, signing, validator keys."""

from __future__ import annotations

import base64
import hashlib

import coincurve
import ecdsa  # type: ignore[import-untyped]
import pytest
from cosmpy.aerial.wallet import LocalWallet
from cosmpy.crypto.keypairs import PrivateKey as CosmpyPrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from mnemonic import Mnemonic

from pyallora.client.keys import (
    InvalidDerivationPathError,
    InvalidMnemonicError,
    InvalidPrivateKeyError,
    KeyMaterialError,
    PrivateKey,
    ValidatorKey,
    cosmos_hd_path,
    derive_secret,
    generate_mnemonic,
    is_valid_mnemonic,
    parse_derivation_path,
    validate_mnemonic,
)
from pyallora.core.crypto import SECP256K1_HALF_ORDER, SECP256K1_ORDER, is_valid_ed25519_signature

GOLDEN_MNEMONIC = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)
GOLDEN_ADDRESS = "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv"

# BIP-32 test vector 1 (seed 000102...0f): private keys along m/0'/1/2'/2/1000000000.
BIP32_VECTOR_1 = [
    ("m", "e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35"),
    ("m/0'", "edb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea"),
    ("m/0'/1", "3c6cb8d0f6a264c91ea8b5030fadaa8e538b020f0a387421a12de9319dc93368"),
    ("m/0'/1/2'", "cbce0d719ecf7431d88e6a89fa1483e02e35092af60c042b1df2ff59fa424dca"),
    ("m/0'/1/2'/2", "0f479245fb19a38a1954c5c7c0ebab2f9bdfd96a17563ef28a6a4b1a2a764ef4"),
    (
        "m/0'/1/2'/2/1000000000",
        "471b76e389e528d6de6d816857e012c5455051cad6660850e58372a6c3e6e7c8",
    ),
]


def test_golden_mnemonic_address() -> None:
    key = PrivateKey.from_mnemonic(GOLDEN_MNEMONIC)
    assert key.address == GOLDEN_ADDRESS
    assert cosmos_hd_path() == "m/44'/118'/0'/0/0"
    assert PrivateKey.from_mnemonic(GOLDEN_MNEMONIC, account=0, index=1).address != GOLDEN_ADDRESS
    assert PrivateKey.from_mnemonic(GOLDEN_MNEMONIC, 1, 0).address != GOLDEN_ADDRESS


@pytest.mark.parametrize(("path", "secret"), BIP32_VECTOR_1)
def test_bip32_vector_1(path: str, secret: str) -> None:
    seed = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
    assert derive_secret(seed, path).hex() == secret


@settings(max_examples=5)
@given(st.binary(min_size=32, max_size=32))
def test_derivation_agrees_with_cosmpy(entropy: bytes) -> None:
    words = Mnemonic("english").to_mnemonic(entropy)
    ours = PrivateKey.from_mnemonic(words)
    theirs = LocalWallet.from_mnemonic(words, prefix="allo")
    assert ours.secret == theirs.signer().private_key_bytes
    assert ours.address == str(theirs.address())


def test_path_parsing() -> None:
    assert parse_derivation_path("m/44'/118'/0'/0/7") == (
        2**31 + 44,
        2**31 + 118,
        2**31,
        0,
        7,
    )
    assert parse_derivation_path("m/1h") == (2**31 + 1,)
    assert parse_derivation_path("m") == ()
    for bad in ("44'/118'", "m/x", "m/-1", "m/2147483648", "m//0", "M/0"):
        with pytest.raises(InvalidDerivationPathError):
            parse_derivation_path(bad)


def test_mnemonic_generation_and_validation() -> None:
    words = generate_mnemonic()
    assert len(words.split()) == 24
    assert is_valid_mnemonic(words)
    assert validate_mnemonic("  " + words.upper().replace(" ", "   ") + "\n") == words
    assert len(generate_mnemonic(12).split()) == 12
    with pytest.raises(InvalidMnemonicError):
        generate_mnemonic(13)


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        ("", "words"),
        ("abandon " * 11, "12, 15"),
        ("abandon " * 12, "checksum"),
        ("abandon " * 11 + "abandonn", "not BIP-39"),
        ("about " + "abandon " * 11, "checksum"),
    ],
)
def test_invalid_mnemonics(words: str, reason: str) -> None:
    assert not is_valid_mnemonic(words)
    with pytest.raises(InvalidMnemonicError, match=reason):
        PrivateKey.from_mnemonic(words)


def test_private_key_constructors() -> None:
    key = PrivateKey.from_mnemonic(GOLDEN_MNEMONIC)
    assert PrivateKey.from_hex(key.to_hex()) == key
    assert PrivateKey.from_hex("0x" + key.to_hex().upper()) == key
    assert key.public_key == coincurve.PrivateKey(key.secret).public_key.format()
    assert key.to_hex() not in repr(key)
    assert key.public_key_bech32.startswith("allopub1")
    for bad in ("", "00" * 32, f"{SECP256K1_ORDER:064x}", "zz" * 32, "ab" * 31, "ab" * 33):
        with pytest.raises(InvalidPrivateKeyError):
            PrivateKey.from_hex(bad)
    with pytest.raises(InvalidPrivateKeyError):
        PrivateKey(secret=b"\x01" * 31)
    assert PrivateKey.generate() != PrivateKey.generate()


def test_signature_is_deterministic_low_s_and_verifies_independently() -> None:
    key = PrivateKey.from_mnemonic(GOLDEN_MNEMONIC)
    verifier = ecdsa.VerifyingKey.from_string(key.public_key, curve=ecdsa.SECP256k1)
    for index in range(20):
        message = b"message %d" % index
        signature = key.sign(message)
        assert len(signature) == 64
        assert signature == key.sign(message)  # RFC 6979
        assert int.from_bytes(signature[32:], "big") <= SECP256K1_HALF_ORDER
        assert verifier.verify(signature, message, hashfunc=hashlib.sha256)
        # cosmpy's ecdsa-based RFC 6979 signer with low-S canonicalisation gives the same bytes.
        cosmpy_signature = CosmpyPrivateKey(key.secret).sign(
            message, deterministic=True, canonicalise=True
        )
        assert signature == cosmpy_signature


def test_validator_key_files_round_trip() -> None:
    key = ValidatorKey(seed=bytes(range(32)))
    document = key.to_priv_validator_key_json()
    assert document["address"] == hashlib.sha256(key.public_key).digest()[:20].hex().upper()
    assert document["pub_key"]["type"] == "tendermint/PubKeyEd25519"
    assert base64.b64decode(document["pub_key"]["value"]) == key.public_key
    assert base64.b64decode(document["priv_key"]["value"]) == key.seed + key.public_key
    assert ValidatorKey.from_key_json(document) == key
    assert ValidatorKey.from_key_json(key.to_node_key_json()) == key
    assert key.node_id == key.address_hex.lower()
    assert key.valcons_address.startswith("allovalcons1")
    assert is_valid_ed25519_signature(key.public_key, b"vote", key.sign(b"vote"))
    assert ValidatorKey.generate().public_key != key.public_key


def test_validator_key_file_errors() -> None:
    document = ValidatorKey(seed=bytes(range(32))).to_priv_validator_key_json()
    other = ValidatorKey(seed=bytes(32)).to_priv_validator_key_json()
    bad_documents = [
        {},
        {**document, "address": other["address"]},
        {**document, "priv_key": {"type": "tendermint/PrivKeySecp256k1", "value": "AA=="}},
        {**document, "priv_key": {**document["priv_key"], "value": "not base64!"}},
        {**document, "priv_key": {**document["priv_key"], "value": "AAAA"}},
        {
            **document,
            "priv_key": {
                "type": "tendermint/PrivKeyEd25519",
                "value": base64.b64encode(bytes(range(32)) + bytes(32)).decode(),
            },
        },
    ]
    for bad in bad_documents:
        with pytest.raises(KeyMaterialError):
            ValidatorKey.from_key_json(bad)
