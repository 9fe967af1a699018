"""Where CometBFT's CPU goes while a pyallora node takes ``allora bench node``'s load.

Starts a node as ``allora bench node`` does (a fresh home in a temporary directory, funded
senders, ``allora start`` in a child process), with CometBFT's pprof endpoint turned on
(``rpc.pprof_laddr`` on a free loopback port). While the benchmark's signed load is sent:

* a **CPU profile** of CometBFT is recorded for ``--profile-s`` seconds and summarised with
  ``go tool pprof``: the largest cumulative entries, and the share of the samples spent under
  the ABCI socket client's flush timer (``timer.(*ThrottleTimer).fireRoutine``);
* CometBFT's **goroutine dump** is read every ``--interval-ms``: for each ABCI socket client's
  request sender (``socketClient.sendRequestsRoutine``), in which state it was found. Parked in
  ``select`` means it had nothing to send; ``runnable`` means it had requests to send to the
  application and was waiting for a CPU.

The senders are named by goroutine id, in the order CometBFT starts its four ABCI clients
(query, snapshot, mempool, consensus; INFRA.md §4.4).

Needs the ``go`` command (for ``go tool pprof``) and a CometBFT binary (``make cometbft``).
Figures depend on the machine and its load; nothing here is a test.

Usage: ``python tools/profile_cometbft_load.py [--txs N] [--senders S] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from pyallora.cli.bench_node import (
    CHAIN_ID,
    SEND_FUNDS,
    _genesis_account_numbers,
    make_sender_key,
    measure_throughput,
    run_pyallora_node,
    sign_load,
)
from pyallora.node.cometbft import CometRpc, find_cometbft, find_free_port, patch_config_toml
from pyallora.node.config import load_node_config
from pyallora.node.home import init_node_home

CONNECTIONS = ("query", "snapshot", "mempool", "consensus")
"""CometBFT's ABCI clients in the order it starts them."""

_GOROUTINE_HEADER = re.compile(r"^goroutine (\d+) \[([^\],]+)")


def classify_senders(dump: str) -> dict[int, str]:
    """The state of every ABCI request-sender goroutine in a ``debug=2`` goroutine dump.

    >>> dump = (
    ...     "goroutine 7 [select]:\\n"
    ...     "github.com/cometbft/cometbft/abci/client.(*socketClient).sendRequestsRoutine(...)\\n"
    ...     "\\n"
    ...     "goroutine 9 [runnable]:\\n"
    ...     "github.com/cometbft/cometbft/abci/client.(*socketClient).sendRequestsRoutine(...)\\n"
    ...     "\\n"
    ...     "goroutine 11 [IO wait, 2 minutes]:\\ninternal/poll.runtime_pollWait(...)\\n"
    ... )
    >>> classify_senders(dump)
    {7: 'select', 9: 'runnable'}
    """
    states: dict[int, str] = {}
    for block in dump.split("\n\n"):
        header = _GOROUTINE_HEADER.match(block.strip())
        if header and "socketClient).sendRequestsRoutine" in block:
            states[int(header.group(1))] = header.group(2)
    return states


