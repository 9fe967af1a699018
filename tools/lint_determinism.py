"""Determinism lint for the consensus layers (core, synthesis, chain).

An AST walk that reports what would let two validators compute different results:

* float literals and calls to ``float`` (use ``Dec`` or ``int``);
* imports of ``time``, ``datetime`` (clock), ``random``, ``secrets``, ``os``, ``logging``,
  ``asyncio``, ``threading``, ``socket`` (clock, randomness, environment, I/O, threads);
* any mention of ``os.environ`` or ``getenv``;
* iteration over a set: ``for``/comprehensions over ``set(...)``, ``frozenset(...)``, a set
  literal or a set comprehension, and ``sorted`` is the fix.

Usage: ``python tools/lint_determinism.py [PATH ...]`` (default: the consensus packages).
Exit status 1 when anything is found. :func:`find_problems` is what the tests call.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

CONSENSUS_PACKAGES = ("core", "synthesis", "chain")
BANNED_MODULES = frozenset(
    {"time", "datetime", "random", "secrets", "os", "logging", "asyncio", "threading", "socket"}
)
ROOT = Path(__file__).resolve().parent.parent


def _is_set_expr(node: ast.AST) -> bool:
    if isinstance(node, ast.Set | ast.SetComp):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"set", "frozenset"}
    )


class _Visitor(ast.NodeVisitor):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def report(self, node: ast.AST, what: str) -> None:
        line = getattr(node, "lineno", 0)
        self.problems.append(f"{self.path}:{line}: {what}")

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, float):
            self.report(node, f"float literal {node.value!r} (use Dec or int)")

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "float":
            self.report(node, "call to float() (use Dec or int)")
        if isinstance(node.func, ast.Attribute) and node.func.attr == "getenv":
            self.report(node, "environment lookup (getenv)")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "environ":
            self.report(node, "environment lookup (os.environ)")
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] in BANNED_MODULES:
                self.report(node, f"import of {alias.name} (clock, randomness, env or I/O)")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and node.level == 0 and node.module.split(".")[0] in BANNED_MODULES:
            self.report(node, f"import from {node.module} (clock, randomness, env or I/O)")

    def _check_iter(self, iterable: ast.AST) -> None:
        if _is_set_expr(iterable):
            self.report(iterable, "iteration over a set (iterate sorted(...) instead)")

    def visit_For(self, node: ast.For) -> None:
        self._check_iter(node.iter)
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self._check_iter(node.iter)
        self.generic_visit(node)


def find_problems(paths: list[Path]) -> list[str]:
    """Every determinism problem in the Python files under ``paths``."""
    problems: list[str] = []
    for base in paths:
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base]
        for file in files:
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
            visitor = _Visitor(file.relative_to(ROOT) if file.is_relative_to(ROOT) else file)
            visitor.visit(tree)
            problems.extend(visitor.problems)
    return problems


def default_paths() -> list[Path]:
    """The consensus packages of this checkout."""
    return [ROOT / "src" / "pyallora" / name for name in CONSENSUS_PACKAGES]


def main(argv: list[str]) -> int:
    """Lint the given paths (or the consensus packages); 1 when anything is found."""
    paths = [Path(arg).resolve() for arg in argv] or default_paths()
    problems = find_problems([p for p in paths if p.exists()])
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} determinism problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
