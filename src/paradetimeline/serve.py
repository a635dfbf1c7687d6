"""A local preview: check the project, serve it from memory on 127.0.0.1, check again on
change. Pages are rendered when asked for (incremental/resident.py), so a save shows in
the browser without the whole site being written.

The reload script is injected into HTML responses only, at serve time: it never reaches a
built site/. A broken edit keeps the last good site on screen and shows the errors both in
the terminal and in an overlay in the browser.

The preview shows drafts and unpublished edits, so it answers only requests addressed to
127.0.0.1 or localhost: a web page that rebinds its own name to 127.0.0.1 cannot read it.
"""

from __future__ import annotations

import contextlib
import gc
import http.server
import json
import mimetypes
import os
import signal
import socketserver
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any, TextIO, cast
from urllib.parse import quote, unquote

import watchfiles

from .api import build_options, checked_timeline, collector_paused
from .errors import ContentError, UsageError, summary
from .incremental import buildrecord
from .incremental.resident import LiveSite, ResidentCache
from .incremental.store import open_store
from .render.renderer import TemplateError

STATUS_PATH = "/__paradetimeline/status"
TIMEOUT = 10.0  # seconds a connection may stay silent before the server closes it
WATCH_STEP_MS = 20  # a save is looked at once no more changes come for this long
RELOAD_SCRIPT = b"""<script>
(function () {
  var seen = null;
  function show(errors) {
    var box = document.getElementById("__pt_errors");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "__pt_errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;" +
        "margin:0;padding:1em;background:#300;color:#fdd;font:14px/1.4 monospace;z-index:9999";
      document.body.appendChild(box);
    }
    box.textContent = "Build failed; showing the last good site.\\n\\n" + errors.join("\\n");
  }
  function poll() {
    fetch("/__paradetimeline/status", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (s) {
        if (seen !== null && s.version !== seen) { location.reload(); return; }
        seen = s.version; show(s.errors);
      }).catch(function () {}).finally(function () { setTimeout(poll, 700); });
  }
  poll();
})();
</script>
"""

Reply = tuple[int, str, bytes]  # status, content type, body


