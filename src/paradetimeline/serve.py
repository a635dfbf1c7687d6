"""A local preview: build into a temporary folder, serve it on 127.0.0.1, rebuild on change.

The reload script is injected into HTML responses only, at serve time: it never reaches a
built site/. A broken edit keeps the last good site on screen and shows the errors both in
the terminal and in an overlay in the browser.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from .build import build_site
from .errors import ContentError, UsageError, summary

STATUS_PATH = "/__paradetimeline/status"
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


class Preview:
    """Builds the project into a temporary folder and rebuilds it when inputs change."""

    def __init__(self, root: Path, *, drafts: bool = False, log: TextIO = sys.stderr):
        self.root = root
        self.drafts = drafts
        self.log = log
        self.folder = Path(tempfile.mkdtemp(prefix="paradetimeline-serve-"))
        self.out = self.folder / "site"
        self.version = 0
        self.errors: list[str] = []
        self.fingerprint: tuple = ()
        self.lock = threading.Lock()

    def watched(self) -> tuple:
        """Path, size and mtime of every input: a cheap signature of the project's state."""
        found = []
        for name in ("seeds", "content", "templates"):
            folder = self.root / name
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        stat = path.stat()
                        found.append((path.as_posix(), stat.st_size, stat.st_mtime_ns))
        return tuple(found)

    def rebuild_if_changed(self) -> bool:
        fingerprint = self.watched()
        if fingerprint == self.fingerprint:
            return False
        self.fingerprint = fingerprint
        self.rebuild()
        return True

    def rebuild(self) -> None:
        with self.lock:
            try:
                result = build_site(self.root, self.out, drafts=self.drafts, jobs=1)  # no fork in threads
            except ContentError as exc:
                self.errors = [d.format() for d in exc.diagnostics]
                print("\n".join(self.errors), file=self.log)
                print(summary(exc.diagnostics, failed=True) + " Serving the last good site.",
                      file=self.log)
            else:
                self.errors = []
                print(f"Rebuilt {result.pages} pages from {result.events} events.", file=self.log)
            self.version += 1

    def status(self) -> bytes:
        return json.dumps({"version": self.version, "errors": self.errors}).encode()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _error_page(errors: list[str]) -> bytes:
    from html import escape

    items = escape("\n".join(errors))
    return (b"<!doctype html><html lang=en><meta charset=utf-8><title>Build failed</title>"
            b"<body><h1>Build failed</h1><p>Fix these problems; the page reloads by itself.</p>"
            b"<pre>" + items.encode() + b"</pre>" + RELOAD_SCRIPT + b"</body></html>")


def make_handler(preview: Preview) -> Callable[..., http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] == STATUS_PATH:
                self._send(200, "application/json", preview.status())
                return
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix == ".html" and path.is_file():
                body = path.read_bytes().replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1)
                self._send(200, "text/html; charset=utf-8", body)
                return
            if not path.exists() and preview.errors and not (preview.out / "index.html").exists():
                self._send(500, "text/html; charset=utf-8", _error_page(preview.errors))
                return
            if not path.exists() and (preview.out / "404.html").is_file():
                self._send(404, "text/html; charset=utf-8", (preview.out / "404.html").read_bytes())
                return
            super().do_GET()

        def _send(self, code: int, kind: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return functools.partial(Handler, directory=str(preview.out))


def start(root: Path, port: int = 8000, *, drafts: bool = False, log: TextIO = sys.stderr,
          interval: float = 0.5) -> tuple[http.server.ThreadingHTTPServer, Preview, threading.Event]:
    """Build once, then serve and watch in background threads. Returns what stops them."""
    preview = Preview(root, drafts=drafts, log=log)
    preview.rebuild_if_changed()
    preview.out.mkdir(exist_ok=True)  # a failed first build still serves its error page
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(preview))
    except OSError as exc:
        preview.close()
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; "
                         "try another --port") from exc
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(interval):
            preview.rebuild_if_changed()

    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=watch, daemon=True).start()
    return server, preview, stop


def serve(root: Path, port: int, *, drafts: bool = False) -> int:
    server, preview, stop = start(root, port, drafts=drafts)
    host, bound = server.server_address[:2]
    print(f"Serving {root.as_posix()} at http://{host}:{bound}/ (Ctrl+C to stop)", file=sys.stderr)
    try:
        stop.wait()
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        preview.close()
    return 0
