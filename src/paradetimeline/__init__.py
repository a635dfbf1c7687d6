"""paradetimeline: news articles and curated YAML in, a sourced static timeline site out."""

from .build import BuildResult, build_site, check_project
from .errors import ContentError, Diagnostic, Location, UsageError
from .loader import load_timeline

__version__ = "0.1.0"

__all__ = ["BuildResult", "ContentError", "Diagnostic", "Location", "UsageError", "__version__",
           "build_site", "check_project", "load_timeline"]
