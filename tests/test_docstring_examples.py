"""Every ``>>>`` example in the package's docstrings runs and prints what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import pyallora


def _walk_modules() -> list[str]:
    names = [info.name for info in pkgutil.walk_packages(pyallora.__path__, "pyallora.")]
    return sorted(name for name in names if ".proto." not in name)


MODULES = _walk_modules()


def test_the_walk_finds_the_layers() -> None:
    for layer in ("core", "synthesis", "chain", "node", "agents", "cli"):
        assert any(name.startswith(f"pyallora.{layer}.") for name in MODULES), layer


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    result = doctest.testmod(module, report=False, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples fail in {name}"


def test_examples_exist() -> None:
    attempted = 0
    for name in MODULES:
        finder = doctest.DocTestFinder()
        attempted += sum(len(test.examples) for test in finder.find(importlib.import_module(name)))
    assert attempted >= 100
