"""memory.py: freed memory goes back to the system where the C library knows how."""

from __future__ import annotations

import platform
import sys

import pytest

from paradetimeline import memory


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="malloc_trim is glibc's")
def test_glibc_trim_is_found_and_runs():
    assert memory._TRIM is not None
    assert memory.release_free_memory() is None


def test_without_a_trim_nothing_happens(monkeypatch):
    monkeypatch.setattr(memory, "_TRIM", None)
    assert memory.release_free_memory() is None
