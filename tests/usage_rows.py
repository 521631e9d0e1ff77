"""Building usage rows for tests: accounts, numbers, calls, and reading lines back."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from tariff.engine import InvoiceRun

ROOT = Path(__file__).resolve().parent.parent
TARIFFS = ROOT / "tariffs"
EXAMPLES = ROOT / "examples"


def example_month_args(
    month: str = "2026-10", *, order_forms: bool = True, root: Path = EXAMPLES
) -> list[str]:
    """Command-line arguments for the example month's usage (and its order forms) under ``root``."""
    arguments = [
        "--month",
        month,
        "--accounts",
        str(root / "accounts.csv"),
        "--numbers",
        str(root / "numbers.csv"),
        "--calls",
        str(root / "calls.csv"),
    ]
    return [*arguments, "--order-forms", str(root / "order-forms")] if order_forms else arguments


ACCOUNT_HEADER = (
    "account_id",
    "name",
    "package",
    "version",
    "currency",
    "discount_percent",
    "timezone",
    "country",
    "tax_id",
    "address",
    "email",
    "purchase_order",
)
NUMBER_HEADER = ("number", "account_id", "kind", "assigned_from", "released_on")
CALL_HEADER = ("call_id", "number", "started_at", "duration_s", "destination", "band")


def edited_catalogue(destination: Path, edits: Mapping[str, Sequence[tuple[str, str]]]) -> Path:
    """A copy of the shipped catalogue with text replaced in named files.

    ``edits`` maps a file name to (old, new) replacements; each old text must be
    in the file, so that a test never passes because its edit missed.
    """
    shutil.copytree(TARIFFS, destination)
    for name, replacements in edits.items():
        path = destination / name
        text = path.read_text()
        for old, new in replacements:
            assert old in text, f"{old!r} is not in {name}"
            text = text.replace(old, new)
        path.write_text(text)
    return destination


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Mapping[str, object]]) -> Path:
    """Write rows (dicts; missing keys are empty cells) as a CSV file."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row.get(name) is None else row.get(name) for name in header])
    return path


def account(
    account_id: str | None = "ACC-1",
    package: str = "professional",
    currency: str = "GBP",
    **fields: object,
) -> dict[str, object]:
    """An accounts row."""
    return {"account_id": account_id, "package": package, "currency": currency, **fields}


def number(
    value: str | None = "+441632960001",
    account_id: str = "ACC-1",
    kind: str = "fixed",
    **fields: object,
) -> dict[str, object]:
    """A numbers row."""
    return {"number": value, "account_id": account_id, "kind": kind, **fields}


def calls(
    count: int,
    *,
    number: str = "+441632960001",
    duration_s: int = 60,
    destination: str = "+441632961000",
    started_at: str = "2026-10-05T10:00:00+01:00",
    prefix: str = "c",
    **fields: object,
) -> list[dict[str, object]]:
    """``count`` identical calls with distinct ids."""
    return [
        {
            "call_id": f"{prefix}{index}",
            "number": number,
            "started_at": started_at,
            "duration_s": duration_s,
            "destination": destination,
            **fields,
        }
        for index in range(count)
    ]


def lines_of(
    run: InvoiceRun, account_id: str = "ACC-1", kind: str | None = None
) -> list[dict[str, object]]:
    """The JSON lines of one account's invoice (without sources), optionally of one kind."""
    invoice = next(i for i in run.invoices if i.account_id == account_id)
    lines = [
        line.model_dump(mode="json", exclude_none=True, exclude={"source"})
        for line in invoice.lines
    ]
    return [line for line in lines if kind is None or line["kind"] == kind]


def generated_month_files(directory: Path, **sizes: int) -> Path:
    """bench/generate.py's month (recycled numbers, bad rows) as CSV files in ``directory``."""
    import importlib
    import sys

    sys.path.append(str(ROOT / "bench"))  # after the standard library: bench/profile.py
    try:
        generate = importlib.import_module("generate")
    finally:
        sys.path.remove(str(ROOT / "bench"))
    for name, frame in generate.generate(**sizes).items():
        frame.write_csv(directory / f"{name}.csv")
    return directory


def single_run_of(directory: Path, issued_on: dt.date):
    """A month's files, its catalogue (the example order forms for the example month),
    the run one machine makes of it, and the files' names as messages show them.
    """
    from tariff.dsl.catalogue import display_path
    from tariff.engine import load_catalogue, load_usage, rate_month

    files = [directory / f"{name}.csv" for name in ("accounts", "numbers", "calls")]
    forms = [EXAMPLES / "order-forms"] if directory == EXAMPLES else []
    plan = load_catalogue(TARIFFS, forms)
    single = rate_month(plan, "2026-10", load_usage(*files), issued_on=issued_on)
    accounts_name, numbers_name, calls_name = (display_path(path) for path in files)
    return files, plan, single, (accounts_name, numbers_name, calls_name)
