"""Proof that no call, month or account costs more under one catalogue than another.

Prices are piecewise constant in time: they change only on the months a
package or sheet version, a discount, a contract end or a tax rate starts. So
the proof looks at each such month of either catalogue, and in each at every
account an invoice could be for: every package (and every version an accounts
file may pin), every currency, with no order form and with each order form of
either catalogue. Each is resolved by the engine's own rules
(:func:`~tariff.engine.plan.terms.resolve_terms`) in both catalogues and
compared term by term:

- the licence and the call fee, after the discounts in force;
- inclusive calls (fewer cost more), the shortest chargeable call (shorter
  costs more), and each Fair Usage term;
- every destination: the union of both sheets' prefixes partitions all
  numbers (a number's band is that of its longest matching prefix), and each
  part is priced for every duration from 1 second to the bound, in integer
  minor units, vectorised, exactly as rating prices a call (increments,
  connection fee, minimum charge, the sheet's rounding), then compared after
  the minutes discount;
- the tax rate of every country.

A rise is reported with its cheapest counterexample: the shortest call that
costs more, with what it costs under each catalogue. Dial rules that differ
cannot be proven either way and count as a possible rise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from tariff.dsl.months import Month
from tariff.dsl.vocabulary import MINOR_DIGITS, Charge
from tariff.engine.money import minor_unit
from tariff.engine.plan.model import RatingPlan, SheetVersionTerms
from tariff.engine.plan.terms import AccountTerms, resolve_terms
from tariff.engine.tools.price_curves import PriceKey, first_difference
from tariff.engine.usage import AccountRow, UsageError

DEFAULT_BOUND_SECONDS = 24 * 60 * 60
# An account id no order form can have (T117): the account without one.
_NO_ORDER_FORM = ""


@dataclass(frozen=True)
class Difference:
    """Something that costs differently under NEW: where, when, and by how much.

    ``higher`` says whether it costs more; ``seconds`` is the call's length for
    a call's price (None for a monthly charge or a term).
    """

    higher: bool
    kind: str
    text: str
    context: str
    month: Month
    currency: str
    old: str
    new: str
    excess: Decimal | None = None
    seconds: int | None = None
    prefix: str | None = None
    band: str | None = None
    # How many other accounts, months or destinations show the same difference.
    alike: int = 0

    @property
    def sort_key(self) -> tuple[bool, int, Decimal, str]:
        """Cheapest first: calls, the shortest first, then the smallest excess; then the rest."""
        return (self.seconds is None, self.seconds or 0, self.excess or Decimal(0), self.text)

    @property
    def same_as(self) -> tuple[object, ...]:
        """What makes two differences one: a call's band, length and prices, or the text."""
        if self.kind == "call":
            return (self.kind, self.band, self.currency, self.seconds, self.old, self.new)
        return (self.kind, self.context, self.text)


@dataclass(frozen=True)
class PriceProof:
    """What the proof found: every rise and every other difference, cheapest first."""

    bound_seconds: int
    months: tuple[Month, ...]
    accounts_compared: int
    differences: tuple[Difference, ...]

    @property
    def higher(self) -> list[Difference]:
        """The differences that cost more under NEW."""
        return [d for d in self.differences if d.higher]

    @property
    def same(self) -> bool:
        """Whether the two catalogues price everything the same."""
        return not self.differences


