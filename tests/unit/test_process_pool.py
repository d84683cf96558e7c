"""The proof workers' pool: every worker starts at once, and lives as long as its process, not
as long as the thread that made the pool (a server makes it from whatever thread serves)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from vecha.workers import process_pool


def test_workers_outlive_the_thread_that_started_them() -> None:
    made: list[ProcessPoolExecutor] = []
    maker = threading.Thread(target=lambda: made.append(process_pool(2)))
    maker.start()
    maker.join()
    pool = made[0]
    try:
        time.sleep(1)  # time enough for a worker tied to the ended thread to be killed
        workers = pool._processes
        assert len(workers) == 2 and all(w.is_alive() for w in workers.values())  # all started, all alive
        served = {pool.submit(os.getpid).result(timeout=30) for _ in range(8)}
        assert served <= set(workers)
    finally:
        pool.shutdown()


def test_workers_die_with_their_process(tmp_path: Path) -> None:
    script = (
        "import os, sys, time\n"
        "from vecha.workers import process_pool\n"
        "if __name__ == '__main__':\n"
        "    pool = process_pool(2)\n"
        "    print(' '.join(str(p) for p in pool._processes), flush=True)\n"
        "    time.sleep(60)\n"
    )
    (tmp_path / "parent.py").write_text(script)
    parent = subprocess.Popen([sys.executable, str(tmp_path / "parent.py")], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = [int(p) for p in parent.stdout.readline().split()]
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{w}").exists() and "Z" not in _state(w) for w in workers):
        assert time.monotonic() < deadline, f"workers {workers} outlived their parent"
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
