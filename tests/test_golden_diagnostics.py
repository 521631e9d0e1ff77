"""One golden case per diagnostic code: a tariff file and exactly what `tariff check` says of it.

Regenerate an expectation after a deliberate change of wording with
``TARIFF_UPDATE_GOLDEN=1 pytest tests/test_golden_diagnostics.py``, and read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from usage_rows import ROOT

from tariff.dsl import load_checked
from tariff.dsl.check import RULES
from tariff.dsl.codes import CODES
from tariff.dsl.diagnostics import render_text

GOLDEN = ROOT / "tests" / "golden"
CASES = sorted(GOLDEN.glob("*.tariff"))


def _code(case: Path) -> str:
    return case.name.split("-", 1)[0]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_each_golden_case_reports_exactly_what_is_expected(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    shown = case.relative_to(ROOT)
    # A case may come with the accounts file it is checked against.
    accounts_file = case.with_name(f"{_code(case)}-accounts.csv")
    accounts = None
    if accounts_file.exists():
        rows = accounts_file.read_text(encoding="utf-8").splitlines()[1:]
        accounts = {row.split(",")[0] for row in rows}
    catalogue, diagnostics = load_checked([shown], accounts)
    assert _code(case) in {d.code for d in diagnostics}
    rendered = render_text(diagnostics, catalogue.sources)
    expected = case.with_suffix(".expected")
    if os.environ.get("TARIFF_UPDATE_GOLDEN"):
        expected.write_text(rendered, encoding="utf-8")
    assert rendered == expected.read_text(encoding="utf-8")


def test_every_code_has_a_golden_case_and_every_rule_a_code() -> None:
    assert sorted(CODES) == sorted(_code(case) for case in CASES)
    ruled = [rule.code.code for rule in RULES]
    assert len(ruled) == len(set(ruled)), "a code belongs to one rule"
    assert set(ruled) == set(CODES) - {"T001", "T002"}, "T001 and T002 are the parser's"
