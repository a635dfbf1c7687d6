"""Which of a project's files there are, and which may be read.

Every file read must lie inside the project: a symlink that leads out is an error, as is
one that leads round in a loop. Symlinks to files are followed; symlinked folders below
content/events/ are not (nor does the build's fingerprint follow them, so it would miss
their edits): one that leads out of the project or back into itself is an error, any other
is skipped with a warning. Only regular files are read, since reading a FIFO waits forever:
anything else, and a file whose suffix is right but for its case, is skipped with a warning.
The templates folder is held to the same rule (see `template_problem`).
"""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
from pathlib import Path

from ..errors import Diagnostic, Diagnostics, Location

YAML_SUFFIXES = (".yaml", ".yml")
LISTED = {"seeds": "seed files", "content/sources": "source metadata files",
          "content/events": "event files", "content/static": "files to publish"}
# the folders `list_files` lists, in words


@dataclasses.dataclass(frozen=True)
class Project:
    """Where a project's inputs live."""

    root: Path

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def list_files(root: Path, folder: str, suffixes: tuple[str, ...], diagnostics: Diagnostics,
           recursive: bool = False) -> list[tuple[str, bool]]:
    """(path from `root` with '/', whether it is a symlink) of the files in `folder`, in
    sorted order, skipping names that start with '.' (editor and OS droppings) and
    reporting what else it skips (see the module's docstring). One os.scandir per
    folder, so a regular file costs no system call of its own, nor a Path object."""
    found: list[tuple[str, bool]] = []
    real_root = os.path.realpath(root)

    def visit(where: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(where))
        except OSError as exc:
            diagnostics.error(Location(prefix.rstrip("/")), f"cannot read folder: {exc.strerror}")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relpath = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if recursive:
                    visit(entry.path, f"{relpath}/")
            elif entry.is_file(follow_symlinks=False):
                add(entry.name, relpath, False)
            else:
                odd(entry, relpath)

    def add(name: str, relpath: str, link: bool) -> None:
        if name.endswith(suffixes):
            found.append((relpath, link))
        elif name.lower().endswith(suffixes):
            wanted = suffixes[0]
            diagnostics.warning(Location(relpath), f"skipped: {LISTED[folder]} end in '{wanted}'",
                                f"rename it to {name.rpartition('.')[0]}{wanted}")

    def odd(entry: os.DirEntry[str], relpath: str) -> None:
        """A symlink, or what is neither a file nor a folder."""
        try:
            mode = os.stat(entry.path).st_mode
        except OSError as exc:  # a symlink that leads nowhere, or round in a loop
            if entry.name.endswith(suffixes):
                found.append((relpath, True))  # the loader, or reading it, says which
            elif exc.errno == errno.ELOOP:
                diagnostics.items.append(_loop(relpath))
            return
        if stat.S_ISREG(mode):
            add(entry.name, relpath, True)
        elif not stat.S_ISDIR(mode):
            diagnostics.warning(Location(relpath), f"skipped: not a regular file ({kind_of(mode)})",
                                "only regular files are read; remove it")
        elif recursive:
            linked_folder(entry.path, relpath)

    def linked_folder(path: str, relpath: str) -> None:
        problem = link_problem(Path(path), relpath, (real_root,), "folder")
        real = os.path.realpath(path)
        if problem is None and _within(os.path.realpath(os.path.dirname(path)), real):
            problem = Diagnostic("error", Location(relpath), "symlink loop: it leads back to "
                                 f"'{Path(os.path.relpath(real, real_root)).as_posix()}'",
                                 "remove it")
        if problem is not None:
            diagnostics.items.append(problem)
        else:
            diagnostics.warning(Location(relpath), "skipped: symlinked folders are not read",
                                "move the folder here, or link its files one by one")

    if (root / folder).is_dir():
        visit(str(root / folder), f"{folder}/")
    return sorted(found, key=lambda file: file[0].split("/"))  # as Path objects sort


