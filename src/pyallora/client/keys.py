"""Account and validator keys: BIP-39 mnemonics, BIP-32 derivation, signing (INFRA.md §6).

* Accounts are secp256k1 keys derived from a 24-word BIP-39 mnemonic along the Cosmos path
  ``m/44'/118'/{account}'/0/{index}`` (BIP-44 coin type 118). :class:`PrivateKey` signs the
  way the chain verifies (PROTOCOL.md §7): 64-byte ``r‖s`` over ``SHA-256(message)``,
  RFC 6979 deterministic nonces, low S.
* Validators' consensus keys are ed25519 (:class:`ValidatorKey`), written into a node home in
  CometBFT's ``priv_validator_key.json`` format.

BIP-32 is implemented here over coincurve (private derivation only, which is all a wallet
needs): ``I = HMAC-SHA512(chain code, data)``, child key ``(I_L + k) mod n``, where ``data`` is
``0x00‖k‖i`` for hardened children (``i ≥ 2^31``) and ``compressed(k·G)‖i`` otherwise.

>>> key = PrivateKey.from_mnemonic("abandon " * 11 + "about")
>>> key.address
'allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv'
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import coincurve
import nacl.signing
from coincurve.ecdsa import der_to_cdata, serialize_compact
from mnemonic import Mnemonic

from pyallora.core.crypto import (
    SECP256K1_ORDER,
    address_from_pubkey,
    consensus_address,
    encode_account_pubkey,
    sha256,
    valcons_address,
)
from pyallora.core.errors import PyAlloraError

COSMOS_COIN_TYPE: Final = 118
"""BIP-44 coin type of Cosmos chains (Allora uses it)."""

MNEMONIC_WORDS: Final = 24
"""Length of generated mnemonics."""

HARDENED: Final = 2**31
"""Offset of hardened BIP-32 child indices."""

_BIP32_SEED_KEY: Final = b"Bitcoin seed"
_MNEMONIC_STRENGTH_BITS: Final = {12: 128, 15: 160, 18: 192, 21: 224, 24: 256}
_ED25519_JSON_PUB_TYPE: Final = "tendermint/PubKeyEd25519"
_ED25519_JSON_PRIV_TYPE: Final = "tendermint/PrivKeyEd25519"


class KeyMaterialError(PyAlloraError, ValueError):
    """Key material (mnemonic, secret, path, key file) is malformed."""


class InvalidMnemonicError(KeyMaterialError):
    """A mnemonic has unknown words, the wrong length or a bad checksum."""


class InvalidPrivateKeyError(KeyMaterialError):
    """A private key is not 32 bytes in ``1 .. n-1``."""


class InvalidDerivationPathError(KeyMaterialError):
    """A BIP-32 path is not of the form ``m/44'/118'/0'/0/0``."""


# ---------------------------------------------------------------------------------------------
# Mnemonics


def _wordlist() -> Mnemonic:
    return Mnemonic("english")


def normalize_mnemonic(words: str) -> str:
    """Lower-case the words and collapse whitespace to single spaces."""
    return " ".join(words.lower().split())


def generate_mnemonic(word_count: int = MNEMONIC_WORDS) -> str:
    """A fresh BIP-39 English mnemonic (24 words by default) from the OS's randomness.

    Raises
    ------
    InvalidMnemonicError
        If ``word_count`` is not 12, 15, 18, 21 or 24.
    """
    strength = _MNEMONIC_STRENGTH_BITS.get(word_count)
    if strength is None:
        raise InvalidMnemonicError(f"word count must be 12, 15, 18, 21 or 24, got {word_count}")
    return str(_wordlist().generate(strength=strength))


def is_valid_mnemonic(words: str) -> bool:
    """Whether ``words`` is a BIP-39 English mnemonic with a valid checksum."""
    normalized = normalize_mnemonic(words)
    if len(normalized.split()) not in _MNEMONIC_STRENGTH_BITS:
        return False
    try:
        return bool(_wordlist().check(normalized))
    except (ValueError, LookupError):
        return False


def validate_mnemonic(words: str) -> str:
    """Return the normalized mnemonic, or raise if it is not a valid BIP-39 phrase.

    Raises
    ------
    InvalidMnemonicError
        On a wrong word count, an unknown word or a bad checksum.
    """
    normalized = normalize_mnemonic(words)
    count = len(normalized.split())
    if count not in _MNEMONIC_STRENGTH_BITS:
        raise InvalidMnemonicError(f"a mnemonic has 12, 15, 18, 21 or 24 words, got {count}")
    wordlist = set(_wordlist().wordlist)
    unknown = [word for word in normalized.split() if word not in wordlist]
    if unknown:
        raise InvalidMnemonicError(f"not BIP-39 English words: {', '.join(unknown[:3])}")
    if not is_valid_mnemonic(normalized):
        raise InvalidMnemonicError("mnemonic checksum is wrong; check the word order and spelling")
    return normalized


