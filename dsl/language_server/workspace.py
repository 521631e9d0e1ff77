"""The catalogue around an open document: what the language server checks and looks things up in.

A document is read with the rest of its catalogue: the ``.tariff`` files of its
own directory, the catalogue in use for the workspace (``$TARIFF_CATALOG``, or
the workspace's ``tariffs/``) and the workspace's ``order-forms/``. Files open
in the editor count as their unsaved text, so that a package renamed in one
window is known in the next. Every file is named by its absolute path, which is
also how the editor names it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tariff.dsl import ast
from tariff.dsl.catalogue import (
    CATALOGUE_ENVIRONMENT_VARIABLE,
    Catalogue,
    DeckFile,
    deck_paths,
    find_tariff_files,
    parse_source_recovering,
    read_deck,
    read_source,
)
from tariff.dsl.check import check_catalogue
from tariff.dsl.check.index import Definitions
from tariff.dsl.diagnostics import Diagnostic, in_source_order

# The workspace folder the server also reads order forms from, beside the catalogue.
ORDER_FORMS_FOLDER = "order-forms"

# The unsaved text of a file open in the editor, or None to read it from disk.
OpenText = Callable[[Path], str | None]


@dataclass(frozen=True)
class DocumentCatalogue:
    """A document parsed with the rest of its catalogue, and the syntax errors of the document."""

    document: str
    catalogue: Catalogue
    definitions: Definitions
    syntax_problems: list[Diagnostic]

    @property
    def file(self) -> ast.TariffFile:
        """The open document's parsed file."""
        return self.file_named(self.document)

    def file_named(self, name: str) -> ast.TariffFile:
        """A file of the catalogue by its name (its absolute path)."""
        return next(file for file in self.catalogue.files if file.path == name)

    def lines_of(self, name: str) -> list[str]:
        """A file's text as lines, for converting positions to the editor's units."""
        return self.catalogue.sources.get(name, "").split("\n")

    def files(self) -> Iterator[ast.TariffFile]:
        """Every file of the catalogue, the document first."""
        yield self.file
        yield from (file for file in self.catalogue.files if file.path != self.document)


def load_document(
    text: str, path: Path, workspace: Path | None, open_text: OpenText = lambda _: None
) -> DocumentCatalogue:
    """The document's text parsed with the rest of its catalogue (open files as they are now)."""
    shown = str(path)
    texts: dict[str, str] = {shown: text}
    for other in find_tariff_files(_catalogue_roots(path, workspace)):
        if other.resolve() == path.resolve():
            continue
        unsaved = open_text(other)
        try:
            texts[str(other)] = unsaved if unsaved is not None else read_source(other)
        except (OSError, UnicodeDecodeError):
            continue  # `tariff check` reports an unreadable file; here it is simply absent
    files = []
    decks: dict[tuple[str, str], DeckFile] = {}
    syntax_problems: list[Diagnostic] = []
    for name, source in texts.items():
        parsed, problems = _parsed(source, name)
        files.append(parsed)
        if name == shown:
            syntax_problems = list(problems)
        for written in deck_paths(parsed):
            decks[name, written] = _deck(Path(name).parent / written)
    names = {name: Path(name).name for name in texts}
    catalogue = Catalogue(tuple(files), texts, names, decks)
    return DocumentCatalogue(shown, catalogue, Definitions.of(files, decks=decks), syntax_problems)


# An editor asks many times a minute, mostly about files that have not changed:
# a file is parsed again only when its text changes, a rate deck read again only
# when the file on disk does.
@functools.lru_cache(maxsize=512)
def _parsed(text: str, name: str) -> tuple[ast.TariffFile, tuple[Diagnostic, ...]]:
    parsed, problems = parse_source_recovering(text, name)
    return parsed, tuple(problems)


def _deck(path: Path) -> DeckFile:
    try:
        stat = path.stat()
    except OSError:
        return read_deck(path)  # it says why it cannot be read
    return _deck_as_of(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _deck_as_of(path: Path, modified_ns: int, size: int) -> DeckFile:
    return read_deck(path)


def document_diagnostics(
    text: str, path: Path, workspace: Path | None, open_text: OpenText = lambda _: None
) -> list[Diagnostic]:
    """Every problem in a document's text, checked with the rest of its catalogue."""
    loaded = load_document(text, path, workspace, open_text)
    return diagnostics_of(loaded)


def diagnostics_of(loaded: DocumentCatalogue) -> list[Diagnostic]:
    """The syntax errors and checker findings that fall in the loaded document."""
    checked = [d for d in check_catalogue(loaded.catalogue) if d.span.file == loaded.document]
    return in_source_order(loaded.syntax_problems + checked)


def _catalogue_roots(path: Path, workspace: Path | None) -> list[Path]:
    roots = [path.parent] if path.parent.is_dir() else []
    configured = os.environ.get(CATALOGUE_ENVIRONMENT_VARIABLE)
    if configured:
        roots.append(Path(configured).absolute())
    elif workspace is not None:
        roots.append(workspace / "tariffs")
    if workspace is not None:
        # Order forms kept in their own folder, as docs/ci.md lays a repository out.
        roots.append(workspace / ORDER_FORMS_FOLDER)
    return [root for root in roots if root.is_dir() and any(root.rglob("*.tariff"))]
