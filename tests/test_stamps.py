"""stamps.py: the one timestamp exports need, from SOURCE_DATE_EPOCH or the content."""

from __future__ import annotations

import datetime as dt

import pytest

from paradetimeline.check.loader import load_timeline
from paradetimeline.cli import main
from paradetimeline.exports.stamps import content_timestamp

CONTENT_DATE = "DTSTAMP:20150511T000000Z"  # the minimal project's latest source date


@pytest.mark.parametrize("value", ["²", "١٢", "１２", "1.5", "-1", "1e9"])
def test_a_malformed_source_date_epoch_is_a_usage_error(make_project, monkeypatch, capsys, value):
    """Only ASCII digits make a number: str.isdigit takes '²', which int() refuses. The
    specification asks a build to fail on anything else, and nothing is written."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    root = make_project()
    assert main(["build", "--root", str(root)]) == 2
    assert capsys.readouterr().err == (
        f"paradetimeline: error: SOURCE_DATE_EPOCH is {value!r}, not a whole number of seconds "
        "since 1970; set it to one (e.g. $(git log -1 --format=%ct)) or unset it\n")
    assert not (root / "site").exists()


def test_an_empty_source_date_epoch_counts_as_unset(make_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", " ")
    root = make_project()
    assert main(["build", "--root", str(root)]) == 0
    assert CONTENT_DATE in (root / "site/events.ics").read_text(encoding="utf-8")


def test_a_whole_number_of_seconds_is_used(make_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = make_project()
    assert main(["build", "--root", str(root)]) == 0
    assert "DTSTAMP:20231114T221320Z" in (root / "site/events.ics").read_text(encoding="utf-8")


def test_content_timestamp_takes_ascii_digits_only(make_project):
    timeline, _ = load_timeline(make_project())
    content = dt.datetime(2015, 5, 11, tzinfo=dt.UTC)
    assert content_timestamp(timeline, {"SOURCE_DATE_EPOCH": "²"}) == content
    assert content_timestamp(timeline, {"SOURCE_DATE_EPOCH": "١٢"}) == content
    assert content_timestamp(timeline, {"SOURCE_DATE_EPOCH": " 12 "}) == \
        dt.datetime(1970, 1, 1, 0, 0, 12, tzinfo=dt.UTC)
