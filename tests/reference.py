"""A small, obviously correct reference: one call at a time, in Decimal, from CSV files.

It implements billing-semantics.md directly and shares no rating code with the
engine, only the compiled catalogue (prices by currency). The property tests
compare it with the engine; bench/ uses it as the row-at-a-time baseline.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers

from tariff.engine.plan.model import RatingPlan

ROUNDING = {
    "half-up": decimal.ROUND_HALF_UP,
    "half-even": decimal.ROUND_HALF_EVEN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
}
PENNY = Decimal("0.01")


# A record of a usage file: the required fields of valid rows are never None.
Row = dict[str, Any]


def read_rows(path: Path) -> list[tuple[int, Row]]:
    """(row number, fields) for every non-blank record; empty cells are None."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [name.strip().lower() for name in next(reader)]
        rows = []
        for number, record in enumerate(reader, start=1):
            if not any(record):
                continue
            rows.append(
                (
                    number,
                    {
                        name: (value.strip() or None)
                        for name, value in zip(header, record, strict=False)
                    },
                )
            )
        return rows


def in_effect(versions, day):
    chosen = None
    for version in versions:
        if version.effective <= day:
            chosen = version
    return chosen


def account_terms(plan: RatingPlan, row: dict[str, Any], first_day: dt.date) -> dict[str, Any]:
    form = plan.order_forms.get(row["account_id"])
    package_name = form.package if form and form.package else row["package"]
    wanted = row.get("version")
    if form and form.package:
        wanted = form.version or (wanted if row["package"] == form.package else None)
    versions = plan.packages[package_name]
    if wanted:
        package = next(v for v in versions if v.version == wanted)
    else:
        package = in_effect(versions, first_day)
    currency = (form.currency if form else None) or row["currency"].upper()
    sheet = in_effect(plan.sheets[package.sheet], first_day)

    def agreed(prices, listed):
        return prices[currency] if prices else listed[currency]

    rates = {}
    call_terms = {}
    for name, band in sheet.bands.items():
        custom = form.band_rates.get(name) if form else None
        rates[name] = custom[currency] if custom else band.rates[currency]
        # (first, step, fee, minimum): the order form's terms where it sets them.
        terms = band.calls
        in_form = form.band_calls.get(name) if form else None
        first, step = terms.first, terms.step
        fee, minimum = terms.connection_fee, terms.minimum_charge
        if in_form is not None:
            if "increments" in in_form.spans:
                first, step = in_form.first, in_form.step
            if "connection fee" in in_form.spans:
                fee = in_form.connection_fee
            if "minimum charge" in in_form.spans:
                minimum = in_form.minimum_charge
        call_terms[name] = (
            first,
            step,
            fee.get(currency, Decimal(0)),
            minimum.get(currency, Decimal(0)),
        )
    month = (first_day.year, first_day.month)
    if form and form.discounts:
        discounts = [
            (d.percent, d.charges)
            for d in form.discounts
            if (d.start is None or (d.start.year, d.start.month) <= month)
            and (d.end is None or month <= (d.end.year, d.end.month))
        ]
    else:
        percent = Decimal(row.get("discount_percent") or 0)
        discounts = [(percent, frozenset())] if percent else []
    fair_usage = package.fair_usage
    return {
        "package": package,
        "currency": currency,
        "timezone": ZoneInfo(row.get("timezone") or "Europe/London"),
        "sheet": sheet,
        "licence": agreed(form.licence if form else None, package.licence),
        "call_fee": agreed(form.call_fee if form else None, package.call_fee),
        "inclusive": form.inclusive_calls
        if form and form.inclusive_calls is not None
        else package.inclusive_calls,
        "rates": rates,
        "call_terms": call_terms,
        "fair_usage": fair_usage,
        "fair_usage_rate": agreed(form.fair_usage_rates if form else None, fair_usage.unit_rates)
        if fair_usage
        else None,
        "discounts": discounts,
        "name": (form.title if form else None) or row.get("name"),
        "country": (row.get("country") or "").upper() or plan.default_countries.get(currency),
    }


def possible_number(reading: str) -> bool:
    """Whether an E.164 reading's national digits have a length its country allows."""
    digits = reading.removeprefix("+")
    if not reading.startswith("+") or not digits.isdigit():
        return False
    for width in (1, 2, 3):
        code, national = digits[:width], digits[width:]
        if code.startswith("0") or phonenumbers.region_code_for_country_code(int(code)) == "ZZ":
            continue
        if not national:
            return False
        # The library writes the national number as leading zeros, then the integer.
        zeros = len(national) - len(str(int(national)))
        number = phonenumbers.PhoneNumber(
            country_code=int(code),
            national_number=int(national),
            italian_leading_zero=zeros > 0,
            number_of_leading_zeros=zeros or None,
        )
        return phonenumbers.is_possible_number(number)
    return False


