"""Fixtures: the reference catalogue, and a month of usage written from rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from system import require_pdf_engine
from usage_rows import ACCOUNT_HEADER, CALL_HEADER, NUMBER_HEADER, TARIFFS, write_csv

from tariff.engine import InvoiceRun, RatingPlan, load_catalogue, load_usage, rate_month

pytest_plugins = ["conftest_databases"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name every skipped test and why, so that a partial run is never mistaken for a whole one."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.section(f"{len(skipped)} skipped")
    for report in skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        terminalreporter.line(f"{report.nodeid}: {reason.removeprefix('Skipped: ')}")


@pytest.fixture
def pdf_engine() -> None:
    """WeasyPrint and its libraries, for the tests that make PDFs."""
    require_pdf_engine()


@dataclass
class MonthFiles:
    """Paths of a month of usage written for a test."""

    accounts: Path
    numbers: Path
    calls: Path

    def arguments(self, month: str = "2026-10") -> list[str]:
        """The command line's --month, --accounts, --numbers and --calls for these files."""
        return [
            "--month",
            month,
            "--accounts",
            str(self.accounts),
            "--numbers",
            str(self.numbers),
            "--calls",
            str(self.calls),
        ]


@pytest.fixture(scope="session")
def reference_plan() -> RatingPlan:
    """The shipped reference catalogue, compiled."""
    return load_catalogue(TARIFFS)


@pytest.fixture
def month_files(tmp_path: Path) -> Callable[..., MonthFiles]:
    """Write accounts, numbers and calls rows as CSV files in a temporary directory."""

    def write(
        accounts: Iterable[Mapping[str, object]],
        numbers: Iterable[Mapping[str, object]],
        calls: Iterable[Mapping[str, object]],
    ) -> MonthFiles:
        return MonthFiles(
            write_csv(tmp_path / "accounts.csv", ACCOUNT_HEADER, accounts),
            write_csv(tmp_path / "numbers.csv", NUMBER_HEADER, numbers),
            write_csv(tmp_path / "calls.csv", CALL_HEADER, calls),
        )

    return write


@pytest.fixture
def rate(
    month_files: Callable[..., MonthFiles], reference_plan: RatingPlan, tmp_path: Path
) -> Callable[..., InvoiceRun]:
    """Rate rows for a month with the reference catalogue (plus optional order forms)."""

    def run(
        accounts: Iterable[Mapping[str, object]],
        numbers: Iterable[Mapping[str, object]] = (),
        calls: Iterable[Mapping[str, object]] = (),
        *,
        month: str = "2026-10",
        order_forms: str | None = None,
        catalogue: Path | None = None,
    ) -> InvoiceRun:
        files = month_files(accounts, numbers, calls)
        plan = reference_plan
        if order_forms is not None or catalogue is not None:
            extra = []
            if order_forms is not None:
                form = tmp_path / "order-forms.tariff"
                form.write_text(order_forms, encoding="utf-8")
                extra.append(form)
            plan = load_catalogue(catalogue or TARIFFS, extra)
        return rate_month(plan, month, load_usage(files.accounts, files.numbers, files.calls))

    return run
