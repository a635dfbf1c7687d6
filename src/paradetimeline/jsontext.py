"""JSON files people may read: one key per line at the top, one list item per line below.

`json.dumps(indent=2)` falls back to the pure-Python encoder, which costs seconds on a large
timeline; this layout keeps the C encoder for every item and stays easy to read and diff
(one event per line).
"""

from __future__ import annotations

import json
from types import GeneratorType
from typing import Any


def json_text(data: dict[str, Any], *, sort_keys: bool = False) -> str:
    """`data` as JSON text ending in a newline; nested values are written on one line.

    A list, or a generator (so that 10,000 event dicts need not exist at once), is written
    one item per line."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=sort_keys)

    parts = ["{\n"]
    for n, (key, value) in enumerate(sorted(data.items()) if sort_keys else data.items()):
        parts.append(f",\n  {dump(key)}: " if n else f"  {dump(key)}: ")
        if isinstance(value, (list, GeneratorType)):
            parts.append("[")
            first = len(parts)
            for item in value:
                parts.append(f"{',' if len(parts) > first else ''}\n    {dump(item)}")
            parts.append("\n  ]" if len(parts) > first else "]")
        else:
            parts.append(dump(value))
    parts.append("\n}\n")
    return "".join(parts)
