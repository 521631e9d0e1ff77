"""Regenerate the example month (numbers.csv, calls.csv) deterministically.

Run from the repository root: ``python examples/generate.py``. The accounts
and order forms are written by hand; this script only makes the usage.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).parent
ZONES = {"ACC-003": "America/New_York", "ACC-005": "America/Chicago"}

# number, account, kind, assigned_from, released_on, calls this month, forwarded to
NUMBERS = [
    ("+441632960101", "ACC-001", "fixed", "", "", 420, "+441632961000"),
    ("+441632960102", "ACC-001", "fixed", "", "", 6, "+441632961000"),
    ("+441632960103", "ACC-001", "offline", "", "", 0, "+441632961000"),
    ("+441632960104", "ACC-001", "dynamic", "", "", 90, "+447700900101"),
    ("+441632960201", "ACC-002", "fixed", "", "", 35, "+447700900201"),
    ("+441632960202", "ACC-002", "fixed", "", "", 3, "+447700900201"),
    ("+441632960203", "ACC-002", "offline", "", "", 12, "01632 962000"),
    ("+15550100301", "ACC-003", "fixed", "", "", 310, "+12125550300"),
    ("+15550100302", "ACC-003", "offline", "", "", 4, "+12125550300"),
    ("+15550100303", "ACC-003", "dynamic", "", "", 60, "sip:frontdesk@northwind.example"),
    ("+441632960401", "ACC-004", "fixed", "", "", 55, "+441632964000"),
    ("+441632960402", "ACC-004", "dynamic", "", "2026-10-16", 8, "+441632964000"),
    ("+441632960402", "ACC-002", "fixed", "2026-10-16", "", 2, "+447700900201"),
    ("+15550100501", "ACC-005", "fixed", "", "", 260, "+13125550500"),
    ("+15550100502", "ACC-005", "dynamic", "", "", 40, "+13125550500"),
    ("+441632960601", "ACC-006", "fixed", "", "", 380, "+33140000600"),
    ("+441632960602", "ACC-006", "dynamic", "", "", 150, "+6129990600"),
    ("+441632960603", "ACC-006", "dynamic", "", "", 70, "sip:bookings@orbit.example"),
    ("+441632960701", "ACC-007", "fixed", "", "", 14, "+441632967000"),
    ("+441632960702", "ACC-007", "fixed", "2026-10-20", "", 1, "+441632967000"),
]


def _call_times(
    rng: random.Random, count: int, zone: str, since: str, until: str
) -> list[dt.datetime]:
    """Call start times spread over the account's month, in its time zone, to the second."""
    tz = ZoneInfo(zone)
    start = dt.datetime.fromisoformat(since or "2026-10-01").replace(tzinfo=tz)
    end = dt.datetime.fromisoformat(until or "2026-11-01").replace(tzinfo=tz)
    span = int((end - start).total_seconds())
    moments = (start + dt.timedelta(seconds=rng.randrange(span)) for _ in range(count))
    return sorted(moment.astimezone(tz) for moment in moments)


def main() -> None:
    """Write numbers.csv and calls.csv next to this script."""
    rng = random.Random(2026_10)
    with (HERE / "numbers.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["number", "account_id", "kind", "assigned_from", "released_on"])
        for number, account, kind, since, until, _, _ in NUMBERS:
            writer.writerow([number, account, kind, since, until])
    calls = []
    for number, account, _, since, until, count, destination in NUMBERS:
        zone = ZONES.get(account, "Europe/London")
        for moment in _call_times(rng, count, zone, since, until):
            missed = rng.random() < 0.06
            duration = 0 if missed else max(1, int(rng.lognormvariate(4.6, 1.0)))
            calls.append((moment, number, duration, destination))
    # 23:15 UTC on 30 September is 00:15 on 1 October in London (October's
    # invoice); 22:45 UTC is still September there (another month).
    for hour, minute, duration in ((23, 15, 64), (22, 45, 30)):
        moment = dt.datetime(2026, 9, 30, hour, minute, tzinfo=dt.UTC)
        calls.append((moment, "+441632960101", duration, "+441632961000"))
    calls.sort(key=lambda call: call[0])
    with (HERE / "calls.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["call_id", "number", "started_at", "duration_s", "destination"])
        for index, (moment, number, duration, destination) in enumerate(calls, start=1):
            writer.writerow([f"c-{index:05d}", number, moment.isoformat(), duration, destination])


if __name__ == "__main__":
    main()
