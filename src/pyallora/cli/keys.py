"""``allora keys``: create, recover, list, show, export, import and delete account keys.

Keys live in a :class:`~pyallora.client.keyring.Keyring` (``--keyring-dir``, default
``~/.pyallora/keyring``; ``--keyring-backend file`` encrypts them under a passphrase,
``test`` stores them unencrypted for local networks). The passphrase comes from
``--passphrase-file``, the ``ALLORA_KEYRING_PASSPHRASE`` environment variable, or a prompt
that does not echo. Secrets read from standard input (``add --recover``, ``import``) are read
without echo when standard input is a terminal.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from pyallora.client.keyring import (
    BACKENDS,
    DEFAULT_KEYRING_DIR,
    PASSPHRASE_ENV,
    KeyInfo,
    Keyring,
    KeyringError,
    resolve_passphrase,
)

BACKUP_WARNING = (
    "**Important** write this mnemonic phrase in a safe place.\n"
    "It is the only way to recover your account if you ever forget your password."
)
"""Printed above a newly generated mnemonic."""


def register(subparsers: Any) -> None:
    """Add ``allora keys`` and its sub-commands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "keys",
        help="manage account keys (mnemonics, addresses, the keyring)",
        description="Manage the secp256k1 account keys in a local keyring.",
    )
    parser.set_defaults(group_parser=parser)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--keyring-dir",
        type=Path,
        default=DEFAULT_KEYRING_DIR,
        help=f"keyring directory (default: {DEFAULT_KEYRING_DIR})",
    )
    common.add_argument(
        "--keyring-backend",
        choices=BACKENDS,
        default="file",
        help="'file' encrypts keys under a passphrase; 'test' stores them UNENCRYPTED "
        "(local networks and tests only)",
    )
    common.add_argument(
        "--passphrase-file",
        type=Path,
        help=f"read the passphrase from this file's first line (else ${PASSPHRASE_ENV}, "
        "else a prompt)",
    )
    common.add_argument("--output", choices=("text", "json"), default="text", help="output format")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    add = sub.add_parser(
        "add",
        parents=[common],
        help="create a key (new 24-word mnemonic) or recover one",
        description="Create a key from a new 24-word mnemonic, or recover it with --recover "
        "(the mnemonic is read from standard input).",
    )
    add.add_argument("name", help="key name (letters, digits, '_', '.', '-')")
    add.add_argument(
        "--recover", action="store_true", help="read a BIP-39 mnemonic from standard input"
    )
    add.add_argument("--account", type=int, default=0, help="BIP-44 account (default 0)")
    add.add_argument("--index", type=int, default=0, help="BIP-44 address index (default 0)")
    add.add_argument("--no-backup", action="store_true", help="do not print the new mnemonic")
    add.set_defaults(func=run_add)

    list_parser = sub.add_parser(
        "list", parents=[common], help="list keys", description="List the keyring's keys."
    )
    list_parser.set_defaults(func=run_list)

    show = sub.add_parser(
        "show",
        parents=[common],
        help="show a key's address and public key",
        description="Show a key's name, address and public key (no passphrase needed).",
    )
    show.add_argument("name")
    show.add_argument("--address", action="store_true", help="print only the address")
    show.set_defaults(func=run_show)

    export = sub.add_parser(
        "export",
        parents=[common],
        help="print a key's mnemonic or private key (needs the passphrase)",
        description="Decrypt a key and print its mnemonic (default when it has one) or its "
        "private key as hex. Anyone who sees the output controls the account.",
    )
    export.add_argument("name")
    export.add_argument(
        "--format",
        choices=("mnemonic", "hex"),
        help="what to print (default: mnemonic, or hex for imported raw keys)",
    )
    export.set_defaults(func=run_export)

    import_parser = sub.add_parser(
        "import",
        parents=[common],
        help="import a mnemonic or hex private key from standard input",
        description="Store a key read from standard input: a BIP-39 mnemonic or a private "
        "key of 64 hex digits.",
    )
    import_parser.add_argument("name")
    import_parser.add_argument("--account", type=int, default=0, help="BIP-44 account")
    import_parser.add_argument("--index", type=int, default=0, help="BIP-44 address index")
    import_parser.set_defaults(func=run_import)

    delete = sub.add_parser(
        "delete",
        parents=[common],
        help="delete a key",
        description="Delete a key file. Without --yes, asks for confirmation.",
    )
    delete.add_argument("name")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(func=run_delete)


