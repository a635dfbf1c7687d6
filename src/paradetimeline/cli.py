"""The command line: parse arguments, call the Python API, print diagnostics, set the exit code.

Exit codes: 0 success, 1 content problems, 2 usage errors. A user never sees a traceback:
an unexpected error prints one line asking for a report (the traceback only with --debug).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from .api import build_site, check_project
from .errors import ContentError, Diagnostic, OutputError, UsageError, plural, printable, summary

EXAMPLES = {
    "build": "examples:\n  paradetimeline build\n  paradetimeline build --root my-project "
             "--out /tmp/site --base-url https://example.org/paradetimeline/",
    "check": "examples:\n  paradetimeline check\n  paradetimeline check --strict",
    "serve": "examples:\n  paradetimeline serve\n  paradetimeline serve --port 8080 --drafts",
    "mentions": "examples:\n  paradetimeline mentions\n  paradetimeline mentions 001",
    "new": "examples:\n  paradetimeline new event --date 2025-05-09 --title "
           "\"Xi Jinping attends the parade\"",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 already; keep its format
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="paradetimeline",
        description="Build a sourced static timeline site from news articles (seeds/) and "
                    "curated YAML records (content/).",
        epilog="Run 'paradetimeline COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"paradetimeline {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text,
                                  epilog=EXAMPLES[name],
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("--root", default=".", metavar="DIR",
                         help="project folder holding seeds/, content/ and, to override the default "
                         "theme, templates/ (default: .)")
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help=argparse.SUPPRESS)
        return sub

    build = command("build", "build the site (written atomically; default output: ROOT/site)")
    build.add_argument("--out", metavar="DIR", help="output folder (default: ROOT/site); it must "
                       "be new, empty or made by a build")
    build.add_argument("--force", action="store_true",
                       help="replace the output folder even if a build did not make it, "
                            "deleting what it holds")
    build.add_argument("--base-url", metavar="URL",
                       help="absolute URL the site is published at (overrides site.yaml)")
    build.add_argument("--drafts", action="store_true", help="publish events marked draft: true")
    build.add_argument("--strict", action="store_true", help="fail on warnings too")
    build.add_argument("--jobs", "-j", type=int, metavar="N",
                       help="processes that parse and render a large site (default: the cores)")
    build.add_argument("--quiet", "-q", action="store_true", help="print only problems")

    check = command("check", "check the content without writing anything")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--quiet", "-q", action="store_true", help="print only problems")

    serve = command("serve", "preview the site on 127.0.0.1, rebuilding and reloading on change")
    serve.add_argument("--port", type=int, default=8000, metavar="N",
                       help="port, 0 for any free one (default: 8000)")
    serve.add_argument("--drafts", action="store_true", help="show events marked draft: true")

    mentions = command("mentions", "list the date phrases of the articles, resolved against "
                       "each article's date, and which events cite them")
    mentions.add_argument("source", nargs="?", metavar="SOURCE",
                          help="one source id, or a unique prefix such as 001 (default: all)")

    new = command("new", "scaffold a valid, commented content file")
    new.add_argument("kind", choices=["event"], help="what to create (only 'event' for now)")
    new.add_argument("--date", required=True, metavar="D", help="EDTF date, e.g. 2015-05-09")
    new.add_argument("--title", required=True, metavar="T", help="the event's title")
    new.add_argument("--status", default="planned", choices=STATUS_CHOICES,
                     help="the event's status (default: planned)")
    return parser


# model.STATUSES, spelt out so that starting the command does not import the model
# (tests/test_cli.py holds the two equal).
STATUS_CHOICES = ("happened", "planned", "announced", "expected", "reported")


def run() -> int:
    """The `paradetimeline` command: `main`, for a process that ends right after.

    At exit, Python collects garbage once more, walking every object a large build made
    (benchmarks/README.md says how long), to free memory the process is about to give
    back. Freezing them first moves them out of that collection's way."""
    code = main(ending=True)
    gc.freeze()
    return code


