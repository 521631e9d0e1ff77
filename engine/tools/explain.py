"""Why an invoice says what it says: every line with its rule, source and values.

``tariff explain`` and embedders use :func:`explain_invoice`. For each line it
gives the rule that produced it, the statement that set its price (and whether
that was the sheet, the package or the order form), and the values the engine
used: rates, quantities, thresholds, rounding, and for call fees which calls
were inclusive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

import polars as pl
from pydantic import BaseModel, ConfigDict

from tariff.dsl.ast import Span
from tariff.dsl.diagnostics import did_you_mean
from tariff.dsl.months import Month
from tariff.dsl.vocabulary import Charge, Rounding
from tariff.engine.api import rate_month_with_calls
from tariff.engine.invoice.models import Invoice, InvoiceLine, LineSource
from tariff.engine.invoice.provenance import line_source
from tariff.engine.money import exact_sum, from_minor
from tariff.engine.plan.model import RatingPlan
from tariff.engine.plan.terms import AccountTerms, Origin, resolve_terms
from tariff.engine.usage import Usage, UsageError, UsageProblem

Value = str | int | bool | list[str]


class Fact(BaseModel):
    """One value the engine used, with where it was set when that is a tariff statement."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: Value
    source: LineSource | None = None


class LineExplanation(BaseModel):
    """One invoice line, the rule behind it and the values it used."""

    model_config = ConfigDict(frozen=True)

    line: InvoiceLine
    rule: str
    facts: tuple[Fact, ...]


class CallExplanation(BaseModel):
    """One call's price: its seconds and billed seconds, and the fee and minimum it paid."""

    model_config = ConfigDict(frozen=True)

    call_id: str
    band: str
    facts: tuple[Fact, ...]


class InvoiceExplanation(BaseModel):
    """An invoice, line by line, and the calls asked about."""

    model_config = ConfigDict(frozen=True)

    period: str
    invoice: Invoice
    lines: tuple[LineExplanation, ...]
    calls: tuple[CallExplanation, ...] = ()

    def to_json(self) -> str:
        """The explanation as a JSON document."""
        return self.model_dump_json(indent=2, exclude_none=True) + "\n"


def explain_invoice(
    plan: RatingPlan,
    month: Month | str,
    usage: Usage,
    account_id: str,
    *,
    issued_on: dt.date | None = None,
    call_ids: Sequence[str] = (),
) -> InvoiceExplanation:
    """Explain one account's invoice for ``month``; UsageError if the account is unknown.

    ``call_ids`` names calls of the account to explain one by one; UsageError
    for a call that is not one of the account's rated calls.
    """
    period = month if isinstance(month, Month) else Month.parse(month)
    ids = [a.account_id for a in usage.accounts]
    if account_id not in ids:
        file = usage.accounts[0].file if usage.accounts else "the accounts file"
        hint = did_you_mean(account_id, ids)
        message = f"has no account '{account_id}'" + (f"; {hint}" if hint else "")
        raise UsageError([UsageProblem(file, None, None, message)])
    run, calls = rate_month_with_calls(plan, period, usage, account_id, issued_on=issued_on)
    invoice = next(i for i in run.invoices if i.account_id == account_id)
    terms = resolve_terms(plan, usage.accounts, period)
    explainer = _Explainer(terms[account_id], calls, plan.source_names)
    known = set(calls["call_id"].to_list())
    for call_id in call_ids:
        if call_id not in known:
            hint = did_you_mean(call_id, sorted(known))
            message = f"is not a rated call of {account_id} in {period}: '{call_id}'"
            file = usage.calls.file
            raise UsageError(
                [UsageProblem(file, None, None, message + (f"; {hint}" if hint else ""))]
            )
    return InvoiceExplanation(
        period=str(period),
        invoice=invoice,
        lines=tuple(explainer.explain(line, invoice.lines) for line in invoice.lines),
        calls=tuple(explainer.call(call_id) for call_id in call_ids),
    )


