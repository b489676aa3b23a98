"""The processes under test: a migrated and seeded temporary database, gunicorn and a qcluster."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Stack:
    """Temporary database + portal + worker; a context manager that always cleans up."""

    def __init__(self, *, port: int = 0, workers: int = 2, keep: bool = False):
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.workers = workers
        self.keep = keep
        self.dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        self.access_log = self.dir / "access.log"
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": f"sqlite:///{self.dir / 'bench.sqlite3'}",
            "REDIS_URL": "",  # the embedded default: django-q2's ORM broker
            "SANDBOX_ENABLED": "true",
            "DEBUG": "false",
            "Q_WORKERS": str(workers),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(BASE_DIR),
        }

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env, check=True, capture_output=True
        )

    def spawn(self, *command: str, log_name: str) -> None:
        log = open(self.dir / log_name, "wb")  # noqa: SIM115 (closed with the process group)
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)

    def __enter__(self) -> Stack:
        try:
            self.manage("migrate", "--noinput")
            self.manage("sandbox_seed", "--portal-url", self.url)
            gunicorn = str(Path(sys.executable).parent / "gunicorn")
            self.spawn(
                gunicorn,
                "portal.wsgi",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                "1",  # the sandbox's rate-limit buckets live in its process memory
                "--threads",
                "16",
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                '"%(m)s %(U)s" %(s)s',  # no query strings: TikTok's token URL carries the app secret
                log_name="gunicorn.log",
            )
            self.spawn(sys.executable, "manage.py", "qcluster", log_name="qcluster.log")
            self.wait_until_up()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        # This process reads and writes the same database (setup, measurements).
        for key in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "SANDBOX_ENABLED", "DEBUG"):
            os.environ[key] = self.env[key]
        import django

        django.setup()
        return self

    def wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/sandbox/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"The portal did not start; see {self.dir / 'gunicorn.log'}")

    def access_log_size(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def requests_since(self, offset: int) -> list[tuple[str, int]]:
        """(request line, HTTP status) of every request the portal served after `offset`."""
        with open(self.access_log, "rb") as log:
            log.seek(offset)
            lines = log.read().decode(errors="replace").splitlines()
        served = []
        for line in lines:
            request, _, status = line.rpartition(" ")
            served.append((request.strip('"'), int(status) if status.isdigit() else 0))
        return served

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        if self.keep:
            print(f"Kept the benchmark's database and logs in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
