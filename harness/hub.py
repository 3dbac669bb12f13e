"""JupyterHub with ``make hub``'s settings on free ports, and a student signing in to it without
a browser (``tests/test_hub.py``, ``benchmarks/bench_hub.py``)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from deepgluteal.hub import CONFIG_FILE
from deepgluteal.serve import free_port
from harness.servers import ServerProcess, descendants
from harness.viewers import KERNEL_ID, Viewer


class HubProcess(ServerProcess):
    """JupyterHub with :func:`deepgluteal.hub.configure`'s settings, on free ports.

    Parameters
    ----------
    state_dir : pathlib.Path
        Database, secrets and the students' home folders (a fresh folder per hub).
    idle_timeout_s, cull_every_s : int, optional
        Override ``hub.toml`` (short values make the culler act within a test).
    """

    name = "jupyterhub"
    stop_group = False  # the hub stops its students' servers itself
    stop_timeout_s = 60.0
    poll_s = 0.3

    def __init__(self, state_dir: Path, idle_timeout_s: int | None = None,
                 cull_every_s: int | None = None, password: str | None = None,
                 timeout_s: float = 90.0, log_dir: Path | None = None):
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.password = password or secrets.token_hex(8)
        self.operator_token = secrets.token_hex(24)
        env = {**os.environ, "DGS_HUB_IP": "127.0.0.1", "DGS_HUB_PORT": str(self.port),
               "HUB_PASSWORD": self.password, "DGS_HUB_STATE_DIR": str(self.state_dir),
               "DGS_HUB_OPERATOR_TOKEN": self.operator_token}
        if idle_timeout_s is not None:
            env["DGS_HUB_IDLE_TIMEOUT_S"] = str(idle_timeout_s)
        if cull_every_s is not None:
            env["DGS_HUB_CULL_EVERY_S"] = str(cull_every_s)
        super().__init__(
            [Path(sys.executable).with_name("jupyterhub"), "-f", CONFIG_FILE],
            Path(log_dir or self.state_dir) / f"dgs-hub-{self.port}.log",
            self.url + "hub/api/", timeout_s, cwd=self.state_dir, env=env)

    def api(self, path: str, method: str = "GET", data: dict | None = None):
        """The hub's REST API as the operator service; returns the decoded JSON (or None)."""
        request = urllib.request.Request(
            self.url + "hub/api/" + path, method=method,
            data=None if data is None else json.dumps(data).encode(),
            headers={"Authorization": f"token {self.operator_token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
        return json.loads(body) if body else None

    def user(self, name: str) -> dict | None:
        try:
            return self.api(f"users/{name}")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def server_ready(self, name: str) -> bool:
        user = self.user(name)
        server = (user or {}).get("servers", {}).get("")
        return bool(server and server.get("ready"))

    def pids(self) -> list[int]:
        """The hub and every process it started (proxy, culler, students' servers, kernels)."""
        return descendants(self.pid)


class HubClient:
    """One student without a browser: logs in with the class password and opens their
    dashboard through the hub's proxy (cookies kept, redirects followed as a browser does)."""

    def __init__(self, hub_url: str, username: str, password: str, timeout_s: float = 180.0):
        self.hub_url = hub_url
        self.username = username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.timeout_s = timeout_s
        self.server_url = f"{hub_url}user/{username}/"
        self._login(password)

    def _login(self, password: str) -> None:
        login_url = self.hub_url + "hub/login"
        with self.opener.open(login_url, timeout=self.timeout_s) as response:
            form = response.read().decode("utf-8", "replace")
        token = re.search(r'name="_xsrf"\s+value="([^"]+)"', form)
        fields = {"username": self.username, "password": password}
        if token:
            fields["_xsrf"] = token.group(1)
        # The hub then sends a student whose server is not running to /hub/spawn, as a
        # browser would be, which starts it.
        request = urllib.request.Request(
            login_url, data=urllib.parse.urlencode(fields).encode(), method="POST")
        with self.opener.open(request, timeout=self.timeout_s) as response:
            response.read()
        if not any(cookie.name == "jupyterhub-session-id" or cookie.name.startswith(
                "jupyterhub-hub-login") for cookie in self.jar):
            raise PermissionError(f"the hub did not let {self.username} in")

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def get(self, url: str) -> tuple[int, str, str]:
        """Status, final URL and body of a GET through the hub, as this student."""
        try:
            with self.opener.open(url, timeout=self.timeout_s) as response:
                return response.status, response.url, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, url, error.read().decode("utf-8", "replace")

    def open_viewer(self, deadline_s: float | None = None) -> Viewer:
        """Load the student's dashboard (their server is started on demand) and take its
        kernel; retries while the hub says the server is still starting."""
        deadline = time.monotonic() + (deadline_s or self.timeout_s)
        while True:
            status, url, page = self.get(self.server_url)
            match = KERNEL_ID.search(page)
            if status == 200 and match:
                return Viewer(match.group(1), self.cookie(), page)
            if status == 424:  # the server stopped (culled): start it as the page's button does
                self.get(f"{self.hub_url}hub/spawn/{self.username}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.username}: no dashboard at {url} ({status})")
            time.sleep(1.0)
