"""YAML files parsed once for each content: a parse (what it made, and what it reported)
is kept in the build's TextCache under a digest of the file's path and bytes, so a file
that did not change is not parsed again, nor even read when the fingerprint knows its
digest. The loader reads event files and source metadata through it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import theme
from ..errors import Diagnostic, Diagnostics
from ..model import Event, SourceMeta
from ..plain import TextCache, digest, dumps
from ..read import schema
from ..read.yamlfile import MAX_BYTES, Mapping, decode_utf8, parse_yaml, read_bytes
from .references import Checker

Checked = tuple[Event | None, tuple[Diagnostic, ...]]  # an event file's parse, or its check
PARSES: dict[str, Any] = {"event": Checked, "meta": tuple[SourceMeta | None, tuple[Diagnostic, ...]]}


class KeptParses:
    def __init__(self, cache: TextCache, digests: dict[str, str]) -> None:
        self.cache = cache
        self.digests = digests  # {project path: SHA-256}, from the build's fingerprint
        self.held: dict[str, str] = {}  # kept parses of event files, looked up in one go

    def kept(self, kind: str, relpath: str) -> tuple[str, Any] | None:
        """(digest, kept parse) of a file whose digest is known without reading it; else None."""
        sha = self.digests.get(relpath)
        if sha is None:
            return None
        key = digest(relpath, sha)
        found = self.held.pop(key, None) if kind == "event" else None
        found = found or self.cache.get(kind, key)
        return None if found is None else (sha, self.cache.decode(PARSES[kind], found))

    def parse_file(self, kind: str, path: Path, relpath: str, empty_hint: str,
                    diagnostics: Diagnostics, read: Callable[[Mapping, Diagnostics], Any]
                    ) -> tuple[str, Any] | None:
        """(SHA-256 of the bytes, what `read` made of them) for a file inside the project;
        None if it cannot be read (reported). Read again only if its bytes changed since
        it was last read: the earlier result, and what it reported, are reused."""
        kept = self.kept(kind, relpath)
        if kept is not None:
            sha, found = kept
        else:
            data = read_bytes(path, relpath, diagnostics, MAX_BYTES)
            if data is None:
                return None
            sha = file_sha(data)
            key = digest(relpath, sha)
            text = self.cache.get(kind, key)
            if text is not None:
                found = self.cache.decode(PARSES[kind], text)
            else:
                found = parse_bytes(data, relpath, empty_hint, read)
                self.cache.put(kind, key, dumps(found))
        value, reported = found
        diagnostics.items.extend(reported)
        return sha, value


def parse_bytes(data: bytes, relpath: str, empty_hint: str,
           read: Callable[[Mapping, Diagnostics], Any]) -> tuple[Any, tuple[Any, ...]]:
    """(what `read` made of a YAML file's bytes, or None; what it reported)."""
    own = Diagnostics()
    text = decode_utf8(data, relpath, own)
    mapping = None if text is None else parse_yaml(text, relpath, own, empty_hint=empty_hint)
    return (None if mapping is None else read(mapping, own), tuple(own.items))


def file_sha(data: bytes) -> str:
    """A file's SHA-256, as the build's fingerprint has it."""
    return hashlib.sha256(data).hexdigest()


def check_context(digests: dict[str, str]) -> str | None:
    """A digest of every input the check of an event reads besides its own file: the
    project's other content and seeds, and the package's code (`digests` holds the
    fingerprint's {path: SHA-256}, code included); None when they are not known."""
    if not digests:
        return None
    shared = sorted((name, sha) for name, sha in digests.items()
                    if not name.startswith(("content/events/", *theme.TEMPLATE_INPUTS)))
    return digest(*(part for pair in shared for part in pair))


def check_event(check: Checker, event: Event | None, reported: tuple[Diagnostic, ...]) -> Checked:
    """(the event with its references and quotes resolved, what its parse and check
    reported): what a build keeps of an event's check."""
    own = Diagnostics()
    own.items.extend(reported)
    if event is not None:
        event = check.reporting_to(own).event(event)
    return event, tuple(own.items)


def event_reader(event_id: str, relpath: str) -> Callable[[Mapping, Diagnostics], Event | None]:
    return lambda mapping, own: schema.read_event(event_id, relpath, mapping, own)
