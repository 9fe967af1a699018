"""``pyallora.node.processes``: a polite stop, a forced one, a process that already ended;
children and CPU time from ``/proc``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pyallora.node.processes import find_child_pids, read_process_cpu_s, stop_process


def _python(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)


def test_sigterm_stops_a_process_that_honours_it() -> None:
    process = _python("import time; print('up', flush=True); time.sleep(60)")
    assert process.stdout is not None and process.stdout.readline() == b"up\n"
    assert stop_process(process, timeout=30) == -signal.SIGTERM


def test_sigkill_follows_when_sigterm_is_ignored() -> None:
    process = _python(
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        " print('up', flush=True); time.sleep(60)"
    )
    assert process.stdout is not None and process.stdout.readline() == b"up\n"
    assert stop_process(process, timeout=0.5) == -signal.SIGKILL


def test_an_exited_process_gives_its_status() -> None:
    process = _python("raise SystemExit(3)")
    process.wait(30)
    assert stop_process(process) == 3


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_process_cpu_and_children_are_read_from_proc() -> None:
    before = read_process_cpu_s(os.getpid())
    assert before is not None
    start = time.process_time()
    while time.process_time() - start < 0.2:
        sum(range(1000))
    after = read_process_cpu_s(os.getpid())
    assert after is not None and after - before >= 0.1
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in find_child_pids(os.getpid())
    finally:
        child.kill()
        child.wait()
    assert read_process_cpu_s(child.pid) is None  # reaped: no such process
    assert find_child_pids(child.pid) == []
