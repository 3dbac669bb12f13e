"""Servers the tests and benchmarks start as child processes, and what those run.

:class:`ServerProcess` is what every such server has in common: its own process group, its
output in a log file, an address polled until it answers, a stop that waits and then kills.
:class:`VoilaProcess` is the dashboard's server, ``harness.hub.HubProcess`` a JupyterHub and
``tests/test_proxy.py``'s ``NginxProcess`` nginx in front of Voila.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from deepgluteal.serve import free_port
from harness import DASHBOARD_NOTEBOOK, REPOSITORY


class ServerProcess:
    """A server in a session of its own, its output in ``log_path``, up once ``probe_url``
    answers.

    Subclasses name the program (``name``, for error messages), how they stop (``stop_group``:
    the whole process group, or the main process, which stops its own children) and whether any
    HTTP status means up (``any_status_is_up``, for a proxy whose backend may still be starting).
    """

    name = "server"
    stop_group = True
    stop_timeout_s = 15.0
    any_status_is_up = False
    poll_s = 0.2

    def __init__(self, argv, log_path: Path, probe_url: str, timeout_s: float,
                 cwd=None, env=None):
        self.log_path = Path(log_path)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(part) for part in argv], cwd=cwd, env=env, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.process.pid
        self._wait_until_up(probe_url, timeout_s)

    def _wait_until_up(self, probe_url: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"{self.name} exited early; log:\n{self.log()}")
            try:
                with urllib.request.urlopen(probe_url, timeout=2):
                    return
            except urllib.error.HTTPError:
                if self.any_status_is_up:
                    return
                time.sleep(self.poll_s)
            except OSError:
                time.sleep(self.poll_s)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer in {timeout_s} s; log:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            if self.stop_group:
                os.killpg(self.process.pid, signal.SIGTERM)
            else:
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class VoilaProcess(ServerProcess):
    """A Voila server for one notebook, with the project's settings, on a free port.

    Parameters
    ----------
    notebook : str
        Path relative to the repository root.
    extra_args : sequence of str
        More Voila options (``--Class.trait=value``; they override the project's settings).
    log_dir : pathlib.Path, optional
        Folder for the server's log ``dgs-voila-<port>.log`` (default: the temporary folder).
    base_url : str
        Path prefix of every URL the server answers and writes (``/dgs/`` behind a proxy).
    serve_args : sequence of str
        More ``deepgluteal serve`` options (``--lang es``, ``--public-url ...``).
    command : sequence of str, optional
        The ``deepgluteal`` command to run (default: this Python's ``-m deepgluteal``).
    cwd : path, optional
        Folder to run it in (default: the repository root).
    """

    name = "voila"

    def __init__(self, notebook: str | None = DASHBOARD_NOTEBOOK, extra_args=(), log_dir=None,
                 port: int | None = None, timeout_s: float = 60.0, base_url: str = "/",
                 serve_args=(), command=None, cwd=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}{base_url}"
        log_dir = Path(log_dir or os.environ.get("TMPDIR", "/tmp"))
        argv = [*(command or (sys.executable, "-m", "deepgluteal")), "serve",
                "--host=127.0.0.1", f"--port={self.port}", f"--base-url={base_url}",
                *serve_args]
        if notebook is not None:
            argv.append(f"--notebook={notebook}")
        if extra_args:
            argv += ["--", *extra_args]
        super().__init__(argv, log_dir / f"dgs-voila-{self.port}.log",
                         self.url + "voila/static/voila.js", timeout_s, cwd=cwd or REPOSITORY)

    def kernel_pids(self) -> list[int]:
        """Process ids of the running kernels this server started (not those that exited and
        wait for the server to collect them)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        if not children.exists():
            return []
        return [int(pid) for pid in children.read_text().split() if _running(int(pid))]


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB, or None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


def _running(pid: int) -> bool:
    """Whether a process exists and has not exited (a zombie has exited)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def kernel_pid(kernel_id: str) -> int | None:
    """Process id of the kernel with this id (its connection file names it), or None."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if f"kernel-{kernel_id}.json".encode() in cmdline:
            return int(proc.name)
    return None


def descendants(pid: int) -> list[int]:
    """A process and every process it started, and they started, and so on."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                queue.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found
