"""Parse tree to typed AST: a Lark Transformer that attaches a Span to every node.

No Lark ``Token`` (a ``str`` subclass) and no ``float`` survives this stage:
names become :class:`Name`, numbers become exact ``Decimal`` values.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lark import Token, Transformer, Tree, v_args
from lark.tree import Meta

from tariff.dsl import ast

_ESCAPE = re.compile(r"\\(.)")


@v_args(meta=True)
class AstBuilder(Transformer[Token, Any]):
    """Builds the AST of one file; ``path`` goes into every span."""

    def __init__(self, path: str) -> None:
        super().__init__(visit_tokens=False)
        self.path = path

    # ----------------------------------------------------------- helpers

    def _span(self, meta: Meta) -> ast.Span:
        if getattr(meta, "empty", True):
            return ast.Span(self.path, 1, 1, 1, 1)
        return ast.Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def token_span(self, token: Token) -> ast.Span:
        """The span of a single token."""
        return ast.Span(
            self.path,
            token.line or 1,
            token.column or 1,
            token.end_line or token.line or 1,
            token.end_column or token.column or 1,
        )

    def _name(self, token: Token) -> ast.Name:
        return ast.Name(str(token), self.token_span(token))

    def _text(self, token: Token) -> ast.Text:
        return ast.Text(_ESCAPE.sub(r"\1", str(token)[1:-1]), self.token_span(token))

    def _number(self, token: Token) -> ast.Number:
        return ast.Number(Decimal(str(token)), self.token_span(token))

    def _date(self, token: Token) -> ast.DateText:
        return ast.DateText(str(token), self.token_span(token))

    @staticmethod
    def _discountable(children: list[Any]) -> bool:
        return not any(isinstance(child, _NotDiscountable) for child in children)

    # ------------------------------------------------------------ literals

    def start(self, meta: Meta, children: list[Any]) -> tuple[ast.Definition, ...]:
        return tuple(children)

    def money(self, meta: Meta, children: list[Token]) -> ast.Money:
        amount, currency = children
        return ast.Money(
            Decimal(str(amount)), str(currency), self._span(meta), self.token_span(currency)
        )

    def price_list(self, meta: Meta, children: list[ast.Money]) -> tuple[ast.Money, ...]:
        return tuple(children)

    def not_discountable(self, meta: Meta, children: list[Token]) -> _NotDiscountable:
        return _NotDiscountable()

    # ------------------------------------------------- shared statements

    def display_name(self, meta: Meta, children: list[Token]) -> ast.DisplayName:
        return ast.DisplayName(self._text(children[0]), self._span(meta))

    def licence(self, meta: Meta, children: list[Any]) -> ast.Licence:
        return ast.Licence(children[0], self._discountable(children), self._span(meta))

    def call_fee(self, meta: Meta, children: list[Any]) -> ast.CallFee:
        return ast.CallFee(children[0], self._discountable(children), self._span(meta))

    def inclusive_calls(self, meta: Meta, children: list[Token]) -> ast.InclusiveCalls:
        return ast.InclusiveCalls(self._number(children[0]), self._span(meta))

    # ------------------------------------------------------------ packages

    def package(self, meta: Meta, children: list[Any]) -> ast.Package:
        return ast.Package(self._name(children[0]), tuple(children[1:]), self._span(meta))

    def generation(self, meta: Meta, children: list[Token]) -> ast.Generation:
        return ast.Generation(self._name(children[0]), self._span(meta))

    def package_version(self, meta: Meta, children: list[Any]) -> ast.PackageVersion:
        return ast.PackageVersion(self._date(children[0]), tuple(children[1:]), self._span(meta))

    def chargeable(self, meta: Meta, children: list[Token]) -> ast.Chargeable:
        return ast.Chargeable(self._number(children[0]), self._span(meta))

    def minutes(self, meta: Meta, children: list[Any]) -> ast.Minutes:
        return ast.Minutes(self._name(children[0]), self._discountable(children), self._span(meta))

    def fair_usage(self, meta: Meta, children: list[Any]) -> ast.FairUsage:
        return ast.FairUsage(tuple(children), self._span(meta))

    def fair_usage_minimum(self, meta: Meta, children: list[Token]) -> ast.FairUsageMinimum:
        return ast.FairUsageMinimum(self._number(children[0]), self._span(meta))

    def fair_usage_numbers(self, meta: Meta, children: list[Token]) -> ast.FairUsageNumbers:
        kinds = tuple(self._name(child) for child in children)
        return ast.FairUsageNumbers(kinds, self._span(meta))

    def fair_usage_counting(self, meta: Meta, children: list[Token]) -> ast.FairUsageCounting:
        return ast.FairUsageCounting(self._number(children[0]), self._span(meta))

    def fair_usage_unit_rate(self, meta: Meta, children: list[Any]) -> ast.FairUsageUnitRate:
        return ast.FairUsageUnitRate(children[0], self._span(meta))

    def fair_usage_partial_months(
        self, meta: Meta, children: list[Tree[Token]]
    ) -> ast.FairUsagePartialMonths:
        return ast.FairUsagePartialMonths(children[0].data == "exempt", self._span(meta))

    # -------------------------------------------------------- tariff sheets

    def sheet(self, meta: Meta, children: list[Any]) -> ast.Sheet:
        return ast.Sheet(self._name(children[0]), tuple(children[1:]), self._span(meta))

    def sheet_version(self, meta: Meta, children: list[Any]) -> ast.SheetVersion:
        return ast.SheetVersion(self._date(children[0]), tuple(children[1:]), self._span(meta))

    def rounding(self, meta: Meta, children: list[Token]) -> ast.Rounding:
        return ast.Rounding(self._name(children[0]), self._span(meta))

    def dial(self, meta: Meta, children: list[Token]) -> ast.Dial:
        prefix, replacement = children
        return ast.Dial(self._text(prefix), self._text(replacement), self._span(meta))

    def band(self, meta: Meta, children: list[Any]) -> ast.Band:
        return ast.Band(self._name(children[0]), tuple(children[1:]), self._span(meta))

    def prefixes(self, meta: Meta, children: list[Token]) -> ast.Prefixes:
        return ast.Prefixes(tuple(self._text(child) for child in children), self._span(meta))

    def band_rate(self, meta: Meta, children: list[Any]) -> ast.BandRate:
        return ast.BandRate(children[0], self._span(meta))

    def barred(self, meta: Meta, children: list[Token]) -> ast.Barred:
        return ast.Barred(tuple(self._text(child) for child in children), self._span(meta))

    def deck(self, meta: Meta, children: list[Token]) -> ast.Deck:
        return ast.Deck(self._text(children[0]), self._span(meta))

    def increments(self, meta: Meta, children: list[Token]) -> ast.Increments:
        first, step = children
        return ast.Increments(self._number(first), self._number(step), self._span(meta))

    def connection_fee(self, meta: Meta, children: list[Any]) -> ast.ConnectionFee:
        return ast.ConnectionFee(children[0], self._span(meta))

    def minimum_charge(self, meta: Meta, children: list[Any]) -> ast.MinimumCharge:
        return ast.MinimumCharge(children[0], self._span(meta))

    def band_terms(self, meta: Meta, children: list[Any]) -> ast.BandTerms:
        return ast.BandTerms(self._name(children[0]), tuple(children[1:]), self._span(meta))

    # ---------------------------------------------------------- order forms

    def order_form(self, meta: Meta, children: list[Any]) -> ast.OrderForm:
        return ast.OrderForm(self._text(children[0]), tuple(children[1:]), self._span(meta))

    def package_pin(self, meta: Meta, children: list[Token]) -> ast.PackagePin:
        version = self._date(children[1]) if len(children) > 1 else None
        return ast.PackagePin(self._name(children[0]), version, self._span(meta))

    def currency_pin(self, meta: Meta, children: list[Token]) -> ast.CurrencyPin:
        return ast.CurrencyPin(self._name(children[0]), self._span(meta))

    def custom_rate(self, meta: Meta, children: list[Any]) -> ast.CustomRate:
        return ast.CustomRate(self._name(children[0]), children[1], self._span(meta))

    def fair_usage_rate(self, meta: Meta, children: list[Any]) -> ast.FairUsageRate:
        return ast.FairUsageRate(children[0], self._span(meta))

    def discount(self, meta: Meta, children: list[Any]) -> ast.Discount:
        percent = self._number(children[0])
        charges: tuple[ast.Name, ...] = ()
        start = end = None
        for child in children[1:]:
            if isinstance(child, _Scope):
                charges = child.charges
            elif isinstance(child, _MonthBound):
                if child.is_start:
                    start = child.month
                else:
                    end = child.month
        return ast.Discount(percent, charges, start, end, self._span(meta))

    def contract_end(self, meta: Meta, children: list[Token]) -> ast.ContractEnd:
        return ast.ContractEnd(self._date(children[0]), self._span(meta))

    def discount_scope(self, meta: Meta, children: list[ast.Name]) -> _Scope:
        return _Scope(tuple(children))

    def charge(self, meta: Meta, children: list[Token]) -> ast.Name:
        words = " ".join(str(child) for child in children)
        return ast.Name(words, self._span(meta))

    def discount_from(self, meta: Meta, children: list[Token]) -> _MonthBound:
        return _MonthBound(self._date(children[0]), is_start=True)

    def discount_to(self, meta: Meta, children: list[Token]) -> _MonthBound:
        return _MonthBound(self._date(children[0]), is_start=False)

    # ------------------------------------------------- the issuer and taxes

    def issuer(self, meta: Meta, children: list[Any]) -> ast.Issuer:
        return ast.Issuer(tuple(children), self._span(meta))

    def issuer_detail(self, meta: Meta, children: list[Any]) -> ast.IssuerDetail:
        kind, *values = children
        return ast.IssuerDetail(kind, tuple(self._text(v) for v in values), self._span(meta))

    def detail_kind(self, meta: Meta, children: list[Token]) -> str:
        return " ".join(str(child) for child in children)

    def payment_terms(self, meta: Meta, children: list[Token]) -> ast.PaymentTerms:
        return ast.PaymentTerms(self._number(children[0]), self._span(meta))

    def default_country(
        self, meta: Meta, children: list[tuple[ast.Text, ast.Name]]
    ) -> ast.DefaultCountry:
        return ast.DefaultCountry(tuple(children), self._span(meta))

    def country_for(self, meta: Meta, children: list[Token]) -> tuple[ast.Text, ast.Name]:
        country, currency = children
        return self._text(country), self._name(currency)

    def tax(self, meta: Meta, children: list[Any]) -> ast.Tax:
        return ast.Tax(self._name(children[0]), tuple(children[1:]), self._span(meta))

    def tax_countries(self, meta: Meta, children: list[Token]) -> ast.TaxCountries:
        return ast.TaxCountries(tuple(self._text(child) for child in children), self._span(meta))

    def tax_rate(self, meta: Meta, children: list[Token]) -> ast.TaxRate:
        start = self._date(children[1]) if len(children) > 1 else None
        return ast.TaxRate(self._number(children[0]), start, self._span(meta))

    def tax_note(self, meta: Meta, children: list[Token]) -> ast.TaxNote:
        return ast.TaxNote(self._text(children[0]), self._span(meta))


class _NotDiscountable:
    """Marks a ``not discountable`` modifier while its statement is built."""


class _Scope:
    """The charges a discount is limited to, while the discount is built."""

    def __init__(self, charges: tuple[ast.Name, ...]) -> None:
        self.charges = charges


class _MonthBound:
    """A discount's ``from``/``to`` month, while the discount is built."""

    def __init__(self, month: ast.DateText, *, is_start: bool) -> None:
        self.month = month
        self.is_start = is_start


def build_definitions(tree: Tree[Token], path: str) -> tuple[ast.Definition, ...]:
    """The definitions of one parsed file, as AST nodes."""
    definitions: tuple[ast.Definition, ...] = AstBuilder(path).transform(tree)
    return definitions
