"""Provenance: where each invoice line's price was set, for documents and ``tariff explain``."""

from __future__ import annotations

from collections.abc import Mapping

from tariff.engine.invoice.models import LineSource
from tariff.engine.plan.terms import Origin


def line_source(origin: Origin, names: Mapping[str, str]) -> LineSource | None:
    """Where a term came from, as an invoice line's ``source``."""
    record = source_record(origin, names)
    return LineSource.model_validate(record) if record is not None else None


def source_record(origin: Origin, names: Mapping[str, str]) -> dict[str, object] | None:
    """Where a term came from, as a plain record with LineSource's fields.

    A tariff file is recorded by its name in ``names`` (relative to the
    catalogue), never by where it happens to be installed.
    """
    if origin.span is not None:
        span = origin.span
        return {
            "file": names.get(span.file, span.file),
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
