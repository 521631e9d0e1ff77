"""Which distribution this is, and its version: read once from the installed metadata."""

from __future__ import annotations

import importlib.metadata

# The import name and the command are `tariff`; PyPI's `tariff` is another project.
DISTRIBUTION = "tariff-lang"
# Where users learn about the tool (SARIF's informationUri): the distribution's page.
HOMEPAGE = "https://pypi.org/project/tariff-lang/"


def version() -> str:
    """The installed version (pyproject.toml is its one source)."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return "0+unknown"
