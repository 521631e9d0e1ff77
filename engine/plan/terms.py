"""Each account's terms for a month: package version, sheet, prices and discounts.

The order form wins over the accounts file, and the accounts file over the
package defaults. Every price keeps where it came from (``package``, ``sheet``
or ``order form``) so that invoices can be explained.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tariff.dsl.ast import Span
from tariff.dsl.diagnostics import did_you_mean
from tariff.dsl.months import Month
from tariff.engine.plan.model import (
    CallTerms,
    DiscountTerms,
    FairUsageTerms,
    OrderFormTerms,
    PackageVersionTerms,
    Prices,
    RatingPlan,
    SheetVersionTerms,
)
from tariff.engine.usage import AccountRow, UsageError, UsageProblem


@dataclass(frozen=True)
class Origin:
    """Where a term came from: the tariff statement, or a row of the accounts file."""

    source: str  # "package", "sheet", "order form", "tax" or "accounts file"
    span: Span | None = None
    row: int | None = None
    file: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class Priced:
    """A price in the account's currency and where it came from."""

    amount: Decimal
    origin: Origin


@dataclass(frozen=True)
class Discounted:
    """A discount in force this month and where it was agreed."""

    terms: DiscountTerms
    origin: Origin


@dataclass(frozen=True)
class CallPricing:
    """A band's call terms for one account, in its currency: what a call costs besides its rate.

    ``origins`` says where each term that is not the default was set
    ("increments", "connection fee", "minimum charge").
    """

    first: int = 1
    step: int = 1
    connection_fee: Decimal = Decimal(0)
    minimum_charge: Decimal = Decimal(0)
    origins: Mapping[str, Origin] = field(default_factory=dict)

    @property
    def per_second(self) -> bool:
        """Whether a call costs its seconds at the rate, and nothing else."""
        return (self.first, self.step) == (1, 1) and not (
            self.connection_fee or self.minimum_charge
        )


PER_SECOND_PRICING = CallPricing()


@dataclass(frozen=True)
class TaxDue:
    """The tax an account's invoice carries this month: its name, rate and rule."""

    title: str
    percent: Decimal
    origin: Origin


@dataclass(frozen=True)
class AccountTerms:
    """Everything needed to invoice one account for one month."""

    account: AccountRow
    name: str | None
    currency: str
    timezone: str
    package: PackageVersionTerms
    sheet: SheetVersionTerms
    licence: Priced
    call_fee: Priced
    inclusive_calls: int
    inclusive_origin: Origin
    band_rates: Mapping[str, Priced]
    fair_usage: FairUsageTerms | None
    fair_usage_rate: Priced | None
    discounts: tuple[Discounted, ...]
    order_form: OrderFormTerms | None
    # The account's country (its own, else its currency's default), the tax
    # its invoice carries, and, when none applies, the notes that say so.
    country: str | None = None
    tax: TaxDue | None = None
    tax_notes: tuple[str, ...] = ()
    # Each band's increments, connection fee and minimum charge (absent: per second).
    band_calls: Mapping[str, CallPricing] = field(default_factory=dict)

    def calls_in(self, band: str) -> CallPricing:
        """How the account's calls in ``band`` are priced besides the rate."""
        return self.band_calls.get(band, PER_SECOND_PRICING)

    @property
    def account_id(self) -> str:
        """The account's id."""
        return self.account.account_id


def unmatched_order_forms(
    plan: RatingPlan, accounts: Sequence[AccountRow], month: Month
) -> list[UsageProblem]:
    """Order forms in force in ``month`` for accounts the accounts file does not have.

    A mistyped account id must never bill the list price: each is a problem at
    the order form's statement, naming the nearest account id.
    """
    ids = [account.account_id for account in accounts]
    known = set(ids)
    problems = []
    for account_id, form in sorted(plan.order_forms.items()):
        if account_id in known or not form.in_force(month):
            continue
        hint = did_you_mean(account_id, ids)
        shown = accounts[0].file if accounts else "the accounts file"
        problems.append(
            UsageProblem(
                str(form.span),
                None,
                None,
                f"order form '{account_id}' is for an account that is not in {shown}"
                + (f" ({hint})" if hint else "")
                + ", so its terms would not be billed; correct its account id, or say "
                "when its contract ended (`contract ends YYYY-MM`)",
            )
        )
    return problems


