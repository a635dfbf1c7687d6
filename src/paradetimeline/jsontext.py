"""JSON files people may read: one key per line at the top, one list item per line below.

`json.dumps(indent=2)` falls back to the pure-Python encoder, which costs seconds on a large
timeline; this layout keeps the C encoder for every item and stays easy to read and diff
(one event per line).
"""

from __future__ import annotations

import json
from typing import Any


def json_text(data: dict[str, Any], *, sort_keys: bool = False) -> str:
    """`data` as JSON text ending in a newline; nested values are written on one line."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=sort_keys)

    lines = []
    for key, value in (sorted(data.items()) if sort_keys else data.items()):
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {dump(item)}" for item in value)
            lines.append(f"  {dump(key)}: [\n{items}\n  ]")
        else:
            lines.append(f"  {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"