class Preview:
    """Keeps the checked project in memory, renders each file when a browser asks for it,
    and checks the project again when its inputs change. Nothing is written but the cache."""

    def __init__(self, root: Path, *, drafts: bool = False, log: TextIO = sys.stderr):
        self.root = root
        self.drafts = drafts
        self.log = log
        self.store = open_store(buildrecord.folder(root))
        self.cache = ResidentCache(self.store)
        self.site: LiveSite | None = None  # the last good one
        self.files: dict[str, list[Any]] = {}  # the fingerprint's facts of every input
        self.version = 0
        self.errors: list[str] = []
        self.fingerprint: str | None = None  # of the inputs at the last look
        self.untidy = False  # whether a rebuild left garbage for the collector
        self.lock = threading.Lock()  # one rebuild or one rendering at a time

    def watched(self, changed: set[str] | None = None) -> tuple[str, dict[str, list[Any]]]:
        """The build's fingerprint of the inputs, and its facts of each file (a file whose
        size and time did not change is not read again). Told which files `changed`, it
        looks at those alone, when it can (buildrecord.refreshed)."""
        options = {"base_url": None, "drafts": self.drafts}
        if changed and self.fingerprint is not None:
            found = buildrecord.refreshed(self.root, options, self.files, changed)
            if found is not None:
                return found
        return buildrecord.fingerprint(self.root, options, self.files)

    def rebuild_if_changed(self, changed: set[str] | None = None) -> bool:
        """One look at the inputs (at those the watcher says `changed`, if it says). Nothing
        it meets may stop the watcher: it reports and goes on.

        Python's cyclic collector would walk the whole model in the middle of a rebuild, so
        it waits, as in a build (api.collector_paused), for a look that finds nothing new."""
        with collector_paused():
            try:
                fingerprint, files = self.watched(changed)
            except Exception as exc:
                self.fingerprint = None  # rebuild as soon as the inputs can be read again
                if self.errors != [_internal(exc)]:  # say it once, not every round
                    self.fail(exc)
                return False
            if fingerprint != self.fingerprint:
                self.fingerprint = fingerprint
                self.rebuild(files)
                self.untidy = True
                return True
        if self.untidy:
            self.untidy = False
            gc.collect()
        return False

    def rebuild(self, files: dict[str, list[Any]]) -> None:
        with self.lock:
            try:
                self.site = self.checked(files)
            except ContentError as exc:
                self.errors = [d.format() for d in exc.diagnostics]
                print("\n".join(self.errors), file=self.log)
                print(summary(exc.diagnostics, failed=True) + " Serving the last good site.",
                      file=self.log)
            except Exception as exc:
                self.fail(exc)
                return
            else:
                self.errors = []
                print(f"Rebuilt {len(self.site.pages)} pages from "
                      f"{len(self.site.view.timeline.events)} events.", file=self.log)
            finally:
                self.files = files
                self.store.save()
            self.version += 1

    def checked(self, files: dict[str, list[Any]]) -> LiveSite:
        """The project read and checked again (only what changed is parsed or decoded)."""
        self.cache.next_round()
        timeline, _, mentions = checked_timeline(self.root, self.cache, 1, files, None,
                                                 self.drafts, False)
        return LiveSite(timeline, mentions, self.root / "templates", files,
                        build_options(None, self.drafts), self.cache, self.site)

    def fail(self, exc: Exception) -> None:
        """Show an unexpected error like a content error: one line, and the last good site."""
        self.errors = [_internal(exc)]
        print(f"Build failed: {self.errors[0]}. Serving the last good site.", file=self.log)
        self.version += 1

    def status(self) -> bytes:
        return json.dumps({"version": self.version, "errors": self.errors}).encode()

    def answer(self, path: str) -> Reply:
        """The reply to a GET of `path` (the request's, query and all)."""
        name = _site_path(path)
        with self.lock, collector_paused():
            site = self.site
            if site is None:
                if self.errors:
                    return 500, "text/html; charset=utf-8", _error_page(self.errors)
                return 404, "text/plain; charset=utf-8", b"Not found\n"
            try:
                if name is None:
                    return self.not_found(site)
                data = site.file(name)
                if data is None:
                    if f"{name}/index.html" in site:
                        return 301, "/" + quote(name) + "/", b""
                    return self.not_found(site)
            except TemplateError as exc:
                return 500, "text/html; charset=utf-8", _error_page([exc.diagnostic.format()])
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind == "text/html":
            return 200, "text/html; charset=utf-8", data.replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1)
        return 200, kind, data

    def not_found(self, site: LiveSite) -> Reply:
        page = site.file("404.html")
        if page is not None:
            return 404, "text/html; charset=utf-8", page
        return 404, "text/plain; charset=utf-8", b"Not found\n"

    def close(self) -> None:
        """Keep what this session parsed and rendered, for the next build to use."""
        with self.lock:
            self.store.save()
            self.store.close()


