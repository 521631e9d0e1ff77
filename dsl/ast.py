"""The typed syntax tree of a tariff file.

Every node is a frozen dataclass that carries the :class:`Span` it came from, so
that the checker, the formatter and ``tariff explain`` can point back at the
source. Nodes keep what was written, in the order it was written; deciding what
it means (defaults, precedence, validity) is the checker's and compiler's job.
"""

from __future__ import annotations

from dataclasses import dataclass

# The leaves, re-exported: every module names them as ``ast.Span``, ``ast.Money``.
from tariff.dsl.literals import Comment as Comment
from tariff.dsl.literals import DateText as DateText
from tariff.dsl.literals import Money as Money
from tariff.dsl.literals import Name as Name
from tariff.dsl.literals import Number as Number
from tariff.dsl.literals import Span as Span
from tariff.dsl.literals import Text as Text

# ------------------------------------------------------ shared statements


@dataclass(frozen=True, slots=True)
class DisplayName:
    """``name "Professional"``: how invoices name the thing."""

    name: Text
    span: Span


@dataclass(frozen=True, slots=True)
class Licence:
    """``licence 249.00 GBP, 325.00 USD per month``: the edition licence."""

    prices: tuple[Money, ...]
    discountable: bool
    span: Span


@dataclass(frozen=True, slots=True)
class CallFee:
    """``call fee 0.08 GBP, 0.10 USD per call``: the fee per chargeable call."""

    prices: tuple[Money, ...]
    discountable: bool
    span: Span


@dataclass(frozen=True, slots=True)
class InclusiveCalls:
    """``inclusive calls 250 per month``: chargeable calls that carry no fee."""

    count: Number
    span: Span


# --------------------------------------------------------------- packages


@dataclass(frozen=True, slots=True)
class Generation:
    """``generation previous``: previous or current."""

    name: Name
    span: Span


@dataclass(frozen=True, slots=True)
class Chargeable:
    """``chargeable from 1 second``: the shortest call that carries a fee."""

    seconds: Number
    span: Span


@dataclass(frozen=True, slots=True)
class Minutes:
    """``minutes from sheet carrier``: where minute charges are priced."""

    sheet: Name
    discountable: bool
    span: Span


@dataclass(frozen=True, slots=True)
class FairUsageMinimum:
    """``minimum 10 calls per number per month``."""

    calls: Number
    span: Span


