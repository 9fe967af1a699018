"""An on-disk keyring: one JSON file per key, the secret encrypted under a passphrase.

Layout: ``<keyring dir>/keyring-<backend>/<name>.json``, the directory ``0700`` and every file
``0600``. The default keyring directory is ``~/.pyallora/keyring``.

* Backend ``file`` (the default): the secret (a mnemonic with its account/index, or a raw
  private key) is encrypted with ``nacl.secret.SecretBox`` (XSalsa20-Poly1305) under a 32-byte
  key derived from the passphrase by scrypt (``nacl.pwhash.scrypt.kdf``; salt and cost
  parameters stored in the file). A wrong passphrase fails authentication and raises
  :class:`WrongPassphraseError`. All keys of one keyring share a passphrase: adding a key to a
  non-empty keyring first checks the passphrase against an existing key.
* Backend ``test``: **unencrypted**, for local networks and tests only; every file says so.

The name, address and public key of each key are stored in clear (they are public), so
``list`` and ``show`` need no passphrase; ``add``, ``import`` and ``export`` do.

Passphrases come from :func:`resolve_passphrase`: ``--passphrase-file``, then the
``ALLORA_KEYRING_PASSPHRASE`` environment variable, then an interactive prompt (never echoed).
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import nacl.exceptions
import nacl.pwhash.scrypt
import nacl.secret
import nacl.utils

from pyallora.client.keys import (
    KeyMaterialError,
    PrivateKey,
    cosmos_hd_path,
    generate_mnemonic,
    validate_mnemonic,
)
from pyallora.core.crypto import encode_account_pubkey
from pyallora.core.errors import PyAlloraError

Backend = Literal["file", "test"]
"""Keyring backends: encrypted files, or unencrypted files for tests and local networks."""

BACKENDS: Final[tuple[Backend, ...]] = ("file", "test")
"""Accepted backend names."""

DEFAULT_KEYRING_DIR: Final = Path("~/.pyallora/keyring")
"""Default keyring directory (``~`` expanded when used)."""

PASSPHRASE_ENV: Final = "ALLORA_KEYRING_PASSPHRASE"
"""Environment variable read for the passphrase when no passphrase file is given."""

MIN_PASSPHRASE_LENGTH: Final = 8
"""Shortest passphrase accepted when encrypting a key."""

FORMAT: Final = "pyallora-keyring-v1"
"""Format tag written into every key file."""

TEST_BACKEND_WARNING: Final = "UNENCRYPTED test keyring: for local networks and tests only"
"""Label written into every ``test`` backend file."""

SCRYPT_OPSLIMIT: Final = nacl.pwhash.scrypt.OPSLIMIT_MODERATE
"""Default scrypt CPU cost (libsodium's "moderate", about 0.25 s)."""

SCRYPT_MEMLIMIT: Final = nacl.pwhash.scrypt.MEMLIMIT_MODERATE
"""Default scrypt memory cost (libsodium's "moderate", 128 MiB)."""

_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_KIND_MNEMONIC: Final = "mnemonic"
_KIND_PRIVATE_KEY: Final = "private_key"
_HEX_KEY: Final = re.compile(r"(0x)?[0-9a-fA-F]{64}")


class KeyringError(PyAlloraError):
    """A keyring operation cannot be done."""


class InvalidKeyNameError(KeyringError, ValueError):
    """A key name is not 1-64 characters of letters, digits, ``_``, ``.`` or ``-``."""


class KeyNotFoundError(KeyringError, LookupError):
    """No key of that name in the keyring."""


class KeyExistsError(KeyringError):
    """A key of that name already exists."""


class WrongPassphraseError(KeyringError):
    """The passphrase does not decrypt the key."""


class CorruptKeyFileError(KeyringError):
    """A key file cannot be read or does not match its stated address."""


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyInfo:
    """The public facts of a stored key."""

    name: str
    address: str
    public_key: bytes
    """33-byte compressed secp256k1 public key."""
    kind: str
    """``mnemonic`` (recoverable from words) or ``private_key`` (imported raw key)."""
    backend: Backend

    @property
    def public_key_hex(self) -> str:
        """The public key as lower-case hex (the form payload signatures carry)."""
        return self.public_key.hex()

    @property
    def public_key_bech32(self) -> str:
        """The ``allopub1...`` text of the public key."""
        return encode_account_pubkey(self.public_key)

    def to_json(self) -> dict[str, str]:
        """JSON-ready view (no secrets)."""
        return {
            "name": self.name,
            "address": self.address,
            "pubkey": self.public_key_hex,
            "type": self.kind,
            "backend": self.backend,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class KeySecret:
    """A decrypted key: the private key, and the mnemonic it came from (if any)."""

    private_key: PrivateKey = field(repr=False)
    mnemonic: str | None = field(default=None, repr=False)
    account: int = 0
    index: int = 0


def validate_key_name(name: str) -> str:
    """Return ``name`` if it is a valid key name.

    Raises
    ------
    InvalidKeyNameError
        Unless the name is 1-64 characters of ASCII letters, digits, ``_``, ``.``, ``-``,
        starting with a letter or digit.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidKeyNameError(
            f"invalid key name {str(name)[:80]!r}: use 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return name


def resolve_passphrase(
    *,
    passphrase_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    confirm: bool = False,
    prompt: Callable[[str], str] | None = None,
) -> str:
    """The keyring passphrase: from a file, else the environment, else an interactive prompt.

    Parameters
    ----------
    passphrase_file
        A file whose first line is the passphrase (trailing newline removed).
    environ
        Where to look for :data:`PASSPHRASE_ENV` (default: ``os.environ``).
    confirm
        Ask twice when prompting (when a passphrase is being chosen).
    prompt
        The prompt function (default ``getpass.getpass``: nothing is echoed).

    Raises
    ------
    KeyringError
        If the file cannot be read, or the two prompted entries differ.
    """
    if passphrase_file is not None:
        try:
            text = passphrase_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyringError(f"cannot read passphrase file {passphrase_file}: {exc}") from exc
        lines = text.splitlines()
        return lines[0] if lines else ""
    env = os.environ if environ is None else environ
    if PASSPHRASE_ENV in env:
        return env[PASSPHRASE_ENV]
    ask = getpass.getpass if prompt is None else prompt
    try:
        first = ask("Enter keyring passphrase: ")
        if confirm and ask("Re-enter keyring passphrase: ") != first:
            raise KeyringError("passphrases do not match")
    except EOFError as exc:
        raise KeyringError(f"no passphrase: use --passphrase-file or set {PASSPHRASE_ENV}") from exc
    return first


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text, validate=True)


class Keyring:
    """The keys of one keyring directory and backend.

    Parameters
    ----------
    directory
        The keyring directory (``~`` is expanded); keys live in ``keyring-<backend>/`` in it.
    backend
        ``file`` (encrypted) or ``test`` (unencrypted).
    scrypt_opslimit, scrypt_memlimit
        scrypt costs for newly encrypted keys (stored per file; reading uses the file's).
    """

    def __init__(
        self,
        directory: Path = DEFAULT_KEYRING_DIR,
        *,
        backend: Backend = "file",
        scrypt_opslimit: int = SCRYPT_OPSLIMIT,
        scrypt_memlimit: int = SCRYPT_MEMLIMIT,
    ) -> None:
        if backend not in BACKENDS:
            raise KeyringError(f"unknown keyring backend {backend!r}; use 'file' or 'test'")
        self.backend: Backend = backend
        self.path = Path(directory).expanduser() / f"keyring-{backend}"
        self._opslimit = scrypt_opslimit
        self._memlimit = scrypt_memlimit

    # -- files ---------------------------------------------------------------------------------

    def _file(self, name: str) -> Path:
        return self.path / f"{validate_key_name(name)}.json"

    def _read(self, name: str) -> dict[str, Any]:
        path = self._file(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise KeyNotFoundError(f"no key named {name!r} in {self.path}") from exc
        except OSError as exc:
            raise CorruptKeyFileError(f"cannot read {path}: {exc}") from exc
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CorruptKeyFileError(f"{path} is not JSON: {exc}") from exc
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise CorruptKeyFileError(f"{path} is not a {FORMAT} key file")
        if document.get("backend") != self.backend or document.get("name") != name:
            raise CorruptKeyFileError(f"{path} does not belong to this keyring entry")
        return document

    def _write_new(self, name: str, document: dict[str, Any]) -> None:
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._file(name)
        temporary = self.path / f".{name}.json.tmp"
        text = json.dumps(document, indent=2, sort_keys=True) + "\n"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(temporary, 0o600)
            if path.exists():
                raise KeyExistsError(f"a key named {name!r} already exists in {self.path}")
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()

    # -- encryption ------------------------------------------------------------------------------

    def _box_key(self, passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
        return bytes(
            nacl.pwhash.scrypt.kdf(
                nacl.secret.SecretBox.KEY_SIZE,
                passphrase.encode("utf-8"),
                salt,
                opslimit=opslimit,
                memlimit=memlimit,
            )
        )

    def _seal(self, secret: dict[str, Any], passphrase: str | None) -> dict[str, Any]:
        if self.backend == "test":
            return {"warning": TEST_BACKEND_WARNING, "secret": secret}
        if passphrase is None or len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise KeyringError(
                f"the keyring passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters"
            )
        salt = nacl.utils.random(nacl.pwhash.scrypt.SALTBYTES)
        key = self._box_key(passphrase, salt, self._opslimit, self._memlimit)
        plaintext = json.dumps(secret, sort_keys=True).encode("utf-8")
        ciphertext = nacl.secret.SecretBox(key).encrypt(plaintext)
        return {
            "kdf": {
                "name": "scrypt",
                "opslimit": self._opslimit,
                "memlimit": self._memlimit,
                "salt": _b64(salt),
            },
            "cipher": "xsalsa20poly1305",
            "ciphertext": _b64(bytes(ciphertext)),
        }

    def _open(self, document: dict[str, Any], passphrase: str | None) -> dict[str, Any]:
        name = document["name"]
        if self.backend == "test":
            secret = document.get("secret")
        else:
            if passphrase is None:
                raise WrongPassphraseError(f"a passphrase is needed to decrypt key {name!r}")
            try:
                kdf = document["kdf"]
                salt = _unb64(kdf["salt"])
                ciphertext = _unb64(document["ciphertext"])
                key = self._box_key(passphrase, salt, int(kdf["opslimit"]), int(kdf["memlimit"]))
            except (KeyError, TypeError, ValueError) as exc:
                raise CorruptKeyFileError(f"key file of {name!r} is damaged: {exc}") from exc
            try:
                plaintext = nacl.secret.SecretBox(key).decrypt(ciphertext)
            except nacl.exceptions.CryptoError as exc:
                raise WrongPassphraseError(f"wrong passphrase for key {name!r}") from exc
            secret = json.loads(plaintext)
        if not isinstance(secret, dict):
            raise CorruptKeyFileError(f"key file of {name!r} has no secret")
        return secret

    # -- operations ------------------------------------------------------------------------------

    def _check_shared_passphrase(self, passphrase: str | None) -> None:
        """In a non-empty encrypted keyring, the new key must use the existing passphrase."""
        if self.backend == "test":
            return
        existing = self.list_keys()
        if existing:
            self._open(self._read(existing[0].name), passphrase)

    def _store(
        self, name: str, secret: dict[str, Any], private_key: PrivateKey, passphrase: str | None
    ) -> KeyInfo:
        validate_key_name(name)
        if self._file(name).exists():
            raise KeyExistsError(f"a key named {name!r} already exists in {self.path}")
        self._check_shared_passphrase(passphrase)
        info = KeyInfo(
            name=name,
            address=private_key.address,
            public_key=private_key.public_key,
            kind=_KIND_MNEMONIC if "mnemonic" in secret else _KIND_PRIVATE_KEY,
            backend=self.backend,
        )
        document = {
            "format": FORMAT,
            "backend": self.backend,
            "name": name,
            "address": info.address,
            "public_key": info.public_key_hex,
            "type": info.kind,
            **self._seal(secret, passphrase),
        }
        self._write_new(name, document)
        return info

    def add(
        self,
        name: str,
        *,
        passphrase: str | None,
        mnemonic: str | None = None,
        account: int = 0,
        index: int = 0,
    ) -> tuple[KeyInfo, str]:
        """Create a key from a new 24-word mnemonic, or recover it from ``mnemonic``.

        Returns
        -------
        tuple of KeyInfo and str
            The stored key and its (normalized) mnemonic, which the user must back up.

        Raises
        ------
        KeyExistsError, InvalidKeyNameError, InvalidMnemonicError, WrongPassphraseError
            On a taken or invalid name, a bad mnemonic, or a passphrase that differs from the
            keyring's.
        """
        words = generate_mnemonic() if mnemonic is None else validate_mnemonic(mnemonic)
        if account < 0 or index < 0:
            raise KeyringError("account and index must be non-negative")
        private_key = PrivateKey.from_mnemonic(words, account, index)
        secret = {"mnemonic": words, "account": account, "index": index}
        return self._store(name, secret, private_key, passphrase), words

    def import_key(
        self,
        name: str,
        secret_text: str,
        *,
        passphrase: str | None,
        account: int = 0,
        index: int = 0,
    ) -> KeyInfo:
        """Import a key from a mnemonic or a 64-hex-digit private key (detected by form).

        Raises
        ------
        KeyMaterialError
            If the text is neither a valid mnemonic nor a valid hex private key.
        """
        text = secret_text.strip()
        if _HEX_KEY.fullmatch(text):
            private_key = PrivateKey.from_hex(text)
            return self._store(name, {"private_key": private_key.to_hex()}, private_key, passphrase)
        info, _ = self.add(name, passphrase=passphrase, mnemonic=text, account=account, index=index)
        return info

    def list_keys(self) -> list[KeyInfo]:
        """Every key, sorted by name."""
        if not self.path.is_dir():
            return []
        names = sorted(
            path.stem
            for path in self.path.glob("*.json")
            if _NAME.fullmatch(path.stem) and not path.name.startswith(".")
        )
        return [self.show(name) for name in names]

    def show(self, name: str) -> KeyInfo:
        """The public facts of one key (no passphrase needed).

        Raises
        ------
        KeyNotFoundError
            If there is no such key.
        """
        document = self._read(name)
        try:
            public_key = bytes.fromhex(document["public_key"])
            return KeyInfo(
                name=name,
                address=str(document["address"]),
                public_key=public_key,
                kind=str(document["type"]),
                backend=self.backend,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptKeyFileError(f"key file of {name!r} is damaged: {exc}") from exc

    def export(self, name: str, *, passphrase: str | None) -> KeySecret:
        """Decrypt a key.

        Raises
        ------
        WrongPassphraseError
            If the passphrase does not decrypt it.
        CorruptKeyFileError
            If the decrypted key does not give the stored address.
        """
        document = self._read(name)
        secret = self._open(document, passphrase)
        try:
            if "mnemonic" in secret:
                account, index = int(secret["account"]), int(secret["index"])
                words = str(secret["mnemonic"])
                result = KeySecret(
                    private_key=PrivateKey.from_mnemonic(words, account, index),
                    mnemonic=words,
                    account=account,
                    index=index,
                )
            else:
                result = KeySecret(private_key=PrivateKey.from_hex(str(secret["private_key"])))
        except (KeyError, TypeError, ValueError, KeyMaterialError) as exc:
            raise CorruptKeyFileError(f"key file of {name!r} holds a damaged secret") from exc
        if result.private_key.address != document.get("address"):
            raise CorruptKeyFileError(f"key file of {name!r} does not match its address")
        return result

    def delete(self, name: str) -> None:
        """Remove a key file.

        Raises
        ------
        KeyNotFoundError
            If there is no such key.
        """
        self._read(name)
        self._file(name).unlink()


def derivation_path_of(secret: KeySecret) -> str | None:
    """The BIP-32 path a mnemonic key was derived along (``None`` for imported raw keys)."""
    if secret.mnemonic is None:
        return None
    return cosmos_hd_path(secret.account, secret.index)
