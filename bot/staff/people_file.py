"""A staff CSV of people (cohort,channel,external_id[,timezone,language]), read as a stream.

The size limit and the binary check are applied to each block as it is read, so ``/dev/zero``, a photo or a
file of gigabytes is refused after its first block or its first 10 MB, never loaded whole. Every line is
checked; an identical repeat of a line is noted and counted once, a repeat that disagrees is a mistake.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from bot.settings import REPLY_LANGUAGES
from bot.staff.errors import StaffError
from bot.storage import cohorts
from bot.storage.models import User
from scheduler.timing import zone

CHANNELS = ("telegram", "whatsapp")
CSV_COLUMNS = ("cohort", "channel", "external_id")
CSV_OPTIONAL = ("timezone", "language")
MAX_CSV_BYTES = 10_000_000
MAX_REPORTED = 100  # problems and duplicates listed; the rest are counted
EXTERNAL_ID = re.compile(r"[A-Za-z0-9_+-]{1,64}")


@dataclass
class PeopleFile:
    """The people of a file, by (cohort, channel, external id), with the line each was first on."""

    people: dict[tuple[str, str, str], tuple[int, cohorts.Member]] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)


class _Guarded(io.RawIOBase):
    """A binary file that stops with ``StaffError`` past ``MAX_CSV_BYTES`` or at the first NUL byte."""

    def __init__(self, raw: BinaryIO, path: Path) -> None:
        self._raw, self._path, self._total = raw, path, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer) or 0
        self._total += count
        if self._total > MAX_CSV_BYTES:
            raise StaffError(_too_large(self._path))
        if b"\x00" in bytes(memoryview(buffer)[:count]):
            raise StaffError(f"{self._path} is not a UTF-8 text file (it holds binary data)")
        return count


def read_people(path: Path, cohort_codes: Collection[str]) -> PeopleFile:
    """The people of the file; ``StaffError`` listing every bad line (by number) when there is one."""
    try:
        raw = path.open("rb", buffering=0)
    except OSError as error:
        raise StaffError(f"cannot read {path}: {error.strerror}") from None
    with raw:
        info = os.fstat(raw.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise StaffError(f"cannot read {path}: it is a folder")
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_CSV_BYTES:
            raise StaffError(_too_large(path))
        text = io.TextIOWrapper(io.BufferedReader(_Guarded(raw, path)), encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            return _rows(path, reader, cohort_codes)
        except UnicodeDecodeError:
            raise StaffError(f"{path} is not a UTF-8 text file (save it as CSV UTF-8)") from None
        except csv.Error as error:
            raise StaffError(f"line {reader.line_num}: {error}") from None
        except OSError as error:
            raise StaffError(f"cannot read {path}: {error.strerror}") from None


def _too_large(path: Path) -> str:
    return f"{path} is larger than {MAX_CSV_BYTES // 1_000_000} MB; split it"


def _rows(path: Path, reader: csv._reader, cohort_codes: Collection[str]) -> PeopleFile:  # type: ignore[name-defined]
    header = [name.strip() for name in next(reader, [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise StaffError(
            f"line 1: the header needs the columns {', '.join(CSV_COLUMNS)} (missing: {', '.join(missing)})"
        )
    unknown = [c for c in header if c not in CSV_COLUMNS + CSV_OPTIONAL]
    if unknown:
        raise StaffError(f"line 1: unknown columns {', '.join(unknown)}")
    found = PeopleFile()
    problems: list[str] = []
    for fields in reader:
        if not any(value.strip() for value in fields):
            continue
        line = reader.line_num
        if len(fields) > len(header):
            problems.append(f"line {line}: {len(fields)} fields, the header has {len(header)}")
            continue
        row = dict(zip(header, (value.strip() for value in fields), strict=False))
        wrong = _problems(row, cohort_codes)
        problems += [f"line {line}: {problem}" for problem in wrong]
        if wrong:
            continue
        person = cohorts.Member(
            row["channel"], row["external_id"], row.get("timezone") or None, row.get("language") or None
        )
        key = (row["cohort"], person.channel, person.external_id)
        first = found.people.get(key)
        if first is None:
            found.people[key] = (line, person)
        elif first[1] == person:
            found.duplicates.append(f"line {line} duplicates line {first[0]}")
        else:
            problems.append(
                f"line {line}: the person of line {first[0]} again, with another zone or language"
            )
    if problems:
        raise StaffError("nothing imported:\n" + listing(problems, "problems"))
    if not found.people:
        raise StaffError(f"{path} has a header but no people")
    return found


def listing(lines: list[str], what: str) -> str:
    """The first ``MAX_REPORTED`` lines, and how many more there are."""
    shown = lines[:MAX_REPORTED]
    if len(lines) > MAX_REPORTED:
        shown.append(f"... and {len(lines) - MAX_REPORTED} more {what}")
    return "\n".join(shown)


def _problems(row: dict[str, str], cohort_codes: Collection[str]) -> list[str]:
    problems = []
    if row.get("cohort") not in cohort_codes:
        problems.append(f"no cohort {row.get('cohort', '')[:40]!r}")
    if row.get("channel") not in CHANNELS:
        problems.append(f"channel must be one of {', '.join(CHANNELS)}")
    if not EXTERNAL_ID.fullmatch(row.get("external_id", "")):
        problems.append("external_id must be 1-64 of letters, digits, _ + -")
    if row.get("timezone"):
        problems += _zone_problems(row["timezone"])
    if row.get("language") and row["language"] not in REPLY_LANGUAGES:
        problems.append(f"language must be one of {', '.join(REPLY_LANGUAGES)}")
    return problems


def _zone_problems(name: str) -> list[str]:
    try:
        cohorts.check_length(User, "timezone", name)
        zone(name)
    except ValueError as error:  # CohortError is a ValueError too
        return [str(error)]
    return []
