"""Test cases kept beside the tariffs: a month of usage in, the invoices expected out.

A case file (``*.test.toml``) holds one or more ``[[case]]`` tables::

    [[case]]
    name = "A fixed number with no calls owes 10 x 10p"
    month = "2026-10"
    accounts = '''
    account_id,package,currency
    ACC-1,professional,GBP
    '''
    numbers = [{ number = "+441632960001", account_id = "ACC-1", kind = "fixed" }]
    calls = []

    [[case.invoices]]
    account_id = "ACC-1"
    total = "250.00"
    lines = [
      { kind = "licence", amount = "249.00" },
      { kind = "fair_usage", number = "+441632960001", quantity = 10, amount = "1.00" },
    ]

Usage is CSV text or a list of records; a call record with ``repeat = N`` stands
for N calls, ``{n}`` in its ``call_id`` numbering them. ``order_forms`` adds
order-form text for the case. An expected invoice lists its lines in order and
may give ``subtotal``, ``discount`` and ``total``; each line is compared on the
fields it gives. ``rejected`` and ``summary`` may be expected too.
"""

from __future__ import annotations

import json
import re
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tariff.dsl.catalogue import display_path
from tariff.dsl.diagnostics import Diagnostic, render_text
from tariff.dsl.months import Month
from tariff.engine.api import rate_month
from tariff.engine.invoice.models import InvoiceRun
from tariff.engine.plan.catalogue import CatalogueError, load_catalogue
from tariff.engine.plan.model import RatingPlan
from tariff.engine.usage import UsageError, UsageProblem, load_usage

CASE_SUFFIX = ".test.toml"
_USAGE = ("accounts", "numbers", "calls")
_KEY = re.compile(r"([A-Za-z_]+)\s*=")
_CASE_KEYS = {"name", "month", "order_forms", "invoices", "rejected", "summary", *_USAGE}


class CaseFileError(Exception):
    """A case file cannot be read: bad TOML or a case that is not well formed."""


@dataclass(frozen=True)
class Case:
    """One test case: usage for a month and what its invoices must say."""

    file: str
    name: str
    month: Month
    usage: Mapping[str, str | list[Mapping[str, object]]]
    order_forms: str | None
    invoices: Sequence[Mapping[str, object]]
    rejected: Sequence[Mapping[str, object]] | None
    summary: Mapping[str, object] | None
    # The line of the case file where each key's value starts, for messages.
    lines: Mapping[str, int] = field(default_factory=dict)
    text: str = ""


@dataclass
class Outcome:
    """A case's result: passed, or the differences found."""

    case: Case
    failures: list[str] = field(default_factory=list)
    run: InvoiceRun | None = None

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return not self.failures


def find_case_files(paths: Sequence[Path]) -> list[Path]:
    """Every ``*.test.toml`` file named or under a named directory, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(path.rglob(f"*{CASE_SUFFIX}"))
        elif path.is_file():
            found.append(path)
        else:
            raise CaseFileError(f"{path}: no such file or directory")
    return found


def read_cases(path: Path, shown: str) -> list[Case]:
    """The cases of one file; CaseFileError names the file and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise CaseFileError(f"{shown}: not valid TOML: {problem}") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise CaseFileError(f"{shown}: cannot be read: {problem}") from None
    tables = document.get("case")
    if not isinstance(tables, list) or not tables:
        raise CaseFileError(f"{shown}: has no [[case]] tables")
    starts = _case_key_lines(text)
    return [
        replace(
            _case(table, shown, index),
            lines=starts[index - 1] if index <= len(starts) else {},
            text=text,
        )
        for index, table in enumerate(tables, start=1)
    ]


