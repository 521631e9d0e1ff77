"""The plan: a checked catalogue compiled into plain data, and each account's terms.

``catalogue`` finds and loads the catalogue in use, ``compile`` turns its AST
into the :class:`RatingPlan` of ``model``, and ``terms`` resolves one account's
terms for a month (package version, sheet, order form, discounts).
"""

from __future__ import annotations

from tariff.engine.plan.model import RatingPlan

__all__ = ["RatingPlan"]
