"""Hashes, bech32 addresses and signature verification (PROTOCOL.md §1.2, §7; INFRA.md §6).

Pure functions over bytes, shared by the chain (which verifies) and the client (which signs):

* :func:`sha256` and :func:`ripemd160` (``hashlib``'s RIPEMD-160 when the OpenSSL build has it,
  otherwise :func:`ripemd160_pure`, a small implementation of the original specification);
* bech32 text of addresses (:func:`encode_address`, :func:`decode_address`) with the prefixes
  ``allo``, ``allovaloper``, ``allovalcons`` and the ``allopub`` public-key form;
* :func:`address_from_pubkey`: ``bech32("allo", RIPEMD-160(SHA-256(compressed public key)))``;
* secp256k1 (coincurve): :func:`validate_secp256k1_pubkey`, :func:`is_valid_secp256k1_signature`
  for 64-byte ``r‖s`` signatures over ``SHA-256(message)`` with the low-S rule of the Cosmos SDK;
* ed25519 consensus keys (PyNaCl): :func:`consensus_address` (the first 20 bytes of SHA-256 of
  the public key, as CometBFT computes it) and :func:`is_valid_ed25519_signature`.

Bech32 text is accepted in lower case only: the chain keys state by the address text, so an
upper-case spelling of the same bytes would otherwise name a second account.

>>> address_from_pubkey(bytes.fromhex(
...     "02" "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"))
'allo1w508d6qejxtdg4y5r3zarvary0c5xw7k5wdecp'
"""

from __future__ import annotations

import functools
import hashlib
import struct
from typing import Final

import bech32 as _bech32
import coincurve
import nacl.exceptions
import nacl.signing
from coincurve.ecdsa import cdata_to_der, deserialize_compact

from pyallora.core.errors import PyAlloraError

ACCOUNT_PREFIX: Final = "allo"
"""Human-readable part of account addresses."""

VALOPER_PREFIX: Final = "allovaloper"
"""Human-readable part of validator operator addresses."""

VALCONS_PREFIX: Final = "allovalcons"
"""Human-readable part of validator consensus addresses."""

ACCOUNT_PUBKEY_PREFIX: Final = "allopub"
"""Human-readable part of bech32 account public keys (legacy amino form)."""

ADDRESS_LENGTHS: Final = (20, 32)
"""Accepted address payload lengths: 20 (keys) or 32 bytes (module-style addresses)."""

SECP256K1_ORDER: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
"""Order n of the secp256k1 group."""

SECP256K1_HALF_ORDER: Final = SECP256K1_ORDER // 2
"""Largest accepted ``s`` of a signature (low-S rule)."""

SECP256K1_PUBKEY_LENGTH: Final = 33
"""Length of a compressed secp256k1 public key (prefix 02 or 03, then x)."""

SECP256K1_SIGNATURE_LENGTH: Final = 64
"""Length of a Cosmos signature: ``r‖s``, 32 bytes each, big-endian."""

ED25519_PUBKEY_LENGTH: Final = 32
"""Length of an ed25519 public key."""

ED25519_SIGNATURE_LENGTH: Final = 64
"""Length of an ed25519 signature."""

CONSENSUS_ADDRESS_LENGTH: Final = 20
"""Length of a CometBFT validator address (truncated SHA-256 of the ed25519 key)."""

_AMINO_SECP256K1_PUBKEY_PREFIX: Final = bytes.fromhex("eb5ae98721")
"""Amino prefix (type bytes and length 33) of a secp256k1 key in the ``allopub`` form."""


class CryptoError(PyAlloraError, ValueError):
    """Malformed key, address or signature material."""


class InvalidAddressError(CryptoError):
    """A bech32 address is malformed, has the wrong prefix or the wrong payload length."""


class InvalidPublicKeyError(CryptoError):
    """A public key is not a valid point in the expected encoding."""


# ---------------------------------------------------------------------------------------------
# Hashes


def sha256(data: bytes) -> bytes:
    """SHA-256 digest (32 bytes)."""
    return hashlib.sha256(data).digest()


def ripemd160(data: bytes) -> bytes:
    """RIPEMD-160 digest (20 bytes); ``hashlib``'s when available, else :func:`ripemd160_pure`.

    >>> ripemd160(b"abc").hex()
    '8eb208f7e05d987a9b044a8e98c6b087f15a0bfc'
    """
    if _HASHLIB_HAS_RIPEMD160:
        return hashlib.new("ripemd160", data).digest()
    return ripemd160_pure(data)


