"""Rating a month block by block, so that memory does not grow with its calls.

``blocks`` reads the calls file ahead of rating, on a thread, and checks each
block as the whole file would be checked; ``seen_ids`` keeps the hashes of
the call ids met so far; ``month`` rates the blocks and puts the run together.
"""

from __future__ import annotations

from tariff.engine.stream.month import rate_blocks

__all__ = ["rate_blocks"]