def mnemonic_to_seed(words: str, passphrase: str = "") -> bytes:
    """The 64-byte BIP-39 seed of a (validated) mnemonic and optional passphrase."""
    return bytes(Mnemonic.to_seed(validate_mnemonic(words), passphrase))


# ---------------------------------------------------------------------------------------------
# BIP-32


def cosmos_hd_path(account: int = 0, index: int = 0) -> str:
    """The Cosmos derivation path ``m/44'/118'/{account}'/0/{index}``."""
    return f"m/44'/{COSMOS_COIN_TYPE}'/{account}'/0/{index}"


def parse_derivation_path(path: str) -> tuple[int, ...]:
    """Child indices of a path like ``m/44'/118'/0'/0/0`` (hardened ones offset by 2^31).

    Raises
    ------
    InvalidDerivationPathError
        If the path does not start with ``m`` or a component is not an index below 2^31
        (optionally followed by ``'`` or ``h``).
    """
    parts = path.strip().split("/")
    if parts[0] != "m":
        raise InvalidDerivationPathError(f"derivation path must start with 'm/': {path!r}")
    indices = []
    for part in parts[1:]:
        hardened = part.endswith(("'", "h"))
        digits = part[:-1] if hardened else part
        if not digits.isascii() or not digits.isdigit() or int(digits) >= HARDENED:
            raise InvalidDerivationPathError(f"bad path component {part!r} in {path!r}")
        indices.append(int(digits) + (HARDENED if hardened else 0))
    return tuple(indices)


def _split_hmac(key: bytes, data: bytes) -> tuple[int, bytes]:
    digest = hmac.new(key, data, hashlib.sha512).digest()
    return int.from_bytes(digest[:32], "big"), digest[32:]


def derive_secret(seed: bytes, path: str) -> bytes:
    """BIP-32 private derivation of ``path`` from a BIP-39 seed; returns the 32-byte secret.

    Raises
    ------
    InvalidDerivationPathError
        If the path is malformed.
    InvalidPrivateKeyError
        In the (probability ~2^-127) case that a derived key is invalid.
    """
    key, chain_code = _split_hmac(_BIP32_SEED_KEY, seed)
    if not 0 < key < SECP256K1_ORDER:
        raise InvalidPrivateKeyError("seed gives an invalid master key; use another seed")
    for index in parse_derivation_path(path):
        secret = key.to_bytes(32, "big")
        if index >= HARDENED:
            data = b"\x00" + secret
        else:
            data = coincurve.PrivateKey(secret).public_key.format(compressed=True)
        tweak, chain_code = _split_hmac(chain_code, data + index.to_bytes(4, "big"))
        key = (tweak + key) % SECP256K1_ORDER
        if tweak >= SECP256K1_ORDER or key == 0:
            raise InvalidPrivateKeyError(f"child {index} of {path!r} is invalid; use the next")
    return key.to_bytes(32, "big")


# ---------------------------------------------------------------------------------------------
# Account keys


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateKey:
    """A secp256k1 account key; the secret never appears in ``repr``."""

    secret: bytes = field(repr=False)
    """32-byte big-endian scalar in ``1 .. n-1``."""
    public_key: bytes = field(init=False)
    """33-byte compressed public key."""

    def __post_init__(self) -> None:
        if not isinstance(self.secret, bytes) or len(self.secret) != 32:
            raise InvalidPrivateKeyError("a private key is 32 bytes")
        if not 0 < int.from_bytes(self.secret, "big") < SECP256K1_ORDER:
            raise InvalidPrivateKeyError("private key is out of range (0 or ≥ the group order)")
        public = coincurve.PrivateKey(self.secret).public_key.format(compressed=True)
        object.__setattr__(self, "public_key", public)

    @classmethod
    def generate(cls) -> PrivateKey:
        """A random key from the OS's randomness."""
        while True:
            secret = secrets.token_bytes(32)
            if 0 < int.from_bytes(secret, "big") < SECP256K1_ORDER:
                return cls(secret=secret)

    @classmethod
    def from_hex(cls, text: str) -> PrivateKey:
        """A key from 64 hex digits (an optional ``0x`` prefix is allowed).

        Raises
        ------
        InvalidPrivateKeyError
            If the text is not 64 hex digits of a valid key.
        """
        digits = text.strip().removeprefix("0x")
        if len(digits) != 64 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise InvalidPrivateKeyError("a hex private key is exactly 64 hex digits")
        return cls(secret=bytes.fromhex(digits))

    @classmethod
    def from_seed(cls, seed: bytes, path: str) -> PrivateKey:
        """The key at BIP-32 ``path`` under a BIP-39 seed."""
        return cls(secret=derive_secret(seed, path))

    @classmethod
    def from_mnemonic(
        cls, words: str, account: int = 0, index: int = 0, *, passphrase: str = ""
    ) -> PrivateKey:
        """The key at ``m/44'/118'/{account}'/0/{index}`` of a BIP-39 mnemonic.

        Raises
        ------
        InvalidMnemonicError
            If the mnemonic is not valid BIP-39 English.
        """
        return cls.from_seed(mnemonic_to_seed(words, passphrase), cosmos_hd_path(account, index))

    @property
    def address(self) -> str:
        """Bech32 ``allo1...`` account address."""
        return address_from_pubkey(self.public_key)

    @property
    def public_key_bech32(self) -> str:
        """``allopub1...`` text of the public key."""
        return encode_account_pubkey(self.public_key)

    def to_hex(self) -> str:
        """The secret as 64 lower-case hex digits (handle with care)."""
        return self.secret.hex()

    def sign(self, message: bytes) -> bytes:
        """64-byte ``r‖s`` signature of ``SHA-256(message)`` (RFC 6979, low S)."""
        der = coincurve.PrivateKey(self.secret).sign(message, hasher=sha256)
        return bytes(serialize_compact(der_to_cdata(der)))


