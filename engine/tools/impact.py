"""What a tariff change does to real invoices: one month rated with two catalogues.

``tariff diff`` and embedders use :func:`invoice_impact`: for each account its
old and new totals, the change and the lines that moved; totals by package and
currency; and how many calls each catalogue rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from tariff.dsl.months import Month
from tariff.dsl.vocabulary import Charge
from tariff.engine.api import rate_month
from tariff.engine.invoice.models import Invoice, InvoiceLine
from tariff.engine.money import exact_sum
from tariff.engine.plan.model import RatingPlan
from tariff.engine.usage import Usage


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class LineChange(_Frozen):
    """A line whose amount differs (or that appears or disappears)."""

    kind: str
    band: str | None = None
    number: str | None = None
    description: str
    old_amount: Decimal | None
    new_amount: Decimal | None
    change: Decimal


class AccountImpact(_Frozen):
    """One account's invoice before and after the change."""

    account_id: str
    package: str
    currency: str
    old_total: Decimal
    new_total: Decimal
    change: Decimal
    lines: tuple[LineChange, ...]


class GroupImpact(_Frozen):
    """The change summed over the accounts of one package and currency (or one currency)."""

    package: str | None
    currency: str
    accounts: int
    changed: int
    old_total: Decimal
    new_total: Decimal
    change: Decimal


class BandImpact(_Frozen):
    """One band's minute charges in one currency, summed over every account, before and after."""

    band: str
    currency: str
    calls: int
    old_seconds: int
    new_seconds: int
    old_amount: Decimal
    new_amount: Decimal
    change: Decimal


class Impact(_Frozen):
    """The invoice impact of changing one catalogue into another, for one month."""

    period: str
    accounts: tuple[AccountImpact, ...]
    by_package: tuple[GroupImpact, ...]
    by_currency: tuple[GroupImpact, ...]
    # The bands whose minute charges moved: the preview of a new rate deck.
    by_band: tuple[BandImpact, ...] = ()
    old_rejected: int
    new_rejected: int

    def to_json(self) -> str:
        """The impact as a JSON document (money as strings)."""
        return self.model_dump_json(indent=2, exclude_none=True) + "\n"


def invoice_impact(old: RatingPlan, new: RatingPlan, month: Month | str, usage: Usage) -> Impact:
    """Rate ``usage`` for ``month`` with both plans and compare the invoices."""
    before = rate_month(old, month, usage)
    after = rate_month(new, month, usage)
    old_invoices = {invoice.account_id: invoice for invoice in before.invoices}
    accounts = tuple(
        _account_impact(old_invoices[invoice.account_id], invoice) for invoice in after.invoices
    )
    return Impact(
        period=after.period,
        accounts=accounts,
        by_package=_groups(accounts, by_package=True),
        by_currency=_groups(accounts, by_package=False),
        by_band=_bands(before.invoices, after.invoices),
        old_rejected=before.summary.calls_rejected,
        new_rejected=after.summary.calls_rejected,
    )


def _bands(old: Sequence[Invoice], new: Sequence[Invoice]) -> tuple[BandImpact, ...]:
    """Minute charges by band and currency before and after, where they moved."""
    totals: dict[tuple[str, str], list[int | Decimal]] = {}
    for position, invoices in enumerate((old, new)):
        for invoice in invoices:
            for line in invoice.lines:
                if line.kind != Charge.MINUTES or line.band is None:
                    continue
                # calls, old seconds, new seconds, old amount, new amount
                entry = totals.setdefault(
                    (line.band, invoice.currency), [0, 0, 0, Decimal(0), Decimal(0)]
                )
                if position == 1:
                    entry[0] += line.calls or 0
                entry[1 + position] += line.quantity
                entry[3 + position] += line.amount
    moved = []
    for (band, currency), (calls, old_s, new_s, old_amount, new_amount) in sorted(totals.items()):
        assert isinstance(old_amount, Decimal) and isinstance(new_amount, Decimal)
        if old_amount != new_amount or old_s != new_s:
            moved.append(
                BandImpact(
                    band=band,
                    currency=currency,
                    calls=int(calls),
                    old_seconds=int(old_s),
                    new_seconds=int(new_s),
                    old_amount=old_amount,
                    new_amount=new_amount,
                    change=new_amount - old_amount,
                )
            )
    return tuple(moved)