@dataclass(frozen=True, slots=True)
class FairUsageNumbers:
    """``numbers fixed, offline``: the kinds of tracking number that owe the minimum."""

    kinds: tuple[Name, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class FairUsageCounting:
    """``counting from 1 second``: the shortest call that counts toward the minimum."""

    seconds: Number
    span: Span


@dataclass(frozen=True, slots=True)
class FairUsageUnitRate:
    """``unit rate 0.10 GBP, 0.15 USD per missing call``."""

    prices: tuple[Money, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class FairUsagePartialMonths:
    """``partial months owe full minimum`` or ``partial months exempt``."""

    exempt: bool
    span: Span


FairUsageStatement = (
    FairUsageMinimum
    | FairUsageNumbers
    | FairUsageCounting
    | FairUsageUnitRate
    | FairUsagePartialMonths
)


@dataclass(frozen=True, slots=True)
class FairUsage:
    """``fair usage { ... }``: the Fair Usage clause of a package version."""

    statements: tuple[FairUsageStatement, ...]
    span: Span


VersionStatement = Licence | CallFee | Chargeable | InclusiveCalls | Minutes | FairUsage


@dataclass(frozen=True, slots=True)
class PackageVersion:
    """``version 2021-04 { ... }``: a package's terms from that month on."""

    version: DateText
    statements: tuple[VersionStatement, ...]
    span: Span


PackageStatement = DisplayName | Generation | PackageVersion


@dataclass(frozen=True, slots=True)
class Package:
    """``package professional { ... }``: a priced offer with dated versions."""

    name: Name
    statements: tuple[PackageStatement, ...]
    span: Span


# ---------------------------------------------------------- tariff sheets


@dataclass(frozen=True, slots=True)
class Rounding:
    """``rounding half-up per call``: how each call's minute charge is rounded."""

    mode: Name
    span: Span


@dataclass(frozen=True, slots=True)
class Dial:
    """``dial "0" as "+44"``: how a dialled prefix is read before bands match."""

    prefix: Text
    replacement: Text
    span: Span


@dataclass(frozen=True, slots=True)
class Prefixes:
    """``prefixes "+441", "+442"``: destinations that fall in a band."""

    prefixes: tuple[Text, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class BandRate:
    """``rate 0.015 GBP, 0.020 USD per minute``."""

    prices: tuple[Money, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Increments:
    """``increments 60/1``: bill the first block of seconds whole, then each started step."""

    first: Number
    step: Number
    span: Span


@dataclass(frozen=True, slots=True)
class ConnectionFee:
    """``connection fee 0.02 GBP per call``: added to every call of 1 second or more."""

    prices: tuple[Money, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class MinimumCharge:
    """``minimum charge 0.05 GBP per call``: the least a call of 1 second or more costs."""

    prices: tuple[Money, ...]
    span: Span


CallTerm = Increments | ConnectionFee | MinimumCharge
BandStatement = DisplayName | Prefixes | BandRate | CallTerm


@dataclass(frozen=True, slots=True)
class Band:
    """``band uk_mobile { ... }``: a destination band with its rates."""

    name: Name
    statements: tuple[BandStatement, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Barred:
    """``barred "+4470", "+449"``: destinations whose calls are rejected."""

    prefixes: tuple[Text, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Deck:
    """``deck "carrier-2026-10.csv"``: bands from a CSV rate deck beside the tariff file."""

    path: Text
    span: Span


SheetVersionStatement = Rounding | Dial | Band | Barred | Deck | CallTerm


@dataclass(frozen=True, slots=True)
class SheetVersion:
    """``version 2021-04-01 { ... }``: the sheet's rates from that day on."""

    version: DateText
    statements: tuple[SheetVersionStatement, ...]
    span: Span


SheetStatement = DisplayName | SheetVersion


@dataclass(frozen=True, slots=True)
class Sheet:
    """``sheet carrier { ... }``: a call tariff sheet."""

    name: Name
    statements: tuple[SheetStatement, ...]
    span: Span


# ------------------------------------------------------------ order forms


@dataclass(frozen=True, slots=True)
class PackagePin:
    """``package professional version 2019-01``: the account's package."""

    package: Name
    version: DateText | None
    span: Span


@dataclass(frozen=True, slots=True)
class CurrencyPin:
    """``currency GBP``: the account's billing currency."""

    currency: Name
    span: Span


@dataclass(frozen=True, slots=True)
class CustomRate:
    """``rate uk_mobile 0.030 GBP per minute``: a band rate agreed for this account."""

    band: Name
    prices: tuple[Money, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class FairUsageRate:
    """``fair usage unit rate 0.05 GBP``: a Fair Usage rate agreed for this account."""

    prices: tuple[Money, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Discount:
    """``discount 10% on licence, call fee from 2026-01 to 2026-06``.

    ``charges`` is empty when the discount covers every discountable charge;
    each charge is the words as written (``call fee``). ``start`` and ``end``
    are inclusive months; None means unbounded.
    """

    percent: Number
    charges: tuple[Name, ...]
    start: DateText | None
    end: DateText | None
    span: Span


@dataclass(frozen=True, slots=True)
class ContractEnd:
    """``contract ends 2026-06``: the last month the order form's terms are in force."""

    month: DateText
    span: Span


@dataclass(frozen=True, slots=True)
class BandTerms:
    """``band uk_mobile { rate ...; increments 60/1 }``: a band's terms agreed for this account."""

    band: Name
    statements: tuple[BandRate | CallTerm, ...]
    span: Span


OrderFormStatement = (
    DisplayName
    | PackagePin
    | CurrencyPin
    | Licence
    | CallFee
    | InclusiveCalls
    | CustomRate
    | FairUsageRate
    | Discount
    | ContractEnd
    | BandTerms
)


@dataclass(frozen=True, slots=True)
class OrderForm:
    """``order form "ACC-001" { ... }``: one account's agreed terms."""

    account: Text
    statements: tuple[OrderFormStatement, ...]
    span: Span


# ------------------------------------------------- the issuer and taxes
@dataclass(frozen=True, slots=True)
class IssuerDetail:
    """``address "1 Street", "London"``: address, company/vat number, contact or bank (``kind``)."""

    kind: str
    values: tuple[Text, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    """``payment terms 30 days``: how long after its issue date an invoice is due."""

    days: Number
    span: Span


@dataclass(frozen=True, slots=True)
class DefaultCountry:
    """``default country "GB" for GBP, "US" for USD``: (country, currency) pairs."""

    countries: tuple[tuple[Text, Name], ...]
    span: Span


IssuerStatement = DisplayName | IssuerDetail | PaymentTerms | DefaultCountry


@dataclass(frozen=True, slots=True)
class Issuer:
    """``issuer { ... }``: who issues the invoices, shown on every document."""

    statements: tuple[IssuerStatement, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class TaxCountries:
    """``countries "GB", "IM"``: the countries whose accounts the tax applies to."""

    countries: tuple[Text, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class TaxRate:
    """``rate 20% from 2011-01-04``: the rate from that day on (from the start without a date)."""

    percent: Number
    start: DateText | None
    span: Span


@dataclass(frozen=True, slots=True)
class TaxNote:
    """``note "Outside the scope of UK VAT"``: what invoices the tax does not apply to say."""

    note: Text
    span: Span


TaxStatement = DisplayName | TaxCountries | TaxRate | TaxNote


@dataclass(frozen=True, slots=True)
class Tax:
    """``tax uk_vat { ... }``: a tax on the net of the invoices of accounts in some countries."""

    name: Name
    statements: tuple[TaxStatement, ...]
    span: Span


Definition = Package | Sheet | OrderForm | Issuer | Tax


@dataclass(frozen=True, slots=True)
class TariffFile:
    """One parsed ``.tariff`` file: its definitions and its comments.

    ``unparsed`` names the definitions that a syntax error kept out, as
    (``"package"``, ``"sheet"`` or ``"order form"``, name): they exist, so that
    references to them elsewhere are not errors of their own.
    """

    path: str
    definitions: tuple[Definition, ...]
    comments: tuple[Comment, ...]
    unparsed: tuple[tuple[str, str], ...] = ()
