"""``tariff serve``: the Billing portal."""

from __future__ import annotations

import os
from pathlib import Path

import click

from tariff.engine.cli.options import database_option, fail, require_ledger_extra

SECRET_VARIABLE = "TARIFF_SECRET_KEY"


@click.command()
@database_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="A directory of invoice templates overriding the shipped ones.",
)
@click.option(
    "--insecure-cookies",
    is_flag=True,
    help="Send the session cookie over plain HTTP too (for a trusted network only).",
)
@click.option(
    "--forwarded-allow-ips",
    metavar="ADDRESSES",
    help="Reverse proxies (comma-separated addresses) whose X-Forwarded-For names the "
    "client; from any other peer the header is ignored. Default: none.",
)
def serve(
    database: str,
    host: str,
    port: int,
    templates: Path | None,
    insecure_cookies: bool,
    forwarded_allow_ips: str | None,
) -> None:
    """Run the Billing portal: Admin → Billing → Invoices, for Administrators.

    Sessions are signed with $TARIFF_SECRET_KEY (set it so that sessions
    survive restarts and several processes agree); without it a random key is
    made at start. Serve it behind HTTPS: the session cookie is Secure.
    """
    require_ledger_extra("serve", database, "portal")
    import uvicorn

    from tariff.engine.billing.ledger_location import LedgerLocationError, redacted
    from tariff.engine.billing.portal import create_app

    try:
        app = create_app(
            database,
            secret_key=os.environ.get(SECRET_VARIABLE),
            secure_cookies=not insecure_cookies,
            templates=templates,
        )
    except LedgerLocationError as problem:
        fail([f"tariff serve: the ledger --db {redacted(database)!r} {problem}"])
    shown = redacted(database)
    click.echo(f"Billing portal on http://{host}:{port}/ (ledger: {shown})", err=True)
    # No Server header: the portal does not advertise what it runs on.
    # The client's address (which logins are throttled by) comes from a proxy's
    # X-Forwarded-For only when that proxy is named; otherwise from the peer.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        server_header=False,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips or "",
    )