def band_of(destination: str, sheet) -> str | None:
    """The band (or 'BARRED', or None) of a destination, by longest prefix."""
    if scheme := re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", destination):
        reading = destination[: scheme.end()].lower() + destination[scheme.end() :]
    else:
        reading = re.sub(r"^(\+[0-9]{1,3})[\s\-.]*\(0\)", r"\1", destination.strip())
        reading = re.sub(r"[\s\-().]", "", reading)
        if not re.fullmatch(r"\+?[0-9]+", reading):
            return None
        for prefix in sorted(sheet.dial, key=len, reverse=True):
            if reading.startswith(prefix):
                reading = sheet.dial[prefix] + reading[len(prefix) :]
                break
        if not possible_number(reading):
            return None
    table = {prefix: "BARRED" for prefix in sheet.barred}
    for band in sheet.bands.values():
        for prefix in band.prefixes:
            table[prefix] = band.name
    for length in range(len(reading), 0, -1):
        if reading[:length] in table:
            return table[reading[:length]]
    return None


def parse_time(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def parse_duration(text: str | None) -> int | None:
    if text is None or not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    return int(text)


def reference_run(
    plan: RatingPlan,
    month: str,
    accounts: Path,
    numbers: Path,
    calls: Path,
    priced_calls: list[tuple[str, str, str]] | None = None,
) -> dict[str, Any]:
    """The invoice run as the JSON document, computed call by call.

    ``priced_calls``, if given, receives (account, call id, amount) for every rated call.
    """
    year, mon = (int(part) for part in month.split("-"))
    first_day = dt.date(year, mon, 1)
    next_first = dt.date(year + mon // 12, mon % 12 + 1, 1)
    last_day = next_first - dt.timedelta(days=1)
    terms = {
        row["account_id"]: account_terms(plan, row, first_day) for _, row in read_rows(accounts)
    }
    rows_by_id = {row["account_id"]: row for _, row in read_rows(accounts)}
    holders: dict[str, list[dict[str, Any]]] = {}
    for _, row in read_rows(numbers):
        holders.setdefault(row["number"], []).append(
            {
                "account": row["account_id"],
                "kind": row["kind"].lower(),
                "since": dt.date.fromisoformat(row["assigned_from"])
                if row.get("assigned_from")
                else None,
                "until": dt.date.fromisoformat(row["released_on"])
                if row.get("released_on")
                else None,
            }
        )

    usage: dict[str, dict[str, Any]] = {
        a: {"chargeable": 0, "bands": {}, "counted": {}} for a in terms
    }
    rejected = []
    rated = other = calls_in = 0
    seen: set[str] = set()
    for row_number, call in read_rows(calls):
        calls_in += 1

        def reject(field: str, row_number: int = row_number, call: dict[str, Any] = call) -> None:
            rejected.append({"row": row_number, "call_id": call.get("call_id"), "field": field})

        call_id = call.get("call_id")
        if call_id is None:
            reject("call_id")
            continue
        if call_id in seen:
            reject("call_id")
            continue
        seen.add(call_id)
        if call.get("number") is None:
            reject("number")
            continue
        started = parse_time(call.get("started_at"))
        if started is None:
            reject("started_at")
            continue
        duration = parse_duration(call.get("duration_s"))
        if duration is None or duration < 0:
            reject("duration_s")
            continue
        if call.get("destination") is None and call.get("band") is None:
            reject("destination")
            continue
        holder = None
        for held in holders.get(call["number"], []):
            local_day = started.astimezone(terms[held["account"]]["timezone"]).date()
            held_then = (held["since"] is None or local_day >= held["since"]) and (
                held["until"] is None or local_day < held["until"]
            )
            newer = holder is None or (held["since"] or dt.date.min) > (
                holder["since"] or dt.date.min
            )
            if held_then and newer:
                holder = held
        if holder is None:
            reject("number")
            continue
        account = terms[holder["account"]]
        local = started.astimezone(account["timezone"])
        if (local.year, local.month) != (year, mon):
            other += 1
            continue
        sheet = account["sheet"]
        if call.get("band") is not None:
            band = call["band"]
            if band not in sheet.bands:
                reject("band")
                continue
        else:
            band = band_of(call["destination"], sheet)
            if band is None or band == "BARRED":
                reject("destination")
                continue
        rated += 1
        mine = usage[holder["account"]]
        # Pricing one call: billed seconds by the increments, the fee, the minimum; one rounding.
        first, step, fee, minimum = account["call_terms"][band]
        if duration == 0:
            billed, price = 0, Decimal(0)
        else:
            billed = first if duration <= first else first + -(-(duration - first) // step) * step
            price = max(fee + Decimal(billed) * account["rates"][band] / 60, minimum)
        amount = price.quantize(PENNY, rounding=ROUNDING[sheet.rounding])
        if priced_calls is not None:
            priced_calls.append((holder["account"], call["call_id"], f"{amount:.2f}"))
        calls_so_far, seconds, total, billed_so_far = mine["bands"].get(band, (0, 0, Decimal(0), 0))
        mine["bands"][band] = (
            calls_so_far + 1,
            seconds + duration,
            total + amount,
            billed_so_far + billed,
        )
        if duration >= account["package"].chargeable_from_seconds:
            mine["chargeable"] += 1
        clause = account["fair_usage"]
        if clause is not None and duration >= clause.counting_from_seconds:
            mine["counted"][call["number"]] = mine["counted"].get(call["number"], 0) + 1

    invoices = []
    for account_id in sorted(terms):
        account = terms[account_id]
        mine = usage[account_id]
        package = account["package"]
        lines = [
            {
                "kind": "licence",
                "description": f"{package.title} edition licence",
                "quantity": 1,
                "unit_price": account["licence"],
                "amount": account["licence"],
                "discountable": package.licence_discountable,
            }
        ]
        inclusive_used = min(mine["chargeable"], account["inclusive"])
        billed = mine["chargeable"] - inclusive_used
        if billed * account["call_fee"]:
            description = f"Calls: {mine['chargeable']:,} chargeable"
            if account["inclusive"]:
                description += f", {inclusive_used:,} inclusive"
            lines.append(
                {
                    "kind": "call_fee",
                    "description": description,
                    "quantity": billed,
                    "unit_price": account["call_fee"],
                    "amount": billed * account["call_fee"],
                    "discountable": package.call_fee_discountable,
                }
            )
        for band in sorted(mine["bands"]):
            _, seconds, total, billed = mine["bands"][band]
            if total:
                title = account["sheet"].bands[band].title
                lines.append(
                    {
                        "kind": "minutes",
                        "band": band,
                        "band_name": title,
                        "description": f"Minute charges: {title}",
                        "quantity": billed,
                        "unit_price": account["rates"][band],
                        "amount": total,
                        "discountable": package.minutes_discountable,
                        "seconds": seconds,
                        "calls": mine["bands"][band][0],
                    }
                )
        clause = account["fair_usage"]
        if clause is not None:
            windows: dict[str, list[dict[str, Any]]] = {}
            for number, held_list in holders.items():
                for held in held_list:
                    if (
                        held["account"] == account_id
                        and held["kind"] in clause.number_kinds
                        and (held["since"] is None or held["since"] <= last_day)
                        and (held["until"] is None or held["until"] > first_day)
                    ):
                        windows.setdefault(number, []).append(held)
            for number in sorted(windows):
                days_held = {
                    first_day + dt.timedelta(days=offset)
                    for held in windows[number]
                    for offset in range((last_day - first_day).days + 1)
                    if (
                        held["since"] is None
                        or first_day + dt.timedelta(days=offset) >= held["since"]
                    )
                    and (
                        held["until"] is None
                        or first_day + dt.timedelta(days=offset) < held["until"]
                    )
                }
                if clause.partial_months_exempt and len(days_held) < last_day.day:
                    continue
                short = max(0, clause.minimum_calls - mine["counted"].get(number, 0))
                if short * account["fair_usage_rate"]:
                    lines.append(
                        {
                            "kind": "fair_usage",
                            "number": number,
                            "description": f"Fair usage: {number} ({short} call"
                            + ("s" if short != 1 else "")
                            + " short)",
                            "quantity": short,
                            "unit_price": account["fair_usage_rate"],
                            "amount": short * account["fair_usage_rate"],
                            "discountable": False,
                        }
                    )
        discount_lines = []
        names = {"licence": "licence", "call_fee": "call fees", "minutes": "minutes"}
        for percent, charges in account["discounts"]:
            reduced = [
                line
                for line in lines
                if line["discountable"] and (not charges or line["kind"] in charges)
            ]
            base = sum((line["amount"] for line in reduced), Decimal(0))
            amount = -(base * percent / 100).quantize(PENNY, rounding=decimal.ROUND_HALF_UP)
            if amount:
                description = f"Discount {percent.normalize():f}%"
                if charges:
                    description += " on " + ", ".join(n for k, n in names.items() if k in charges)
                discount_lines.append(
                    {
                        "kind": "discount",
                        "description": description,
                        "quantity": 1,
                        "unit_price": amount,
                        "amount": amount,
                        "discountable": False,
                        "excludes": [line["description"] for line in lines if line not in reduced],
                    }
                )
        subtotal = sum((line["amount"] for line in lines), Decimal(0))
        discount = sum((line["amount"] for line in discount_lines), Decimal(0))
        net = subtotal + discount
        # Tax: the rule listing the account's country, at its rate on the month's last day.
        country = account["country"]
        rule = next((t for t in plan.taxes if country in t.countries), None)
        percent = None
        for rate in rule.rates if rule else ():
            if rate.effective is None or rate.effective <= last_day:
                percent = rate.percent
        tax_lines = []
        if rule is not None and percent is not None:
            tax_lines.append(
                {
                    "kind": "tax",
                    "description": f"{rule.title} {percent.normalize():f}%",
                    "quantity": 1,
                    "rate": f"{percent.normalize():f}",
                    "unit_price": net,
                    "amount": (net * percent / 100).quantize(PENNY, rounding=decimal.ROUND_HALF_UP),
                    "discountable": False,
                }
            )
        tax = sum((line["amount"] for line in tax_lines), Decimal(0))
        customer = {"country": country} if country else {}
        row = rows_by_id[account_id]
        for field in ("tax_id", "email", "purchase_order"):
            if row.get(field):
                customer[field] = row[field]
        if row.get("address"):
            parts = (part.strip() for part in row["address"].replace("|", "\n").splitlines())
            customer["address"] = [part for part in parts if part]
        invoice = {
            "account_id": account_id,
            "currency": account["currency"],
            "package": package.package,
            "package_name": package.title,
            "version": package.version,
            "chargeable_calls": mine["chargeable"],
            "inclusive_calls": inclusive_used,
            "chargeable_from_seconds": package.chargeable_from_seconds,
            "customer": customer,
            "lines": [_as_json(line) for line in lines + discount_lines + tax_lines],
            "subtotal": f"{subtotal:.2f}",
            "discount": f"{discount:.2f}",
            "net": f"{net:.2f}",
            "tax": f"{tax:.2f}",
            "total": f"{net + tax:.2f}",
            "period_start": first_day.isoformat(),
            "period_end": last_day.isoformat(),
        }
        if percent is None and any(t.note for t in plan.taxes):
            invoice["tax_notes"] = [t.note for t in plan.taxes if t.note]
        if account["name"]:
            invoice["account_name"] = account["name"]
        invoices.append(invoice)
    issuer = {"issuer": _issuer(plan)} if plan.issuer is not None else {}
    return {
        "period": month,
        **issuer,
        "invoices": invoices,
        "rejected": sorted(rejected, key=lambda r: r["row"]),
        "summary": {
            "calls_in": calls_in,
            "calls_rated": rated,
            "calls_other_period": other,
            "calls_rejected": len(rejected),
        },
    }


def _issuer(plan: RatingPlan) -> dict[str, Any]:
    """The catalogue's issuer as the JSON document shows it: its particulars as given."""
    issuer = plan.issuer
    assert issuer is not None
    shown: dict[str, Any] = {"name": issuer.name, "address": list(issuer.address)}
    for field in ("company_number", "vat_number"):
        if getattr(issuer, field) is not None:
            shown[field] = getattr(issuer, field)
    shown.update(
        contact=list(issuer.contact),
        bank=list(issuer.bank),
        payment_terms_days=issuer.payment_terms_days,
    )
    return shown


def _as_json(line: dict[str, Any]) -> dict[str, Any]:
    out = dict(line)
    for key in ("unit_price", "amount"):
        value: Decimal = out[key]
        if key == "unit_price" and out["kind"] == "minutes":
            exponent = value.as_tuple().exponent
            assert isinstance(exponent, int)
            places = max(2, -exponent)
            out[key] = f"{value:.{places}f}"
        else:
            out[key] = f"{value:.2f}"
    return out
