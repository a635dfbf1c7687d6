"""incremental/store.py: what pure steps made is kept as plain text in one SQLite file, found
again only for the same inputs; a store that is damaged, planted or out of reach costs
speed, never a build."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import CITED
from test_buildrecord import clean_build
from test_output import snapshot

import paradetimeline.check.loader as loader
import paradetimeline.check.mentions as mentions
import paradetimeline.check.parses as parses
import paradetimeline.check.phrases as phrases
import paradetimeline.check.references as references
import paradetimeline.incremental.store as store
import paradetimeline.render.markup as markup
from paradetimeline import ContentError, build_site
from paradetimeline.check.coverage import check_coverage
from paradetimeline.incremental.buildrecord import folder
from paradetimeline.incremental.store import FILENAME, KEPT_BUILDS, open_store


def count_calls(monkeypatch, module, name):
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def steps(root: Path) -> set[str]:
    """The steps the project's store keeps rows of."""
    kept = open_store(folder(root))
    try:
        return {step for step in ("article", "checked", "event", "markdown", "meta",
                                  "mentions", "quote") if kept.rows(step)}
    finally:
        kept.close()


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
    for n in range(2 * store.BATCH + 5):
        first.put("checked", f"k{n}", f"v{n}")
    first.put("event", "k1", "other step")
    first.save()
    first.close()
    again = open_store(tmp_path)
    asked = [f"k{n}" for n in range(2 * store.BATCH + 10)]
    found = again.get_many("checked", asked)
    assert found == {f"k{n}": f"v{n}" for n in range(2 * store.BATCH + 5)}
    again.close()


def test_values_set_aside_past_the_bound_are_found_and_saved_like_the_others(
        tmp_path, monkeypatch):
    monkeypatch.setattr(store, "SET_ASIDE_AT", 10)
    first = open_store(tmp_path)
    for n in range(30):
        first.put("part", f"k{n}", f"value {n}")
    assert len(first.made) < 30 and "part" in first.aside
    assert first.get("part", "k0") == "value 0"
    assert first.get_many("part", ["k1", "k29", "k30"]) == {"k1": "value 1", "k29": "value 29"}
    unsaved = open_store(tmp_path)  # a build that failed: nothing it made is kept
    unsaved.put("part", "k1", "from a failed build")
    unsaved.close()
    first.save()
    first.close()
    again = open_store(tmp_path)
    assert again.rows("part") == sorted((f"k{n}", f"value {n}") for n in range(30))
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
    found = kept.get("event", "parent")  # read through a connection of its own
    kept.put("made", str(n), f"value {n}")
    kept.save()  # a worker's results go back to its parent as text: it writes nothing
    return found


_WORKER: list[store.Store] = []


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_forked_worker_reads_on_its_own_connection_and_writes_nothing(tmp_path):
    first = open_store(tmp_path)
    first.put("event", "parent", "p")
    first.save()
    first.put("event", "unsaved", "u")  # the parent's: no worker writes it
    _WORKER[:] = [first]
    try:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            found = pool.map(_in_worker, range(3))
    finally:
        _WORKER.clear()
    assert found == ["p", "p", "p"]
    assert open_store(tmp_path).rows("made") == []
    assert open_store(tmp_path).rows("event") == [("parent", "p")]
    first.save()
    first.close()
    assert open_store(tmp_path).rows("event") == [("parent", "p"), ("unsaved", "u")]


# -- what builds keep, and find again ------------------------------------------------------

def test_a_rebuild_parses_only_the_changed_event_file(make_project, monkeypatch):
    root = make_project()
    build_site(root, jobs=1)
    event = root / "content/events/parade.yaml"
    event.write_text(event.read_text().replace("One line.", "One changed line."))
    parsed = count_calls(monkeypatch, parses, "parse_yaml")
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


