"""An issued invoice's itemised calls, read back from the ledger as it kept them.

``tariff bill`` keeps each invoice's calls (CSV, gzip-compressed) in the same
transaction that issues it, so a download gives exactly what was billed, even
after the usage files changed. Reading streams the CSV: it is decompressed a
piece at a time, never held whole.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import sqlalchemy as sa

from tariff.engine.billing.ledger import ITEMISED_CALLS

# How much compressed text is decompressed at a time.
_PIECE = 64 * 1024
# zlib's window bits that read a gzip stream (16 + the largest window).
_GZIP = 16 + zlib.MAX_WBITS


def kept_calls(engine: sa.Engine, number: str) -> Iterator[bytes] | None:
    """The CSV of the invoice's itemised calls, in pieces; None if none were kept."""
    with engine.connect() as connection:
        packed = connection.execute(
            sa.select(ITEMISED_CALLS.c.csv_gzip).where(ITEMISED_CALLS.c.number == number)
        ).scalar_one_or_none()
    return None if packed is None else _unpacked(packed)


def _unpacked(packed: bytes) -> Iterator[bytes]:
    unpacker = zlib.decompressobj(_GZIP)
    for start in range(0, len(packed), _PIECE):
        piece = unpacker.decompress(packed[start : start + _PIECE])
        if piece:
            yield piece
    rest = unpacker.flush()
    if rest:
        yield rest


def invoices_with_calls(engine: sa.Engine) -> set[str]:
    """The numbers of the issued invoices whose itemised calls the ledger keeps."""
    with engine.connect() as connection:
        return set(connection.execute(sa.select(ITEMISED_CALLS.c.number)).scalars())
