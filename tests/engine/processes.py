"""Starting and killing worker processes against the test database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
FAST = {
    "SYNC_RETRY_BASE_SECONDS": "0",
    "SYNC_RETRY_MAX_SECONDS": "0",
    "SYNC_ECWID_SEARCH_LAG_SECONDS": "0",
    "SYNC_ECWID_CALLS_PER_MINUTE": "0",
}


def database_url() -> str:
    """The URL of the database this test runs on, for another process to open."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start(*args: str, **env: str) -> subprocess.Popen:
    environment = {**os.environ, **FAST, **env, "DATABASE_URL": database_url(), "PYTHONPATH": str(BASE_DIR)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.engine.worker", *args],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: a qcluster's forked workers die with it
    )


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def wait_for(condition, *, timeout: float, interval: float = 0.005, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}.")
