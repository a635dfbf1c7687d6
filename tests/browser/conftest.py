"""Fixtures for the browser tests: the system Chromium, the built site served over http,
and the paths of the npm tools (axe-core, vnu-jar, linkinator).

A missing tool skips on a laptop; in CI (CI=true) it fails, so that a broken install step
can never pass unseen.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from paradetimeline import build_site

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # resolve nothing but loopback: any external resource fails at once
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(what: str) -> None:
    """Skip on a laptop, fail in CI."""
    if in_ci():
        pytest.fail(f"{what} (CI=true: browser tests must run, not skip)", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use Debian's Chromium; never `playwright install`."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        missing(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """The repository's own site, built once into a temporary folder.

    SITE_DIR=path tests an already built site instead (for example the committed site/)."""
    if os.environ.get("SITE_DIR"):
        given = Path(os.environ["SITE_DIR"]).resolve()
        if not (given / "index.html").is_file():
            pytest.fail(f"SITE_DIR={given} has no index.html", pytrace=False)
        return given
    out = tmp_path_factory.mktemp("site")
    build_site(REPO, out)
    return out


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 with a free port; yields its URL."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(site_dir):
    """Serve the built site on 127.0.0.1 with a free port, for the whole session."""
    with serving(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def axe_js() -> str:
    path = Path(os.environ.get("AXE_JS", NODE_MODULES / "axe-core" / "axe.min.js"))
    if not path.exists():
        missing(f"axe-core not found at {path} (npm ci)")
    return str(path)


@pytest.fixture(scope="session")
def vnu_jar() -> Path:
    jar = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not shutil.which("java"):
        missing("java not installed (the Nu HTML checker needs Java 11+)")
    if not jar.exists():
        missing(f"vnu-jar not found at {jar} (npm ci)")
    return jar


@pytest.fixture(scope="session")
def linkinator() -> list[str]:
    if not shutil.which("npx") or not (NODE_MODULES / "linkinator").exists():
        missing("linkinator not installed (npm ci)")
    return ["npx", "--no-install", "linkinator"]


@pytest.fixture(scope="session")
def shot_dir() -> Path:
    d = Path(os.environ.get("SCREENSHOT_DIR", SCREENSHOTS))
    d.mkdir(parents=True, exist_ok=True)
    return d