def _probe_hashlib_ripemd160() -> bool:
    try:
        hashlib.new("ripemd160", b"")
    except ValueError:  # OpenSSL 3 without the legacy provider
        return False
    return True


_HASHLIB_HAS_RIPEMD160: Final = _probe_hashlib_ripemd160()

# RIPEMD-160 tables (Dobbertin, Bosselaers, Preneel 1996): message word order, rotation
# amounts and additive constants of the left and right lines, one row per round.
_R_LEFT: Final = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8),
    (3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12),
    (1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2),
    (4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13),
)
_R_RIGHT: Final = (
    (5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12),
    (6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2),
    (15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13),
    (8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14),
    (12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11),
)
_S_LEFT: Final = (
    (11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8),
    (7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12),
    (11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5),
    (11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12),
    (9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6),
)
_S_RIGHT: Final = (
    (8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6),
    (9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11),
    (9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5),
    (15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8),
    (8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11),
)
_K_LEFT: Final = (0x00000000, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E)
_K_RIGHT: Final = (0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0x00000000)
_MASK32: Final = 0xFFFFFFFF


def _rol(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (32 - bits))) & _MASK32


def _ripemd_f(round_index: int, x: int, y: int, z: int) -> int:
    if round_index == 0:
        return x ^ y ^ z
    if round_index == 1:
        return (x & y) | (~x & z)
    if round_index == 2:
        return ((x | ~y) ^ z) & _MASK32
    if round_index == 3:
        return (x & z) | (y & ~z)
    return (x ^ (y | ~z)) & _MASK32


def _ripemd_compress(state: tuple[int, ...], block: bytes) -> tuple[int, ...]:
    words = struct.unpack("<16I", block)
    al, bl, cl, dl, el = state
    ar, br, cr, dr, er = state
    for rnd in range(5):
        for step in range(16):
            t = _rol(
                (al + _ripemd_f(rnd, bl, cl, dl) + words[_R_LEFT[rnd][step]] + _K_LEFT[rnd])
                & _MASK32,
                _S_LEFT[rnd][step],
            )
            al, bl, cl, dl, el = el, (t + el) & _MASK32, bl, _rol(cl, 10), dl
            t = _rol(
                (ar + _ripemd_f(4 - rnd, br, cr, dr) + words[_R_RIGHT[rnd][step]] + _K_RIGHT[rnd])
                & _MASK32,
                _S_RIGHT[rnd][step],
            )
            ar, br, cr, dr, er = er, (t + er) & _MASK32, br, _rol(cr, 10), dr
    h0, h1, h2, h3, h4 = state
    return (
        (h1 + cl + dr) & _MASK32,
        (h2 + dl + er) & _MASK32,
        (h3 + el + ar) & _MASK32,
        (h4 + al + br) & _MASK32,
        (h0 + bl + cr) & _MASK32,
    )


def ripemd160_pure(data: bytes) -> bytes:
    """RIPEMD-160 in pure Python, for OpenSSL builds without it (slow; keys are short).

    >>> ripemd160_pure(b"").hex()
    '9c1185a5c5e9fc54612808977ee8f548b2258d31'
    """
    padded = data + b"\x80" + b"\x00" * ((55 - len(data)) % 64) + struct.pack("<Q", 8 * len(data))
    state: tuple[int, ...] = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
    for offset in range(0, len(padded), 64):
        state = _ripemd_compress(state, padded[offset : offset + 64])
    return struct.pack("<5I", *state)


# ---------------------------------------------------------------------------------------------
# Bech32


def encode_bech32(prefix: str, data: bytes) -> str:
    """Bech32 (BIP-173, not bech32m) text of ``data`` under the human-readable ``prefix``."""
    words = _bech32.convertbits(data, 8, 5, True)
    if words is None or not prefix:
        raise InvalidAddressError(f"cannot bech32-encode under prefix {prefix!r}")
    return str(_bech32.bech32_encode(prefix, words))


