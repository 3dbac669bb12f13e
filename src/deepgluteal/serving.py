"""Serving the dashboard: start and stop its Voila server, guard it, and talk to its kernels.

- :class:`VoilaProcess` runs ``deepgluteal serve`` (the project's settings, see
  :mod:`deepgluteal.serve`) on a free port (tests and benchmarks).
- ``CappedKernelManager`` and ``GuardedKernelConnection`` are the server-side classes that
  ``server/voila.json`` names: a cap on concurrent kernels, and a kernel websocket limited to what a
  dashboard page sends. They are built on first use (see :func:`_server_classes`).
- :func:`open_viewer` and :class:`KernelSocket` are a viewer without a browser: they take a
  kernel by loading the page and speak the Jupyter kernel protocol over its websocket, as a
  page (or a crafty client) does (security tests, load benchmark).
"""

from __future__ import annotations

import functools
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

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

    def __init__(self, notebook: str | None = DASHBOARD_NOTEBOOK, extra_args=(), log_dir=None,
                 port: int | None = None, timeout_s: float = 60.0, base_url: str = "/",
                 serve_args=(), command=None, cwd=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}{base_url}"
        log_dir = Path(log_dir or os.environ.get("TMPDIR", "/tmp"))
        self.log_path = log_dir / f"dgs-voila-{self.port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        argv = [*(command or (sys.executable, "-m", "deepgluteal")), "serve",
                "--host=127.0.0.1", f"--port={self.port}", f"--base-url={base_url}",
                *serve_args]
        if notebook is not None:
            argv.append(f"--notebook={notebook}")
        if extra_args:
            argv += ["--", *extra_args]
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            argv, cwd=cwd or REPOSITORY, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
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
        """Process ids of the running kernels this server started (not those that exited and
        wait for the server to collect them)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        if not children.exists():
            return []
        return [int(pid) for pid in children.read_text().split() if _running(int(pid))]

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


# ----------------------------------------------------------------------------- server side
# Messages a dashboard page sends to its kernel, by channel. Voila already refuses
# execute_request (its allowed_message_types); the guard also keeps each type on the channel a
# page uses, so nothing reaches the control, stdin or iopub sockets but kernel_info_request.
PAGE_MESSAGES = {
    "shell": ("comm_open", "comm_msg", "comm_close", "comm_info_request", "kernel_info_request"),
    "control": ("kernel_info_request",),
}
SERVER_CLASSES = ("CappedKernelManager", "GuardedKernelConnection")
TRACEBACK = re.compile(r'Traceback \(most recent call last\)|File "[^"]+", line \d+')


def __getattr__(name: str):
    if name in SERVER_CLASSES:
        return _server_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _server_classes() -> dict:
    """The classes ``server/voila.json`` names, built when Voila first asks for them.

    They subclass jupyter_server's, whose import takes over a second; the tests and
    benchmarks that import this module for :class:`VoilaProcess` do not pay for it.
    """
    from jupyter_core.utils import ensure_async
    from jupyter_server.services.kernels.connection.base import (
        deserialize_binary_message,
        deserialize_msg_from_ws_v1,
    )
    from jupyter_server.services.kernels.connection.channels import (
        ZMQChannelsWebsocketConnection,
    )
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from tornado.web import HTTPError
    from traitlets import Float, Integer

    class CappedKernelManager(AsyncMappingKernelManager):
        """A kernel manager that starts no more than ``max_kernels`` kernels at once.

        Every open tab holds a kernel (about 130 MB); past the cap a visitor gets status 503,
        which the ``dgs`` template's error page words as "the explainer is full right now, try
        again in a minute", and the viewers already in keep a responsive machine. Voila's
        preheated pool counts towards the cap; a pool refill refused at the cap is retried when
        a viewer's kernel shuts down (Voila refills only when a visitor takes a pooled kernel).
        Idle time, for culling, counts from the moment a kernel's last page went away.
        """

        max_kernels = Integer(
            40, config=True,
            help="Most kernels (viewers plus the preheated pool) running at once.")

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._starting = 0
            self._closing = False

        async def start_kernel(self, *args, kernel_id=None, **kwargs):
            if kernel_id is None or kernel_id not in self:
                if len(self) + self._starting >= self.max_kernels:
                    self.log.warning("Kernel cap of %d reached; answering 503", self.max_kernels)
                    raise HTTPError(503, reason="Too many visitors")
            self._starting += 1
            try:
                return await super().start_kernel(*args, kernel_id=kernel_id, **kwargs)
            finally:
                self._starting -= 1

        async def shutdown_kernel(self, kernel_id, *args, **kwargs):
            result = await ensure_async(super().shutdown_kernel(kernel_id, *args, **kwargs))
            if not self._closing:
                self._refill_pools()
            return result

        def notify_disconnect(self, kernel_id) -> None:
            super().notify_disconnect(kernel_id)
            # Idle time counts from the moment the last page went away: a page that loses its
            # connection for a moment (a train, a sleeping laptop) finds its kernel again.
            if self._kernel_connections.get(kernel_id) == 0 and kernel_id in self:
                self.get_kernel(kernel_id).last_activity = datetime.now(UTC)

        async def shutdown_all(self, *args, **kwargs):
            self._closing = True
            return await ensure_async(super().shutdown_all(*args, **kwargs))

        def _refill_pools(self) -> None:
            pools = getattr(self, "_pools", {})  # only Voila's preheating subclass has pools
            for notebook, pool in pools.items():
                pool[:] = [task for task in pool if not _failed(task)]
                self.fill_if_needed(notebook_name=notebook)

    class GuardedKernelConnection(ZMQChannelsWebsocketConnection):
        """A kernel websocket that forwards only what a dashboard page sends.

        Besides keeping message types on their page channel (:data:`PAGE_MESSAGES`), it bounds
        the shell messages one client may have waiting in the kernel to ``max_pending``: a
        flood of widget updates then queues a few redraws instead of minutes of them. A page
        never comes near the bound, as ipywidgets sends a widget's next update only after the
        kernel went idle on the previous one.
        """

        max_pending = Integer(
            32, config=True,
            help="Shell messages a client may have waiting in the kernel; more are dropped.")
        max_pending_state_requests = Integer(
            512, config=True,
            help="Widget state requests (answered without a redraw) that may wait beyond "
                 "max_pending: a page whose first request for every widget's state took over "
                 "4 s (a busy machine) asks again for each widget separately, all at once.")
        pending_expiry_s = Float(
            30.0, config=True,
            help="Seconds after which an unanswered message no longer counts as waiting.")

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._pending: dict[str, float] = {}
            self._dropping = False

        def connect(self):
            # Tornado leaves Nagle's algorithm on for websockets, so a picture written while
            # the previous one is unacknowledged waits for the browser's delayed ACK (40 ms
            # measured, on every frame of Play). Pictures are large and few: send at once.
            self.websocket_handler.set_nodelay(True)
            return super().connect()

        def handle_incoming_message(self, incoming_msg) -> None:
            try:
                channel, header = self._channel_and_header(incoming_msg)
                msg_type, msg_id = header["msg_type"], header["msg_id"]
                if not (isinstance(msg_type, str) and isinstance(msg_id, str)):
                    raise TypeError("msg_type and msg_id must be strings")
            except Exception as error:
                self.log.warning("Dropped a malformed kernel websocket message: %s", error)
                return
            if msg_type not in PAGE_MESSAGES.get(channel, ()):
                self.log.warning("Dropped a %.40r message on the %.20r channel", msg_type, channel)
                return
            if channel == "shell" and not self._admit(msg_id, incoming_msg, msg_type):
                return
            super().handle_incoming_message(incoming_msg)

        def _channel_and_header(self, incoming_msg) -> tuple:
            """Channel and header as the base class will read them (same parsers)."""
            if self.subprotocol == V1_PROTOCOL:
                channel, parts = deserialize_msg_from_ws_v1(incoming_msg)
                return channel, self.session.unpack(parts[0])
            if isinstance(incoming_msg, bytes):
                msg = deserialize_binary_message(incoming_msg)
            else:
                msg = json.loads(incoming_msg)
            return msg.get("channel") or "shell", msg["header"]

        def _admit(self, msg_id: str, incoming_msg=None, msg_type: str = "") -> bool:
            now = time.monotonic()
            if len(self._pending) >= self.max_pending:
                self._pending = {key: sent for key, sent in self._pending.items()
                                 if now - sent < self.pending_expiry_s}
            bound = self.max_pending
            if len(self._pending) >= bound and self._requests_state(incoming_msg, msg_type):
                bound += self.max_pending_state_requests
            if len(self._pending) >= bound:
                if not self._dropping:
                    self.log.warning("Kernel %s: a client has %d messages waiting; dropping "
                                     "more until the kernel catches up", self.kernel_id,
                                     len(self._pending))
                self._dropping = True
                return False
            self._dropping = False
            self._pending[msg_id] = now
            return True

        def _requests_state(self, incoming_msg, msg_type: str) -> bool:
            """Whether a shell message is a page's request for one widget's state (or the
            comm info request that precedes them); read only past ``max_pending``."""
            if msg_type == "comm_info_request":
                return True
            if msg_type != "comm_msg" or incoming_msg is None:
                return False
            try:
                if self.subprotocol == V1_PROTOCOL:
                    content = self.session.unpack(deserialize_msg_from_ws_v1(incoming_msg)[1][3])
                elif isinstance(incoming_msg, bytes):
                    content = deserialize_binary_message(incoming_msg)["content"]
                else:
                    content = json.loads(incoming_msg)["content"]
                return content["data"]["method"] == "request_state"
            except Exception:
                return False

        def handle_outgoing_message(self, stream, outgoing_msg) -> None:
            if self._pending and getattr(stream, "channel", stream) == "iopub":
                self._settle(outgoing_msg)
            super().handle_outgoing_message(stream, outgoing_msg)

        def _on_error(self, channel, msg, msg_list) -> None:
            """Replace tracebacks in what clients receive: error messages (as the base class
            means to, which reads the replacement text from the wrong object) and stderr text,
            where the kernel logs exceptions raised by widget messages."""
            manager = self.multi_kernel_manager
            if manager.allow_tracebacks or channel != "iopub":
                return
            msg["header"] = self.get_part("header", msg["header"], msg_list)
            msg_type = msg["header"]["msg_type"]
            if msg_type not in ("error", "stream"):
                return
            msg["content"] = content = self.get_part("content", msg["content"], msg_list)
            if msg_type == "error":
                content.update(ename="ExecutionError", evalue="Execution error",
                               traceback=[manager.traceback_replacement_message])
            elif TRACEBACK.search(str(content.get("text", ""))):
                content["text"] = manager.traceback_replacement_message + "\n"
            else:
                return
            if self.subprotocol == V1_PROTOCOL:
                msg_list[3] = self.session.pack(content)

        def _settle(self, msg_list) -> None:
            """Forget a waiting message once the kernel reports idle on it."""
            try:
                _, parts = self.session.feed_identities(msg_list)
                if self.session.unpack(parts[1])["msg_type"] != "status":
                    return
                if self.session.unpack(parts[4]).get("execution_state") == "idle":
                    self._pending.pop(self.session.unpack(parts[2]).get("msg_id"), None)
            except Exception:  # a message the base class will report; nothing to settle
                return

    return {"CappedKernelManager": CappedKernelManager,
            "GuardedKernelConnection": GuardedKernelConnection}


def _failed(task) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)


# ----------------------------------------------------------------------------- client side
V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


class Viewer(NamedTuple):
    """A kernel taken by loading the dashboard page, and what the page came with."""

    kernel_id: str
    cookie: str  # the ``Cookie`` header value the server set, for :class:`KernelSocket`
    page: str  # the page's HTML


def open_viewer(server_url: str, query: str = "", timeout_s: float = 120.0) -> Viewer:
    """Load the dashboard page over HTTP, as a browser would, and take its kernel.

    Raises
    ------
    urllib.error.HTTPError
        When the server refuses the page (503 past the kernel cap).
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(server_url + query, timeout=timeout_s) as response:
        page = response.read().decode("utf-8", "replace")
    match = KERNEL_ID.search(page)
    if match is None:
        raise ValueError("the dashboard page names no kernel (kernelId missing)")
    return Viewer(match.group(1), "; ".join(f"{c.name}={c.value}" for c in jar), page)