def prove_prices(
    old: RatingPlan, new: RatingPlan, bound_seconds: int = DEFAULT_BOUND_SECONDS
) -> PriceProof:
    """Compare every price of every account in every month that matters (see the module)."""
    months = _months(old, new)
    found: dict[tuple[object, ...], Difference] = {}
    alike: Counter[tuple[object, ...]] = Counter()
    compared = 0
    differences: list[Difference] = []
    # Sheet versions are shared by many accounts and months: partition each pair once.
    partitions: dict[tuple[int, int], Destinations] = {}

    def destinations(old_sheet: SheetVersionTerms, new_sheet: SheetVersionTerms) -> Destinations:
        key = (id(old_sheet), id(new_sheet))
        if key not in partitions:
            partitions[key] = destinations_of(old_sheet, new_sheet)
        return partitions[key]

    for month in months:
        for row in _accounts(old, new):
            before, after = _terms(old, row, month), _terms(new, row, month)
            if before is None and after is None:
                continue
            compared += 1
            differences.extend(_compare(before, after, row, month, bound_seconds, destinations))
        differences.extend(_tax_differences(old, new, month))
    for difference in differences:
        # The same change shows in many months, accounts and destinations: keep
        # the first, count the rest.
        alike[difference.same_as] += 1
        found.setdefault(difference.same_as, difference)
    counted = [replace(d, alike=alike[key] - 1) for key, d in found.items()]
    ordered = sorted(counted, key=lambda d: (not d.higher, d.sort_key))
    return PriceProof(bound_seconds, tuple(months), compared, tuple(ordered))


def _months(old: RatingPlan, new: RatingPlan) -> list[Month]:
    """Each month on which some price of either catalogue can start or stop."""
    months: set[Month] = set()
    for plan in (old, new):
        for versions in plan.packages.values():
            months |= {Month.of(v.effective) for v in versions}
        for sheets in plan.sheets.values():
            for sheet in sheets:
                # A sheet version applies from the first month it is in effect on the 1st.
                month = Month.of(sheet.effective)
                months.add(month if sheet.effective.day == 1 else month.next)
        for form in plan.order_forms.values():
            if form.contract_ends is not None:
                months.add(form.contract_ends.next)
            for discount in form.discounts:
                months |= {m for m in (discount.start, discount.end and discount.end.next) if m}
        for tax in plan.taxes:
            months |= {Month.of(r.effective) for r in tax.rates if r.effective is not None}
    return sorted(months)


def _accounts(old: RatingPlan, new: RatingPlan) -> Iterator[AccountRow]:
    """Every account an invoice could be for, as far as prices go."""
    plans = (old, new)
    packages = sorted(old.packages.keys() | new.packages.keys())
    currencies = sorted(
        {c for plan in plans for vs in plan.packages.values() for v in vs for c in v.currencies}
    )
    forms = sorted(old.order_forms.keys() | new.order_forms.keys())
    for account_id in [_NO_ORDER_FORM, *forms]:
        pins = [
            plan.order_forms[account_id].package for plan in plans if account_id in plan.order_forms
        ]
        pinned = sorted({pin for pin in pins if pin is not None})
        # A form that pins its package in both catalogues decides it; else the accounts file does.
        for package in pinned if pins and None not in pins else packages:
            versions = {v.version for plan in plans for v in plan.packages.get(package, ())}
            for version in [None, *sorted(versions)]:
                for currency in currencies:
                    yield AccountRow(
                        file="(every account)",
                        row=0,
                        account_id=account_id,
                        name=None,
                        package=package,
                        version=version,
                        currency=currency,
                        discount_percent=Decimal(0),
                        timezone="UTC",
                    )


def _terms(plan: RatingPlan, row: AccountRow, month: Month) -> AccountTerms | None:
    try:
        return resolve_terms(plan, [row], month)[row.account_id]
    except UsageError:
        return None  # no such package, version or edition then: nothing to bill


def _context(terms: AccountTerms, row: AccountRow) -> str:
    package = terms.package
    said = f"{package.package} {package.version} in {terms.currency}"
    if row.account_id != _NO_ORDER_FORM and terms.order_form is not None:
        said += f' for order form "{row.account_id}"'
    return said


