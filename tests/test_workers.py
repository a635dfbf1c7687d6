"""workers.py: slow, pure work in forked processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paradetimeline.workers import can_fork, in_workers


def test_slices_cover_the_range_in_order():
    parts = list(in_workers(lambda start, stop: list(range(start, stop)), 101, 2))
    assert [n for part in parts for n in part] == list(range(101))
    assert len(parts) > 2


def test_the_work_runs_in_other_processes():
    pids = list(in_workers(lambda start, stop: os.getpid(), 8, 2))
    assert os.getpid() not in pids


def test_too_little_work_or_one_job_is_not_forked():
    assert not can_fork(1, 10_000, 100)
    assert not can_fork(2, 99, 100)
    assert can_fork(2, 100, 100)


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, waiting to be reaped, has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_workers_exit_when_their_parent_is_killed(tmp_path):
    """A build killed outright must not leave workers behind: they would hold its output
    folder's lock, and the next build would wait for ever."""
    script = (
        "import os, time\n"
        "from paradetimeline.workers import in_workers\n"
        "def work(start, stop):\n"
        f"    open(os.path.join({str(tmp_path)!r}, str(os.getpid())), 'w').close()\n"
        "    time.sleep(600)\n"
        "list(in_workers(work, 2, 2))\n")
    parent = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 60
    while len(list(tmp_path.iterdir())) < 2:
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.02)
    parent.kill()
    parent.wait()
    workers = [int(p.name) for p in tmp_path.iterdir()]
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived its killed parent"
        time.sleep(0.05)