@functools.lru_cache(maxsize=1 << 16)
def decode_bech32(text: str, *, prefix: str) -> bytes:
    """The payload of bech32 ``text`` whose human-readable part must be ``prefix``.

    Raises
    ------
    InvalidAddressError
        If the text is empty, not lower case, not valid bech32 (characters, separator,
        checksum, padding) or has another prefix.
    """
    if not isinstance(text, str) or not text:
        raise InvalidAddressError(f"empty address; expected a bech32 {prefix}1... string")
    shown = text[:100]
    if text != text.lower():
        raise InvalidAddressError(f"address {shown!r} must be lower case bech32")
    hrp, words = _bech32.bech32_decode(text)
    if hrp is None or words is None:
        raise InvalidAddressError(
            f"address {shown!r} is not valid bech32 (bad characters, separator or checksum)"
        )
    if hrp != prefix:
        raise InvalidAddressError(
            f"address {shown!r} has prefix {hrp!r}; expected prefix {prefix!r}"
        )
    data = _bech32.convertbits(words, 5, 8, False)
    if data is None:
        raise InvalidAddressError(f"address {shown!r} has invalid bech32 padding")
    return bytes(data)


def encode_address(data: bytes, *, prefix: str = ACCOUNT_PREFIX) -> str:
    """Bech32 text of a 20- or 32-byte address.

    Raises
    ------
    InvalidAddressError
        If the payload length is not 20 or 32 bytes.
    """
    if len(data) not in ADDRESS_LENGTHS:
        raise InvalidAddressError(f"address must be 20 or 32 bytes, got {len(data)} bytes")
    return encode_bech32(prefix, data)


def decode_address(text: str, *, prefix: str = ACCOUNT_PREFIX) -> bytes:
    """The 20- or 32-byte payload of a bech32 address with the given prefix.

    Raises
    ------
    InvalidAddressError
        For any malformed form: empty, not lower case, bad checksum or characters, another
        prefix, or a payload that is not 20 or 32 bytes long.
    """
    data = decode_bech32(text, prefix=prefix)
    if len(data) not in ADDRESS_LENGTHS:
        raise InvalidAddressError(
            f"address {text[:100]!r} carries {len(data)} bytes; expected 20 or 32"
        )
    return data


def is_valid_address(text: str, *, prefix: str = ACCOUNT_PREFIX) -> bool:
    """Whether ``text`` is a well-formed address under ``prefix``."""
    try:
        decode_address(text, prefix=prefix)
    except InvalidAddressError:
        return False
    return True


def validate_address(text: str, *, prefix: str = ACCOUNT_PREFIX) -> str:
    """Return ``text`` unchanged if it is a valid address under ``prefix``; raise otherwise.

    Raises
    ------
    InvalidAddressError
        See :func:`decode_address`.
    """
    decode_address(text, prefix=prefix)
    return text


def convert_address(text: str, *, from_prefix: str, to_prefix: str) -> str:
    """Re-spell an address under another prefix (e.g. ``allo`` → ``allovaloper``)."""
    return encode_address(decode_address(text, prefix=from_prefix), prefix=to_prefix)


def address_bytes_from_pubkey(public_key: bytes) -> bytes:
    """RIPEMD-160(SHA-256(compressed secp256k1 public key)): the 20 address bytes.

    Raises
    ------
    InvalidPublicKeyError
        If the key is not a valid 33-byte compressed point.
    """
    validate_secp256k1_pubkey(public_key)
    return ripemd160(sha256(public_key))


@functools.lru_cache(maxsize=1 << 16)
def address_from_pubkey(public_key: bytes, *, prefix: str = ACCOUNT_PREFIX) -> str:
    """Bech32 account address of a compressed secp256k1 public key (PROTOCOL.md §1.2).

    Cached: the same few thousand signers send most transactions, and the function is pure
    (pure-Python bech32 costs about 40 us per call).
    """
    return encode_bech32(prefix, address_bytes_from_pubkey(public_key))


def encode_account_pubkey(public_key: bytes) -> str:
    """The ``allopub1...`` text of a secp256k1 key (amino-prefixed, as the Cosmos SDK prints)."""
    validate_secp256k1_pubkey(public_key)
    return encode_bech32(ACCOUNT_PUBKEY_PREFIX, _AMINO_SECP256K1_PUBKEY_PREFIX + public_key)


def decode_account_pubkey(text: str) -> bytes:
    """The compressed secp256k1 key of an ``allopub1...`` text.

    Raises
    ------
    InvalidAddressError
        If the text is not bech32 with the ``allopub`` prefix.
    InvalidPublicKeyError
        If the payload is not an amino-prefixed valid secp256k1 key.
    """
    data = decode_bech32(text, prefix=ACCOUNT_PUBKEY_PREFIX)
    if not data.startswith(_AMINO_SECP256K1_PUBKEY_PREFIX):
        raise InvalidPublicKeyError("allopub payload is not an amino secp256k1 public key")
    public_key = data[len(_AMINO_SECP256K1_PUBKEY_PREFIX) :]
    validate_secp256k1_pubkey(public_key)
    return public_key


