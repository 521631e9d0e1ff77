"""AST + comments to canonical text: the layout ``tariff fmt`` writes.

The canonical layout: two spaces of indentation per block, one statement per
line, every statement spelled in full (``licence 79.00 GBP per month``), one blank
line between top-level definitions, and inside blocks at most one blank line
where the source had any. Comments stay where they were: a comment on its own
line stays before the statement that followed it, and a comment after code stays
at the end of that code's line. Formatting never changes what a file means.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tariff.dsl import ast
from tariff.dsl.catalogue import parse_source
from tariff.dsl.diagnostics import Diagnostic
from tariff.dsl.parser import source_text

_INDENT = "  "


@dataclass
class _Line:
    """One output line and the source lines it stands for."""

    text: str
    first: int
    last: int


@dataclass(frozen=True)
class _Block:
    """A node printed as ``header {``, its children, then ``}``."""

    header: str
    children: tuple[object, ...]


def format_file(file: ast.TariffFile, source: str) -> str:
    """The canonical text of a parsed file; ``source`` is the text it was parsed from."""
    return _Printer(file, source).run()


class _Printer:
    def __init__(self, file: ast.TariffFile, source: str) -> None:
        self.file = file
        self.source_lines = source.split("\n")
        self.out: list[_Line] = []
        self.own_line: list[ast.Comment] = []
        self.trailing: list[ast.Comment] = []
        for comment in file.comments:
            before = self._source_line(comment.span.line)[: comment.span.column - 1]
            (self.trailing if before.strip() else self.own_line).append(comment)

    def run(self) -> str:
        self._items(list(self.file.definitions), depth=0, end_line=None, top_level=True)
        self._attach_trailing_comments()
        text = "\n".join(line.text for line in self.out)
        return text + "\n" if text else ""

    # ---------------------------------------------------------- layout

    def _source_line(self, number: int) -> str:
        return self.source_lines[number - 1] if 0 < number <= len(self.source_lines) else ""

    def _blank_before(self, line: int) -> bool:
        return line > 1 and not self._source_line(line - 1).strip()

    def _emit(self, text: str, depth: int, first: int, last: int) -> None:
        self.out.append(_Line(_INDENT * depth + text if text else "", first, last))

    def _items(
        self, nodes: Sequence[object], depth: int, end_line: int | None, *, top_level: bool = False
    ) -> None:
        """Print a block's children with the own-line comments that fall among them."""
        emitted_any = False
        previous_was_node = False
        for node in nodes:
            span = _span(node)
            for comment in self._take_comments(before=span.line):
                self._separate(emitted_any, comment.span.line, top_level and previous_was_node)
                self._emit(comment.text.rstrip(), depth, comment.span.line, comment.span.line)
                emitted_any, previous_was_node = True, False
            self._separate(emitted_any, span.line, top_level and previous_was_node)
            self._node(node, depth)
            emitted_any, previous_was_node = True, True
        limit = end_line if end_line is not None else len(self.source_lines) + 1
        for comment in self._take_comments(before=limit):
            self._separate(emitted_any, comment.span.line, top_level and previous_was_node)
            self._emit(comment.text.rstrip(), depth, comment.span.line, comment.span.line)
            emitted_any, previous_was_node = True, False

    def _separate(self, emitted_any: bool, line: int, always: bool) -> None:
        if emitted_any and (always or self._blank_before(line)):
            self._emit("", 0, line, line)

    def _take_comments(self, before: int) -> list[ast.Comment]:
        taken = [c for c in self.own_line if c.span.line < before]
        self.own_line = [c for c in self.own_line if c.span.line >= before]
        return taken

    def _node(self, node: object, depth: int) -> None:
        span = _span(node)
        printed = _print(node)
        if isinstance(printed, str):
            self._emit(printed, depth, span.line, span.end_line)
            return
        self._emit(printed.header + " {", depth, span.line, span.line)
        self._items(printed.children, depth + 1, end_line=span.end_line)
        self._emit("}", depth, span.end_line, span.end_line)

    def _attach_trailing_comments(self) -> None:
        for comment in self.trailing:
            line = comment.span.line
            covering = [o for o in self.out if o.text and o.first <= line <= o.last]
            target = covering[-1] if covering else self._last_before(line)
            if target is None:
                self.out.insert(0, _Line(comment.text.rstrip(), line, line))
            else:
                target.text += "  " + comment.text.rstrip()

    def _last_before(self, line: int) -> _Line | None:
        earlier = [o for o in self.out if o.text and o.first <= line]
        return earlier[-1] if earlier else None


