"""``stop_process``: a polite stop, a forced one, and a process that already ended."""

from __future__ import annotations

import signal
import subprocess
import sys

from pyallora.node.processes import stop_process


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
