"""The language server over the protocol: pygls handlers that call the language's own functions.

Every handler loads the document with its catalogue (open files as the editor
has them), asks :mod:`symbols`, :mod:`hover` or :mod:`completion`, and turns
the answer into protocol types. Positions are converted here and only here:
the language counts columns in characters from 1; the protocol counts from 0
in the units negotiated at start-up (UTF-16 unless the client offers UTF-8 or
UTF-32 first), which pygls's position codec converts.
"""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition, ServerTextRange

from tariff.dsl import ast
from tariff.dsl.about import version
from tariff.dsl.diagnostics import Diagnostic, Severity
from tariff.dsl.format import format_source
from tariff.dsl.language_server.completion import CompletionKind, completions
from tariff.dsl.language_server.hover import hover_at
from tariff.dsl.language_server.symbols import matching, occurrence_at, span_of
from tariff.dsl.language_server.workspace import (
    DocumentCatalogue,
    diagnostics_of,
    load_document,
)
from tariff.dsl.parser import source_text

SERVER_NAME = "tariff"
_SUGGESTION = re.compile(r"""did you mean ['"]([^'"]+)['"]\?""")
_COMPLETION_KINDS = {
    CompletionKind.KEYWORD: types.CompletionItemKind.Keyword,
    CompletionKind.PACKAGE: types.CompletionItemKind.Module,
    CompletionKind.SHEET: types.CompletionItemKind.Class,
    CompletionKind.BAND: types.CompletionItemKind.Field,
    CompletionKind.CURRENCY: types.CompletionItemKind.Unit,
    CompletionKind.WORD: types.CompletionItemKind.EnumMember,
}


def lsp_range(span: ast.Span, lines: list[str], codec: PositionCodec) -> types.Range:
    """A span as a protocol range, in the client's position units."""
    server = ServerTextRange(
        start=ServerTextPosition(span.line - 1, span.column - 1),
        end=ServerTextPosition(span.end_line - 1, span.end_column - 1),
    )
    return codec.range_to_client_units(lines, server)


def lsp_diagnostic(
    diagnostic: Diagnostic, lines: list[str], codec: PositionCodec
) -> types.Diagnostic:
    """A diagnostic in the protocol's terms."""
    message = diagnostic.message + (f" ({diagnostic.hint})" if diagnostic.hint else "")
    return types.Diagnostic(
        range=lsp_range(diagnostic.span, lines, codec),
        message=message,
        severity=types.DiagnosticSeverity.Error
        if diagnostic.severity is Severity.ERROR
        else types.DiagnosticSeverity.Warning,
        code=diagnostic.code,
        source=SERVER_NAME,
    )


class TariffLanguageServer(LanguageServer):
    """The server, with the document-loading every handler shares."""

    def load(self, uri: str) -> tuple[TextDocument, DocumentCatalogue]:
        """The document and its catalogue, open files as the editor has them."""
        document = self.workspace.get_text_document(uri)
        root = self.workspace.root_path

        def open_text(path: Path) -> str | None:
            opened = self.workspace.text_documents.get(from_fs_path(str(path)) or "")
            return source_text(opened.source) if opened is not None else None

        loaded = load_document(
            source_text(document.source),
            Path(document.path),
            Path(root) if root else None,
            open_text,
        )
        return document, loaded

    def position(self, document: TextDocument, position: types.Position) -> tuple[int, int]:
        """A protocol position as the language's line and column (from 1)."""
        server = document.position_codec.position_from_client_units(document.lines, position)
        return server.line + 1, server.character + 1

    def location(self, loaded: DocumentCatalogue, span: ast.Span) -> types.Location:
        """Where a span is, as a protocol location in any file of the catalogue."""
        codec = self.workspace.position_codec
        uri = from_fs_path(span.file) or span.file
        return types.Location(uri=uri, range=lsp_range(span, loaded.lines_of(span.file), codec))


