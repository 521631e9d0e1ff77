"""The invoice ledger on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from usage_rows import EXAMPLES, edited_catalogue, example_month_args

from tariff.engine.billing.documents import InvoiceDocuments
from tariff.engine.billing.ledger import PAUSE_VARIABLE, documents, open_ledger
from tariff.engine.billing.portal import document_info as portal_info
from tariff.engine.cli import cli

MONTH = [*example_month_args(), "--issue-date", "2026-11-01"]


def bill(ledger_url, *args):
    return CliRunner().invoke(
        cli, ["bill", *MONTH, "--db", ledger_url, *args], catch_exceptions=False
    )


def issued(ledger_url):
    return [
        (d.number, d.kind, d.account_id, str(d.total), d.cancels)
        for d in documents(open_ledger(ledger_url))
    ]


def dearer_catalogue(root):
    """A catalogue in which ACC-001's and ACC-002's invoices change."""
    return edited_catalogue(
        root / "dearer",
        {
            "professional.tariff": [("249.00 GBP", "259.00 GBP")],
            "carrier.tariff": [("rate 0.040 GBP", "rate 0.045 GBP")],
        },
    )


@pytest.fixture
def dearer(tmp_path):
    """A catalogue in which ACC-001's and ACC-002's invoices change."""
    return dearer_catalogue(tmp_path)


def test_a_month_is_issued_once_with_sequential_numbers(ledger_url):
    first = bill(ledger_url)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == (
        "2026-10: issued 7 invoices (INV-000001 to INV-000007), 0 credit notes, "
        "0 already issued and unchanged"
    )
    assert issued(ledger_url) == [
        ("INV-000001", "invoice", "ACC-001", "317.96", None),
        ("INV-000002", "invoice", "ACC-002", "106.82", None),
        ("INV-000003", "invoice", "ACC-003", "767.16", None),
        ("INV-000004", "invoice", "ACC-004", "83.46", None),
        ("INV-000005", "invoice", "ACC-005", "267.36", None),
        ("INV-000006", "invoice", "ACC-006", "518.49", None),
        ("INV-000007", "invoice", "ACC-007", "228.89", None),
    ]

    again = bill(ledger_url)
    assert again.exit_code == 0
    assert "issued 0 invoices, 0 credit notes, 7 already issued and unchanged" in again.stdout
    assert len(issued(ledger_url)) == 7


def test_a_change_is_refused_unless_corrected_with_a_credit_note(ledger_url, dearer):
    bill(ledger_url)
    refused = bill(ledger_url, "--catalog", str(dearer))
    assert refused.exit_code == 1
    assert "2 issued invoices would change (ACC-001, ACC-002)" in refused.stderr
    assert len(issued(ledger_url)) == 7

    corrected = bill(ledger_url, "--catalog", str(dearer), "--correct")
    assert corrected.exit_code == 0
    assert issued(ledger_url)[7:] == [
        ("CN-000001", "credit_note", "ACC-001", "-317.96", "INV-000001"),
        ("INV-000008", "invoice", "ACC-001", "328.76", None),
        ("CN-000002", "credit_note", "ACC-002", "-106.82", "INV-000002"),
        ("INV-000009", "invoice", "ACC-002", "107.33", None),
    ]
    # The originals are still there, unchanged; a further run changes nothing.
    assert issued(ledger_url)[0] == ("INV-000001", "invoice", "ACC-001", "317.96", None)
    assert "issued 0 invoices" in bill(ledger_url, "--catalog", str(dearer)).stdout


def test_a_credit_note_negates_every_line_of_the_invoice_it_cancels(ledger_url, dearer):
    bill(ledger_url)
    bill(ledger_url, "--catalog", str(dearer), "--correct")
    by_number = {d.number: d for d in documents(open_ledger(ledger_url))}
    original, credit = by_number["INV-000001"].invoice, by_number["CN-000001"].invoice
    assert [line.amount for line in credit.lines] == [-line.amount for line in original.lines]
    assert [line.unit_price for line in credit.lines] == [
        -line.unit_price for line in original.lines
    ]
    assert credit.total == -original.total


def test_a_credit_note_and_its_replacement_name_the_invoice_they_cancel_and_replace(
    ledger_url, dearer
):
    bill(ledger_url)
    bill(ledger_url, "--catalog", str(dearer), "--correct")
    by_number = {d.number: d for d in documents(open_ledger(ledger_url))}
    assert by_number["CN-000001"].cancels == "INV-000001"
    assert by_number["INV-000008"].replaces == "INV-000001"
    rendering = InvoiceDocuments()
    credit, replacement = by_number["CN-000001"], by_number["INV-000008"]
    credit_text = rendering.text(credit.invoice, portal_info(credit))
    replacement_text = rendering.text(replacement.invoice, portal_info(replacement))
    assert credit_text.startswith("CREDIT NOTE CN-000001 · cancels invoice INV-000001\n")
    assert replacement_text.startswith("INVOICE INV-000008 · replaces invoice INV-000001\n")


def test_rejected_calls_issue_nothing_unless_accepted(ledger_url, tmp_path):
    calls = tmp_path / "calls.csv"
    text = (EXAMPLES / "calls.csv").read_text()
    calls.write_text(text + "c-bad,+441632960101,2026-10-05T10:00:00Z,60,+447012345678\n")
    args = ["--calls", str(calls)]
    refused = bill(ledger_url, *args)
    assert refused.exit_code == 1
    assert "tariff bill: 1 call was rejected, so nothing was issued" in refused.stderr
    assert issued(ledger_url) == []
    assert bill(ledger_url, *args, "--accept-rejections").exit_code == 0
    assert len(issued(ledger_url)) == 7


def test_a_run_killed_midway_issues_nothing(ledger_url):
    command = [sys.executable, "-m", "tariff.engine.cli", "bill", *MONTH, "--db", ledger_url]
    environment = {**os.environ, PAUSE_VARIABLE: "30"}
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    # The run has rated the month and is writing: wait for half of it to be written.
    deadline = time.monotonic() + 60
    engine = open_ledger(ledger_url)
    written_elsewhere = False
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.5)
        with engine.connect() as connection:
            # The run's rows are in its open transaction: invisible here until it commits.
            written = connection.execute(sa.text("select count(*) from documents")).scalar()
            written_elsewhere = (written or 0) > 0
        if _paused(process):
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert not written_elsewhere
    assert issued(ledger_url) == []
    # The numbers it had taken were never used: the next run starts at 1.
    assert bill(ledger_url).exit_code == 0
    assert issued(ledger_url)[0][0] == "INV-000001"
    assert len(issued(ledger_url)) == 7


def test_a_run_that_starts_while_another_is_writing_waits_and_issues_nothing_twice(ledger_url):
    # The ledger exists first, so that this is about issuing, not creating the schema.
    open_ledger(ledger_url)
    command = [sys.executable, "-m", "tariff.engine.cli", "bill", *MONTH, "--db", ledger_url]
    first = subprocess.Popen(
        command,
        env={**os.environ, PAUSE_VARIABLE: "3"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _paused(first):
        time.sleep(0.2)
    # The first run holds the counters, halfway through its month: the second
    # must wait for it, then find every invoice issued. Without the lock it
    # would read the ledger as empty and issue the month a second time.
    second = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert first.wait(timeout=120) == 0, first.stderr.read() if first.stderr else ""
    assert second.returncode == 0, second.stderr
    assert "issued 0 invoices, 0 credit notes, 7 already issued and unchanged" in second.stdout
    numbers = [number for number, *_ in issued(ledger_url)]
    assert numbers == [f"INV-{n:06d}" for n in range(1, 8)]


def _paused(process) -> bool:
    """Whether the process has been asleep in the pause for a moment (its CPU time stopped)."""
    try:
        with open(f"/proc/{process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    state = fields[0]
    if state != "S":
        return False
    time.sleep(1.0)
    return True


def users_command(ledger_url, *args, password=None):
    stdin = f"{password}\n" if password is not None else None
    extra = ["--password-stdin"] if password is not None else []
    return CliRunner().invoke(cli, ["users", *args, *extra, "--db", ledger_url], input=stdin)


def test_users_belong_to_accounts_or_are_staff_with_hashed_passwords(ledger_url):
    assert bill(ledger_url).exit_code == 0  # only `tariff bill` creates a ledger
    added = users_command(
        ledger_url,
        "add",
        "ada",
        "--account",
        "ACC-001",
        "--admin",
        password="correct horse battery",
    )
    assert added.exit_code == 0 and added.stdout == "added administrator ada of account ACC-001\n"
    assert users_command(ledger_url, "add", "  sam  ", "--staff", password="x" * 12).exit_code == 0
    assert (
        users_command(
            ledger_url, "add", "bo b", "--account", "ACC-002", password="y" * 12
        ).exit_code
        == 0
    )
    refused = {
        "already exists": users_command(ledger_url, "add", "ada", "--staff", password="z" * 12),
        "at least 12 characters": users_command(
            ledger_url, "add", "cy", "--account", "ACC-001", password="short"
        ),
        "a user needs a name": users_command(ledger_url, "add", "  ", "--staff", password="z" * 12),
        "the ledger has no account 'ACC-999'": users_command(
            ledger_url, "add", "di", "--account", "ACC-999", password="z" * 12
        ),
        "give the user's account (--account ID), or --staff": users_command(
            ledger_url, "add", "ed", password="z" * 12
        ),
        "there is no user named 'nobody'": users_command(ledger_url, "remove", "nobody"),
    }
    for message, result in refused.items():
        assert result.exit_code == 2 and message in result.stderr, (message, result.output)
    listed = users_command(ledger_url, "list")
    assert listed.stdout == ("ada\tACC-001\tadministrator\nbo b\tACC-002\tuser\nsam\t-\tstaff\n")
    assert users_command(ledger_url, "passwd", "ada", password="a new long password").exit_code == 0
    assert users_command(ledger_url, "remove", "bo b").exit_code == 0
    with open_ledger(ledger_url).connect() as connection:
        stored = list(connection.execute(sa.text("select password_hash from users")).scalars())
    assert len(stored) == 2
    assert all(h.startswith("$argon2") and "correct horse" not in h for h in stored)


@pytest.mark.parametrize(
    ("database", "message"),
    [
        ("", "is empty; give a SQLite file path (or sqlite:///PATH) or a postgresql:// URL"),
        ("  ", "is empty"),
        (":memory:", "is an in-memory database, which keeps nothing once the run ends"),
        ("sqlite://", "is an in-memory database"),
        ("mysql://u@localhost/l", "is a mysql:// URL, which the ledger cannot use"),
    ],
)
def test_bill_refuses_a_ledger_that_cannot_keep_what_it_issues(database, message):
    result = CliRunner().invoke(cli, ["bill", *MONTH, "--db", database])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "internal error" not in result.stderr


def test_users_and_serve_refuse_a_ledger_that_does_not_exist(tmp_path):
    missing = str(tmp_path / "typo.sqlite")
    added = CliRunner().invoke(
        cli,
        ["users", "add", "ada", "--staff", "--password-stdin", "--db", missing],
        input="x" * 20 + "\n",
    )
    served = CliRunner().invoke(cli, ["serve", "--db", missing])
    for result in (added, served):
        assert result.exit_code == 2
        assert "has no ledger yet; `tariff bill` creates one" in result.stderr
    assert not (tmp_path / "typo.sqlite").exists()


def test_no_message_prints_a_database_password():
    url = "postgresql://billing:s3cret-word@127.0.0.1:1/ledger"
    result = CliRunner().invoke(cli, ["bill", *MONTH, "--db", url])
    assert result.exit_code == 2
    assert "s3cret-word" not in result.output
    assert "postgresql://billing:***@127.0.0.1:1/ledger" in result.stderr


def test_bill_refuses_months_that_make_no_sense_unless_told_otherwise(tmp_path):
    ledger = str(tmp_path / "ledger.sqlite")

    def run(month, *flags, issue_date="2026-11-01"):
        return CliRunner().invoke(
            cli,
            [
                "bill",
                *example_month_args(month),
                "--db",
                ledger,
                "--issue-date",
                issue_date,
                *flags,
            ],
        )

    future = run("2099-06", issue_date="2099-07-01")
    assert future.exit_code == 2
    assert "2099-06 has not ended yet" in future.stderr and "--allow-open-month" in future.stderr
    early = run("2026-10", issue_date="2026-10-15")
    assert early.exit_code == 2
    assert "the issue date 2026-10-15 is before the end of 2026-10" in early.stderr
    elsewhere = run("2026-08", issue_date="2026-09-01")
    assert elsewhere.exit_code == 2
    assert "no call of the input belongs to 2026-08" in elsewhere.stderr
    for refused in (future, early, elsewhere):
        assert "nothing was issued" in refused.stderr
    assert issued(ledger) == []
    assert run("2026-10", "--allow-early-issue-date", issue_date="2026-10-15").exit_code == 0
    assert run("2026-08", "--allow-no-calls", issue_date="2026-09-01").exit_code == 0


def test_correct_cancels_the_invoice_of_an_account_that_left_the_input(ledger_url, tmp_path):
    assert bill(ledger_url).exit_code == 0
    without = []
    for name in ("accounts", "numbers"):
        rows = (EXAMPLES / f"{name}.csv").read_text().splitlines()
        (tmp_path / f"{name}.csv").write_text("\n".join(r for r in rows if "ACC-005" not in r))
        without += [f"--{name}", str(tmp_path / f"{name}.csv")]
    # Its calls are now to unknown numbers: rejected, and accepted here.
    without.append("--accept-rejections")
    warned = bill(ledger_url, *without)
    assert warned.exit_code == 0
    assert "ACC-005 no longer in the input" in warned.stderr and "--correct" in warned.stderr
    corrected = bill(ledger_url, *without, "--correct")
    assert corrected.exit_code == 0
    assert "cancelled with a credit note, no longer in the input: ACC-005" in corrected.stdout
    credits = [row for row in issued(ledger_url) if row[1] == "credit_note"]
    assert [(number, account) for number, _, account, _, _ in credits] == [("CN-000001", "ACC-005")]


def test_two_first_runs_at_once_issue_the_month_once_and_say_so_clearly(ledger_url):
    command = [sys.executable, "-m", "tariff.engine.cli", "bill", *MONTH, "--db", ledger_url]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outcomes = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
    for status, stderr in outcomes:
        assert status in (0, 2), stderr
        assert "Traceback" not in stderr and "internal error" not in stderr
        if status == 2:
            assert "another run is issuing into this ledger" in stderr
    numbers = [number for number, *_ in issued(ledger_url)]
    assert numbers == [f"INV-{n:06d}" for n in range(1, 8)]
