"""cli.py: exit codes, compiler-style messages on stderr, and every command end to end."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import CITED

from paradetimeline import __version__
from paradetimeline.cli import main
from paradetimeline.serve import start


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_build_prints_one_summary_line_and_exits_0(make_project, capsys):
    root = make_project()
    code, out, err = run(capsys, "build", "--root", str(root))
    assert code == 0
    assert err == ("note: feed.xml and sitemap.xml not written: no base URL is known "
                   "(set base_url in content/site.yaml or pass --base-url)\n")
    assert re.fullmatch(r"Built \d+ pages from 1 event into .*/site/ in \d+\.\d s\n", out)
    assert (root / "site/index.html").is_file()


def test_a_base_url_build_writes_the_feed_and_says_nothing_more(make_project, capsys):
    root = make_project()
    code, _, err = run(capsys, "build", "--root", str(root), "--base-url", "https://e.org/x")
    assert code == 0 and err == ""
    assert (root / "site/feed.xml").is_file()


def test_a_relative_base_url_is_a_usage_error(make_project, capsys):
    code, _, err = run(capsys, "build", "--root", str(make_project()), "--base-url", "x/y")
    assert code == 2
    assert err == ("paradetimeline: error: --base-url 'x/y' must be an absolute http(s) URL, "
                   "e.g. https://example.org/paradetimeline/\n")


def test_quiet_build_prints_nothing(make_project, capsys):
    assert run(capsys, "build", "--root", str(make_project()), "--quiet") == (0, "", "")


def test_check_reports_a_broken_file_like_a_compiler_and_exits_1(make_project, capsys):
    root = make_project({"content/events/parade.yaml": """\
        title: Xi attends the parade
        date: 2015-05-09
        status: happened
        people: [xi-jinpin]
        sources:
          - source: s1
            quote: "Xi attended Moscow's Victory Day parade on Saturday marking 70 years since the end of the war in Europe."
        """})
    code, out, err = run(capsys, "check", "--root", str(root))
    assert code == 1 and out == ""
    assert err == (
        "content/events/parade.yaml:4:10: error: unknown person 'xi-jinpin'\n"
        "    hint: did you mean 'xi-jinping'?\n"
        "Check failed: 1 error, 0 warnings in 1 file.\n"
    )


def test_a_yaml_syntax_error_has_file_line_and_column(make_project, capsys):
    root = make_project({"content/events/parade.yaml": "title: [unclosed\ndate: 2015\n"})
    code, _, err = run(capsys, "check", "--root", str(root))
    assert code == 1
    assert err.splitlines()[0].startswith("content/events/parade.yaml:1:8: error: ")
    assert ": error: YAML syntax: " in err


def test_a_missing_root_is_a_usage_error(capsys, tmp_path):
    code, _, err = run(capsys, "build", "--root", str(tmp_path / "nope"))
    assert code == 2
    assert err == f"paradetimeline: error: --root '{tmp_path / 'nope'}' is not a folder\n"


def test_unknown_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--colour"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --colour" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"paradetimeline {__version__}\n"


@pytest.mark.parametrize("command", ["build", "check", "serve", "new", "mentions"])
def test_every_command_has_help_with_examples(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert f"examples:\n  paradetimeline {command}" in out


def test_an_internal_error_prints_one_line_and_no_traceback(make_project, capsys, monkeypatch):
    import paradetimeline.cli as cli

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "check_project", broken)
    code, _, err = run(capsys, "check", "--root", str(make_project()))
    assert code == 70
    assert err == ("paradetimeline: internal error (RuntimeError); please report it with "
                   "the output of --debug\n")
    code, _, err = run(capsys, "--debug", "check", "--root", str(make_project()))
    assert "Traceback" in err and "RuntimeError: boom" in err


def test_no_colour_when_not_a_tty_or_with_no_color(make_project, monkeypatch, capsys):
    root = make_project({"content/events/parade.yaml": "title: x\n"})
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    _, _, err = run(capsys, "check", "--root", str(root))
    assert "\033[" not in err


def test_new_event_writes_a_file_that_passes_check(make_project, capsys):
    root = make_project()
    code, out, _ = run(capsys, "new", "event", "--root", str(root), "--date", "2025-05-09",
                       "--title", "Xi Jinping visits: \"Moscow\"")
    assert code == 0
    assert out == ("Created content/events/2025/2025-05-09-xi-jinping-visits-moscow.yaml "
                   "(a draft: quote its source under 'sources:', then delete 'draft: true' "
                   "to publish it)\n")
    assert run(capsys, "check", "--root", str(root), "--strict")[0] == 0
    created = root / "content/events/2025/2025-05-09-xi-jinping-visits-moscow.yaml"
    created.write_text(created.read_text().replace("draft: true", "draft: false"))
    code, _, err = run(capsys, "check", "--root", str(root))
    assert code == 1 and err.startswith(
        "content/events/2025/2025-05-09-xi-jinping-visits-moscow.yaml:15:10: error: a published "
        "event needs a quote from a source\n")
    created.write_text(created.read_text().replace("sources: []", CITED.rstrip("\n")))
    assert run(capsys, "build", "--root", str(root))[0] == 0
    page = (root / "site/events/2025-05-09-xi-jinping-visits-moscow.html").read_text()
    assert "Xi Jinping visits: &#34;Moscow&#34;" in page


def test_new_event_refuses_to_overwrite(make_project, capsys):
    root = make_project()
    args = ["new", "event", "--root", str(root), "--date", "2015", "--title", "Same"]
    assert run(capsys, *args)[0] == 0
    code, _, err = run(capsys, *args)
    assert code == 1
    assert err == ("paradetimeline: error: content/events/2015/2015-same.yaml already exists; "
                   "edit it, or choose another --title\n")


def test_new_event_refuses_an_impossible_date(make_project, capsys):
    code, _, err = run(capsys, "new", "event", "--root", str(make_project()),
                       "--date", "2015-02-30", "--title", "x")
    assert code == 2
    assert err == ("paradetimeline: error: --date: '2015-02-30' is not a real date: "
                   "February 2015 has 28 days\n")


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for(predicate, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the preview to rebuild"
        time.sleep(0.05)


def test_serve_rebuilds_on_change_and_keeps_the_last_good_site(make_project):
    root = make_project()
    log = io.StringIO()
    server, preview, stop = start(root, 0, log=log, interval=0.05)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        status, page = fetch(f"{base}/events/parade.html")
        assert status == 200 and "Xi attends the parade" in page
        assert "/__paradetimeline/status" in page  # reload script, injected at serve time only
        assert b"__paradetimeline" not in preview.site.file("events/parade.html")

        event = root / "content/events/parade.yaml"
        event.write_text(event.read_text().replace("Xi attends the parade", "Xi watches"))
        wait_for(lambda: "Xi watches" in fetch(f"{base}/events/parade.html")[1])

        event.write_text("title: [broken\n")  # seen half written, it may be another error first

        def errors() -> list[str]:
            return list(json.loads(fetch(f"{base}/__paradetimeline/status")[1])["errors"])

        wait_for(lambda: errors()[:1] and errors()[0].startswith(
            "content/events/parade.yaml:1:8: error: "))
        assert "Xi watches" in fetch(f"{base}/events/parade.html")[1]  # last good site
        assert "Serving the last good site." in log.getvalue()
        assert fetch(f"{base}/nowhere.html")[0] == 404
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        preview.close()


def test_the_console_script_runs(make_project):
    result = subprocess.run([sys.executable, "-m", "paradetimeline", "check", "--root",
                             str(make_project())], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("Checked ")


def test_mentions_lists_resolved_phrases_and_the_events_citing_them(make_project, capsys):
    code, out, _ = run(capsys, "mentions", "s1", "--root", str(make_project()))
    assert code == 0
    assert 's1 p1-s1 "on Saturday" -> 2015-05-09' in out
    assert "cited by: parade" in out


def test_mentions_of_an_unknown_source_is_a_usage_error(make_project, capsys):
    code, _, err = run(capsys, "mentions", "nope", "--root", str(make_project()))
    assert code == 2 and err.startswith("paradetimeline: error: ")


def test_the_status_choices_are_the_model_statuses():
    from paradetimeline.cli import STATUS_CHOICES
    from paradetimeline.model import STATUSES

    assert STATUS_CHOICES == STATUSES


def test_a_usage_error_shows_control_characters_as_escapes(capsys, tmp_path):
    """A path is the user's text too: an error quoting it cannot clear the screen."""
    assert main(["check", "--root", str(tmp_path / "\x1b[2Jgone")]) == 2
    assert capsys.readouterr().err == (
        f"paradetimeline: error: --root '{tmp_path}/\\x1b[2Jgone' is not a folder\n")