class Guard:
    """Which of a project's files the loader may read, asked once each and reported as
    errors: only files inside the project (no symlink leads out, none loops) that are
    regular files (reading a FIFO would wait forever)."""

    def __init__(self, project: Project, diagnostics: Diagnostics) -> None:
        self.project = project
        self.diagnostics = diagnostics
        self.folders: dict[str, bool] = {}  # relpath -> whether a symlink is on its way
        self.links: dict[str, bool] = {}  # relpath of a listed file -> whether it is a symlink
        self.real_root = os.path.realpath(project.root)

    def listed(self, folder: str, suffixes: tuple[str, ...], recursive: bool = False
               ) -> list[str]:
        """The files `list_files` finds, noting which are symlinks."""
        found = list_files(self.project.root, folder, suffixes, self.diagnostics, recursive)
        self.links.update(found)
        return [relpath for relpath, _ in found]

    def inside(self, relpath: str) -> bool:
        """Whether the file really lies in the project (and no symlink loop is on the way).
        Only a symlink on the way can lead out, so a path without one (nearly every path)
        is not resolved."""
        if not self.via_symlink(relpath):
            return True
        problem = link_problem(self.project.root / relpath, relpath, (self.real_root,))
        if problem is not None:
            self.diagnostics.items.append(problem)
        return problem is None

    def regular(self, path: Path, relpath: str) -> bool:
        """Whether `path` is a regular file, or cannot be asked (reading it then says why)."""
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return True
        if stat.S_ISREG(mode):
            return True
        self.diagnostics.error(Location(relpath), f"not a regular file ({kind_of(mode)})",
                               "put a YAML file in its place")
        return False

    def via_symlink(self, relpath: str) -> bool:
        """Whether `relpath`, or a folder on the way to it, is a symlink (or '..'); each
        folder is asked once, and a file listed by `listed` not at all."""
        folder, _, name = relpath.rpartition("/")
        if folder:
            linked = self.folders.get(folder)
            if linked is None:
                linked = self.folders[folder] = self.via_symlink(folder)
            if linked:
                return True
        listed = self.links.get(relpath)
        if listed is not None:
            return listed
        return name == ".." or os.path.islink(os.path.join(self.project.root, relpath))


def link_problem(path: Path, relpath: str, allowed: tuple[str, ...], what: str = "file"
                 ) -> Diagnostic | None:
    """Why a path with a symlink on the way may not be read: it leads out of every
    `allowed` folder (real paths), or round in a loop; None if neither."""
    real = os.path.realpath(path)
    if not any(_within(real, folder) for folder in allowed):
        target = os.readlink(path) if os.path.islink(path) else Path(real).as_posix()
        return Diagnostic("error", Location(relpath),
                          f"symlink leads outside the project, to '{target}'",
                          f"copy the {what} into the project instead")
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _loop(relpath)
    return None


def template_problem(templates: Path, name: str) -> Diagnostic | None:
    """Why `templates/<name>` may not be used, as a template or a file to copy into the
    site; None if it may. Like content, it must not lead out: it must lie in the project
    or in the templates folder (which may be a shared theme elsewhere). And it must be a
    regular file (or a folder): a FIFO would hang the build, a device never ends. A file
    that is not there is left to whoever reads it."""
    path, relpath = templates / name, f"templates/{name}"
    allowed = (os.path.realpath(templates.parent), os.path.realpath(templates))
    problem = link_problem(path, relpath, allowed)
    if problem is not None:
        return problem
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return Diagnostic("error", Location(relpath), f"not a regular file ({kind_of(mode)})",
                      "remove it, or put a regular file in its place")


def template_problems(templates: Path) -> list[Diagnostic]:
    """`template_problem` of everything in the templates folder, so that `check` reports
    it too. A symlinked folder is checked as a link, not entered: the renderer checks
    each file it reads."""
    found: list[Diagnostic] = []

    def visit(where: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(where))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                visit(entry.path, f"{prefix}{entry.name}/")
            elif (problem := template_problem(templates, prefix + entry.name)) is not None:
                found.append(problem)

    visit(str(templates), "")
    return found


def _within(real: str, folder: str) -> bool:
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def _loop(relpath: str) -> Diagnostic:
    return Diagnostic("error", Location(relpath), "symlink loop: it leads back to itself",
                      "point the symlink at a file")


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in the words of a message."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file"
