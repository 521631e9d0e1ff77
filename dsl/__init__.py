"""The tariff language: parsing, the typed AST, checking and diagnostics.

The front door for tools is :func:`load_checked`: paths in, a parsed catalogue
and every problem out, in source order.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from tariff.dsl.catalogue import Catalogue, CatalogueNotFound, read_catalogue
from tariff.dsl.check import check_catalogue
from tariff.dsl.diagnostics import Diagnostic, Severity, in_source_order

__all__ = [
    "Catalogue",
    "CatalogueNotFound",
    "Diagnostic",
    "Severity",
    "check_catalogue",
    "load_checked",
    "read_catalogue",
]


def load_checked(
    paths: Iterable[Path], accounts: Collection[str] | None = None
) -> tuple[Catalogue, list[Diagnostic]]:
    """Parse and check every tariff file under ``paths`` (against ``accounts``, if given).

    Raises CatalogueNotFound if a path does not exist or holds no tariff files;
    every other problem is a diagnostic.
    """
    catalogue, problems = read_catalogue(paths)
    return catalogue, in_source_order(problems + check_catalogue(catalogue, accounts))
