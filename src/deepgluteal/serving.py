"""The server-side classes ``server/voila.json`` names: a cap on concurrent kernels
(:class:`CappedKernelManager`) and a kernel websocket limited to what a dashboard page sends
(:class:`GuardedKernelConnection`).

They are plain top-level subclasses of jupyter_server's. Importing this module on its own costs
what importing jupyter_server's kernel manager costs: 2.6-3.4 s measured on the 2-core
development machine (``python -X importtime``; 9-10 s while it was busy). Inside Voila, which
has imported jupyter_server already, it costs 3-21 ms. The clients that start servers for the
tests and benchmarks (``harness/servers.py``, outside the package: 0.1 s to import) never
load this module, so nothing is left to gain from building the classes lazily.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
)
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.web import HTTPError
from traitlets import Float, Integer

# Messages a dashboard page sends to its kernel, by channel. Voila already refuses
# execute_request (its allowed_message_types); the guard also keeps each type on the channel a
# page uses, so nothing reaches the control, stdin or iopub sockets but kernel_info_request.
PAGE_MESSAGES = {
    "shell": ("comm_open", "comm_msg", "comm_close", "comm_info_request", "kernel_info_request"),
    "control": ("kernel_info_request",),
}
# The binary kernel websocket protocol JupyterLab speaks (jupyter_server spells it out inline).
V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
# What a Python traceback leaves in text: the guard replaces stderr text that matches, and the
# tests check with the same pattern that nothing a visitor can see matches.
TRACEBACK = re.compile(r'Traceback|File "[^"]+", line \d+|\.py", line')


class CappedKernelManager(AsyncMappingKernelManager):
    """A kernel manager that starts no more than ``max_kernels`` kernels at once.

    Every open tab holds a kernel (about 130 MB); past the cap a visitor gets status 503,
    which the ``dgs`` template's error page words as "the explainer is full right now, try
    again in a minute", and the viewers already in keep a responsive machine. Voila's
    preheated pool counts towards the cap; a pool refill refused at the cap is retried when
    a viewer's kernel shuts down (Voila refills only when a visitor takes a pooled kernel).
    Idle time, for culling, counts from the moment a kernel's last page went away, and for a
    preheated kernel from the moment a visitor took it: a kernel heated long before its
    visitor came would otherwise be culled between the handover and the page's connection.
    """

    max_kernels = Integer(
        40, config=True,
        help="Most kernels (viewers plus the preheated pool) running at once.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._starting = 0
        self._closing = False
        self._pooled: set[str] = set()

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

    async def cull_kernels(self):
        self._restart_idle_time_of_handed_over_kernels()
        return await super().cull_kernels()

    def _restart_idle_time_of_handed_over_kernels(self) -> None:
        # Voila's pool hands a kernel over without telling the base class; the culler polls,
        # so a kernel seen in the pool at one poll and gone from it at the next was handed
        # over in between, and its idle time starts now (not when it was heated).
        pooled = {task.result()["kernel_id"]
                  for pool in getattr(self, "_pools", {}).values()
                  for task in pool if task.done() and not _failed(task)}
        for kernel_id in self._pooled - pooled:
            if kernel_id in self:
                self.get_kernel(kernel_id).last_activity = datetime.now(UTC)
        self._pooled = pooled

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


def _failed(task) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)
