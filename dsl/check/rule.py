"""What a checker rule is: a named function from the catalogue's definitions to findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tariff.dsl.ast import Span
from tariff.dsl.check.index import Definitions
from tariff.dsl.codes import Code
from tariff.dsl.diagnostics import Severity


@dataclass(frozen=True)
class Finding:
    """One problem a rule found: where, what, and what to do about it."""

    span: Span
    message: str
    hint: str | None = None


Check = Callable[[Definitions], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A check and the one code (and severity) that every finding of it carries."""

    code: Code
    check: Check
    severity: Severity = Severity.ERROR
