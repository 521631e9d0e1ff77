"""Building usage rows for tests: accounts, numbers, calls, and reading lines back."""

from __future__ import annotations

import csv
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