def main(argv: Sequence[str] | None = None, *, ending: bool = False) -> int:
    """Run one command; `ending`: the process ends right after (see `run`)."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return _run(args, ending)
    except UsageError as exc:
        _error(exc)
        return 2
    except OutputError as exc:
        _error(exc)
        return 1
    except KeyboardInterrupt:
        print("paradetimeline: interrupted", file=sys.stderr)
        return 130
    except Exception:
        if args.debug:
            traceback.print_exc()
        else:
            kind = sys.exc_info()[0]
            print(f"paradetimeline: internal error ({kind.__name__ if kind else 'unknown'}); "
                  "please report it with the output of --debug", file=sys.stderr)
        return 70


def _error(exc: Exception) -> None:
    """A one-line error (and its hint line); the paths it quotes are the user's, so their
    control characters are shown as escapes."""
    lines = (printable(line) for line in str(exc).split("\n"))
    print("paradetimeline: error: " + "\n".join(lines), file=sys.stderr)


def _run(args: argparse.Namespace, ending: bool = False) -> int:
    root = Path(args.root)
    if not root.is_dir():
        raise UsageError(f"--root '{args.root}' is not a folder")
    if args.command == "serve":
        from .serve import serve

        return serve(root, args.port, drafts=args.drafts)
    if args.command == "new":
        return _new(root, args)
    if args.command == "mentions":
        return _mentions(root, args.source)
    if ending:  # a cyclic collection of a build's million objects, once build_site turned
        gc.disable()  # the collector back on, would take half a second for nothing
    started = time.perf_counter()
    verb = "Build" if args.command == "build" else "Check"
    try:
        if args.command == "build":
            if args.jobs is not None and args.jobs < 1:
                raise UsageError("--jobs must be 1 or more")
            out = Path(args.out) if args.out is not None else root / "site"
            result = build_site(root, out, base_url=args.base_url, drafts=args.drafts,
                                strict=args.strict, jobs=args.jobs, force=args.force,
                                on_wait=lambda: print(f"Waiting for another build into "
                                                      f"{_shown(out)} to finish...",
                                                      file=sys.stderr))
            found: Sequence[Diagnostic] = result.diagnostics
        else:
            found = check_project(root, strict=args.strict)
    except ContentError as exc:
        _print(exc.diagnostics)
        print(summary(exc.diagnostics, failed=True, verb=verb), file=sys.stderr)
        return 1
    _print(found)
    if found:
        print(summary(list(found), failed=False, verb=verb), file=sys.stderr)
    if not args.quiet:
        seconds = time.perf_counter() - started
        if args.command == "build":
            if result.skipped:
                print(f"note: {' and '.join(result.skipped)} not written: no base URL is known "
                      "(set base_url in content/site.yaml or pass --base-url)", file=sys.stderr)
            print(f"Built {plural(result.pages, 'page')} from {plural(result.events, 'event')} "
                  f"into {_shown(result.out)} in {seconds:.1f} s")
        else:
            print(f"Checked {root.as_posix()}: no errors, {plural(len(found), 'warning')}.")
    return 0


def _mentions(root: Path, source: str | None) -> int:
    """Exit 1 when the content has errors: citations may then be missing from the list."""
    from .check.loader import load_timeline
    from .check.mentions import write_mentions

    timeline, diagnostics = load_timeline(root, drafts=True)
    write_mentions(timeline, source, sys.stdout)
    if diagnostics.errors:
        print(f"paradetimeline: the content has {plural(len(diagnostics.errors), 'error')}, so "
              "some citations may be missing; run 'paradetimeline check'", file=sys.stderr)
        return 1
    return 0


def _new(root: Path, args: argparse.Namespace) -> int:
    from .scaffold import new_event

    try:
        path = new_event(root, args.date, args.title, args.status)
    except FileExistsError as exc:
        print(f"paradetimeline: error: {printable(_shown_file(Path(str(exc)), root))} already exists; "
              "edit it, or choose another --title", file=sys.stderr)
        return 1
    print(f"Created {_shown_file(path, root)} (a draft: quote its source under 'sources:', then delete "
          "'draft: true' to publish it)")
    return 0


def _shown_file(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _colour() -> bool:
    return sys.stderr.isatty() and not os.environ.get("NO_COLOR")


def _print(diagnostics: Sequence[Diagnostic]) -> None:
    colour = _colour()
    for diagnostic in diagnostics:
        text = diagnostic.format()
        if colour:
            code = "31" if diagnostic.severity == "error" else "33"
            label = f"{diagnostic.severity}:"
            text = text.replace(label, f"\033[1;{code}m{label}\033[0m", 1)
        print(text, file=sys.stderr)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() + "/"
    except ValueError:
        return path.as_posix() + "/"
