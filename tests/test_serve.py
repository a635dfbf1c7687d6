"""serve.py: a real preview server on 127.0.0.1, as a browser, a stray client or a shell sees it.

Every test talks to 127.0.0.1 only, and every wait is bounded.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from conftest import CITED

from paradetimeline import serve
from paradetimeline.errors import UsageError
from paradetimeline.incremental import buildrecord, rebuild
from paradetimeline.incremental.store import open_store
from paradetimeline.serve import STATUS_PATH, start

FORBIDDEN = "This preview answers only http://127.0.0.1:{port}/ and http://localhost:{port}/\n"


@contextlib.contextmanager
def preview(root: Path, **options) -> Iterator[tuple[int, serve.Preview, io.StringIO]]:
    """A running preview of `root`: its port, its Preview, and what it printed."""
    log = io.StringIO()
    server, state, stop = start(root, 0, log=log, interval=0.05, **options)
    try:
        yield server.server_address[1], state, log
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        state.close()


def fetch(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def status(port: int) -> dict:
    return json.loads(fetch(port, STATUS_PATH)[1])


def exchange(port: int, request: bytes) -> bytes:
    """Send raw bytes and read the whole answer, up to the server closing the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def request(method: str, path: str, host: str | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.0"] + ([f"Host: {host}"] if host is not None else [])
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def split(answer: bytes) -> tuple[str, dict[str, str], bytes]:
    """Status line, headers (by lower-case name) and body of a raw HTTP answer."""
    head, _, body = answer.partition(b"\r\n\r\n")
    first, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines)
    return first, headers, body