def _site_path(request_path: str) -> str | None:
    """'events/x.html' for '/events/x.html?q'; 'tags/index.html' for '/tags/'; None for a
    path no output file can have."""
    name = unquote(request_path.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
    if name == "" or name.endswith("/"):
        name += "index.html"
    if "\0" in name or "\\" in name or any(part in ("", ".", "..") for part in name.split("/")):
        return None
    return name


def _internal(exc: BaseException) -> str:
    """'internal error (RuntimeError: boom)' on one line, whatever the message holds."""
    return f"internal error ({_described(exc)})"


def _described(exc: BaseException) -> str:
    """'RuntimeError: boom', on one line."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _error_page(errors: list[str]) -> bytes:
    from html import escape

    items = escape("\n".join(errors))
    return (b"<!doctype html><html lang=en><meta charset=utf-8><title>Build failed</title>"
            b"<body><h1>Build failed</h1><p>Fix these problems; the page reloads by itself.</p>"
            b"<pre>" + items.encode() + b"</pre>" + RELOAD_SCRIPT + b"</body></html>")


def make_handler(preview: Preview, *,
                 timeout: float = TIMEOUT) -> Callable[..., http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._send(*self.reply())

        def do_HEAD(self) -> None:
            self._send(*self.reply())

        def reply(self) -> Reply:
            port = cast(tuple[str, int], self.server.server_address)[1]
            if self.headers.get("Host", "").lower() not in (f"127.0.0.1:{port}", f"localhost:{port}"):
                text = f"This preview answers only http://127.0.0.1:{port}/ and http://localhost:{port}/\n"
                return 403, "text/plain; charset=utf-8", text.encode()
            if self.path.split("?")[0] == STATUS_PATH:
                return 200, "application/json", preview.status()
            return preview.answer(self.path)

        def _send(self, code: int, kind: str, body: bytes) -> None:
            """Send an answer; to HEAD, the same status and headers without the body. For a
            301, `kind` is where to."""
            self.send_response(code)
            if code == 301:
                self.send_header("Location", kind)
            else:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    Handler.timeout = timeout  # a client that connects and says nothing cannot hold a thread
    return Handler


class Server(http.server.ThreadingHTTPServer):
    """The preview's server: a browser that goes away mid-answer is not worth a traceback."""

    def __init__(self, port: int, handler: Callable[..., http.server.BaseHTTPRequestHandler],
                 log: TextIO):
        self.log = log
        super().__init__(("127.0.0.1", port), handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the address: it can stall the start."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if error is None or isinstance(error, (ConnectionError, TimeoutError)):
            return
        print(f"paradetimeline: {_internal(error)} while answering a request", file=self.log)


def start(root: Path, port: int = 8000, *, drafts: bool = False, log: TextIO = sys.stderr,
          interval: float = 1.0, timeout: float = TIMEOUT,
          ) -> tuple[http.server.ThreadingHTTPServer, Preview, threading.Event]:
    """Build once, then serve and watch in background threads. Returns what stops them."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} must be between 0 and 65535")
    preview = Preview(root, drafts=drafts, log=log)
    try:
        server = _listen(port, make_handler(preview, timeout=timeout), log)
        preview.rebuild_if_changed()
    except BaseException:  # Ctrl+C during the first build too: the cache is left tidy
        preview.close()
        raise
    stop = threading.Event()
    threading.Thread(target=watch, args=(preview, stop, interval), daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, preview, stop


def watch(preview: Preview, stop: threading.Event, interval: float) -> None:
    """Look at the files the system reports changed below seeds/, content/ or templates/
    (watchfiles: inotify, FSEvents or the like) as soon as it does, and at every input
    every `interval` seconds anyway, for what it cannot report (a folder made later, the
    package's code). Stops when `stop` is set."""
    folders = [os.path.abspath(preview.root / name) for name in buildrecord.INPUT_FOLDERS
               if (preview.root / name).is_dir()]
    try:
        for changes in watchfiles.watch(*folders, watch_filter=None, step=WATCH_STEP_MS,
                                        stop_event=stop, rust_timeout=max(1, int(interval * 1000)),
                                        yield_on_timeout=True, raise_interrupt=False):
            preview.rebuild_if_changed({path for _, path in changes})
    except Exception as exc:  # no notifications to be had: looking every interval must do
        print(f"paradetimeline: cannot watch for changes ({_described(exc)}); looking "
              f"every {interval:g} s instead", file=preview.log)
        while not stop.wait(interval):
            preview.rebuild_if_changed()


def _listen(port: int, handler: Callable[..., http.server.BaseHTTPRequestHandler],
            log: TextIO) -> Server:
    """Bind before the first build, so a busy port is reported at once."""
    try:
        return Server(port, handler, log)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; "
                         "try another --port") from exc


def serve(root: Path, port: int, *, drafts: bool = False) -> int:
    with _stop_on_sigterm():
        server, preview, stop = start(root, port, drafts=drafts)
        try:
            host, bound = str(server.server_address[0]), int(server.server_address[1])
            print(f"Serving {root.as_posix()} at http://{host}:{bound}/ (Ctrl+C to stop)",
                  file=sys.stderr)
            stop.wait()
        except KeyboardInterrupt:
            print("Stopped.", file=sys.stderr)
        finally:
            stop.set()
            server.shutdown()
            server.server_close()
            preview.close()
    return 0


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """Treat SIGTERM like Ctrl+C, so the temporary site is removed however serve is stopped."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
