"""Child processes of the node's tools: stopping one cleanly, then for sure; their children
and CPU time (Linux ``/proc``)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path
from typing import Any


def stop_process(
    process: subprocess.Popen[Any], timeout: float = 30.0, *, kill_wait: float = 10.0
) -> int:
    """Stop ``process``: SIGTERM, up to ``timeout`` seconds for it to exit, then SIGKILL.

    Returns the exit status (negative: the signal that ended it, as :mod:`subprocess` reports
    it); a process that had already exited just gives its status.

    Raises
    ------
    subprocess.TimeoutExpired
        If it has not exited ``kill_wait`` seconds after SIGKILL.
    """
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(kill_wait)
    return int(process.returncode)


def read_process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds a process has used (all its threads), from Linux's
    ``/proc``; ``None`` where that is not readable."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        fields = text.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def find_child_pids(pid: int) -> list[int]:
    """The direct children of a process (Linux ``/proc``; empty elsewhere)."""
    children: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                children.extend(int(p) for p in (task / "children").read_text().split())
    return sorted(set(children))