def close_viewer(server_url: str, kernel_id: str, cookie: str = "") -> int:
    """Shut a viewer's kernel down as a closing page does; returns the HTTP status (204).

    The request repeats a random token in the ``_xsrf`` cookie and the ``X-XSRFToken`` header,
    which is what jupyter_server's cross-site request check compares.
    """
    token = uuid.uuid4().hex
    request = urllib.request.Request(
        f"{server_url}voila/api/shutdown/{kernel_id}", data=b"", method="POST",
        headers={"Cookie": "; ".join(filter(None, (cookie, f"_xsrf={token}"))),
                 "X-XSRFToken": token})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def v1_frame(channel: str, parts) -> bytes:
    """A message in the v1 kernel websocket protocol: part offsets, the channel, the parts."""
    name = channel.encode("utf-8")
    offsets = [8 * (len(parts) + 3), 8 * (len(parts) + 3) + len(name)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return b"".join([len(offsets).to_bytes(8, "little"),
                     *(offset.to_bytes(8, "little") for offset in offsets), name, *parts])


def parse_v1_frame(frame: bytes) -> tuple[str, list[bytes]]:
    count = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1):8 * (i + 2)], "little") for i in range(count)]
    channel = frame[offsets[0]:offsets[1]].decode("utf-8")
    return channel, [frame[offsets[i]:offsets[i + 1]] for i in range(1, count - 1)]


