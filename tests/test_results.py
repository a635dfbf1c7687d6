"""incremental/results.py: parsed files and rendered Markdown are reused only when the bytes are the
same, and a cache file that is not this user's own is never read."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from test_buildrecord import clean_build
from test_output import snapshot

import paradetimeline.check.loader as loader
import paradetimeline.check.mentions as mentions
import paradetimeline.check.references as references
import paradetimeline.render.markup as markup
from paradetimeline import ContentError, build_site
from paradetimeline.check.coverage import check_coverage
from paradetimeline.incremental.buildrecord import folder
from paradetimeline.incremental.results import NAME, Handed, ResultCache, derived, ident, open_cache

CACHE = ".paradetimeline-cache"


def count_calls(monkeypatch, module, name):
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_rebuild_parses_only_the_changed_event_file(make_project, monkeypatch):
    root = make_project()
    build_site(root, jobs=1)
    event = root / "content/events/parade.yaml"
    event.write_text(event.read_text().replace("One line.", "One changed line."))
    parsed = count_calls(monkeypatch, loader, "parse_yaml")
    articles = count_calls(monkeypatch, loader, "parse_article")
    build_site(root, jobs=1)
    event_files = [args[1] for args in parsed if args[1].startswith("content/events/")]
    assert event_files == ["content/events/parade.yaml"]
    assert articles == []  # the seeds did not change


def test_markdown_rendered_once_is_reused(make_project, monkeypatch):
    root = make_project()
    build_site(root, jobs=1)
    (root / "content/site.yaml").write_text(
        (root / "content/site.yaml").read_text().replace("Test timeline", "Retitled"))
    converted = count_calls(monkeypatch, markup, "converter")
    build_site(root, jobs=1)
    assert converted == []
    assert "Retitled" in (root / "site/index.html").read_text()


def test_a_tampered_cache_is_ignored(make_project, monkeypatch):
    root = make_project()
    build_site(root, jobs=1)
    before = snapshot(root / "site")
    path = folder(root) / NAME
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # one flipped byte: the signature no longer matches
    path.write_bytes(bytes(data))
    assert open_cache(folder(root)).entries == {}
    parsed = count_calls(monkeypatch, loader, "parse_yaml")
    (root / "site/index.html").unlink()  # make the build run
    build_site(root, jobs=1)
    assert parsed, "nothing was parsed: the tampered cache was trusted"
    assert snapshot(root / "site") == before


def test_a_cache_signed_with_another_key_is_ignored(make_project, monkeypatch, tmp_path):
    root = make_project()
    build_site(root, jobs=1)
    assert open_cache(folder(root)).entries  # ours: readable
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    assert open_cache(folder(root)).entries == {}  # theirs (or committed to a repository)


def test_garbage_and_a_missing_cache_are_empty(make_project):
    root = make_project()
    assert open_cache(folder(root)).entries == {}
    folder(root).mkdir(parents=True)
    (folder(root) / NAME).write_bytes(b"not a cache at all")
    assert open_cache(folder(root)).entries == {}


def test_only_what_a_build_used_is_kept(make_project):
    root = make_project()
    extra = root / "content/events/extra.yaml"
    extra.write_text("title: Extra\ndate: 2015-05-10\nstatus: planned\n")
    build_site(root, jobs=1)
    assert any(k[:2] == ("event", "content/events/extra.yaml") for k in open_cache(folder(root)).entries)
    extra.unlink()
    build_site(root, jobs=1)
    assert not any(k[:2] == ("event", "content/events/extra.yaml")
                   for k in open_cache(folder(root)).entries)


def test_values_round_trip_and_workers_report_what_they_used():
    cache = ResultCache(None, {})
    cache.put(("k", 1), {"a": (1, 2)})
    assert cache.get(("k", 1)) == {"a": (1, 2)}
    assert cache.get(("missing",)) is None
    taken = cache.take()
    assert list(taken) == [ident(("k", 1))] and taken[ident(("k", 1))][0] == ("k", 1)
    assert cache.made == {}  # handed over, not held by the worker as well
    parent = ResultCache(None, {})
    parent.update(taken)
    assert parent.get(("k", 1)) == {"a": (1, 2)}


_WORKER_CACHE: list[Any] = []  # the cache, and what else a test's workers share


def spill_pid(path: Path) -> int:
    """The process a spill file is of: its name is NAME.spill<pid>.<made unique>."""
    return int(path.name.removeprefix(f"{NAME}.spill").partition(".")[0])


def spill_pids(folder: Path) -> list[int]:
    return sorted(spill_pid(path) for path in folder.glob(f"{NAME}.spill*"))


def _make_in_worker(n):
    cache = _WORKER_CACHE[0]
    cache.put(("made", n), "x" * 100_000)
    assert cache.get(("made", n)) == "x" * 100_000  # the worker reads back what it made
    return os.getpid(), cache.take()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_worker_hands_over_what_it_made_through_its_own_file(tmp_path):
    cache = ResultCache(tmp_path / CACHE / NAME, {})
    cache.put(("parent",), "p")
    _WORKER_CACHE[:] = [cache]
    try:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            results = pool.map(_make_in_worker, range(4))
    finally:
        _WORKER_CACHE.clear()
    for n, (pid, taken) in enumerate(results):
        where = taken[ident(("made", n))]  # not the value: where the worker's file holds it
        assert isinstance(where, Handed) and spill_pid(Path(where.path)) == pid
    for _, taken in results:
        cache.update(taken)
    assert spill_pids(tmp_path / CACHE) == [os.getpid()]  # the workers' files are read and gone
    cache.end_handovers()
    assert {cache.get(("made", n)) for n in range(4)} == {"x" * 100_000}
    cache.save()
    assert open_cache(tmp_path / CACHE).get(("made", 3)) == "x" * 100_000


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_forked_worker_hands_back_only_what_it_used_itself(tmp_path):
    cache = ResultCache(tmp_path / CACHE / NAME, {})
    cache.put(("parent",), "p")  # used before the fork: the parent's to keep
    _WORKER_CACHE[:] = [cache]
    try:
        with multiprocessing.get_context("fork").Pool(2, cache.forked) as pool:
            results = pool.map(_make_in_worker, range(3))
    finally:
        _WORKER_CACHE.clear()
    assert [list(taken) for _, taken in results] == [[ident(("made", n))] for n in range(3)]
    for _, taken in results:
        cache.update(taken)
    cache.end_handovers()
    cache.save()
    assert {k for k in open_cache(tmp_path / CACHE).entries} == {
        ("parent",), ("made", 0), ("made", 1), ("made", 2)}


def _make_in_two_workers(n: int):
    _WORKER_CACHE[1].wait(timeout=30)  # each task in a worker of its own
    return _make_in_worker(n)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_workers_file_is_gone_even_when_all_it_made_was_held_already(tmp_path):
    """Two workers may make the same entry (the same list item, say): the second one's
    file then has nothing the parent copies, yet it must not outlive the build."""
    cache = ResultCache(tmp_path / CACHE / NAME, {})
    cache.put(("parent",), "p")
    context = multiprocessing.get_context("fork")
    _WORKER_CACHE[:] = [cache, context.Barrier(2)]
    try:
        with context.Pool(2) as pool:
            results = pool.map(_make_in_two_workers, [0, 0], chunksize=1)  # both: ("made", 0)
    finally:
        _WORKER_CACHE.clear()
    assert results[0][0] != results[1][0]  # two workers, each with a file of its own
    for _, taken in results:
        cache.update(taken)
    cache.end_handovers()
    assert spill_pids(tmp_path / CACHE) == [os.getpid()]
    assert cache.get(("made", 0)) == "x" * 100_000


def test_what_a_worker_could_not_write_is_a_miss_not_an_error(tmp_path, monkeypatch):
    parent = ResultCache(tmp_path / CACHE / NAME, {})
    parent.put(("parent",), "p")
    worker = ResultCache(tmp_path / CACHE / NAME, {})
    worker.owner = os.getpid() + 1  # as in a forked worker: it keeps a spill file of its own
    worker.put(("made",), "value")

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "pwrite", full_disk)
    taken = worker.take()  # the write fails here, when the worker hands over
    monkeypatch.undo()
    assert isinstance(taken[ident(("made",))], Handed)
    parent.update(taken)
    assert parent.get(("made",)) is None and parent.get(("parent",)) == "p"


def test_a_saved_cache_is_read_back_whole_and_a_cut_one_not_at_all(tmp_path):
    cache = ResultCache(tmp_path / CACHE / NAME, {})
    cache.put(("k", 1), "one")
    cache.put(("k", 2), ["two"])
    cache.save()
    assert {k: open_cache(tmp_path / CACHE).get(k) for k in cache.entries} == {
        ("k", 1): "one", ("k", 2): ["two"]}
    path = tmp_path / CACHE / NAME
    path.write_bytes(path.read_bytes()[:-1])
    assert open_cache(tmp_path / CACHE).entries == {}
    path.write_bytes(path.read_bytes()[:32])  # a signature and nothing signed
    assert open_cache(tmp_path / CACHE).entries == {}


SECOND_SEED = """\
# Second Headline

