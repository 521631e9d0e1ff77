"""``tariff lsp``: the language server, on standard input and output."""

from __future__ import annotations

import click

from tariff.engine.cli.options import fail


@click.command()
def lsp() -> None:
    """Run the language server on stdio, for editors (diagnostics as you type).

    Needs the optional dependency: pip install 'tariff[lsp]'.
    """
    try:
        from tariff.dsl.language_server import build_server
    except ImportError as missing:
        fail([f"tariff lsp: {missing.name} is not installed; install 'tariff[lsp]'"])
    build_server().start_io()