def _compare(
    before: AccountTerms | None,
    after: AccountTerms | None,
    row: AccountRow,
    month: Month,
    bound: int,
    destinations: Callable[[SheetVersionTerms, SheetVersionTerms], Destinations],
) -> Iterator[Difference]:
    if before is None or after is None:
        terms = after or before
        assert terms is not None
        where = _context(terms, row)
        billable = after is not None
        yield Difference(
            billable,
            "account",
            f"an account on {where} is billed under "
            + ("NEW, not under OLD" if billable else "OLD, not under NEW"),
            where,
            month,
            terms.currency,
            "not billed" if billable else "billed",
            "billed" if billable else "not billed",
        )
        return
    where = _context(after, row)
    currency = after.currency

    def money(
        kind: str, charge: Charge, was: Decimal, now: Decimal, unit: str
    ) -> Difference | None:
        was_paid = was * _kept(before, charge)
        now_paid = now * _kept(after, charge)
        if was_paid == now_paid:
            return None
        higher = now_paid > was_paid
        change = abs(now_paid - was_paid)
        rounded = change.quantize(Decimal(1).scaleb(-MINOR_DIGITS[currency]))
        return Difference(
            higher,
            kind,
            f"the {kind} of {where} costs {rounded} {'more' if higher else 'less'}{unit}",
            where,
            month,
            currency,
            str(was_paid.normalize()),
            str(now_paid.normalize()),
            excess=now_paid - was_paid if higher else None,
        )

    for found in (
        money("licence", Charge.LICENCE, before.licence.amount, after.licence.amount, " a month"),
        money(
            "call fee", Charge.CALL_FEE, before.call_fee.amount, after.call_fee.amount, " a call"
        ),
    ):
        if found is not None:
            yield found
    yield from _term_differences(before, after, where, month)
    yield from _destination_differences(
        before, after, where, month, bound, destinations(before.sheet, after.sheet)
    )


def _kept(terms: AccountTerms, charge: Charge) -> Decimal:
    """What is left of a charge after the discounts in force (1: none)."""
    package = terms.package
    discountable = {
        Charge.LICENCE: package.licence_discountable,
        Charge.CALL_FEE: package.call_fee_discountable,
        Charge.MINUTES: package.minutes_discountable,
    }[charge]
    if not discountable:
        return Decimal(1)
    percent = sum((d.terms.percent for d in terms.discounts if d.terms.covers(charge)), Decimal(0))
    return 1 - percent / 100


def _term_differences(
    before: AccountTerms, after: AccountTerms, where: str, month: Month
) -> Iterator[Difference]:
    """Counts and Fair Usage terms: each compared in the direction that costs more."""
    currency = after.currency
    # (kind, old, new, whether new costs more): more is worse for all but these.
    terms: list[tuple[str, object, object, bool]] = [
        (
            "inclusive calls",
            before.inclusive_calls,
            after.inclusive_calls,
            after.inclusive_calls < before.inclusive_calls,
        ),
        (
            "chargeable from (seconds)",
            before.package.chargeable_from_seconds,
            after.package.chargeable_from_seconds,
            after.package.chargeable_from_seconds < before.package.chargeable_from_seconds,
        ),
    ]
    old_fair, new_fair = before.fair_usage, after.fair_usage
    old_rate = before.fair_usage_rate.amount if before.fair_usage_rate else Decimal(0)
    new_rate = after.fair_usage_rate.amount if after.fair_usage_rate else Decimal(0)
    if (old_fair is None) != (new_fair is None):
        owes = new_fair is not None and new_rate > 0
        terms.append(("fair usage", _said(old_fair), _said(new_fair), owes))
    elif old_fair is not None and new_fair is not None:
        terms += [
            ("fair usage unit rate", old_rate, new_rate, new_rate > old_rate),
            (
                "fair usage minimum calls",
                old_fair.minimum_calls,
                new_fair.minimum_calls,
                new_fair.minimum_calls > old_fair.minimum_calls,
            ),
            (
                "fair usage numbers",
                ", ".join(sorted(old_fair.number_kinds)),
                ", ".join(sorted(new_fair.number_kinds)),
                not new_fair.number_kinds <= old_fair.number_kinds,
            ),
            (
                "fair usage counting from (seconds)",
                old_fair.counting_from_seconds,
                new_fair.counting_from_seconds,
                new_fair.counting_from_seconds > old_fair.counting_from_seconds,
            ),
            (
                "fair usage partial months exempt",
                old_fair.partial_months_exempt,
                new_fair.partial_months_exempt,
                old_fair.partial_months_exempt and not new_fair.partial_months_exempt,
            ),
        ]
    for kind, was, now, higher in terms:
        if was != now:
            text = f"{kind} on {where}: {was} → {now}"
            yield Difference(higher, kind, text, where, month, currency, str(was), str(now))