May 12, 2015

Putin said on Monday that the parade went well.
"""
WITH_SECOND_SEED = {
    "seeds/s2.txt": SECOND_SEED,
    "content/sources/s2.yaml": "publisher: Other Times\n",
    "content/events/talk.yaml": """\
        title: Putin on the parade
        date: 2015-05-11
        status: happened
        sources:
          - source: s2
            quote: "Putin said on Monday that the parade went well."
        """,
}


def check(root):
    """Load and cover as a check does, with the result cache; what it reported and found."""
    results = open_cache(folder(root))
    timeline, diagnostics = loader.load_timeline(root, drafts=True, results=results)
    check_coverage(timeline, root, diagnostics)
    results.save()
    found = [mentions.format_mention(m) for ms in mentions.mentions_by_source(timeline).values()
             for m in ms]
    return [d.format() for d in diagnostics.sorted()], found


def test_a_warm_check_neither_finds_quotes_nor_scans_articles_again(make_project, monkeypatch):
    root = make_project(WITH_SECOND_SEED)
    cold = check(root)
    assert cold[0] == [] and len(cold[1]) == 3  # 'on Saturday', '70 years since', 'on Monday'
    parsed = count_calls(monkeypatch, loader, "parse_yaml")  # event and metadata files
    quotes = count_calls(monkeypatch, references, "find_quote")
    scans = count_calls(monkeypatch, mentions, "_scan")
    assert check(root) == cold
    assert parsed == [] and quotes == [] and scans == []
    kept = open_cache(folder(root)).entries  # and what it used is kept for the next one
    assert {k[0] for k in kept} == {"article", "event", "meta", "quote", "mentions"}


def test_a_warm_check_reports_what_a_metadata_file_reported(make_project, monkeypatch):
    root = make_project({"content/sources/s1.yaml": "publisher: T\nurl: ftp://example.org/\n"
                                                    "boilerplate: ['(']\n"})
    cold = check(root)
    assert [line.split(": error: ")[1][:30] for line in cold[0]] == [
        "'url' must start with http:// ", "'boilerplate' pattern '(' is n"]
    parsed = count_calls(monkeypatch, loader, "parse_yaml")
    assert check(root) == cold
    assert parsed == []


def test_a_changed_seed_is_searched_and_scanned_again(make_project, monkeypatch):
    root = make_project(WITH_SECOND_SEED)
    check(root)
    (root / "seeds/s2.txt").write_text(SECOND_SEED + "\nCrowds lined the streets.\n")
    quotes = count_calls(monkeypatch, references, "find_quote")
    scans = count_calls(monkeypatch, mentions, "_scan")
    check(root)
    assert [(article.id, quote) for article, quote in quotes] == [
        ("s2", "Putin said on Monday that the parade went well.")]
    assert [article.id for (article,) in scans] == ["s2"]


class Box:
    def __init__(self, text):
        self.text = text


def test_a_result_is_kept_only_for_a_value_from_the_cache_and_under_its_key():
    cache = ResultCache(None, {})
    kept, other = Box("a"), Box("a")
    cache.remember(kept, ("box", "a"))
    calls = []

    def compute():
        calls.append(1)
        return "A"

    assert [derived(kept, ("upper",), compute) for _ in range(2)] == ["A", "A"]
    assert derived(other, ("upper",), compute) == "A"  # not from a cache: computed every time
    assert len(calls) == 2
    assert list(cache.entries) == [("upper", ("box", "a"))]


def test_a_damaged_value_is_a_miss_and_the_others_still_hit(tmp_path):
    cache = ResultCache(tmp_path / CACHE / NAME)
    cache.put(("k", 1), "one" * 10)
    cache.put(("k", 2), "two" * 10)
    cache.save()
    path = tmp_path / CACHE / NAME
    data = bytearray(path.read_bytes())
    data[5] ^= 0xFF  # inside the first value: the index, and its signature, are intact
    path.write_bytes(bytes(data))
    reopened = open_cache(tmp_path / CACHE)
    assert sorted(v for v in (reopened.get(("k", 1)), reopened.get(("k", 2))) if v) in (
        ["two" * 10], ["one" * 10])  # whichever was written first is damaged, the other is read
    reopened.close()


def test_opening_a_cache_reads_only_its_index(tmp_path, monkeypatch):
    cache = ResultCache(tmp_path / CACHE / NAME)
    for n in range(50):
        cache.put(("k", n), "x" * 10_000)
    cache.save()
    reads = []
    real = os.pread
    monkeypatch.setattr(os, "pread", lambda fd, n, at: reads.append(n) or real(fd, n, at))
    reopened = open_cache(tmp_path / CACHE)
    assert len(reopened.loaded) == 50 and reads == []  # not even the keys
    assert reopened.get(("k", 7)) == "x" * 10_000 and len(reads) == 1
    reopened.close()


def test_a_save_appends_new_values_and_a_mostly_unused_file_is_written_afresh(tmp_path):
    path = tmp_path / CACHE / NAME
    first = ResultCache(path)
    for n in range(10):
        first.put(("k", n), "x" * 1000)
    first.save()
    original = path.read_bytes()
    size = len(original)
    second = open_cache(tmp_path / CACHE)
    assert all(second.get(("k", n)) for n in range(10))
    second.put(("k", 10), "y" * 1000)
    second.save()  # appended: the ten values stay where they are
    second.close()
    assert path.read_bytes()[:size] == original
    third = open_cache(tmp_path / CACHE)
    assert [third.get(("k", n)) for n in (0, 10)] == ["x" * 1000, "y" * 1000]
    assert third.get(("k", 3)) and path.stat().st_size > size
    third.close()
    fourth = open_cache(tmp_path / CACHE)
    fourth.get(("k", 10))  # uses one value of eleven: the file is rewritten with it alone
    fourth.save()
    fourth.close()
    assert path.stat().st_size < size / 2
    assert list(open_cache(tmp_path / CACHE).entries) == [("k", 10)]


def test_many_articles_are_scanned_the_same_in_parallel(make_project, monkeypatch):
    """Past PARALLEL_MIN_VALUES articles not scanned before, forked workers find their date
    phrases; the mentions are the same as one process finds."""
    import multiprocessing

    import paradetimeline.incremental.results as filecache
    from paradetimeline import load_timeline

    seeds = {f"seeds/bulk{n:03d}.txt": f"# Headline {n}\n\nMay 11, 2015\n\nThe parade was on "
             f"Saturday, and {n} veterans marched in 1945.\n" for n in range(filecache.PARALLEL_MIN_VALUES + 5)}
    root = make_project(seeds)
    pools = []
    real = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context",
                        lambda method: pools.append(method) or real(method))

    def found(jobs):
        results = ResultCache(None)
        timeline, _ = load_timeline(root, results=results)
        return [mentions.format_mention(m) for ms in mentions.mentions_by_source(timeline, jobs).values()
                for m in ms], results

    in_order, _ = found(1)
    assert pools == []
    in_parallel, results = found(2)
    assert pools == ["fork"]
    assert in_parallel == in_order and len(in_order) > 2 * filecache.PARALLEL_MIN_VALUES
    assert sum(1 for k, _ in results.made.values() if k[0] == "mentions") == len(seeds) + 1


def test_a_save_drops_what_it_cannot_name_when_the_keys_were_damaged_since_opening(tmp_path):
    path = tmp_path / CACHE / NAME
    first = ResultCache(path)
    first.put(("k", 1), "one")
    first.save()
    second = open_cache(tmp_path / CACHE)
    assert second.get(("k", 1)) == "one"
    data = bytearray(path.read_bytes())
    value = len(pickle.dumps("one", protocol=pickle.HIGHEST_PROTOCOL))
    data[value + 3] ^= 0xFF  # inside the pickled keys, which follow the value
    path.write_bytes(bytes(data))
    second.put(("k", 2), "two")
    second.save()  # no error: the value it cannot name is dropped, the new one kept
    second.close()
    third = open_cache(tmp_path / CACHE)
    assert third.get(("k", 2)) == "two" and third.get(("k", 1)) is None


def test_a_rebuild_checks_only_the_changed_event_file(make_project, monkeypatch):
    root = make_project(WITH_SECOND_SEED)
    build_site(root, jobs=1)
    talk = root / "content/events/talk.yaml"
    talk.write_text(talk.read_text().replace("Putin on the parade", "Putin on Victory Day"))
    checked = count_calls(monkeypatch, references.Checker, "event")
    quotes = count_calls(monkeypatch, references, "find_quote")
    build_site(root, jobs=1)
    assert [event.id for _, event in checked] == ["talk"]
    assert quotes == []  # the quote itself did not change
    assert "Putin on Victory Day" in (root / "site/events/talk.html").read_text()


def test_a_kept_check_is_not_used_once_what_it_was_checked_against_changed(make_project):
    root = make_project()
    build_site(root, jobs=1)
    (root / "content/people.yaml").write_text("xi-jinpin:\n  name: Xi Jinping\n")
    with pytest.raises(ContentError) as failed:
        build_site(root, jobs=1)
    assert [d.format() for d in failed.value.diagnostics] == [
        "content/events/parade.yaml:6:10: error: unknown person 'xi-jinping'\n"
        "    hint: did you mean 'xi-jinpin'?"]


def test_a_kept_check_reports_again_what_it_reported(make_project):
    root = make_project({"content/events/talk.yaml": "title: T\ndate: 2015-05-11\n"
                                                     "status: happened\nplaces: [red-squar]\n"})
    reported = []
    for _ in range(2):
        with pytest.raises(ContentError) as failed:
            build_site(root, jobs=1)
        reported.append([d.format() for d in failed.value.diagnostics])
    assert reported[0] == reported[1] == [
        "content/events/talk.yaml:4:10: error: unknown place 'red-squar'\n"
        "    hint: did you mean 'red-square'?"]
    assert any(k[0] == "checked" for k in open_cache(folder(root)).entries)


def test_quotes_found_once_stay_kept_while_checks_are_kept(make_project, monkeypatch):
    root = make_project(WITH_SECOND_SEED)
    build_site(root, jobs=1)
    talk = root / "content/events/talk.yaml"
    talk.write_text(talk.read_text().replace("Putin on the parade", "Putin on Victory Day"))
    build_site(root, jobs=1)  # the parade's check is kept: its quote is not looked up
    people = root / "content/people.yaml"
    people.write_text(people.read_text() + "vladimir-putin:\n  name: Vladimir Putin\n")
    quotes = count_calls(monkeypatch, references, "find_quote")
    checked = count_calls(monkeypatch, references.Checker, "event")
    build_site(root, jobs=1)
    assert sorted(event.id for _, event in checked) == ["parade", "talk"]
    assert quotes == []


def test_a_save_keeps_whole_steps_on_request_and_reads_no_entry_to_append(tmp_path, monkeypatch):
    path = tmp_path / CACHE / NAME
    first = ResultCache(path)
    for n in range(3):
        first.put(("markdown", n), f"<p>{n}</p>" * 100)
        first.put(("event", n), n)
    first.save()
    second = open_cache(tmp_path / CACHE)
    reads = []
    real = os.pread
    monkeypatch.setattr(os, "pread", lambda fd, n, at: reads.append(fd) or real(fd, n, at))
    assert second.get(("event", 1)) == 1 and len(reads) == 1
    second.keep("markdown")
    second.put(("event", 9), 9)
    second.save()  # appended (most of the file is still used): no entry of it is read again
    assert reads.count(second.file.fileno()) == 1
    second.close()
    assert sorted(open_cache(tmp_path / CACHE).entries) == [
        ("event", 1), ("event", 9), ("markdown", 0), ("markdown", 1), ("markdown", 2)]


def test_what_a_build_makes_waits_in_a_spill_file_that_becomes_the_cache(tmp_path):
    path = tmp_path / CACHE / NAME
    first = ResultCache(path)
    for n in range(3):
        first.put(("k", n), "x" * 1000)
    assert first.made == {} and len(first.spilled) == 3  # not held in memory
    assert first.get(("k", 1)) == "x" * 1000
    first.save()
    first.close()
    assert sorted(p.name for p in path.parent.iterdir()) == [NAME]  # the spill, renamed
    second = open_cache(tmp_path / CACHE)
    assert [second.get(("k", n)) for n in range(3)] == ["x" * 1000] * 3
    second.put(("k", 3), "y" * 1000)
    second.save()  # appended from the spill, which is then removed
    second.close()
    assert sorted(p.name for p in path.parent.iterdir()) == [NAME]
    assert open_cache(tmp_path / CACHE).get(("k", 3)) == "y" * 1000


def test_the_spill_file_of_a_killed_build_is_removed(tmp_path):
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    folder = tmp_path / CACHE
    folder.mkdir()
    (folder / f"{NAME}.spill{gone}").write_bytes(b"left by a killed build")
    (folder / f"{NAME}.spill{os.getpid()}").write_bytes(b"this process's own")
    open_cache(tmp_path / CACHE)
    assert sorted(p.name for p in folder.iterdir()) == [f"{NAME}.spill{os.getpid()}"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked workers exist only where fork does")
def test_a_forked_worker_reads_what_its_parent_had_not_written_out_yet(tmp_path):
    cache = ResultCache(tmp_path / CACHE / NAME)
    cache.put(("k", 1), "made before the fork")
    assert cache.spill is not None and cache.spill.pending  # gathered, not yet written
    pid = os.fork()
    if pid == 0:  # the worker
        os._exit(0 if cache.get(("k", 1)) == "made before the fork" else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    cache.close()


def test_a_results_file_that_is_a_symlink_is_neither_read_nor_appended_to(make_project, tmp_path):
    """Say, a link to another project's results file, signed with the same key."""
    root = make_project()
    build_site(root, jobs=1)
    elsewhere = tmp_path / "elsewhere.pickle"
    path = folder(root) / NAME
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    assert open_cache(folder(root)).entries == {}  # not read through the link
    (root / "content/events/new.yaml").write_text("title: New\ndate: 2015-05-10\nstatus: planned\n")
    build_site(root, jobs=1)  # makes new entries, which a save would append
    assert elsewhere.read_bytes() == before
    assert not path.is_symlink() and open_cache(folder(root)).entries
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")


def test_a_spill_file_is_made_afresh_never_opened_at_a_name_it_could_guess(tmp_path):
    folder = tmp_path / CACHE
    folder.mkdir()
    important = tmp_path / "important.txt"
    important.write_text("the user's own file")
    os.link(important, folder / f"{NAME}.spill{os.getpid()}")  # where spill files used to go
    cache = ResultCache(folder / NAME)
    cache.put(("k", 1), "x" * 1000)
    assert cache.spill is not None and cache.get(("k", 1)) == "x" * 1000
    cache.save()
    cache.close()
    assert important.read_text() == "the user's own file"
    assert open_cache(tmp_path / CACHE).get(("k", 1)) == "x" * 1000
