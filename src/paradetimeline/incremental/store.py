"""The result store: what pure steps made (parsed files, Markdown HTML, list items), kept
by a digest of their inputs in one SQLite file of plain text, to be looked up next build.

It lives in the user's cache folder (see `buildrecord.folder`), which only the user can
write, so what it holds needs no signature; and it holds text, never code or pickles, so
`sqlite3 cache.sqlite 'select step, count(*) from results group by step'` shows all of it.
A store that cannot be opened, read or written costs speed, never a build: every problem
turns into a miss. Rows no build has used in the last KEPT_BUILDS are deleted on save, and
a store written by other code (another FORMAT, or another version of the package's code,
see `version`) is emptied: keys are digests of a step's inputs, and the code is one.

A forked worker may use the store it inherited: it reads through a connection of its own
(SQLite connections must not cross a fork) and writes nothing; what it made goes back to
its parent as text (workers.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from ..plain import loads

T = TypeVar("T")

FILENAME = "cache.sqlite"
FORMAT = "paradetimeline/store@4"
KEPT_BUILDS = 8  # a row unused for this many builds is deleted
_SCHEMA = """
create table if not exists meta (name text primary key, value text not null);
create table if not exists results (
    step text not null, key text not null, value text not null, primary key (step, key));
create table if not exists uses (
    step text not null, key text not null, build integer not null,
    primary key (step, key)) without rowid;
"""
BATCH = 500  # keys asked for in one query
SET_ASIDE_AT = 4_000_000  # characters of made values held in memory before they are set aside
_ASIDE = """
create temp table if not exists made (
    step text not null, key text not null, value text not null, primary key (step, key));
