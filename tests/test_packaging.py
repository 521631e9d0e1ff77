"""The distribution: its name, its one version, and an sdist that carries its own tests."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

from usage_rows import ROOT

from tariff.dsl.about import DISTRIBUTION, version

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_has_one_source() -> None:
    assert PYPROJECT["project"]["name"] == DISTRIBUTION
    assert version() == PYPROJECT["project"]["version"]
    assert importlib.metadata.version(DISTRIBUTION) == version()


def test_the_licence_file_matches_the_declared_licence() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_core_leaves_pdf_ledger_and_portal_to_extras() -> None:
    core = " ".join(PYPROJECT["project"]["dependencies"]).lower()
    for heavy in ("weasyprint", "sqlalchemy", "starlette", "uvicorn", "argon2", "psycopg"):
        assert heavy not in core


def test_the_sdist_carries_what_its_tests_need(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from setuptools import build_meta; build_meta.build_sdist(sys.argv[1])",
            str(tmp_path),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (sdist,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in (
        "LICENSE",
        "tests/conftest.py",
        "tests/golden/T101-duplicate-definition.tariff",
        "tests/snapshots/invoice-ACC-001.html",
        "examples/calls.csv",
        "examples/order-forms/bright-dental.tariff",
        "bench/generate.py",
        "tariffs/carrier.tariff",
        "tariffs/tests/packages.test.toml",
        "grammar/tariff.lark",
        "docs/diagnostics.md",
        "engine/billing/templates/invoice.html.j2",
    ):
        assert needed in names, f"the sdist lacks {needed}"
