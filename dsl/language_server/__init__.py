"""The tariff language server: what an editor needs, over the Language Server Protocol.

Editors start it with ``tariff lsp`` (stdio). It serves diagnostics as you
type, formatting, hover, completion, go-to-definition, find-references,
document symbols and quick fixes for every "did you mean". Each document is
read with the rest of its catalogue (:mod:`.workspace`); names and their uses
are in :mod:`.symbols`; :mod:`.hover` and :mod:`.completion` answer in the
language's terms; :mod:`.server` speaks the protocol.
"""

from __future__ import annotations

from tariff.dsl.language_server.server import build_server, lsp_diagnostic
from tariff.dsl.language_server.workspace import document_diagnostics, load_document

__all__ = ["build_server", "document_diagnostics", "load_document", "lsp_diagnostic"]