class _Explainer:
    def __init__(self, terms: AccountTerms, calls: pl.DataFrame, names: Mapping[str, str]) -> None:
        self.terms = terms
        self.calls = calls
        self.names = names
        package = terms.package
        self.package_name = f"package {package.package} version {package.version}"

    def explain(self, line: InvoiceLine, lines: Sequence[InvoiceLine]) -> LineExplanation:
        if line.kind == Charge.LICENCE:
            return self._licence(line)
        if line.kind == Charge.CALL_FEE:
            return self._call_fee(line)
        if line.kind == Charge.MINUTES:
            return self._minutes(line)
        if line.kind == Charge.FAIR_USAGE:
            return self._fair_usage(line)
        if line.kind == Charge.TAX:
            return self._tax(line)
        return self._discount(line, lines)

    def _source(self, origin: Origin) -> LineSource | None:
        return line_source(origin, self.names)

    def _span_source(self, span: Span, origin: str) -> LineSource | None:
        return self._source(Origin(origin, span))

    def _tax(self, line: InvoiceLine) -> LineExplanation:
        facts = (
            Fact(name="country", value=str(self.terms.country), source=self._country_source()),
            Fact(name="net (subtotal + discount)", value=str(line.unit_price)),
            Fact(name="rate percent", value=str(line.rate), source=line.source),
            Fact(
                name="rounding",
                value=f"net × rate / 100, once per invoice, rounded {Rounding.HALF_UP} to the "
                "minor unit",
            ),
        )
        rule = f"{line.description} of the net, as invoices of accounts in {self.terms.country} pay"
        return LineExplanation(line=line, rule=rule, facts=facts)

    def _country_source(self) -> LineSource | None:
        account = self.terms.account
        if account.country is None:
            return None  # the default country of the account's currency
        origin = Origin("accounts file", row=account.row, file=account.file, field="country")
        return self._source(origin)

    def _origin_rule(self, line: InvoiceLine, what: str) -> str:
        if line.source is not None and line.source.origin == "order form":
            return f"{what} agreed in the order form of {self.terms.account_id}"
        return f"{what} of {self.package_name}"

    def _licence(self, line: InvoiceLine) -> LineExplanation:
        return LineExplanation(
            line=line,
            rule=self._origin_rule(line, "the edition licence"),
            facts=(Fact(name="price per month", value=str(line.unit_price), source=line.source),),
        )

    def _call_fee(self, line: InvoiceLine) -> LineExplanation:
        terms, package = self.terms, self.terms.package
        chargeable = self.calls.filter(pl.col("chargeable"))
        inclusive = self.calls.filter(pl.col("inclusive"))
        facts = [
            Fact(
                name="chargeable calls",
                value=chargeable.height,
                source=self._span_source(package.span_of("chargeable"), "package"),
            ),
            Fact(
                name="chargeable from seconds",
                value=package.chargeable_from_seconds,
                source=self._span_source(package.span_of("chargeable"), "package"),
            ),
            Fact(
                name="inclusive calls per month",
                value=terms.inclusive_calls,
                source=self._source(terms.inclusive_origin),
            ),
            Fact(
                name="inclusive calls (the first chargeable calls by start time)",
                value=inclusive["call_id"].to_list(),
            ),
            Fact(name="billed calls", value=line.quantity),
            Fact(name="fee per call", value=str(line.unit_price), source=line.source),
        ]
        return LineExplanation(
            line=line, rule=self._origin_rule(line, "the call fee"), facts=tuple(facts)
        )

    def _minutes(self, line: InvoiceLine) -> LineExplanation:
        sheet = self.terms.sheet
        band_calls = self.calls.filter(pl.col("band") == line.band)
        facts = (
            Fact(name="band", value=str(line.band)),
            Fact(
                name="sheet",
                value=f"{sheet.sheet} version {sheet.version}",
                source=self._span_source(sheet.span, "sheet"),
            ),
            Fact(name="calls", value=band_calls.height),
            Fact(name="seconds", value=line.seconds if line.seconds is not None else line.quantity),
            Fact(name="billed seconds", value=line.quantity),
            Fact(name="rate per minute", value=str(line.unit_price), source=line.source),
            *self._call_terms(str(line.band)),
            Fact(
                name="rounding",
                value=(
                    f"each call's duration × rate / 60 rounded {sheet.rounding} to the "
                    "minor unit, then summed"
                    if self.terms.calls_in(str(line.band)).per_second
                    else "each call's fee + billed seconds × rate / 60 (at least its minimum) "
                    f"rounded {sheet.rounding} to the minor unit, then summed"
                ),
                source=self._span_source(sheet.rounding_span, "sheet"),
            ),
        )
        rule = (
            f"minute charges for band {line.band}, at the rate agreed in the order form"
            if line.source is not None and line.source.origin == "order form"
            else f"minute charges for band {line.band} of sheet {sheet.sheet}"
        )
        return LineExplanation(line=line, rule=rule, facts=facts)

    def _call_terms(self, band: str) -> list[Fact]:
        """The band's increments, connection fee and minimum charge, where it has them."""
        pricing = self.terms.calls_in(band)
        if pricing.per_second:
            return []
        terms = (
            ("increments", "increments", f"{pricing.first}/{pricing.step}"),
            ("connection fee", "connection fee per call", str(pricing.connection_fee)),
            ("minimum charge", "minimum charge per call", str(pricing.minimum_charge)),
        )
        return [
            Fact(name=name, value=value, source=self._origin_source(pricing.origins.get(term)))
            for term, name, value in terms
        ]

    def _origin_source(self, origin: Origin | None) -> LineSource | None:
        return self._source(origin) if origin is not None else None

    def call(self, call_id: str) -> CallExplanation:
        """One call: actual and billed seconds, rate, the fee and the minimum that applied."""
        row = self.calls.filter(pl.col("call_id") == call_id).row(0, named=True)
        band = str(row["band"])
        pricing = self.terms.calls_in(band)
        rate = self.terms.band_rates[band].amount
        seconds, billed = int(row["duration_s"]), int(row["billed_s"])
        answered = seconds > 0
        fee = pricing.connection_fee if answered else Decimal(0)
        unrounded = fee + Decimal(billed) * rate / 60
        minimum = pricing.minimum_charge if answered else Decimal(0)
        amount = from_minor(int(row["amount"]), self.terms.currency)
        facts = (
            Fact(name="seconds", value=seconds),
            Fact(name="billed seconds", value=billed),
            Fact(name="increments", value=f"{pricing.first}/{pricing.step}"),
            Fact(name="rate per minute", value=str(rate)),
            Fact(name="connection fee", value=str(fee)),
            Fact(name="fee + billed seconds × rate / 60", value=f"{unrounded:f}"),
            Fact(name="minimum charge", value=str(minimum)),
            Fact(name="minimum applied", value=bool(minimum) and unrounded < minimum),
            Fact(name="amount", value=str(amount)),
            Fact(
                name="rounding",
                value=f"once, {self.terms.sheet.rounding}, to the minor unit",
                source=self._span_source(self.terms.sheet.rounding_span, "sheet"),
            ),
        )
        return CallExplanation(call_id=call_id, band=band, facts=facts)

    def _fair_usage(self, line: InvoiceLine) -> LineExplanation:
        clause = self.terms.fair_usage
        assert clause is not None, "a fair usage line comes from a clause"
        counted = self.calls.filter((pl.col("number") == line.number) & pl.col("counts")).height
        facts = (
            Fact(name="number", value=str(line.number)),
            Fact(
                name="minimum calls per month",
                value=clause.minimum_calls,
                source=self._span_source(clause.span_of("minimum"), "package"),
            ),
            Fact(
                name="calls counted",
                value=counted,
                source=self._span_source(clause.span_of("counting"), "package"),
            ),
            Fact(name="missing calls", value=line.quantity),
            Fact(name="rate per missing call", value=str(line.unit_price), source=line.source),
            Fact(
                name="partial months",
                value="exempt" if clause.partial_months_exempt else "owe the full minimum",
                source=self._span_source(clause.span_of("partial months"), "package"),
            ),
            Fact(name="discountable", value=False),
        )
        return LineExplanation(
            line=line, rule=f"fair usage clause of {self.package_name}", facts=facts
        )

    def _discount(self, line: InvoiceLine, lines: Sequence[InvoiceLine]) -> LineExplanation:
        discount = next(
            d for d in self.terms.discounts if self._source(d.origin) == line.source
        ).terms
        charged = [entry for entry in lines if entry.kind not in (Charge.DISCOUNT, Charge.TAX)]
        # The lines the discount left out are the ones its line names.
        excluded = [e for e in charged if e.description in (line.excludes or ())]
        included = [e for e in charged if e not in excluded]
        months = "every month"
        if discount.start or discount.end:
            months = f"from {discount.start or 'the start'} to {discount.end or 'no end'}"
        facts = (
            Fact(name="percent", value=f"{discount.percent.normalize():f}", source=line.source),
            Fact(name="months", value=months),
            Fact(name="discounted lines", value=[e.description for e in included]),
            Fact(name="base", value=str(exact_sum(e.amount for e in included))),
            Fact(name="not discounted", value=[e.description for e in excluded]),
            Fact(name="rounding", value=f"the percentage of the base, rounded {Rounding.HALF_UP}"),
        )
        where = (
            f"the order form of {self.terms.account_id}"
            if line.source is not None and line.source.origin == "order form"
            else "the accounts file"
        )
        return LineExplanation(line=line, rule=f"{line.description} from {where}", facts=facts)