class KernelSocket:
    """A websocket to a dashboard's kernel that speaks the Jupyter protocol like a page.

    Parameters
    ----------
    server_url : str
        The server's base URL, ending with ``/``.
    kernel_id : str
        From :func:`open_viewer` or the page's ``jupyter-config-data``.
    cookie : str
        ``Cookie`` header value (the page's cookies).
    protocol : str
        :data:`V1_PROTOCOL` (binary frames, what JupyterLab uses) or ``""`` (legacy JSON).
    timeout_s : float
        Connection and default receive timeout.
    """

    def __init__(self, server_url: str, kernel_id: str, cookie: str = "",
                 protocol: str = V1_PROTOCOL, timeout_s: float = 30.0):
        import websocket  # websocket-client, a test dependency

        self.session_id = uuid.uuid4().hex
        url = (server_url.replace("http", "ws", 1)
               + f"api/kernels/{kernel_id}/channels?session_id={self.session_id}")
        self.ws = websocket.create_connection(
            url, timeout=timeout_s, subprotocols=[protocol] if protocol else None,
            header=[f"Cookie: {cookie}"] if cookie else None)
        self.protocol = self.ws.getsubprotocol() or ""
        self.timeout_s = timeout_s
        self.control_comm: str | None = None

    # ------------------------------------------------------------------ sending
    def header(self, msg_type: str) -> dict:
        return {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": self.session_id,
                "username": "viewer", "date": datetime.now(UTC).isoformat(), "version": "5.3"}

    def send(self, msg_type: str, content: dict, channel: str = "shell", header=None,
             parent_header=None, metadata=None, buffers=()) -> str:
        """Send one message; returns its msg_id."""
        header = header or self.header(msg_type)
        parts = [json.dumps(part).encode() for part in
                 (header, parent_header or {}, metadata or {}, content)]
        if self.protocol == V1_PROTOCOL:
            self.ws.send_binary(v1_frame(channel, [*parts, *buffers]))
        else:
            self.ws.send(json.dumps({"channel": channel, "header": header,
                                     "parent_header": parent_header or {},
                                     "metadata": metadata or {}, "content": content,
                                     "buffers": []}))
        return header["msg_id"]

    def send_raw(self, data) -> None:
        """Send a frame as given (bytes as binary, str as text)."""
        if isinstance(data, bytes):
            self.ws.send_binary(data)
        else:
            self.ws.send(data)

    # ------------------------------------------------------------------ receiving
    def recv(self, timeout_s: float | None = None) -> dict | None:
        """The next message as a dict (channel, header, parent_header, content, buffers), or
        None when nothing came within the timeout."""
        import websocket

        self.ws.settimeout(self.timeout_s if timeout_s is None else timeout_s)
        try:
            frame = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        if not frame:
            raise ConnectionError("the server closed the kernel websocket")
        if isinstance(frame, str):
            return json.loads(frame)
        if self.protocol == V1_PROTOCOL:
            channel, parts = parse_v1_frame(frame)
            names = ("header", "parent_header", "metadata", "content")
            message = {name: json.loads(part) for name, part in zip(names, parts, strict=False)}
            return {"channel": channel, **message, "buffers": parts[4:]}
        # legacy binary: big-endian part count and offsets, a JSON message, then buffers
        count = int.from_bytes(frame[:4], "big")
        offsets = [int.from_bytes(frame[4 * (i + 1):4 * (i + 2)], "big") for i in range(count)]
        offsets.append(len(frame))
        message = json.loads(frame[offsets[0]:offsets[1]])
        message["buffers"] = [frame[offsets[i]:offsets[i + 1]] for i in range(1, count)]
        return message

    def drain(self, seconds: float) -> int:
        """Read and drop whatever arrives for ``seconds`` (this also answers the server's
        pings, which a socket nobody reads from fails); returns the number of messages."""
        deadline, count = time.monotonic() + seconds, 0
        while (left := deadline - time.monotonic()) > 0:
            count += self.recv(left) is not None
        return count

    def wait_idle(self, msg_id: str, timeout_s: float | None = None) -> list[dict]:
        """Messages up to the kernel's idle status for ``msg_id``; raises TimeoutError."""
        deadline = time.monotonic() + (self.timeout_s if timeout_s is None else timeout_s)
        seen = []
        while (left := deadline - time.monotonic()) > 0:
            message = self.recv(left)
            if message is None:
                break
            seen.append(message)
            if (message["header"]["msg_type"] == "status"
                    and message["parent_header"].get("msg_id") == msg_id
                    and message["content"]["execution_state"] == "idle"):
                return seen
        raise TimeoutError(f"the kernel did not finish message {msg_id} in time")

    # ------------------------------------------------------------------ widgets
    def widget_states(self) -> dict:
        """Every widget's state by model id (ipywidgets' control comm, as a page asks)."""
        if self.control_comm is None:
            self.control_comm = uuid.uuid4().hex
            self.send("comm_open", {"comm_id": self.control_comm,
                                    "target_name": "jupyter.widget.control", "data": {}},
                      metadata={"version": "1.0.0"})  # ipywidgets' control protocol
        msg_id = self.send("comm_msg", {"comm_id": self.control_comm,
                                        "data": {"method": "request_states"}})
        for message in self.wait_idle(msg_id):
            data = message["content"].get("data", {})
            if (message["header"]["msg_type"] == "comm_msg"
                    and message["content"].get("comm_id") == self.control_comm
                    and data.get("method") == "update_states"):
                return {model: entry["state"] for model, entry in data["states"].items()}
        raise RuntimeError("the kernel sent no widget states")

    def find_widget(self, css_class: str, states: dict | None = None) -> str:
        """Model id of the widget that carries ``css_class`` (e.g. ``dgs-control-valgus``)."""
        states = self.widget_states() if states is None else states
        for model, state in states.items():
            if css_class in state.get("_dom_classes", ()):
                return model
        raise KeyError(f"no widget with class {css_class}")

    def update(self, model_id: str, state: dict) -> str:
        """Send a widget state change, as a page does when a control moves; returns msg_id."""
        return self.send("comm_msg", {"comm_id": model_id,
                                      "data": {"method": "update", "state": state,
                                               "buffer_paths": []}})

    def close(self) -> None:
        self.ws.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
