"""render/parts.py: the HTML many pages share, rendered once and held within bounds."""

from __future__ import annotations

from conftest import REPO

import paradetimeline.render.parts as parts
from paradetimeline.check.loader import load_timeline
from paradetimeline.write.files import render_site


def test_parts_let_go_past_their_bound_render_the_same_site(monkeypatch):
    timeline, _ = load_timeline(REPO)
    as_held = render_site(timeline, REPO / "templates")
    sizes: list[int] = []
    let_go = parts.Parts._let_go

    def counted(self: parts.Parts) -> None:
        let_go(self)
        sizes.append(self.held_size)

    monkeypatch.setattr(parts, "HELD_IN_ALL", 8_000)
    monkeypatch.setattr(parts.Parts, "_let_go", counted)
    assert render_site(timeline, REPO / "templates") == as_held
    assert len(sizes) >= 2 and max(sizes) <= 4_000
