"""A corpus of malformed inputs, one folder per class of problem, each with its snapshot.

Each folder of ``tests/malformed/`` holds a calls file (CSV, JSON Lines or
Parquet) and, where the class needs them, its own accounts, numbers or order
forms (otherwise those of ``tests/malformed/month/``). The test runs
``tariff invoice --format json`` on it and compares the exit status, what was
said on standard error, the counts and every rejection with ``expected.txt``;
and it holds every run to "rated + other month + rejected = in". Regenerate a
snapshot after a deliberate change with ``TARIFF_UPDATE_GOLDEN=1`` and read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from usage_rows import ROOT, TARIFFS

from tariff.engine.cli import cli

CORPUS = ROOT / "tests" / "malformed"
MONTH = CORPUS / "month"
CASES = sorted(path for path in CORPUS.iterdir() if path.is_dir() and path != MONTH)


def _file(case: Path, stem: str) -> str:
    """The case's own file for ``stem`` (any format), else the shared month's (relative)."""
    for found in sorted(case.glob(f"{stem}.*")):
        return found.name
    return os.path.relpath(MONTH / f"{stem}.csv", case)


def snapshot(case: Path) -> str:
    arguments = ["invoice", "--month", "2026-10", "--format", "json", "--catalog", str(TARIFFS)]
    for stem in ("accounts", "numbers", "calls"):
        arguments += [f"--{stem}", _file(case, stem)]
    if (case / "forms.tariff").exists():
        arguments += ["--order-forms", "forms.tariff"]
    result = CliRunner().invoke(cli, arguments)
    # Every outcome is an exit status the user caused, never an exception.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    parts = [f"exit {result.exit_code}", "--- stderr", result.stderr.rstrip()]
    if result.stdout:
        document = json.loads(result.stdout)
        summary = document["summary"]
        assert (
            summary["calls_rated"] + summary["calls_other_period"] + summary["calls_rejected"]
            == summary["calls_in"]
        )
        parts += ["--- summary", json.dumps(summary), "--- rejected"]
        parts += [
            f"row {r['row']} field {r.get('field')}: {r['reason']}" for r in document["rejected"]
        ]
    return "\n".join(parts) + "\n"


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.name)
def test_each_malformed_input_has_its_exit_status_message_and_counts(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case)
    got = snapshot(case)
    expected = case / "expected.txt"
    if os.environ.get("TARIFF_UPDATE_GOLDEN"):
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")
    assert "internal error" not in got