def build_server() -> LanguageServer:
    """The language server, its handlers registered."""
    server = TariffLanguageServer(SERVER_NAME, version())

    def publish(ls: TariffLanguageServer, uri: str) -> None:
        document, loaded = ls.load(uri)
        lines = loaded.lines_of(loaded.document)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                version=document.version,
                diagnostics=[
                    lsp_diagnostic(d, lines, document.position_codec)
                    for d in diagnostics_of(loaded)
                ],
            )
        )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: TariffLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: TariffLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: TariffLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(
        ls: TariffLanguageServer, params: types.DocumentFormattingParams
    ) -> list[types.TextEdit]:
        # The whole document in one edit; nothing when it does not parse or is canonical.
        document = ls.workspace.get_text_document(params.text_document.uri)
        text = source_text(document.source)
        formatted, _ = format_source(text, document.path)
        if formatted is None or formatted == text:
            return []
        lines = document.lines
        end = types.Position(line=len(lines), character=0)
        whole = types.Range(start=types.Position(line=0, character=0), end=end)
        return [types.TextEdit(range=whole, new_text=formatted)]

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: TariffLanguageServer, params: types.HoverParams) -> types.Hover | None:
        document, loaded = ls.load(params.text_document.uri)
        found = hover_at(loaded, *ls.position(document, params.position))
        if found is None:
            return None
        lines = loaded.lines_of(loaded.document)
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=found.markdown),
            range=lsp_range(found.span, lines, document.position_codec),
        )

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=[" "]),
    )
    def completion(
        ls: TariffLanguageServer, params: types.CompletionParams
    ) -> list[types.CompletionItem]:
        document, loaded = ls.load(params.text_document.uri)
        line, column = ls.position(document, params.position)
        text = loaded.catalogue.sources[loaded.document]
        return [
            types.CompletionItem(
                label=item.label, kind=_COMPLETION_KINDS[item.kind], detail=item.detail
            )
            for item in completions(text, line, column, loaded.definitions)
        ]

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(
        ls: TariffLanguageServer, params: types.DefinitionParams
    ) -> list[types.Location]:
        document, loaded = ls.load(params.text_document.uri)
        found = occurrence_at(loaded.file, *ls.position(document, params.position))
        if found is None:
            return []
        named = matching(loaded.files(), found.kind, found.name)
        return [ls.location(loaded, o.span) for o in named if o.is_definition]

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: TariffLanguageServer, params: types.ReferenceParams) -> list[types.Location]:
        document, loaded = ls.load(params.text_document.uri)
        found = occurrence_at(loaded.file, *ls.position(document, params.position))
        if found is None:
            return []
        wanted = params.context.include_declaration
        named = matching(loaded.files(), found.kind, found.name)
        return [ls.location(loaded, o.span) for o in named if wanted or not o.is_definition]

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbols(
        ls: TariffLanguageServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        document, loaded = ls.load(params.text_document.uri)
        lines = loaded.lines_of(loaded.document)
        return [_symbol(node, lines, document.position_codec) for node in loaded.file.definitions]

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_actions(
        ls: TariffLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        return [
            action
            for diagnostic in params.context.diagnostics
            if (action := _did_you_mean_fix(document, diagnostic)) is not None
        ]

    return server


def _did_you_mean_fix(
    document: TextDocument, diagnostic: types.Diagnostic
) -> types.CodeAction | None:
    """The quick fix of a "did you mean" diagnostic: its word in place of what is written."""
    suggested = _SUGGESTION.search(diagnostic.message)
    if suggested is None or diagnostic.range.start.line != diagnostic.range.end.line:
        return None
    written = document.text_in_client_range(diagnostic.range)
    word = suggested.group(1)
    quoted = len(written) > 1 and written[0] == written[-1] == '"'
    replacement = f'"{word}"' if quoted else word
    return types.CodeAction(
        title=f"Change to {replacement}",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        is_preferred=True,
        edit=types.WorkspaceEdit(
            changes={document.uri: [types.TextEdit(range=diagnostic.range, new_text=replacement)]}
        ),
    )


# How each definition and block shows in the editor's outline.
_SYMBOL_KINDS: dict[type, types.SymbolKind] = {
    ast.Package: types.SymbolKind.Module,
    ast.Sheet: types.SymbolKind.Class,
    ast.OrderForm: types.SymbolKind.Object,
    ast.Tax: types.SymbolKind.Constant,
    ast.Issuer: types.SymbolKind.Struct,
    ast.PackageVersion: types.SymbolKind.Namespace,
    ast.SheetVersion: types.SymbolKind.Namespace,
    ast.Band: types.SymbolKind.Field,
    ast.BandTerms: types.SymbolKind.Field,
}


def _symbol(node: object, lines: list[str], codec: PositionCodec) -> types.DocumentSymbol:
    name, selection = _symbol_name(node)
    children = [
        _symbol(child, lines, codec)
        for child in getattr(node, "statements", ())
        if type(child) in _SYMBOL_KINDS
    ]
    return types.DocumentSymbol(
        name=name,
        kind=_SYMBOL_KINDS[type(node)],
        range=lsp_range(span_of(node), lines, codec),
        selection_range=lsp_range(selection, lines, codec),
        children=children or None,
    )


def _symbol_name(node: object) -> tuple[str, ast.Span]:
    match node:
        case (
            ast.Package(name=name) | ast.Sheet(name=name) | ast.Band(name=name) | ast.Tax(name=name)
        ):
            return name.text, name.span
        case ast.BandTerms(band=name):
            return name.text, name.span
        case ast.OrderForm(account=account):
            return f'order form "{account.value}"', account.span
        case ast.PackageVersion(version=when) | ast.SheetVersion(version=when):
            return f"version {when.text}", when.span
        case ast.Issuer(span=span):
            return "issuer", span
    raise TypeError(type(node).__name__)
