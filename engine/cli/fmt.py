"""``tariff fmt``: rewrite tariff files in the canonical layout."""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from tariff.dsl import CatalogueNotFound
from tariff.dsl.ast import Span
from tariff.dsl.catalogue import display_path, find_tariff_files
from tariff.dsl.diagnostics import Diagnostic, error, render_text
from tariff.dsl.format import format_source
from tariff.dsl.parser import source_text
from tariff.engine.cli.options import fail

UNCHANGED, CHANGES_FOUND, UNPARSABLE = 0, 1, 2


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; list the files that would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print the changes.")
def fmt(paths: tuple[Path, ...], check: bool, show_diff: bool) -> None:
    """Rewrite tariff files in place in the canonical layout.

    Exits 0 when nothing needed changing (or files were rewritten), 1 when
    --check or --diff found files that would change, 2 when a file does not
    parse (it is left untouched, and the syntax error is printed).
    """
    try:
        files = find_tariff_files(paths)
    except CatalogueNotFound as problem:
        fail([f"tariff fmt: {problem}"], UNPARSABLE)
    changed: list[str] = []
    problems: list[Diagnostic] = []
    sources: dict[str, str] = {}
    for path in files:
        shown = display_path(path)
        try:
            raw = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            problems.append(
                error("T002", Span(shown, 1, 1, 1, 1), "cannot read this file as UTF-8 text")
            )
            continue
        # Read as check reads it (line breaks as LF); compared as written, so
        # that CRLF or CR line breaks are a change to the canonical layout.
        text = source_text(raw)
        sources[shown] = text
        formatted, syntax = format_source(text, shown)
        if formatted is None:
            problems += syntax
            continue
        if formatted == raw:
            continue
        changed.append(shown)
        if show_diff:
            click.echo(_unified_diff(text, formatted, shown), nl=False)
        elif check:
            click.echo(f"would reformat {shown}")
        else:
            path.write_text(formatted, encoding="utf-8")
            click.echo(f"reformatted {shown}", err=True)
    if problems:
        click.echo(render_text(problems, sources), err=True, nl=False)
        raise SystemExit(UNPARSABLE)
    if changed and (check or show_diff):
        raise SystemExit(CHANGES_FOUND)
    raise SystemExit(UNCHANGED)


def _unified_diff(before: str, after: str, shown: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{shown} (original)",
        tofile=f"{shown} (formatted)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