# ---------------------------------------------------------------------------------------------
# Helpers


def _keyring(args: argparse.Namespace) -> Keyring:
    if args.keyring_backend == "test":
        print("WARNING: keyring backend 'test' stores keys UNENCRYPTED", file=sys.stderr)
    return Keyring(args.keyring_dir, backend=args.keyring_backend)


def _passphrase(args: argparse.Namespace, keyring: Keyring, *, new_key: bool) -> str | None:
    if keyring.backend == "test":
        return None
    confirm = new_key and not keyring.list_keys()
    return resolve_passphrase(passphrase_file=args.passphrase_file, confirm=confirm)


def _read_secret(prompt: str) -> str:
    """A secret from standard input: without echo on a terminal, else the whole stream."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.read()


def _print_info(
    info: KeyInfo, args: argparse.Namespace, extra: dict[str, str] | None = None
) -> None:
    document: dict[str, str] = {**info.to_json(), **(extra or {})}
    if args.output == "json":
        print(json.dumps(document, sort_keys=True))
        return
    print(f"- name: {info.name}")
    print(f"  address: {info.address}")
    print(f"  pubkey: {info.public_key_hex}")
    print(f"  type: {info.kind}")


# ---------------------------------------------------------------------------------------------
# Commands


def run_add(args: argparse.Namespace) -> int:
    """``allora keys add NAME [--recover]``."""
    keyring = _keyring(args)
    mnemonic = _read_secret("Enter your BIP-39 mnemonic: ") if args.recover else None
    passphrase = _passphrase(args, keyring, new_key=True)
    info, words = keyring.add(
        args.name,
        passphrase=passphrase,
        mnemonic=mnemonic,
        account=args.account,
        index=args.index,
    )
    show_words = not args.recover and not args.no_backup
    if args.output == "json":
        _print_info(info, args, {"mnemonic": words} if show_words else None)
    else:
        _print_info(info, args)
        if show_words:
            print(f"\n{BACKUP_WARNING}\n\n{words}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """``allora keys list``."""
    keys = _keyring(args).list_keys()
    if args.output == "json":
        print(json.dumps([info.to_json() for info in keys], sort_keys=True))
        return 0
    for info in keys:
        print(f"{info.name}\t{info.address}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """``allora keys show NAME [--address]``."""
    info = _keyring(args).show(args.name)
    if args.address:
        if args.output == "json":
            print(json.dumps({"address": info.address}))
        else:
            print(info.address)
        return 0
    _print_info(info, args)
    return 0


def run_export(args: argparse.Namespace) -> int:
    """``allora keys export NAME [--format mnemonic|hex]``."""
    keyring = _keyring(args)
    keyring.show(args.name)  # a missing key fails before asking for the passphrase
    secret = keyring.export(args.name, passphrase=_passphrase(args, keyring, new_key=False))
    wanted = args.format or ("mnemonic" if secret.mnemonic is not None else "hex")
    if wanted == "mnemonic":
        if secret.mnemonic is None:
            raise KeyringError(f"key {args.name!r} was imported as a raw key; use --format hex")
        value = secret.mnemonic
    else:
        value = secret.private_key.to_hex()
    print("WARNING: anyone who sees this secret controls the account", file=sys.stderr)
    if args.output == "json":
        print(json.dumps({"name": args.name, wanted: value}))
    else:
        print(value)
    return 0


def run_import(args: argparse.Namespace) -> int:
    """``allora keys import NAME`` (secret on standard input)."""
    keyring = _keyring(args)
    text = _read_secret("Enter a BIP-39 mnemonic or a hex private key: ")
    passphrase = _passphrase(args, keyring, new_key=True)
    info = keyring.import_key(
        args.name, text, passphrase=passphrase, account=args.account, index=args.index
    )
    _print_info(info, args)
    return 0


def run_delete(args: argparse.Namespace) -> int:
    """``allora keys delete NAME [--yes]``."""
    keyring = _keyring(args)
    info = keyring.show(args.name)
    if not args.yes:
        try:
            answer = input(f"Delete key {info.name} ({info.address})? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            raise KeyringError("not deleted (confirm with 'y' or pass --yes)")
    keyring.delete(args.name)
    if args.output == "json":
        print(json.dumps({"deleted": info.name}))
    else:
        print(f"deleted {info.name}")
    return 0
