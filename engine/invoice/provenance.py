"""Provenance: where each invoice line's price was set, for documents and ``tariff explain``."""

from __future__ import annotations

from tariff.engine.invoice.models import LineSource
from tariff.engine.plan.terms import Origin


def line_source(origin: Origin) -> LineSource | None:
    """Where a term came from, as an invoice line's ``source``."""
    record = source_record(origin)
    return LineSource.model_validate(record) if record is not None else None


def source_record(origin: Origin) -> dict[str, object] | None:
    """Where a term came from, as a plain record with LineSource's fields."""
    if origin.span is not None:
        span = origin.span
        return {
            "file": span.file,
            "line": span.line,
            "column": span.column,
            "end_line": span.end_line,
            "end_column": span.end_column,
            "origin": origin.source,
        }
    if origin.file is not None:
        return {
            "file": origin.file,
            "row": origin.row,
            "field": origin.field,
            "origin": origin.source,
        }
    return None