# ---------------------------------------------------------------------------------------------
# Validator (consensus) keys


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidatorKey:
    """An ed25519 consensus key, as CometBFT keeps it in ``priv_validator_key.json``."""

    seed: bytes = field(repr=False)
    """32-byte ed25519 seed (the private key)."""
    public_key: bytes = field(init=False)
    """32-byte ed25519 public key."""

    def __post_init__(self) -> None:
        if not isinstance(self.seed, bytes) or len(self.seed) != 32:
            raise InvalidPrivateKeyError("an ed25519 seed is 32 bytes")
        public = bytes(nacl.signing.SigningKey(self.seed).verify_key)
        object.__setattr__(self, "public_key", public)

    @classmethod
    def generate(cls) -> ValidatorKey:
        """A random consensus key."""
        return cls(seed=secrets.token_bytes(32))

    @property
    def address(self) -> bytes:
        """20-byte CometBFT validator address (truncated SHA-256 of the public key)."""
        return consensus_address(self.public_key)

    @property
    def address_hex(self) -> str:
        """The address in upper-case hex, as CometBFT prints it."""
        return self.address.hex().upper()

    @property
    def valcons_address(self) -> str:
        """``allovalcons1...`` text of the address."""
        return valcons_address(self.public_key)

    @property
    def node_id(self) -> str:
        """The CometBFT node id this key has when used as a ``node_key.json`` (lower hex)."""
        return self.address.hex()

    def sign(self, message: bytes) -> bytes:
        """64-byte ed25519 signature of ``message``."""
        return bytes(nacl.signing.SigningKey(self.seed).sign(message).signature)

    def to_priv_validator_key_json(self) -> dict[str, Any]:
        """The content of CometBFT's ``config/priv_validator_key.json``."""
        return {
            "address": self.address_hex,
            "pub_key": {
                "type": _ED25519_JSON_PUB_TYPE,
                "value": base64.b64encode(self.public_key).decode("ascii"),
            },
            "priv_key": {
                "type": _ED25519_JSON_PRIV_TYPE,
                "value": base64.b64encode(self.seed + self.public_key).decode("ascii"),
            },
        }

    def to_node_key_json(self) -> dict[str, Any]:
        """The content of CometBFT's ``config/node_key.json`` for this key."""
        return {
            "priv_key": {
                "type": _ED25519_JSON_PRIV_TYPE,
                "value": base64.b64encode(self.seed + self.public_key).decode("ascii"),
            }
        }

    @classmethod
    def from_key_json(cls, data: Mapping[str, Any]) -> ValidatorKey:
        """Read a ``priv_validator_key.json`` or ``node_key.json`` document.

        Raises
        ------
        KeyMaterialError
            If the document has no ed25519 private key, or its stated public key or address
            does not match the private key.
        """
        try:
            priv = data["priv_key"]
            if priv["type"] != _ED25519_JSON_PRIV_TYPE:
                raise KeyMaterialError(f"unsupported private key type {priv['type']!r}")
            raw = base64.b64decode(priv["value"], validate=True)
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyMaterialError(f"not a CometBFT ed25519 key file: {exc}") from exc
        if len(raw) != 64:
            raise KeyMaterialError("an ed25519 private key value is 64 bytes (seed and pubkey)")
        key = cls(seed=raw[:32])
        if raw[32:] != key.public_key:
            raise KeyMaterialError("the key file's private and public halves do not match")
        stated = data.get("address")
        if stated is not None and str(stated).upper() != key.address_hex:
            raise KeyMaterialError("the key file's address does not match its key")
        return key
