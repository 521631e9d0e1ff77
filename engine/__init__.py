"""The rating engine: a catalogue and a month of usage in, exact invoices out.

Embed it in three lines::

    from tariff.engine import load_catalogue, load_usage, rate_month

    plan = load_catalogue("tariffs")
    run = rate_month(plan, "2026-10", load_usage("accounts.csv", "numbers.csv", "calls.csv"))

``run.invoices`` are pydantic :class:`Invoice` models; ``run.to_json()`` is the
document ``tariff invoice --format json`` prints. docs/embedding.md has more.

The names below are loaded on first use, so that commands which never rate
(``tariff check``, ``tariff fmt``) do not pay for importing the columnar engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tariff.engine.api import rate_month
    from tariff.engine.invoice.models import Invoice, InvoiceLine, InvoiceRun, RunSummary
    from tariff.engine.plan.catalogue import CatalogueError, catalogue_in_use, load_catalogue
    from tariff.engine.plan.model import RatingPlan
    from tariff.engine.usage import Rejection, Usage, UsageError, UsageProblem, load_usage

_EXPORTS = {
    "CatalogueError": "tariff.engine.plan.catalogue",
    "catalogue_in_use": "tariff.engine.plan.catalogue",
    "load_catalogue": "tariff.engine.plan.catalogue",
    "rate_month": "tariff.engine.api",
    "Invoice": "tariff.engine.invoice.models",
    "InvoiceLine": "tariff.engine.invoice.models",
    "InvoiceRun": "tariff.engine.invoice.models",
    "Rejection": "tariff.engine.usage",
    "RunSummary": "tariff.engine.invoice.models",
    "RatingPlan": "tariff.engine.plan.model",
    "Usage": "tariff.engine.usage",
    "UsageError": "tariff.engine.usage",
    "UsageProblem": "tariff.engine.usage",
    "load_usage": "tariff.engine.usage",
}

__all__ = [
    "CatalogueError",
    "Invoice",
    "InvoiceLine",
    "InvoiceRun",
    "RatingPlan",
    "Rejection",
    "RunSummary",
    "Usage",
    "UsageError",
    "UsageProblem",
    "catalogue_in_use",
    "load_catalogue",
    "load_usage",
    "rate_month",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'tariff.engine' has no attribute {name!r}")