def test_what_workers_render_is_kept_as_one_process_keeps_it(make_project, monkeypatch):
    import paradetimeline.write.files as files

    def kept() -> list[tuple[str, str]]:
        store = open_store(folder(root))
        try:
            return store.rows("part") + store.rows("markdown")
        finally:
            store.close()

    monkeypatch.setattr(files, "PARALLEL_MIN_PAGES", 2)
    root = make_project()
    build_site(root, jobs=1)
    in_one = kept()
    shutil.rmtree(folder(root))
    shutil.rmtree(root / "site")
    build_site(root, jobs=2)  # the pages rendered by forked workers
    assert kept() == in_one
    assert len(in_one) > 2


def test_the_store_holds_plain_text_only(make_project):
    root = make_project()
    build_site(root, jobs=1)
    with sqlite3.connect(folder(root) / FILENAME) as db:
        kinds = {kind for (kind,) in db.execute("select distinct typeof(value) from results")}
    assert kinds == {"text"}


def test_a_garbage_store_means_a_slower_build_not_a_failed_one(make_project, monkeypatch, tmp_path):
    root = make_project()
    build_site(root, jobs=1)
    before = snapshot(root / "site")
    (folder(root) / FILENAME).write_bytes(b"\0garbage" * 1000)
    parsed = count_calls(monkeypatch, parses, "parse_yaml")
    (root / "site/index.html").unlink()  # make the build run
    build_site(root, jobs=1)
    assert parsed, "nothing was parsed: the garbage was read as a store"
    assert snapshot(root / "site") == before


def test_only_what_builds_use_is_kept(make_project):
    root = make_project()
    extra = root / "content/events/extra.yaml"
    extra.write_text("title: Extra\ndate: 2015-05-10\nstatus: planned\n" + CITED)
    build_site(root, jobs=1)
    kept = lambda: len(open_store(folder(root)).rows("event"))
    with_extra = kept()
    extra.unlink()
    for n in range(KEPT_BUILDS + 1):
        (root / "content/site.yaml").write_text(f"title: Build {n}\n")
        build_site(root, jobs=1)
    assert kept() == with_extra - 1


SECOND_SEED = """\
# Second Headline

May 12, 2015

Putin said on Monday that the parade went well.
"""
WITH_SECOND_SEED = {
    "seeds/s2.txt": SECOND_SEED,
    "content/sources/s2.yaml": "publisher: Other Times\nnotes:\n  publisher: Named in the masthead of the capture.\n",
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
    """Load and cover as a check does, with the store; what it reported and found."""
    kept = open_store(folder(root))
    timeline, diagnostics = loader.load_timeline(root, drafts=True, cache=kept)
    check_coverage(timeline, root, diagnostics, cache=kept)
    found = [mentions.format_mention(m) for ms in
             mentions.mentions_by_source(timeline, cache=kept).values() for m in ms]
    kept.save()
    kept.close()
    return [d.format() for d in diagnostics.sorted()], found


def test_a_warm_check_neither_finds_quotes_nor_scans_articles_again(make_project, monkeypatch):
    root = make_project(WITH_SECOND_SEED)
    cold = check(root)
    assert cold[0] == [] and len(cold[1]) == 3  # 'on Saturday', '70 years since', 'on Monday'
    parsed = count_calls(monkeypatch, parses, "parse_yaml")  # event and metadata files
    quotes = count_calls(monkeypatch, references, "find_quote")
    scans = count_calls(monkeypatch, phrases, "_scan")
    assert check(root) == cold
    assert parsed == [] and quotes == [] and scans == []
    assert steps(root) == {"article", "event", "meta", "quote", "mentions"}


def test_a_warm_check_reports_what_a_metadata_file_reported(make_project, monkeypatch):
    root = make_project({"content/sources/s1.yaml": "publisher: T\nurl: ftp://example.org/\n"
                                                    "boilerplate: ['(']\n"})
    cold = check(root)
    assert [line.split(": error: ")[1][:30] for line in cold[0]] == [
        "'url' must start with http:// ", "'boilerplate' pattern '(' is n"]
    parsed = count_calls(monkeypatch, parses, "parse_yaml")
    assert check(root) == cold
    assert parsed == []


def test_a_changed_seed_is_searched_and_scanned_again(make_project, monkeypatch):
    root = make_project(WITH_SECOND_SEED)
    check(root)
    (root / "seeds/s2.txt").write_text(SECOND_SEED + "\nCrowds lined the streets.\n")
    quotes = count_calls(monkeypatch, references, "find_quote")
    scans = count_calls(monkeypatch, phrases, "_scan")
    check(root)
    assert [(article.id, quote) for article, quote in quotes] == [
        ("s2", "Putin said on Monday that the parade went well.")]
    assert "s2" in [article.id for (article,) in scans]


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
                                                     "status: happened\nplaces: [red-squar]\n" + CITED})
    reported = []
    for _ in range(2):
        with pytest.raises(ContentError) as failed:
            build_site(root, jobs=1)
        reported.append([d.format() for d in failed.value.diagnostics])
    assert reported[0] == reported[1] == [
        "content/events/talk.yaml:4:10: error: unknown place 'red-squar'\n"
        "    hint: did you mean 'red-square'?"]
    assert "checked" in steps(root)


