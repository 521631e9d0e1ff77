"""The accounts file: who is billed, on which package, in which currency and zone."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tariff.dsl.diagnostics import alternatives, did_you_mean
from tariff.dsl.vocabulary import MINOR_DIGITS, countries
from tariff.engine.usage.errors import UsageError, UsageProblem, by_row, quoted
from tariff.engine.usage.records import Reporter, malformed_rows, records, row_of, text_of
from tariff.engine.usage.tables import Table

DEFAULT_TIMEZONE = "Europe/London"

# What an account is billed on.
BILLING_COLUMNS = (
    "account_id",
    "name",
    "package",
    "version",
    "currency",
    "discount_percent",
    "timezone",
)
# Optional: the customer's particulars, for the documents (and the country, for tax).
CUSTOMER_COLUMNS = ("country", "tax_id", "address", "email", "purchase_order")
ACCOUNT_COLUMNS = BILLING_COLUMNS + CUSTOMER_COLUMNS
REQUIRED_ACCOUNT_COLUMNS = ("account_id", "package", "currency")


@dataclass(frozen=True)
class AccountRow:
    """One row of the accounts file, validated."""

    file: str
    row: int
    account_id: str
    name: str | None
    package: str
    version: str | None
    currency: str
    discount_percent: Decimal
    timezone: str
    # ISO 3166-1 alpha-2; None: the default country of the account's currency.
    country: str | None = None
    tax_id: str | None = None
    address: tuple[str, ...] = ()
    email: str | None = None
    purchase_order: str | None = None


def accounts_from(table: Table) -> tuple[AccountRow, ...]:
    """Every account of an accounts table; raise UsageError listing all problems."""
    problems: list[UsageProblem] = []
    accounts: list[AccountRow] = []
    first_row: dict[str, int] = {}
    for record in records(table):
        row = row_of(record)

        def problem(field: str, message: str, row: int = row) -> None:
            problems.append(UsageProblem(table.file, row, field, message))

        account_id = text_of(record["account_id"])
        package = text_of(record["package"])
        currency = text_of(record["currency"])
        if account_id is None:
            problem("account_id", "is empty; every account needs an id")
        elif account_id in first_row:
            problem(
                "account_id",
                f"{quoted(account_id)} is repeated (first at row {first_row[account_id]})",
            )
            continue
        else:
            first_row[account_id] = row
        if package is None:
            problem("package", "is empty; name the account's package, e.g. professional")
        if currency is None:
            problem("currency", f"is empty; give {alternatives(MINOR_DIGITS)}")
        elif currency.upper() not in MINOR_DIGITS:
            hint = did_you_mean(currency.upper(), MINOR_DIGITS)
            problem(
                "currency",
                f"{quoted(currency)} is not a billing currency ({alternatives(MINOR_DIGITS)})"
                + (f"; {hint}" if hint else ""),
            )
        discount = _discount_percent(record["discount_percent"], problem)
        timezone = _timezone(record["timezone"], problem)
        country = _country(record["country"], problem)
        if (
            account_id
            and package
            and currency
            and currency.upper() in MINOR_DIGITS
            and discount is not None
            and timezone
            and country is not _INVALID
        ):
            accounts.append(
                AccountRow(
                    file=table.file,
                    row=row,
                    account_id=account_id,
                    name=text_of(record["name"]),
                    package=package,
                    version=text_of(record["version"]),
                    currency=currency.upper(),
                    discount_percent=discount,
                    timezone=timezone,
                    country=country,
                    tax_id=text_of(record["tax_id"]),
                    address=address_lines(record["address"]),
                    email=text_of(record["email"]),
                    purchase_order=text_of(record["purchase_order"]),
                )
            )
    problems += malformed_rows(table)
    if problems:
        raise UsageError(sorted(problems, key=by_row), accounts)
    return tuple(accounts)


def _discount_percent(value: object, problem: Reporter) -> Decimal | None:
    text = text_of(value)
    if text is None:
        return Decimal(0)
    try:
        percent = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        problem(
            "discount_percent",
            f"{quoted(text)} is not a number; write a percentage such as 10 or 12.5",
        )
        return None
    if not percent.is_finite() or not 0 <= percent <= 100:
        problem("discount_percent", f"{text} is not a percentage from 0 to 100")
        return None
    return percent


_INVALID = "invalid"


def _country(value: object, problem: Reporter) -> str | None:
    """The row's country code, upper-cased; None when empty; _INVALID after a problem."""
    text = text_of(value)
    if text is None:
        return None
    if text.upper() in countries():
        return text.upper()
    problem(
        "country",
        f"{quoted(text)} is not an ISO 3166-1 alpha-2 country code such as GB, US or FR",
    )
    return _INVALID


def address_lines(value: object) -> tuple[str, ...]:
    """An address field as its lines: separated by line breaks or ``|``, each trimmed."""
    text = text_of(value)
    if text is None:
        return ()
    lines = (line.strip() for line in text.replace("|", "\n").splitlines())
    return tuple(line for line in lines if line)


def _timezone(value: object, problem: Reporter) -> str | None:
    name = text_of(value) or DEFAULT_TIMEZONE
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # "Europe/" names a folder of the time zone database, not a zone: an OSError.
        hint = did_you_mean(name, zoneinfo.available_timezones())
        problem(
            "timezone",
            f"{quoted(name)} is not an IANA time zone such as Europe/London"
            + (f"; {hint}" if hint else ""),
        )
        return None
    return name
