"""What may be typed next: the keywords of the block, and the names the catalogue defines.

The keywords come from the grammar itself (the words each statement of the
block starts with), so completion never offers what the parser would reject
and never lags behind a new statement. After a word that takes a name, the
names come from the catalogue: packages after ``package`` in an order form,
sheets after ``minutes from sheet``, bands after an order form's ``rate`` or
``band``, currencies after an amount, and the fixed words of the language
after ``rounding``, ``numbers``, ``generation`` and ``discount ... on``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from lark.lexer import PatternStr

from tariff.dsl.check.index import Definitions
from tariff.dsl.parser import open_blocks, tariff_parser
from tariff.dsl.vocabulary import (
    DISCOUNT_CHARGE_WORDS,
    GENERATIONS,
    MINOR_DIGITS,
    NUMBER_KINDS,
    ROUNDING_MODES,
)


class CompletionKind(StrEnum):
    """What a completion is, for the editor's icon."""

    KEYWORD = "keyword"
    PACKAGE = "package"
    SHEET = "sheet"
    BAND = "band"
    CURRENCY = "currency"
    WORD = "word"


@dataclass(frozen=True)
class Completion:
    """One thing the editor may insert."""

    label: str
    kind: CompletionKind
    detail: str


def completions(text: str, line: int, column: int, definitions: Definitions) -> list[Completion]:
    """What may come at the position (lines and columns from 1) of the document's text."""
    lines = text.split("\n")
    before_line = lines[line - 1][: column - 1] if line <= len(lines) else ""
    before = "\n".join([*lines[: line - 1], before_line])
    openers = [opener for _, opener in open_blocks(before)]
    # The words typed so far in this statement, without the one being typed.
    words = re.sub(r"[A-Za-z0-9_\-.%]*$", "", before_line).split()
    named = _names_after(words, openers, definitions)
    if named is not None:
        return named
    if words:
        return []
    rule = _statement_rule(openers)
    return [
        Completion(phrase, CompletionKind.KEYWORD, "keyword")
        for phrase in (_leading_phrases(rule) if rule else ())
    ]


def _names_after(
    words: list[str], openers: list[str], definitions: Definitions
) -> list[Completion] | None:
    in_form = bool(openers) and openers[0].startswith("order form")
    last = words[-1] if words else ""
    if in_form and words == ["package"]:
        return _named(definitions.packages, CompletionKind.PACKAGE)
    if words[-3:] == ["minutes", "from", "sheet"]:
        return _named(definitions.sheets, CompletionKind.SHEET)
    if in_form and len(openers) == 1 and words in (["rate"], ["band"]):
        return _named(_form_bands(definitions, openers[0]), CompletionKind.BAND)
    if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", last) or words == ["currency"]:
        return _named(MINOR_DIGITS, CompletionKind.CURRENCY)
    if words[:1] == ["discount"] and ("on" in words):
        return _named(DISCOUNT_CHARGE_WORDS, CompletionKind.WORD)
    fixed = {"rounding": ROUNDING_MODES, "numbers": NUMBER_KINDS, "generation": GENERATIONS}
    # ``numbers`` takes a list: ``numbers fixed, offline``.
    if words and words[0] in fixed and (len(words) == 1 or words[0] == "numbers"):
        return _named(fixed[words[0]], CompletionKind.WORD)
    return None


def _named(names: Iterable[object], kind: CompletionKind) -> list[Completion]:
    return [Completion(str(name), kind, str(kind)) for name in sorted(map(str, names))]


def _form_bands(definitions: Definitions, opener: str) -> set[str]:
    """The bands of the sheets the order form's package prices from (every band if unknown)."""
    account = opener.removeprefix("order form").strip().strip('"')
    form = definitions.order_forms.get(account)
    sheets = definitions.form_sheets(form) if form is not None else definitions.sheets.values()
    return definitions.band_names(sheets)


# The grammar rule listing the statements of each block, by its opening words.
_TOP_LEVEL = "_definition"
_BLOCK_RULES = {
    "package": "_package_statement",
    "sheet": "_sheet_statement",
    "order": "_order_form_statement",
    "issuer": "_issuer_statement",
    "tax": "_tax_statement",
    "fair": "_fair_usage_statement",
    "package version": "_version_statement",
    "sheet version": "_sheet_version_statement",
    "sheet band": "_band_statement",
    "order band": "_band_terms_statement",
}


def _statement_rule(openers: list[str]) -> str | None:
    kinds = [opener.split()[0] if opener.split() else "" for opener in openers]
    if not kinds:
        return _TOP_LEVEL
    if kinds[-1] in ("version", "band") and len(kinds) > 1:
        return _BLOCK_RULES.get(f"{kinds[0]} {kinds[-1]}")
    return _BLOCK_RULES.get(kinds[-1])


@functools.cache
def _leading_phrases(rule: str) -> tuple[str, ...]:
    """The keywords each alternative of a grammar rule starts with: ``call fee``, ``licence``."""
    parser = tariff_parser()
    keywords = {
        t.name: t.pattern.value for t in parser.terminals if isinstance(t.pattern, PatternStr)
    }
    expansions: dict[str, list[list[str]]] = {}
    for compiled in parser.rules:
        expansions.setdefault(compiled.origin.name, []).append(
            [symbol.name for symbol in compiled.expansion]
        )

    def phrases(name: str) -> list[str]:
        found: list[str] = []
        for expansion in expansions.get(name, []):
            if expansion and expansion[0] not in keywords:
                found.extend(phrases(expansion[0]))
                continue
            words = []
            for symbol in expansion:
                if symbol not in keywords or keywords[symbol] in "{}%/,":
                    break
                words.append(keywords[symbol])
            if words:
                found.append(" ".join(words))
        return list(dict.fromkeys(found))

    return tuple(phrases(rule))
