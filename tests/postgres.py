"""A throwaway PostgreSQL server for tests, started from the PostgreSQL binaries on the machine.

When the binaries are missing, ``start`` says why, and the tests that need it are skipped with that reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.evaluation.telegram_harness import free_port, wait_for_port

BINARIES = ("initdb", "pg_ctl")


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; run it as the ``postgres`` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def server() -> Iterator[str]:
    """Start a server in a new temporary folder and yield its URL; stop and remove it afterwards."""
    missing = [name for name in BINARIES if shutil.which(name) is None]
    if missing:
        pytest.skip(f"PostgreSQL binaries not installed ({', '.join(missing)} missing)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL")
    with tempfile.TemporaryDirectory(prefix="mentor-pg-") as folder:
        data = Path(folder) / "pgdata"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
            shutil.chown(data, "postgres")
        yield from _run(data)


def _run(data: Path) -> Iterator[str]:
    port = free_port()
    quiet = {"capture_output": True, "check": True, "timeout": 120}
    subprocess.run(_as_server_user(["initdb", "-D", str(data), "-U", "mentor", "-A", "trust"]), **quiet)
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = data / "server.log"
    start = ["pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]
    # The server inherits pg_ctl's output: send it to the log, not to pipes this process would wait on.
    silent = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True, "timeout": 120}
    subprocess.run(_as_server_user(start), **silent)
    try:
        url = f"postgresql://mentor@127.0.0.1:{port}/postgres"
        wait_for_port(port)
        yield url
    finally:
        subprocess.run(_as_server_user(["pg_ctl", "-D", str(data), "-m", "immediate", "stop"]), **quiet)
