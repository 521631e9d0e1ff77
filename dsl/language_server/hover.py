"""What the editor shows when the pointer rests on a name or a statement.

- A band (where it is defined or where an order form names it) shows its
  rates, call terms and prefixes, in every sheet version that prices it.
- A package, sheet, tax or order form shows its definition.
- A package or sheet version shows its prices.
- An order form's licence, call fee, inclusive calls, Fair Usage rate, band
  rate or band terms shows what it replaces in the package the form pins.

Everything is shown as the formatter writes it, in a ``tariff`` code block.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tariff.dsl import ast
from tariff.dsl.check.index import Definitions, every, first, pinned_versions
from tariff.dsl.format import canonical_text
from tariff.dsl.language_server.symbols import SymbolKind, nodes_at, occurrence_at, span_of
from tariff.dsl.language_server.workspace import DocumentCatalogue

# A definition shown in full is cut after this many lines, so the popup stays readable.
LONGEST_HOVER_LINES = 40


@dataclass(frozen=True)
class Hover:
    """Markdown for the popup, and the span it describes."""

    markdown: str
    span: ast.Span


def hover_at(loaded: DocumentCatalogue, line: int, column: int) -> Hover | None:
    """The hover for a position in the document (lines and columns from 1), if any."""
    file = loaded.file
    definitions = loaded.definitions
    path = nodes_at(file, line, column)
    form = next((node for node in path if isinstance(node, ast.OrderForm)), None)
    found = occurrence_at(file, line, column)
    # A band an order form names shows the account's terms first: its statement answers.
    if found is not None and not (found.kind is SymbolKind.BAND and form is not None):
        sections = (
            list(_band_sections(definitions, found.name, None))
            if found.kind is SymbolKind.BAND
            else _definition_section(definitions, found.kind, found.name)
        )
        return Hover(_markdown(sections), found.span) if sections else None
    for node in reversed(path):
        sections = _statement_sections(definitions, node, path, form)
        if sections:
            return Hover(_markdown(sections), span_of(node))
    return None


Section = tuple[str, str]  # (a heading in words, tariff text)


def _definition_section(definitions: Definitions, kind: SymbolKind, name: str) -> list[Section]:
    node: object | None = {
        SymbolKind.PACKAGE: definitions.packages.get(name),
        SymbolKind.SHEET: definitions.sheets.get(name),
        SymbolKind.TAX: definitions.taxes.get(name),
        SymbolKind.ORDER_FORM: definitions.order_forms.get(name),
    }[kind]
    return [(f"{kind} {name}", canonical_text(node))] if node is not None else []


def _band_sections(
    definitions: Definitions, band: str, form: ast.OrderForm | None
) -> Iterator[Section]:
    """The band in each sheet version that defines it: the form's package's sheets, in a form."""
    sheets = definitions.form_sheets(form) if form is not None else definitions.sheets.values()
    replaces = "replaces, for this account: " if form is not None else ""
    for sheet in sheets:
        for version in every(sheet.statements, ast.SheetVersion):
            for defined in every(version.statements, ast.Band):
                if defined.name.text == band:
                    where = f"sheet {sheet.name.text} version {version.version.text}"
                    yield f"{replaces}{where}", canonical_text(defined)


# An order form's statement, and the package version statement it takes the place of.
_OVERRIDES: dict[type, type] = {
    ast.Licence: ast.Licence,
    ast.CallFee: ast.CallFee,
    ast.InclusiveCalls: ast.InclusiveCalls,
    ast.FairUsageRate: ast.FairUsageUnitRate,
}


def _statement_sections(
    definitions: Definitions, node: object, path: list[object], form: ast.OrderForm | None
) -> list[Section]:
    parent = path[path.index(node) - 1] if path.index(node) else None
    if isinstance(node, ast.PackageVersion) and isinstance(parent, ast.Package):
        return [(f"package {parent.name.text} version {node.version.text}", canonical_text(node))]
    if isinstance(node, ast.SheetVersion) and isinstance(parent, ast.Sheet):
        return [(f"sheet {parent.name.text} version {node.version.text}", canonical_text(node))]
    if form is None or parent is not form:
        return []
    if isinstance(node, ast.CustomRate | ast.BandTerms):
        band = node.band.text
        return [
            (f"this account's {band}", canonical_text(node)),
            *_band_sections(definitions, band, form),
        ]
    replaced = _OVERRIDES.get(type(node))
    if replaced is None:
        return []
    return [("this account's terms", canonical_text(node)), *_replaced(definitions, form, replaced)]


def _replaced(definitions: Definitions, form: ast.OrderForm, kind: type) -> Iterator[Section]:
    package = definitions.pinned_package(form)
    if package is None:
        return
    pin = first(form.statements, ast.PackagePin)
    for version in pinned_versions(package, pin):
        where = f"replaces, in package {package.name.text} version {version.version.text}"
        statements: list[object] = list(version.statements)
        for clause in every(version.statements, ast.FairUsage):
            statements.extend(clause.statements)
        written = first(statements, kind)
        text = canonical_text(written) if written is not None else "# not written: the default"
        yield where, text


def _markdown(sections: list[Section]) -> str:
    parts = []
    for heading, text in sections:
        lines = text.split("\n")
        if len(lines) > LONGEST_HOVER_LINES:
            lines = [*lines[:LONGEST_HOVER_LINES], "# …"]
        parts.append(f"**{heading}**\n\n```tariff\n" + "\n".join(lines) + "\n```")
    return "\n\n".join(parts)
