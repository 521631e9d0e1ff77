"""Tariff files on disk to a parsed catalogue: finding, reading and parsing them.

A catalogue is every ``.tariff`` file under the paths it is read from, parsed
together so that order forms can refer to packages in other files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tariff.dsl.ast import Comment, Span, TariffFile
from tariff.dsl.build import AstBuilder, build_definitions
from tariff.dsl.diagnostics import Diagnostic, error
from tariff.dsl.parser import parse_text, source_text

TARIFF_SUFFIX = ".tariff"
# Names the catalogue in use when no --catalog is given (docs/cli.md).
CATALOGUE_ENVIRONMENT_VARIABLE = "TARIFF_CATALOG"


class CatalogueNotFound(Exception):
    """A path given as a catalogue does not exist or holds no tariff files."""


@dataclass(frozen=True)
class Catalogue:
    """Parsed tariff files, with their texts kept for error snippets."""

    files: tuple[TariffFile, ...]
    sources: Mapping[str, str]


def display_path(path: Path) -> str:
    """The path as users should see it in messages: relative to here when inside it."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd()) else str(path)
    except (OSError, ValueError):
        return str(path)


def find_tariff_files(paths: Iterable[Path]) -> list[Path]:
    """Every ``.tariff`` file named or under a named directory, sorted, each once."""
    found: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            candidates = sorted(path.rglob(f"*{TARIFF_SUFFIX}"))
            if not candidates:
                raise CatalogueNotFound(f"{path}: no {TARIFF_SUFFIX} files in this directory")
        elif path.is_file():
            candidates = [path]
        else:
            raise CatalogueNotFound(f"{path}: no such file or directory")
        for candidate in candidates:
            found.setdefault(candidate.resolve(), candidate)
    return list(found.values())


def read_source(path: Path) -> str:
    """A tariff file's text: UTF-8 (a byte-order mark allowed), line breaks as LF.

    Raises OSError or UnicodeDecodeError when the file cannot be read.
    """
    return source_text(path.read_bytes().decode("utf-8-sig"))


def parse_source(text: str, path: str) -> tuple[TariffFile | None, list[Diagnostic]]:
    """Parse one file's text into its AST, or return its syntax errors (and no file)."""
    parsed, problems = parse_source_recovering(text, path)
    return (None, problems) if problems else (parsed, [])


def parse_source_recovering(text: str, path: str) -> tuple[TariffFile, list[Diagnostic]]:
    """The file's definitions that parse, and the syntax errors of those that do not."""
    parsed = parse_text(text, path)
    builder = AstBuilder(path)
    comments = tuple(Comment(str(token), builder.token_span(token)) for token in parsed.comments)
    definitions = tuple(
        definition for tree in parsed.trees for definition in build_definitions(tree, path)
    )
    return TariffFile(path, definitions, comments, parsed.unparsed), list(parsed.diagnostics)


def read_catalogue(paths: Iterable[Path]) -> tuple[Catalogue, list[Diagnostic]]:
    """Read and parse every tariff file under ``paths``; problems come back as diagnostics."""
    files: list[TariffFile] = []
    sources: dict[str, str] = {}
    diagnostics: list[Diagnostic] = []
    for path in find_tariff_files(paths):
        shown = display_path(path)
        try:
            text = read_source(path)
        except (OSError, UnicodeDecodeError) as problem:
            reason = problem.strerror if isinstance(problem, OSError) else "it is not UTF-8 text"
            diagnostics.append(
                error("T002", Span(shown, 1, 1, 1, 1), f"cannot read this file: {reason}")
            )
            continue
        sources[shown] = text
        # Definitions that parse are checked even when others in the file do not.
        parsed, problems = parse_source_recovering(text, shown)
        diagnostics.extend(problems)
        files.append(parsed)
    return Catalogue(tuple(files), sources), diagnostics
