"""JSON files people may read: one key per line at the top, one list item per line below.

`json.dumps(indent=2)` falls back to the pure-Python encoder, which costs seconds on a large
timeline; this layout keeps the C encoder for every item and stays easy to read and diff
(one event per line).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import GeneratorType
from typing import Any

from ..render.filedata import utf8_join
from .pieces import Piece


def json_bytes(data: dict[str, Any], *, sort_keys: bool = False) -> bytes:
    """`data` as UTF-8 JSON text ending in a newline; nested values are written on one line.

    A list, or a generator (so that 10,000 event dicts need not exist at once), is written
    one item per line."""
    return utf8_join(json_parts(data, sort_keys=sort_keys))  # type: ignore[arg-type]


def json_parts(data: dict[str, Any], *, sort_keys: bool = False) -> Iterator[str | Piece]:
    """The text of `json_bytes(data)` in parts, for `KeptPieces.assemble`: a list item that
    is a `Piece` (whose `make` returns the item's JSON, see `dump`) is passed on as it is."""
    yield "{\n"
    for n, (key, value) in enumerate(sorted(data.items()) if sort_keys else data.items()):
        yield f",\n  {dump(key)}: " if n else f"  {dump(key)}: "
        if isinstance(value, (list, GeneratorType)):
            first = True
            for item in value:
                yield "[\n    " if first else ",\n    "
                yield item if isinstance(item, Piece) else dump(item, sort_keys=sort_keys)
                first = False
            yield "[]" if first else "\n  ]"
        else:
            yield dump(value, sort_keys=sort_keys)
    yield "\n}\n"


def dump(value: Any, *, sort_keys: bool = False) -> str:
    """One value on one line, as these files write it."""
    return json.dumps(value, ensure_ascii=False, sort_keys=sort_keys)
