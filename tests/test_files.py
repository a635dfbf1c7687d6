"""write/files.py: every output file, written; the project's content/static/ as it is."""

from __future__ import annotations

import io

from paradetimeline import build_site
from paradetimeline.serve import Preview


def test_content_static_files_are_published_as_they_are(make_project, tmp_path):
    png = bytes(range(256)) * 4
    root = make_project({"content/static/CNAME": "timeline.example.org\n",
                         "content/static/images/map.png": png})
    out = build_site(root, tmp_path / "site").out
    assert (out / "CNAME").read_text() == "timeline.example.org\n"
    assert (out / "images/map.png").read_bytes() == png
    preview = Preview(root, log=io.StringIO())
    try:
        preview.rebuild_if_changed()
        assert preview.answer("/images/map.png") == (200, "image/png", png)
    finally:
        preview.close()