"""


class Store:
    """Text values by (step, key). Reads come from the file as asked; writes wait for
    `save`, so a failed build leaves the file as the last good one left it. They wait in
    memory, and past SET_ASIDE_AT characters in a table of this connection's own (SQLite's
    temporary storage, on disk): a cold build of a large site makes more than it should hold."""

    def __init__(self, connection: sqlite3.Connection | None, build: int = 0,
                 path: Path | None = None) -> None:
        self.db = connection
        self.build = build  # this build's number, counted in the file
        self.path = path
        self.pid = os.getpid()  # of the process the connection is of
        self.made: dict[tuple[str, str], str] = {}
        self.used: dict[tuple[str, str], int] = {}  # looked up: the build that used it last
        self.fetched: dict[tuple[str, str], str] = {}  # read ahead by `prefetch`, not yet asked
        self.kept: set[str] = set()  # steps all of whose rows count as used (see `keep`)
        self.steps: set[str] | None = None  # the steps the file holds rows of (None: unknown)
        self.waiting = 0  # characters in `made`
        self.aside: set[str] = set()  # steps some of whose made values are in the table `made`

    def get(self, step: str, key: str) -> str | None:
        self._here()
        found = self.made.get((step, key))
        if found is not None or self.db is None:
            return found
        found = self.fetched.pop((step, key), None)
        if found is not None:
            return found
        self.prefetch(step, [key])
        return self.fetched.pop((step, key), None)

    def prefetch(self, step: str, keys: list[str]) -> None:
        """Read the values of `keys` that the store holds, a batch per query, for `get` to
        return: ten thousand lookups one by one take ten times as long."""
        self._here()
        if self.steps is None:
            self.steps = self._guarded(_steps, set[str]())
        if step not in self.steps and step not in self.aside:  # a cold build asks 100,000
            return  # times: no query for any
        wanted = [k for k in keys if (step, k) not in self.made and (step, k) not in self.fetched]
        for first in range(0, len(wanted), BATCH):
            none: list[tuple[str, str, int]] = []
            batch = partial(_values, step, wanted[first:first + BATCH])
            for key, value, used in self._guarded(batch, none):
                self.fetched[step, key] = str(value)
                self.used[step, key] = used
            if step in self.aside:
                aside: list[tuple[str, str]] = []
                made = partial(_made, step, wanted[first:first + BATCH])
                for key, value in self._guarded(made, aside):
                    self.fetched[step, key] = str(value)

    def get_many(self, step: str, keys: list[str]) -> dict[str, str]:
        """{key: value} of those of `keys` the store holds for `step`."""
        self.prefetch(step, keys)
        return {key: value for key in keys if (value := self.get(step, key)) is not None}

    def put(self, step: str, key: str, value: str) -> None:
        self._here()
        self.made[step, key] = value
        self.waiting += len(value)
        if self.waiting > SET_ASIDE_AT and self.db is not None:
            self._set_aside()

    def _set_aside(self) -> None:
        """Move what was made so far out of memory, into this connection's table `made`."""
        def write(db: sqlite3.Connection) -> None:
            db.executescript(_ASIDE)
            with db:
                db.executemany("insert or replace into temp.made values (?, ?, ?)",
                               [(*key, value) for key, value in self.made.items()])
        if self.db is not None:
            self.aside.update(step for step, _ in self.made)
        self._guarded(write, None)
        self.made, self.waiting = {}, 0

    def decode(self, kind: Any, text: str) -> Any:
        return loads(kind, text)

    def remember(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        return make()  # this store lives for one build: nothing to remember between them

    def keep(self, *steps: str) -> None:
        """Count every row of `steps` as used by this build: the pages a build did not
        render will want their Markdown again when a later one does."""
        self.kept.update(steps)

    def _here(self) -> None:
        """In a forked worker, on first use: a connection of its own, to read only, and
        none of its parent's values to hold or write."""
        if self.pid == os.getpid():
            return
        self.pid, self.made, self.used, self.kept = os.getpid(), {}, {}, set()
        self.fetched, self.steps, self.waiting, self.aside = {}, None, 0, set()
        self.db = None  # the parent's: never used, never closed here
        if self.path is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, timeout=30,
                                          check_same_thread=False)
        self.build = 0  # nothing to save: see `save`

    def save(self) -> None:
        """Write what this build made, note what it used, and drop what no build has used
        for KEPT_BUILDS builds."""
        if self.db is None or self.pid != os.getpid() or self.build == 0:
            return
        self._set_aside()
        build, kept = self.build, sorted(self.kept)
        # A row's use is noted again only once it is half way to being dropped: most
        # builds use what the last few did, and need write nothing for it (and what this
        # build made is noted below).
        stale = [(build, *key) for key, used in self.used.items()
                 if used < build - KEPT_BUILDS // 2]

        def write(db: sqlite3.Connection) -> None:
            with db:  # in the order of the index: pages written one after another
                db.execute("insert or replace into results select step, key, value "
                           "from temp.made order by step, key")
                db.execute("insert or replace into uses select step, key, ? "
                           "from temp.made order by step, key", (build,))
                db.execute("delete from temp.made")
                db.executemany("update uses set build = ? where step = ? and key = ?", stale)
                db.executemany("update uses set build = ? where step = ?",
                               [(build, step) for step in kept])
                old = build - KEPT_BUILDS
                db.execute("delete from results where (step, key) in "
                           "(select step, key from uses where build < ?)", (old,))
                db.execute("delete from uses where build < ?", (old,))
                db.execute("insert or replace into meta values ('build', ?)", (str(build),))
            db.execute("pragma incremental_vacuum")  # give what was deleted back to the disk

        self._guarded(write, None)
        self.used, self.fetched, self.kept, self.steps, self.aside = {}, {}, set(), None, set()

    def delete(self, step: str, key: str) -> None:
        """Drop one row now (the record of an output folder that is going away)."""
        def drop(db: sqlite3.Connection) -> None:
            with db:
                db.execute("delete from results where step = ? and key = ?", (step, key))
                db.execute("delete from uses where step = ? and key = ?", (step, key))
        self._guarded(drop, None)

    def close(self) -> None:
        if self.db is not None and self.pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None

    def rows(self, step: str) -> list[tuple[str, str]]:
        """Every (key, value) kept for `step`: for tests and for looking."""
        return self._guarded(lambda db: [(str(k), str(v)) for k, v in db.execute(
            "select key, value from results where step = ? order by key", (step,))], [])

    def _guarded(self, action: Callable[[sqlite3.Connection], T], default: T) -> T:
        """`action(db)`, or `default` once the database fails: it is then closed and this
        build goes on without it."""
        if self.db is None:
            return default
        try:
            return action(self.db)
        except sqlite3.Error:
            self.close()
            return default


def _steps(db: sqlite3.Connection) -> set[str]:
    return {str(step) for step, in db.execute("select distinct step from results")}


def _values(step: str, keys: list[str], db: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(key, value, last build to use it) of those `keys` the store holds."""
    return db.execute(
        "select r.key, r.value, u.build from results r join uses u on u.step = r.step and "
        f"u.key = r.key where r.step = ? and r.key in ({', '.join('?' * len(keys))})",
        (step, *keys)).fetchall()


def _made(step: str, keys: list[str], db: sqlite3.Connection) -> list[tuple[str, str]]:
    """(key, value) of those `keys` this build made and set aside."""
    return db.execute(f"select key, value from temp.made where step = ? and key in "
                      f"({', '.join('?' * len(keys))})", (step, *keys)).fetchall()


def open_store(folder: Path | None) -> Store:
    """The store in `folder` (made if need be, readable by its owner only); a store in
    memory for None, or if the folder or file cannot be used."""
    if folder is None:
        return Store(None)
    path = folder / FILENAME
    for attempt in range(2):
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            for name in (path, *_companions(path)):
                _clear_the_way(name)
            connection = sqlite3.connect(path, timeout=30, check_same_thread=False)
        except (OSError, sqlite3.Error):
            return Store(None)
        try:
            return Store(connection, _start(connection), path)
        except sqlite3.DatabaseError:  # not a database (any more): start a new one
            connection.close()
            if attempt == 0:
                with contextlib.suppress(OSError):
                    for name in (path, *_companions(path)):
                        name.unlink(missing_ok=True)
        except sqlite3.Error:  # locked for longer than the timeout, say
            connection.close()
            break
    return Store(None)


def _start(db: sqlite3.Connection) -> int:
    """Ready the file for a build (tables made, another version's rows dropped); this
    build's number."""
    db.execute("pragma auto_vacuum = incremental")  # takes effect in a new file only
    db.execute("pragma journal_mode = wal")
    db.execute("pragma synchronous = normal")
    db.executescript(_SCHEMA)
    found = dict(db.execute("select name, value from meta").fetchall())
    if found.get("format") != version():
        with db:
            db.executescript("drop table results; drop table uses; delete from meta;" + _SCHEMA)
            db.execute("insert into meta values ('format', ?)", (version(),))
        found = {}
    try:
        return int(found.get("build", "0")) + 1
    except ValueError:
        return 1


_CODE = Path(__file__).resolve().parent.parent  # the whole package, every stage
_CODE_DIGEST: list[str] = []


def version() -> str:
    """FORMAT and a digest of the package's own code: what other code made (a parse with
    an older parser) is not this code's result."""
    if not _CODE_DIGEST:
        h = hashlib.sha256()
        for path in sorted(_CODE.rglob("*.py")):
            h.update(path.relative_to(_CODE).as_posix().encode() + b"\0" + path.read_bytes())
        _CODE_DIGEST.append(h.hexdigest())
    return f"{FORMAT} {_CODE_DIGEST[0]}"


def _companions(path: Path) -> list[Path]:
    """The files SQLite keeps beside the database, which it opens (and follows) as well."""
    return [Path(f"{path}{end}") for end in ("-wal", "-shm", "-journal")]


def _clear_the_way(path: Path) -> None:
    """Remove whatever is at `path` that is not a regular file (a symlink would have SQLite
    write through it); a damaged file is SQLite's to report, and `Store` then ignores it."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(found.st_mode):
        os.unlink(path)