# ---------------------------------------------------------------------------------------------
# secp256k1


def validate_secp256k1_pubkey(public_key: bytes) -> None:
    """Check that ``public_key`` is a 33-byte compressed point on secp256k1.

    Raises
    ------
    InvalidPublicKeyError
        If the length or prefix is wrong or the point is not on the curve.
    """
    if not isinstance(public_key, bytes) or len(public_key) != SECP256K1_PUBKEY_LENGTH:
        length = len(public_key) if isinstance(public_key, bytes) else "non-bytes"
        raise InvalidPublicKeyError(
            f"secp256k1 public key must be 33 bytes (compressed), got {length}"
        )
    if public_key[0] not in (2, 3):
        raise InvalidPublicKeyError(
            f"secp256k1 public key must start with 02 or 03, got {public_key[0]:02x}"
        )
    if _parse_secp256k1_point(public_key) is None:
        raise InvalidPublicKeyError("secp256k1 public key is not a point on the curve")


@functools.lru_cache(maxsize=1 << 12)
def _parse_secp256k1_point(public_key: bytes) -> coincurve.PublicKey | None:
    """The parsed key of a 33-byte compressed encoding, ``None`` if it is off the curve.

    Memoised (a pure function of the bytes; the parsed key is never mutated): a sender's key is
    parsed once, not at every decoding and verification of its transactions.
    """
    try:
        return coincurve.PublicKey(public_key)
    except ValueError:
        return None


def is_valid_secp256k1_pubkey(public_key: bytes) -> bool:
    """Whether ``public_key`` is a 33-byte compressed point on secp256k1."""
    try:
        validate_secp256k1_pubkey(public_key)
    except InvalidPublicKeyError:
        return False
    return True


def is_low_s_signature(signature: bytes) -> bool:
    """Whether a 64-byte ``r‖s`` signature has ``1 ≤ r < n`` and ``1 ≤ s ≤ n/2``."""
    if len(signature) != SECP256K1_SIGNATURE_LENGTH:
        return False
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    return 0 < r < SECP256K1_ORDER and 0 < s <= SECP256K1_HALF_ORDER


def is_valid_secp256k1_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Verify a Cosmos secp256k1 signature: 64-byte ``r‖s`` over ``SHA-256(message)``.

    High-S signatures, other lengths and malformed public keys all give ``False`` (PROTOCOL.md
    §7.2), as in the Cosmos SDK.

    Parameters
    ----------
    public_key
        33-byte compressed public key.
    message
        The signed bytes (hashed here with SHA-256).
    signature
        ``r‖s``, 32 bytes each, big-endian.
    """
    if not is_low_s_signature(signature) or not is_valid_secp256k1_pubkey(public_key):
        return False
    point = _parse_secp256k1_point(public_key)
    if point is None:
        return False
    try:
        der = cdata_to_der(deserialize_compact(signature))
        return bool(point.verify(der, message, hasher=sha256))
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# ed25519 (CometBFT consensus keys)


def consensus_address(public_key: bytes) -> bytes:
    """CometBFT validator address: the first 20 bytes of SHA-256 of the ed25519 public key.

    Raises
    ------
    InvalidPublicKeyError
        If the key is not 32 bytes long.
    """
    if len(public_key) != ED25519_PUBKEY_LENGTH:
        raise InvalidPublicKeyError(f"ed25519 public key must be 32 bytes, got {len(public_key)}")
    return sha256(public_key)[:CONSENSUS_ADDRESS_LENGTH]


def valcons_address(public_key: bytes) -> str:
    """The ``allovalcons1...`` text of an ed25519 consensus key."""
    return encode_bech32(VALCONS_PREFIX, consensus_address(public_key))


def is_valid_ed25519_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Verify an ed25519 signature of ``message`` (libsodium's strict rules).

    Note that CometBFT checks consensus signatures with ZIP-215 rules, which accept a few
    edge-case encodings libsodium rejects (INFRA.md §6); this helper is for keys the
    application itself handles.
    """
    if len(public_key) != ED25519_PUBKEY_LENGTH or len(signature) != ED25519_SIGNATURE_LENGTH:
        return False
    try:
        nacl.signing.VerifyKey(public_key).verify(message, signature)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
        return False
    return True