def render_explanation(explanation: InvoiceExplanation) -> str:
    """The explanation as readable text."""
    invoice = explanation.invoice
    name = f"  {invoice.account_name}" if invoice.account_name else ""
    out = [
        f"Invoice {explanation.period} · {invoice.account_id}{name} · "
        f"{invoice.package} {invoice.version} · {invoice.currency}",
        "",
    ]
    for number, entry in enumerate(explanation.lines, start=1):
        line = entry.line
        out.append(f"{number}. {line.description:<60} {line.amount:>10}")
        out.append(f"   rule    {entry.rule}")
        if line.source is not None:
            out.append(f"   source  {line.source} ({line.source.origin})")
        for fact in entry.facts:
            out.append(
                f"   {fact.name}: {_value_text(fact.value)}"
                + (
                    f"  [{fact.source}]"
                    if fact.source is not None and fact.source != line.source
                    else ""
                )
            )
        out.append("")
    out.append(
        f"subtotal {invoice.subtotal} · discount {invoice.discount} · net {invoice.net} · "
        f"tax {invoice.tax} · total {invoice.total}"
    )
    for call in explanation.calls:
        out += ["", f"Call {call.call_id} · band {call.band}"]
        for fact in call.facts:
            where = f"  [{fact.source}]" if fact.source is not None else ""
            out.append(f"   {fact.name}: {_value_text(fact.value)}{where}")
    return "\n".join(out) + "\n"


def _value_text(value: Value) -> str:
    if isinstance(value, list):
        if len(value) > 6:
            shown = ", ".join(value[:3]) + ", …, " + ", ".join(value[-2:])
            return f"{shown} ({len(value)}; --format json lists all)"
        return ", ".join(value) if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
