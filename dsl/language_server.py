"""A minimal language server: the checker's diagnostics as you type.

Editors start it with ``tariff lsp`` (stdio). On every open or change of a
``.tariff`` document it checks the document's text together with the rest of
its catalogue on disk (the catalogue in use for the workspace, and the
document's own directory), and publishes the diagnostics that fall in it.
"""

from __future__ import annotations

import os
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from tariff.dsl.about import version
from tariff.dsl.catalogue import (
    CATALOGUE_ENVIRONMENT_VARIABLE,
    Catalogue,
    find_tariff_files,
    parse_source_recovering,
    read_catalogue,
)
from tariff.dsl.check import check_catalogue
from tariff.dsl.diagnostics import Diagnostic, Severity, in_source_order
from tariff.dsl.parser import source_text

SERVER_NAME = "tariff"


def document_diagnostics(text: str, path: Path, workspace: Path | None) -> list[Diagnostic]:
    """Every problem in a document's text, checked with the rest of its catalogue."""
    shown = str(path)
    parsed, problems = parse_source_recovering(text, shown)
    context = [
        other
        for other in find_tariff_files(_catalogue_roots(path, workspace))
        if other.resolve() != path.resolve()
    ]
    others, _ = read_catalogue(context) if context else (Catalogue((), {}), [])
    together = Catalogue((*others.files, parsed), {**others.sources, shown: text})
    checked = [d for d in check_catalogue(together) if d.span.file == shown]
    return in_source_order(problems + checked)


def _catalogue_roots(path: Path, workspace: Path | None) -> list[Path]:
    roots = [path.parent] if path.parent.is_dir() else []
    configured = os.environ.get(CATALOGUE_ENVIRONMENT_VARIABLE)
    if configured:
        roots.append(Path(configured))
    elif workspace is not None and (workspace / "tariffs").is_dir():
        roots.append(workspace / "tariffs")
    return [root for root in roots if any(root.rglob("*.tariff"))]


def lsp_diagnostic(diagnostic: Diagnostic) -> types.Diagnostic:
    """A diagnostic in the protocol's terms (lines and columns from 0)."""
    span = diagnostic.span
    message = diagnostic.message + (f" ({diagnostic.hint})" if diagnostic.hint else "")
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=span.line - 1, character=span.column - 1),
            end=types.Position(line=span.end_line - 1, character=span.end_column - 1),
        ),
        message=message,
        severity=types.DiagnosticSeverity.Error
        if diagnostic.severity is Severity.ERROR
        else types.DiagnosticSeverity.Warning,
        code=diagnostic.code,
        source=SERVER_NAME,
    )


def build_server() -> LanguageServer:
    """The language server, its handlers registered."""
    server = LanguageServer(SERVER_NAME, version())

    def publish(ls: LanguageServer, uri: str) -> None:
        document = ls.workspace.get_text_document(uri)
        root = ls.workspace.root_path
        diagnostics = document_diagnostics(
            source_text(document.source), Path(document.path), Path(root) if root else None
        )
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                version=document.version,
                diagnostics=[lsp_diagnostic(d) for d in diagnostics],
            )
        )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    return server
