"""Two checkouts of paradetimeline taking turns on the same synthetic corpus.

    git worktree add /tmp/before REV
    python benchmarks/paired.py /tmp/before . [--events 10000] [--runs 3] [--seed 1] [--only add]

On a shared machine whose speed wanders (Hugo's own cold build took 4.9 s in one run of
run.py and 8.0 s in another), two separate runs of run.py say little about a change. Here
each build of the first checkout is followed by the same build of the second, so both meet
the same machine. Each checkout is imported from its own src/ and builds a corpus made
with its own templates/ (the rest of the corpus is the same, byte for byte); the scenarios
are run.py's. Prints a Markdown table of medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from corpus import generate
from run import (
    SCENARIO_HELP,
    SCENARIOS,
    Ours,
    Sample,
    code_version,
    compile_package,
    prepare,
    run_scenarios,
    scenario_names,
)


class Checkout(Ours):
    """paradetimeline as one checkout has it: its src/ on PYTHONPATH for each build."""

    def __init__(self, work: Path, checkout: Path, name: str):
        super().__init__(work)
        self.name, self.src = name, checkout / "src"

    def build(self, out: Path) -> Sample:
        before = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = str(self.src)
        try:
            return super().build(out)
        finally:
            if before is None:
                del os.environ["PYTHONPATH"]
            else:
                os.environ["PYTHONPATH"] = before


def table(samples: dict[tuple[str, str], list[Sample]], first: str, second: str) -> str:
    def median(name: str, scenario: str, field: str) -> float:
        return statistics.median(getattr(s, field) for s in samples[(name, scenario)])

    lines = [f"| build | {first} (s) | {second} (s) | {second} / {first} | {first} CPU (s) | "
             f"{second} CPU (s) | {first} peak RSS (MB) | {second} peak RSS (MB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for scenario, label in SCENARIOS:
        if (first, scenario) not in samples:
            continue  # not asked for (--only)
        a = [median(first, scenario, f) for f in ("wall", "cpu", "rss")]
        b = [median(second, scenario, f) for f in ("wall", "cpu", "rss")]
        lines.append(f"| {label} | {a[0]:.2f} | {b[0]:.2f} | {b[0] / a[0]:.2f} | {a[1]:.2f} | "
                     f"{b[1]:.2f} | {a[2] / 1024:.0f} | {b[2] / 1024:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", type=Path, help="a checkout of paradetimeline (say, before)")
    parser.add_argument("second", type=Path, help="another checkout (say, after)")
    parser.add_argument("--events", type=int, default=10_000, help="events to generate")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per build (median)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator")
    parser.add_argument("--only", type=scenario_names, default=(), metavar="BUILDS",
                        help=SCENARIO_HELP)
    args = parser.parse_args(argv)
    checkouts = [args.first.resolve(), args.second.resolve()]
    for checkout in checkouts:
        if not (checkout / "src" / "paradetimeline").is_dir():
            sys.exit(f"{checkout} is not a checkout of paradetimeline (no src/paradetimeline)")
    names = [code_version(c) or c.name for c in checkouts]
    if names[0] == names[1]:
        names = [f"{names[0]} (1)", f"{names[1]} (2)"]

    scratch = Path(tempfile.mkdtemp(prefix="ptl-paired-"))
    try:
        tools = []
        for n, (checkout, name) in enumerate(zip(checkouts, names)):
            work = scratch / f"checkout-{n}"
            prepare(work, keep=False)
            started = time.perf_counter()
            generate(work / "project", checkout / "templates", args.events, args.seed)
            print(f"generated {args.events:,} events for {name} in {work} "
                  f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
            compile_package(checkout / "src" / "paradetimeline")
            tools.append(Checkout(work, checkout, name))
        samples = run_scenarios(tools, args.runs, args.only)
        print(f"\n### {args.events:,} events, {names[0]} and {names[1]} taking turns\n")
        print(f"Medians of {args.runs} runs, each a separate process, on {os.cpu_count()} "
              f"cores; seed {args.seed}.\n")
        print(table(samples, *names))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