def _span(node: object) -> ast.Span:
    span = getattr(node, "span", None)
    assert isinstance(span, ast.Span), f"not an AST node: {node!r}"
    return span


# ------------------------------------------------------------ statements


def _decimal(value: Decimal) -> str:
    return f"{value:f}"


def _prices(prices: Sequence[ast.Money]) -> str:
    return ", ".join(f"{_decimal(m.amount)} {m.currency}" for m in prices)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _seconds(number: ast.Number) -> str:
    return f"{_decimal(number.value)} second{'' if number.value == 1 else 's'}"


def _discountable(discountable: bool) -> str:
    return "" if discountable else " not discountable"


def _print(node: object) -> str | _Block:
    """A statement's canonical line, or a block's header and children."""
    match node:
        case ast.Package(name=name, statements=statements):
            return _Block(f"package {name.text}", statements)
        case ast.Sheet(name=name, statements=statements):
            return _Block(f"sheet {name.text}", statements)
        case ast.OrderForm(account=account, statements=statements):
            return _Block(f"order form {_quoted(account.value)}", statements)
        case ast.PackageVersion(version=version, statements=statements):
            return _Block(f"version {version.text}", statements)
        case ast.SheetVersion(version=version, statements=statements):
            return _Block(f"version {version.text}", statements)
        case ast.FairUsage(statements=statements):
            return _Block("fair usage", statements)
        case ast.Band(name=name, statements=statements):
            return _Block(f"band {name.text}", statements)
        case ast.BandTerms(band=band, statements=statements):
            return _Block(f"band {band.text}", statements)
        case ast.Issuer(statements=statements):
            return _Block("issuer", statements)
        case ast.Tax(name=name, statements=statements):
            return _Block(f"tax {name.text}", statements)
    return _statement(node)


def canonical_text(node: object, depth: int = 0) -> str:
    """A definition or statement as the formatter writes it (comments aside), indented ``depth``."""
    pad = _INDENT * depth
    printed = _print(node)
    if isinstance(printed, str):
        return pad + printed
    inner = [canonical_text(child, depth + 1) for child in printed.children]
    return "\n".join([f"{pad}{printed.header} {{", *inner, pad + "}"])


