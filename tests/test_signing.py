"""signing.py: the key that vouches for cached pickles is this user's own, and a damaged one
is made afresh, never trusted and never fatal."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from test_buildrecord import bounded_build
from test_output import snapshot

from paradetimeline import build_site
from paradetimeline.incremental import signing


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the key of a user of their own goes (none made yet)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "paradetimeline" / "key"


def test_a_new_key_is_readable_by_its_owner_only_and_kept(key):
    made = signing.secret()
    assert made is not None and len(made) == 32
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert signing.secret() == made
    assert [p.name for p in key.parent.iterdir()] == ["key"]  # no temporary file left


@pytest.mark.parametrize("damage", ["short", "long", "empty", "a folder", "a symlink"])
def test_a_damaged_key_is_replaced(key, tmp_path, damage):
    key.parent.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(bytes(32))  # a key's length, but not a key's place
    if damage == "a folder":
        key.mkdir()
        (key / "inside").write_text("x")
    elif damage == "a symlink":
        key.symlink_to(elsewhere)
    else:
        key.write_bytes({"short": b"cut", "long": bytes(64), "empty": b""}[damage])
    made = signing.secret()
    if damage == "a folder":  # not ours to delete: nothing is kept, and nothing fails
        assert made is None
        return
    assert made is not None and len(made) == 32 and made != bytes(32)
    assert not key.is_symlink() and key.read_bytes() == made
    assert elsewhere.read_bytes() == bytes(32)


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_key_that_is_not_a_regular_file_is_replaced_without_hanging(make_project, key, kind):
    root = make_project()
    key.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(key)
    else:
        key.symlink_to(kind)
    assert bounded_build(root) == 0
    assert stat.S_ISREG(key.lstat().st_mode) and len(key.read_bytes()) == 32
    before = snapshot(root / "site")
    (root / "site/index.html").unlink()
    build_site(root)  # with the new key
    assert snapshot(root / "site") == before


def test_the_code_digest_covers_every_stage(tmp_path, monkeypatch):
    """Results made by other code are not reused: a change in a stage's folder counts."""
    (tmp_path / "render").mkdir()
    (tmp_path / "api.py").write_text("a = 1\n")
    (tmp_path / "render/renderer.py").write_text("b = 1\n")
    monkeypatch.setattr(signing, "_CODE", tmp_path)
    monkeypatch.setattr(signing, "_CODE_DIGEST", [])
    before = signing.code_digest()
    (tmp_path / "render/renderer.py").write_text("b = 2\n")
    monkeypatch.setattr(signing, "_CODE_DIGEST", [])
    assert signing.code_digest() != before
