"""Child processes of the node's tools: stopping one cleanly, then for sure."""

from __future__ import annotations

import subprocess
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