def _statement(node: object) -> str:
    match node:
        case ast.DisplayName(name=name):
            return f"name {_quoted(name.value)}"
        case ast.Generation(name=name):
            return f"generation {name.text}"
        case ast.Licence(prices=prices, discountable=discountable):
            return f"licence {_prices(prices)} per month{_discountable(discountable)}"
        case ast.CallFee(prices=prices, discountable=discountable):
            return f"call fee {_prices(prices)} per call{_discountable(discountable)}"
        case ast.Chargeable(seconds=seconds):
            return f"chargeable from {_seconds(seconds)}"
        case ast.InclusiveCalls(count=count):
            return f"inclusive calls {_decimal(count.value)} per month"
        case ast.Minutes(sheet=sheet, discountable=discountable):
            return f"minutes from sheet {sheet.text}{_discountable(discountable)}"
        case ast.FairUsageMinimum(calls=calls):
            return f"minimum {_decimal(calls.value)} calls per number per month"
        case ast.FairUsageNumbers(kinds=kinds):
            return "numbers " + ", ".join(kind.text for kind in kinds)
        case ast.FairUsageCounting(seconds=seconds):
            return f"counting from {_seconds(seconds)}"
        case ast.FairUsageUnitRate(prices=prices):
            return f"unit rate {_prices(prices)} per missing call"
        case ast.FairUsagePartialMonths(exempt=exempt):
            return "partial months " + ("exempt" if exempt else "owe full minimum")
        case ast.Rounding(mode=mode):
            return f"rounding {mode.text} per call"
        case ast.Dial(prefix=prefix, replacement=replacement):
            return f"dial {_quoted(prefix.value)} as {_quoted(replacement.value)}"
        case ast.Prefixes(prefixes=prefixes):
            return "prefixes " + ", ".join(_quoted(p.value) for p in prefixes)
        case ast.BandRate(prices=prices):
            return f"rate {_prices(prices)} per minute"
        case ast.Barred(prefixes=prefixes):
            return "barred " + ", ".join(_quoted(p.value) for p in prefixes)
        case ast.PackagePin(package=package, version=version):
            pinned = f" version {version.text}" if version is not None else ""
            return f"package {package.text}{pinned}"
        case ast.CurrencyPin(currency=currency):
            return f"currency {currency.text}"
        case ast.CustomRate(band=band, prices=prices):
            return f"rate {band.text} {_prices(prices)} per minute"
        case ast.FairUsageRate(prices=prices):
            return f"fair usage unit rate {_prices(prices)} per missing call"
        case ast.Discount(percent=percent, charges=charges, start=start, end=end):
            text = f"discount {_decimal(percent.value)}%"
            if charges:
                text += " on " + ", ".join(charge.text for charge in charges)
            if start is not None:
                text += f" from {start.text}"
            if end is not None:
                text += f" to {end.text}"
            return text
        case ast.ContractEnd(month=month):
            return f"contract ends {month.text}"
        case ast.Deck(path=path):
            return f"deck {_quoted(path.value)}"
        case ast.Increments(first=first, step=step):
            return f"increments {_decimal(first.value)}/{_decimal(step.value)}"
        case ast.ConnectionFee(prices=prices):
            return f"connection fee {_prices(prices)} per call"
        case ast.MinimumCharge(prices=prices):
            return f"minimum charge {_prices(prices)} per call"
        case ast.IssuerDetail(kind=kind, values=values):
            return f"{kind} " + ", ".join(_quoted(v.value) for v in values)
        case ast.PaymentTerms(days=days):
            return f"payment terms {_decimal(days.value)} days"
        case ast.DefaultCountry(countries=countries):
            pairs = (f"{_quoted(code.value)} for {currency.text}" for code, currency in countries)
            return "default country " + ", ".join(pairs)
        case ast.TaxCountries(countries=countries):
            return "countries " + ", ".join(_quoted(c.value) for c in countries)
        case ast.TaxRate(percent=percent, start=start):
            since = f" from {start.text}" if start is not None else ""
            return f"rate {_decimal(percent.value)}%{since}"
        case ast.TaxNote(note=note):
            return f"note {_quoted(note.value)}"
    raise TypeError(f"the formatter does not know {type(node).__name__}")


class FormatterBug(Exception):
    """The canonical text would mean something else: a bug, so nothing is written."""


def format_source(text: str, path: str) -> tuple[str | None, list[Diagnostic]]:
    """The canonical text of a file's source, or its syntax error.

    The result is parsed again and compared with the original, so that the
    formatter can never change what a file means (FormatterBug if it would).
    """
    text = source_text(text)
    parsed, problems = parse_source(text, path)
    if parsed is None:
        return None, problems
    formatted = format_file(parsed, text)
    again, _ = parse_source(formatted, path)
    if again is None or meaning(again) != meaning(parsed):
        raise FormatterBug(f"{path}: formatting would change what the file means")
    return formatted, []


def meaning(file: ast.TariffFile) -> object:
    """What a file says, spans and comments aside: equal for files that mean the same."""
    return _without_spans(file.definitions)


def _without_spans(node: object) -> object:
    if isinstance(node, tuple):
        return tuple(_without_spans(item) for item in node)
    if isinstance(node, ast.Span):
        return None
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        fields = dataclasses.fields(node)
        return (type(node).__name__, *(_without_spans(getattr(node, f.name)) for f in fields))
    return node
