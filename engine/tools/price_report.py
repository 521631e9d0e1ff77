"""``tariff diff --prices``'s report: the price changes and the proof, as text and as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from tariff.dsl.diagnostics import counted
from tariff.engine.plan.model import RatingPlan
from tariff.engine.tools.price_changes import PriceChange, price_changes
from tariff.engine.tools.price_proof import Difference, PriceProof, prove_prices

JSON_FORMAT_VERSION = 1
# How many differences the text report shows of each direction; JSON has them all.
SHOWN_DIFFERENCES = 20


def compare_prices(
    old: RatingPlan, new: RatingPlan, bound_seconds: int
) -> tuple[list[PriceChange], PriceProof]:
    """The changed prices, and the proof of what they do."""
    return price_changes(old, new), prove_prices(old, new, bound_seconds)


def render_text(
    changes: Sequence[PriceChange], proof: PriceProof, old_name: str, new_name: str
) -> str:
    """The changes where they are set, then what the proof found, for people."""
    lines = [f"Prices, {old_name} → {new_name}: {counted(len(changes), 'change')}"]
    lines += [f"  {change.text}" for change in changes]
    lines.append("")
    first = proof.months[0] if proof.months else None
    scope = (
        f"calls of 1 to {proof.bound_seconds:,} seconds to every destination, "
        f"{counted(proof.accounts_compared, 'account-month')}"
        + (f", every month from {first}" if first else "")
    )
    higher = proof.higher
    lower = [d for d in proof.differences if not d.higher]
    if proof.same:
        lines.append(f"Proven: everything costs the same ({scope}).")
    elif not higher:
        lines.append(f"Proven: nothing costs more under {new_name} ({scope}).")
    else:
        cheapest = higher[0]
        lines.append(f"Could cost more under {new_name}: {_sentence(cheapest)}.")
        lines.append(f"  ({scope})")
    for title, found in (("Costs more", higher), ("Costs less or differs", lower)):
        if found:
            lines.append(f"{title}: {counted(len(found), 'difference')}")
            lines += [f"  {_sentence(d)}" for d in found[:SHOWN_DIFFERENCES]]
            if len(found) > SHOWN_DIFFERENCES:
                lines.append(f"  … and {len(found) - SHOWN_DIFFERENCES} more (see --format json)")
    return "\n".join(lines) + "\n"


def _sentence(difference: Difference) -> str:
    alike = f" (and {difference.alike:,} more like it)" if difference.alike else ""
    return f"{difference.text}, from {difference.month}{alike}"


def render_json(changes: Sequence[PriceChange], proof: PriceProof) -> str:
    """A versioned JSON document: ``{"version", "changes", "proof"}``; amounts as strings."""
    document = {
        "version": JSON_FORMAT_VERSION,
        "changes": [
            {
                "where": change.point.where,
                "what": change.point.what,
                "currency": change.point.currency or None,
                "old": None if change.old is None else str(change.old),
                "new": None if change.new is None else str(change.new),
            }
            for change in changes
        ],
        "proof": {
            "bound_seconds": proof.bound_seconds,
            "months": [str(month) for month in proof.months],
            "account_months": proof.accounts_compared,
            "higher": bool(proof.higher),
            "same": proof.same,
            "differences": [_difference(d) for d in proof.differences],
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _difference(difference: Difference) -> dict[str, object]:
    return {
        "higher": difference.higher,
        "kind": difference.kind,
        "text": difference.text,
        "context": difference.context,
        "month": str(difference.month),
        "currency": difference.currency or None,
        "old": difference.old,
        "new": difference.new,
        "excess": None if difference.excess is None else str(difference.excess),
        "seconds": difference.seconds,
        "prefix": difference.prefix,
        "band": difference.band,
        "alike": difference.alike,
    }