def resolve_terms(
    plan: RatingPlan,
    accounts: Sequence[AccountRow],
    month: Month,
    problems_so_far: Sequence[UsageProblem] = (),
) -> dict[str, AccountTerms]:
    """Every account's terms for ``month``; raise UsageError listing every problem.

    ``problems_so_far`` are reported with the accounts' own, in one error.
    """
    problems: list[UsageProblem] = list(problems_so_far)
    resolved: dict[str, AccountTerms] = {}
    for account in accounts:
        resolver = _Resolver(plan, account, month)
        terms = resolver.resolve()
        problems += resolver.problems
        if terms is not None:
            resolved[account.account_id] = terms
    if problems:
        raise UsageError(problems)
    return resolved


class _Resolver:
    def __init__(self, plan: RatingPlan, account: AccountRow, month: Month) -> None:
        self.plan = plan
        self.account = account
        self.month = month
        form = plan.order_forms.get(account.account_id)
        # An order form whose contract has ended no longer sets the account's terms.
        self.form = form if form is not None and form.in_force(month) else None
        self.problems: list[UsageProblem] = []

    def _problem(self, field: str | None, message: str) -> None:
        self.problems.append(UsageProblem(self.account.file, self.account.row, field, message))

    def _form_note(self) -> str:
        return f" (order form at {self.form.span})" if self.form else ""

    def resolve(self) -> AccountTerms | None:
        package = self._package_version()
        if package is None:
            return None
        currency = (self.form.currency if self.form else None) or self.account.currency
        if currency not in package.currencies:
            offered = ", ".join(sorted(package.currencies))
            self._problem(
                "currency",
                f"package {package.package} version {package.version} has no {currency} "
                f"edition (it offers {offered}){self._form_note()}",
            )
            return None
        sheet = self.plan.sheet_version(package.sheet, self.month)
        if sheet is None:
            self._problem(
                None,
                f"sheet {package.sheet} has no version in effect in {self.month}, so "
                f"package {package.package} cannot price minutes then",
            )
            return None
        form = self.form
        licence = self._price(
            "licence",
            form.licence if form else None,
            form.span_of("licence") if form else None,
            package.licence,
            currency,
            Origin("package", package.span_of("licence")),
        )
        call_fee = self._price(
            "call fee",
            form.call_fee if form else None,
            form.span_of("call fee") if form else None,
            package.call_fee,
            currency,
            Origin("package", package.span_of("call fee")),
        )
        band_rates = {
            name: self._price(
                f"rate for {name}",
                form.band_rates.get(name) if form else None,
                form.band_rate_spans.get(name) if form else None,
                band.rates,
                currency,
                Origin("sheet", band.rate_span),
            )
            for name, band in sheet.bands.items()
        }
        fair_usage_rate = None
        if package.fair_usage is not None:
            fair_usage_rate = self._price(
                "fair usage unit rate",
                form.fair_usage_rates if form else None,
                form.span_of("fair usage unit rate") if form else None,
                package.fair_usage.unit_rates,
                currency,
                Origin("package", package.fair_usage.span_of("unit rate")),
            )
        if self.problems:
            return None
        inclusive = package.inclusive_calls
        inclusive_origin = Origin("package", package.span_of("inclusive calls"))
        if form is not None and form.inclusive_calls is not None:
            inclusive = form.inclusive_calls
            inclusive_origin = Origin("order form", form.span_of("inclusive calls"))
        country, tax, tax_notes = self._tax(currency)
        band_calls = {
            name: pricing
            for name, band in sheet.bands.items()
            if not (pricing := self._call_pricing(name, band.calls, currency)).per_second
        }
        if self.problems:
            return None
        return AccountTerms(
            account=self.account,
            name=(form.title if form else None) or self.account.name,
            currency=currency,
            timezone=self.account.timezone,
            package=package,
            sheet=sheet,
            licence=licence,
            call_fee=call_fee,
            inclusive_calls=inclusive,
            inclusive_origin=inclusive_origin,
            band_rates=band_rates,
            fair_usage=package.fair_usage,
            fair_usage_rate=fair_usage_rate,
            discounts=self._discounts(),
            order_form=form,
            country=country,
            tax=tax,
            tax_notes=tax_notes,
            band_calls=band_calls,
        )

    def _call_pricing(self, band: str, listed: CallTerms, currency: str) -> CallPricing:
        """The band's call terms for this account: the order form's, else the sheet's."""
        agreed = self.form.band_calls.get(band) if self.form else None
        terms = listed.merged(agreed) if agreed is not None else listed
        if agreed is not None:
            for term, prices in (
                ("connection fee", agreed.connection_fee),
                ("minimum charge", agreed.minimum_charge),
            ):
                if term in agreed.spans and currency not in prices:
                    self._problem(
                        "currency",
                        f"the order form's {term} for band {band} is in "
                        f"{', '.join(sorted(prices))}, but the account is billed in "
                        f"{currency}{self._form_note()}",
                    )
        origins = {
            term: Origin("order form" if agreed and term in agreed.spans else "sheet", span)
            for term, span in terms.spans.items()
        }
        return CallPricing(
            terms.first,
            terms.step,
            terms.connection_fee.get(currency, Decimal(0)),
            terms.minimum_charge.get(currency, Decimal(0)),
            origins,
        )

    def _tax(self, currency: str) -> tuple[str | None, TaxDue | None, tuple[str, ...]]:
        """The account's country, its tax at the rate in force on the month's last day, notes."""
        country = self.plan.country_of(self.account.country, currency)
        rule = self.plan.tax_for(country)
        percent = rule.rate_on(self.month.last_day) if rule is not None else None
        if rule is None or percent is None:
            return country, None, tuple(tax.note for tax in self.plan.taxes if tax.note)
        return country, TaxDue(rule.title, percent, Origin("tax", rule.span)), ()

    def _package_version(self) -> PackageVersionTerms | None:
        form = self.form
        name = form.package if form and form.package else self.account.package
        field = None if form and form.package else "package"
        versions = self.plan.packages.get(name)
        if versions is None:
            hint = did_you_mean(name, self.plan.packages)
            self._problem(
                field,
                f"unknown package '{name}'{self._form_note()}" + (f"; {hint}" if hint else ""),
            )
            return None
        wanted = self.account.version
        if form and form.package:
            wanted = form.version or (wanted if self.account.package == form.package else None)
        if wanted is None:
            version = self.plan.package_version(name, self.month)
            if version is None:
                self._problem(
                    field,
                    f"package {name} has no version in effect in {self.month} (its first "
                    f"version starts {versions[0].effective})",
                )
            return version
        version = next((v for v in versions if v.version == wanted), None)
        if version is None:
            ids = [v.version for v in versions]
            hint = did_you_mean(wanted, ids)
            self._problem(
                "version",
                f"package {name} has no version '{wanted}' (it has {', '.join(ids)})"
                + (f"; {hint}" if hint else ""),
            )
            return None
        if version.effective > self.month.first_day:
            self._problem(
                "version",
                f"version {wanted} of package {name} starts on {version.effective}, after "
                f"the start of {self.month}",
            )
            return None
        return version

    def _price(
        self,
        what: str,
        agreed: Prices | None,
        agreed_span: Span | None,
        listed: Prices,
        currency: str,
        listed_origin: Origin,
    ) -> Priced:
        """The order form's price if it agreed one, else the listed one."""
        if agreed is not None:
            if currency in agreed:
                return Priced(agreed[currency], Origin("order form", agreed_span))
            self._problem(
                "currency",
                f"the order form prices the {what} in {', '.join(sorted(agreed))}, but the "
                f"account is billed in {currency}{self._form_note()}",
            )
        return Priced(listed[currency], listed_origin)

    def _discounts(self) -> tuple[Discounted, ...]:
        if self.form is not None and self.form.discounts:
            return tuple(
                Discounted(d, Origin("order form", d.span))
                for d in self.form.discounts
                if d.applies_in(self.month)
            )
        if self.account.discount_percent > 0:
            origin = Origin(
                "accounts file",
                row=self.account.row,
                file=self.account.file,
                field="discount_percent",
            )
            return (Discounted(DiscountTerms(self.account.discount_percent), origin),)
        return ()
