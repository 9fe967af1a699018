"""Regenerate the committed protobuf classes of ``src/pyallora/proto`` from ``proto/``.

The ``.proto`` sources live under ``proto/pyallora/proto/<package path>/`` so that the
generated modules import each other as ``pyallora.proto.<package path>.<name>_pb2``; the
``package`` statements inside the files are Allora's (``emissions.v3``, ``mint.v1beta1``,
...), so full message names and type URLs match the reference chain.

The compiler is ``python -m grpc_tools.protoc`` from the pinned ``grpcio-tools==1.71.*``
(its gencode targets protobuf 5.29, the runtime cosmpy needs; INFRA.md §5). Only
``*_pb2.py`` and ``*_pb2.pyi`` are produced: the service descriptors (method paths such as
``/emissions.v5.QueryService/GetTopic``) are part of each file's descriptor, no gRPC stubs
are generated.

Usage, from anywhere::

    python tools/gen_proto.py           # regenerate (idempotent: unchanged files untouched)
    python tools/gen_proto.py --check   # exit 1 if the committed classes are out of date

Generated files whose ``.proto`` no longer exists are removed; each generated package
directory gets an ``__init__.py`` (a docstring) when it has none.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
SOURCE_DIR = PROTO_ROOT / "pyallora" / "proto"
OUTPUT_ROOT = ROOT / "src"
OUTPUT_DIR = OUTPUT_ROOT / "pyallora" / "proto"
REQUIRED_GRPC_TOOLS = "1.71."
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi")


def find_sources() -> list[Path]:
    """Every ``.proto`` file under ``proto/pyallora/proto``, sorted, relative to ``proto/``."""
    return sorted(path.relative_to(PROTO_ROOT) for path in SOURCE_DIR.rglob("*.proto"))


def check_compiler() -> None:
    """Refuse to run with a grpcio-tools whose gencode the pinned protobuf cannot import."""
    if importlib.util.find_spec("grpc_tools") is None:
        sys.exit("grpcio-tools is not installed: run `make venv` (it is in the [dev] extra)")
    found = importlib.metadata.version("grpcio-tools")
    if not found.startswith(REQUIRED_GRPC_TOOLS):
        sys.exit(
            f"grpcio-tools {found} found, {REQUIRED_GRPC_TOOLS}* required: newer releases emit "
            "gencode that protobuf 5.29 (needed by cosmpy) refuses to import"
        )


def compile_into(target: Path, sources: list[Path]) -> None:
    """Run protoc on ``sources`` (relative to ``proto/``) writing into ``target``."""
    command = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        "-I.",
        f"--python_out={target}",
        f"--pyi_out={target}",
        *(path.as_posix() for path in sources),
    ]
    result = subprocess.run(command, cwd=PROTO_ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"protoc failed:\n{result.stderr}")


def package_docstring(package_dir: Path) -> str:
    """The ``__init__.py`` text of a generated package directory."""
    relative = package_dir.relative_to(OUTPUT_DIR)
    dotted = ".".join(relative.parts)
    if not dotted:
        return '"""pyallora.proto."""\n'
    return (
        f'"""Generated protobuf classes of the Allora package ``{dotted}`` '
        f"(sources: proto/pyallora/proto/{relative.as_posix()}/; "
        'regenerate with tools/gen_proto.py)."""\n'
    )


def plan_changes(generated_root: Path) -> tuple[dict[Path, bytes], list[Path]]:
    """Files to write (path -> content) and stale generated files to delete."""
    writes: dict[Path, bytes] = {}
    generated_dir = generated_root / "pyallora" / "proto"
    fresh: set[Path] = set()
    for produced in sorted(generated_dir.rglob("*")):
        if not produced.is_file():
            continue
        destination = OUTPUT_DIR / produced.relative_to(generated_dir)
        fresh.add(destination)
        content = produced.read_bytes()
        if not destination.exists() or destination.read_bytes() != content:
            writes[destination] = content
    package_dirs = {OUTPUT_DIR} | {path.parent for path in fresh}
    for directory in sorted(package_dirs):
        parents = [directory, *directory.parents]
        for parent in parents:
            if parent == OUTPUT_DIR.parent:
                break
            init = parent / "__init__.py"
            if not init.exists() and init not in writes:
                writes[init] = package_docstring(parent).encode()
    stale = sorted(
        path
        for path in OUTPUT_DIR.rglob("*")
        if path.is_file() and path.name.endswith(GENERATED_SUFFIXES) and path not in fresh
    )
    return writes, stale


def main(argv: list[str]) -> int:
    """Regenerate (or with ``--check`` verify) the committed classes; 1 when out of date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report whether the classes are up to date"
    )
    args = parser.parse_args(argv)
    check_compiler()
    sources = find_sources()
    if not sources:
        sys.exit(f"no .proto files under {SOURCE_DIR.relative_to(ROOT)}")
    with tempfile.TemporaryDirectory() as scratch:
        compile_into(Path(scratch), sources)
        writes, stale = plan_changes(Path(scratch))
    if args.check:
        for path in sorted(writes):
            print(f"out of date: {path.relative_to(ROOT)}")
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}")
        return 1 if writes or stale else 0
    for path, content in sorted(writes.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(f"wrote {path.relative_to(ROOT)}")
    for path in stale:
        path.unlink()
        print(f"removed {path.relative_to(ROOT)}")
    print(f"{len(sources)} proto files, {len(writes)} written, {len(stale)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
