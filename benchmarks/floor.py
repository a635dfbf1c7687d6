"""The least an add-one rebuild must spend on this machine, whatever the generator does.

    python benchmarks/floor.py --events 10000 [--runs 5] [--seed 1]

Generates the corpus (corpus.py), builds it, adds one event file as run.py does and builds
again, and notes which output files that second build changed: the new event's page, its
neighbours', its tag, people, place and source pages, and the files that hold every event
(the index, the provenance report, the exports). Then, in a fresh process each time, it
times what any build making the same site must do at the least: start Python, look at
every input to learn what changed, look at every output to know the folder is as the last
build left it, and write the changed files' bytes (each to a new file renamed over the old,
as an atomic build does). It parses nothing and renders nothing, so the sum is a floor: a
real build costs more. Our own add-one rebuild is timed in the same runs, taking turns.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def walk(folder: str) -> int:
    """stat every file under `folder`; how many there were."""
    count, stack = 0, [folder]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    entry.stat(follow_symlinks=False)
                    count += 1
    return count


def floor(project: str, site: str, changed: str) -> None:
    """One timed pass (run in its own process); prints its parts as JSON."""
    started = time.perf_counter()
    inputs = sum(walk(os.path.join(project, name)) for name in ("content", "seeds", "templates"))
    looked = time.perf_counter()
    outputs = walk(site)
    checked = time.perf_counter()
    with open(changed, "rb") as f:  # untimed: the bytes a build would have made
        files = json.loads(f.read())
    blobs = [(os.path.join(site, path), bytes.fromhex(data)) for path, data in files.items()]
    writing = time.perf_counter()
    for target, data in blobs:
        temporary = target + ".floor-tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            os.write(descriptor, data)
        finally:
            os.close(descriptor)
        os.replace(temporary, target)
    written = time.perf_counter()
    print(json.dumps({"inputs": inputs, "look": looked - started, "outputs": outputs,
                      "check": checked - looked, "files": len(blobs),
                      "bytes": sum(len(b) for _, b in blobs), "write": written - writing}))


def digests(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in site.rglob("*") if p.is_file()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="events to generate")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (median)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator")
    parser.add_argument("--pass", nargs=3, dest="one", metavar=("PROJECT", "SITE", "CHANGED"),
                        help=argparse.SUPPRESS)  # one timed pass, run by this script
    args = parser.parse_args(argv)
    if args.one:
        return floor(*args.one)

    import shutil
    import subprocess

    from corpus import generate
    from run import REPO, Ours, compile_package, measure, prepare

    work = Path(tempfile.mkdtemp(prefix="ptl-floor-"))
    prepare(work, False)
    try:
        generate(work / "project", REPO / "templates", args.events, args.seed)
        ours = Ours(work)
        site = ours.out / "site"
        compile_package()
        ours.build(site)
        before = digests(site)
        ours.add_event(0)
        ours.build(site)
        after = digests(site)
        changed = {path: (site / path).read_bytes().hex() for path, d in after.items()
                   if before.get(path) != d}
        listing = work / "changed.json"
        listing.write_text(json.dumps(changed))
        copy = work / "floor-site"  # the passes write here: our builds go on in `site`
        shutil.copytree(site, copy)
        print(f"one event added: {len(changed)} files changed, "
              f"{sum(len(v) // 2 for v in changed.values()) / 1e6:.1f} MB; the largest: "
              + ", ".join(sorted(changed, key=lambda p: -len(changed[p]))[:6]), file=sys.stderr)

        parts: list[dict[str, float]] = []
        starts, builds = [], []
        for n in range(args.runs):
            starts.append(measure([sys.executable, "-c", "pass"], work).wall)
            found = subprocess.run([sys.executable, __file__, "--pass", str(work / "project"),
                                    str(copy), str(listing)], capture_output=True, text=True,
                                   check=True)
            parts.append(json.loads(found.stdout))
            ours.add_event(n + 1)
            builds.append(ours.build(site).wall)
            print(f"  run {n + 1}: start {starts[-1]:.3f} s, "
                  + ", ".join(f"{k} {v:.3f} s" for k, v in parts[-1].items()
                              if k in ("look", "check", "write"))
                  + f"; our add-one rebuild {builds[-1]:.2f} s", file=sys.stderr)

        def median(key: str) -> float:
            return statistics.median(p[key] for p in parts)

        start = statistics.median(starts)
        total = start + median("look") + median("check") + median("write")
        last = parts[-1]
        print(f"\n{args.events:,} events, medians of {args.runs} runs, on {os.cpu_count()} cores.\n")
        print("| step | s |\n|---|---:|")
        print(f"| start Python (`python -c pass`) | {start:.3f} |")
        print(f"| stat the inputs ({last['inputs']:,} files) | {median('look'):.3f} |")
        print(f"| stat the outputs ({last['outputs']:,} files) | {median('check'):.3f} |")
        print(f"| write the changed files ({last['files']:,} files, "
              f"{last['bytes'] / 1e6:.1f} MB) | {median('write'):.3f} |")
        print(f"| **floor** | **{total:.3f}** |")
        print(f"| our add-one rebuild, same runs | {statistics.median(builds):.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
