"""How long Markdown takes on the worst bodies we could find, and on the worst that check allows.

    python benchmarks/markdown_worst.py [--sizes 2000,4000,8000,16000] [--give-up 10]

Python-Markdown's time on some bodies grows with the square of their length: a pattern such
as "[x](" or "[x](y)" repeated. The first table repeats each pattern to each size and times
`render_markdown` (Markdown and the sanitizer, as a build runs them), leaving out the larger
sizes of a pattern once one took longer than --give-up seconds. The second table times the
slowest bodies `check` still accepts: each pattern repeated up to the limit on links and
tags, then padded to the limit on length, with plain prose or with the costliest text that
holds no '[' or '<' (emphasis, "*a* " repeated). Every body ends with a reference
definition, so that "[x]" is a link too. Each body of the second table is read through
read/schema.py, to show that check really accepts it. Only the tables go to stdout.
"""

from __future__ import annotations

import argparse
import time

from paradetimeline.errors import Diagnostics
from paradetimeline.read import schema
from paradetimeline.read.yamlfile import parse_yaml
from paradetimeline.render.markup import render_markdown

# Patterns that make Markdown slow, and a few that do not (for comparison).
PATTERNS = ["[x](", "![x](", "[x](y)", "[x](y) ", "[x] ", "[](", "[x](<", "<a b=", "<a\n",
            "<http://", "[", "<", "*", "**a", "*a* ", "_a_ ", "`", "`a` ", "&amp; ", "> ",
            "\\* "]
PROSE = "The parade marched through the square while veterans watched. "
DEFINITION = "\n\n[x]: https://example.org/"  # ends every body: "[x] " is a link too
PADDING = {"prose": PROSE, "'*a* '": "*a* "}


def seconds(body: str, runs: int = 1) -> float:
    """The best of `runs` timings of one body (a fresh text each time: no cache)."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        render_markdown(body)
        best = min(best, time.perf_counter() - started)
    return best


def accepted(body: str) -> bool:
    """Whether check accepts an event with this body."""
    indented = "\n".join("  " + line for line in body.split("\n"))
    text = f"title: T\ndate: 2015-05-09\nstatus: happened\nbody: |-\n{indented}\n"
    diagnostics = Diagnostics()
    mapping = parse_yaml(text, "e.yaml", diagnostics)
    event = mapping and schema.read_event("e", "e.yaml", mapping, diagnostics)
    return bool(event and event.body == body.strip() and not diagnostics.errors)


def at_limits(unit: str, padding: str) -> str:
    """`unit` repeated up to the limit on links and tags, padded to the limit on length."""
    openers = unit.count("[") + unit.count("<")
    room = schema.MAX_BODY_LENGTH - len(DEFINITION)
    body = unit * ((schema.MAX_BODY_LINKS - 1) // openers) if openers else ""
    body += padding * ((room - len(body)) // len(padding))
    return body.strip() + DEFINITION


def growth(sizes: list[int], give_up: float) -> None:
    print("| pattern | " + " | ".join(f"{size:,} chars (s)" for size in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for unit in PATTERNS:
        cells, slow = [], False
        for size in sizes:
            took = None if slow else seconds(unit * (size // len(unit)) + DEFINITION)
            cells.append("" if took is None else f"{took:.3f}")
            slow = slow or (took or 0) > give_up
        print(f"| `{unit!r}` | " + " | ".join(cells) + " |", flush=True)


def limits(runs: int) -> None:
    print(f"| pattern, up to {schema.MAX_BODY_LINKS} links and tags | padded with, to "
          f"{schema.MAX_BODY_LENGTH:,} chars | chars | links and tags | accepted | seconds |")
    print("|---|---|---:|---:|---|---:|")
    for unit in PATTERNS:
        openers = unit.count("[") + unit.count("<")
        for name, padding in (PADDING.items() if openers else [(f"`{unit!r}`", unit)]):
            body = at_limits(unit if openers else "", padding)
            links = body.count("[") + body.count("<")
            print(f"| `{unit!r}` | {name} | {len(body):,} | {links} | "
                  f"{'yes' if accepted(body) else 'no'} | {seconds(body, runs):.3f} |",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,4000,8000,16000",
                        help="body sizes in characters, comma-separated")
    parser.add_argument("--give-up", type=float, default=10.0,
                        help="skip a pattern's larger sizes after a timing this long")
    parser.add_argument("--runs", type=int, default=3, help="runs of each body at the limits")
    args = parser.parse_args()
    growth([int(size) for size in args.sizes.split(",")], args.give_up)
    print()
    limits(args.runs)


if __name__ == "__main__":
    main()
