"""incremental/store.py: what pure steps made is kept as plain text in one SQLite file, found
again only for the same inputs; a store that is damaged, planted or out of reach costs
speed, never a build."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

import paradetimeline.incremental.store as store
from paradetimeline.incremental.store import FILENAME, KEPT_BUILDS, open_store

# -- the store itself ----------------------------------------------------------------------

def test_values_round_trip_and_wait_for_save(tmp_path):
    first = open_store(tmp_path)
    first.put("event", "k1", '{"a": [1, 2]}')
    assert first.get("event", "k1") == '{"a": [1, 2]}' and first.get("event", "k2") is None
    assert open_store(tmp_path).get("event", "k1") is None  # not saved yet
    first.save()
    first.close()
    again = open_store(tmp_path)
    assert again.get("event", "k1") == '{"a": [1, 2]}' and again.get("markdown", "k1") is None
    assert again.rows("event") == [("k1", '{"a": [1, 2]}')]
    assert again.get_many("event", ["k1", "k2"]) == {"k1": '{"a": [1, 2]}'}
    again.close()


def test_many_keys_asked_at_once_are_read_in_one_go(tmp_path):
    first = open_store(tmp_path)
    for n in range(store.SCAN_FROM + 5):
        first.put("checked", f"k{n}", f"v{n}")
    first.put("event", "k1", "other step")
    first.save()
    first.close()
    again = open_store(tmp_path)
    asked = [f"k{n}" for n in range(store.SCAN_FROM + 10)]
    found = again.get_many("checked", asked)
    assert found == {f"k{n}": f"v{n}" for n in range(store.SCAN_FROM + 5)}
    again.close()


def test_garbage_at_its_name_means_a_fresh_store_not_an_error(tmp_path):
    (tmp_path / FILENAME).write_bytes(b"not a database at all" * 100)
    fresh = open_store(tmp_path)
    assert fresh.db is not None and fresh.get("event", "k") is None
    fresh.put("event", "k", "v")
    fresh.save()
    fresh.close()
    assert open_store(tmp_path).get("event", "k") == "v"


@pytest.mark.parametrize("name", [FILENAME, f"{FILENAME}-wal", f"{FILENAME}-journal"])
def test_a_symlink_at_its_name_is_replaced_never_written_through(tmp_path, name):
    important = tmp_path / "important.txt"
    important.write_text("the user's own file")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / name).symlink_to(important)
    kept = open_store(cache)
    kept.put("event", "k", "v")
    kept.save()
    kept.close()
    assert important.read_text() == "the user's own file"
    assert not (cache / name).is_symlink()
    assert open_store(cache).get("event", "k") == "v"


def test_an_unusable_folder_means_a_store_in_memory(tmp_path):
    (tmp_path / "cache").write_text("a file where the folder should be")
    kept = open_store(tmp_path / "cache")
    assert kept.db is None
    kept.put("event", "k", "v")
    assert kept.get("event", "k") == "v"  # still a cache, for this build
    kept.save()
    kept.close()
    assert open_store(None).get("event", "k") is None


def test_rows_unused_for_kept_builds_builds_are_deleted(tmp_path):
    first = open_store(tmp_path)
    first.put("event", "old", "o")
    first.put("event", "used", "u")
    first.save()
    first.close()
    for _ in range(KEPT_BUILDS + 1):
        build = open_store(tmp_path)
        assert build.get("event", "used") == "u"
        build.save()
        build.close()
    last = open_store(tmp_path)
    assert last.rows("event") == [("used", "u")]
    last.close()


def test_a_step_kept_whole_keeps_its_unused_rows(tmp_path):
    first = open_store(tmp_path)
    first.put("markdown", "m", "<p>m</p>")
    first.save()
    first.close()
    for _ in range(KEPT_BUILDS + 1):
        build = open_store(tmp_path)
        build.keep("markdown")
        build.save()
        build.close()
    assert open_store(tmp_path).rows("markdown") == [("m", "<p>m</p>")]


def test_a_store_of_another_format_or_code_is_emptied(tmp_path, monkeypatch):
    first = open_store(tmp_path)
    first.put("event", "k", "v")
    first.save()
    first.close()
    monkeypatch.setattr(store, "FORMAT", "paradetimeline/store@0")
    assert open_store(tmp_path).rows("event") == []
    monkeypatch.undo()
    assert open_store(tmp_path).rows("event") == []  # and this version's is empty too
    with sqlite3.connect(tmp_path / FILENAME) as db:
        assert db.execute("select value from meta where name = 'format'").fetchone()[0] \
            == store.version()


def _in_worker(n):
    kept = _WORKER[0]
    assert kept.get("event", "parent") == "p"  # read through a connection of its own
    kept.put("made", str(n), f"value {n}")
    return kept.take()


_WORKER: list[store.Store] = []


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_forked_worker_reads_on_its_own_connection_and_hands_back_what_it_made(tmp_path):
    first = open_store(tmp_path)
    first.put("event", "parent", "p")
    first.save()
    first.put("event", "unsaved", "u")  # the parent's: no worker hands it back
    _WORKER[:] = [first]
    try:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            taken = pool.map(_in_worker, range(3))
    finally:
        _WORKER.clear()
    assert taken == [{("made", str(n)): f"value {n}"} for n in range(3)]
    for made in taken:
        first.update(made)
    first.save()
    first.close()
    assert open_store(tmp_path).rows("made") == [(str(n), f"value {n}") for n in range(3)]
