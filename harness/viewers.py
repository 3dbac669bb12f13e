"""A viewer without a browser: it takes a kernel by loading the dashboard page, and speaks the
Jupyter kernel protocol over the kernel's websocket as a page (or a crafty client) does
(security tests, load benchmarks).

Frames are built and read with jupyter_server's own (de)serialisers, the websocket is the
``websockets`` library's, as in the package (:mod:`deepgluteal.visitor`).
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit

from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from deepgluteal.serving import V1_PROTOCOL

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


class KernelSocket:
    """A websocket to a dashboard's kernel that speaks the Jupyter protocol like a page.

    When the server closes the websocket, sending or receiving raises ``ConnectionError``.

    Parameters
    ----------
    server_url : str
        The server's base URL, ending with ``/``.
    kernel_id : str
        From :func:`open_viewer` or the page's ``jupyter-config-data``.
    cookie : str
        ``Cookie`` header value (the page's cookies).
    protocol : str
        :data:`~deepgluteal.serving.V1_PROTOCOL` (binary frames, what JupyterLab uses) or
        ``""`` (legacy JSON).
    timeout_s : float
        Connection and default receive timeout.
    """

    def __init__(self, server_url: str, kernel_id: str, cookie: str = "",
                 protocol: str = V1_PROTOCOL, timeout_s: float = 30.0):
        self.session_id = uuid.uuid4().hex
        url = (server_url.replace("http", "ws", 1)
               + f"api/kernels/{kernel_id}/channels?session_id={self.session_id}")
        page = urlsplit(server_url)
        # A page's own origin, which jupyter_server's cross-site check lets through; no size
        # limit on what the kernel sends (pictures); the server is on this machine, whatever
        # proxy the environment names.
        self._closing = contextlib.ExitStack()
        self.ws = self._closing.enter_context(connect(
            url, origin=f"{page.scheme}://{page.netloc}",
            subprotocols=[protocol] if protocol else None,
            additional_headers={"Cookie": cookie} if cookie else None,
            open_timeout=timeout_s, max_size=None, proxy=None))
        self.protocol = self.ws.subprotocol or ""
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
            self.send_raw(serialize_msg_to_ws_v1([*parts, *buffers], channel))
        else:
            self.send_raw(json.dumps({"channel": channel, "header": header,
                                      "parent_header": parent_header or {},
                                      "metadata": metadata or {}, "content": content,
                                      "buffers": []}))
        return header["msg_id"]

    def send_raw(self, data) -> None:
        """Send a frame as given (bytes as binary, str as text)."""
        try:
            self.ws.send(data)
        except ConnectionClosed as closed:
            raise ConnectionError(f"the server closed the kernel websocket: {closed}") from closed

    # ------------------------------------------------------------------ receiving
    def recv(self, timeout_s: float | None = None) -> dict | None:
        """The next message as a dict (channel, header, parent_header, content, buffers), or
        None when nothing came within the timeout."""
        try:
            frame = self.ws.recv(timeout=self.timeout_s if timeout_s is None else timeout_s)
        except TimeoutError:
            return None
        except ConnectionClosed as closed:
            raise ConnectionError(f"the server closed the kernel websocket: {closed}") from closed
        if isinstance(frame, str):
            return json.loads(frame)
        if self.protocol == V1_PROTOCOL:
            channel, parts = deserialize_msg_from_ws_v1(frame)
            names = ("header", "parent_header", "metadata", "content")
            message = {name: json.loads(part) for name, part in zip(names, parts, strict=False)}
            return {"channel": channel, **message, "buffers": parts[4:]}
        return deserialize_binary_message(frame)

    def drain(self, seconds: float) -> int:
        """Read and drop whatever arrives for ``seconds``, as an idle page does; returns the
        number of messages."""
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
        self._closing.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