def _line_key(line: InvoiceLine) -> tuple[str, str | None, str | None, str | None]:
    # Discounts have no band or number: their description tells them apart.
    description = line.description if line.kind == Charge.DISCOUNT else None
    return line.kind, line.band, line.number, description


def _account_impact(old: Invoice, new: Invoice) -> AccountImpact:
    old_lines = {_line_key(line): line for line in old.lines}
    new_lines = {_line_key(line): line for line in new.lines}
    keys = list(new_lines) + [key for key in old_lines if key not in new_lines]
    moved = []
    for key in keys:
        before, after = old_lines.get(key), new_lines.get(key)
        old_amount = before.amount if before else None
        new_amount = after.amount if after else None
        if old_amount == new_amount:
            continue
        shown = after or before
        assert shown is not None
        moved.append(
            LineChange(
                kind=shown.kind,
                band=shown.band,
                number=shown.number,
                description=shown.description,
                old_amount=old_amount,
                new_amount=new_amount,
                change=(new_amount or Decimal(0)) - (old_amount or Decimal(0)),
            )
        )
    return AccountImpact(
        account_id=new.account_id,
        package=new.package,
        currency=new.currency,
        old_total=old.total,
        new_total=new.total,
        change=new.total - old.total,
        lines=tuple(moved),
    )


def _groups(accounts: Sequence[AccountImpact], *, by_package: bool) -> tuple[GroupImpact, ...]:
    groups: dict[tuple[str | None, str], list[AccountImpact]] = {}
    for account in accounts:
        key = (account.package if by_package else None, account.currency)
        groups.setdefault(key, []).append(account)
    return tuple(
        GroupImpact(
            package=package,
            currency=currency,
            accounts=len(members),
            changed=sum(1 for m in members if m.change),
            old_total=exact_sum(m.old_total for m in members),
            new_total=exact_sum(m.new_total for m in members),
            change=exact_sum(m.change for m in members),
        )
        for (package, currency), members in sorted(
            groups.items(), key=lambda item: (item[0][1], item[0][0] or "")
        )
    )


def render_impact(impact: Impact, old_name: str, new_name: str) -> str:
    """The impact as readable text."""
    changed = [a for a in impact.accounts if a.change or a.lines]
    out = [
        f"Impact of {new_name} over {old_name} on {impact.period}: "
        f"{len(changed)} of {len(impact.accounts)} invoices change",
        "",
        f"{'account':<14} {'package':<14} {'cur':<4} {'old total':>11} {'new total':>11} "
        f"{'change':>10}",
    ]
    for account in changed:
        out.append(
            f"{account.account_id:<14} {account.package:<14} {account.currency:<4} "
            f"{account.old_total:>11} {account.new_total:>11} {_signed(account.change):>10}"
        )
        for line in account.lines:
            old = "—" if line.old_amount is None else str(line.old_amount)
            new = "—" if line.new_amount is None else str(line.new_amount)
            out.append(
                f"    {line.description[:44]:<44} {old:>9} → {new:<9} {_signed(line.change):>9}"
            )
    if not changed:
        out.append("(no invoice changes)")
    out += ["", "By package and currency"]
    for group in impact.by_package:
        out.append(_group_text(group, str(group.package)))
    out += ["", "By currency"]
    for group in impact.by_currency:
        out.append(_group_text(group, "all packages"))
    if impact.by_band:
        out += ["", "Minute charges by band (calls in the month, billed seconds, amount)"]
        for band in impact.by_band:
            out.append(
                f"{band.band:<20} {band.currency:<4} {band.calls:>9,} calls "
                f"{band.old_seconds:>12,} → {band.new_seconds:<12,} s "
                f"{band.old_amount:>11} → {band.new_amount:<11} {_signed(band.change):>10}"
            )
    if impact.old_rejected != impact.new_rejected:
        out += [
            "",
            f"Rejected calls: {impact.old_rejected} before, {impact.new_rejected} after",
        ]
    return "\n".join(out) + "\n"


def _group_text(group: GroupImpact, name: str) -> str:
    return (
        f"{name:<14} {group.currency:<4} {group.accounts:>4} accounts ({group.changed} changed) "
        f"{group.old_total:>12} → {group.new_total:<12} {_signed(group.change):>10}"
    )


def _signed(amount: Decimal) -> str:
    return f"+{amount}" if amount > 0 else str(amount)
