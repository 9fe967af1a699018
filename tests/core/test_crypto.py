"""Tests of pyallora.core.crypto: hashes, bech32 addresses, secp256k1 and ed25519 checks."""

from __future__ import annotations

import hashlib

import bech32
import coincurve
import ecdsa  # type: ignore[import-untyped]
import nacl.signing
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyallora.core import crypto
from pyallora.core.crypto import (
    ACCOUNT_PREFIX,
    SECP256K1_ORDER,
    VALCONS_PREFIX,
    VALOPER_PREFIX,
    InvalidAddressError,
    InvalidPublicKeyError,
    address_from_pubkey,
    consensus_address,
    convert_address,
    decode_account_pubkey,
    decode_address,
    encode_account_pubkey,
    encode_address,
    is_valid_address,
    is_valid_ed25519_signature,
    is_valid_secp256k1_pubkey,
    is_valid_secp256k1_signature,
    ripemd160,
    ripemd160_pure,
    validate_address,
    validate_secp256k1_pubkey,
)

# Published RIPEMD-160 test vectors (Dobbertin, Bosselaers, Preneel).
RIPEMD160_VECTORS = [
    (b"", "9c1185a5c5e9fc54612808977ee8f548b2258d31"),
    (b"a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"),
    (b"abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
    (b"message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"),
    (b"abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"),
    (
        b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "12a053384a9c0c88e405a06c27dcf49ada62eb2b",
    ),
    (
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "b0e20b6e3116640286ed3a87a5713079b21f5189",
    ),
    (b"1234567890" * 8, "9b752e45573d4b39f4dbd3323cab82bf63326bfb"),
]

# secp256k1 generator G, compressed; HASH160(G) is the well-known BIP-173 example program.
GENERATOR = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
GENERATOR_HASH160 = "751e76e8199196d454941c45d1b3a323f1433bd6"


def _secret(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _compact_sign(secret: bytes, message: bytes) -> bytes:
    """A 64-byte r||s signature made with coincurve directly (independent of client.keys)."""
    recoverable = coincurve.PrivateKey(secret).sign_recoverable(message, hasher=crypto.sha256)
    return recoverable[:64]


# --- hashes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("message", "digest"), RIPEMD160_VECTORS)
def test_ripemd160_pure_matches_published_vectors(message: bytes, digest: str) -> None:
    assert ripemd160_pure(message).hex() == digest


@pytest.mark.parametrize(("message", "digest"), RIPEMD160_VECTORS)
def test_ripemd160_matches_published_vectors(message: bytes, digest: str) -> None:
    assert ripemd160(message).hex() == digest


def test_ripemd160_pure_million_a() -> None:
    assert ripemd160_pure(b"a" * 1_000_000).hex() == "52783243c1697bdbe16d37f97f68f08325dc1528"


@given(st.binary(max_size=300))
def test_ripemd160_pure_agrees_with_hashlib(data: bytes) -> None:
    try:
        expected = hashlib.new("ripemd160", data).digest()
    except ValueError:
        pytest.skip("this OpenSSL has no RIPEMD-160")
    assert ripemd160_pure(data) == expected


def test_ripemd160_falls_back_to_pure_implementation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto, "_HASHLIB_HAS_RIPEMD160", False)
    assert ripemd160(b"abc").hex() == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"


def test_sha256_known_value() -> None:
    assert crypto.sha256(b"abc").hex() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


# --- bech32 addresses ---------------------------------------------------------------------


def test_address_from_pubkey_is_bech32_of_hash160() -> None:
    address = address_from_pubkey(GENERATOR)
    hrp, words = bech32.bech32_decode(address)
    assert hrp == "allo"
    assert words is not None
    payload = bech32.convertbits(words, 5, 8, False)
    assert payload is not None
    assert bytes(payload).hex() == GENERATOR_HASH160
    assert crypto.address_bytes_from_pubkey(GENERATOR).hex() == GENERATOR_HASH160


@given(st.sampled_from([20, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)))
def test_address_round_trip(data: bytes) -> None:
    for prefix in (ACCOUNT_PREFIX, VALOPER_PREFIX, VALCONS_PREFIX):
        text = encode_address(data, prefix=prefix)
        assert text.startswith(prefix + "1")
        assert decode_address(text, prefix=prefix) == data
        assert validate_address(text, prefix=prefix) == text


def test_convert_address_between_prefixes() -> None:
    account = address_from_pubkey(GENERATOR)
    valoper = convert_address(account, from_prefix=ACCOUNT_PREFIX, to_prefix=VALOPER_PREFIX)
    assert valoper.startswith("allovaloper1")
    assert decode_address(valoper, prefix=VALOPER_PREFIX).hex() == GENERATOR_HASH160


def _flip_last_char(text: str) -> str:
    last = text[-1]
    replacement = "q" if last != "q" else "p"
    return text[:-1] + replacement


def _bech32m_encode(hrp: str, data: bytes) -> str:
    """BIP-350 bech32m text (a different checksum constant): must not pass as bech32."""
    words = bech32.convertbits(data, 8, 5)
    assert words is not None
    values = bech32.bech32_hrp_expand(hrp) + words
    polymod = bech32.bech32_polymod([*values, 0, 0, 0, 0, 0, 0]) ^ 0x2BC830A3
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(bech32.CHARSET[d] for d in words + checksum)


MALFORMED = {
    "empty": "",
    "bad checksum": _flip_last_char(address_from_pubkey(GENERATOR)),
    "mixed case": "allo1W508d6qejxtdg4y5r3zarvary0c5xw7k5wdecp",
    "upper case": "ALLO1W508D6QEJXTDG4Y5R3ZARVARY0C5XW7K5WDECP",
    "wrong prefix": encode_address(bytes(20), prefix="cosmos"),
    "valoper where account expected": encode_address(bytes(20), prefix=VALOPER_PREFIX),
    "19 bytes": crypto.encode_bech32("allo", bytes(19)),
    "21 bytes": crypto.encode_bech32("allo", bytes(21)),
    "33 bytes": crypto.encode_bech32("allo", bytes(33)),
    "zero bytes": crypto.encode_bech32("allo", b""),
    "no separator": "allow508d6qejxtdg4y5r3zarvary0c5xw7k5wdecp",
    "invalid character b": "allo1b508d6qejxtdg4y5r3zarvary0c5xw7k5wdecp",
    "space inside": "allo1w508d6qejxtdg4y5r3zar vary0c5xw7k5wdecp",
    "bech32m checksum": _bech32m_encode("allo", bytes(20)),
    "non-ascii": "allo1w508d6qejxtdg4y5r3zarvary0c5xw7k5wdecé",
}


def test_valid_reference_address_is_accepted() -> None:
    assert is_valid_address("allo1w508d6qejxtdg4y5r3zarvary0c5xw7k5wdecp")


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_addresses_are_rejected(name: str) -> None:
    text = MALFORMED[name]
    with pytest.raises(InvalidAddressError):
        decode_address(text)
    assert not is_valid_address(text)


def test_wrong_prefix_message_names_both_prefixes() -> None:
    with pytest.raises(InvalidAddressError, match=r"'cosmos'.*'allo'"):
        decode_address(MALFORMED["wrong prefix"])


def test_encode_address_rejects_wrong_length() -> None:
    with pytest.raises(InvalidAddressError):
        encode_address(bytes(21))


def test_account_pubkey_bech32_round_trip() -> None:
    text = encode_account_pubkey(GENERATOR)
    assert text.startswith("allopub1addwnpep")  # the SDK's amino prefix eb5ae98721
    assert decode_account_pubkey(text) == GENERATOR
    with pytest.raises(InvalidPublicKeyError):
        decode_account_pubkey(crypto.encode_bech32("allopub", GENERATOR))


# --- secp256k1 ------------------------------------------------------------------------------


def test_pubkey_validation() -> None:
    validate_secp256k1_pubkey(GENERATOR)
    bad = {
        "uncompressed": coincurve.PrivateKey(_secret(1)).public_key.format(compressed=False),
        "short": GENERATOR[:32],
        "prefix 04": b"\x04" + GENERATOR[1:],
        "not on curve": b"\x02" + bytes(32),
    }
    for key in bad.values():
        assert not is_valid_secp256k1_pubkey(key)
        with pytest.raises(InvalidPublicKeyError):
            validate_secp256k1_pubkey(key)
    with pytest.raises(InvalidPublicKeyError):
        address_from_pubkey(bad["short"])


def test_secp256k1_signature_accepts_low_s_and_rejects_tampering() -> None:
    secret = _secret(0xC0FFEE)
    public = coincurve.PrivateKey(secret).public_key.format()
    message = b"allora"
    signature = _compact_sign(secret, message)
    assert crypto.is_low_s_signature(signature)
    assert is_valid_secp256k1_signature(public, message, signature)
    assert not is_valid_secp256k1_signature(public, message + b"!", signature)
    other = coincurve.PrivateKey(_secret(7)).public_key.format()
    assert not is_valid_secp256k1_signature(other, message, signature)
    assert not is_valid_secp256k1_signature(public, message, signature[:63])
    assert not is_valid_secp256k1_signature(public, message, signature + b"\x00")
    assert not is_valid_secp256k1_signature(b"\x02" + bytes(32), message, signature)


def test_secp256k1_high_s_is_rejected() -> None:
    secret = _secret(0xBEEF)
    public = coincurve.PrivateKey(secret).public_key.format()
    signature = _compact_sign(secret, b"payload")
    r, s = signature[:32], int.from_bytes(signature[32:], "big")
    high = r + (SECP256K1_ORDER - s).to_bytes(32, "big")
    # (r, n - s) is valid ECDSA (the lenient pure-Python ``ecdsa`` accepts it); only the
    # low-S rule rejects it.
    lenient = ecdsa.VerifyingKey.from_string(public, curve=ecdsa.SECP256k1)
    assert lenient.verify(high, b"payload", hashfunc=hashlib.sha256)
    assert not crypto.is_low_s_signature(high)
    assert not is_valid_secp256k1_signature(public, b"payload", high)


def test_secp256k1_out_of_range_scalars_are_rejected() -> None:
    public = coincurve.PrivateKey(_secret(5)).public_key.format()
    for r, s in [(0, 1), (1, 0), (SECP256K1_ORDER, 1), (2**256 - 1, 1)]:
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        assert not is_valid_secp256k1_signature(public, b"m", signature)


# --- ed25519 --------------------------------------------------------------------------------


def test_consensus_address_is_truncated_sha256() -> None:
    key = nacl.signing.SigningKey(bytes(range(32)))
    public = bytes(key.verify_key)
    assert consensus_address(public) == hashlib.sha256(public).digest()[:20]
    assert crypto.valcons_address(public).startswith("allovalcons1")
    assert decode_address(crypto.valcons_address(public), prefix=VALCONS_PREFIX) == (
        consensus_address(public)
    )
    with pytest.raises(InvalidPublicKeyError):
        consensus_address(public[:31])


def test_ed25519_verification() -> None:
    key = nacl.signing.SigningKey(bytes(range(32)))
    public = bytes(key.verify_key)
    signature = key.sign(b"block").signature
    assert is_valid_ed25519_signature(public, b"block", signature)
    assert not is_valid_ed25519_signature(public, b"block2", signature)
    assert not is_valid_ed25519_signature(public, b"block", signature[:63])
    assert not is_valid_ed25519_signature(public[:31], b"block", signature)
    assert not is_valid_ed25519_signature(bytes(32), b"block", signature)
