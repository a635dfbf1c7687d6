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
(SQLite connections must not cross a fork), and hands what it made to its parent with
`take` and `update`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FILENAME = "cache.sqlite"
FORMAT = "paradetimeline/store@2"
KEPT_BUILDS = 8  # a row unused for this many builds is deleted
SCAN_FROM = 1000  # keys asked at once, from which reading all of a step's rows is quicker
# A table with row ids, not one keyed by (step, key) alone: a value of a few kilobytes (an
# event) then fits in its page, and a lookup at 10,000 events takes two thirds the time.
_SCHEMA = """
create table if not exists meta (name text primary key, value text not null);
create table if not exists results (
    step text not null, key text not null, value text not null, used integer not null,
    unique (step, key));
"""


class Store:
    """Text values by (step, key). Reads come from the file as asked; writes wait in memory
    for `save`, so a failed build leaves the file as the last good one left it."""

    def __init__(self, connection: sqlite3.Connection | None, build: int = 0,
                 path: Path | None = None) -> None:
        self.db = connection
        self.build = build  # this build's number, counted in the file
        self.path = path
        self.pid = os.getpid()  # of the process the connection is of
        self.made: dict[tuple[str, str], str] = {}
        self.used: dict[tuple[str, str], int] = {}  # looked up: the build that used it last
        self.kept: set[str] = set()  # steps all of whose rows count as used (see `keep`)

    def get(self, step: str, key: str) -> str | None:
        self._here()
        found = self.made.get((step, key))
        if found is not None or self.db is None:
            return found
        row: tuple[str, int] | None = self._guarded(lambda db: db.execute(
            "select value, used from results where step = ? and key = ?", (step, key)
        ).fetchone(), None)
        if row is None:
            return None
        self.used[step, key] = row[1]
        return str(row[0])

    def get_many(self, step: str, keys: list[str]) -> dict[str, str]:
        """{key: value} of those of `keys` the store holds for `step`: `get` of each, but
        for many keys one read of all the step's rows (at 10,000 events, a quarter of the
        time 10,000 lookups take)."""
        self._here()
        found = {key: self.made[step, key] for key in keys if (step, key) in self.made}
        wanted = [key for key in keys if key not in found]
        if len(wanted) < SCAN_FROM or self.db is None:
            found.update((key, value) for key in wanted
                         if (value := self.get(step, key)) is not None)
            return found
        asked = set(wanted)
        rows: list[tuple[str, str, int]] = self._guarded(lambda db: [
            row for row in db.execute("select key, value, used from results where step = ?",
                                      (step,)) if row[0] in asked], [])
        for key, value, used in rows:
            found[key] = value
            self.used[step, key] = used
        return found

    def put(self, step: str, key: str, value: str) -> None:
        self._here()
        self.made[step, key] = value

    def keep(self, *steps: str) -> None:
        """Count every row of `steps` as used by this build: the pages a build did not
        render will want their Markdown again when a later one does."""
        self.kept.update(steps)

    def take(self) -> dict[tuple[str, str], str]:
        """In a forked worker: what it made, for its parent's `update`, and no longer held."""
        self._here()
        made, self.made = self.made, {}
        return made

    def update(self, made: dict[tuple[str, str], str]) -> None:
        """Hold what a worker made (see `take`) as if this process had made it."""
        self.made.update(made)

    def _here(self) -> None:
        """In a forked worker, on first use: a connection of its own, to read only, and
        none of its parent's values to hold or write."""
        if self.pid == os.getpid():
            return
        self.pid, self.made, self.used, self.kept = os.getpid(), {}, {}, set()
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
        build, made, kept = self.build, self.made, sorted(self.kept)
        stale = [(build, *key) for key, used in self.used.items()
                 if used < build - 1 and key not in made]  # a row used lately is not written

        def write(db: sqlite3.Connection) -> None:
            with db:
                db.executemany("insert or replace into results values (?, ?, ?, ?)",
                               [(*key, value, build) for key, value in made.items()])
                db.executemany("update results set used = ? where step = ? and key = ?", stale)
                db.executemany("update results set used = ? where step = ?",
                               [(build, step) for step in kept])
                db.execute("delete from results where used < ?", (build - KEPT_BUILDS,))
                db.execute("insert or replace into meta values ('build', ?)", (str(build),))

        self._guarded(write, None)
        self.made, self.used = {}, {}

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
    db.execute("pragma journal_mode = wal")
    db.execute("pragma synchronous = normal")
    db.executescript(_SCHEMA)
    found = dict(db.execute("select name, value from meta").fetchall())
    if found.get("format") != version():
        with db:
            db.execute("drop table results")  # and made anew: another version's may differ
            db.execute("delete from meta")
            db.executescript(_SCHEMA)
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
