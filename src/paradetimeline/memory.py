"""Giving memory the build has freed back to the system, where the C library allows it.

Python returns small objects to its own arenas and large ones to the C library's heap, and
glibc keeps a freed heap to itself until told otherwise: after loading, what the parsed
files and the loading workers' results took lies free, yet resident. `malloc_trim` hands
it back.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
        return trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


_TRIM = _malloc_trim()


def release_free_memory() -> None:
    """Return the free part of the heap to the system; nothing where that is not known how."""
    if _TRIM is not None:
        _TRIM(0)
