"""Fields of the records read from a usage table, as the validators see them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tariff.engine.usage.errors import UsageProblem
from tariff.engine.usage.tables import Table

# Reports a problem with a field of the row being read: (field, message).
Reporter = Callable[[str, str], None]


def records(table: Table) -> Iterable[dict[str, object]]:
    """The table's rows as records, each with its ``row`` number."""
    return table.frame.iter_rows(named=True)


def row_of(record: dict[str, object]) -> int:
    """The ``row`` field of a record read from a table."""
    row = record["row"]
    assert isinstance(row, int)
    return row


def text_of(value: object) -> str | None:
    """A field's text, trimmed; None when it is empty or missing."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def malformed_rows(table: Table) -> list[UsageProblem]:
    """A problem for each record of the table that could not be read into columns."""
    return [
        UsageProblem(table.file, bad.row, None, f"the row {bad.reason}") for bad in table.malformed
    ]
