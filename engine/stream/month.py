"""A month's invoice run from its calls file read block by block.

Peak memory is the few blocks of calls in flight (see stream.blocks), the
hashes of the ids met (8 bytes a call) and the rejections (as columns, capped
in memory and spilled), whatever the size of the month; the run is the one
that reading the file whole gives, byte for byte, for any block size.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tariff.dsl.months import Month
from tariff.engine.invoice.build import Issue
from tariff.engine.invoice.models import InvoiceRun
from tariff.engine.invoice.rejected import RejectionLog, month_rejections
from tariff.engine.invoice.run import invoice_run
from tariff.engine.plan.model import RatingPlan
from tariff.engine.plan.terms import AccountTerms
from tariff.engine.rating import MonthRating, RatedCalls, RatingStatus, rate_calls
from tariff.engine.stream.blocks import CheckedBlocks, read_ahead
from tariff.engine.usage import CallBlocks, NumberTable, Usage
from tariff.engine.usage.reading import NotInBlocks, TableError


def rate_blocks(
    plan: RatingPlan,
    period: Month,
    usage: Usage,
    blocks: CallBlocks,
    issue: Issue,
    terms: Mapping[str, AccountTerms],
    on_progress: Callable[[RatingStatus], None] | None = None,
) -> InvoiceRun:
    """The month's run, its calls rated block by block as ``blocks`` reads them.

    A file that a block shows must be read whole (a record only the careful
    reader reads, a problem with the whole file) is read whole, so that the
    run, or the problem's words, are those of one reading. ``on_progress``
    hears, after each block, the calls read, rated and rejected so far, and
    an estimate of all of them.
    """
    log = RejectionLog()
    try:
        rated, calls_in = _rated_in_blocks(usage.numbers, period, blocks, terms, log, on_progress)
        rejected = log.finished()
    except (TableError, NotInBlocks):
        calls = blocks.whole()
        rated = rate_calls(calls, usage.numbers, terms, period, on_block=on_progress)
        rejected, calls_in = month_rejections(calls.rejections, rated.rejections), calls.count
    return invoice_run(plan, period, issue, terms, usage.numbers, rated, rejected, calls_in)


def _rated_in_blocks(
    numbers: NumberTable,
    period: Month,
    blocks: CallBlocks,
    terms: Mapping[str, AccountTerms],
    rejected: RejectionLog,
    on_progress: Callable[[RatingStatus], None] | None,
) -> tuple[RatedCalls, int]:
    """The blocks' calls rated, and how many were read; ``rejected`` gets every rejection."""
    rating = MonthRating(numbers, terms, period)
    checked = CheckedBlocks(blocks)
    rated = 0
    # Read and parsed on one thread, checked on another, rated here (see stream.blocks).
    for table in read_ahead(checked.tables(ahead=read_ahead)):
        rating.add(table)
        rejected.add_rejections(table.rejections)
        rejected.add(rating.take_rejections())
        rated += table.calls.height
        if on_progress is not None:
            read = checked.calls_in
            # The share of the file read says how many calls it holds in all.
            total = max(read, round(read / max(checked.through, 1e-9)))
            status = RatingStatus(read, rated, checked.rejected, total, estimated=total > read)
            on_progress(status)
    later = checked.held_back()
    checked.forget_ids()
    if later is not None:
        rating.add(later)
        rejected.add_rejections(later.rejections)
    rated_calls = rating.finished()
    rejected.add(rated_calls.rejections)
    return rated_calls, checked.calls_in
