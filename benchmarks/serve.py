"""How long `paradetimeline serve` takes to show a curator's save in the browser.

    python benchmarks/serve.py [--events 10000] [--runs 5] [--seed 1]

Generates the corpus (corpus.py), starts `paradetimeline serve` on it (on 127.0.0.1, any
free port) and waits for the first build. Then, `--runs` times each, it saves a file and
polls the preview over HTTP, every 5 ms, until the page shows the change:

- add: a new event file (a copy of the first event with a title of its own) is written;
  timed until its page is served;
- edit: an existing event's title is changed; timed until its page shows the new title.

The time runs from the moment the file is written to the first answer that shows the
change, so it includes the watcher's wait for its next look at the files. Only the table
goes to stdout; progress goes to stderr. Every request goes to 127.0.0.1 and every wait is
bounded.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from corpus import generate

REPO = Path(__file__).resolve().parent.parent
POLL = 0.005  # seconds between requests
GIVE_UP = 300.0  # seconds a change may take to appear before the benchmark fails


def start_serve(root: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """`paradetimeline serve` on a free port, once its first build is done; and the port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "paradetimeline", "serve", "--root", str(root), "--port", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in process.stderr:  # type: ignore[union-attr]
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        line = lines.get(timeout=deadline - time.monotonic())
        if line is None:
            sys.exit("serve stopped before it was ready")
        found = re.search(r"at http://127\.0\.0\.1:(\d+)/", line)
        if found:
            return process, int(found[1])
    sys.exit("serve was not ready within 30 minutes")


def page(port: int, path: str) -> bytes | None:
    """The page's body, or None while it is not served."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=10) as answer:
            return answer.read()
    except urllib.error.HTTPError:
        return None


def until_shown(port: int, path: str, wanted: bytes, saved: float) -> float:
    """Seconds from `saved` until the page at `path` holds `wanted`."""
    while time.perf_counter() - saved < GIVE_UP:
        body = page(port, path)
        if body is not None and wanted in body:
            return time.perf_counter() - saved
        time.sleep(POLL)
    sys.exit(f"{path} did not show the change within {GIVE_UP:.0f} s")


def add_event(root: Path, port: int, n: int) -> float:
    first = sorted((root / "content" / "events").rglob("*.yaml"))[0]
    text = re.sub(r"(?m)^title: .*$", f'title: "Added by the benchmark {n}"', first.read_text())
    target = root / "content" / "events" / "added" / f"benchmark-added-{n}.yaml"
    target.parent.mkdir(exist_ok=True)
    saved = time.perf_counter()
    target.write_text(text, encoding="utf-8")
    return until_shown(port, f"events/{target.stem}.html", f"Added by the benchmark {n}".encode(),
                       saved)


def edit_event(root: Path, port: int, n: int) -> float:
    files = sorted((root / "content" / "events").rglob("*.yaml"))
    target = files[len(files) // 2]
    text = re.sub(r"(?m)^title: .*$", f'title: "Edited by the benchmark {n}"', target.read_text())
    saved = time.perf_counter()
    target.write_text(text, encoding="utf-8")
    return until_shown(port, f"events/{target.stem}.html", f"Edited by the benchmark {n}".encode(),
                       saved)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="events to generate")
    parser.add_argument("--runs", type=int, default=5, help="saves of each kind (median)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="ptl-serve-bench-"))
    env = dict(os.environ, PARADETIMELINE_CACHE_DIR=str(work / "cache"))
    try:
        generate(work / "project", REPO / "templates", args.events, args.seed)
        started = time.perf_counter()
        process, port = start_serve(work / "project", env)
        print(f"serve ready on port {port} after {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        try:
            samples: dict[str, list[float]] = {"add": [], "edit": []}
            for n in range(args.runs):
                for kind, save in (("add", add_event), ("edit", edit_event)):
                    samples[kind].append(save(work / "project", port, n))
                    print(f"  {kind:5} {samples[kind][-1]:7.3f} s", file=sys.stderr)
        finally:
            process.terminate()
            process.wait(timeout=60)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"| save ({args.events:,} events) | median (s) | min (s) | max (s) |")
    print("|---|---:|---:|---:|")
    for kind, label in (("add", "a new event file, until its page is served"),
                        ("edit", "an event's title, until its page shows it")):
        times = samples[kind]
        print(f"| {label} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} |")


if __name__ == "__main__":
    main()
