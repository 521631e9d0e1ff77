"""Which catalogue is in use, and loading it: parse, check, compile.

This module stays clear of the columnar engine, so that ``tariff check`` and
``tariff fmt`` start quickly.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from tariff.dsl import Diagnostic, load_checked
from tariff.dsl.catalogue import CATALOGUE_ENVIRONMENT_VARIABLE
from tariff.dsl.diagnostics import count_errors, counted
from tariff.engine.plan.compile import compile_catalogue
from tariff.engine.plan.model import RatingPlan

BUNDLED_CATALOGUE = Path(__file__).parent.parent.parent / "tariffs"


class CatalogueError(Exception):
    """The catalogue has errors; ``diagnostics`` lists them all, ``sources`` their texts."""

    def __init__(self, diagnostics: list[Diagnostic], sources: Mapping[str, str]) -> None:
        errors = count_errors(diagnostics)
        super().__init__(f"the catalogue has {counted(errors, 'error')}")
        self.diagnostics = diagnostics
        self.sources = sources


def catalogue_in_use(explicit: Path | str | None = None) -> Path:
    """``explicit`` if given, else ``$TARIFF_CATALOG``, else ``./tariffs``, else the bundled one."""
    if explicit is not None:
        return Path(explicit)
    from_environment = os.environ.get(CATALOGUE_ENVIRONMENT_VARIABLE)
    if from_environment:
        return Path(from_environment)
    local = Path("tariffs")
    if local.is_dir():
        return local
    return BUNDLED_CATALOGUE


def load_catalogue(
    catalogue: Path | str | None = None, order_forms: Iterable[Path | str] = ()
) -> RatingPlan:
    """Parse, check and compile a catalogue and any extra order-form files.

    Raises CatalogueError if any file has an error (warnings are allowed), and
    tariff.dsl.CatalogueNotFound if a path does not exist.
    """
    paths = [catalogue_in_use(catalogue), *(Path(p) for p in order_forms)]
    parsed, diagnostics = load_checked(paths)
    if count_errors(diagnostics):
        raise CatalogueError(diagnostics, parsed.sources)
    return compile_catalogue(parsed)
