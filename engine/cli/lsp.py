"""``tariff lsp``: the language server, on standard input and output."""

from __future__ import annotations

import click

from tariff.engine.cli.options import require_extra


@click.command()
def lsp() -> None:
    """Run the language server on stdio, for editors (diagnostics as you type).

    Needs the optional part: pip install 'tariff-lang[lsp]'.
    """
    require_extra("lsp", "lsp")
    from tariff.dsl.language_server import build_server

    build_server().start_io()