def wait_for(predicate, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the preview"
        time.sleep(0.02)


def edit(root: Path, title: str) -> None:
    event = root / "content/events/parade.yaml"
    text = re.sub(r"(?m)^title: .*$", f"title: {title}", event.read_text())
    event.write_text(text)


# 1. The watcher sees a save at once, and survives anything a round of watching raises.

def test_a_save_is_seen_when_the_system_reports_it_not_at_the_next_look(make_project):
    """With a look every 10 minutes, only the system's change notification can bring the
    edit to the browser within the wait."""
    root = make_project()
    log = io.StringIO()
    server, state, stop = start(root, 0, log=log, interval=600)
    try:
        port = server.server_address[1]
        time.sleep(0.2)  # the watcher's notifications set up
        edit(root, "Xi waves")
        wait_for(lambda: "Xi waves" in fetch(port, "/events/parade.html")[1], seconds=10)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        state.close()


def test_without_change_notifications_the_watcher_looks_every_interval(
        make_project, monkeypatch):
    def no_notifications(*paths, **options):
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(serve.watchfiles, "watch", no_notifications)
    root = make_project()
    with preview(root) as (port, _, log):
        edit(root, "Xi waves")
        wait_for(lambda: "Xi waves" in fetch(port, "/events/parade.html")[1])
    assert log.getvalue().splitlines()[1] == (
        "paradetimeline: cannot watch for changes (OSError: [Errno 28] inotify watch limit "
        "reached); looking every 0.05 s instead")


def test_an_internal_error_in_a_rebuild_is_one_line_and_the_next_edit_is_served(
        make_project, monkeypatch, capsys):
    root = make_project()
    real_check = serve.checked_timeline
    failures = []

    def fails_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise RuntimeError("boom\n\x1b[2J")
        return real_check(*args, **kwargs)

    with preview(root) as (port, _, log):
        monkeypatch.setattr(serve, "checked_timeline", fails_once)
        edit(root, "Xi watches")
        wait_for(lambda: status(port)["errors"])
        assert status(port)["errors"] == ["internal error (RuntimeError: boom\\n\\x1b[2J)"]
        assert log.getvalue().endswith(
            "Build failed: internal error (RuntimeError: boom\\n\\x1b[2J). Serving the last good site.\n")
        assert "Xi attends the parade" in fetch(port, "/events/parade.html")[1]

        edit(root, "Xi waves")
        wait_for(lambda: not status(port)["errors"])
        assert "Xi waves" in fetch(port, "/events/parade.html")[1]
    assert capsys.readouterr().err == ""


def test_inputs_that_cannot_be_scanned_are_reported_once_and_watching_goes_on(
        make_project, capsys):
    root = make_project()
    error = OSError(errno.ELOOP, "Too many levels of symbolic links", str(root / "content/loop"))
    with preview(root) as (port, state, log):
        real_scan = state.watched
        rounds = []

        def scan_fails_three_times(changed: set[str] | None = None) -> tuple:
            rounds.append(1)
            if len(rounds) <= 3:
                raise error
            return real_scan(changed)

        state.watched = scan_fails_three_times
        wait_for(lambda: len(rounds) > 3 and not status(port)["errors"])
        assert log.getvalue().count("\n") == 3  # built, failed once, rebuilt
        assert log.getvalue().splitlines()[1] == (
            f"Build failed: internal error (OSError: {error}). Serving the last good site.")

        edit(root, "Xi waves")
        wait_for(lambda: "Xi waves" in fetch(port, "/events/parade.html")[1])
    assert capsys.readouterr().err == ""


# 2. Every request path gets an answer.

def test_a_path_the_system_cannot_open_is_a_404(make_project, capsys):
    paths = ["/" + "a" * 8192, "/events/" + "a" * 300 + ".html", "/a%00b.css"]
    with preview(make_project()) as (port, state, _):
        answers = {path: fetch(port, path) for path in paths}
        not_found = (404, state.site.file("404.html").decode())
    assert answers == dict.fromkeys(paths, not_found)
    assert capsys.readouterr().err == ""


def test_a_request_line_over_64_kb_is_a_414(make_project, capsys):
    with preview(make_project()) as (port, _, _):
        answer = exchange(port, request("GET", "/" + "a" * 70000, None))
    assert split(answer)[0] == "HTTP/1.0 414 Request-URI Too Long"
    assert capsys.readouterr().err == ""


# 3. A client that goes away is not an error.

def handler_threads() -> int:
    return sum(1 for thread in threading.enumerate() if "process_request" in thread.name)


def test_clients_that_hang_up_at_once_print_nothing(make_project, capsys):
    with preview(make_project()) as (port, _, log):
        printed = log.getvalue()
        for _ in range(10):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
            sock.sendall(request("GET", "/events/parade.html", f"127.0.0.1:{port}"))
            sock.close()
            assert fetch(port, STATUS_PATH)[0] == 200  # answered: the hang-up was accepted before
        wait_for(lambda: handler_threads() == 0)  # and each connection's thread has ended
        assert log.getvalue() == printed
    assert capsys.readouterr().err == ""


# 4. HEAD answers what GET answers, without the body.

def test_head_sends_the_headers_of_get_without_the_body(make_project):
    paths = ["/events/parade.html", "/", STATUS_PATH, "/nowhere.html", "/static/style.css"]
    with preview(make_project()) as (port, _, _):
        answers = {path: head_and_get(port, path) for path in paths}
    for path, (head, (first, kind, length, body)) in answers.items():
        assert length == str(len(body)), path
        assert head == (first, kind, length, b""), path
    assert [get[0] for _, get in answers.values()] == [
        "HTTP/1.0 200 OK", "HTTP/1.0 200 OK", "HTTP/1.0 200 OK", "HTTP/1.0 404 Not Found",
        "HTTP/1.0 200 OK"]


def test_head_of_the_error_page_of_a_failed_first_build(make_project):
    root = make_project({"content/events/parade.yaml": "title: [broken\n"})
    with preview(root) as (port, _, _):
        head, (first, kind, length, body) = head_and_get(port, "/")
    assert first == "HTTP/1.0 500 Internal Server Error" and length == str(len(body))
    assert head == (first, kind, length, b"")


Answer = tuple[str, str, str, bytes]  # status line, Content-Type, Content-Length, body


def head_and_get(port: int, path: str) -> tuple[Answer, Answer]:
    answers = []
    for method in ("HEAD", "GET"):
        first, headers, body = split(exchange(port, request(method, path, f"127.0.0.1:{port}")))
        answers.append((first, headers["content-type"], headers["content-length"], body))
    return answers[0], answers[1]


# 5. Only requests addressed to 127.0.0.1 or localhost are answered.

def test_a_request_for_another_host_is_refused(make_project):
    hosts = [None, "", "evil.example:{port}", "127.0.0.1:{other}", "127.0.0.1", "localhost",
             "127.0.0.1:{port}.evil.example"]
    with preview(make_project()) as (port, _, _):
        refusal = FORBIDDEN.format(port=port).encode()
        for host in hosts:
            name = None if host is None else host.format(port=port, other=port + 1)
            for method, body in (("GET", refusal), ("HEAD", b"")):
                answer = split(exchange(port, request(method, "/events/parade.html", name)))
                assert answer == ("HTTP/1.0 403 Forbidden", answer[1], body), (method, name)
                assert answer[1]["content-type"] == "text/plain; charset=utf-8"
                assert answer[1]["content-length"] == str(len(refusal))


def test_requests_for_127_0_0_1_and_localhost_are_answered(make_project):
    with preview(make_project()) as (port, _, _):
        for host in ("127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}"):
            first, _, body = split(exchange(port, request("GET", STATUS_PATH, host.format(port=port))))
            assert (first, json.loads(body)["errors"]) == ("HTTP/1.0 200 OK", []), host


# 6. A silent client is disconnected.

def test_a_client_that_sends_nothing_is_disconnected(make_project):
    with preview(make_project(), timeout=0.2) as (port, _, _), \
            socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        assert sock.recv(1) == b""  # closed by the server, well before our own 5 s


# 7. Nothing but the cache is written, however serve ends.

@pytest.mark.parametrize("port", [-1, 65536, 99999])
def test_a_port_out_of_range_is_a_usage_error_before_any_folder_is_made(
        make_project, tmp_path, monkeypatch, port):
    root = make_project()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(UsageError) as caught:
        start(root, port)
    assert str(caught.value) == f"--port {port} must be between 0 and 65535"
    assert list(tmp_path.glob("paradetimeline-serve-*")) == []


def run_serve(root: Path, tmp: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, TMPDIR=str(tmp))
    return subprocess.Popen([sys.executable, "-m", "paradetimeline", "serve", "--root", str(root), *args],
                            cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def lines_of(stream) -> queue.Queue:
    """The lines of a pipe as they come, so that waiting for one can have a deadline."""
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_sigterm_stops_serve_cleanly_having_written_nothing_but_the_cache(make_project, tmp_path):
    root = make_project()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    process = run_serve(root, tmp, "--port", "0")
    try:
        lines = lines_of(process.stderr)
        printed = [lines.get(timeout=60), lines.get(timeout=60)]
        assert re.fullmatch(r"Rebuilt \d+ pages from 1 events\.\n", printed[0])
        serving = re.fullmatch(rf"Serving {re.escape(root.as_posix())} at http://127\.0\.0\.1:(\d+)/ "
                               r"\(Ctrl\+C to stop\)\n", printed[1])
        assert serving
        assert fetch(int(serving[1]), "/events/parade.html")[0] == 200
        assert list(tmp.iterdir()) == []

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        rest = []
        while (line := lines.get(timeout=5)) is not None:
            rest.append(line)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert rest == ["Stopped.\n"]
    assert list(tmp.iterdir()) == []
    assert not (root / "site").exists()
    assert list(buildrecord.folder(root).glob("build-*")) == []  # no output, so no record of one
    store = open_store(buildrecord.folder(root))
    assert store.rows(rebuild.STEP) == []
    assert store.rows("event")  # what a build can use stays
    store.close()


def test_serve_on_a_port_out_of_range_exits_2_and_leaves_no_temporary_site(make_project, tmp_path):
    root = make_project()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    process = run_serve(root, tmp, "--port", "99999")
    try:
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 2
    assert re.search(r"--port.*99999.*65535", err)  # said by argparse, or by serve.start
    assert "Traceback" not in err
    assert list(tmp.glob("paradetimeline-serve-*")) == []


# 8. The preview serves from memory what a build would write.

def test_every_file_served_is_the_file_a_build_writes(make_project, tmp_path):
    from paradetimeline import build_site

    root = make_project()
    out = tmp_path / "built"
    build_site(root, out)
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
             if p.is_file() and p.name != ".paradetimeline-output"}
    with preview(root) as (_, state, _):
        served = {name: state.site.file(name) for name in built}
    assert served == built


def test_a_new_event_file_is_served_and_the_pages_it_does_not_touch_are_kept(make_project):
    root = make_project()
    with preview(root) as (port, state, _):
        assert fetch(port, "/events/parade.html")[0] == 200
        assert fetch(port, "/places/red-square.html")[0] == 200
        parade = state.site.rendered["events/parade.html"]
        square = state.site.rendered["places/red-square.html"]
        (root / "content/events/later.yaml").write_text(
            "title: A later event\ndate: 2025-05-09\nstatus: planned\n" + CITED)
        wait_for(lambda: fetch(port, "/events/later.html")[0] == 200)
        assert "A later event" in fetch(port, "/events/later.html")[1]
        assert "A later event" in fetch(port, "/index.html")[1]
        assert "later.html" in fetch(port, "/events/parade.html")[1]  # its new neighbour
        assert state.site.rendered["events/parade.html"] != parade
        fetch(port, "/places/red-square.html")
        assert state.site.rendered["places/red-square.html"] is square  # not rendered again


def test_a_folder_asked_for_without_its_slash_is_redirected(make_project):
    with preview(make_project()) as (port, _, _):
        first, headers, _ = split(exchange(port, request("GET", "/tags", f"127.0.0.1:{port}")))
        assert first == "HTTP/1.0 301 Moved Permanently"
        assert headers["location"] == "/tags/"
        assert fetch(port, "/tags/")[0] == 200


def test_a_template_that_fails_on_a_page_is_shown_as_that_pages_error(make_project):
    import shutil

    from conftest import REPO

    root = make_project()
    (root / "templates").unlink()
    shutil.copytree(REPO / "templates", root / "templates")
    event = root / "templates/event.html"
    event.write_text(event.read_text().replace("{% block main %}", "{% block main %}{{ 1 / 0 }}", 1))
    with preview(root) as (port, _, _):
        code, body = fetch(port, "/events/parade.html")
        assert code == 500
        assert "templates/event.html" in body and "division by zero" in body
        assert fetch(port, "/about.html")[0] == 200


def test_an_unchanged_data_file_is_not_parsed_again_and_its_errors_stay(make_project, monkeypatch):
    """A round after an event edit reuses the parse of people.yaml, with what it reported."""
    import paradetimeline.check.loader as loader

    root = make_project()
    people = root / "content/people.yaml"
    people.write_text(people.read_text() + "  nmae: typo\n")
    parsed = []
    real = loader.read_yaml
    monkeypatch.setattr(loader, "read_yaml", lambda path, *a, **k: parsed.append(path.name)
                        or real(path, *a, **k))
    state = serve.Preview(root, log=io.StringIO())
    try:
        state.rebuild_if_changed()
        (error,) = state.errors
        assert error.startswith("content/people.yaml:5:3: error: ")
        edit(root, "Xi waves")
        parsed.clear()
        assert state.rebuild_if_changed()
        assert "people.yaml" not in parsed
        assert state.errors == [error]
        people.write_text(people.read_text().replace("  nmae: typo\n", ""))
        assert state.rebuild_if_changed()
        assert "people.yaml" in parsed
        assert state.errors == []
        assert b"Xi waves" in state.site.file("events/parade.html")
    finally:
        state.close()


def test_templates_are_compiled_once_and_again_when_they_change(make_project, monkeypatch):
    import shutil

    from conftest import REPO

    root = make_project()
    (root / "templates").unlink()
    shutil.copytree(REPO / "templates", root / "templates")
    compiled = []
    real = jinja2.Environment._compile
    monkeypatch.setattr(jinja2.Environment, "_compile",
                        lambda env, source, name: compiled.append(name) or real(env, source, name))
    with preview(root) as (port, _, _):
        assert fetch(port, "/events/parade.html")[0] == fetch(port, "/index.html")[0] == 200
        assert "templates/event.html" in "".join(compiled)
        compiled.clear()
        edit(root, "Xi waves")
        wait_for(lambda: "Xi waves" in fetch(port, "/events/parade.html")[1])
        assert fetch(port, "/index.html")[0] == 200
        assert compiled == []  # an event changed, not a template
        event = root / "templates/event.html"
        event.write_text(event.read_text().replace("{% block main %}", "{% block main %}<p>New line</p>", 1))
        wait_for(lambda: "<p>New line</p>" in fetch(port, "/events/parade.html")[1])
        assert len(compiled) == 1 and compiled[0].endswith("event.html")
