"""The tariff language: parsing, the typed AST, checking and diagnostics.

The front door for tools is :func:`load_checked`: paths in, a parsed catalogue
and every problem out, in source order.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from tariff.dsl.catalogue import Catalogue, CatalogueNotFound, read_catalogue
from tariff.dsl.check import check_catalogue
from tariff.dsl.codes import UNKNOWN_REFERENCE
from tariff.dsl.diagnostics import Diagnostic, Severity, in_source_order

__all__ = [
    "Catalogue",
    "CatalogueNotFound",
    "Diagnostic",
    "Severity",
    "check_catalogue",
    "defined_elsewhere",
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


def defined_elsewhere(
    catalogue: Catalogue,
    diagnostics: Sequence[Diagnostic],
    context: Iterable[Path],
    accounts: Collection[str] | None = None,
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Split a partial check's diagnostics: those that stand, and references ``context`` defines.

    Checking some files of a catalogue alone, an order form's package or a
    package's sheet is unknown only because its file was not given. The files
    are checked again with the catalogue under ``context`` beside them; an
    unknown-reference error that goes away is a reference to a definition
    elsewhere, not a problem of the files.
    """
    unknown = [d for d in diagnostics if d.code == UNKNOWN_REFERENCE.code]
    if not unknown:
        return list(diagnostics), []
    checked = {file.path for file in catalogue.files}
    try:
        around, _ = read_catalogue(context)
    except CatalogueNotFound:
        return list(diagnostics), []
    others = tuple(file for file in around.files if file.path not in checked)
    together = Catalogue((*catalogue.files, *others), {**around.sources, **catalogue.sources})
    still = {d for d in check_catalogue(together, accounts) if d.span.file in checked}
    elsewhere = [d for d in unknown if d not in still]
    return [d for d in diagnostics if d not in elsewhere], elsewhere