def _said(fair: object) -> str:
    return "none" if fair is None else "a Fair Usage clause"


# Each part of the numbers two sheet versions partition: an example prefix, its bands.
Destinations = list[tuple[str, str | None, str | None]]


def _destination_differences(
    before: AccountTerms,
    after: AccountTerms,
    where: str,
    month: Month,
    bound: int,
    destinations: Destinations,
) -> Iterator[Difference]:
    currency = after.currency
    if before.sheet.dial != after.sheet.dial:
        yield Difference(
            True,
            "dial rules",
            f"the dial rules of {where} differ: a number may reach another destination "
            "(not proven either way)",
            where,
            month,
            currency,
            _dial_text(before.sheet),
            _dial_text(after.sheet),
        )
    old_kept, new_kept = _kept(before, Charge.MINUTES), _kept(after, Charge.MINUTES)
    for prefix, old_band, new_band in destinations:
        found = first_difference(
            bound, _price_key(before, old_band), old_kept, _price_key(after, new_band), new_kept
        )
        if found is None:
            continue
        seconds, higher, was, now, excess = found
        shown = new_band or old_band
        more = "more" if higher else "less"
        amount = f" {excess.quantize(minor_unit(currency))}" if excess is not None else ""
        text = (
            f'a {seconds} s call to {shown} ("{prefix}") on {where} costs{amount} {more}'
            f" ({was} → {now})"
        )
        yield Difference(
            higher, "call", text, where, month, currency, was, now, excess, seconds, prefix, shown
        )


def destinations_of(old: SheetVersionTerms, new: SheetVersionTerms) -> Destinations:
    """Every pair of bands a number can fall in under the two sheets, with its first prefix.

    The union of both sheets' prefixes partitions all numbers: a number's longest
    matching prefix in the union decides its band in each sheet, since any
    prefix of either sheet that matches the number is in the union and starts
    that longest one. Numbers no prefix matches are rejected under both.
    """
    old_table, new_table = old.prefix_bands(), new.prefix_bands()
    seen: dict[tuple[str | None, str | None], str] = {}
    for prefix in sorted(old_table.keys() | new_table.keys()):
        pair = (longest_match(old_table, prefix), longest_match(new_table, prefix))
        if pair != (None, None):
            seen.setdefault(pair, prefix)
    return [(prefix, old_band, new_band) for (old_band, new_band), prefix in seen.items()]


def _dial_text(sheet: SheetVersionTerms) -> str:
    return ", ".join(f'"{p}" as "{r}"' for p, r in sorted(sheet.dial.items())) or "none"


def longest_match(table: Mapping[str, str | None], prefix: str) -> str | None:
    """The band of the longest prefix in ``table`` that starts ``prefix`` (None: barred or none)."""
    for length in range(len(prefix), 0, -1):
        if prefix[:length] in table:
            return table[prefix[:length]]
    return None


def _price_key(terms: AccountTerms, band: str | None) -> PriceKey | None:
    if band is None:
        return None  # barred, or no band: the call is rejected, not billed
    calls = terms.calls_in(band)
    rate = terms.band_rates[band].amount
    return (
        rate,
        calls.first,
        calls.step,
        calls.connection_fee,
        calls.minimum_charge,
        terms.sheet.rounding,
        terms.currency,
    )


def _tax_differences(old: RatingPlan, new: RatingPlan, month: Month) -> Iterator[Difference]:
    countries = sorted(
        {c for plan in (old, new) for tax in plan.taxes for c in tax.countries}
        | {c for plan in (old, new) for c in plan.default_countries.values()}
    )
    for country in countries:
        rates = []
        for plan in (old, new):
            tax = plan.tax_for(country)
            rates.append(tax.rate_on(month.last_day) if tax is not None else None)
        was, now = (rate or Decimal(0) for rate in rates)
        if was != now:
            text = f"the tax rate in {country}: {was}% → {now}%"
            yield Difference(now > was, "tax", text, country, month, "", f"{was}%", f"{now}%")