def summarise_senders(samples: list[dict[int, str]]) -> list[tuple[str, collections.Counter[str]]]:
    """Per sender goroutine (named in start order), how often each state was seen.

    >>> rows = summarise_senders([{5: "select", 8: "runnable"}, {5: "select", 8: "select"}])
    >>> [(name, dict(counts)) for name, counts in rows]
    [('query', {'select': 2}), ('snapshot', {'runnable': 1, 'select': 1})]
    """
    counts: dict[int, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for sample in samples:
        for goroutine, state in sample.items():
            counts[goroutine][state] += 1
    rows = []
    for index, goroutine in enumerate(sorted(counts)):
        name = CONNECTIONS[index] if index < len(CONNECTIONS) else f"goroutine {goroutine}"
        rows.append((name, counts[goroutine]))
    return rows


def _pprof_top(binary: Path, profile: Path, lines: int) -> str:
    completed = subprocess.run(
        ["go", "tool", "pprof", "-top", "-cum", f"-nodecount={lines}", str(binary), str(profile)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return completed.stdout if completed.returncode == 0 else completed.stderr


def flush_timer_share(top: str) -> float | None:
    """Cumulative share (%) of ``ThrottleTimer.fireRoutine`` in ``pprof -top -cum`` text.

    >>> flush_timer_share(
    ...     "0.01s 0.39% 2.7% 0.51s 20.00%  github.com/x/timer.(*ThrottleTimer).fireRoutine"
    ... )
    20.0
    """
    for line in top.splitlines():
        if "ThrottleTimer).fireRoutine" in line:
            fields = line.split()
            return float(fields[4].rstrip("%"))
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--txs", type=int, default=8000)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--profile-s", type=int, default=4, help="CPU profile length")
    parser.add_argument("--interval-ms", type=int, default=50, help="goroutine dump interval")
    parser.add_argument("--top", type=int, default=25, help="pprof entries to print")
    parser.add_argument("--keep", type=Path, help="copy the CPU profile here")
    args = parser.parse_args()
    if shutil.which("go") is None:
        print("this tool needs the go command (go tool pprof)", file=sys.stderr)
        return 2
    cometbft = find_cometbft(None)
    keys = [make_sender_key(index) for index in range(args.senders)]
    with tempfile.TemporaryDirectory(prefix="profile-cometbft-") as temporary:
        root = Path(temporary)
        init = init_node_home(
            root / "home",
            chain_id=CHAIN_ID,
            accounts=[(key.address, SEND_FUNDS) for key in keys],
            engine="cometbft",
            block_time_ms=500,
            cometbft_binary=cometbft,
        )
        comet_config = load_node_config(init.home.path).resolve_cometbft_home(init.home.path)
        config_path = comet_config / "config" / "config.toml"
        pprof_address = f"127.0.0.1:{find_free_port()}"
        config_path.write_text(
            patch_config_toml(config_path.read_text(), {"rpc": {"pprof_laddr": pprof_address}})
        )
        queues = sign_load(keys, _genesis_account_numbers(dict(init.genesis.app_state)), args.txs)
        profile_path = root / "cpu.pprof"
        samples: list[dict[int, str]] = []
        done = threading.Event()

        def record_profile() -> None:
            url = f"http://{pprof_address}/debug/pprof/profile?seconds={args.profile_s}"
            answer = httpx.get(url, timeout=args.profile_s + 30)
            profile_path.write_bytes(answer.content)

        def sample_goroutines() -> None:
            with httpx.Client(timeout=10) as client:
                while not done.is_set():
                    dump = client.get(f"http://{pprof_address}/debug/pprof/goroutine?debug=2")
                    samples.append(classify_senders(dump.text))
                    time.sleep(args.interval_ms / 1000)

        with run_pyallora_node(init.home.path, root / "node.log") as (_, rpc_url, processes):
            threads = [
                threading.Thread(target=record_profile),
                threading.Thread(target=sample_goroutines),
            ]
            with CometRpc(rpc_url, timeout=30) as rpc:
                for thread in threads:
                    thread.start()
                try:
                    result = measure_throughput(rpc, queues, processes)
                finally:
                    done.set()
                    for thread in threads:
                        thread.join()
        cpu = ", ".join(f"{name} {us:.0f}" for name, us in result.cpu_us_per_tx.items())
        print(
            f"load: {result.committed} txs committed in {result.blocks} blocks, "
            f"{result.tx_per_s:.0f} tx/s; CPU per tx (µs): {cpu}"
        )
        top = _pprof_top(cometbft, profile_path, args.top)
        print(f"\nCometBFT CPU profile over {args.profile_s} s of the load:\n{top}")
        share = flush_timer_share(top)
        if share is not None:
            print(
                f"share of CometBFT's CPU samples under the ABCI client's flush timer: "
                f"{share:.1f} % (the goroutine start and exit of each firing come on top)"
            )
        print(f"\nABCI request senders in {len(samples)} goroutine dumps:")
        for name, counts in summarise_senders(samples):
            total = sum(counts.values())
            seen = counts.most_common()
            states = ", ".join(f"{state} {100 * n / total:.0f} %" for state, n in seen)
            print(f"  {name:<10} {states}")
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(profile_path, args.keep / "cometbft-cpu.pprof")
            print(f"\nCPU profile kept in {args.keep / 'cometbft-cpu.pprof'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
