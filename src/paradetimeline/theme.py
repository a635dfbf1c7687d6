"""The default theme: the templates and static files every project gets, which a project's
own templates/ overrides file by file (as MkDocs' `custom_dir` and Hugo's theme lookup do).

The repository's top-level templates/ is its source. An installed package carries a copy
as paradetimeline/default_theme/ (pyproject.toml maps it there); run from a checkout (an editable
install, or PYTHONPATH=src) there is none, and the source is used as it is.
"""

from __future__ import annotations

from pathlib import Path

TEMPLATE_INPUTS = ("templates/", "theme/")  # the fingerprint's names of template files
_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "default_theme"
_SOURCE = _PACKAGE.parent.parent / "templates"


def folder() -> Path:
    """The theme's folder."""
    return _INSTALLED if _INSTALLED.is_dir() else _SOURCE
