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
    "new": "examples:\n  paradetimeline new source ~/articles/bridge.txt\n"
           "  paradetimeline new event --from bridge#p2-s1\n"
           "  paradetimeline new event --date 2025-05-09 --title \"The bridge reopens\"",
    "init": "examples:\n  paradetimeline init bridge-timeline\n"
            "  paradetimeline init . --title \"The Old Bridge\"",
    "suggest": "examples:\n  paradetimeline suggest\n  paradetimeline suggest bridge",
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

    def command(name: str, help_text: str, root: bool = True,
                within: argparse._SubParsersAction[_Parser] | None = None,
                epilog: str | None = None) -> argparse.ArgumentParser:
        sub = (within or commands).add_parser(
            name, help=help_text, description=help_text, epilog=epilog or EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter)
        if root:
            sub.add_argument("--root", default=".", metavar="DIR",
                             help="project folder holding seeds/, content/ and, to override the "
                             "default theme, templates/ (default: .)")
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help=argparse.SUPPRESS)
        return sub

    init = command("init", "start a new project: content/site.yaml, seeds/, a README, a "
                   ".gitignore and a GitHub Pages workflow", root=False)
    init.add_argument("folder", nargs="?", default=".", metavar="DIR",
                      help="a new or empty folder (default: .)")
    init.add_argument("--title", metavar="T", help="the site's title (default: from DIR's name)")

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

    suggest = command("suggest", "list every date phrase of the articles that no event cites, "
                      "each with the 'new event --from' command that drafts it")
    suggest.add_argument("source", nargs="?", metavar="SOURCE",
                         help="one source id, or a unique prefix of one (default: all)")

    new = command("new", "add an article, or a draft event, as files that pass 'check'",
                  root=False)
    kinds = new.add_subparsers(dest="kind", metavar="KIND", parser_class=_Parser, required=True)
    source = command("source", "copy an article (plain text) into seeds/ and write its "
                     "metadata, reporting what the text states and the dates it names",
                     within=kinds, epilog="examples:\n  paradetimeline new source ~/articles/"
                     "bridge.txt\n  paradetimeline new source capture.txt --id 2024-bridge")
    source.add_argument("file", metavar="FILE", help="the article: UTF-8 text")
    source.add_argument("--id", metavar="ID", help="the source's id (default: from FILE's name)")
    event = command("event", "write a commented draft event, empty or quoting one sentence of "
                    "an article", within=kinds,
                    epilog="examples:\n  paradetimeline new event --from bridge#p2-s1\n"
                    "  paradetimeline new event --date 2025-05-09 --title \"The bridge reopens\"")
    event.add_argument("--from", dest="sentence", metavar="SOURCE#ANCHOR",
                       help="draft from this sentence (such as bridge#p2-s1): its words as the "
                       "quote, its date phrase as the date, the people and places it names")
    event.add_argument("--date", metavar="D", help="EDTF date, e.g. 2015-05-09 (needed "
                       "without --from)")
    event.add_argument("--title", metavar="T", help="the event's title (needed without --from)")
    event.add_argument("--status", default="planned", choices=STATUS_CHOICES,
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
    if args.command == "init":
        return _init(Path(args.folder), args.title)
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
    if args.command == "suggest":
        return _suggest(root, args.source)
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


def _init(folder: Path, title: str | None) -> int:
    from .scaffold.project import init_project

    written = init_project(folder, title)
    shown = folder.as_posix()
    print(f"Created a new project in {shown}/ ({plural(len(written), 'file')}). Next:")
    if shown != ".":
        print(f"  cd {shown}")
    print("  paradetimeline new source ARTICLE.txt     # add an article to seeds/\n"
          "  paradetimeline suggest                    # the dates it names, and how to draft each\n"
          "  paradetimeline build                      # the site, into site/")
    return 0


def _suggest(root: Path, source: str | None) -> int:
    from .check.loader import load_timeline
    from .scaffold.suggest import write_suggestions

    timeline, diagnostics = load_timeline(root, drafts=True)
    count = write_suggestions(timeline, source, sys.stdout)
    if not timeline.sources:
        print("No sources yet: add an article with 'paradetimeline new source FILE'.",
              file=sys.stderr)
    elif count == 0:
        print("Every date phrase of the articles is cited by an event.", file=sys.stderr)
    if diagnostics.errors:
        print(f"paradetimeline: the content has {plural(len(diagnostics.errors), 'error')}, so "
              "some citations may be missing; run 'paradetimeline check'", file=sys.stderr)
        return 1
    return 0


def _new(root: Path, args: argparse.Namespace) -> int:
    if args.kind == "source":
        return _new_source(root, args)
    from .check.loader import load_timeline
    from .scaffold.event import new_event

    timeline, _ = load_timeline(root, drafts=True)
    sentence = None
    if args.sentence is not None:
        from .scaffold.suggest import drafted_from

        sentence = drafted_from(timeline, args.sentence, args.date)
    try:
        path = new_event(root, args.date, args.title, args.status, timeline, sentence)
    except FileExistsError as exc:
        print(f"paradetimeline: error: {printable(_shown_file(Path(str(exc)), root))} already exists; "
              "edit it, or choose another --title", file=sys.stderr)
        return 1
    if sentence is None:
        print(f"Created {_shown_file(path, root)} (a draft: quote its source under 'sources:', "
              "then delete 'draft: true' to publish it)")
    else:
        print(f"Created {_shown_file(path, root)}, a draft quoting {sentence.source} "
              f"{sentence.anchor}: write its title and status, then delete 'draft: true' to "
              "publish it")
    return 0


def _new_source(root: Path, args: argparse.Namespace) -> int:
    from .check.mentions import format_phrase
    from .scaffold.source import new_source

    try:
        made = new_source(root, Path(args.file), args.id)
    except FileExistsError as exc:
        print(f"paradetimeline: error: {printable(_shown_file(Path(str(exc)), root))} already "
              "exists; choose another --id", file=sys.stderr)
        return 1
    article = made.article
    print(f"Created {_shown_file(made.seed, root)} and {_shown_file(made.metadata, root)}")
    for name, value in (("headline", article.headline), ("byline", article.byline),
                        ("publisher", made.publisher and f"{made.publisher} (offered from the "
                         "byline)"), ("published", article.published and article.published.iso()),
                        ("url", article.url)):
        print(f"  {name + ':':<11}{printable(value) if value else 'unknown'}")
    print(f"  {'text:':<11}{plural(len(article.paragraphs), 'paragraph')}, "
          f"{plural(sum(len(p.sentences) for p in article.paragraphs), 'sentence')}, "
          f"{plural(len(article.captions), 'caption')}")
    print(f"Date phrases ({len(made.mentions)}), resolved against the article's date:")
    for mention in made.mentions:
        print(f"  {printable(format_phrase(mention))}")
    _print(made.warnings)
    print(f"Next: 'paradetimeline suggest {made.source_id}' lists the commands that draft an "
          "event from each.")
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
