"""Options and error reporting shared by several commands."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib.util
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from tariff.dsl import CatalogueNotFound
from tariff.dsl.about import DISTRIBUTION
from tariff.dsl.diagnostics import counted, render_text
from tariff.dsl.months import Month
from tariff.engine.plan.catalogue import CatalogueError, load_catalogue

if TYPE_CHECKING:
    from tariff.engine.cli.progress import Progress
    from tariff.engine.plan.model import RatingPlan
    from tariff.engine.usage import Usage

R = TypeVar("R")

BAD_INPUT = 2

# The modules each optional part of the distribution brings (pyproject.toml's extras).
EXTRAS = {
    "pdf": ("weasyprint",),
    "ledger": ("sqlalchemy", "alembic"),
    "postgres": ("sqlalchemy", "alembic", "psycopg"),
    "portal": (
        "sqlalchemy",
        "alembic",
        "starlette",
        "uvicorn",
        "argon2",
        "itsdangerous",
        "multipart",
    ),
    "lsp": ("pygls", "lsprotocol"),
}


def require_extra(command: str, extra: str) -> None:
    """Exit 2, naming the extra to install, when a module the command needs is missing."""
    missing = [module for module in EXTRAS[extra] if importlib.util.find_spec(module) is None]
    if missing:
        fail(
            [
                f"tariff {command}: this needs the optional '{extra}' part of {DISTRIBUTION}, "
                f"which is not installed (missing: {', '.join(missing)}); "
                f"install it with: pip install '{DISTRIBUTION}[{extra}]'"
            ]
        )


def require_ledger_extra(command: str, database: str, extra: str = "ledger") -> None:
    """The extra a ledger at ``database`` needs: ``extra``, and PostgreSQL's driver for its URLs."""
    require_extra(command, extra)
    if database.startswith(("postgresql:", "postgres:")):
        require_extra(command, "postgres")


def parse_month(ctx: click.Context, param: click.Parameter, value: str) -> Month:
    """Click callback: a ``YYYY-MM`` billing month, or a usage error."""
    try:
        return Month.parse(value)
    except ValueError as problem:
        raise click.BadParameter(str(problem), ctx, param) from None


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """Click callback: an optional ``YYYY-MM-DD`` date, or a usage error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date: write it as YYYY-MM-DD", ctx, param
        ) from None


catalogue_option = click.option(
    "--catalog",
    "catalogue",
    type=click.Path(path_type=str),
    help="Catalogue directory (default: $TARIFF_CATALOG, else ./tariffs, else the bundled one).",
)

order_forms_option = click.option(
    "--order-forms",
    "order_forms",
    multiple=True,
    type=click.Path(exists=True, path_type=str),
    help="Order-form files or directories to add to the catalogue (repeatable).",
)


def fail(lines: Sequence[str], status: int = BAD_INPUT) -> NoReturn:
    """Print problems to standard error and exit with ``status``."""
    for line in lines:
        click.echo(line, err=True)
    sys.exit(status)


def fail_with_catalogue_errors(error: CatalogueError) -> NoReturn:
    """Report a CatalogueError's diagnostics as text and exit 2."""
    click.echo(render_text(error.diagnostics, error.sources), err=True, nl=False)
    fail(["tariff: the catalogue has errors; fix them (see `tariff check`) and run again"])


@dataclass(frozen=True)
class UsageFiles:
    """A month and its usage files: ``--month``, ``--accounts``, ``--numbers``, ``--calls``."""

    month: Month
    accounts: Path
    numbers: Path
    calls: Path


def usage_options(command: Callable[..., R]) -> Callable[..., R]:
    """``--month``, ``--accounts``, ``--numbers`` and ``--calls``, given as one ``usage_files``."""
    return _usage_options(command, required=True)


def optional_usage_options(command: Callable[..., R]) -> Callable[..., R]:
    """The usage options, all four or none: ``usage_files`` is None when none is given."""
    return _usage_options(command, required=False)


