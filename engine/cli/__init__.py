"""The ``tariff`` command line: a thin shell over the Python API.

One module per command; each parses options, calls the API and renders. Exit
statuses are documented in docs/cli.md and never change without a deprecation.
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import importlib
import os
import sys
import traceback
from typing import NoReturn

import click

from tariff.dsl.about import version

INTERNAL_ERROR = 3

# Each command's module is imported only when that command runs: start-up is
# part of every run's time, and most commands need a fraction of the package.
_COMMANDS = {
    "bill": ("tariff.engine.cli.bill", "bill"),
    "check": ("tariff.engine.cli.check", "check"),
    "diff": ("tariff.engine.cli.diff", "diff"),
    "explain": ("tariff.engine.cli.explain", "explain"),
    "fmt": ("tariff.engine.cli.fmt", "fmt"),
    "invoice": ("tariff.engine.cli.invoice", "invoice"),
    "lsp": ("tariff.engine.cli.lsp", "lsp"),
    "serve": ("tariff.engine.cli.serve", "serve"),
    "test": ("tariff.engine.cli.test", "test_command"),
    "users": ("tariff.engine.cli.users", "users"),
}


# Commands that run until they are stopped: they keep the cyclic garbage
# collector that every other command goes without (see main()).
_SERVERS = frozenset({"lsp", "serve"})


class _LazyGroup(click.Group):
    """A command group that imports a command's module when the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module, name = _COMMANDS[cmd_name]
        if cmd_name in _SERVERS:
            gc.enable()
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version(), prog_name="tariff")
def cli() -> None:
    """Tariffs as code: check tariff files and rate a month of calls into invoices."""


def main() -> None:
    """Run the command line; a bug prints one line (and the traceback if TARIFF_DEBUG is set).

    Three speed-ups for commands that run once, all here and nowhere else: the
    cyclic garbage collector is off, since what a run builds lives until it
    exits and the collector would only scan it over and over (a fifth of the
    run at 2,000,000 calls; the servers in ``_SERVERS`` keep it); memory freed
    is kept for reuse (see ``_keep_freed_memory``); and the process leaves with
    ``os._exit`` once output is flushed (see ``_leave``).
    """
    gc.disable()
    _keep_freed_memory()
    try:
        cli.main(standalone_mode=True)
    except SystemExit as finished:
        if isinstance(finished.code, int | None):
            _leave(finished.code or 0)
        raise
    except Exception as bug:  # a user-caused problem never gets here
        if os.environ.get("TARIFF_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"tariff: internal error: {type(bug).__name__}: {bug}\n"
            "This is a bug in tariff; set TARIFF_DEBUG=1 to see where, and please report it.",
            err=True,
        )
        _leave(INTERNAL_ERROR)


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4


def _keep_freed_memory() -> None:
    """Keep the memory a run frees for what it allocates next, not hand it back at once.

    A month rated block by block frees and allocates the same few hundred
    megabytes per block; on a virtual machine that reclaims freed pages, each
    page taken back is a fault (1.7 s of system time at 10,000,000 calls).
    polars' allocator (jemalloc) is told so before polars loads; glibc's,
    which numpy and Python use, through mallopt. Peak memory stays what the
    run needs at once; only the return of pages to the system is put off.
    """
    os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:-1,muzzy_decay_ms:-1")
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: its own defaults hold
        return
    libc.mallopt(_M_MMAP_MAX, 0)  # big blocks from the heap too, where freed ones stay
    libc.mallopt(_M_TRIM_THRESHOLD, 1 << 30)


def _leave(status: int) -> NoReturn:
    """Exit with ``status`` once exit handlers have run and output is flushed.

    Skips freeing every object one at a time, which after a big month takes
    longer (0.15 s at 2,000,000 calls) than the system reclaiming the process.
    """
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
