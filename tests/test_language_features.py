"""The language server's features, through pygls's own client over stdio.

Each test starts ``tariff lsp`` in a workspace holding a copy of the shipped
catalogue and the example order forms in ``order-forms/``, as docs/ci.md lays
a repository out, and asks what an editor asks.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from usage_rows import ROOT, TARIFFS

from tariff.dsl.format import format_source

Session = Callable[["Editor"], Awaitable[Any]]


class Editor:
    """A started client, the diagnostics it was sent, and helpers for asking at a text."""

    def __init__(self, client: LanguageClient, workspace: Path, result: types.InitializeResult):
        self.client = client
        self.workspace = workspace
        self.capabilities = result.capabilities
        self.published: dict[str, list[types.Diagnostic]] = {}
        self.arrived = asyncio.Event()

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.as_uri()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri,
                    language_id="tariff",
                    version=1,
                    text=path.read_text(encoding="utf-8") if text is None else text,
                )
            )
        )
        return uri

    async def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        while uri not in self.published:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 30)
        return self.published.pop(uri)


def where(text: str, needle: str, after: int = 0) -> types.Position:
    """The UTF-16 position of ``needle`` in ``text`` (plus ``after`` characters)."""
    offset = text.index(needle) + after
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return types.Position(line=line, character=len(text[start:offset].encode("utf-16-le")) // 2)


@pytest.fixture
def workspace(tmp_path):
    shutil.copytree(TARIFFS, tmp_path / "tariffs", ignore=shutil.ignore_patterns("tests"))
    shutil.copytree(ROOT / "examples" / "order-forms", tmp_path / "order-forms")
    return tmp_path


def run(workspace: Path, session: Session, encodings: list[str] | None = None) -> Any:
    """Start the server, initialise it (offering ``encodings``), run ``session``, shut down."""

    async def main() -> Any:
        client = LanguageClient("tariff-tests", "1")
        await client.start_io(sys.executable, "-m", "tariff.engine.cli", "lsp", cwd=workspace)
        general = types.GeneralClientCapabilities(position_encodings=encodings)
        result = await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(general=general),
                root_uri=workspace.as_uri(),
            )
        )
        client.initialized(types.InitializedParams())
        editor = Editor(client, workspace, result)

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            editor.published[params.uri] = list(params.diagnostics)
            editor.arrived.set()

        try:
            return await session(editor)
        finally:
            await client.shutdown_async(None)
            client.exit(None)
            await client.stop()

    return asyncio.run(main())


def test_the_server_offers_every_feature_and_utf16_by_default(workspace):
    async def session(editor: Editor) -> types.ServerCapabilities:
        return editor.capabilities

    capabilities = run(workspace, session)
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf16
    assert capabilities.hover_provider
    assert capabilities.completion_provider is not None
    assert capabilities.definition_provider
    assert capabilities.references_provider
    assert capabilities.document_symbol_provider
    assert capabilities.document_formatting_provider
    assert capabilities.code_action_provider


# Two emoji before the misspelt package: 2 code points, 4 UTF-16 units, 8 bytes.
EMOJI_FORM = 'order form "ACC-\U0001f600\U0001f600" { package profesional }\n'


@pytest.mark.parametrize(
    ("offered", "negotiated", "column"),
    [
        (None, "utf-16", 32),
        (["utf-8", "utf-16"], "utf-8", 36),
        (["utf-32"], "utf-32", 30),
    ],
)
def test_positions_are_counted_in_the_negotiated_units(workspace, offered, negotiated, column):
    path = workspace / "order-forms" / "emoji.tariff"

    async def session(editor: Editor) -> tuple[str, list[types.Diagnostic]]:
        uri = editor.open(path, EMOJI_FORM)
        return str(editor.capabilities.position_encoding), await editor.diagnostics(uri)

    encoding, (diagnostic,) = run(workspace, session, offered)
    assert encoding == negotiated
    assert diagnostic.code == "T102"
    # 'profesional' starts at code point 30 (from 0); each emoji is 2 UTF-16 units or 4 bytes.
    assert diagnostic.range.start == types.Position(line=0, character=column)
    assert diagnostic.range.end.character - diagnostic.range.start.character == 11


def test_formatting_returns_what_tariff_fmt_writes(workspace):
    path = workspace / "tariffs" / "growth.tariff"
    canonical = path.read_text(encoding="utf-8")
    messy = canonical.replace("  licence", "licence").replace("\n\n", "\n\n\n")

    async def session(editor: Editor) -> list[types.TextEdit]:
        uri = editor.open(path, messy)
        edits = await editor.client.text_document_formatting_async(
            types.DocumentFormattingParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                options=types.FormattingOptions(tab_size=2, insert_spaces=True),
            )
        )
        return list(edits or [])

    (edit,) = run(workspace, session)
    assert edit.new_text == canonical == format_source(messy, str(path))[0]
    assert edit.range.start == types.Position(line=0, character=0)
    assert edit.range.end.line >= messy.count("\n")


def test_hover_shows_a_band_a_package_version_and_what_an_override_replaces(workspace):
    carrier = workspace / "tariffs" / "carrier.tariff"
    form = workspace / "order-forms" / "bright-dental.tariff"
    professional = workspace / "tariffs" / "professional.tariff"

    async def session(editor: Editor) -> list[str]:
        shown = []
        for path, needle, after in [
            (carrier, "band uk_mobile", 6),
            (professional, "version 2021-04", 9),
            (form, "rate uk_mobile", 6),
            (form, "package professional", 10),
        ]:
            text = path.read_text(encoding="utf-8")
            uri = editor.open(path)
            hover = await editor.client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=where(text, needle, after),
                )
            )
            assert hover is not None, needle
            assert isinstance(hover.contents, types.MarkupContent)
            shown.append(hover.contents.value)
        return shown

    band, version, override, package = run(workspace, session)
    assert "**sheet carrier version 2021-04-01**" in band
    assert "rate 0.040 GBP, 0.050 USD per minute" in band
    assert 'prefixes "+4471", "+4472"' in band
    assert "**package professional version 2021-04**" in version
    assert "licence 249.00 GBP, 325.00 USD per month" in version
    assert "call fee 0.08 GBP, 0.10 USD per call" in version
    assert "**this account's uk_mobile**" in override
    assert "rate uk_mobile 0.030 GBP per minute" in override
    assert "**replaces, for this account: sheet carrier version 2021-04-01**" in override
    assert "rate 0.040 GBP, 0.050 USD per minute" in override
    assert "package professional {" in package and "version 2019-01 {" in package


def test_hover_on_an_order_forms_licence_shows_the_package_licence_it_replaces(workspace):
    path = workspace / "order-forms" / "custom.tariff"
    text = (
        'order form "ACC-009" {\n  package professional version 2021-04\n  licence 99.00 GBP\n}\n'
    )

    async def session(editor: Editor) -> str:
        uri = editor.open(path, text)
        hover = await editor.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=where(text, "licence 99", 3),
            )
        )
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        return hover.contents.value

    shown = run(workspace, session)
    assert "licence 99.00 GBP per month" in shown
    assert "**replaces, in package professional version 2021-04**" in shown
    assert "licence 249.00 GBP, 325.00 USD per month" in shown


def _labels(items: Any) -> list[str]:
    listed = items.items if isinstance(items, types.CompletionList) else items
    return [item.label for item in listed or []]


def test_completion_offers_keywords_in_context_and_the_catalogues_names(workspace):
    path = workspace / "order-forms" / "new.tariff"
    text = (
        "\n"
        'order form "ACC-010" {\n'
        "  package \n"
        "  rate  \n"
        "  licence 10.00 \n"
        "  \n"
        "}\n"
        "package p {\n"
        "  version 2026-01 {\n"
        "    \n"
        "    minutes from sheet \n"
        "  }\n"
        "}\n"
    )
    lines = text.split("\n")

    async def session(editor: Editor) -> list[list[str]]:
        uri = editor.open(path, text)
        asked = []
        for line, character in [(0, 0), (2, 10), (3, 7), (4, 16), (5, 2), (9, 4), (10, 23)]:
            assert character <= len(lines[line])
            items = await editor.client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=line, character=character),
                )
            )
            asked.append(_labels(items))
        return asked

    top, packages, bands, currencies, in_form, in_version, sheets = run(workspace, session)
    assert top == ["package", "sheet", "order form", "issuer", "tax"]
    assert {"professional", "growth", "enterprise"} <= set(packages)
    assert {"uk_mobile", "uk_geographic", "international_b"} <= set(bands)
    assert currencies == ["GBP", "USD"]
    assert {"package", "currency", "licence", "call fee", "rate", "discount", "band"} <= set(
        in_form
    )
    assert "fair usage unit rate" in in_form and "minutes from sheet" not in in_form
    assert in_version == [
        "licence",
        "call fee",
        "chargeable from",
        "inclusive calls",
        "minutes from sheet",
        "fair usage",
    ]
    assert sheets == ["carrier"]


def test_definition_and_references_cross_files(workspace):
    form = workspace / "order-forms" / "bright-dental.tariff"
    carrier = workspace / "tariffs" / "carrier.tariff"
    form_text = form.read_text(encoding="utf-8")

    async def session(editor: Editor) -> tuple[Any, Any, Any]:
        uri = editor.open(form)
        identifier = types.TextDocumentIdentifier(uri=uri)
        package = await editor.client.text_document_definition_async(
            types.DefinitionParams(identifier, where(form_text, "package professional", 10))
        )
        band = await editor.client.text_document_definition_async(
            types.DefinitionParams(identifier, where(form_text, "rate uk_mobile", 7))
        )
        carrier_uri = editor.open(carrier)
        uses = await editor.client.text_document_references_async(
            types.ReferenceParams(
                text_document=types.TextDocumentIdentifier(uri=carrier_uri),
                position=where(carrier.read_text(encoding="utf-8"), "sheet carrier", 7),
                context=types.ReferenceContext(include_declaration=False),
            )
        )
        return package, band, uses

    package, band, uses = run(workspace, session)
    (defined,) = package
    assert defined.uri == (workspace / "tariffs" / "professional.tariff").as_uri()
    assert defined.range.start == types.Position(line=1, character=8)
    (band_defined,) = band
    assert band_defined.uri == carrier.as_uri()
    assert band_defined.range.start == types.Position(line=24, character=9)
    used_in = sorted(Path(location.uri).name for location in uses)
    # Every package version prices its minutes from the carrier sheet.
    assert used_in.count("professional.tariff") == 2
    assert {"enterprise.tariff", "essentials.tariff", "growth.tariff", "scale.tariff"} <= set(
        used_in
    )


def test_document_symbols_outline_the_file(workspace):
    carrier = workspace / "tariffs" / "carrier.tariff"

    async def session(editor: Editor) -> Any:
        uri = editor.open(carrier)
        return await editor.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    (sheet,) = run(workspace, session)
    assert (sheet.name, sheet.kind) == ("carrier", types.SymbolKind.Class)
    version = sheet.children[0]
    assert version.name == "version 2021-04-01"
    bands = [child.name for child in version.children]
    assert bands[:3] == ["uk_geographic", "uk_non_geographic", "uk_mobile"]
    assert "international_b" in bands


def test_every_did_you_mean_has_a_quick_fix(workspace):
    path = workspace / "order-forms" / "typo.tariff"
    text = 'order form "ACC-011" {\n  package profesional\n  rate uk_mobil 0.03 GBP\n}\n'

    async def session(editor: Editor) -> list[types.CodeAction]:
        uri = editor.open(path, text)
        diagnostics = await editor.diagnostics(uri)
        assert len(diagnostics) == 2
        actions = await editor.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(start=types.Position(0, 0), end=types.Position(4, 0)),
                context=types.CodeActionContext(diagnostics=diagnostics),
            )
        )
        return [a for a in actions or [] if isinstance(a, types.CodeAction)]

    actions = run(workspace, session)
    fixes = sorted(
        (edit.range.start.line, edit.new_text)
        for action in actions
        for edits in (action.edit.changes or {}).values()
        for edit in edits
    )
    assert fixes == [(1, "professional"), (2, "uk_mobile")]
    assert all(a.kind == types.CodeActionKind.QuickFix for a in actions)


PICTURE = """<!doctype html>
<meta charset="utf-8">
<style>
  body { font: 14px/1.4 "DejaVu Sans", sans-serif; background: #1e1e1e; color: #d4d4d4;
         margin: 0; padding: 16px; width: 980px; }
  pre, code { font-family: "DejaVu Sans Mono", monospace; }
  .editor { background: #1e1e1e; white-space: pre; font-family: "DejaVu Sans Mono", monospace; }
  .panes { display: flex; gap: 24px; }
  .popup { background: #252526; border: 1px solid #454545; padding: 8px 12px; flex: 1; }
  .popup pre { background: #1e1e1e; padding: 6px; margin: 4px 0 10px; }
  .completion div { padding: 2px 6px; }
  .completion div:first-child { background: #04395e; }
  .completion small { color: #8a8a8a; float: right; }
  h3 { margin: 12px 0 6px; font-size: 13px; color: #9cdcfe; }
</style>
<div class="editor">{{ line }}</div>
<div class="panes">
  <div class="popup hover"><h3>hover on uk_mobile</h3>
  {% for heading, code in hover %}<b>{{ heading }}</b><pre>{{ code }}</pre>{% endfor %}</div>
  <div class="popup completion"><h3>completion after "package "</h3>
  {% for item in completion %}<div>{{ item.label }} <small>{{ item.detail }}</small></div>
  {% endfor %}</div>
</div>
"""


@pytest.mark.browser
def test_hover_and_completion_as_an_editor_shows_them(workspace):
    """The LSP's answers, drawn as an editor's popups (docs/editors.md's picture)."""
    import os
    import re

    import jinja2
    from playwright.sync_api import sync_playwright
    from system import require_chromium
    from test_portal_browser import CHROMIUM_FLAGS

    chromium = require_chromium()
    form = workspace / "order-forms" / "bright-dental.tariff"
    text = form.read_text(encoding="utf-8")
    typing = text.replace("  package professional version 2021-04\n", "  package \n")

    async def session(editor: Editor) -> tuple[Any, Any]:
        uri = editor.open(form)
        identifier = types.TextDocumentIdentifier(uri=uri)
        hover = await editor.client.text_document_hover_async(
            types.HoverParams(identifier, where(text, "rate uk_mobile", 7))
        )
        editor.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=typing)],
            )
        )
        completion = await editor.client.text_document_completion_async(
            types.CompletionParams(identifier, where(typing, "  package ", 10))
        )
        return hover, completion

    hover, completion = run(workspace, session)
    sections = re.findall(r"\*\*(.+?)\*\*\n\n```tariff\n(.*?)\n```", hover.contents.value, re.S)
    items = completion.items if isinstance(completion, types.CompletionList) else completion
    page_html = (
        jinja2.Environment(autoescape=True)
        .from_string(PICTURE)
        .render(line="  rate uk_mobile 0.030 GBP per minute", hover=sections, completion=items)
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1012, "height": 400})
        page.set_content(page_html)
        shown = page.inner_text("body")
        assert "this account's uk_mobile" in shown
        assert "replaces, for this account: sheet carrier version 2021-04-01" in shown
        assert "rate 0.040 GBP, 0.050 USD per minute" in shown
        assert "professional" in page.inner_text(".completion")
        if os.environ.get("UPDATE_SCREENSHOTS"):
            page.screenshot(
                path=str(ROOT / "docs" / "editors-hover-completion.png"), full_page=True
            )
        browser.close()
