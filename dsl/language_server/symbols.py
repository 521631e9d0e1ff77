"""Names in tariff files: where each is defined, where it is used, and what is under a position.

Packages, sheets, bands, taxes and order forms are defined once per name
(bands once per sheet version that prices them); order forms use packages and
bands, package versions use sheets. These are the occurrences that
go-to-definition, find-references and hover work from. Positions here are the
language's own: lines and columns from 1, columns counted in characters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from tariff.dsl import ast


class SymbolKind(StrEnum):
    """What a name names."""

    PACKAGE = "package"
    SHEET = "sheet"
    BAND = "band"
    TAX = "tax"
    ORDER_FORM = "order form"


@dataclass(frozen=True)
class Occurrence:
    """One name as written: a definition or a use, with the span of the name itself."""

    kind: SymbolKind
    name: str
    span: ast.Span
    is_definition: bool


def occurrences(file: ast.TariffFile) -> Iterator[Occurrence]:
    """Every definition and use of a name in the file, in source order."""
    for node in walk(file.definitions):
        match node:
            case (
                ast.Package(name=name)
                | ast.Sheet(name=name)
                | ast.Band(name=name)
                | ast.Tax(name=name)
            ):
                yield Occurrence(_KIND_OF_DEFINITION[type(node)], name.text, name.span, True)
            case ast.OrderForm(account=account):
                yield Occurrence(SymbolKind.ORDER_FORM, account.value, account.span, True)
            case ast.PackagePin(package=name):
                yield Occurrence(SymbolKind.PACKAGE, name.text, name.span, False)
            case ast.Minutes(sheet=name):
                yield Occurrence(SymbolKind.SHEET, name.text, name.span, False)
            case ast.CustomRate(band=name) | ast.BandTerms(band=name):
                yield Occurrence(SymbolKind.BAND, name.text, name.span, False)


_KIND_OF_DEFINITION: dict[type, SymbolKind] = {
    ast.Package: SymbolKind.PACKAGE,
    ast.Sheet: SymbolKind.SHEET,
    ast.Band: SymbolKind.BAND,
    ast.Tax: SymbolKind.TAX,
}


def walk(nodes: Iterable[object]) -> Iterator[object]:
    """Every node under ``nodes``, parents before children, in source order."""
    for node in nodes:
        if not dataclasses.is_dataclass(node) or isinstance(node, type):
            continue
        yield node
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            if isinstance(value, tuple):
                yield from walk(value)
            elif dataclasses.is_dataclass(value) and not isinstance(value, ast.Span):
                yield from walk((value,))


def contains(span: ast.Span, line: int, column: int) -> bool:
    """Whether the position is inside the span, or just after its last character."""
    after_start = (line, column) >= (span.line, span.column)
    before_end = (line, column) <= (span.end_line, span.end_column)
    return after_start and before_end


def occurrence_at(file: ast.TariffFile, line: int, column: int) -> Occurrence | None:
    """The name under the position, if it is a definition or a use."""
    return next((o for o in occurrences(file) if contains(o.span, line, column)), None)


def nodes_at(file: ast.TariffFile, line: int, column: int) -> list[object]:
    """The nodes whose span holds the position, outermost first (a definition, ..., a leaf)."""
    path: list[object] = []
    children: Iterable[object] = file.definitions
    while True:
        inner = next((n for n in _children(children) if contains(span_of(n), line, column)), None)
        if inner is None:
            return path
        path.append(inner)
        children = _fields(inner)


def _children(nodes: Iterable[object]) -> Iterator[object]:
    for node in nodes:
        if dataclasses.is_dataclass(node) and not isinstance(node, (type, ast.Span)):
            yield node


def _fields(node: object) -> list[object]:
    values: list[object] = []
    for field in dataclasses.fields(node):  # type: ignore[arg-type]
        value = getattr(node, field.name)
        values.extend(value if isinstance(value, tuple) else (value,))
    return values


def span_of(node: object) -> ast.Span:
    """The span of an AST node."""
    span = getattr(node, "span", None)
    assert isinstance(span, ast.Span), f"{type(node).__name__} has no span"
    return span


def matching(files: Iterable[ast.TariffFile], kind: SymbolKind, name: str) -> list[Occurrence]:
    """Every occurrence of the named thing across the files, definitions first."""
    found = [o for file in files for o in occurrences(file) if (o.kind, o.name) == (kind, name)]
    return sorted(found, key=lambda o: not o.is_definition)
