"""Staff commands as staff run them: cohorts, CSV import, plan preview, outbox status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.settings import ROOT

MENTOR = str(Path(sys.executable).with_name("mentor"))
DATES = [
    "--date=selection_result=2026-12-01",
    "--date=training_start=2027-01-11",
    "--date=departure=2027-03-01",
    "--date=return=2027-09-30",
]


def mentor(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MENTOR_DATABASE_URL=f"sqlite:///{tmp_path / 'staff.db'}")
    return subprocess.run(
        [MENTOR, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False
    )


def test_a_cohort_from_creation_to_preview(tmp_path: Path) -> None:
    created = mentor(
        tmp_path,
        "cohort",
        "create",
        "TNG27",
        "--programme",
        "MENTOR 3",
        "--city",
        "Tanger",
        "--timezone",
        "Africa/Casablanca",
        *DATES,
    )
    assert created.returncode == 0, created.stderr
    assert "cohort_TNG27" in created.stdout
    enrolled = mentor(tmp_path, "cohort", "enroll", "TNG27", "telegram:1001")
    assert enrolled.returncode == 0 and "12 reminders pending" in enrolled.stdout, enrolled.stdout
    moved = mentor(tmp_path, "cohort", "set-date", "TNG27", "departure", "2027-03-08")
    assert "2 moved" in moved.stdout
    preview = mentor(tmp_path, "plan", "preview", "TNG27").stdout
    assert "telegram:1001 (Africa/Casablanca)" in preview
    assert "Fri 2027-03-05 18:00 +00  pre_departure.departure_checklist" in preview
    shown = mentor(tmp_path, "cohort", "show", "TNG27").stdout
    assert "people: 1" in shown and "reminders: pending 12" in shown
    status = mentor(tmp_path, "outbox", "status")
    assert status.stdout.startswith("outbox: pending 12") and "nothing is due" in status.stdout
    removed = mentor(tmp_path, "cohort", "remove", "TNG27", "telegram:1001")
    assert removed.returncode == 0 and mentor(tmp_path, "outbox", "status").stdout.startswith("outbox: empty")


def test_a_csv_with_a_bad_line_imports_nobody_and_says_which_lines(tmp_path: Path) -> None:
    mentor(
        tmp_path,
        "cohort",
        "create",
        "TUN27",
        "--programme",
        "MENTOR 3",
        "--city",
        "Tunis",
        "--timezone",
        "Africa/Tunis",
        *DATES,
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "cohort,channel,external_id,timezone\nTUN27,telegram,2001,\nTUN28,telegram,2002,\n"
        "TUN27,sms,2003,Mars/Olympus\n",
        encoding="utf-8",
    )
    refused = mentor(tmp_path, "cohort", "import", str(bad))
    assert refused.returncode == 1
    assert "line 3: no cohort 'TUN28'" in refused.stderr
    assert "line 4: channel must be one of telegram, whatsapp" in refused.stderr
    assert "line 4: 'Mars/Olympus' is not a time zone" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert "people: 0" in mentor(tmp_path, "cohort", "show", "TUN27").stdout

    good = tmp_path / "good.csv"
    good.write_text(
        "cohort,channel,external_id\nTUN27,telegram,2001\nTUN27,telegram,2002\n", encoding="utf-8"
    )
    assert (
        mentor(tmp_path, "cohort", "import", str(good)).stdout.strip() == "imported 2 people into 1 cohorts"
    )
    assert "people: 2" in mentor(tmp_path, "cohort", "show", "TUN27").stdout


def test_unusable_files_and_names_get_a_clear_message(tmp_path: Path) -> None:
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    no_header = tmp_path / "no_header.csv"
    no_header.write_text("TUN27,telegram,2001\n", encoding="utf-8")
    cases = [
        (("cohort", "import", str(binary)), "is not a UTF-8 text file"),
        (("cohort", "import", str(no_header)), "line 1: the header needs the columns"),
        (("cohort", "import", str(tmp_path / "missing.csv")), "cannot read"),
        (("cohort", "show", "NOPE"), "no cohort 'NOPE'"),
        (("cohort", "enroll", "NOPE", "whatsapp"), "write a person as channel:id"),
        (
            ("cohort", "create", "X", "--programme", "P", "--city", "C", "--timezone", "Mars/Base"),
            "not a time zone",
        ),
        (
            (
                "cohort",
                "create",
                "X",
                "--programme",
                "P",
                "--city",
                "C",
                "--timezone",
                "UTC",
                "--date=holiday=2027-01-01",
            ),
            "unknown date 'holiday'",
        ),
    ]
    for args, message in cases:
        done = mentor(tmp_path, *args)
        assert done.returncode == 1, args
        assert message in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
