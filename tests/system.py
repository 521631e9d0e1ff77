"""System programs that some tests need, and what happens where one is missing.

On a machine with only Python, a test that needs Chromium, PostgreSQL or the
libraries WeasyPrint draws with is skipped, with the reason printed by name at
the end of the run. Under ``CI=true`` the same test fails instead: CI installs
everything (``.ci/run``) and must run every test.
"""

from __future__ import annotations

import glob
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def require(available: bool, what: str, install: str) -> None:
    """Skip the test (fail it under CI=true) unless ``available``."""
    if available:
        return
    reason = f"{what} is not installed ({install})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires every test to run")
    pytest.skip(reason)


def require_chromium() -> str:
    """The path of Debian's Chromium."""
    require(os.path.exists(CHROMIUM), "Chromium", "Debian: apt-get install chromium")
    return CHROMIUM


def require_initdb() -> str:
    """The path of PostgreSQL's initdb."""
    found = shutil.which("initdb") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None
    )
    require(found is not None, "PostgreSQL's initdb", "Debian: apt-get install postgresql")
    assert found is not None
    return found


def require_pdf_engine() -> None:
    """WeasyPrint, and the Pango libraries it draws text with."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        require(
            False,
            "WeasyPrint or Pango",
            "pip install '.[pdf]'; Debian: apt-get install libpango-1.0-0",
        )