def _usage_options(command: Callable[..., R], *, required: bool) -> Callable[..., R]:
    names = ("--month", "--accounts", "--numbers", "--calls")

    @functools.wraps(command)
    def with_usage_files(
        *args: object,
        month: Month | None,
        accounts: Path | None,
        numbers: Path | None,
        calls: Path | None,
        **kwargs: object,
    ) -> R:
        given = (month, accounts, numbers, calls)
        if all(value is None for value in given):
            return command(*args, usage_files=None, **kwargs)
        missing = [name for name, value in zip(names, given, strict=True) if value is None]
        if missing:
            raise click.UsageError(
                f"give {', '.join(missing)} too: the month's usage is four files"
            )
        assert month and accounts and numbers and calls
        return command(*args, usage_files=UsageFiles(month, accounts, numbers, calls), **kwargs)

    options = [
        click.option(
            "--month",
            required=required,
            metavar="YYYY-MM",
            callback=_optional_month,
            help="Billing month.",
        ),
        click.option(
            "--accounts",
            required=required,
            type=click.Path(path_type=Path),
            help="Accounts file (CSV, JSON Lines or Parquet).",
        ),
        click.option(
            "--numbers",
            required=required,
            type=click.Path(path_type=Path),
            help="Tracking numbers file.",
        ),
        click.option(
            "--calls", required=required, type=click.Path(path_type=Path), help="Calls file."
        ),
    ]
    decorated: Callable[..., R] = with_usage_files
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def _optional_month(ctx: click.Context, param: click.Parameter, value: str | None) -> Month | None:
    return None if value is None else parse_month(ctx, param, value)


database_option = click.option(
    "--db",
    "database",
    required=True,
    metavar="URL",
    help="The ledger: a SQLite file path, or a postgresql:// URL.",
)


def plan_or_fail(
    command: str,
    catalogue: Path | str | None,
    order_forms: Sequence[str] = (),
    before_failing: Callable[[], None] = lambda: None,
) -> RatingPlan:
    """The compiled catalogue, or every problem reported and exit 2."""
    try:
        return load_catalogue(catalogue, order_forms)
    except CatalogueNotFound as problem:
        before_failing()
        fail([f"tariff {command}: {problem}"])
    except CatalogueError as problem:
        before_failing()
        fail_with_catalogue_errors(problem)


@contextlib.contextmanager
def reading_ahead(files: UsageFiles, block_bytes: int | None = None) -> Iterator[Future[Usage]]:
    """The month's usage, read on a thread while the caller loads the catalogue.

    The two are independent until rating starts; the calls file is parsed by
    polars without holding the interpreter, so reading it overlaps with the
    catalogue's checks (a rate deck's rows most of all). Problems stay in the
    future, for :func:`rated_or_fail` to report after the catalogue's. With
    ``block_bytes``, only the accounts and numbers are read ahead: the calls
    are read block by block as they are rated.
    """
    from tariff.engine.usage import load_usage

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tariff-usage") as reader:
        yield reader.submit(
            load_usage, files.accounts, files.numbers, files.calls, block_bytes=block_bytes
        )


def rated_or_fail(
    command: str,
    files: UsageFiles,
    rate: Callable[[Usage], R],
    progress: Progress | None = None,
    plans: Sequence[RatingPlan] = (),
    read: Future[Usage] | None = None,
) -> R:
    """Read the month's usage and rate it with ``rate``, or report every problem and exit 2.

    Usage problems (file, row, field) and accounts that cannot be priced (an
    unknown package, version or currency) are reported alike, and together:
    when the usage files have problems, the valid accounts are also priced with
    ``plans``, so that one run lists every problem of the accounts file.
    ``read`` is the usage already being read (:func:`reading_ahead`).
    """
    from tariff.engine.plan.terms import resolve_terms
    from tariff.engine.usage import CallTable, UsageError, load_usage

    if progress is not None:
        progress.show(f"reading {files.calls}…")
    try:
        usage = (
            read.result()
            if read is not None
            else load_usage(files.accounts, files.numbers, files.calls)
        )
        calls = usage.calls
        if progress is not None and isinstance(calls, CallTable):
            rejected = len(calls.rejections)
            progress.show(f"read {counted(calls.count, 'call')}, {rejected:,} rejected; rating…")
        return rate(usage)
    except UsageError as problem:
        if progress is not None:
            progress.done()
        problems = list(problem.problems)
        for plan in plans if problem.accounts else ():
            try:
                resolve_terms(plan, problem.accounts, files.month)
            except UsageError as pricing:
                problems += [p for p in pricing.problems if p not in problems]
        # In the order of the files, then of their rows.
        files_in_order = list(dict.fromkeys(p.file for p in problems))
        problems.sort(key=lambda p: (files_in_order.index(p.file), p.row or 0))
        fail(
            [str(p) for p in problems]
            + [f"tariff {command}: {counted(len(problems), 'problem')} in the input"]
        )


def rejected_calls(command: str, rejected: int, consequence: str) -> str:
    """``tariff invoice: 1 call was rejected (…)``: a message that agrees with its count."""
    verb = "was" if rejected == 1 else "were"
    return f"tariff {command}: {counted(rejected, 'call')} {verb} rejected{consequence}"
