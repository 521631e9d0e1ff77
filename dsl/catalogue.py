"""Tariff files on disk to a parsed catalogue: finding, reading and parsing them.

A catalogue is every ``.tariff`` file under the paths it is read from, parsed
together so that order forms can refer to packages in other files.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tariff.dsl.ast import Comment, Deck, Sheet, SheetVersion, Span, TariffFile
from tariff.dsl.build import AstBuilder, build_definitions
from tariff.dsl.diagnostics import Diagnostic, error
from tariff.dsl.parser import parse_text, source_text

TARIFF_SUFFIX = ".tariff"
# Names the catalogue in use when no --catalog is given (docs/cli.md).
CATALOGUE_ENVIRONMENT_VARIABLE = "TARIFF_CATALOG"


class CatalogueNotFound(Exception):
    """A path given as a catalogue does not exist or holds no tariff files."""


# The columns of a rate deck (interfaces.md, "Rate decks"); ``name`` is the band's display name.
DECK_COLUMNS = (
    "prefix",
    "band",
    "currency",
    "rate_per_minute",
    "increments",
    "connection_fee",
    "minimum_charge",
    "name",
)
REQUIRED_DECK_COLUMNS = ("prefix", "band", "currency", "rate_per_minute")


@dataclass(frozen=True)
class DeckFile:
    """A rate deck as read: each row's fields as text, by column, with its line number.

    ``problem`` says why the file cannot be used at all (unreadable, no header,
    a required column missing); the checker reports it and each bad field.
    """

    shown: str
    # Each row's line number and its fields' text, trimmed, in the columns' order.
    rows: tuple[tuple[int, tuple[str, ...]], ...] = ()
    problem: str | None = None
    # Where each known column is in a row.
    columns: Mapping[str, int] = field(default_factory=dict)
    # What reading the rows into bands gave, kept so that the checker and the
    # compiler read a deck of 100,000 rows once between them.
    readings: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def field(self, values: tuple[str, ...], name: str) -> str:
        """A row's field by column name; empty when the deck or the row lacks it."""
        index = self.columns.get(name)
        return values[index].strip() if index is not None and index < len(values) else ""


@dataclass(frozen=True)
class Catalogue:
    """Parsed tariff files, with their texts kept for error snippets."""

    files: tuple[TariffFile, ...]
    sources: Mapping[str, str]
    # Each file's name for provenance (by its name in messages): relative to
    # the catalogue, so that invoices never record where it was installed.
    names: Mapping[str, str] = field(default_factory=dict)
    # Every rate deck a sheet version names, by (tariff file, deck path as written).
    decks: Mapping[tuple[str, str], DeckFile] = field(default_factory=dict)

    def name_of(self, shown: str) -> str:
        """The catalogue-relative name of the file messages call ``shown``."""
        return self.names.get(shown, shown)


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


def catalogue_names(paths: Iterable[Path]) -> dict[Path, str]:
    """The provenance name of every tariff file under ``paths`` (the first is the catalogue).

    Files of the catalogue are named relative to it (``professional.tariff``);
    files of the other paths relative to the folder that holds the path, so
    that they keep the folder's name (``order-forms/bright-dental.tariff``).
    """
    names: dict[Path, str] = {}
    for position, path in enumerate(paths):
        root = path if position == 0 and path.is_dir() else path.parent
        for candidate in find_tariff_files([path]):
            try:
                name = candidate.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                name = candidate.name
            names.setdefault(candidate.resolve(), name)
    return names


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
    names: dict[str, str] = {}
    decks: dict[tuple[str, str], DeckFile] = {}
    diagnostics: list[Diagnostic] = []
    paths = list(paths)
    provenance = catalogue_names(paths)
    for path in find_tariff_files(paths):
        shown = display_path(path)
        names[shown] = provenance.get(path.resolve(), path.name)
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
        for written in deck_paths(parsed):
            decks[shown, written] = read_deck(path.parent / written)
    return Catalogue(tuple(files), sources, names, decks), diagnostics


def deck_paths(file: TariffFile) -> list[str]:
    """The rate decks a file's sheet versions name, as written (relative to the file)."""
    return [
        statement.path.value
        for definition in file.definitions
        if isinstance(definition, Sheet)
        for version in definition.statements
        if isinstance(version, SheetVersion)
        for statement in version.statements
        if isinstance(statement, Deck)
    ]


def read_deck(path: Path) -> DeckFile:
    """A rate deck's rows, read once; a file that cannot be read says why in ``problem``.

    The text is CSV (UTF-8, a byte-order mark allowed) with a header row;
    column names are matched without regard to case or surrounding spaces, and
    every field is trimmed.
    """
    shown = display_path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as problem:
        return DeckFile(shown, problem=f"cannot read this rate deck: {problem.strerror}")
    except UnicodeDecodeError:
        return DeckFile(shown, problem="cannot read this rate deck: it is not UTF-8 text")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in REQUIRED_DECK_COLUMNS if name not in header]
    if missing:
        return DeckFile(
            shown,
            problem=f"the rate deck lacks the column{'s' if len(missing) > 1 else ''} "
            + ", ".join(missing)
            + f" (it has: {', '.join(header) or 'no header'})",
        )
    columns = {name: index for index, name in reversed(list(enumerate(header)))}
    rows = [(reader.line_num, tuple(record)) for record in reader if any(record)]
    known = {name: columns[name] for name in DECK_COLUMNS if name in columns}
    return DeckFile(shown, tuple(rows), columns=known)
