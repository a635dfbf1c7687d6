"""theme.py: every project gets the default theme; its own templates/ overrides it file by
file; a template that neither has fails `check` as it would fail the build; and the
installed package carries the theme."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, build_wheel

from paradetimeline import ContentError, build_site, check_project, theme

PACKAGE = REPO / "src" / "paradetimeline"


def without_templates(root: Path) -> Path:
    if (root / "templates").is_symlink():  # make_project links the repository's
        (root / "templates").unlink()
    return root


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
            and p.name != ".paradetimeline-output"}


def test_running_from_the_checkout_the_theme_is_its_templates_folder():
    assert theme.folder() == REPO / "templates"


def test_a_project_without_templates_builds_with_the_theme_as_with_a_copy(make_project, tmp_path):
    root = make_project()
    with_copy = build_site(root, tmp_path / "with-copy").out
    without_templates(root)
    assert check_project(root) == ()
    without = build_site(root, tmp_path / "without").out
    assert files(without) == files(with_copy)
    assert {"index.html", "static/style.css", "static/filter.js"} <= files(without).keys()


def test_a_project_template_or_static_file_overrides_the_theme_s_alone(make_project, tmp_path):
    root = without_templates(make_project({
        "templates/tag.html": "{% extends 'base.html' %}{% block main %}<p>Own tag page</p>"
                              "{% endblock %}\n",
        "templates/static/style.css": "body { color: black }\n",
        "templates/static/own.js": "// own\n",
    }))
    out = build_site(root, tmp_path / "site").out
    assert "<p>Own tag page</p>" in (out / "tags/parade.html").read_text()
    assert (out / "static/style.css").read_text() == "body { color: black }\n"
    assert (out / "static/own.js").read_text() == "// own\n"
    assert (out / "static/filter.js").read_bytes() == (REPO / "templates/static/filter.js").read_bytes()
    assert "<p>Own tag page</p>" not in (out / "index.html").read_text()


def test_a_template_neither_folder_has_fails_check_where_it_is_named(make_project, tmp_path):
    root = without_templates(make_project({
        "templates/tag.html": "{% extends 'base.html' %}\n{% block main %}\n"
                              "{% include 'sidebar.html' %}\n{% endblock %}\n",
    }))
    message = ("templates/tag.html:3:1: error: template 'sidebar.html' not found (neither in "
               "templates/ nor in the default theme)\n    hint: add it to templates/, or correct the name")
    with pytest.raises(ContentError) as checked:
        check_project(root)
    assert [d.format() for d in checked.value.diagnostics] == [message]
    with pytest.raises(ContentError) as built:
        build_site(root, tmp_path / "site")
    assert [d.format() for d in built.value.diagnostics] == [message]
    assert not (tmp_path / "site").exists()


def test_a_syntax_error_in_a_template_fails_check_too(make_project):
    root = without_templates(make_project({"templates/about.html": "{% if %}\n"}))
    with pytest.raises(ContentError) as checked:
        check_project(root)
    (found,) = checked.value.diagnostics
    assert str(found.location) == "templates/about.html:1:1"
    assert found.message.startswith("template syntax: ")


def test_pyproject_names_every_package_and_maps_the_theme():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {".".join(("paradetimeline", *p.relative_to(PACKAGE).parts)).removesuffix(".")
             for p in [PACKAGE, *PACKAGE.rglob("*")] if (p / "__init__.py").exists()}
    found = {name.rstrip(".") for name in found}
    assert set(config["packages"]) == found | {"paradetimeline.default_theme",
                                               "paradetimeline.default_theme.static"}
    assert config["package-dir"]["paradetimeline.default_theme"] == "templates"


def test_the_installed_package_builds_a_project_without_templates(make_project, tmp_path):
    """The wheel carries the theme: installed (here into a folder of its own, ahead of the
    checkout on the path), the tool builds a project that has no templates/ at all."""
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"paradetimeline/default_theme/{p.relative_to(REPO / 'templates').as_posix()}"
               for p in (REPO / "templates").rglob("*") if p.is_file()}
    assert shipped <= names
    installed = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(installed), str(wheel)], check=True)
    root = without_templates(make_project())
    environment = {**os.environ, "PYTHONPATH": str(installed),
                   "PARADETIMELINE_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "paradetimeline", "build", "--root", str(root),
                           "--out", str(tmp_path / "site")], capture_output=True, text=True,
                          env=environment, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Victory Day" in (tmp_path / "site" / "index.html").read_text()
    assert (tmp_path / "site/static/style.css").read_bytes() == (
        REPO / "templates/static/style.css").read_bytes()


def test_the_templates_are_checked_again_only_once_they_change(make_project, tmp_path,
                                                                monkeypatch):
    import paradetimeline.render.renderer as renderer

    checked = []
    real = renderer.template_errors
    monkeypatch.setattr(renderer, "template_errors", lambda t: checked.append(t) or real(t))
    root = without_templates(make_project({"templates/about.html": "{% extends 'base.html' %}\n"}))
    build_site(root, tmp_path / "site")
    event = next((root / "content/events").rglob("*.yaml"))
    event.write_text(event.read_text().replace("title: ", "title: Edited ", 1))
    build_site(root, tmp_path / "site")
    assert len(checked) == 1
    (root / "templates/about.html").write_text("{% extends 'base.html' %}\n{% include 'gone.html' %}\n")
    with pytest.raises(ContentError) as error:
        build_site(root, tmp_path / "site")
    assert len(checked) == 2
    assert [d.message for d in error.value.diagnostics] == [renderer.not_found("gone.html")]