def _case_key_lines(text: str) -> list[dict[str, int]]:
    """For each ``[[case]]`` in turn, the line each of its top-level keys is written on."""
    cases: list[dict[str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped == "[[case]]":
            cases.append({})
        elif cases and (key := _KEY.match(stripped)) and key.group(1) not in cases[-1]:
            cases[-1][key.group(1)] = number
    return cases


def _case(table: object, shown: str, index: int) -> Case:
    if not isinstance(table, dict):
        raise CaseFileError(f"{shown}: case {index} is not a table")
    name = str(table.get("name", f"case {index}"))
    where = f"{shown}: case '{name}'"
    unknown = sorted(set(table) - _CASE_KEYS)
    if unknown:
        raise CaseFileError(f"{where}: unknown key {', '.join(unknown)}")
    try:
        month = Month.parse(str(table.get("month", "")))
    except ValueError as problem:
        raise CaseFileError(f"{where}: month: {problem}") from None
    for key in _USAGE:
        content = table.get(key, [])
        records_ok = isinstance(content, list) and all(isinstance(r, dict) for r in content)
        if not (isinstance(content, str) or records_ok):
            raise CaseFileError(f"{where}: {key} must be CSV text or a list of records")
    invoices = table.get("invoices", [])
    if not isinstance(invoices, list) or not all(isinstance(i, dict) for i in invoices):
        raise CaseFileError(f"{where}: invoices must be a list of tables")
    return Case(
        file=shown,
        name=name,
        month=month,
        usage={key: table.get(key, []) for key in _USAGE},
        order_forms=table.get("order_forms"),
        invoices=invoices,
        rejected=table.get("rejected"),
        summary=table.get("summary"),
    )


# ------------------------------------------------------------------ running


def run_case(case: Case, plan: RatingPlan, catalogue: Path) -> Outcome:
    """Rate the case's usage and compare the invoices with what it expects."""
    outcome = Outcome(case)
    with tempfile.TemporaryDirectory(prefix="tariff-case-") as directory:
        root = Path(directory)
        files = {key: _write_usage(root, key, case.usage[key]) for key in _USAGE}
        form = root / "order-forms.tariff"
        places = _Places(case, files, form)
        try:
            if case.order_forms:
                form.write_text(case.order_forms, encoding="utf-8")
                plan = load_catalogue(catalogue, [form])
            usage = load_usage(files["accounts"], files["numbers"], files["calls"])
            run = rate_month(plan, case.month, usage)
        except UsageError as problem:
            outcome.failures.append(
                "the usage cannot be rated:\n"
                + "\n".join(f"  {places.problem(p)}" for p in problem.problems)
            )
            return outcome
        except CatalogueError as problem:
            diagnostics = [places.diagnostic(d) for d in problem.diagnostics]
            outcome.failures.append(
                "the case's order forms have errors:\n"
                + render_text(diagnostics, {case.file: case.text, **problem.sources})
            )
            return outcome
    outcome.run = run
    document = run.model_dump(mode="json", exclude_none=True)
    invoices = {invoice["account_id"]: invoice for invoice in document["invoices"]}
    for expected in case.invoices:
        account_id = str(expected.get("account_id"))
        actual = invoices.get(account_id)
        if actual is None:
            outcome.failures.append(f"no invoice for account {account_id}")
            continue
        outcome.failures += _compare_invoice(account_id, expected, actual)
    if case.rejected is not None:
        outcome.failures += _compare_rows("rejected calls", case.rejected, document["rejected"])
    if case.summary is not None:
        outcome.failures += _compare_fields("summary", case.summary, document["summary"])
    return outcome


class _Places:
    """Where a problem is in the case file, for problems found in the files a case is run from.

    A case's usage and order forms are written to temporary files to be run;
    a message points at the case file instead: the line of the row in CSV
    text, of the statement in order-form text, or else of the key.
    """

    def __init__(self, case: Case, files: Mapping[str, Path], form: Path) -> None:
        self.case = case
        self.keys = {display_path(path): key for key, path in files.items()}
        self.form = display_path(form)

    def _line(self, key: str, offset: int | None) -> int:
        """The case-file line of line ``offset`` of a key's text (its first line is 1)."""
        start = self.case.lines.get(key, 0)
        text = self.case.usage.get(key) if key in _USAGE else self.case.order_forms
        # A multi-line string's text starts on the line after its opening quotes.
        return start + offset if isinstance(text, str) and offset is not None else start

    def problem(self, problem: UsageProblem) -> str:
        """A usage problem, at its place in the case file."""
        key = self.keys.get(problem.file)
        if key is not None:
            # CSV text: line 1 is the header, so row N is line N + 1.
            row = problem.row + 1 if problem.row is not None else None
            where = f"{self.case.file}:{self._line(key, row)}: {key}"
            if problem.row is not None:
                where += f" row {problem.row}"
            if problem.field is not None:
                where += f" field {problem.field}"
            return f"{where}: {problem.message}"
        if problem.file.startswith(self.form + ":"):
            line = int(problem.file.split(":")[-2])
            return f"{self.case.file}:{self._line('order_forms', line)}: {problem.message}"
        return str(problem)

    def diagnostic(self, diagnostic: Diagnostic) -> Diagnostic:
        """An order form's diagnostic, at its place in the case file."""
        span = diagnostic.span
        if span.file != self.form:
            return diagnostic
        start = self._line("order_forms", 0)
        moved = replace(
            span, file=self.case.file, line=span.line + start, end_line=span.end_line + start
        )
        return replace(diagnostic, span=moved)


def _write_usage(root: Path, key: str, content: str | list[Mapping[str, object]]) -> Path:
    if isinstance(content, str):
        path = root / f"{key}.csv"
        path.write_text(content.strip() + "\n" if content.strip() else _HEADERS[key], "utf-8")
        return path
    path = root / f"{key}.jsonl"
    records = [r for record in content for r in _expanded(record)]
    if not records:
        csv_path = root / f"{key}.csv"
        csv_path.write_text(_HEADERS[key], encoding="utf-8")
        return csv_path
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


_HEADERS = {
    "accounts": "account_id,package,currency\n",
    "numbers": "number,account_id,kind\n",
    "calls": "call_id,number,started_at,duration_s\n",
}


def _expanded(record: Mapping[str, object]) -> list[dict[str, object]]:
    """A record, or ``repeat`` copies of it with ``{n}`` in text numbered from 1."""
    repeat = record.get("repeat")
    plain = {k: v for k, v in record.items() if k != "repeat"}
    if repeat is None:
        return [plain]
    return [
        {k: v.replace("{n}", str(n)) if isinstance(v, str) else v for k, v in plain.items()}
        for n in range(1, int(str(repeat)) + 1)
    ]


def _compare_invoice(
    account_id: str, expected: Mapping[str, object], actual: Mapping[str, object]
) -> list[str]:
    failures = _compare_fields(
        f"invoice {account_id}",
        {k: v for k, v in expected.items() if k not in ("lines", "account_id")},
        actual,
    )
    expected_lines = expected.get("lines")
    if isinstance(expected_lines, list):
        actual_lines = actual["lines"]
        assert isinstance(actual_lines, list)
        if not _lines_match(expected_lines, actual_lines):
            failures.append(
                f"invoice {account_id}: the lines differ\n"
                + side_by_side(expected_lines, actual_lines)
            )
    return failures


def _lines_match(expected: Sequence[object], actual: Sequence[object]) -> bool:
    if len(expected) != len(actual):
        return False
    return all(
        isinstance(e, dict) and isinstance(a, dict) and _fields_match(e, a)
        for e, a in zip(expected, actual, strict=True)
    )


def _fields_match(expected: Mapping[str, object], actual: Mapping[str, object]) -> bool:
    return all(_same(value, actual.get(key)) for key, value in expected.items())


def _same(expected: object, actual: object) -> bool:
    # Money is compared as written ("1.00" equals the engine's "1.00"); a TOML
    # number for money is read as text so that 1.0 and "1.00" never pass by luck.
    return expected == actual or str(expected) == str(actual)


def _compare_fields(what: str, expected: Mapping[str, object], actual: object) -> list[str]:
    if not isinstance(actual, Mapping):
        return [f"{what}: missing"]
    return [
        f"{what}: {key} expected {value!r}, got {actual.get(key)!r}"
        for key, value in expected.items()
        if not _same(value, actual.get(key))
    ]


def _compare_rows(what: str, expected: Sequence[object], actual: Sequence[object]) -> list[str]:
    if len(expected) == len(actual) and all(
        isinstance(e, dict) and isinstance(a, dict) and _fields_match(e, a)
        for e, a in zip(expected, actual, strict=True)
    ):
        return []
    return [f"the {what} differ\n" + side_by_side(list(expected), list(actual))]


def side_by_side(expected: Sequence[object], actual: Sequence[object]) -> str:
    """Expected and actual records in two columns, differences marked with ``≠``."""
    width = 46
    rows = [f"      {'expected':<{width}} | actual"]
    for index in range(max(len(expected), len(actual))):
        left = expected[index] if index < len(expected) else None
        right = actual[index] if index < len(actual) else None
        shown = left if isinstance(left, dict) else right
        keys = list(shown) if isinstance(shown, dict) else []
        rows.append(f"    {index + 1}.")
        for key in keys:
            want = _cell(left, key)
            got = _cell(right, key)
            mark = "≠" if left is not None and not _same(want, got) else " "
            rows.append(f"    {mark} {key + ': ' + want:<{width}} | {key}: {got}")
    return "\n".join(rows)


def _cell(record: object, key: str) -> str:
    if not isinstance(record, dict):
        return "(none)"
    return str(record.get(key, "(absent)"))
