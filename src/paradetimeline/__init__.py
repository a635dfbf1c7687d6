"""paradetimeline: news articles and curated YAML in, a sourced static timeline site out."""

from .api import BuildResult, build_site, check_project
from .errors import ContentError, Diagnostic, Location, UsageError

__version__ = "0.1.0"

__all__ = ["BuildResult", "ContentError", "Diagnostic", "Location", "UsageError", "__version__",
           "build_site", "check_project", "load_timeline"]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    """`load_timeline` on first use: importing the package stays cheap (see api.py)."""
    if name == "load_timeline":
        from .check.loader import load_timeline

        return load_timeline
    raise AttributeError(f"module 'paradetimeline' has no attribute {name!r}")
