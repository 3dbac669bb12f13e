"""Start and stop the dashboard's Voila server (used by the tests and the benchmarks).

The server runs from the repository root so that it reads the project's ``voila.json``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent.parent
DASHBOARD_NOTEBOOK = "notebooks/dashboard.ipynb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class VoilaProcess:
    """A Voila server for one notebook, with the project's settings, on a free port.

    Parameters
    ----------
    notebook : str
        Path relative to the repository root.
    extra_args : sequence of str
        More command-line options (they override ``voila.json``).
    log_dir : pathlib.Path, optional
        Folder for the server's log ``dgs-voila-<port>.log`` (default: the temporary folder).
    """

    def __init__(self, notebook: str = DASHBOARD_NOTEBOOK, extra_args=(), log_dir=None,
                 port: int | None = None, timeout_s: float = 60.0):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        log_dir = Path(log_dir or os.environ.get("TMPDIR", "/tmp"))
        self.log_path = log_dir / f"dgs-voila-{self.port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        voila = Path(sys.executable).with_name("voila")
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(voila), notebook, f"--port={self.port}", "--no-browser", *extra_args],
            cwd=REPOSITORY, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.process.pid
        self._wait_until_up(timeout_s)

    def _wait_until_up(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"voila exited early; log:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "voila/static/voila.js", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"voila did not answer in {timeout_s} s; log:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text()

    def kernel_pids(self) -> list[int]:
        """Process ids of the kernels this server started."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        if not children.exists():
            return []
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB, or None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None