def test_quotes_found_once_are_not_looked_up_when_every_event_is_checked_again(
        make_project, monkeypatch):
    root = make_project(WITH_SECOND_SEED)
    build_site(root, jobs=1)
    people = root / "content/people.yaml"
    people.write_text(people.read_text() + "vladimir-putin:\n  name: Vladimir Putin\n")
    quotes = count_calls(monkeypatch, references, "find_quote")
    checked = count_calls(monkeypatch, references.Checker, "event")
    build_site(root, jobs=1)
    assert sorted(event.id for _, event in checked) == ["parade", "talk"]
    assert quotes == []


def test_many_articles_are_scanned_the_same_in_parallel(make_project, monkeypatch):
    """Past PARALLEL_MIN_ARTICLES articles not scanned before, forked workers find their
    date phrases; the mentions are the same as one process finds, and are kept."""
    from paradetimeline import load_timeline
    from paradetimeline.plain import MemoryCache

    seeds = {f"seeds/bulk{n:03d}.txt": f"# Headline {n}\n\nMay 11, 2015\n\nThe parade was on "
             f"Saturday, and {n} veterans marched in 1945.\n"
             for n in range(mentions.PARALLEL_MIN_ARTICLES + 5)}
    root = make_project(seeds)
    pools = []
    real = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context",
                        lambda method: pools.append(method) or real(method))
    timeline, _ = load_timeline(root)

    def found(jobs):
        phrases._scan.cache_clear()
        cache = MemoryCache()
        return [mentions.format_mention(m) for ms in
                mentions.mentions_by_source(timeline, jobs, cache).values() for m in ms], cache

    in_order, _ = found(1)
    assert pools == []
    in_parallel, cache = found(2)
    assert pools == ["fork"]
    assert in_parallel == in_order and len(in_order) > 2 * mentions.PARALLEL_MIN_ARTICLES
    assert sum(1 for step, _ in cache.made if step == "mentions") == len(seeds) + 1


def test_a_store_that_is_a_symlink_is_neither_read_nor_written_through(make_project, tmp_path):
    """Say, a link to another project's store."""
    root = make_project()
    build_site(root, jobs=1)
    elsewhere = tmp_path / "elsewhere.sqlite"
    path = folder(root) / FILENAME
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    (root / "content/events/new.yaml").write_text("title: New\ndate: 2015-05-10\nstatus: planned\n" + CITED)
    build_site(root, jobs=1)
    assert elsewhere.read_bytes() == before
    assert not path.is_symlink() and open_store(folder(root)).rows("event")
    assert snapshot(root / "site") == clean_build(root, tmp_path, "clean")


def test_nothing_is_written_into_the_checkout_but_the_site(make_project):
    root = make_project()
    before = {p for p in root.rglob("*")}
    build_site(root, jobs=1)
    made = {p for p in root.rglob("*")} - before
    assert made and all(p.is_relative_to(root / "site") for p in made)
    assert not os.path.lexists(root / FILENAME)
